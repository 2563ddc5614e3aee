#include "roshni/hw/link_part.h"

#include <array>
#include <cmath>
#include <limits>

#include "roshni/core/error.h"

namespace roshni::hw {
namespace {

constexpr std::array<std::string_view, 7> kForms = {"dac", "backplane", "aec", "lpo",
                                                    "pluggable-dsp", "cpo", "optical-io"};

}  // namespace

std::string_view to_string(Medium m) { return m == Medium::copper ? "copper" : "optical"; }

std::string_view to_string(LinkForm f) { return kForms[static_cast<size_t>(f)]; }

std::optional<LinkForm> link_form_from(std::string_view s) {
  for (size_t i = 0; i < kForms.size(); ++i) {
    if (kForms[i] == s) return static_cast<LinkForm>(i);
  }
  return std::nullopt;
}

SimTime link_latency(const LinkPart& p, Length length) {
  const Duration d = p.serdes + p.fec + p.dsp + p.propagation_per_metre * length.si();
  return to_sim_time_ceil(d);
}

Power laser_power(const LinkPart& p, double launch_dbm) {
  const double per_lane_w = 1e-3 * std::pow(10.0, (launch_dbm + p.photonic->laser_to_fiber_loss_db) / 10.0);
  return watts(p.lanes * p.optics->wavelengths * per_lane_w / p.photonic->wall_plug_efficiency);
}

Power port_power(const LinkPart& p) { return p.powered ? p.static_power : Power(); }

BudgetCheck optical_budget(const LinkPart& p, Length length, uint32_t ocs_passes,
                           double ocs_insertion_loss_db) {
  ROSHNI_ASSERT(p.optics.has_value(), "link budget of '{}', which has no optics", p.name);
  const OpticalBudget& o = *p.optics;
  BudgetCheck b;
  b.loss_db = o.fiber_loss_db_per_km * (length.si() / 1000.0) + o.connectors * o.connector_loss_db +
              ocs_passes * ocs_insertion_loss_db;
  b.received_dbm = o.launch_dbm - b.loss_db;
  b.required_dbm = o.rx_sensitivity_dbm + o.margin_db;
  return b;
}

CopperCheck copper_budget(const LinkPart& p, Length length) {
  ROSHNI_ASSERT(p.electrical.has_value(), "copper budget of '{}', which has none", p.name);
  const CopperBudget& e = *p.electrical;
  CopperCheck c;
  const double fixed = e.connectors * e.connector_loss_db + e.host_loss_db;
  c.loss_db = e.cable_loss_db_per_m * length.si() + fixed;
  c.budget_db = e.channel_budget_db;
  c.max_length_m = e.cable_loss_db_per_m > 0 ? (e.channel_budget_db - fixed) / e.cable_loss_db_per_m
                                             : std::numeric_limits<double>::infinity();
  return c;
}

}  // namespace roshni::hw
