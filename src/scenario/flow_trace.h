/// A "flow_trace" workload of a scenario: flows listed inline or in a trace file of their
/// own, each with its endpoints, size, start, the flows it waits for and, optionally, a
/// pinned path; read and checked (every bad field a ScenarioError at its JSON pointer,
/// inside the trace file when there is one). Private to scenario/; the format is in
/// docs/scenario-reference.md.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>

#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// A trace read from its own file, kept for errors found later (routes, cycles): the
/// flow list's nodes point into `json` and name their file through `file_of`, so it must
/// stay where it is while they are used.
struct FlowTrace {
  nlohmann::json json;
  FileOf file_of;
  std::optional<JsonNode> flows_node;  // the trace's flow list, inline or in the file
};

/// Reads the workload at `w` (kind "flow_trace") of `doc`, appends its flows to `flows`
/// (FlowId i is the i-th flow listed) and counts its endpoints and bytes in `info`.
/// More than `max_flows` flows is an error.
void load_flow_trace(const JsonNode& w, const Document& doc, const topo::Topology& t,
                     size_t max_flows, net::FlowSet& flows, WorkloadInfo& info, FlowTrace& trace);

}  // namespace roshni::scenario
