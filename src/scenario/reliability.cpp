#include "scenario/reliability.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <tuple>

#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"

namespace roshni::scenario {
namespace {

using power::ComponentClass;
using power::FailureMode;

constexpr double kMaxFit = 1e9;  // one failure per unit-hour: far past any part
constexpr std::array<std::string_view, 5> kClasses = {"gpu", "host", "nic", "switch", "ocs"};

/// How a part fails: its modes, and what one unit is (a link part: an "end" or the whole
/// "cable").
struct FailureSpec {
  std::vector<FailureMode> modes;
};

FailureSpec read_spec(const JsonNode& n, bool catalog) {
  if (catalog) {
    n.expect_keys({"modes", "source", "sources", "grade", "notes"});
    n.at("source", "where the rates come from (a paper, a field study, a datasheet)").as_string();
  } else {
    n.expect_keys({"modes", "source", "notes"});
  }
  const JsonNode modes = n.at("modes", "a list of failure modes, like [{\"name\": \"hard\", "
                                       "\"fit\": 500, \"replace\": \"30 min\"}]");
  if (!modes.raw().is_array() || modes.size() == 0) {
    modes.fail("expected a non-empty list of failure modes, like [{\"name\": \"hard\", \"fit\": "
               "500, \"replace\": \"30 min\"}]");
  }
  FailureSpec spec;
  for (size_t i = 0; i < modes.size(); ++i) {
    const JsonNode m = modes[i];
    m.expect_keys({"name", "fit", "replace", "repair", "source", "notes"});
    FailureMode mode;
    mode.name = m.at("name", "the mode's name, like \"hard\" or \"flap\"").as_name("a failure mode");
    for (const auto& other : spec.modes) {
      if (other.name == mode.name) m.at("name", "").fail(fmt::format("a second mode named '{}'", escape_text(mode.name)));
    }
    mode.fit = m.at("fit", "failures per 1e9 unit-hours (FIT), like 500")
                   .as_number(0, kMaxFit, "a failure rate in FIT (per 1e9 unit-hours)");
    mode.replace = m.at("replace", "the time to replace the unit, like \"30 min\" (\"0 s\" for a "
                                   "flap that needs no repair)").as_duration(true);
    if (const auto r = m.get("repair")) {
      const std::string what = r->as_string();
      if (what != "unit" && what != "switch") {
        r->fail(fmt::format("expected \"unit\" (the part is replaced on its own) or \"switch\" "
                            "(its switch is taken out to replace it), got '{}'", escape_text(what)));
      }
      mode.whole_switch = what == "switch";
    }
    spec.modes.push_back(std::move(mode));
  }
  return spec;
}

/// GPUs directly attached to each node (0 for GPUs).
std::vector<uint32_t> attached_gpus(const topo::Topology& t) {
  std::vector<uint32_t> g(t.node_count(), 0);
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    const NodeId n(i);
    if (t.node_kind(n) == topo::NodeKind::gpu) continue;
    std::vector<uint32_t> seen;
    for (LinkId l : t.out_links(n)) {
      const NodeId to = t.link_to(l);
      if (t.node_kind(to) != topo::NodeKind::gpu) continue;
      if (std::find(seen.begin(), seen.end(), to.value()) == seen.end()) seen.push_back(to.value());
    }
    g[i] = static_cast<uint32_t>(seen.size());
  }
  return g;
}

}  // namespace

