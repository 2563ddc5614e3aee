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

struct Bom {
  std::vector<BomLine> lines;  // in a fixed order: item, then part name
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
