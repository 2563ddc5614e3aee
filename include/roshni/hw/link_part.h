/// A cable or optical engine from the catalog (configs/links.json): what medium and form
/// it is, its rate, its reach, the latency it adds, the power it draws and, for optics,
/// its link budget. Pure data plus the arithmetic the datasheet implies; which part a
/// link gets is decided in scenario/ (the media policy).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::hw {

enum class Medium : uint8_t { copper, optical };
enum class LinkForm : uint8_t { dac, backplane, aec, lpo, pluggable_dsp, cpo, optical_io };

std::string_view to_string(Medium m);
std::string_view to_string(LinkForm f);  // "dac", "pluggable-dsp", ... as in the catalog
std::optional<LinkForm> link_form_from(std::string_view s);

/// The optical power budget of one lane, in decibels (IEC/IEEE convention: powers in
/// dBm, losses in dB).
struct OpticalBudget {
  double launch_dbm = 0;           // transmitter output power per lane
  double rx_sensitivity_dbm = 0;   // weakest signal the receiver decodes at the target BER
  double fiber_loss_db_per_km = 0;
  double connector_loss_db = 0;    // per connector
  uint32_t connectors = 2;
  double margin_db = 0;            // kept in reserve for ageing and repair splices
  uint32_t wavelengths = 1;        // per lane (WDM)
};

/// The electrical channel budget of one copper lane (IEEE 802.3 CR/KR style), in dB at
/// the lane's Nyquist frequency: what the SerDes can equalise, and what the channel takes.
struct CopperBudget {
  double cable_loss_db_per_m = 0;  // twinax or backplane trace, per metre
  double connector_loss_db = 0;    // per mated connector
  uint32_t connectors = 2;
  double host_loss_db = 0;         // both hosts' package and board traces together
  double channel_budget_db = 0;    // the most end-to-end loss the SerDes closes
};

/// The blocks of an optical engine for the photonic energy model: the temperature-
/// dependent figures (catalog "thermal" block) and how its datasheet power divides
/// ("power_blocks"). The laser's share is not a catalog figure: it follows from the
/// launch power, the loss between laser and fibre and the wall-plug efficiency.
struct PhotonicFigures {
  double wall_plug_efficiency = 0;        // laser electrical-to-optical, (0, 1]
  double efficiency_drop_per_kelvin = 0;  // relative fall of that efficiency per kelvin
  ThermalConductance heater_per_kelvin;   // microring heater watts per ring per kelvin
  uint32_t rings = 0;                     // per end
  double laser_to_fiber_loss_db = 0;      // coupling, modulator, splitter: laser out -> launch
  // Shares of the port's datasheet power (static_power): modulator driver, receiver TIA,
  // electrical interface SerDes, DSP; the laser's is computed, "other" is the rest.
  double driver_share = 0, tia_share = 0, serdes_share = 0, dsp_share = 0;
};


struct LinkPart {
  std::string name;
  std::string base;                // a scenario part: the catalog part it starts from ("" if none)
  Medium medium = Medium::copper;
  LinkForm form = LinkForm::dac;
  uint32_t lanes = 1;
  DataRate lane_rate, rate;        // rate = lanes x lane_rate
  Length reach;
  Duration serdes, fec, dsp;       // added once per link, both ends together
  Duration propagation_per_metre;  // ~4.9 ns/m in fibre, ~4.3 ns/m in twinax
  Power static_power;              // per link end, drawn while the port is up
  bool powered = false;            // power_model "static": the part draws static_power
  std::optional<OpticalBudget> optics;
  std::optional<CopperBudget> electrical;   // copper parts with a loss budget
  std::optional<PhotonicFigures> photonic;  // optics with a "thermal" block that has them
  // Which links the automatic media policies may give it (catalog "use"): scale-up
  // (inside an accelerator's scale-up domain: NVLink, UB, ICI, GPU-to-GPU) and/or
  // scale-out (NICs, the packet fabric, circuits). Backplanes and optical I/O default to
  // scale-up only, every other form to both.
  bool scale_up = true, scale_out = true;
  std::optional<double> price_usd;          // per module (optics) or cable (copper)
  bool price_estimate = false;
  std::string source;
};

/// Fixed latency of one link of `length`: SerDes + FEC + DSP + propagation, rounded up
/// to whole picoseconds.
SimTime link_latency(const LinkPart& p, Length length);

/// Watts per link end that the datasheet's figures imply: static_power when the part is
/// powered, else 0 (passive copper: the host SerDes pays, counted with the switch).
Power port_power(const LinkPart& p);

/// Electrical laser power of one link end whose lanes launch `launch_dbm` each:
/// lanes x wavelengths x 10^((launch + laser_to_fiber_loss) / 10) mW / wall-plug
/// efficiency. Requires p.optics and p.photonic.
Power laser_power(const LinkPart& p, double launch_dbm);

/// The copper channel of one link of `length`: loss = cable x metres + connectors x
/// connector loss + host loss, allowed up to the channel budget. Requires p.electrical.
struct CopperCheck {
  double loss_db = 0, budget_db = 0;
  bool ok() const { return loss_db <= budget_db + 1e-9; }
  /// The longest link the budget allows (infinite when the cable itself loses nothing).
  double max_length_m = 0;
};
CopperCheck copper_budget(const LinkPart& p, Length length);

/// Result of the link budget for one link.
struct BudgetCheck {
  double loss_db = 0;       // fibre + connectors + OCS passes
  double received_dbm = 0;  // launch - loss
  double required_dbm = 0;  // sensitivity + margin
  bool ok() const { return received_dbm >= required_dbm - 1e-9; }
  double shortfall_db() const { return required_dbm - received_dbm; }  // > 0 when failing
};

/// launch - fibre loss x km - connectors x loss - OCS passes x insertion loss, against
/// sensitivity + margin (the budget of IEEE 802.3 clause 140-style optics). Requires
/// p.optics.
BudgetCheck optical_budget(const LinkPart& p, Length length, uint32_t ocs_passes = 0,
                           double ocs_insertion_loss_db = 0);

}  // namespace roshni::hw
