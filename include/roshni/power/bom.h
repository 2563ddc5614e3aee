/// The bill of materials of a cluster, priced where the catalog has a price: GPUs,
/// switches, OCS, and link modules or cables by part. Unpriced lines stay in the list
/// (count known, price not), so capital cost is never silently incomplete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace roshni::power {

struct BomLine {
  std::string item;   // "gpu", "switch", "ocs", "optics", "copper"
  std::string part;   // catalog name
  uint64_t count = 0; // GPUs, switches, OCS; link modules (two per optical link) or cables
  std::optional<double> unit_price_usd;
  bool estimate = false;  // the catalog marks the price as an estimate
  double total_usd() const { return unit_price_usd ? *unit_price_usd * static_cast<double>(count) : 0; }
};

/// The physical cabling of one link part: what an installer counts. Optical links are
/// parallel fibre, one fibre per lane and direction (2 x lanes), joined end to end through
/// the part's connector matings (multi-fibre connectors: one mating joins all of a link's
/// fibres); copper links carry one differential pair per lane and direction (2 x lanes),
/// in one cable assembly per link (DAC, AEC) or on a backplane/board.
struct CablingLine {
  std::string part;
  std::string medium;          // "optical" or "copper"
  std::string form;            // the catalog's form: "dac", "pluggable-dsp", "cpo", ...
  uint64_t links = 0;          // physical: a scenario part bundling k of its base's links counts k
  uint64_t lanes = 0;          // per direction, all links
  uint64_t fibres = 0;         // optical: 2 x lanes
  uint64_t connectors = 0;     // optical: connector matings (the part's budget count) x links
  uint64_t pairs = 0;          // copper: 2 x lanes
  uint64_t cables = 0;         // copper cable assemblies (dac, aec): one per link
  double length_m = 0;         // sum of the links' lengths (0 when the topology is not placed)
  double fibre_m = 0, pair_m = 0;  // fibres x length, pairs x length
};

/// One row of the as-built bill (energy.as_built): a kind of part, how many, and its
/// power at full load (docs/supernode.md, "As built").
struct AsBuiltLine {
  std::string item;      // "accelerator", "host", "nic", "switch <role>", "optics", ...
  std::string part;      // catalog name (or what the row stands for)
  uint64_t count = 0;
  double unit_power_w = 0;
  double power_w = 0;    // count x unit power at full load
};

/// The system as built, beyond the topology the simulation runs on: racks with the
/// network racks, switch chips of every tier, the scale-out plane sized from its ports,
/// every optical module and fibre, and the power at full load with fans and conversion.
struct AsBuilt {
  uint64_t accelerators = 0;
  uint64_t compute_racks = 0, network_racks = 0;
  uint64_t switch_chips = 0, optical_modules = 0, fibres = 0;
  double parts_power_w = 0, fans_w = 0, conversion_w = 0;
  double psu_efficiency = 1, fan_share = 0;
  std::vector<AsBuiltLine> lines;  // in a fixed order
  double system_power_w() const { return parts_power_w + fans_w + conversion_w; }
};

struct Bom {
  std::optional<AsBuilt> as_built;  // energy.as_built only
  std::vector<BomLine> lines;  // in a fixed order: item, then part name
  std::vector<CablingLine> cabling;  // by part name
  /// What a reader of the bill should know about how it was counted (a switch part whose
  /// ports differ from the topology's radix, ...), in a fixed order.
  std::vector<std::string> notes;
  double priced_usd() const {
    double s = 0;
    for (const auto& l : lines) s += l.total_usd();
    return s;
  }
  uint64_t unpriced_items() const {
    uint64_t n = 0;
    for (const auto& l : lines) n += l.unit_price_usd ? 0 : l.count;
    return n;
  }
};

}  // namespace roshni::power
