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

class EnergyModel {
 public:
  virtual ~EnergyModel() = default;
  /// Static power of `c` when it sits at temperature `t`.
  virtual Power static_power(const Component& c, Temperature t) const = 0;
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
///   P(T) = P_ref - P_laser + P_laser * eta_ref / eta(T) + rings * h * |T - T_ref|,
///   eta(T) = eta_ref * (1 - d * (T - T_ref)),
/// so P(T_ref) is the datasheet figure. Exposed for tests.
Power photonic_static_power(const Component& c, Temperature t);

}  // namespace roshni::power
