// Energy models. "datasheet": static power is the catalog's figure, whatever the
// temperature. "photonic": optical engines split into a laser whose wall-plug efficiency
// falls as it warms and microring heaters that work harder the further the temperature
// is from where the rings were tuned (cf. Sun et al., "Single-chip microprocessor that
// communicates directly using light", Nature 528, 2015, for ring thermal tuning; laser
// efficiency falling with temperature is the usual behaviour of semiconductor lasers,
// e.g. Coldren, Corzine & Mashanovitch, "Diode Lasers and Photonic Integrated Circuits",
// 2nd ed., ch. 2). Both give the same static power at the reference temperature.
#include "roshni/power/energy_model.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace roshni::power {
namespace {

class Datasheet final : public EnergyModel {
 public:
  Power static_power(const Component& c, Temperature) const override { return c.static_power; }
  // The datasheet figure holds the laser at the catalog's launch, and no heater term.
  LaserAndHeaters laser_and_heaters(const Component& c, Temperature) const override {
    return {c.photonic ? c.photonic->laser_nominal : Power(), Power()};
  }
  bool temperature_dependent() const override { return false; }
};

class Photonic final : public EnergyModel {
 public:
  Power static_power(const Component& c, Temperature t) const override {
    return photonic_static_power(c, t);
  }
  LaserAndHeaters laser_and_heaters(const Component& c, Temperature t) const override {
    return photonic_laser_and_heaters(c, t);
  }
  bool temperature_dependent() const override { return true; }
};

const std::array<EnergyModelInfo, 2> kModels = {{
    {"datasheet",
     "static watts and pJ/bit from the catalog, independent of temperature",
     [] { return std::unique_ptr<EnergyModel>(new Datasheet); }},
    {"photonic",
     "datasheet power at the reference temperature; laser efficiency and microring heater "
     "power move with temperature",
     [] { return std::unique_ptr<EnergyModel>(new Photonic); }},
}};

}  // namespace

std::span<const EnergyModelInfo> energy_models() { return kModels; }

const EnergyModelInfo* find_energy_model(std::string_view name) {
  for (const auto& m : kModels) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

LaserAndHeaters photonic_laser_and_heaters(const Component& c, Temperature t) {
  if (!c.photonic) return {};
  const PhotonicDetail& d = *c.photonic;
  const double dt = (t - d.reference).si();
  // eta(T) = eta_ref (1 - d (T - T_ref)), kept above 1% of eta_ref so a far-off
  // temperature gives a large power, not a division by zero.
  const double rel = std::max(0.01, 1.0 - d.efficiency_drop_per_kelvin * dt);
  return {watts(d.laser_power.si() / rel), watts(d.rings * d.heater_per_kelvin.si() * std::fabs(dt))};
}

Power photonic_static_power(const Component& c, Temperature t) {
  if (!c.photonic) return c.static_power;
  const LaserAndHeaters lh = photonic_laser_and_heaters(c, t);
  return c.static_power - c.photonic->laser_nominal + lh.laser + lh.heaters;
}

std::array<Energy, kPhotonicBlocks> photonic_blocks(const Component& c, Energy total,
                                                    Energy laser, Energy heaters) {
  const PhotonicDetail& d = *c.photonic;
  std::array<Energy, kPhotonicBlocks> out{};
  out[static_cast<size_t>(PhotonicBlock::laser)] = laser;
  out[static_cast<size_t>(PhotonicBlock::heaters)] = heaters;
  // The rest of the port's power, by share: each named block s_b P, other the remainder.
  const double p = d.port_power.si();
  const double rest_power = p - d.laser_nominal.si();
  const Energy rest = total - laser - heaters;
  double named = 0;
  for (size_t b = 0; b < d.share.size(); ++b) {
    const double w = rest_power > 0 ? d.share[b] * p / rest_power : 0.0;
    out[static_cast<size_t>(PhotonicBlock::driver) + b] = rest * w;
    named += w;
  }
  out[static_cast<size_t>(PhotonicBlock::other)] = rest * (1.0 - named);
  return out;
}

}  // namespace roshni::power
