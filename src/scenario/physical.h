/// The physical layer as a scenario describes it: the hardware catalog read from
/// configs/, and the "physical" section that gives every link a catalog part by a media
/// policy ("auto", "copper", "optical", "optical:cpo", or a part name), from which its
/// rate, latency (SerDes + FEC/DSP + propagation over its cable length) and, for optics,
/// its link budget follow. Private to scenario/; documented in docs/physical-layer.md.
#pragma once

#include <optional>
#include <string>

#include "roshni/hw/catalog.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/fabric.h"

namespace roshni::scenario {

/// Reads DIR/links.json and DIR/switches.json (errors name the file and pointer).
hw::Catalog load_catalog(const std::string& dir, const FileReader& reader);

/// Reads DIR/accelerators.json into `catalog.accelerators` (training workloads only).
void load_accelerators(const std::string& dir, const FileReader& reader, hw::Catalog& catalog);
/// One accelerator entry (catalog or scenario): peak_flops by precision, hbm_bandwidth,
/// source; the other catalog fields are allowed and not read.
hw::AcceleratorPart accelerator_part(const std::string& name, const JsonNode& entry);

/// A catalog entry's "price" ({"amount": 27500, "currency": "USD", "estimate": true}),
/// in USD; none when the entry has no price. Sets `estimate` from the entry.
std::optional<double> catalog_price(const JsonNode& entry, bool& estimate);

/// Adds the scenario's own parts ("physical": {"parts": {name: {...}}}) to the catalog.
/// A part may start from a catalog part ("base": "cpo-800g-bailly") and override any of
/// its fields, so a what-if ("the same CPO at 4 W") is one line. Errors name the
/// scenario's pointers.
void add_scenario_parts(const JsonNode& spec, const std::string& catalog_dir,
                        const FileReader& reader, hw::Catalog& catalog);

/// What the physical section decided, for the report.
struct PhysicalSummary {
  bool applied = false;
  uint32_t budget_warnings = 0;
  /// Per physical link (directed id / 2): its optical loss in dB (fibre, connectors,
  /// OCS passes), or a negative number for a copper link.
  std::vector<double> link_loss_db;
};

/// Applies the scenario's "physical" section (at `spec`) to the fabric's links.
/// Requires cable lengths (placement) to have been applied.
PhysicalSummary apply_physical(const JsonNode& spec, const hw::Catalog& catalog,
                               topo::Topology& t);

/// An optical circuit switch entry of configs/switches.json.
hw::OcsPart ocs_part(const std::string& name, const JsonNode& entry);

/// A catalog OCS part that the scenario names (at `named`: physical.ocs or energy.ocs)
/// must be the topology's OCS (`ocs`, the topology's "ocs" object): the same port count
/// and reconfiguration time. Errors point at the topology's field and say what the part
/// (from `part_file`) has.
void check_ocs_part(const JsonNode& named, const hw::OcsPart& part, const std::string& part_file,
                    const JsonNode& ocs);

}  // namespace roshni::scenario
