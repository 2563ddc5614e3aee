/// From a loaded scenario to its results: the network run (flow or packet model), and around it the energy,
/// heat and facility models the scenario asked for (the rc heat model rides along the
/// run and may slow GPUs down). The one place that wires the models together, so the
/// CLI's run, compare and sweep all get the same numbers.
#pragma once

#include <functional>
#include <optional>

#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/power/accounting.h"
#include "roshni/power/facility.h"
#include "roshni/power/reliability.h"
#include "roshni/scenario/loader.h"
#include "roshni/thermal/thermal_model.h"

namespace roshni::scenario {

/// What failures cost the job (docs/models/reliability.md): the time model's result, and
/// its energy and money at this run's power and prices.
struct ReliabilityOutcome {
  power::ReliabilityResult result;
  Power power;                       // drawn while the added time passes: the run's mean
                                     // facility power (IT power without a facility)
  Energy energy_added;               // power x added time
  double energy_cost_added = 0, energy_cost_added_usd = 0;  // at the facility's cost per joule
  double parts_usd = 0;              // hard failures' replacements, where the bill prices them
  std::vector<double> row_parts_usd;  // the same per exposure (result.rows' order)
  double parts_unpriced = 0;         // expected replacements of parts the bill does not price
  double capital_usd = 0;            // the priced capital's share of the added time (capital_life)
};

struct PowerOutcome {
  power::EnergyResult energy;
  thermal::ThermalResult thermal;
  std::optional<power::FacilityResult> facility;
  std::optional<ReliabilityOutcome> reliability;
};

struct RunOutcome {
  net::RunResult net;
  std::optional<net::PacketStats> packet;  // a packet-model run's queue, pause, drop figures
  std::optional<PowerOutcome> power;  // when the scenario's power setup is enabled
};

/// `progress`, when set, is called as the run goes (for a progress bar; it must not
/// change anything the run computes).
/// `record_activity` keeps the run's power and throughput over time for the trace's
/// counter tracks (power::DynamicPowerSetup::record_activity).
RunOutcome simulate(const Scenario& s,
                    const std::function<void(const net::RunProgress&)>& progress = {},
                    bool record_activity = false);

}  // namespace roshni::scenario
