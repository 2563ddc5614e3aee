// Heat. All electrical power a component draws ends as heat where it sits (there is no
// other sink in a data hall), so a rack's heat load is the power of what is in it. The
// rc model is the usual compact thermal model of electronics cooling (cf. Skadron et
// al., "Temperature-aware microarchitecture", ISCA 2003, for lumped RC thermal models):
//   GPU i in rack r:  C_g dT_i/dt = P_i - G_g (T_i - T_r)
//   rack r coolant:   C_r dT_r/dt = P_net,r + sum_i G_g (T_i - T_r) - G_r (T_r - T_s)
// with T_s the coolant supply. The state starts at the steady state of the cluster
// idling (every component at its static power), as a cluster that was switched on
// before the workload arrived would be.
#include "roshni/thermal/thermal_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace roshni::thermal {

using power::ComponentClass;
using power::kNone;

namespace {
const std::array<ModelInfo, 3> kModels = {{
    {"none", "no heat figures"},
    {"rack", "every watt becomes heat in its rack; rack load against the cooling limit"},
    {"rc", "lumped RC network per rack (GPU -> coolant -> supply), backward Euler; GPU "
           "throttling and temperature-dependent optics feed back into the run"},
}};
}  // namespace

std::span<const ModelInfo> thermal_models() { return kModels; }

RcCoupling::RcCoupling(const power::Inventory& inv, const power::EnergyModel& energy,
                       const ThermalParams& p)
    : inv_(inv), energy_(energy), p_(p), period_(to_sim_time_ceil(p.step)) {
  for (uint32_t r = 0; r < inv.racks; ++r) {
    const uint32_t k = net_.add_node(p.rack_capacity, p.supply);
    net_.to_boundary(k, p.rack_conductance, p.supply);
  }
  gpu_node_.assign(inv.components.size(), kNone);
  for (size_t i = 0; i < inv.components.size(); ++i) {
    const auto& c = inv.components[i];
    if (c.cls != ComponentClass::gpu) continue;
    gpu_node_[i] = net_.add_node(p.gpu_capacity, p.supply);
    net_.connect(gpu_node_[i], c.rack, p.gpu_conductance);
  }
  power_.assign(net_.size(), 0.0);
  last_work_.assign(inv.node_component.size(), 0.0);
  throttled_.assign(inv.components.size(), 0);
  ever_throttled_.assign(inv.components.size(), 0);
  integrals_.total.assign(inv.components.size(), Energy());
  integrals_.laser.assign(inv.components.size(), Energy());
  integrals_.heaters.assign(inv.components.size(), Energy());

  // Idle steady state: static power everywhere, racks' network gear at the supply's
  // temperature for the temperature-dependent parts (a first guess, one refinement).
  for (int pass = 0; pass < 2; ++pass) {
    std::fill(power_.begin(), power_.end(), 0.0);
    for (size_t i = 0; i < inv.components.size(); ++i) {
      const auto& c = inv.components[i];
      if (gpu_node_[i] != kNone) {
        power_[gpu_node_[i]] += c.static_power.si();
        continue;
      }
      const double w0 = energy_.static_power(c, net_.temperature(c.rack)).si();
      if (c.link.valid() && c.rack != c.rack_b) {
        power_[c.rack] += w0 / 2;
        power_[c.rack_b] += energy_.static_power(c, net_.temperature(c.rack_b)).si() / 2;
      } else {
        power_[c.rack] += w0;
      }
    }
    net_.settle_steady(power_);
  }
  net_.prepare(p.step);
  gpu_max_.assign(inv.components.size(), 0.0);
  rack_max_.assign(inv.racks, 0.0);
  for (size_t i = 0; i < inv.components.size(); ++i) {
    if (gpu_node_[i] != kNone) gpu_max_[i] = net_.temperature(gpu_node_[i]).kelvin();
  }
  for (uint32_t r = 0; r < inv.racks; ++r) rack_max_[r] = net_.temperature(r).kelvin();
}

void RcCoupling::add_static(Duration dt) {
  for (size_t i = 0; i < inv_.components.size(); ++i) {
    const auto& c = inv_.components[i];
    if (gpu_node_[i] != kNone || !energy_.temperature_dependent()) {
      integrals_.total[i] += c.static_power * dt;
      if (c.photonic) integrals_.laser[i] += energy_.laser_and_heaters(c, p_.supply).laser * dt;
      continue;
    }
    // A link between two racks sits half in each.
    const bool split = c.link.valid() && c.rack != c.rack_b;
    const uint32_t racks[2] = {c.rack, split ? c.rack_b : c.rack};
    for (const uint32_t r : racks) {
      const Temperature t = net_.temperature(r);
      integrals_.total[i] += energy_.static_power(c, t) * 0.5 * dt;
      if (!c.photonic) continue;
      const power::LaserAndHeaters lh = energy_.laser_and_heaters(c, t);
      integrals_.laser[i] += lh.laser * 0.5 * dt;
      integrals_.heaters[i] += lh.heaters * 0.5 * dt;
    }
  }
}

