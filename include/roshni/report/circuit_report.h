/// What an OCS fabric's circuit-map changes cost a run (topology "ocs", "circuits"; docs/
/// topologies.md, "Reconfiguring during a run"): when each change began and its new
/// circuits lit, and the traffic that waited for them. Derived from the run's start and
/// end times; nothing here changes the simulation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/run_contract.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

class JsonWriter;

struct CircuitChangeOutcome {
  uint32_t map = 0;                   // index in the scenario's "circuits"
  std::string trigger;                // "at", "after" or "after_training"
  std::vector<std::string> kinds;     // after_training's kinds
  SimTime began, lit;                 // old circuits torn down; new ones carry traffic
  size_t torn_down = 0, set_up = 0;   // directed circuit links
  /// Flows that were ready before `lit` (their dependencies delivered, their earliest
  /// start passed) but had no live path until the new circuits lit, so they started at
  /// `lit`: how many, their bytes, the sum of their waits (lit - ready) and the longest.
  uint64_t flows_waited = 0;
  DataSize bytes_waited;
  SimTime wait_total, wait_longest;
};

/// One outcome per scenario::Scenario::circuit_changes entry that began within the run
/// (by the makespan), in order; none when the run left work unfinished.
std::vector<CircuitChangeOutcome> circuit_changes(const scenario::Scenario& s,
                                                  const net::RunResult& r);

/// The report.json array "circuit_changes" (nothing when `changes` is empty).
void write_circuit_changes(JsonWriter& w, const std::vector<CircuitChangeOutcome>& changes);

/// One line per change for the human summary.
std::string circuit_changes_human(const std::vector<CircuitChangeOutcome>& changes);

}  // namespace roshni::report
