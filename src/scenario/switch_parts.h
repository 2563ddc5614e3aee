/// Packet switch parts from configs/switches.json and the scenario's choice of them by
/// switch role (`energy.switches`): the one place both the energy model (power, ports,
/// price) and the packet model (buffer, switching) learn what each switch is. Private to
/// scenario/; the fields are documented in docs/catalog.md and docs/scenario-reference.md.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "roshni/core/units.h"
#include "roshni/net/packet_model.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"

namespace roshni::scenario {

/// The object of catalog entries in `file` under `section`, and the entry `name` in it,
/// which must exist (else an error at `where` listing the known names).
struct CatalogFile {
  Document doc;
  JsonNode section;
  CatalogFile(const std::string& file, const FileReader& reader, std::string_view key,
              std::initializer_list<std::string_view> top_keys);
  JsonNode entry(const JsonNode& where, const std::string& name, std::string_view what) const;
};

/// One topology switch node's part: a catalog entry, times `chips` when the node stands
/// for several chips (an NVSwitch tray of 18, say).
struct SwitchPart {
  std::string name;
  uint32_t chips = 1;  // one topology node standing for several switch chips (planes: 1)
  uint32_t radix = 0;  // ports of all its chips
  Power power;         // typical, all its chips
  DataRate capacity;   // one direction, all ports
  std::optional<double> price;  // USD per chip
  bool estimate = false;
  /// Packet buffer of one output port, bytes: the catalog's buffer over the chip's ports
  /// when it is shared (a static, even split), or its per-port figure; none when the
  /// catalog has no buffer figure for the part.
  std::optional<uint64_t> port_buffer;
  std::optional<net::Switching> switching;  // none when the catalog does not say
};

/// The scenario's switch parts: one for every switch ("th5-...") or by role
/// ({"leaf": ..., "spine": {"part": ..., "chips": n}, "*": ...}).
class SwitchParts {
 public:
  /// Reads `spec` (the value of energy.switches), naming parts in `catalog`.
  SwitchParts(const JsonNode& spec, const CatalogFile& catalog);
  /// The part for a switch of `role`, or null when the scenario names none for it.
  const SwitchPart* of_role(std::string_view role) const;

 private:
  std::map<std::string, SwitchPart, std::less<>> by_role_;
  std::optional<SwitchPart> any_;
};

/// "store_and_forward" or "cut_through" at `node` (else an error listing both); the one
/// reader for network.packet.switching and the catalog parts' "switching".
net::Switching read_switching(const JsonNode& node);

/// configs/switches.json's packet switches, from `catalog_dir`.
CatalogFile packet_switch_catalog(const std::string& catalog_dir, const FileReader& reader);

}  // namespace roshni::scenario
