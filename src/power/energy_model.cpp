// Energy models. "datasheet": static power is the catalog's figure, whatever the
// temperature. "photonic": optical engines split into a laser whose wall-plug efficiency
// falls as it warms and microring heaters that work harder the further the temperature
// is from where the rings were tuned (cf. Sun et al., "Single-chip microprocessor that
// communicates directly using light", Nature 528, 2015, for ring thermal tuning; laser
// efficiency falling with temperature is the usual behaviour of semiconductor lasers,
// e.g. Coldren, Corzine & Mashanovitch, "Diode Lasers and Photonic Integrated Circuits",
// 2nd ed., ch. 2). Both give the same static power at the reference temperature.
#include "roshni/power/energy_model.h"

#include <array>
#include <cmath>

namespace roshni::power {
namespace {

class Datasheet final : public EnergyModel {
 public:
  Power static_power(const Component& c, Temperature) const override { return c.static_power; }
  bool temperature_dependent() const override { return false; }
};

class Photonic final : public EnergyModel {
 public:
  Power static_power(const Component& c, Temperature t) const override {
    return photonic_static_power(c, t);
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

Power photonic_static_power(const Component& c, Temperature t) {
  if (!c.photonic) return c.static_power;
  const PhotonicDetail& d = *c.photonic;
  const double dt = (t - d.reference).si();
  // eta(T) = eta_ref (1 - d (T - T_ref)), kept above 1% of eta_ref so a far-off
  // temperature gives a large power, not a division by zero.
  const double rel = std::max(0.01, 1.0 - d.efficiency_drop_per_kelvin * dt);
  const double laser = d.laser_power.si() / rel;
  const double heaters = d.rings * d.heater_per_kelvin.si() * std::fabs(dt);
  return watts(c.static_power.si() - d.laser_power.si() + laser + heaters);
}

}  // namespace roshni::power
