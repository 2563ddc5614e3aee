/// A "flow_trace" workload of a scenario: flows listed inline or in a trace file of their
/// own, each with its endpoints, size, start, the flows it waits for and, optionally, a
/// pinned path; read and checked (every bad field a ScenarioError at its JSON pointer,
/// inside the trace file when there is one). Private to scenario/; the format is in
/// docs/scenario-reference.md.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Where a trace's flows were listed, kept for errors found later (routes, cycles).
/// Inline flows: `flows_node`, in the scenario's DOM. A trace file is read as a stream
/// and has no DOM of its flows: `streamed_file` names it and errors point at
/// "/flows/<i>" in it. `json` holds the rest of the file (its flow list left empty).
struct FlowTrace {
  nlohmann::json json;
  FileOf file_of;
  std::optional<JsonNode> flows_node;  // inline flows
  std::string streamed_file;           // a trace file
  size_t count = 0;                    // flows read

  bool present() const { return flows_node.has_value() || !streamed_file.empty(); }
  /// A ScenarioError at flow f (or its member `member`, when not empty).
  [[noreturn]] void fail_flow(size_t f, const std::string& what, std::string_view member = {}) const;
};

/// Reads the workload at `w` (kind "flow_trace") of `doc`, appends its flows to `flows`
/// (FlowId i is the i-th flow listed) and counts its endpoints and bytes in `info`.
/// More than `max_flows` flows is an error.
void load_flow_trace(const JsonNode& w, const Document& doc, const topo::Topology& t,
                     size_t max_flows, net::FlowSet& flows, WorkloadInfo& info, FlowTrace& trace);

}  // namespace roshni::scenario
