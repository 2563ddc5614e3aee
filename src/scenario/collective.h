/// A collective workload of a scenario ("all_reduce", ..., "p2p"): ranks, size and
/// options read and checked (every bad field a ScenarioError at its JSON pointer), the
/// algorithm named or picked by the auto rule, then its flows (coll/registry.h). Private
/// to scenario/; the fields are in docs/scenario-reference.md, the algorithms in
/// docs/collectives.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "roshni/coll/collective.h"
#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/fabric.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Reads the workload at `w` (a collective of `kind`) over `fabric`, appends its flows to
/// `flows` and says what ran in `info`. More than `max_flows` flows is an error.
/// A "library" is read from `catalog_dir`/libraries.json through `doc`'s file reader.
void load_collective(const JsonNode& w, coll::CollectiveKind kind, const topo::Fabric& fabric,
                     const Document& doc, const std::string& catalog_dir, size_t max_flows,
                     net::FlowSet& flows, WorkloadInfo& info);

/// "library": "nccl" or {"name": "nccl", "protocol": "LL" | "LL128" | "Simple" | "auto",
/// "link_efficiency": {"nvlink": "80 %", "network": "94 %"}, "nvls_efficiency": "85 %",
/// "nvls": false}: the catalog entry (`catalog_dir`/libraries.json, read through `reader`)
/// with the scenario's overrides, and the facts of a path between two nodes of `topology`
/// (routed by `router`, remembered per pair). A named protocol is returned in `fixed`.
/// Shared by the collective and training workloads.
coll::LibraryUse read_library(const JsonNode& n, const topo::Topology& topology, topo::Router& router,
                              const FileReader& reader, const std::string& catalog_dir,
                              std::optional<coll::Protocol>& fixed);

/// GPUs per scale-up domain of the topology (a Clos fabric's "scale_up"), or 0.
uint32_t topology_domain_size(const topo::Fabric& fabric);

}  // namespace roshni::scenario
