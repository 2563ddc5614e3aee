#include "roshni/scenario/run.h"

#include <memory>

#include "roshni/power/energy_model.h"

namespace roshni::scenario {

RunOutcome simulate(const Scenario& s) {
  RunOutcome out;
  if (!s.power.enabled) {
    out.net = net::run_flow_model(s.topology, s.flows, s.paths, s.run_options);
    return out;
  }
  const PowerSetup& ps = s.power;
  const auto model = power::find_energy_model(ps.model)->make();
  net::FlowRunOptions options = s.run_options;
  options.node_busy_power = power::node_busy_power(ps.inventory, s.topology.node_count());
  options.link_energy_per_byte = power::link_energy_per_byte(ps.inventory, s.topology.link_count());
  std::unique_ptr<thermal::RcCoupling> rc;
  if (ps.thermal.model == "rc") {
    rc = std::make_unique<thermal::RcCoupling>(ps.inventory, *model, ps.thermal, ps.reference);
    options.coupling = rc.get();
  }
  out.net = net::run_flow_model(s.topology, s.flows, s.paths, options);

  PowerOutcome p;
  p.thermal.model = ps.thermal.model;
  if (rc) {
    rc->finish(out.net.makespan);
    p.energy = power::account(ps.inventory, out.net, s.flows.total_size(), *model, ps.reference,
                              &rc->static_energy());
    rc->fill(p.thermal, out.net.slowed_ps);
  } else {
    p.energy = power::account(ps.inventory, out.net, s.flows.total_size(), *model, ps.reference);
  }
  if (ps.thermal.model != "none") thermal::rack_checks(ps.inventory, p.energy, ps.thermal, p.thermal);
  if (ps.facility) p.facility = power::facility_costs(*ps.facility, p.energy);
  out.power = std::move(p);
  return out;
}

}  // namespace roshni::scenario
