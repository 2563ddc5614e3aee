#include "roshni/report/power_report.h"

#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "roshni/core/text.h"
#include "roshni/report/csv.h"
#include "roshni/report/serving_report.h"

namespace roshni::report {

using power::ComponentClass;
using power::kComponentClasses;

void write_power_json(JsonWriter& w, const scenario::Scenario& s, const scenario::PowerOutcome& p) {
  const auto& ps = s.power;
  const auto& e = p.energy;
  w.key("energy").begin_object();
  w.key("model").value(ps.model);
  if (!ps.accelerator.empty()) w.key("accelerator").value(ps.accelerator);
  w.figure("run_time", e.run_time.si(), "s");
  w.figure("total", e.total.si(), "J");
  w.figure("network", e.network.si(), "J");
  w.figure("network_share", e.network_share, "1");
  w.figure("average_power", e.average.si(), "W");
  w.figure("peak_power", e.peak.si(), "W");
  w.figure("peak_at", e.peak_at.ps(), "ps");
  w.figure("network_dynamic_peak", e.network_dynamic_peak.si(), "W");
  w.figure("network_energy_per_payload_bit", e.per_payload_bit.si(), "J/bit");
  w.figure("network_energy_per_link_bit", e.per_link_bit.si(), "J/bit");
  w.figure("links_without_part", static_cast<uint64_t>(ps.links_without_part), "1");
  w.key("by_class").begin_object();
  for (size_t k = 0; k < kComponentClasses; ++k) {
    const auto& c = e.by_class[k];
    if (c.count == 0) continue;
    w.key(power::to_string(static_cast<ComponentClass>(k))).begin_compact_object()
        .key("count").value(c.count)
        .key("energy").value(c.energy.si())
        .key("average_power").value(c.average.si())
        .key("peak_power").value(c.peak.si())
        .key("units").value("J, W")
        .end_object();
  }
  w.end_object();
  if (e.photonic_count > 0) {
    // The optical engines with photonic detail, their energy by block (the blocks add up
    // to the energy; docs/models/energy.md), and each block per bit their links carried.
    w.key("photonic_blocks").begin_object();
    w.figure("engines", static_cast<uint64_t>(e.photonic_count), "1");
    w.figure("energy", e.photonic_energy.si(), "J");
    w.figure("link_bits", e.photonic_link_bits, "bit");
    w.key("columns").begin_row();
    for (const char* col : {"block", "energy", "share", "energy_per_bit"}) w.value(col);
    w.end_array();
    w.key("units").begin_row();
    for (const char* u : {"", "J", "1", "J/bit"}) w.value(u);
    w.end_array();
    w.key("rows").begin_array();
    for (size_t b = 0; b < power::kPhotonicBlocks; ++b) {
      const double j = e.photonic_blocks[b].si();
      w.begin_row()
          .value(power::to_string(static_cast<power::PhotonicBlock>(b)))
          .value(j)
          .value(e.photonic_energy.si() > 0 ? j / e.photonic_energy.si() : 0.0)
          .value(e.photonic_link_bits > 0 ? j / e.photonic_link_bits : 0.0)
          .end_array();
    }
    w.end_array();
    w.end_object();
  }
  w.end_object();

  w.key("thermal").begin_object();
  w.key("model").value(p.thermal.model);
  if (p.thermal.model == "rc") {
    w.figure("hottest_gpu_temperature", p.thermal.hottest_gpu.celsius(), "degC");
    w.key("hottest_gpu").value(p.thermal.hottest_gpu_name);
    w.figure("gpus_throttled", p.thermal.gpus_throttled, "1");
    w.figure("throttled_time", p.thermal.throttled_time.si(), "s");
    w.figure("steps", p.thermal.steps, "1");
    w.figure("supply_temperature", ps.thermal.supply.celsius(), "degC");
  }
  if (p.thermal.model != "none") {
    w.key("cooling").value(ps.thermal.cooling);
    w.figure("cooling_per_rack", ps.thermal.cooling_per_rack.si(), "W");
    w.figure("racks_over_limit", p.thermal.racks_over_limit, "1");
    Power hottest;
    uint32_t hottest_rack = 0;
    for (uint32_t r = 0; r < e.rack_peak.size(); ++r) {
      if (e.rack_peak[r] > hottest) {
        hottest = e.rack_peak[r];
        hottest_rack = r;
      }
    }
    if (!e.rack_peak.empty()) {
      w.key("highest_rack").value(ps.inventory.rack_names[hottest_rack]);
      w.figure("highest_rack_peak_power", hottest.si(), "W");
      w.figure("highest_rack_average_power", e.rack_average[hottest_rack].si(), "W");
    }
  }
  w.key("warnings").begin_array();
  for (const auto& msg : p.thermal.warnings) w.value(msg);
  w.end_array();
  w.end_object();

  if (p.facility) {
    const auto& f = *p.facility;
    const auto& site = *ps.facility;
    w.key("facility").begin_object();
    if (!site.name.empty()) w.key("site").value(site.name);
    w.figure("pue", site.pue, "1");
    w.key("currency").value(site.currency);
    w.figure("tariff", site.tariff, site.currency + "/kWh");
    w.figure("it_energy", f.it_energy.si(), "J");
    w.figure("facility_energy", f.facility_energy.si(), "J");
    w.figure("facility_average_power", f.facility_average.si(), "W");
    w.figure("facility_peak_power", f.facility_peak.si(), "W");
    w.figure("solar_share", f.solar_share, "1");
    if (site.solar_share || site.solar_capacity.si() > 0) {
      w.figure("solar_lcoe", site.solar_lcoe, site.currency + "/kWh");
      w.figure("solar_generated", f.solar_generated.si(), "J");
      w.figure("solar_curtailed_share", f.solar_curtailed, "1");
      if (site.battery_energy.si() > 0) {
        w.figure("battery_energy", site.battery_energy.si(), "J");
        w.figure("battery_power", site.battery_power.si(), "W");
        w.figure("battery_share", f.battery_share, "1");
      }
    }
    w.figure("grid_energy", f.grid_energy.si(), "J");
    w.figure("grid_energy_cost", f.grid_cost, site.currency);
    w.figure("solar_energy_cost", f.solar_cost, site.currency);
    w.figure("energy_cost", f.cost, site.currency);
    w.figure("energy_cost_usd", f.cost_usd, "USD");
    w.figure("repeats", site.repeats, "1");
    w.figure("campaign_time", f.campaign_time.si(), "s");
    w.figure("campaign_energy_cost", f.campaign_cost, site.currency);
    w.figure("campaign_energy_cost_usd", f.campaign_cost_usd, "USD");
    w.figure("annual_energy", f.annual_energy_kwh, "kWh");
    w.figure("annual_energy_cost", f.annual_cost, site.currency);
    w.figure("annual_energy_cost_usd", f.annual_cost_usd, "USD");
    w.figure("co2", f.co2_kg, "kg");
    w.figure("campaign_co2", f.campaign_co2_kg / 1e3, "t");
    w.figure("annual_co2", f.annual_co2_tonnes, "t");
    if (site.grid_allocation.si() > 0) {
      w.figure("grid_allocation", site.grid_allocation.si(), "W");
      w.figure("grid_allocation_share", f.grid_allocation_share, "1");
    }
    w.end_object();
  }

  w.key("bill_of_materials").begin_object();
  w.figure("priced", ps.bom.priced_usd(), "USD");
  w.figure("unpriced_items", ps.bom.unpriced_items(), "1");
  w.key("notes").begin_array();
  for (const auto& note : ps.bom.notes) w.value(note);
  w.end_array();
  w.key("columns").begin_row();
  for (const char* c : {"item", "part", "count", "unit_price", "total", "estimate"}) w.value(c);
  w.end_array();
  w.key("rows").begin_array();
  for (const auto& l : ps.bom.lines) {
    w.begin_row().value(l.item).value(l.part).value(l.count);
    if (l.unit_price_usd) {
      w.value(*l.unit_price_usd).value(l.total_usd());
    } else {
      w.value("").value("");
    }
    w.value(l.estimate).end_array();
  }
  w.end_array();
  // The physical cabling by link part (docs/models/energy.md, "Cabling").
  w.key("cabling").begin_object();
  w.key("columns").begin_row();
  for (const char* c : {"part", "medium", "form", "links", "lanes", "fibres", "connectors",
                        "copper_pairs", "copper_cables", "length_m", "fibre_m", "copper_pair_m"}) {
    w.value(c);
  }
  w.end_array();
  w.key("rows").begin_array();
  for (const auto& c : ps.bom.cabling) {
    w.begin_row().value(c.part).value(c.medium).value(c.form).value(c.links).value(c.lanes)
        .value(c.fibres).value(c.connectors).value(c.pairs).value(c.cables).value(c.length_m)
        .value(c.fibre_m).value(c.pair_m).end_array();
  }
  w.end_array().end_object();
  // The system as built (energy.as_built; docs/supernode.md, "As built").
  if (const auto& a = ps.bom.as_built) {
    w.key("as_built").begin_object();
    w.figure("accelerators", a->accelerators, "1");
    w.figure("compute_racks", a->compute_racks, "1");
    w.figure("network_racks", a->network_racks, "1");
    w.figure("racks", a->compute_racks + a->network_racks, "1");
    w.figure("switch_chips", a->switch_chips, "1");
    w.figure("optical_modules", a->optical_modules, "1");
    w.figure("optical_modules_per_accelerator",
             a->accelerators ? static_cast<double>(a->optical_modules) / static_cast<double>(a->accelerators) : 0.0,
             "1");
    w.figure("fibres", a->fibres, "1");
    w.figure("parts_power", a->parts_power_w, "W");
    w.figure("fan_share", a->fan_share, "1");
    w.figure("fans", a->fans_w, "W");
    w.figure("psu_efficiency", a->psu_efficiency, "1");
    w.figure("conversion_loss", a->conversion_w, "W");
    w.figure("system_power", a->system_power_w(), "W");
    w.key("columns").begin_row();
    for (const char* c : {"item", "part", "count", "unit_power_w", "power_w"}) w.value(c);
    w.end_array();
    w.key("rows").begin_array();
    for (const auto& l : a->lines) {
      w.begin_row().value(l.item).value(l.part).value(l.count).value(l.unit_power_w).value(l.power_w).end_array();
    }
    w.end_array();
    w.end_object();
  }
  w.end_object();

  if (p.reliability) {
    const auto& o = *p.reliability;
    const auto& r = o.result;
    const auto& rs = *ps.reliability;
    w.key("reliability").begin_object();
    w.figure("work", r.wall.si() - r.added.si(), "s");
    w.figure("checkpoint_write", rs.params.checkpoint_write.si(), "s");
    w.figure("restart", rs.params.restart.si(), "s");
    w.figure("spare_gpus", rs.params.spare_gpus, "1");
    w.figure("server_gpus", rs.server_gpus, "1");
    w.figure("interruptions_per_hour", r.rate_per_hour, "1/h");
    w.figure("mtbf", r.mtbf.si(), "s");
    w.figure("checkpoint_interval", r.interval.si(), "s");
    w.figure("interruptions", r.interruptions, "1");
    w.figure("checkpoint_time", r.checkpoint_time.si(), "s");
    w.figure("lost_time", r.lost.si(), "s");
    w.figure("wall_time", r.wall.si(), "s");
    w.figure("time_added", r.added.si(), "s");
    w.figure("power", o.power.si(), "W");
    w.figure("energy_added", o.energy_added.si(), "J");
    if (ps.facility) {
      w.figure("energy_cost_added", o.energy_cost_added, ps.facility->currency);
      w.figure("energy_cost_added_usd", o.energy_cost_added_usd, "USD");
    }
    w.figure("parts_replaced_usd", o.parts_usd, "USD");
    w.figure("parts_replaced_unpriced", o.parts_unpriced, "1");
    if (rs.capital_life) {
      w.figure("capital_life", rs.capital_life->si(), "s");
      w.figure("capital_cost_added_usd", o.capital_usd, "USD");
    }
    // By class, in the exposures' order (gpu, host, nic, switch, ocs, optics, copper): what
    // each kind of part costs the job, so designs that differ in their links compare there.
    w.key("by_class").begin_array();
    for (size_t i = 0; i < r.rows.size();) {
      double events = 0, lost = 0, usd = 0;
      size_t j = i;
      for (; j < r.rows.size() && r.rows[j].cls == r.rows[i].cls; ++j) {
        events += r.rows[j].events;
        lost += r.rows[j].lost.si();
        usd += o.row_parts_usd[j];
      }
      w.begin_object().key("class").value(r.rows[i].cls);
      w.figure("events", events, "1");
      w.figure("lost_time", lost, "s");
      w.figure("parts_replaced_usd", usd, "USD");
      w.end_object();
      i = j;
    }
    w.end_array();
    w.key("columns").begin_row();
    for (const char* c : {"class", "part", "mode", "units", "fit", "stranded_gpus",
                          "waits_for_repair", "events", "lost_per_event_s", "lost_s",
                          "parts_replaced_usd"}) {
      w.value(c);
    }
    w.end_array();
    w.key("rows").begin_array();
    for (size_t i = 0; i < r.rows.size(); ++i) {
      const auto& row = r.rows[i];
      w.begin_row().value(row.cls).value(row.part).value(row.mode).value(row.units).value(row.fit)
          .value(row.stranded).value(row.waits_for_repair).value(row.events)
          .value(row.lost_per_event.si()).value(row.lost.si()).value(o.row_parts_usd[i]).end_array();
    }
    w.end_array().end_object();
  }
}

void write_power_summary(JsonWriter& w, const scenario::Scenario& s,
                         const scenario::PowerOutcome& p) {
  const auto& e = p.energy;
  w.figure("energy", e.total.si(), "J");
  w.figure("network_energy", e.network.si(), "J");
  w.figure("average_power", e.average.si(), "W");
  w.figure("peak_power", e.peak.si(), "W");
  w.figure("network_energy_per_payload_bit", e.per_payload_bit.si(), "J/bit");
  if (p.thermal.model == "rc") {
    w.figure("hottest_gpu_temperature", p.thermal.hottest_gpu.celsius(), "degC");
    w.figure("gpus_throttled", p.thermal.gpus_throttled, "1");
  }
  if (p.thermal.model != "none") w.figure("racks_over_limit", p.thermal.racks_over_limit, "1");
  if (p.facility) {
    // The figures a planner decides on, where check, compare and sweep see them
    // (issue 17.7): one run, the campaign (x repeats: a training run's iterations), a year.
    const auto& f = *p.facility;
    const auto& site = *s.power.facility;
    w.figure("facility_energy", f.facility_energy.si(), "J");
    w.figure("facility_peak_power", f.facility_peak.si(), "W");
    if (site.grid_allocation.si() > 0) {
      w.figure("grid_allocation_share", f.grid_allocation_share, "1");
    }
    w.figure("energy_cost", f.cost, site.currency);
    w.figure("energy_cost_usd", f.cost_usd, "USD");
    w.figure("campaign_time", f.campaign_time.si(), "s");
    w.figure("campaign_energy", f.campaign_energy.si(), "J");
    w.figure("campaign_energy_cost", f.campaign_cost, site.currency);
    w.figure("campaign_energy_cost_usd", f.campaign_cost_usd, "USD");
    w.figure("campaign_co2", f.campaign_co2_kg / 1e3, "t");
    w.figure("annual_energy_cost_usd", f.annual_cost_usd, "USD");
    w.figure("annual_co2", f.annual_co2_tonnes, "t");
    w.figure("solar_share", f.solar_share, "1");
  }
  w.figure("capital_priced", s.power.bom.priced_usd(), "USD");
  w.figure("capital_unpriced_items", s.power.bom.unpriced_items(), "1");
  if (p.reliability) {
    // What failures cost the job over its whole run (docs/models/reliability.md).
    const auto& o = *p.reliability;
    w.figure("failure_interruptions", o.result.interruptions, "1");
    w.figure("failure_time_added", o.result.added.si(), "s");
    w.figure("failure_energy_added", o.energy_added.si(), "J");
    if (s.power.facility) w.figure("failure_energy_cost_added_usd", o.energy_cost_added_usd, "USD");
    w.figure("failure_parts_usd", o.parts_usd, "USD");
    if (s.power.reliability->capital_life) w.figure("failure_capital_usd", o.capital_usd, "USD");
  }
}

std::string components_csv(const scenario::Scenario& s, const scenario::PowerOutcome& p) {
  std::string out;
  CsvWriter c(out);
  c.field("component").field("class").field("part").field("rack").field("static_energy_J")
      .field("dynamic_energy_J").field("energy_J").field("average_power_W").end_row();
  const auto& inv = s.power.inventory;
  const double t = p.energy.run_time.si();
  for (size_t i = 0; i < inv.components.size(); ++i) {
    const auto& comp = inv.components[i];
    const auto& e = p.energy.components[i];
    c.field(comp.name).field(power::to_string(comp.cls)).field(comp.part)
        .field(inv.rack_names[comp.rack]).field(e.static_energy.si()).field(e.dynamic_energy.si())
        .field(e.total().si()).field(t > 0 ? e.total().si() / t : 0.0).end_row();
  }
  return out;
}

std::string racks_csv(const scenario::Scenario& s, const scenario::PowerOutcome& p) {
  std::string out;
  CsvWriter c(out);
  c.field("rack").field("components").field("average_power_W").field("peak_power_W")
      .field("cooling_limit_W").field("max_coolant_C").field("max_gpu_C").end_row();
  const auto& inv = s.power.inventory;
  std::vector<uint64_t> count(inv.racks, 0);
  for (const auto& comp : inv.components) ++count[comp.rack];
  const bool rc = p.thermal.model == "rc";
  for (uint32_t r = 0; r < inv.racks; ++r) {
    c.field(inv.rack_names[r]).field(count[r]).field(p.energy.rack_average[r].si())
        .field(p.energy.rack_peak[r].si()).field(s.power.thermal.cooling_per_rack.si());
    if (rc) {
      c.field(p.thermal.rack_max[r].celsius()).field(p.thermal.rack_gpu_max[r].celsius());
    } else {
      c.field("").field("");
    }
    c.end_row();
  }
  return out;
}

namespace {

/// A count of money or tonnes for reading: 4 significant figures, with k, M, bn or tn past
/// 10,000 ("2.3 M", "220 k"), never an exponent such as "2.3e+06" (issue 17.10).
std::string readable_amount(double v) {
  constexpr std::array<std::pair<double, const char*>, 4> kScales = {
      {{1e12, " tn"}, {1e9, " bn"}, {1e6, " M"}, {1e3, " k"}}};
  if (std::fabs(v) >= 1e4) {
    for (const auto& [scale, name] : kScales) {
      if (std::fabs(v) >= scale && std::fabs(v / scale) < 1e4) {
        return fmt::format("{:.4g}{}", v / scale, name);
      }
    }
  }
  return fmt::format("{:.4g}", v);  // below 10,000 (or past 10^16, with an exponent)
}

/// A long duration for reading: days past two days, else hours, else the SI form.
std::string readable_duration(Duration d) {
  const double s = d.si();
  if (s >= 2 * 86400.0) return fmt::format("{:.4g} days", s / 86400.0);
  if (s >= 2 * 3600.0) return fmt::format("{:.4g} h", s / 3600.0);
  return fmt::format("{}", d);
}

}  // namespace

std::string power_summary(const scenario::Scenario& s, const scenario::PowerOutcome& p) {
  const auto& e = p.energy;
  std::string out;
  out += fmt::format("  energy (IT)     {} over {}: average {}, peak {}; network {:.1f}%\n",
                     e.total, e.run_time, e.average, e.peak, 100 * e.network_share);
  if (e.per_payload_bit.si() > 0) {
    out += fmt::format("  fabric          {:.2f} pJ per payload bit delivered\n",
                       e.per_payload_bit.si() * 1e12);
  }
  if (e.photonic_count > 0 && e.photonic_energy.si() > 0) {
    std::string blocks;
    for (size_t b = 0; b < power::kPhotonicBlocks; ++b) {
      const double share = e.photonic_blocks[b].si() / e.photonic_energy.si();
      if (share <= 0) continue;
      blocks += fmt::format("{}{} {:.1f}%", blocks.empty() ? "" : ", ",
                            power::to_string(static_cast<power::PhotonicBlock>(b)), 100 * share);
    }
    out += fmt::format("  optics blocks   {}\n", blocks);
  }
  if (p.thermal.model == "rc") {
    out += fmt::format("  heat (rc)       hottest GPU {} ({}); {} GPUs throttled\n",
                       p.thermal.hottest_gpu, p.thermal.hottest_gpu_name, p.thermal.gpus_throttled);
  }
  if (p.facility) {
    const auto& f = *p.facility;
    const auto& site = *s.power.facility;
    // "per run" is the simulated workload once: one training iteration, or the collective.
    const char* once = s.workload.kind == "training" ? "per iteration" : "per run";
    out += fmt::format("  facility        {} (PUE {}): {} {} / {} USD {}; {} {} / "
                       "{} USD per year; solar {:.1f}%; {} t CO2 per year\n",
                       f.facility_energy, site.pue, readable_amount(f.cost), site.currency,
                       readable_amount(f.cost_usd), once, readable_amount(f.annual_cost),
                       site.currency, readable_amount(f.annual_cost_usd), 100 * f.solar_share,
                       readable_amount(f.annual_co2_tonnes));
    if (site.battery_energy.si() > 0 || f.solar_curtailed > 0) {
      out += fmt::format("  solar           {:.1f}% of the energy ({:.1f}% through the battery); "
                         "{:.1f}% of generation curtailed\n",
                         100 * f.solar_share, 100 * f.battery_share, 100 * f.solar_curtailed);
    }
    if (site.repeats > 1) {
      out += fmt::format("  campaign        {:.0f} {}: {}, {} MWh, {} {} / {} USD, {} t CO2\n",
                         site.repeats, s.workload.kind == "training" ? "iterations" : "runs",
                         readable_duration(f.campaign_time), readable_amount(f.campaign_energy.si() / 3.6e9),
                         readable_amount(f.campaign_cost), site.currency,
                         readable_amount(f.campaign_cost_usd), readable_amount(f.campaign_co2_kg / 1e3));
    }
  }
  if (s.serving) out += serving_energy_text(s, p);
  if (!s.power.bom.lines.empty()) {
    out += fmt::format("  capital (priced) {} USD", readable_amount(s.power.bom.priced_usd()));
    if (s.power.bom.unpriced_items() > 0) {
      // Say which parts: a capital figure that leaves parts out is not the cluster's cost.
      std::string parts;
      for (const auto& l : s.power.bom.lines) {
        if (l.unit_price_usd || l.count == 0) continue;
        parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", l.count, quote_text(l.part));
      }
      out += fmt::format("; leaves out {} unpriced items ({}): price them with energy.prices",
                         s.power.bom.unpriced_items(), parts);
    }
    out += "\n";
  }
  for (const auto& note : s.power.bom.notes) out += "  note: " + note + "\n";
  if (p.reliability) {
    const auto& o = *p.reliability;
    const auto& r = o.result;
    out += fmt::format("  failures        {:.4g} interruptions over {} (one every {:.3g} h), "
                       "checkpoint every {:.3g} min: +{} ({:.2f}%), +{} MWh, {} USD of parts{}\n",
                       r.interruptions, readable_duration(r.wall), r.mtbf.si() / 3600,
                       r.interval.si() / 60, readable_duration(r.added),
                       100 * r.added.si() / (r.wall.si() - r.added.si()),
                       readable_amount(o.energy_added.si() / 3.6e9), readable_amount(o.parts_usd),
                       s.power.reliability->capital_life
                           ? fmt::format(", {} USD of capital time", readable_amount(o.capital_usd))
                           : std::string());
  }
  for (const auto& w : p.thermal.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace roshni::report
