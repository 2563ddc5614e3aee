#include "scenario/switch_parts.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/physical.h"

namespace roshni::scenario {

CatalogFile::CatalogFile(const std::string& file, const FileReader& reader, std::string_view key,
                         std::initializer_list<std::string_view> top_keys)
    : doc(Document::load(file, reader)),
      section(doc.root().at(key, "an object of entries by name")) {
  doc.root().expect_keys(top_keys);
  if (!section.is_object()) section.fail("expected an object of entries by name");
}

JsonNode CatalogFile::entry(const JsonNode& where, const std::string& name,
                            std::string_view what) const {
  if (section.has(name)) return section.at(name, "");
  std::vector<std::string> names;
  for (auto it = section.raw().begin(); it != section.raw().end(); ++it) names.push_back(it.key());
  const std::string hint = suggest(name, names);
  where.fail(fmt::format("unknown {} '{}'{}{}: {}", what, escape_text(name), hint,
                         hint.empty() ? "; known ones" : " Known ones", quoted_list(names)));
}

CatalogFile packet_switch_catalog(const std::string& catalog_dir, const FileReader& reader) {
  return CatalogFile(resolve_relative(catalog_dir, "switches.json"), reader, "packet_switches",
                     {"schema", "description", "packet_switches", "optical_circuit_switches"});
}

namespace {

SwitchPart read_switch(const CatalogFile& f, const JsonNode& where, const std::string& name,
                       uint32_t chips) {
  const JsonNode e = f.entry(where, name, "packet switch");
  SwitchPart s;
  s.name = name;
  s.chips = chips;
  const JsonNode pw = e.at("power", "{\"typical\": ..., \"max\": ...}");
  s.power = pw.at("typical", "a power like \"913 W\"").as_power() * chips;
  const auto radix = e.at("radix", "a port count").as_int(1, 1 << 20);
  s.capacity = e.at("port_rate", "a data rate").as_data_rate() * static_cast<double>(radix * chips);
  s.radix = static_cast<uint32_t>(radix) * chips;
  s.price = catalog_price(e, s.estimate);
  if (const auto b = e.get("buffer")) {
    const JsonNode shared = e.at("buffer_shared", "true (one buffer for all ports) or false (per port)");
    if (!shared.raw().is_boolean()) shared.fail("expected true or false");
    // A shared buffer is split evenly over the chip's ports: the packet model keeps one
    // queue per output port (docs/models/packet-model.md says what this leaves out).
    double per_port = b->as_data_size().si();
    if (per_port > 1e15) b->fail(fmt::format("expected at most 1 PB, got {} B", per_port));
    if (shared.raw().get<bool>()) per_port /= static_cast<double>(radix);
    s.port_buffer = static_cast<uint64_t>(std::floor(per_port));
  }
  if (const auto sw = e.get("switching")) s.switching = read_switching(*sw);
  return s;
}

}  // namespace

SwitchParts::SwitchParts(const JsonNode& s, const CatalogFile& catalog) {
  if (s.raw().is_string()) {
    any_ = read_switch(catalog, s, s.as_string(), 1);
    return;
  }
  if (!s.is_object()) {
    s.fail("expected a packet switch part name, or an object of part names (or {\"part\": "
           "name, \"chips\": n}) by switch role (\"*\" for the rest)");
  }
  for (auto it = s.raw().begin(); it != s.raw().end(); ++it) {
    const JsonNode v = s.at(it.key(), "");
    SwitchPart part;
    if (v.is_object()) {
      // {"part": "nvswitch-gen4", "chips": 18}: a node that stands for several chips.
      v.expect_keys({"part", "chips"});
      const JsonNode name = v.at("part", "a packet switch part name");
      const auto chips = v.get("chips") ? v.get("chips")->as_int(1, 4096) : 1;
      part = read_switch(catalog, name, name.as_string(), static_cast<uint32_t>(chips));
    } else {
      part = read_switch(catalog, v, v.as_string(), 1);
    }
    if (it.key() == "*") any_ = part; else by_role_.emplace(it.key(), part);
  }
}

const SwitchPart* SwitchParts::of_role(std::string_view role) const {
  const auto it = by_role_.find(role);
  if (it != by_role_.end()) return &it->second;
  return any_ ? &*any_ : nullptr;
}

}  // namespace roshni::scenario
