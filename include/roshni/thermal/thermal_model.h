/// Heat models, chosen per scenario by name ("thermal.model"):
///   none  no heat figures;
///   rack  every watt becomes heat in the rack it is drawn in; each rack's mean and
///         design-peak load against the facility's cooling limit per rack;
///   rc    a lumped RC network per rack (GPU -> rack coolant -> supply), integrated
///         during the run; a GPU past its throttle temperature computes slower, and
///         temperature-dependent parts (photonic model) draw power at their temperature.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/net/coupling.h"
#include "roshni/power/accounting.h"
#include "roshni/power/energy_model.h"
#include "roshni/power/inventory.h"
#include "roshni/thermal/rc_network.h"

namespace roshni::thermal {

struct ThermalParams {
  std::string model = "none";
  Temperature supply;                 // coolant (liquid) or inlet air at the rack
  HeatCapacity gpu_capacity;          // package + cold plate or heat sink
  ThermalConductance gpu_conductance; // package to the rack's coolant
  HeatCapacity rack_capacity;         // the rack's coolant loop or air volume
  ThermalConductance rack_conductance;  // rack coolant to the supply
  Duration step;                      // integration step = coupling period
  Temperature throttle;               // GPU slows down at or above this
  TemperatureDelta hysteresis;        // ... and recovers below throttle - hysteresis
  double throttle_speed = 1.0;        // compute speed while throttled, (0, 1]
  Power cooling_per_rack;             // 0 = not checked
  std::string cooling;                // "air" or "liquid", for messages
};

struct ModelInfo {
  std::string_view name, summary;
};
std::span<const ModelInfo> thermal_models();

struct ThermalResult {
  std::string model;
  std::vector<Temperature> rack_max;     // rc: hottest coolant per rack
  std::vector<Temperature> rack_gpu_max; // rc: hottest GPU per rack
  Temperature hottest_gpu;               // rc
  std::string hottest_gpu_name;
  uint32_t gpus_throttled = 0;           // rc: GPUs that throttled at least once
  Duration throttled_time;               // rc: sum over GPUs of time below full speed
  uint64_t steps = 0;                    // rc: integration steps taken
  uint32_t racks_over_limit = 0;
  std::vector<std::string> warnings;     // racks over their cooling limit, throttling
};

/// Why the rc model's temperatures are not physical, or nullopt when they are. With
/// powers >= 0 and the coolant supply the only boundary, no node is ever colder than the
/// supply (the maximum principle holds for the implicit step too: its matrix is an
/// M-matrix); and past kMaxModelTemperature no electronics exist for constant
/// conductances to describe. Either way an input (a conductance far too small, or
/// conductances spanning so many decades that the solve loses its digits) is to blame.
inline constexpr double kMaxModelTemperature = 1000.0;  // kelvin
std::optional<std::string> unphysical(const ThermalResult& r, const ThermalParams& p);

/// The rc model while the run goes: a net::Coupling the flow model calls every step.
class RcCoupling final : public net::Coupling {
 public:
  RcCoupling(const power::Inventory& inv, const power::EnergyModel& energy,
             const ThermalParams& p);
  SimTime period() const override { return period_; }
  void step(SimTime now, const net::NodeActivity& a, std::span<double> speed) override;
  /// Integrates the static energy from the last step to `end` (the makespan).
  void finish(SimTime end);
  /// Static energy per component, and its laser and heater parts, integrated at each
  /// step's temperature.
  const power::StaticIntegrals& static_integrals() const { return integrals_; }
  /// Heat figures; `slowed_ps` per node from the flow model's result.
  void fill(ThermalResult& r, const std::vector<int64_t>& slowed_ps) const;

 private:
  void add_static(Duration dt);
  const power::Inventory& inv_;
  const power::EnergyModel& energy_;
  ThermalParams p_;
  SimTime period_, last_;
  RcNetwork net_;
  std::vector<uint32_t> gpu_node_;      // per component: RC node (kNone if not a GPU)
  std::vector<double> last_work_;       // per topology node, at the last step
  std::vector<double> power_;           // per RC node, scratch
  std::vector<uint8_t> throttled_, ever_throttled_;  // per component
  std::vector<double> gpu_max_, rack_max_;           // kelvin
  power::StaticIntegrals integrals_;
  uint64_t steps_ = 0;
};

/// The rack model's figures (and the rack checks of the rc model).
void rack_checks(const power::Inventory& inv, const power::EnergyResult& e,
                 const ThermalParams& p, ThermalResult& r);

}  // namespace roshni::thermal
