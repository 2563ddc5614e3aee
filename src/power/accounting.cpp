// Exact energy integration. Between two events every component's power is constant, so
// the run's energy is, per component c,
//   E_c = P_static,c * T  +  P_busy,c * W_c  +  e_c * b_c
// with T the run time (makespan), W_c the compute work a GPU did (seconds at full
// speed: a throttled GPU's busy power scales with its speed, so the product is the
// integral), e_c the energy per bit and b_c the bits a link carried (both directions)
// or a switch received. The peak is all static power plus the peak of the dynamic
// power, which the flow model tracks as it changes (net/run_contract.h).
#include "roshni/power/accounting.h"

#include <algorithm>

#include "roshni/core/error.h"

namespace roshni::power {

std::string_view to_string(ComponentClass c) {
  switch (c) {
    case ComponentClass::gpu: return "gpu";
    case ComponentClass::nic: return "nic";
    case ComponentClass::switch_: return "switch";
    case ComponentClass::ocs: return "ocs";
    case ComponentClass::optics: return "optics";
    case ComponentClass::copper: return "copper";
    case ComponentClass::link: return "link";
    case ComponentClass::host: return "host";
  }
  return "?";
}

std::string_view to_string(PhotonicBlock b) {
  switch (b) {
    case PhotonicBlock::laser: return "laser";
    case PhotonicBlock::heaters: return "heaters";
    case PhotonicBlock::driver: return "driver";
    case PhotonicBlock::tia: return "tia";
    case PhotonicBlock::serdes: return "serdes";
    case PhotonicBlock::dsp: return "dsp";
    case PhotonicBlock::other: return "other";
  }
  return "?";
}

bool is_network(ComponentClass c) { return c != ComponentClass::gpu && c != ComponentClass::host; }

std::vector<std::vector<double>> link_energy_groups(const Inventory& inv, size_t directed_links) {
  std::vector<std::vector<double>> out(kPerBitClasses.size(),
                                       std::vector<double>(directed_links, 0.0));
  const auto index = [](ComponentClass c) {
    const auto it = std::find(kPerBitClasses.begin(), kPerBitClasses.end(), c);
    return it == kPerBitClasses.end() ? kPerBitClasses.size()
                                      : static_cast<size_t>(it - kPerBitClasses.begin());
  };
  const size_t switches = index(ComponentClass::switch_);
  const auto switch_joules = [&inv](NodeId n) {
    const uint32_t k = inv.node_component[n.value()];
    if (k == kNone || inv.components[k].cls != ComponentClass::switch_) return 0.0;
    return (inv.components[k].per_bit * bytes(1)).si();
  };
  for (const Component& c : inv.components) {
    if (!c.link.valid()) continue;
    const size_t g = index(c.cls);
    const double j = (c.per_bit * bytes(1)).si();
    // The link's own energy per bit, either direction, and that of the switch each
    // direction enters.
    ROSHNI_ASSERT(g < out.size() || j == 0, "link '{}' of class {} has per-bit energy", c.name,
                  to_string(c.cls));
    if (g < out.size()) {
      out[g][c.link.value()] += j;
      out[g][c.link.value() ^ 1u] += j;
    }
    out[switches][c.link.value()] += switch_joules(c.b);
    out[switches][c.link.value() ^ 1u] += switch_joules(c.a);
  }
  return out;
}

std::vector<double> link_energy_per_byte(const Inventory& inv, size_t directed_links) {
  std::vector<double> out(directed_links, 0.0);
  for (const auto& g : link_energy_groups(inv, directed_links)) {
    for (size_t l = 0; l < directed_links; ++l) out[l] += g[l];
  }
  return out;
}

std::vector<double> node_busy_power(const Inventory& inv, size_t nodes) {
  std::vector<double> out(nodes, 0.0);
  for (const Component& c : inv.components) {
    if (c.node.valid()) out[c.node.value()] = c.busy_power.si();
  }
  return out;
}

EnergyResult account(const Inventory& inv, const net::RunResult& run, DataSize payload,
                     const EnergyModel& model, Temperature nominal,
                     const StaticIntegrals* integrals) {
  EnergyResult out;
  const Duration t = run.makespan.duration();
  out.run_time = t;
  out.components.resize(inv.components.size());
  out.rack_average.assign(inv.racks, Power());
  out.rack_peak.assign(inv.racks, Power());

  double link_bits = 0;  // carried on links, both directions, for per_link_bit
  for (size_t i = 0; i < inv.components.size(); ++i) {
    const Component& c = inv.components[i];
    ComponentEnergy& e = out.components[i];
    e.static_energy = integrals ? integrals->total[i] : model.static_power(c, nominal) * t;
    if (c.node.valid() && c.cls == ComponentClass::gpu) {
      e.dynamic_energy = c.busy_power * seconds(run.work_s[c.node.value()]);
    }
    if (!c.link.valid()) continue;
    const DataSize ab = run.link_bytes[c.link.value()];
    const DataSize ba = run.link_bytes[c.link.value() ^ 1u];
    e.dynamic_energy = c.per_bit * (ab + ba);
    link_bits += to_bits(ab + ba);
    // What a link delivers into a switch is switched there: b receives a->b, a receives b->a.
    const auto charge = [&](NodeId n, DataSize received) {
      const uint32_t k = inv.node_component[n.value()];
      if (k == kNone) return;
      const Component& sw = inv.components[k];
      if (sw.cls == ComponentClass::switch_) out.components[k].dynamic_energy += sw.per_bit * received;
    };
    charge(c.b, ab);
    charge(c.a, ba);
  }

  for (size_t i = 0; i < inv.components.size(); ++i) {
    const Component& c = inv.components[i];
    if (c.photonic) {
      // Laser and heaters as integrated; the other blocks share what is left.
      Energy laser, heaters;
      if (integrals) {
        laser = integrals->laser[i];
        heaters = integrals->heaters[i];
      } else {
        const LaserAndHeaters lh = model.laser_and_heaters(c, nominal);
        laser = lh.laser * t;
        heaters = lh.heaters * t;
      }
      const auto blocks = photonic_blocks(c, out.components[i].total(), laser, heaters);
      ++out.photonic_count;
      out.photonic_energy += out.components[i].total();
      if (c.link.valid()) {
        out.photonic_link_bits +=
            to_bits(run.link_bytes[c.link.value()] + run.link_bytes[c.link.value() ^ 1u]);
      }
      for (size_t b = 0; b < kPhotonicBlocks; ++b) out.photonic_blocks[b] += blocks[b];
    }
    ClassEnergy& k = out.by_class[static_cast<size_t>(c.cls)];
    ++k.count;
    k.energy += out.components[i].total();
    k.peak += model.static_power(c, nominal);
    out.total += out.components[i].total();
    if (is_network(c.cls)) out.network += out.components[i].total();
    const Power mean = t.si() > 0 ? out.components[i].total() / t : Power();
    // The rack's design peak: every GPU busy, every link and switch at its full rate.
    const Power peak = model.static_power(c, nominal) + c.busy_power + c.full_rate_dynamic;
    if (c.link.valid() && c.rack != c.rack_b) {
      out.rack_average[c.rack] += mean * 0.5;
      out.rack_average[c.rack_b] += mean * 0.5;
      out.rack_peak[c.rack] += peak * 0.5;
      out.rack_peak[c.rack_b] += peak * 0.5;
    } else {
      out.rack_average[c.rack] += mean;
      out.rack_peak[c.rack] += peak;
    }
  }
  // k.peak holds each class's static power here; all static plus the peak of the whole
  // dynamic power is the cluster's peak. A class's own peak adds the peak of its own
  // dynamic power (GPUs computing; each per-bit class by its group, when the run tracked
  // them), so it is never below the class's average.
  Power static_total;
  for (const auto& k : out.by_class) static_total += k.peak;
  out.by_class[static_cast<size_t>(ComponentClass::gpu)].peak += watts(run.peak_compute_power);
  if (run.peak_link_group_power.size() == kPerBitClasses.size()) {
    for (size_t g = 0; g < kPerBitClasses.size(); ++g) {
      out.by_class[static_cast<size_t>(kPerBitClasses[g])].peak += watts(run.peak_link_group_power[g]);
    }
  }
  out.network_dynamic_peak = watts(run.peak_link_power);
  for (auto& k : out.by_class) k.average = t.si() > 0 ? k.energy / t : Power();
  out.average = t.si() > 0 ? out.total / t : Power();
  out.peak = static_total + watts(run.peak_dynamic_power);
  out.peak_at = run.peak_dynamic_at;
  out.network_share = out.total.si() > 0 ? out.network / out.total : 0.0;
  if (payload.si() > 0) out.per_payload_bit = joules_per_bit(out.network.si() / to_bits(payload));
  if (link_bits > 0) out.per_link_bit = joules_per_bit(out.network.si() / link_bits);
  return out;
}

}  // namespace roshni::power
