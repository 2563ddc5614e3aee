/// A "goal" workload of a scenario: a GOAL schedule (the text format of LogGOPSim and
/// ATLAHS: per-rank send, recv and calc operations with requires/irequires dependencies)
/// read line by line into flows (a matched send/recv pair) and tasks (a calc). Private to
/// scenario/; the mapping rules are in docs/workloads.md.
#pragma once

#include <cstddef>

#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Reads the workload at `w` (kind "goal") of `doc`: its schedule file, relative to the
/// scenario, and the optional rank placement. Appends entry i (the i-th calc or send in
/// the file) as FlowId i of `flows`; more than `max_flows` entries is an error at the
/// line where the count passes it. Every error in the schedule is a ScenarioError naming
/// the file and "line N", with the rank and label in the message; a dependency cycle is
/// found here, so the flows it appends are acyclic.
void load_goal(const JsonNode& w, const Document& doc, const topo::Topology& t,
               size_t max_flows, net::FlowSet& flows, WorkloadInfo& info);

}  // namespace roshni::scenario
