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
#include "roshni/scenario/loader.h"
#include "roshni/thermal/thermal_model.h"

namespace roshni::scenario {

struct PowerOutcome {
  power::EnergyResult energy;
  thermal::ThermalResult thermal;
  std::optional<power::FacilityResult> facility;
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
