#include "roshni/scenario/run.h"

#include <memory>

#include "roshni/power/dynamic_power.h"
#include "roshni/power/energy_model.h"
#include "scenario/fold.h"

namespace roshni::scenario {

namespace {

/// The scenario's network model.
net::RunResult run_network(const Scenario& s, const net::RunOptions& options,
                               RunOutcome& out) {
  try {
    if (s.network_model == "packet") {
      auto r = net::run_packet_model(s.topology, s.flows, s.paths, s.packet, options);
      out.packet = std::move(r.packet);
      return std::move(r.run);
    }
    return net::run_flow_model(s.topology, s.flows, s.paths, options);
  } catch (const TimeExhausted& e) {
    throw ScenarioError(s.file, "/workload", e.what());
  } catch (const net::PathTooLong& e) {
    throw ScenarioError(s.file, "/network/model", e.what());
  }
}

/// The payload the run delivered for the whole cluster (one replica may stand for all).
DataSize payload_of(const Scenario& s) {
  return s.fold.replicas > 1 ? s.fold.payload : s.flows.total_size();
}

/// The reliability section's figures at this run's power and prices.
ReliabilityOutcome reliability_costs(const Scenario& s, const PowerOutcome& p) {
  const ReliabilitySetup& rs = *s.power.reliability;
  power::ReliabilityParams params = rs.params;
  if (rs.work_is_campaign) params.work = p.facility->campaign_time;
  ReliabilityOutcome out;
  out.result = power::reliability(rs.exposures, params);
  const Duration added = out.result.added;
  out.power = p.facility ? p.facility->facility_average : p.energy.average;
  out.energy_added = out.power * added;
  if (p.facility && p.facility->facility_energy.si() > 0) {
    const double per_joule = p.facility->cost / p.facility->facility_energy.si();
    out.energy_cost_added = per_joule * out.energy_added.si();
    out.energy_cost_added_usd = out.energy_cost_added / s.power.facility->per_usd;
  }
  out.row_parts_usd.assign(rs.exposures.size(), 0.0);
  for (size_t i = 0; i < rs.exposures.size(); ++i) {
    if (rs.exposures[i].mode.replace.si() <= 0) continue;  // a flap replaces nothing
    const double events = out.result.rows[i].events;
    if (const auto price = rs.unit_price_usd[i]) {
      out.row_parts_usd[i] = events * *price;
      out.parts_usd += out.row_parts_usd[i];
    } else {
      out.parts_unpriced += events;
    }
  }
  if (rs.capital_life) {
    out.capital_usd = s.power.bom.priced_usd() * added.si() / rs.capital_life->si();
  }
  return out;
}

}  // namespace

RunOutcome simulate(const Scenario& s,
                    const std::function<void(const net::RunProgress&)>& progress,
                    bool record_activity) {
  RunOutcome out;
  if (!s.power.enabled && !progress && !record_activity) {
    out.net = run_network(s, s.run_options, out);
    unfold_run(s, out.net);
    return out;
  }
  net::RunOptions options = s.run_options;
  options.progress = progress;
  // The dynamic power's peaks and samples are taken by an observer of the run's activity.
  // Samples come from the flow model only (the packet model reports no throughput).
  power::DynamicPowerSetup dynamic;
  dynamic.record_activity = record_activity && s.network_model != "packet";
  if (!s.power.enabled) {
    std::unique_ptr<power::DynamicPower> watch;
    if (dynamic.record_activity) {
      watch = std::make_unique<power::DynamicPower>(std::move(dynamic));
      options.observer = watch.get();
    }
    out.net = run_network(s, options, out);
    if (watch) watch->fill(out.net);
    unfold_run(s, out.net);
    return out;
  }
  const PowerSetup& ps = s.power;
  const auto model = power::find_energy_model(ps.model)->make();
  dynamic.node_busy_power = power::node_busy_power(ps.inventory, s.topology.node_count());
  dynamic.link_energy_per_byte = power::link_energy_per_byte(ps.inventory, s.topology.link_count());
  dynamic.link_energy_groups = power::link_energy_groups(ps.inventory, s.topology.link_count());
  power::DynamicPower watch(std::move(dynamic));
  options.observer = &watch;
  std::unique_ptr<thermal::RcCoupling> rc;
  if (ps.thermal.model == "rc") {
    rc = std::make_unique<thermal::RcCoupling>(ps.inventory, *model, ps.thermal);
    options.coupling = rc.get();
  }
  out.net = run_network(s, options, out);
  watch.fill(out.net);
  unfold_run(s, out.net);

  PowerOutcome p;
  p.thermal.model = ps.thermal.model;
  if (rc) {
    rc->finish(out.net.makespan);
    p.energy = power::account(ps.inventory, out.net, payload_of(s), *model, ps.reference,
                              &rc->static_integrals());
    rc->fill(p.thermal, out.net.slowed_ps);
    if (const auto why = thermal::unphysical(p.thermal, ps.thermal)) {
      throw ScenarioError(s.file, "/thermal", *why);
    }
  } else {
    p.energy = power::account(ps.inventory, out.net, payload_of(s), *model, ps.reference);
  }
  if (ps.thermal.model != "none") thermal::rack_checks(ps.inventory, p.energy, ps.thermal, p.thermal);
  if (ps.facility) p.facility = power::facility_costs(*ps.facility, p.energy);
  if (ps.reliability) p.reliability = reliability_costs(s, p);
  out.power = std::move(p);
  return out;
}

}  // namespace roshni::scenario
