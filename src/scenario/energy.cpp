// Energy, heat and facility sections: names resolved against the catalog, every figure
// with its unit, and the inventory built in topology order (deterministic).
#include "scenario/energy.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "roshni/core/text.h"
#include "roshni/power/energy_model.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/physical.h"
#include "scenario/switch_parts.h"

namespace roshni::scenario {
namespace {

// Plain-number ranges (issue 16.1): wide enough for every currency in use (the Iranian
// rial trades near 42,000 per USD, electricity nowhere costs 1,000,000 units per kWh),
// narrow enough that a bill over a year of a 100 GW facility stays a finite double.
constexpr double kMaxTariff = 1e6;   // currency units per kWh
constexpr double kMinPerUsd = 1e-4;  // currency units per USD
constexpr double kMaxPerUsd = 1e7;

using power::ComponentClass;

/// The model default at `key` in configs/models.json ({"value": ..., "source": ...}).
JsonNode model_default(const JsonNode& section, std::string_view key) {
  const JsonNode e = section.at(key, "a default {\"value\": ..., \"source\": ...}");
  e.expect_keys({"value", "source"});
  e.at("source", "where the default comes from");
  return e.at("value", "the default value");
}

std::string link_component_name(const topo::Topology& t, LinkId l) {
  return t.node_name(t.link_from(l)) + "<->" + t.node_name(t.link_to(l));
}

/// A part's price, {"amount": 37300, "currency": "USD", "estimate": true}, in USD.
double price_in_usd(const JsonNode& v, bool& estimate) {
  v.expect_keys({"amount", "currency", "estimate"});
  const double usd = v.at("amount", "a price in USD").as_number(0, 1e12, "a price in USD");
  const JsonNode currency = v.at("currency", "\"USD\"");
  if (currency.as_string() != "USD") currency.fail("part prices are in \"USD\"");
  estimate = v.get("estimate") && v.get("estimate")->as_bool();
  return usd;
}

/// A price per kWh: {"amount": 0.044, "currency": "USD"} in USD or the tariff's currency,
/// returned in the tariff's currency.
double price_per_kwh(const JsonNode& v, const power::Facility& f) {
  v.expect_keys({"amount", "currency", "per"});
  const double amount = v.at("amount", "a price per kWh").as_number(0, kMaxTariff, "a price per kWh");
  const JsonNode currency = v.at("currency", "\"USD\" or the tariff's currency");
  const std::string code = currency.as_string();
  if (const auto per = v.get("per"); per && per->as_string() != "kWh") per->fail("prices are per \"kWh\"");
  if (code == f.currency) return amount;
  if (code == "USD") return amount * f.per_usd;
  currency.fail(fmt::format("expected \"USD\" or the tariff's currency {}, got {}", quote_text(f.currency),
                            quote_text(code)));
}

/// facility.solar: a fixed share, or capacity with its profile and an optional battery;
/// the LCOE and lifecycle intensity default to configs/models.json's.
void read_solar(const JsonNode& v, const JsonNode& defaults, power::Facility& f, power::Bom& bom) {
  v.expect_keys({"share", "capacity", "profile", "lcoe", "carbon_intensity", "battery"});
  const auto sh = v.get("share");
  const auto cap = v.get("capacity");
  if (sh && cap) v.fail("give a solar 'share', or a 'capacity' with its 'profile', not both");
  if (!sh && !cap) v.fail("give a solar 'share' (\"20 %\"), or a 'capacity' with its 'profile'");
  if (sh) {
    f.solar_share = sh->as_fraction();
  } else {
    f.solar_capacity = cap->as_power();
    const JsonNode prof = v.at("profile", "24 hourly capacity factors in [0, 1], midnight first");
    if (!prof.raw().is_array() || prof.size() != 24) prof.fail("expected 24 hourly capacity factors in [0, 1], midnight first");
    for (size_t i = 0; i < 24; ++i) f.solar_profile[i] = prof[i].as_number(0, 1, "a capacity factor");
  }
  f.solar_lcoe = price_per_kwh(v.get("lcoe") ? *v.get("lcoe") : model_default(defaults, "solar_lcoe"), f);
  f.solar_carbon_kg_per_joule =
      (v.get("carbon_intensity") ? *v.get("carbon_intensity")
                                 : model_default(defaults, "solar_carbon_intensity"))
          .as_quantity(QuantityKind::carbon_intensity, true);
  const auto b = v.get("battery");
  if (!b) return;
  if (sh) b->fail("a battery needs the solar 'capacity' and 'profile' (it stores the day's surplus), not a fixed 'share'");
  b->expect_keys({"energy", "power", "round_trip_efficiency", "price"});
  const JsonNode energy = b->at("energy", "the energy it stores, like \"20 MWh\"");
  f.battery_energy = energy.as_energy();
  if (f.battery_energy.si() <= 0) energy.fail("a battery stores more than 0 J");
  const JsonNode power = b->at("power", "its charge and discharge limit, like \"5 MW\"");
  f.battery_power = power.as_power();
  if (f.battery_power.si() <= 0) power.fail("a battery's power is more than 0 W");
  const JsonNode eta = b->get("round_trip_efficiency") ? *b->get("round_trip_efficiency")
                                                       : model_default(defaults, "battery_round_trip_efficiency");
  f.battery_efficiency = eta.as_fraction();
  if (f.battery_efficiency <= 0) eta.fail("a battery gives back more than 0 % of what it stores");
  // Capital, in the bill of materials: per kWh of storage, USD.
  const JsonNode price = b->get("price") ? *b->get("price") : model_default(defaults, "battery_price");
  price.expect_keys({"amount", "currency", "per", "estimate"});
  const double usd = price.at("amount", "a price per kWh of storage").as_number(0, 1e6, "a price per kWh");
  const JsonNode currency = price.at("currency", "\"USD\"");
  if (currency.as_string() != "USD") currency.fail("battery prices are in \"USD\" per kWh of storage");
  if (const auto per = price.get("per"); per && per->as_string() != "kWh") per->fail("battery prices are per \"kWh\" of storage");
  power::BomLine line;
  line.item = "battery";
  line.part = "battery storage (kWh)";
  line.count = static_cast<uint64_t>(std::llround(f.battery_energy.si() / 3.6e6));
  line.unit_price_usd = usd;
  line.estimate = price.get("estimate") && price.get("estimate")->as_bool();
  bom.lines.push_back(line);
}

/// What one kind of part adds up to, for energy.as_built: switch chips by role, link
/// modules (optical) or cables (copper) by part, with their full-load power.
struct Tally {
  std::string part;
  uint64_t count = 0;
  double power_w = 0;
};

/// energy.as_built (docs/supernode.md "As built", docs/scenario-reference.md): the
/// system as built beyond the simulated topology. Racks: those holding accelerators plus
/// `network_racks`. The scale-out plane: P = accelerators x ports_per_accelerator ports
/// of `module`'s rate on a Clos of `tiers` (1 or 2) levels of `switch` chips of radix R:
/// one tier, ceil(P / R) chips and 2P modules; two, ceil(P / (R/2)) leaves + ceil(P / R)
/// spines and 4P modules. Power at full load: every part's datasheet figure; fans a share
/// f of it; power conversion at efficiency eta: system = parts x (1 + f) / eta.
void read_as_built(const JsonNode& v, const JsonNode& md_energy, const topo::Topology& t,
                   const hw::Catalog& catalog, const std::vector<uint32_t>& node_rack,
                   const CatalogFile& switches, const std::string& accelerator, Power peak,
                   Power host_power, uint32_t nics,
                   Power nic_power, const std::map<std::string, Tally>& tiers,
                   const std::map<std::string, Tally>& links, power::Bom& bom) {
  v.expect_keys({"network_racks", "scale_out", "psu_efficiency", "fan_share"});
  power::AsBuilt a;
  const auto gpus = t.gpus();
  a.accelerators = gpus.size();
  std::vector<uint32_t> racks;
  for (const NodeId g : gpus) racks.push_back(node_rack[g.value()]);
  std::sort(racks.begin(), racks.end());
  a.compute_racks = static_cast<uint64_t>(std::unique(racks.begin(), racks.end()) - racks.begin());
  if (const auto n = v.get("network_racks")) a.network_racks = static_cast<uint64_t>(n->as_int(0, 1 << 20));
  const JsonNode eta = v.get("psu_efficiency") ? *v.get("psu_efficiency") : model_default(md_energy, "psu_efficiency");
  a.psu_efficiency = eta.as_fraction();
  if (a.psu_efficiency < 0.5) eta.fail("a power conversion efficiency of at least 50 % is expected");
  const JsonNode fans = v.get("fan_share") ? *v.get("fan_share") : model_default(md_energy, "fan_share");
  a.fan_share = fans.as_fraction();

  const auto add = [&a](std::string item, std::string part, uint64_t n, double unit, double total) {
    a.lines.push_back({std::move(item), std::move(part), n, unit, total});
    a.parts_power_w += total;
  };
  const double n_acc = static_cast<double>(a.accelerators);
  if (a.accelerators > 0) {
    add("accelerator", accelerator, a.accelerators, peak.si(), n_acc * peak.si());
    if (host_power.si() > 0) add("host", "host share", a.accelerators, host_power.si(), n_acc * host_power.si());
    if (nics > 0) {
      const uint64_t n = a.accelerators * nics;
      const double each = nic_power.si() / nics;
      add("nic", "nic", n, each, static_cast<double>(n) * each);
    }
  }
  for (const auto& [role, tally] : tiers) {
    add("switch " + role, tally.part, tally.count, tally.power_w / static_cast<double>(tally.count), tally.power_w);
    a.switch_chips += tally.count;
  }
  for (const auto& [part, tally] : links) {
    const hw::LinkPart& p = catalog.links.at(part);
    const bool optical = p.medium == hw::Medium::optical;
    add(optical ? "optics" : "copper", part, tally.count,
        tally.count ? tally.power_w / static_cast<double>(tally.count) : 0.0, tally.power_w);
    if (optical) a.optical_modules += tally.count;
  }
  for (const auto& c : bom.cabling) a.fibres += c.fibres;

  if (const auto so = v.get("scale_out")) {
    so->expect_keys({"ports_per_accelerator", "tiers", "module", "switch"});
    const uint64_t per = so->get("ports_per_accelerator")
                             ? static_cast<uint64_t>(so->get("ports_per_accelerator")->as_int(1, 64))
                             : 1;
    const int64_t levels = so->get("tiers") ? so->get("tiers")->as_int(1, 2) : 2;
    const JsonNode mod = so->at("module", "a link part of the catalog, like \"pluggable-dsp-400g-dr4\"");
    const auto it = catalog.links.find(mod.as_string());
    if (it == catalog.links.end()) {
      std::vector<std::string> names;
      for (const auto& [k, part] : catalog.links) names.push_back(k);
      mod.fail(fmt::format("unknown link part '{}'{} (the scenario's 'physical' section loads "
                           "the link catalog); known ones: {}",
                           escape_text(mod.as_string()), suggest(mod.as_string(), names), quoted_list(names)));
    }
    const hw::LinkPart& module = it->second;
    if (module.medium != hw::Medium::optical) mod.fail(fmt::format("'{}' is copper: the scale-out 'module' is an optical module", module.name));
    const JsonNode swn = so->at("switch", "a packet switch part, like \"th5-51t-128x400g\"");
    const SwitchParts one(swn, switches);
    const SwitchPart& sp = *one.of_role("");
    const double port_rate = to_bits_per_second(sp.capacity) / sp.radix;
    if (std::fabs(port_rate - to_bits_per_second(module.rate)) > 1e-9 * port_rate) {
      swn.fail(fmt::format("the switch '{}' has ports of {} Gb/s but the module '{}' carries {}: "
                           "name a switch part whose ports match the module",
                           sp.name, port_rate / 1e9, module.name, module.rate));
    }
    const uint64_t ports = a.accelerators * per, radix = sp.radix / sp.chips;
    const uint64_t boxes = levels == 1 ? (ports + radix - 1) / radix
                                       : (ports + radix / 2 - 1) / (radix / 2) + (ports + radix - 1) / radix;
    const uint64_t modules = 2 * static_cast<uint64_t>(levels) * ports;
    const double module_w = hw::port_power(module).si();
    add("scale-out optics", module.name, modules, module_w, static_cast<double>(modules) * module_w);
    const double chip_w = sp.power.si() / sp.chips;
    add("scale-out switch", sp.name, boxes * sp.chips, chip_w, static_cast<double>(boxes * sp.chips) * chip_w);
    a.optical_modules += modules;
    a.switch_chips += boxes * sp.chips;
    a.fibres += modules * module.lanes;  // modules / 2 links x 2 x lanes
  }
  a.fans_w = a.parts_power_w * a.fan_share;
  a.conversion_w = (a.parts_power_w + a.fans_w) * (1.0 / a.psu_efficiency - 1.0);
  bom.as_built = std::move(a);
}

}  // namespace

void read_power(const Document& doc, const std::string& catalog_dir, const topo::Topology& t,
                const hw::Catalog& catalog, const std::vector<double>& link_loss_db,
                const std::vector<uint32_t>& node_rack,
                const std::vector<std::string>& rack_names,
                const std::string& training_accelerator, PowerSetup& out) {
  const JsonNode root = doc.root();
  const auto en = root.get("energy");
  const auto th = root.get("thermal");
  const auto fa = root.get("facility");
  if (!en && !th && !fa) return;
  out.enabled = true;
  const FileReader& reader = doc.reader();

  const Document models = Document::load(resolve_relative(catalog_dir, "models.json"), reader);
  models.root().expect_keys({"schema", "description", "energy", "thermal", "facility"});
  const JsonNode md_energy = models.root().at("energy", "energy model defaults");
  const JsonNode md_thermal = models.root().at("thermal", "thermal model defaults");

  // ---- energy ----
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const JsonNode e = en ? *en : JsonNode(kEmpty, "/energy", nullptr);
  // Where a missing figure is reported: the energy section, or the scenario itself when
  // it has none (so the message still names the file).
  const JsonNode here = en ? *en : root;
  e.expect_keys({"model", "accelerator", "switches", "ocs", "link_dynamic_share",
                 "switch_dynamic_share", "reference_temperature", "links", "nic_power",
                 "host_power", "prices", "as_built"});
  if (const auto m = e.get("model")) {
    const std::string name = m->as_string();
    if (!power::find_energy_model(name)) {
      std::vector<std::string> names;
      for (const auto& info : power::energy_models()) names.emplace_back(info.name);
      m->fail(fmt::format("unknown energy model '{}'{}; known ones: {}", escape_text(name),
                          suggest(name, names), quoted_list(names)));
    }
    out.model = name;
  }
  const auto share = [&](std::string_view key) {
    if (const auto v = e.get(key)) return v->as_fraction();
    return model_default(md_energy, key).as_fraction();
  };
  const double link_dyn = share("link_dynamic_share");
  const double switch_dyn = share("switch_dynamic_share");
  out.reference = e.get("reference_temperature")
                      ? e.get("reference_temperature")->as_temperature()
                      : model_default(md_energy, "reference_temperature").as_temperature();

  // A GPU's share of its server or rack (host CPUs, memory, fans, DPUs, conversion): the
  // scenario's, else the accelerator's catalog default (issue 17.3: without it a GB200
  // NVL72 rack read 97 kW at peak where the rack is rated ~120 kW). "0 W" leaves it out.
  // Read whether or not there are GPUs, so a bad value is an error either way.
  std::optional<Power> scenario_host_power;
  if (const auto hp = e.get("host_power")) scenario_host_power = hp->as_power();
  Power host_power;

  // Accelerator: required when there are GPUs; a training workload's catalog
  // accelerator by default.
  Power idle, peak, nic_power;
  uint32_t nics = 0;
  Temperature throttle;
  std::optional<double> gpu_price, nic_price;
  bool gpu_estimate = false;
  if (!t.gpus().empty()) {
    const auto a = e.get("accelerator");
    std::string name = a ? a->as_string() : training_accelerator;
    const JsonNode where = a ? *a : here;
    if (name.empty()) {
      where.fail(std::string(en ? "an 'accelerator'" : "an 'energy' section with an 'accelerator'") +
                 " is needed for the GPUs' power: a part of configs/accelerators.json, like "
                 "\"h100-sxm\"");
    }
    hw::Catalog accel;
    load_accelerators(catalog_dir, reader, accel);
    const auto it = accel.accelerators.find(name);
    if (it == accel.accelerators.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : accel.accelerators) names.push_back(k);
      where.fail(fmt::format("unknown accelerator '{}'{}{}: {}{}", escape_text(name), suggest(name, names),
                             suggest(name, names).empty() ? "; known ones" : " Known ones",
                             quoted_list(names),
                             a ? "" : " (the training workload's accelerator is not in the "
                                      "catalog: name one with power figures in 'accelerator')"));
    }
    const hw::AcceleratorPart& part = it->second;
    if (!part.idle_power || !part.peak_power || !part.throttle_temperature) {
      where.fail(fmt::format("the accelerator '{}' has no idle_power, peak_power and "
                             "throttle_temperature in {}", escape_text(name), accel.accelerators_file));
    }
    out.accelerator = name;
    idle = *part.idle_power;
    peak = *part.peak_power;
    throttle = *part.throttle_temperature;
    gpu_price = part.price_usd;
    gpu_estimate = part.price_estimate;
    nics = part.nics;
    host_power = scenario_host_power ? *scenario_host_power : part.host_power.value_or(Power{});
    const JsonNode np = e.get("nic_power") ? *e.get("nic_power") : model_default(md_energy, "nic_power");
    nic_power = np.as_power() * static_cast<double>(nics);
    bool unused = false;
    nic_price = price_in_usd(model_default(md_energy, "nic_price"), unused);
  }

