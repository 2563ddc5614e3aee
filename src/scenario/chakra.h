/// A "chakra" workload of a scenario: MLCommons Chakra execution traces (one protobuf
/// file per rank: compute, collective, send, receive and memory nodes with data and
/// control dependencies) read one message at a time into tasks, flows and Roshni's
/// collectives. Private to scenario/; the mapping rules are in docs/workloads.md.
#pragma once

#include <cstddef>

#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Reads the workload at `w` (kind "chakra") of `doc`: the files prefix + r + ".et" for
/// r = 0 .. ranks - 1, relative to the scenario, and its options (placement, groups,
/// ctrl_deps, algorithms, roofline). More than `max_flows` entries is an error. Every
/// error in a trace is a ScenarioError naming the file and the node ("node 12", or
/// "message 5" before the node's id is known), with the rank in the message; dependency
/// cycles are found here, so the flows it appends are acyclic.
void load_chakra(const JsonNode& w, const Document& doc, const topo::Topology& t,
                 size_t max_flows, net::FlowSet& flows, WorkloadInfo& info);

}  // namespace roshni::scenario
