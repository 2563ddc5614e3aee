/// What failing parts cost a long training job: every failure mode of every part in the
/// cluster (GPUs, hosts, NICs, switches, optics, cables) interrupts the job at its rate;
/// the job rolls back to its last checkpoint, restarts, and waits for the repair when
/// the GPUs the failure strands are more than its spares. Closed forms (Young 1974,
/// Daly 2006, first order), written once: docs/models/reliability.md. The scenario
/// layer (src/scenario/reliability.cpp) turns the inventory and the topology into
/// exposures; this is arithmetic over them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roshni/core/units.h"

namespace roshni::power {

/// One way a part fails, from configs/reliability.json (or the scenario).
struct FailureMode {
  std::string name;         // "hard", "flap", "laser", "engine", ...
  double fit = 0;           // events per 1e9 unit-hours that interrupt the job
  Duration replace;         // until the unit (or the switch) is back; 0 for a flap
  bool whole_switch = false;  // repairing it takes its switch out (a co-packaged engine)
};

/// `units` parts (or part ends) that fail in `mode`; each event strands `stranded` GPUs
/// until it is repaired (0 when the fabric routes around it).
struct Exposure {
  std::string cls;   // "gpu", "host", "nic", "switch", "ocs", "optics", "copper"
  std::string part;  // catalog part ("" for hosts and NICs)
  FailureMode mode;
  double units = 0;
  uint32_t stranded = 0;
};

struct ReliabilityParams {
  Duration work;               // the job's failure-free run time
  Duration checkpoint_write;   // delta: the job stops for it
  std::optional<Duration> checkpoint_interval;  // tau; unset = Young's sqrt(2 delta M)
  Duration restart;            // R: detect, reschedule, reload the checkpoint
  uint32_t spare_gpus = 0;     // held in reserve: a failure stranding more waits for repair
};

struct ReliabilityRow {
  std::string cls, part, mode;
  double units = 0, fit = 0;
  uint32_t stranded = 0;
  bool waits_for_repair = false;
  double events = 0;            // expected over the job's wall time
  Duration lost_per_event;      // R + (tau + delta) / 2 (+ the repair when it waits)
  Duration lost;                // events x lost_per_event
};

struct ReliabilityResult {
  std::vector<ReliabilityRow> rows;  // in the exposures' order
  double rate_per_hour = 0;     // Lambda: interruptions per hour of the whole job
  Duration mtbf;                // 1 / Lambda (infinite rate never: Lambda > 0 is checked)
  Duration interval;            // tau used
  Duration wall;                // T_w
  Duration checkpoint_time;     // work x delta / tau
  Duration lost;                // sum of the rows' lost time
  Duration added;               // T_w - work
  double interruptions = 0;     // expected, over T_w
};

/// Why the job could never finish (its expected loss per hour is an hour or more), or ""
/// when it can. T_w = work (1 + delta/tau) / (1 - sum_m Lambda_m L_m) needs the sum < 1.
std::string reliability_problem(const std::vector<Exposure>& exposures, const ReliabilityParams& p);

/// Requires reliability_problem() == "" and at least one exposure with fit > 0.
ReliabilityResult reliability(const std::vector<Exposure>& exposures, const ReliabilityParams& p);

}  // namespace roshni::power
