/// Energy models: how a component's static power follows from its catalog figures and
/// its temperature. Chosen per scenario by name ("energy.model") from one visible list.
/// Dynamic energy (per bit moved, per busy second) is the same arithmetic for all models
/// and is done by accounting.h, not here.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "roshni/power/inventory.h"

namespace roshni::power {

/// The parts of a photonic engine's static power that the photonic model moves.
struct LaserAndHeaters {
  Power laser, heaters;
};

class EnergyModel {
 public:
  virtual ~EnergyModel() = default;
  /// Static power of `c` when it sits at temperature `t`.
  virtual Power static_power(const Component& c, Temperature t) const = 0;
  /// Of that, what its laser and microring heaters draw (zero without photonic detail).
  virtual LaserAndHeaters laser_and_heaters(const Component& c, Temperature t) const = 0;
  /// True if static_power depends on temperature for some component.
  virtual bool temperature_dependent() const = 0;
};

struct EnergyModelInfo {
  std::string_view name;
  std::string_view summary;  // one line, with its source
  std::unique_ptr<EnergyModel> (*make)();
};

/// The built-in models, in the order they are listed to users.
std::span<const EnergyModelInfo> energy_models();
/// The model called `name`, or null.
const EnergyModelInfo* find_energy_model(std::string_view name);

/// The photonic model's static power of an optical engine at temperature t:
///   P(T) = P_static - L_nom + L_link * eta_ref / eta(T) + rings * h * |T - T_ref|,
///   eta(T) = eta_ref * (1 - d * (T - T_ref)),
/// with L_nom the laser at the catalog's launch power (part of the datasheet figure) and
/// L_link the laser at the launch the link's budget needs, so P(T_ref) is the datasheet
/// figure for a link that needs the catalog's launch. Exposed for tests.
Power photonic_static_power(const Component& c, Temperature t);
LaserAndHeaters photonic_laser_and_heaters(const Component& c, Temperature t);

/// Splits component c's energy `total` (static and dynamic) into its photonic blocks:
/// laser and heaters as integrated (`laser`, `heaters`), the rest in proportion to the
/// shares of driver, TIA, SerDes, DSP and other (port power - their shares - L_nom). The
/// blocks add up to `total`. Requires c.photonic.
std::array<Energy, kPhotonicBlocks> photonic_blocks(const Component& c, Energy total,
                                                    Energy laser, Energy heaters);

}  // namespace roshni::power