  // Switch parts: one for all ("th5-...") or by role ({"leaf": ..., "*": ...}).
  const CatalogFile sw = packet_switch_catalog(catalog_dir, reader);
  std::optional<SwitchParts> switch_parts;
  if (const auto s = e.get("switches")) switch_parts.emplace(*s, sw);
  std::optional<hw::OcsPart> ocs;
  if (const auto o = e.get("ocs")) {
    const auto it = catalog.ocs.find(o->as_string());
    const std::string file = resolve_relative(catalog_dir, "switches.json");
    // The OCS catalog is read with the physical layer; read it here when there is none.
    if (it != catalog.ocs.end()) {
      ocs = it->second;
    } else {
      const CatalogFile oc(file, reader, "optical_circuit_switches",
                           {"schema", "description", "packet_switches", "optical_circuit_switches"});
      ocs = ocs_part(o->as_string(), oc.entry(*o, o->as_string(), "optical circuit switch"));
    }
    // An OCS fabric's devices are this part.
    const auto topology_ocs = root.at("topology", "").get("ocs");
    if (topology_ocs && topology_ocs->is_object()) {
      check_ocs_part(*o, *ocs, it != catalog.ocs.end() ? catalog.switches_file : file, *topology_ocs);
    }
  }
  Power bare_static;
  EnergyPerBit bare_per_bit;
  if (const auto l = e.get("links")) {
    l->expect_keys({"static_power", "energy_per_bit"});
    if (const auto v = l->get("static_power")) bare_static = v->as_power();
    if (const auto v = l->get("energy_per_bit")) bare_per_bit = v->as_energy_per_bit();
  }