void RcCoupling::step(SimTime now, const net::NodeActivity& a, std::span<double> speed) {
  const Duration dt = (now - last_).duration();
  // Energy over the step at the temperatures of its start; then the powers that heat.
  add_static(dt);
  std::fill(power_.begin(), power_.end(), 0.0);
  for (size_t i = 0; i < inv_.components.size(); ++i) {
    const auto& c = inv_.components[i];
    if (gpu_node_[i] != kNone) {
      const uint32_t n = c.node.value();
      const double work = a.work_s[n] - last_work_[n];
      last_work_[n] = a.work_s[n];
      power_[gpu_node_[i]] += c.static_power.si() + c.busy_power.si() * work / dt.si();
    } else if (c.link.valid() && c.rack != c.rack_b) {
      power_[c.rack] += energy_.static_power(c, net_.temperature(c.rack)).si() / 2;
      power_[c.rack_b] += energy_.static_power(c, net_.temperature(c.rack_b)).si() / 2;
    } else {
      power_[c.rack] += energy_.static_power(c, net_.temperature(c.rack)).si();
    }
  }
  net_.step(power_);
  ++steps_;
  last_ = now;
  for (uint32_t r = 0; r < inv_.racks; ++r) {
    rack_max_[r] = std::max(rack_max_[r], net_.temperature(r).kelvin());
  }
  // Throttling with hysteresis, as GPU firmware steps clocks down at its slowdown
  // temperature and back up once it has cooled by a margin.
  for (size_t i = 0; i < inv_.components.size(); ++i) {
    if (gpu_node_[i] == kNone) continue;
    const Temperature t = net_.temperature(gpu_node_[i]);
    gpu_max_[i] = std::max(gpu_max_[i], t.kelvin());
    const uint32_t n = inv_.components[i].node.value();
    if (!throttled_[i] && t >= p_.throttle) {
      throttled_[i] = ever_throttled_[i] = 1;
      speed[n] = p_.throttle_speed;
    } else if (throttled_[i] && t < p_.throttle - p_.hysteresis) {
      throttled_[i] = 0;
      speed[n] = 1.0;
    }
  }
}

void RcCoupling::finish(SimTime end) {
  if (end > last_) add_static((end - last_).duration());
  last_ = end;
}

void RcCoupling::fill(ThermalResult& r, const std::vector<int64_t>& slowed_ps) const {
  r.steps = steps_;
  r.rack_max.resize(inv_.racks);
  r.rack_gpu_max.assign(inv_.racks, p_.supply);
  for (uint32_t k = 0; k < inv_.racks; ++k) r.rack_max[k] = Temperature::from_kelvin(rack_max_[k]);
  double hottest = 0;
  int64_t slowed = 0;
  for (size_t i = 0; i < inv_.components.size(); ++i) {
    if (gpu_node_[i] == kNone) continue;
    const auto& c = inv_.components[i];
    const Temperature t = Temperature::from_kelvin(gpu_max_[i]);
    r.rack_gpu_max[c.rack] = std::max(r.rack_gpu_max[c.rack], t);
    if (gpu_max_[i] > hottest) {
      hottest = gpu_max_[i];
      r.hottest_gpu_name = c.name;
    }
    if (ever_throttled_[i]) ++r.gpus_throttled;
    slowed += slowed_ps[c.node.value()];
  }
  r.hottest_gpu = Temperature::from_kelvin(hottest);
  r.throttled_time = SimTime::ps(slowed).duration();
  if (r.gpus_throttled > 0) {
    r.warnings.push_back(fmt::format(
        "{} GPUs reached their throttle temperature {} and computed at {:.0f}% speed for {} "
        "in total (hottest: {} at {}); better cooling (a colder supply or a higher "
        "conductance to the coolant) removes this slowdown",
        r.gpus_throttled, p_.throttle, 100 * p_.throttle_speed, r.throttled_time,
        r.hottest_gpu_name, r.hottest_gpu));
  }
}

std::optional<std::string> unphysical(const ThermalResult& r, const ThermalParams& p) {
  const double floor = p.supply.kelvin() - 1e-6 * std::max(1.0, p.supply.kelvin());
  const auto wrong = [&](const Temperature t) {
    return !std::isfinite(t.kelvin()) || t.kelvin() < floor || t.kelvin() > kMaxModelTemperature;
  };
  const auto say = [&](const std::string& what, const Temperature t) {
    return fmt::format(
        "the rc thermal model put {} at {:.4g} K, outside what it can describe (from the "
        "coolant supply, {}, to {} K); check the conductances ({} per GPU, {} per rack) and "
        "heat capacities ({}, {})",
        what, t.kelvin(), p.supply, kMaxModelTemperature, p.gpu_conductance, p.rack_conductance,
        p.gpu_capacity, p.rack_capacity);
  };
  for (size_t k = 0; k < r.rack_max.size(); ++k) {
    if (wrong(r.rack_max[k])) return say(fmt::format("rack {}'s coolant", k), r.rack_max[k]);
  }
  for (size_t k = 0; k < r.rack_gpu_max.size(); ++k) {
    if (wrong(r.rack_gpu_max[k])) return say(fmt::format("a GPU of rack {}", k), r.rack_gpu_max[k]);
  }
  if (!r.hottest_gpu_name.empty() && wrong(r.hottest_gpu)) {
    return say("GPU " + r.hottest_gpu_name, r.hottest_gpu);
  }
  return std::nullopt;
}

void rack_checks(const power::Inventory& inv, const power::EnergyResult& e,
                 const ThermalParams& p, ThermalResult& r) {
  if (p.cooling_per_rack.si() <= 0) return;
  for (uint32_t k = 0; k < inv.racks; ++k) {
    const bool mean_over = e.rack_average[k] > p.cooling_per_rack;
    const bool peak_over = e.rack_peak[k] > p.cooling_per_rack;
    if (!mean_over && !peak_over) continue;
    ++r.racks_over_limit;
    if (r.warnings.size() < 20) {
      r.warnings.push_back(fmt::format(
          "rack {} draws {} on average and up to {} with every GPU busy, over its {} cooling "
          "limit of {}", inv.rack_names[k], e.rack_average[k], e.rack_peak[k], p.cooling,
          p.cooling_per_rack));
    }
  }
  if (r.racks_over_limit > 20) {
    r.warnings.push_back(fmt::format("... {} racks over their cooling limit in all",
                                     r.racks_over_limit));
  }
}

}  // namespace roshni::thermal