void read_reliability(const JsonNode& r, const Document& doc, const std::string& catalog_dir,
                      const topo::Topology& t, const hw::Catalog& parts, PowerSetup& power) {
  r.expect_keys({"work", "checkpoint", "restart", "spare_gpus", "server_gpus", "capital_life",
                 "rates"});
  if (!power.enabled || power.inventory.components.empty()) {
    r.fail("reliability counts the cluster's parts: it needs an 'energy' section (with its "
           "accelerator, switch parts and link parts)");
  }
  ReliabilitySetup out;
  power::ReliabilityParams& p = out.params;
  if (const auto w = r.get("work")) {
    p.work = w->as_duration(false);
  } else if (power.facility && power.facility->repeats > 1) {
    out.work_is_campaign = true;
  } else {
    r.fail("give 'work', the job's failure-free run time (like \"100 d\"), or a training "
           "workload with 'train_tokens' and a 'facility' section (its campaign is the work)");
  }
  const JsonNode cp = r.at("checkpoint", "the job's checkpoints, like {\"write\": \"60 s\", "
                                         "\"interval\": \"auto\"}");
  cp.expect_keys({"write", "interval"});
  p.checkpoint_write = cp.at("write", "how long the job stops to write a checkpoint, like \"60 s\"")
                           .as_duration(true);
  if (const auto iv = cp.get("interval"); iv && !(iv->raw().is_string() && iv->raw() == "auto")) {
    p.checkpoint_interval = iv->as_duration(false);
  }
  p.restart = r.at("restart", "how long a restart takes (detect, reschedule, reload the "
                              "checkpoint), like \"15 min\"").as_duration(true);
  const uint32_t gpus = static_cast<uint32_t>(t.gpus().size());
  if (const auto s = r.get("spare_gpus")) p.spare_gpus = static_cast<uint32_t>(s->as_int(0, 1 << 30));
  out.server_gpus = r.get("server_gpus")
                        ? static_cast<uint32_t>(r.get("server_gpus")->as_int(1, 1 << 20))
                        : 8;
  if (const auto c = r.get("capital_life")) out.capital_life = c->as_duration(false);

  // ---- failure rates: the scenario's, else the catalog's ----
  const std::string file = resolve_relative(catalog_dir, "reliability.json");
  const Document catalog = Document::load(file, doc.reader());
  catalog.root().expect_keys({"schema", "description", "classes", "links"});
  const JsonNode classes = catalog.root().at("classes", "failure rates by class");
  const JsonNode links = catalog.root().at("links", "failure rates by link part");
  const auto rates = r.get("rates");
  if (rates && !rates->is_object()) {
    rates->fail("expected an object of failure rates by class or link part name, like "
                "{\"gpu\": {\"modes\": [{\"name\": \"hard\", \"fit\": 10000, \"replace\": \"4 h\"}]}}");
  }
  std::map<std::string, FailureSpec> specs;
  const auto spec_of = [&](const std::string& key, bool is_link) -> const FailureSpec& {
    if (const auto it = specs.find(key); it != specs.end()) return it->second;
    if (rates && rates->has(key)) return specs[key] = read_spec(rates->at(key, ""), false);
    const JsonNode& from = is_link ? links : classes;
    if (is_link && !from.has(key)) {  // a scenario part fails like the part it derives from
      const auto it = parts.links.find(key);
      const std::string base = it != parts.links.end() ? it->second.base : std::string();
      if (!base.empty() && rates && rates->has(base)) {
        return specs[key] = read_spec(rates->at(base, ""), false);
      }
      if (!base.empty() && from.has(base)) return specs[key] = read_spec(from.at(base, ""), true);
    }
    if (!from.has(key)) {
      r.fail(fmt::format("no failure rates for {} '{}' in {} ({}); add them there or in this "
                         "section's 'rates'", is_link ? "link part" : "class", escape_text(key),
                         file, is_link ? "/links" : "/classes"));
    }
    return specs[key] = read_spec(from.at(key, ""), true);
  };
  if (rates) {  // every key must name something in this cluster
    for (auto it = rates->raw().begin(); it != rates->raw().end(); ++it) {
      bool known = std::find(kClasses.begin(), kClasses.end(), it.key()) != kClasses.end();
      for (const auto& c : power.inventory.components) known = known || c.part == it.key();
      if (!known) {
        rates->at(it.key(), "").fail(fmt::format(
            "'{}' is neither a class (gpu, host, nic, switch, ocs) nor a link part of this cluster",
            escape_text(it.key())));
      }
    }
  }

  // ---- exposures, grouped by (class, part, mode, stranded GPUs) in a fixed order ----
  const std::vector<uint32_t> attached = attached_gpus(t);
  const uint32_t server = std::min(out.server_gpus, std::max(gpus, 1u));
  std::map<std::tuple<int, std::string, size_t, uint32_t>, power::Exposure> groups;
  const auto add = [&](int cls_order, std::string cls, const std::string& part,
                       const FailureSpec& spec, size_t m, double units, uint32_t stranded) {
    auto& e = groups[{cls_order, part, m, stranded}];
    e.cls = std::move(cls);
    e.part = part;
    e.mode = spec.modes[m];
    e.units += units;
    e.stranded = stranded;
  };
  const auto is_gpu = [&](NodeId n) { return t.node_kind(n) == topo::NodeKind::gpu; };
  const auto switch_strands = [&](NodeId n) { return is_gpu(n) ? server : attached[n.value()]; };
  for (const auto& c : power.inventory.components) {
    switch (c.cls) {
      case ComponentClass::gpu: {
        for (const char* cls : {"gpu", "host"}) {
          const FailureSpec& s = spec_of(cls, false);
          const int order = cls[0] == 'g' ? 0 : 1;
          for (size_t m = 0; m < s.modes.size(); ++m) add(order, cls, "", s, m, 1, server);
        }
        break;
      }
      case ComponentClass::nic: {
        const FailureSpec& s = spec_of("nic", false);
        for (size_t m = 0; m < s.modes.size(); ++m) add(2, "nic", "", s, m, 1, server);
        break;
      }
      case ComponentClass::switch_: {
        const FailureSpec& s = spec_of("switch", false);
        for (size_t m = 0; m < s.modes.size(); ++m) {
          add(3, "switch", c.part, s, m, 1, attached[c.node.value()]);
        }
        break;
      }
      case ComponentClass::ocs: {
        const FailureSpec& s = spec_of("ocs", false);
        for (size_t m = 0; m < s.modes.size(); ++m) add(4, "ocs", c.part, s, m, 1, 0);
        break;
      }
      case ComponentClass::optics:
      case ComponentClass::copper: {
        const bool optical = c.cls == ComponentClass::optics;
        const FailureSpec& s = spec_of(c.part, true);
        const bool gpu_link = is_gpu(c.a) || is_gpu(c.b);
        for (size_t m = 0; m < s.modes.size(); ++m) {
          const FailureMode& mode = s.modes[m];
          // An optical link is two units (its ends: modules, or ports of co-packaged
          // engines); a cable is one. A unit repair strands the GPU's server when the
          // link reaches a GPU (the fabric routes around a switch-to-switch link); a
          // switch repair strands every GPU on the switch at that end.
          const auto strands = [&](NodeId end) {
            if (mode.whole_switch) return std::max(switch_strands(end), gpu_link ? server : 0u);
            return gpu_link ? server : 0u;
          };
          if (optical) {
            add(5, "optics", c.part, s, m, 1, strands(c.a));
            add(5, "optics", c.part, s, m, 1, strands(c.b));
          } else {
            add(6, "copper", c.part, s, m, 1, std::max(strands(c.a), strands(c.b)));
          }
        }
        break;
      }
      case ComponentClass::link:
        r.fail(fmt::format("link '{}' has no catalog part, so its failure rate is unknown: give "
                           "the topology's links parts (physical.media)", escape_text(c.name)));
      case ComponentClass::host:
        break;  // counted with its GPU (a host's share fails with every GPU it serves)
    }
  }
  for (auto& [key, e] : groups) out.exposures.push_back(std::move(e));
  double fit_sum = 0;
  for (const auto& e : out.exposures) fit_sum += e.units * e.mode.fit;
  if (!(fit_sum > 0)) r.fail("every failure rate of this cluster's parts is 0: nothing to compute");
  if (const std::string why = power::reliability_problem(out.exposures, p); !why.empty()) r.fail(why);

  // ---- what a replacement costs: the bill's unit price of the part ----
  std::map<std::pair<std::string, std::string>, std::optional<double>> price;
  std::map<std::string, uint64_t> boxes;
  for (const auto& c : power.inventory.components) {
    if (c.cls == ComponentClass::switch_) ++boxes[c.part];
  }
  for (const auto& l : power.bom.lines) {
    std::optional<double> unit = l.unit_price_usd;
    if (unit && l.item == "switch" && boxes[l.part] > 0) {
      unit = l.total_usd() / static_cast<double>(boxes[l.part]);  // the bill counts chips
    }
    price[{l.item, l.item == "nic" || l.item == "gpu" ? std::string() : l.part}] = unit;
  }
  for (const auto& e : out.exposures) {
    const auto it = price.find({e.cls, e.part});
    out.unit_price_usd.push_back(it != price.end() ? it->second : std::nullopt);
  }
  power.reliability = std::move(out);
}

}  // namespace roshni::scenario
