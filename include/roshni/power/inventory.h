/// Everything in the cluster that draws power, as the energy and heat models see it:
/// one entry per GPU, switch, OCS and physical link, with the rack its heat goes to and
/// the figures the catalog gives it. Built by scenario/ from the topology and catalog;
/// plain data, so accounting is arithmetic over arrays, not calls per event.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/units.h"

namespace roshni::power {

/// The classes a report breaks energy down by.
enum class ComponentClass : uint8_t { gpu, nic, switch_, ocs, optics, copper, link, host };
inline constexpr size_t kComponentClasses = 8;
/// "gpu", "nic", "switch", "ocs", "optics", "copper", "link" (a link with no catalog part),
/// "host" (a GPU's share of its server: host CPUs, memory, fans; energy.host_power).
std::string_view to_string(ComponentClass c);
bool is_network(ComponentClass c);

/// The blocks of an optical engine, for the photonic model (docs/models/energy.md): the
/// laser's electrical power is the optical power its link's budget needs over a
/// wall-plug efficiency that falls as it warms; microring resonators are held on their
/// wavelength by heaters whose power grows with the temperature they must correct; the
/// modulator driver, receiver TIA, SerDes and DSP take fixed shares of the datasheet
/// power, and "other" (control, power conversion) the rest. All figures are both ends.
struct PhotonicDetail {
  double wall_plug_efficiency = 0;     // at the reference temperature, (0, 1]
  double efficiency_drop_per_kelvin = 0;  // relative, per kelvin above the reference
  Power laser_power;    // electrical, at the reference temperature, at the link's budget
  Power laser_nominal;  // the same at the catalog's launch power (inside the datasheet figure)
  double rings = 0;                    // microrings
  ThermalConductance heater_per_kelvin;  // heater watts per ring per kelvin of correction
  Temperature reference;               // where the datasheet power holds
  Power port_power;     // the datasheet's power, static and per-bit shares together
  /// Shares of port_power: driver, tia, serdes, dsp (the blocks after laser and heaters).
  std::array<double, 4> share{};
};

/// The blocks a photonic engine's energy is broken into, in report order.
enum class PhotonicBlock : uint8_t { laser, heaters, driver, tia, serdes, dsp, other };
inline constexpr size_t kPhotonicBlocks = 7;
std::string_view to_string(PhotonicBlock b);

struct Component {
  std::string name;        // node name, or "a<->b" for a link
  std::string part;        // catalog part ("" when none)
  ComponentClass cls = ComponentClass::gpu;
  NodeId node;             // GPUs, switches, OCS (invalid for links)
  LinkId link;             // links: the a->b direction (b->a is link ^ 1)
  NodeId a, b;             // links: the two ends
  uint32_t rack = 0, rack_b = 0;  // where its heat goes; a link's ends may be in two racks
  Power static_power;      // drawn while powered, the whole run (a link: both ends)
  Power busy_power;        // GPUs: on top of idle while computing at full speed
  EnergyPerBit per_bit;    // dynamic energy per bit carried (links) or switched (switches)
  Power full_rate_dynamic; // switches and links: per_bit x their full rate (a rack's design peak)
  std::optional<PhotonicDetail> photonic;
};

inline constexpr uint32_t kNone = ~uint32_t{0};

struct Inventory {
  std::vector<Component> components;
  /// Index into components per node; kNone where there is none.
  std::vector<uint32_t> node_component;
  uint32_t racks = 0;
  std::vector<std::string> rack_names;
};

}  // namespace roshni::power