  // ---- inventory, in node then link order ----
  power::Inventory& inv = out.inventory;
  inv.racks = static_cast<uint32_t>(rack_names.size());
  inv.rack_names = rack_names;
  inv.node_component.assign(t.node_count(), power::kNone);
  std::map<std::pair<std::string, std::string>, power::BomLine> bom;  // (item, part)
  const auto count = [&bom](std::string item, const std::string& part, uint64_t n,
                            std::optional<double> price, bool estimate) {
    auto& line = bom[{item, part}];
    line.item = std::move(item);
    line.part = part;
    line.count += n;
    line.unit_price_usd = price;
    line.estimate = estimate;
  };
  std::map<std::string, power::CablingLine> cabling;  // by part name: a fixed order
  // For energy.as_built: switch chips and power by role, link ends and power by part.
  std::map<std::string, Tally> tier_tally, link_tally;
  std::vector<std::string> unmatched_roles;
  // Switches whose topology radix differs from their part's ports, by (role, part): how
  // many, that radix, and the most ports one of them uses.
  struct RadixMismatch {
    uint32_t switches = 0, radix = 0, most_used = 0;
  };
  std::map<std::pair<std::string, std::string>, RadixMismatch> mismatched;
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    const NodeId n(i);
    power::Component c;
    c.name = t.node_name(n);
    c.node = n;
    c.rack = c.rack_b = node_rack[i];
    switch (t.node_kind(n)) {
      case topo::NodeKind::gpu:
        c.cls = ComponentClass::gpu;
        c.part = out.accelerator;
        c.static_power = idle;
        c.busy_power = peak - idle;
        count("gpu", c.part, 1, gpu_price, gpu_estimate);
        break;
      case topo::NodeKind::switch_: {
        c.cls = ComponentClass::switch_;
        const std::string role(t.node_role(n));
        const SwitchPart* part = switch_parts ? switch_parts->of_role(role) : nullptr;
        if (!part) {
          if (std::find(unmatched_roles.begin(), unmatched_roles.end(), role) == unmatched_roles.end()) {
            unmatched_roles.push_back(role);
          }
          continue;
        }
        c.part = part->name;
        // A topology switch with more ports than the part has cannot be built from it.
        if (const uint32_t used = static_cast<uint32_t>(t.out_links(n).size()); used > part->radix) {
          const JsonNode at = e.get("switches") ? *e.get("switches") : here;
          at.fail(fmt::format("switch '{}' (role '{}') has {} ports but the part '{}' has only {}",
                              escape_text(c.name), escape_text(role), used, part->name, part->radix));
        }
        // One switch of the topology is one box of the part (times its chips): a switch
        // cannot be split over several boxes without a fabric between them that the
        // topology does not have (refused above), and a box is not shared between two
        // switches. A part whose ports per chip differ from the topology's radix is
        // charged so, and noted (docs/models/energy.md, "Switch parts").
        const uint32_t radix = t.node_radix(n), box_ports = part->radix / part->chips;
        if (radix != 0 && radix != box_ports) {
          RadixMismatch& m = mismatched[{role, part->name}];
          ++m.switches;
          m.radix = std::max(m.radix, radix);
          m.most_used = std::max(m.most_used, static_cast<uint32_t>(t.out_links(n).size()));
        }
        // Datasheet typical power at full load, split into a static share and a per-bit
        // share of the switched traffic: P = (1-s) P_typ + s P_typ x (bits/s) / capacity.
        c.static_power = part->power * (1.0 - switch_dyn);
        c.per_bit = joules_per_bit(part->power.si() * switch_dyn / to_bits_per_second(part->capacity));
        c.full_rate_dynamic = part->power * switch_dyn;
        count("switch", c.part, part->chips, part->price, part->estimate);
        {
          Tally& tally = tier_tally[role];
          tally.part = part->name;
          tally.count += part->chips;
          tally.power_w += part->power.si();
        }
        break;
      }
      case topo::NodeKind::ocs:
        c.cls = ComponentClass::ocs;
        if (!ocs) {
          here.fail(fmt::format("the topology has optical circuit switches ('{}'); name their "
                             "catalog part in 'ocs', like \"palomar-ocs-136\"", escape_text(c.name)));
        }
        c.part = ocs->name;
        c.static_power = ocs->power;
        count("ocs", c.part, 1, std::nullopt, false);
        break;
    }
    inv.node_component[i] = static_cast<uint32_t>(inv.components.size());
    const bool is_gpu = c.cls == ComponentClass::gpu;
    const std::string name = c.name;
    inv.components.push_back(std::move(c));
    // What a GPU brings along, in its rack, drawn while powered and constant: its
    // scale-out NICs (a NIC's power barely follows load, like the links') and its share
    // of the host (CPUs, DRAM, fans, board), as the datasheets that give them quote them.
    const auto attach = [&](const char* suffix, ComponentClass cls, Power power) {
      power::Component extra;
      extra.name = name + suffix;
      extra.cls = cls;
      extra.rack = extra.rack_b = node_rack[i];
      extra.static_power = power;
      inv.components.push_back(std::move(extra));
    };
    if (is_gpu && nics > 0) {
      attach("/nic", ComponentClass::nic, nic_power);
      count("nic", "nic", nics, nic_price, true);
    }
    if (is_gpu && host_power.si() > 0) attach("/host", ComponentClass::host, host_power);
  }
  if (!unmatched_roles.empty()) {
    const JsonNode at = e.get("switches") ? *e.get("switches") : here;
    at.fail(fmt::format("no packet switch part for switches of role {}: give 'switches' a part "
                        "name, or an object by role with \"*\" for the rest",
                        quoted_list(unmatched_roles)));
  }
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    const LinkId id(l);
    power::Component c;
    c.name = link_component_name(t, id);
    c.link = id;
    c.a = t.link_from(id);
    c.b = t.link_to(id);
    c.rack = node_rack[c.a.value()];
    c.rack_b = node_rack[c.b.value()];
    const std::string part(t.link_part(id));
    const auto it = catalog.links.find(part);
    if (part.empty() || it == catalog.links.end()) {
      c.cls = ComponentClass::link;
      c.static_power = bare_static;
      c.per_bit = bare_per_bit;
      const double both_ways = to_bits_per_second(t.link_capacity(id)) +
                               to_bits_per_second(t.link_capacity(LinkId(l + 1)));
      c.full_rate_dynamic = watts(bare_per_bit.si() * both_ways);
      ++out.links_without_part;
    } else {
      const hw::LinkPart& p = it->second;
      c.part = part;
      c.cls = p.medium == hw::Medium::optical ? ComponentClass::optics : ComponentClass::copper;
      // Both ends: 2 x port power, a share of it following traffic (see models.json).
      const Power full = hw::port_power(p) * 2.0;
      c.static_power = full * (1.0 - link_dyn);
      c.per_bit = joules_per_bit(full.si() * link_dyn / (2.0 * to_bits_per_second(p.rate)));
      c.full_rate_dynamic = full * link_dyn;
      if (p.photonic && p.optics && p.powered) {
        // The laser at the reference temperature, both ends: as built (the catalog's
        // launch, inside the datasheet figure), and as this link's budget needs it
        // (receiver sensitivity + margin + the link's loss; never above the catalog's
        // launch, which a link that fails its budget in "warn" mode keeps).
        power::PhotonicDetail d;
        const hw::PhotonicFigures& f = *p.photonic;
        d.wall_plug_efficiency = f.wall_plug_efficiency;
        d.efficiency_drop_per_kelvin = f.efficiency_drop_per_kelvin;
        d.laser_nominal = hw::laser_power(p, p.optics->launch_dbm) * 2.0;
        const double loss = l / 2 < link_loss_db.size() ? link_loss_db[l / 2] : -1.0;
        const double needed = loss >= 0 ? p.optics->rx_sensitivity_dbm + p.optics->margin_db + loss
                                         : p.optics->launch_dbm;
        d.laser_power = hw::laser_power(p, std::min(needed, p.optics->launch_dbm)) * 2.0;
        d.rings = 2.0 * f.rings;
        d.heater_per_kelvin = f.heater_per_kelvin;
        d.reference = out.reference;
        d.port_power = full;
        d.share = {f.driver_share, f.tia_share, f.serdes_share, f.dsp_share};
        if (d.laser_nominal.si() > c.static_power.si()) {
          here.fail(fmt::format("the laser of part '{}' ({:.4g} W per end) draws more than the "
                                "static share of its port power ({:.4g} W per end); lower "
                                "link_dynamic_share or check the part's optics",
                                part, d.laser_nominal.si() / 2, c.static_power.si() / 2));
        }
        c.photonic = d;
      }
      const bool optical = p.medium == hw::Medium::optical;
      count(optical ? "optics" : "copper", part, optical ? 2 : 1, p.price_usd, p.price_estimate);
      power::CablingLine& cab = cabling[part];
      cab.part = part;
      cab.medium = std::string(hw::to_string(p.medium));
      cab.form = std::string(hw::to_string(p.form));
      const double length = t.link_length(id).si();
      // A scenario part that bundles k of its catalog base's links into one logical link
      // (lanes = k x the base's: "nvlink5-x18") is k physical links.
      uint64_t physical = 1;
      if (const auto b = catalog.links.find(p.base); !p.base.empty() && b != catalog.links.end() &&
                                                      b->second.lanes > 0 &&
                                                      p.lanes % b->second.lanes == 0) {
        physical = p.lanes / b->second.lanes;
      }
      cab.links += physical;
      cab.lanes += p.lanes;
      // Optical: a module at each end of each physical link; copper: one cable or channel.
      Tally& tally = link_tally[part];
      tally.part = part;
      tally.count += optical ? 2 * physical : physical;
      tally.power_w += full.si();
      cab.length_m += length;
      if (optical) {
        const uint32_t connectors = p.optics ? p.optics->connectors : 2;
        cab.fibres += 2 * uint64_t{p.lanes};
        cab.connectors += connectors * physical;
        cab.fibre_m += 2.0 * p.lanes * length;
      } else {
        cab.pairs += 2 * uint64_t{p.lanes};
        cab.pair_m += 2.0 * p.lanes * length;
        if (p.form == hw::LinkForm::dac || p.form == hw::LinkForm::aec) cab.cables += physical;
      }
    }
    inv.components.push_back(std::move(c));
  }
  // energy.prices: a price for any line of the bill by its part name, over the catalog's
  // (issue 17.5: switches and NICs could not be priced in a scenario).
  if (const auto pr = e.get("prices")) {
    if (!pr->is_object()) pr->fail("expected an object of prices by part name, like {\"th5-51t-64x800g\": {\"amount\": 37300, \"currency\": \"USD\"}}");
    for (auto it = pr->raw().begin(); it != pr->raw().end(); ++it) {
      const JsonNode v = pr->at(it.key(), "");
      bool estimate = false;
      const double usd = price_in_usd(v, estimate);
      bool found = false;
      for (auto& [key, line] : bom) {
        if (key.second != it.key()) continue;
        line.unit_price_usd = usd;
        line.estimate = estimate;
        found = true;
      }
      if (!found) {
        std::vector<std::string> parts;
        for (const auto& [key, line] : bom) parts.push_back(key.second);
        parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
        v.fail(fmt::format("'{}' is not a part in this cluster's bill of materials{}; its parts: {}",
                           escape_text(it.key()), suggest(it.key(), parts), quoted_list(parts)));
      }
    }
  }
  for (auto& [key, line] : bom) out.bom.lines.push_back(std::move(line));
  for (auto& [part, line] : cabling) out.bom.cabling.push_back(std::move(line));
  for (const auto& [key, m] : mismatched) {
    const SwitchPart& part = *switch_parts->of_role(key.first);
    const uint32_t box_ports = part.radix / part.chips;
    out.bom.notes.push_back(fmt::format(
        "{} switches of role '{}' have radix {} in the topology but part '{}' has {} ports{}: "
        "each is charged as one whole box (power and price), using at most {} of its ports{}",
        m.switches, escape_text(key.first), m.radix, key.second, box_ports,
        part.chips > 1 ? " per chip" : "", m.most_used,
        m.radix < box_ports
            ? fmt::format("; a fabric of radix {} would need fewer boxes", box_ports)
            : std::string("")));
  }

  if (const auto ab = e.get("as_built")) {
    read_as_built(*ab, md_energy, t, catalog, node_rack, sw, out.accelerator, peak, host_power, nics, nic_power,
                  tier_tally, link_tally, out.bom);
  }

  // ---- thermal ----
  thermal::ThermalParams& tp = out.thermal;
  const JsonNode h = th ? *th : JsonNode(kEmpty, "/thermal", nullptr);
  h.expect_keys({"model", "cooling", "supply_temperature", "gpu", "rack", "step",
                 "throttle_temperature", "hysteresis", "throttle_speed"});
  tp.model = th ? "rack" : "none";
  if (const auto m = h.get("model")) {
    const std::string name = m->as_string();
    std::vector<std::string> names;
    for (const auto& info : thermal::thermal_models()) names.emplace_back(info.name);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      m->fail(fmt::format("unknown thermal model '{}'{}; known ones: {}", escape_text(name),
                          suggest(name, names), quoted_list(names)));
    }
    tp.model = name;
  }
  tp.cooling = "air";
  if (const auto c = h.get("cooling")) {
    tp.cooling = c->as_string();
    if (tp.cooling != "air" && tp.cooling != "liquid") c->fail("expected \"air\" or \"liquid\"");
  }
  const JsonNode md_cool = md_thermal.at(tp.cooling, "defaults for this cooling");
  const auto pick = [&](const std::optional<JsonNode>& v, const JsonNode& defaults,
                        std::string_view key) { return v ? *v : model_default(defaults, key); };
  tp.supply = pick(h.get("supply_temperature"), md_cool, "supply_temperature").as_temperature();
  const auto gpu = h.get("gpu");
  if (gpu) gpu->expect_keys({"heat_capacity", "conductance"});
  tp.gpu_capacity = pick(gpu ? gpu->get("heat_capacity") : std::nullopt, md_cool, "gpu_heat_capacity").as_heat_capacity();
  tp.gpu_conductance = pick(gpu ? gpu->get("conductance") : std::nullopt, md_cool, "gpu_conductance").as_thermal_conductance(false);
  const auto rack = h.get("rack");
  if (rack) rack->expect_keys({"heat_capacity", "conductance"});
  tp.rack_capacity = pick(rack ? rack->get("heat_capacity") : std::nullopt, md_cool, "rack_heat_capacity").as_heat_capacity();
  tp.rack_conductance = pick(rack ? rack->get("conductance") : std::nullopt, md_cool, "rack_conductance").as_thermal_conductance(false);
  const JsonNode step = pick(h.get("step"), md_thermal, "step");
  tp.step = step.as_duration(false);
  if (tp.step.si() < 1e-6) step.fail(fmt::format("a thermal step of at least 1 us is expected, got {}", tp.step));
  tp.throttle = h.get("throttle_temperature") ? h.get("throttle_temperature")->as_temperature() : throttle;
  tp.hysteresis = pick(h.get("hysteresis"), md_thermal, "hysteresis").as_temperature_delta(true);
  const JsonNode speed = pick(h.get("throttle_speed"), md_thermal, "throttle_speed");
  tp.throttle_speed = speed.as_fraction();
  if (tp.throttle_speed <= 0) speed.fail("a throttled GPU must still compute: expected more than 0 %");

  // ---- facility ----
  // Without a facility section there is no site: no cost, and no cooling limit to check.
  if (!fa) return;
  power::Facility f;
  const JsonNode fn = *fa;
  fn.expect_keys({"site", "pue", "tariff", "per_usd", "carbon_intensity", "solar",
                  "cooling_per_rack", "grid_allocation", "repeats"});
  std::optional<JsonNode> site;
  std::optional<CatalogFile> sites;
  if (const auto s = fn.get("site")) {
    sites.emplace(resolve_relative(catalog_dir, "facilities.json"), reader, "facilities",
                  std::initializer_list<std::string_view>{"schema", "description", "facilities"});
    f.name = s->as_string();
    site = sites->entry(*s, f.name, "facility site");
  }
  // A figure from the scenario, else from the site, else it is missing.
  const auto field = [&](std::string_view key) -> std::optional<JsonNode> {
    if (const auto v = fn.get(key)) return v;
    if (site) return site->get(key);
    return std::nullopt;
  };
  if (const auto v = field("pue")) {
    if (!v->raw().is_number()) v->fail("expected a PUE: a number >= 1, like 1.3");
    f.pue = v->raw().get<double>();
    if (!(f.pue >= 1.0) || f.pue > 10) v->fail(fmt::format("a PUE is at least 1 (facility power / IT power) and at most 10, got {}", v->raw().dump()));
  }
  if (const auto v = field("tariff")) {
    v->expect_keys({"amount", "currency", "per"});
    const JsonNode amount = v->at("amount", "a price per kWh");
    f.tariff = amount.as_number(0, kMaxTariff, "a price per kWh");
    f.currency = v->at("currency", "a currency code like \"PKR\"").as_string();
    if (const auto per = v->get("per"); per && per->as_string() != "kWh") per->fail("tariffs are per \"kWh\"");
  } else {
    fn.fail("a 'tariff' (or a 'site' that has one) is needed: {\"amount\": 34, \"currency\": \"PKR\"}");
  }
  if (f.currency != "USD") {
    if (const auto v = fn.get("per_usd")) {
      f.per_usd = v->as_number(kMinPerUsd, kMaxPerUsd, "an exchange rate (currency units per USD)");
    } else if (site && site->has("exchange_rate")) {
      const JsonNode x = site->at("exchange_rate", "");
      const std::string key = f.currency + "_per_USD";
      f.per_usd = x.at(key, "the exchange rate " + key)
                      .as_number(kMinPerUsd, kMaxPerUsd, "an exchange rate (currency units per USD)");
    } else {
      fn.fail(fmt::format("a tariff in {} needs 'per_usd' (units of {} per USD) to "
                                     "report USD as well", escape_text(f.currency), escape_text(f.currency)));
    }
  }
  if (const auto v = field("carbon_intensity")) {
    f.carbon_kg_per_joule = v->as_quantity(QuantityKind::carbon_intensity, true);
  }
  // On-site solar is the scenario's (a site's grid mix is in its tariff and intensity).
  if (const auto v = fn.get("solar")) {
    read_solar(*v, models.root().at("facility", "facility model defaults"), f, out.bom);
  }
  // The site's cooling limit per rack, for the cooling in use, goes to the heat model.
  if (const auto v = fn.get("cooling_per_rack")) {
    tp.cooling_per_rack = v->as_power();
  } else if (site && site->has("cooling_per_rack")) {
    tp.cooling_per_rack =
        site->at("cooling_per_rack", "").at(tp.cooling, "the site's cooling limit").as_power();
  }
  if (const auto v = field("grid_allocation")) f.grid_allocation = v->as_power();
  if (const auto v = fn.get("repeats")) {
    f.repeats = static_cast<double>(v->as_int(1, int64_t{1} << 40));
  }
  out.facility = f;
}

}  // namespace roshni::scenario
