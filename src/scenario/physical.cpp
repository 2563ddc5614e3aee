// Media choice, link latency and optical budgets, from the catalog's datasheet figures.
#include "scenario/physical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"

namespace roshni::scenario {
namespace {

/// "-0.8 dBm", "0.4 dB/km": a decimal number, one space, exactly `unit`.
double decibels(const JsonNode& n, std::string_view unit) {
  const std::string s = n.as_string();
  const auto sp = s.find(' ');
  double v = 0;
  if (sp == std::string::npos || s.substr(sp + 1) != unit ||
      std::from_chars(s.data(), s.data() + sp, v).ec != std::errc() || !std::isfinite(v)) {
    n.fail(fmt::format("expected a value in {}, like \"-4.4 {}\", got {}", unit, unit,
                       quote_text(s)));
  }
  // 1000 dB is a power ratio of 10^100: no optical budget comes near it, and sums of a
  // few thousand such terms stay finite.
  if (std::fabs(v) > 1000) {
    n.fail(fmt::format("expected a value from -1000 to 1000 {}, got {}", unit, quote_text(s)));
  }
  return v;
}

/// "4.9 ns/m": a propagation delay per metre of cable.
Duration delay_per_metre(const JsonNode& n) {
  const std::string s = n.as_string();
  if (!s.ends_with("/m")) {
    n.fail(fmt::format("expected a delay per metre, like \"4.9 ns/m\", got {}", quote_text(s)));
  }
  auto r = parse_as<Duration>(s.substr(0, s.size() - 2), QuantityKind::duration);
  if (auto* e = std::get_if<UnitError>(&r)) n.fail(e->message + " (before \"/m\")");
  const Duration d = std::get<Duration>(r);
  if (d.si() <= 0) n.fail("a propagation delay must be greater than zero");
  // Light in fibre takes 4.9 ns/m, signals in copper 4-5 ns/m; 1 ms/m is a typo.
  if (d.si() > 1e-3) n.fail(fmt::format("a propagation delay of at most 1 ms/m is expected, got {}", quote_text(s)));
  return d;
}

}  // namespace

std::optional<double> catalog_price(const JsonNode& entry, bool& estimate);

namespace {

hw::LinkPart link_part(const std::string& name, const JsonNode& e) {
  e.expect_keys({"medium", "form", "lanes", "lane_rate", "rate", "reach", "latency",
                 "propagation", "power_model", "energy_per_bit", "static_power", "optics",
                 "electrical", "thermal", "power_blocks", "use", "price", "source", "sources",
                 "notes"});
  hw::LinkPart p;
  p.name = name;
  const JsonNode medium = e.at("medium", "'copper' or 'optical'");
  const std::string m = medium.as_string();
  if (m != "copper" && m != "optical") medium.fail("expected 'copper' or 'optical'");
  p.medium = m == "copper" ? hw::Medium::copper : hw::Medium::optical;
  const JsonNode form = e.at("form", "a link form like \"dac\" or \"cpo\"");
  const auto f = hw::link_form_from(form.as_string());
  if (!f) {
    form.fail("expected one of 'dac', 'backplane', 'aec', 'lpo', 'pluggable-dsp', 'cpo', "
              "'optical-io'");
  }
  p.form = *f;
  p.lanes = static_cast<uint32_t>(e.at("lanes", "the number of lanes").as_int(1, 1024));
  p.lane_rate = e.at("lane_rate", "a data rate like \"100 Gbps\"").as_data_rate();
  p.rate = e.at("rate", "a data rate like \"800 Gbps\"").as_data_rate();
  // The datasheet arithmetic every entry must satisfy: rate = lanes x lane rate.
  if (std::fabs(p.rate.si() - p.lanes * p.lane_rate.si()) > 1e-9 * p.rate.si()) {
    e.at("rate", "").fail(fmt::format("{} is not lanes x lane_rate = {} x {}", p.rate, p.lanes,
                                      p.lane_rate));
  }
  p.reach = e.at("reach", "a length like \"3 m\"").as_length();
  // What the part may serve. A scale-up-only part (an NVLink backplane, a vendor's
  // supernode optics) is never chosen by "auto" for a NIC or fabric link.
  p.scale_up = true;
  p.scale_out = p.form != hw::LinkForm::backplane && p.form != hw::LinkForm::optical_io;
  if (const auto use = e.get("use")) {
    std::vector<JsonNode> items;
    if (use->raw().is_array()) {
      for (size_t i = 0; i < use->size(); ++i) items.push_back((*use)[i]);
      if (items.empty()) use->fail("expected \"scale-up\", \"scale-out\" or a list of them");
    } else {
      items.push_back(*use);
    }
    p.scale_up = p.scale_out = false;
    for (const JsonNode& u : items) {
      const std::string s = u.as_string();
      if (s == "scale-up") {
        p.scale_up = true;
      } else if (s == "scale-out") {
        p.scale_out = true;
      } else {
        const std::vector<std::string> uses{"scale-up", "scale-out"};
        u.fail(fmt::format("expected \"scale-up\" or \"scale-out\", got {}{}", quote_text(s),
                           suggest(s, uses)));
      }
    }
  }
  const JsonNode lat = e.at("latency", "{\"serdes\": ..., \"fec\": ..., \"dsp\": ...}");
  lat.expect_keys({"serdes", "fec", "dsp"});
  p.serdes = lat.at("serdes", "a duration").as_duration(true);
  p.fec = lat.at("fec", "a duration").as_duration(true);
  p.dsp = lat.at("dsp", "a duration").as_duration(true);
  p.propagation_per_metre = delay_per_metre(e.at("propagation", "a delay per metre"));
  const JsonNode pm = e.at("power_model", "'static' or 'none'");
  const std::string model = pm.as_string();
  if (model != "static" && model != "none") pm.fail("expected 'static' or 'none'");
  p.powered = model == "static";
  p.static_power = e.at("static_power", "a power like \"17 W\"").as_power();
  if (const auto o = e.get("optics")) {
    o->expect_keys({"launch_power", "rx_sensitivity", "fiber_loss", "connector_loss",
                    "connectors", "wavelengths", "margin"});
    hw::OpticalBudget b;
    b.launch_dbm = decibels(o->at("launch_power", "a power in dBm"), "dBm");
    b.rx_sensitivity_dbm = decibels(o->at("rx_sensitivity", "a power in dBm"), "dBm");
    b.fiber_loss_db_per_km = decibels(o->at("fiber_loss", "a loss in dB/km"), "dB/km");
    b.connector_loss_db = decibels(o->at("connector_loss", "a loss in dB"), "dB");
    if (const auto c = o->get("connectors")) b.connectors = static_cast<uint32_t>(c->as_int(0, 100));
    if (const auto mg = o->get("margin")) b.margin_db = decibels(*mg, "dB");
    if (const auto w = o->get("wavelengths")) b.wavelengths = static_cast<uint32_t>(w->as_int(1, 1024));
    p.optics = b;
  } else if (p.medium == hw::Medium::optical) {
    e.fail("an optical part needs an 'optics' section (its link budget)");
  }
  if (const auto el = e.get("electrical")) {
    if (p.medium != hw::Medium::copper) el->fail("an 'electrical' loss budget is for copper parts ('optics' is the optical one)");
    el->expect_keys({"cable_loss", "connector_loss", "connectors", "host_loss", "channel_budget"});
    hw::CopperBudget c;
    const auto non_negative = [](const JsonNode& n, const char* unit) {
      const double v = decibels(n, unit);
      if (v < 0) n.fail("a loss cannot be negative");
      return v;
    };
    c.cable_loss_db_per_m = non_negative(el->at("cable_loss", "a loss per metre at the lane's Nyquist frequency, like \"6.5 dB/m\""), "dB/m");
    c.connector_loss_db = non_negative(el->at("connector_loss", "a loss per connector, like \"1 dB\""), "dB");
    if (const auto n = el->get("connectors")) c.connectors = static_cast<uint32_t>(n->as_int(0, 100));
    c.host_loss_db = non_negative(el->at("host_loss", "both hosts' package and board loss, like \"5 dB\""), "dB");
    c.channel_budget_db = non_negative(el->at("channel_budget", "the SerDes's channel budget, like \"28 dB\""), "dB");
    p.electrical = c;
  }
  if (const auto th = e.get("thermal")) {
    th->expect_keys({"max_case_temperature", "wall_plug_efficiency", "efficiency_drop_per_kelvin",
                     "microring_heater_per_kelvin", "rings", "laser_to_fiber_loss"});
    if (const auto m = th->get("max_case_temperature")) m->as_temperature();
    if (const auto w = th->get("wall_plug_efficiency")) {
      hw::PhotonicFigures ph;
      ph.wall_plug_efficiency = w->as_fraction();
      if (ph.wall_plug_efficiency <= 0) w->fail("a laser's wall-plug efficiency must be above 0 %");
      if (const auto d = th->get("efficiency_drop_per_kelvin")) {
        ph.efficiency_drop_per_kelvin = d->as_quantity(QuantityKind::fraction_per_kelvin, true);
      }
      if (const auto h = th->get("microring_heater_per_kelvin")) ph.heater_per_kelvin = h->as_thermal_conductance(true);
      if (const auto r = th->get("rings")) ph.rings = static_cast<uint32_t>(r->as_int(0, 1 << 20));
      if (const auto l = th->get("laser_to_fiber_loss")) {
        ph.laser_to_fiber_loss_db = decibels(*l, "dB");
        if (ph.laser_to_fiber_loss_db < 0) l->fail("a loss cannot be negative");
      }
      p.photonic = ph;
    }
  }
  if (const auto b = e.get("power_blocks")) {
    // How the port's datasheet power divides; the laser's part follows from its optics.
    if (!p.photonic || !p.optics) {
      b->fail("power blocks need the laser's figures: give 'thermal.wall_plug_efficiency' "
              "(and 'optics')");
    }
    b->expect_keys({"driver", "tia", "serdes", "dsp"});
    auto& ph = *p.photonic;
    const auto share = [&](std::string_view key) {
      const auto n = b->get(key);
      return n ? n->as_fraction() : 0.0;
    };
    ph.driver_share = share("driver");
    ph.tia_share = share("tia");
    ph.serdes_share = share("serdes");
    ph.dsp_share = share("dsp");
    const double laser = hw::laser_power(p, p.optics->launch_dbm).si();
    const double blocks = (ph.driver_share + ph.tia_share + ph.serdes_share + ph.dsp_share) *
                          p.static_power.si();
    if (blocks + laser > p.static_power.si() * (1 + 1e-12)) {
      b->fail(fmt::format("the blocks ({:.4g} W) and the laser ({:.4g} W: launch, loss to the "
                          "fibre and wall-plug efficiency) exceed the port's {} per end",
                          blocks, laser, p.static_power));
    }
  }
  p.price_usd = catalog_price(e, p.price_estimate);
  p.source = e.at("source", "where the figures come from").as_string();
  return p;
}

}  // namespace

hw::OcsPart ocs_part(const std::string& name, const JsonNode& e) {
  e.expect_keys({"vendor", "ports", "usable_ports", "reconfiguration_time", "insertion_loss",
                 "power", "rate_transparent", "price", "source", "sources", "notes"});
  hw::OcsPart p;
  p.name = name;
  p.ports = static_cast<uint32_t>(e.at("ports", "a port count").as_int(1, 1 << 20));
  p.reconfiguration_time = e.at("reconfiguration_time", "a duration").as_sim_time(true);
  p.insertion_loss_db = decibels(e.at("insertion_loss", "a loss in dB"), "dB");
  p.power = e.at("power", "a power like \"108 W\"").as_power();
  p.source = e.at("source", "where the figures come from").as_string();
  return p;
}

/// A catalog price above this (a trillion USD for one part) is a typo or a unit slip.
constexpr double kMaxPriceUsd = 1e12;

std::optional<double> catalog_price(const JsonNode& entry, bool& estimate) {
  const auto pr = entry.get("price");
  if (!pr) return std::nullopt;
  pr->expect_keys({"amount", "currency", "estimate", "per"});
  const JsonNode amount = pr->at("amount", "a price as a number");
  const double usd = amount.as_number(0, kMaxPriceUsd, "a price in USD");
  const JsonNode currency = pr->at("currency", "\"USD\"");
  if (currency.as_string() != "USD") currency.fail("catalog prices are in \"USD\"");
  if (const auto est = pr->get("estimate")) estimate = est->as_bool();
  return usd;
}

namespace {

/// A fraction in (0, 1].
double positive_share(const JsonNode& n) {
  const bool ok = n.raw().is_number() && n.raw().get<double>() > 0 && n.raw().get<double>() <= 1;
  if (!ok) n.fail(fmt::format("expected an achievable fraction in (0, 1], got {}", describe_value(n.raw())));
  return n.raw().get<double>();
}

/// "achievable": {"gemm": {"bf16": 0.79}, "attention_forward": {...},
/// "attention_backward": {...}, "hbm": 0.9, "sources": {...}}: the per-class roofline's
/// fractions (docs/training.md, "Compute by operation class").
void achievable(const JsonNode& a, hw::AcceleratorPart& p) {
  a.expect_keys({"gemm", "attention_forward", "attention_backward", "hbm", "sources"});
  const auto by_precision = [&](std::string_view key, std::map<std::string, double>& out) {
    const auto n = a.get(key);
    if (!n) return;
    if (!n->is_object()) n->fail("expected fractions of peak by precision, like {\"bf16\": 0.79}");
    for (auto it = n->raw().begin(); it != n->raw().end(); ++it) {
      out.insert_or_assign(it.key(), positive_share(n->at(it.key(), "")));
    }
  };
  by_precision("gemm", p.gemm_fraction);
  by_precision("attention_forward", p.attention_forward_fraction);
  by_precision("attention_backward", p.attention_backward_fraction);
  if (const auto h = a.get("hbm")) p.hbm_fraction = positive_share(*h);
}

}  // namespace

hw::AcceleratorPart accelerator_part(const std::string& name, const JsonNode& e) {
  e.expect_keys({"vendor", "variant", "peak_flops", "hbm_capacity", "hbm_bandwidth", "scale_up",
                 "nics", "idle_power", "peak_power", "mean_power", "host_power",
                 "throttle_temperature", "price", "achievable", "source", "sources", "notes"});
  hw::AcceleratorPart p;
  p.name = name;
  const JsonNode flops = e.at("peak_flops", "dense peak compute by precision, like "
                                            "{\"bf16\": \"989.4 TFLOP/s\"}");
  if (!flops.is_object() || flops.raw().empty()) {
    flops.fail("expected an object of dense peak compute rates by precision, like "
               "{\"bf16\": \"989.4 TFLOP/s\"}");
  }
  for (auto it = flops.raw().begin(); it != flops.raw().end(); ++it) {
    p.peak_flops.emplace(it.key(), flops.at(it.key(), "").as_flop_rate());
  }
  p.hbm_bandwidth = e.at("hbm_bandwidth", "a data rate like \"3.35 TB/s\"").as_data_rate();
  if (const auto v = e.get("hbm_capacity")) p.hbm_capacity = v->as_data_size();
  if (const auto v = e.get("idle_power")) p.idle_power = v->as_power();
  if (const auto v = e.get("peak_power")) {
    p.peak_power = v->as_power();
    if (p.idle_power && *p.peak_power < *p.idle_power) v->fail("peak_power is below idle_power");
  }
  if (const auto v = e.get("throttle_temperature")) p.throttle_temperature = v->as_temperature();
  if (const auto v = e.get("host_power")) p.host_power = v->as_power();
  if (const auto n = e.get("nics")) {
    n->expect_keys({"count", "rate"});
    p.nics = static_cast<uint32_t>(n->at("count", "NICs per accelerator").as_int(0, 64));
    if (const auto r = n->get("rate"); r && p.nics > 0) r->as_data_rate();
  }
  p.price_usd = catalog_price(e, p.price_estimate);
  p.source = e.at("source", "where the figures come from").as_string();
  if (const auto a = e.get("achievable")) achievable(*a, p);
  return p;
}

void load_accelerators(const std::string& dir, const FileReader& reader, hw::Catalog& c) {
  c.accelerators_file = resolve_relative(dir, "accelerators.json");
  const Document doc = Document::load(c.accelerators_file, reader);
  const JsonNode r = doc.root();
  r.expect_keys({"schema", "description", "accelerators"});
  const JsonNode as = r.at("accelerators", "an object of accelerators by name");
  if (!as.is_object()) as.fail("expected an object of accelerators by name");
  for (auto it = as.raw().begin(); it != as.raw().end(); ++it) {
    c.accelerators.insert_or_assign(it.key(), accelerator_part(it.key(), as.at(it.key(), "")));
  }
}

namespace {

/// The media policies a link can ask for.
struct Policy {
  enum Kind { by_cost, by_medium, by_name } kind = by_cost;
  hw::Medium medium = hw::Medium::copper;
  std::optional<hw::LinkForm> form;  // "optical:cpo"
  const hw::LinkPart* part = nullptr;
};

Policy parse_policy(const JsonNode& n, const hw::Catalog& c) {
  const std::string s = n.as_string();
  Policy p;
  if (s == "auto") return p;
  const std::string head = s.substr(0, s.find(':'));
  if (head == "copper" || head == "optical") {
    p.kind = Policy::by_medium;
    p.medium = head == "copper" ? hw::Medium::copper : hw::Medium::optical;
    if (s.size() > head.size()) {
      const std::string form = s.substr(head.size() + 1);
      p.form = hw::link_form_from(form);
      if (!p.form) n.fail(fmt::format("unknown link form '{}' in {}", escape_text(form), quote_text(s)));
    }
    return p;
  }
  const auto it = c.links.find(s);
  if (it == c.links.end()) {
    std::vector<std::string> names{"auto", "copper", "optical", "optical:cpo", "optical:lpo",
                                   "optical:pluggable-dsp"};
    for (const auto& [name, part] : c.links) names.push_back(name);
    n.fail(fmt::format("unknown media policy or catalog part '{}'{}; policies are 'auto', "
                       "'copper', 'optical' or 'optical:<form>', parts are listed in {}",
                       escape_text(s), suggest(s, names), c.links_file));
  }
  p.kind = Policy::by_name;
  p.part = &it->second;
  return p;
}

/// Decimals that show a failed budget for what it is: two (datasheet precision), or
/// down to the shortfall's first significant digit, so that a 0.0006 dB shortfall reads
/// "-3.8006 dBm received, -3.8000 dBm needed; 0.0006 dB more", never "-3.80 ... -3.80;
/// 0.00 dB more". With the shortfall s >= 10^-d the two powers print differently. ok()
/// allows 1e-9 dB, so nine decimals always suffice.
int budget_digits(const hw::BudgetCheck& b) {
  const double s = b.shortfall_db();
  const int d = s > 0 ? static_cast<int>(-std::floor(std::log10(s))) : 2;
  return std::clamp(d, 2, 9);
}

// Cheapest first, by form: passive copper, backplane, active copper, linear-drive optics,
// DSP pluggables, co-packaged optics, optical I/O. An ordering by typical cost per port
// (HARDWARE-FACTS.md; no catalog part has a price yet), used by "auto".
int cost_rank(hw::LinkForm f) { return static_cast<int>(f); }

/// What a link is for, which limits the media a real build gives it.
enum class LinkUse {
  scale_out,  // a NIC link (GPU to packet switch) or a fabric link between switches
  scale_up,   // role "scale-up", or GPU to GPU (a torus, ring or mesh of accelerators)
  circuit,    // passes an optical circuit switch (role "circuit"), which switches light
};

LinkUse link_use(const topo::Topology& t, LinkId l) {
  const std::string_view role = t.link_role(l);
  if (role == "circuit") return LinkUse::circuit;
  if (role == "scale-up") return LinkUse::scale_up;
  const bool gpu_to_gpu = t.node_kind(t.link_from(l)) == topo::NodeKind::gpu &&
                          t.node_kind(t.link_to(l)) == topo::NodeKind::gpu;
  return gpu_to_gpu ? LinkUse::scale_up : LinkUse::scale_out;
}

/// Whether the automatic policies may give a link of this use the part: its declared
/// use (catalog "use") must include the link's, and a circuit needs light.
bool fits_use(const hw::LinkPart& p, LinkUse use) {
  switch (use) {
    case LinkUse::circuit: return p.scale_out && p.medium == hw::Medium::optical;
    case LinkUse::scale_out: return p.scale_out;
    case LinkUse::scale_up: return p.scale_up;
  }
  return true;
}

}  // namespace

hw::Catalog load_catalog(const std::string& dir, const FileReader& reader) {
  hw::Catalog c;
  c.links_file = resolve_relative(dir, "links.json");
  c.switches_file = resolve_relative(dir, "switches.json");
  const Document links = Document::load(c.links_file, reader);
  const JsonNode lr = links.root();
  lr.expect_keys({"schema", "description", "links"});
  const JsonNode ls = lr.at("links", "an object of link parts by name");
  if (!ls.is_object()) ls.fail("expected an object of link parts by name");
  for (auto it = ls.raw().begin(); it != ls.raw().end(); ++it) {
    c.links.emplace(it.key(), link_part(it.key(), ls.at(it.key(), "")));
  }
  const Document sw = Document::load(c.switches_file, reader);
  const JsonNode sr = sw.root();
  sr.expect_keys({"schema", "description", "packet_switches", "optical_circuit_switches"});
  if (const auto o = sr.get("optical_circuit_switches")) {
    for (auto it = o->raw().begin(); it != o->raw().end(); ++it) {
      c.ocs.emplace(it.key(), ocs_part(it.key(), o->at(it.key(), "")));
    }
  }
  return c;
}

void add_scenario_parts(const JsonNode& spec, const std::string& catalog_dir,
                        const FileReader& reader, hw::Catalog& catalog) {
  const auto parts = spec.get("parts");
  if (!parts) return;
  if (!parts->is_object()) parts->fail("expected an object of parts by name");
  // The catalog's own entries, as JSON, to start derived parts from.
  const Document links = Document::load(resolve_relative(catalog_dir, "links.json"), reader);
  const nlohmann::json& base_entries = links.json()["links"];
  // Kept alive while parsing: JsonNode refers to its value.
  std::vector<nlohmann::json> merged;
  merged.reserve(parts->raw().size());
  for (auto it = parts->raw().begin(); it != parts->raw().end(); ++it) {
    const JsonNode entry = parts->at(it.key(), "");
    if (!entry.is_object()) entry.fail("expected a part: an object of catalog fields");
    nlohmann::json m = nlohmann::json::object();
    if (const auto b = entry.get("base")) {
      const std::string base = b->as_string();
      if (!base_entries.contains(base)) {
        std::vector<std::string> names;
        for (const auto& [name, part] : catalog.links) names.push_back(name);
        b->fail(fmt::format("unknown catalog part '{}'{}", escape_text(base), suggest(base, names)));
      }
      m = base_entries[base];
    }
    for (auto f = it.value().begin(); f != it.value().end(); ++f) {
      if (f.key() != "base") m[f.key()] = f.value();
    }
    merged.push_back(std::move(m));
    // Parsed at the scenario's pointer: a bad override is the scenario's error.
    const FileOf file_of = [file = entry.file()](const std::string&) { return file; };
    const JsonNode node(merged.back(), entry.pointer(), &file_of);
    hw::LinkPart part = link_part(it.key(), node);
    if (const auto b = entry.get("base")) part.base = b->as_string();
    catalog.links.insert_or_assign(it.key(), std::move(part));
  }
}

PhysicalSummary apply_physical(const JsonNode& spec, const hw::Catalog& catalog,
                               topo::Topology& t) {
  spec.expect_keys({"catalog", "media", "roles", "budget", "ocs", "parts"});
  PhysicalSummary out;
  out.applied = true;
  out.link_loss_db.assign(t.link_count() / 2, -1.0);
  Policy fallback;  // "auto"
  if (const auto m = spec.get("media")) fallback = parse_policy(*m, catalog);
  std::vector<std::pair<std::string, Policy>> by_role;
  std::optional<JsonNode> roles = spec.get("roles");
  if (roles) {
    if (!roles->is_object()) roles->fail("expected an object of media policies by link role");
    for (auto it = roles->raw().begin(); it != roles->raw().end(); ++it) {
      by_role.emplace_back(it.key(), parse_policy(roles->at(it.key(), ""), catalog));
    }
  }
  bool warn_only = false;
  if (const auto b = spec.get("budget")) {
    const std::string s = b->as_string();
    if (s != "error" && s != "warn") b->fail("expected 'error' or 'warn'");
    warn_only = s == "warn";
  }
  const hw::OcsPart* ocs = nullptr;
  if (const auto o = spec.get("ocs")) {
    const auto it = catalog.ocs.find(o->as_string());
    if (it == catalog.ocs.end()) {
      std::vector<std::string> names;
      for (const auto& [name, part] : catalog.ocs) names.push_back(name);
      o->fail(fmt::format("unknown OCS part '{}'{}", escape_text(o->as_string()),
                          suggest(o->as_string(), names)));
    }
    ocs = &it->second;
  }

  // A role no link has is a typo, not a no-op: say so, with the roles that exist.
  if (roles) {
    std::vector<std::string> present;
    for (uint32_t l = 0; l < t.link_count(); l += 2) {
      const std::string role(t.link_role(LinkId(l)));
      if (std::find(present.begin(), present.end(), role) == present.end()) present.push_back(role);
    }
    for (const auto& [role, policy] : by_role) {
      if (std::find(present.begin(), present.end(), role) == present.end()) {
        roles->at(role, "").fail(fmt::format("no link of this topology has role '{}'{}; its roles "
                                             "are {}",
                                             escape_text(role), suggest(role, present),
                                             quoted_list(present)));
      }
    }
  }

  topo::LinkEditor edit(t);
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    const LinkId ab(l), ba(l + 1);
    const std::string role(t.link_role(ab));
    const Length length = t.link_length(ab);
    const DataRate wanted = t.link_capacity(ab);
    Policy policy = fallback;
    for (const auto& [r, p] : by_role) {
      if (r == role) policy = p;
    }
    const std::string link_name = fmt::format("{}--{}", t.node_name(t.link_from(ab)),
                                              t.node_name(t.link_to(ab)));
    // Errors point at the policy that chose the part: the role's, or the default.
    const JsonNode blame = roles && roles->has(role) ? roles->at(role, "")
                           : spec.has("media")       ? spec.at("media", "")
                                                     : spec;

    const LinkUse use = link_use(t, ab);
    if (use == LinkUse::circuit &&
        ((policy.kind == Policy::by_name && policy.part->medium != hw::Medium::optical) ||
         (policy.kind == Policy::by_medium && policy.medium != hw::Medium::optical))) {
      blame.fail(fmt::format("link {} is a circuit through an optical circuit switch, which "
                             "switches light: it needs an optical part, not {}",
                             link_name,
                             policy.kind == Policy::by_name
                                 ? fmt::format("'{}' (copper)", policy.part->name)
                                 : std::string("the copper policy")));
    }
    const hw::LinkPart* chosen = nullptr;
    if (policy.kind == Policy::by_name) {
      // A named part is the user's choice, also off its usual use (an NVLink backplane
      // modelled as a GPU-to-switch link); a copper circuit is refused above, and a part
      // of another rate: it would silently change the bandwidth the topology asked for.
      chosen = policy.part;
      if (std::fabs(chosen->rate.si() - wanted.si()) > 1e-9 * wanted.si()) {
        blame.fail(fmt::format("link {} is {} (the topology's bandwidth) but '{}' carries {}: a "
                               "part must have its link's rate; name a part of {} or change "
                               "the topology's bandwidth",
                               link_name, wanted, chosen->name, chosen->rate, wanted));
      }
      if (chosen->reach.si() < length.si()) {
        blame.fail(fmt::format("link {} is {} long, past the {} reach of '{}' ({})", link_name,
                               length, chosen->reach, chosen->name, hw::to_string(chosen->medium)));
      }
    } else {
      // The cheapest part of the wanted rate (and medium/form) whose reach covers the cable.
      const hw::LinkPart* longest = nullptr;
      bool ruled_out_by_use = false;  // a part of the rate and policy not for this link's use
      for (const auto& [name, p] : catalog.links) {
        if (std::fabs(p.rate.si() - wanted.si()) > 1e-9 * wanted.si()) continue;
        if (policy.kind == Policy::by_medium) {
          if (p.medium != policy.medium) continue;
          if (policy.form ? p.form != *policy.form : p.form == hw::LinkForm::cpo) continue;
        }
        if (!fits_use(p, use)) {
          ruled_out_by_use = true;
          continue;
        }
        if (!longest || p.reach.si() > longest->reach.si()) longest = &p;
        if (p.reach.si() < length.si()) continue;
        if (p.electrical && !hw::copper_budget(p, length).ok()) continue;  // past its loss budget
        if (!chosen || cost_rank(p.form) < cost_rank(chosen->form)) chosen = &p;
      }
      if (!chosen) {
        const std::string what =
            policy.kind == Policy::by_cost
                ? std::string(use == LinkUse::circuit ? "optical" : "catalog")
                : fmt::format("{}{}", hw::to_string(policy.medium),
                              policy.form ? ":" + std::string(hw::to_string(*policy.form)) : "");
        const std::string why =
            !ruled_out_by_use ? ""
            : use == LinkUse::circuit
                ? " (it is a circuit through an OCS: copper and scale-up parts are out)"
            : use == LinkUse::scale_out
                ? " for a scale-out link (parts whose catalog 'use' is scale-up only, such as "
                  "backplanes, are out)"
                : " for a scale-up link (parts whose catalog 'use' is scale-out only are out)";
        if (longest) {
          blame.fail(fmt::format("link {} is {} long: no {} part of {}{} reaches that far (the "
                                 "longest, '{}', reaches {})",
                                 link_name, length, what, wanted, why, longest->name,
                                 longest->reach));
        }
        blame.fail(fmt::format("link {}: the catalog ({}) has no {} part of {}{}", link_name,
                               catalog.links_file, what, wanted, why));
      }
    }
    if (chosen->optics) {
      const uint32_t passes = role == "circuit" ? 1 : 0;
      if (passes > 0 && ocs == nullptr) {
        spec.fail("circuit links pass an optical circuit switch: name its part in 'ocs' (its "
                  "insertion loss enters the link budget)");
      }
      const hw::BudgetCheck b =
          hw::optical_budget(*chosen, length, passes, ocs ? ocs->insertion_loss_db : 0.0);
      out.link_loss_db[ab.value() / 2] = b.loss_db;
      if (!b.ok()) {
        const int d = budget_digits(b);
        const std::string msg = fmt::format(
            "link {} ({} of '{}'{}): optical budget not met: {:.{}f} dBm received, {:.{}f} dBm "
            "needed; {:.{}f} dB more launch power would close it",
            link_name, length, chosen->name, passes ? ", through 1 OCS" : "", b.received_dbm, d,
            b.required_dbm, d, b.shortfall_db(), d);
        if (!warn_only) blame.fail(msg);
        ++out.budget_warnings;
      }
    }
    if (chosen->electrical) {
      const hw::CopperCheck c = hw::copper_budget(*chosen, length);
      if (!c.ok()) {
        const std::string msg = fmt::format(
            "link {} ({} of '{}'): copper loss budget not met: {:.2f} dB of channel loss, {:.2f} "
            "dB allowed (cable, connectors and hosts at the lane's Nyquist frequency); the "
            "budget reaches {:.2f} m",
            link_name, length, chosen->name, c.loss_db, c.budget_db, c.max_length_m);
        if (!warn_only) blame.fail(msg);
        ++out.budget_warnings;
      }
    }
    // The topology's own latency (NIC, host) plus what the medium adds.
    const SimTime added = hw::link_latency(*chosen, length);
    for (LinkId d : {ab, ba}) {
      edit.set_latency(d, t.link_latency(d) + added);
      edit.set_capacity(d, chosen->rate);
    }
    edit.set_part(ab, chosen->name);
  }
  return out;
}

void check_ocs_part(const JsonNode& named, const hw::OcsPart& part, const std::string& part_file,
                    const JsonNode& ocs) {
  const JsonNode ports = ocs.at("ports", "");
  if (const int64_t n = ports.as_int(0, int64_t{1} << 32); n != part.ports) {
    ports.fail(fmt::format("expected {} ports: the OCS part '{}' named in {} ({}) has {}, this "
                           "topology's OCS has {}; make them agree",
                           part.ports, part.name, named.pointer(), part_file, part.ports, n));
  }
  const JsonNode reconf = ocs.at("reconfiguration_time", "");
  if (const SimTime r = reconf.as_sim_time(true); r != part.reconfiguration_time) {
    reconf.fail(fmt::format("expected {}: the OCS part '{}' named in {} ({}) reconfigures in {}, "
                            "this topology's OCS in {}; make them agree",
                            part.reconfiguration_time, part.name, named.pointer(), part_file,
                            part.reconfiguration_time, r));
  }
}

}  // namespace roshni::scenario
