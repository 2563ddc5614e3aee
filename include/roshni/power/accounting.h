/// Energy of a run, integrated exactly from what the flow model counted: every
/// component's static power over the run, GPUs' busy power over their compute work,
/// and each link's and switch's energy per bit over the bits it carried. Nothing is
/// sampled: between events power is constant, and these are the integrals.
#pragma once

#include <array>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/run_contract.h"
#include "roshni/power/energy_model.h"
#include "roshni/power/inventory.h"

namespace roshni::power {

/// Joules by kind for one component.
struct ComponentEnergy {
  Energy static_energy, dynamic_energy;
  Energy total() const { return static_energy + dynamic_energy; }
};

struct ClassEnergy {
  uint32_t count = 0;
  Energy energy;
  Power average;       // energy / run time
  Power peak;          // static plus the peak of the class's own dynamic power over the
                       // run (GPUs computing; links and switches carrying traffic)
};

struct EnergyResult {
  Duration run_time;
  std::vector<ComponentEnergy> components;  // parallel to Inventory::components
  std::array<ClassEnergy, kComponentClasses> by_class{};
  Energy total, network;  // network: switches, OCS, optics, copper and bare links
  Power average, peak;    // over the run; peak = all static + peak dynamic (exact)
  SimTime peak_at;
  Power network_dynamic_peak;  // peak of links' and switches' per-bit power together
  double network_share = 0;  // network / total
  /// Network energy per bit of payload delivered end to end, and per bit carried on
  /// a link (payload x hops).
  EnergyPerBit per_payload_bit, per_link_bit;
  std::vector<Power> rack_average;  // heat load per rack: its components' mean power
  std::vector<Power> rack_peak;     // design peak: static + GPUs busy + links, switches at full rate
  /// Optical engines with photonic detail: how many, their energy, and that energy by
  /// block (PhotonicBlock order); the blocks add up to the energy.
  uint32_t photonic_count = 0;
  Energy photonic_energy;
  double photonic_link_bits = 0;  // bits those links carried, both directions
  std::array<Energy, kPhotonicBlocks> photonic_blocks{};
};

/// What a coupling that follows temperatures integrated itself, per component (parallel
/// to Inventory::components): static energy, and the laser's and heaters' part of it.
struct StaticIntegrals {
  std::vector<Energy> total, laser, heaters;
};

/// Per directed link, joules per byte carried: the link's energy per bit, plus that of
/// the switch it enters. Given to DynamicPower (dynamic_power.h) for the peak of dynamic power.
std::vector<double> link_energy_per_byte(const Inventory& inv, size_t directed_links);
/// The classes whose power follows the bits they carry, in the order of
/// link_energy_groups.
inline constexpr std::array<ComponentClass, 4> kPerBitClasses = {
    ComponentClass::switch_, ComponentClass::optics, ComponentClass::copper, ComponentClass::link};
/// link_energy_per_byte split by class (kPerBitClasses order), for each class's own peak:
/// [g][l] is what class g draws per byte carried on directed link l.
std::vector<std::vector<double>> link_energy_groups(const Inventory& inv, size_t directed_links);
/// Per node, the busy power of GPUs (0 elsewhere), for the same purpose.
std::vector<double> node_busy_power(const Inventory& inv, size_t nodes);

/// `integrals`, when given, replace static power x run time per component (the thermal
/// coupling integrates temperature-dependent static power itself).
EnergyResult account(const Inventory& inv, const net::RunResult& run, DataSize payload,
                     const EnergyModel& model, Temperature nominal,
                     const StaticIntegrals* integrals = nullptr);

}  // namespace roshni::power
