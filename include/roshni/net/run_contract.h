/// The run contract: what a network model is given and gives back, the same for the
/// flow model (flow_model.h) and the packet model (packet_model.h). A run carries a
/// FlowSet's entries: flows (transfers between nodes over links) and tasks (compute steps,
/// work of a fixed duration on one node, FlowSet::is_task); both have a FlowId, both are
/// "delivered" when done and release the entries that wait for them. Capacity steps change
/// links during the run; the options say how to route, what to report on the way and what
/// slower physics watches the run (coupling.h); the result says when each entry started
/// and ended, what each link carried and what was left unfinished. Either model fills all
/// of RunResult (the packet model adds its own figures beside it).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/activity_observer.h"
#include "roshni/net/coupling.h"

namespace roshni::net {

/// Changes to some directed links at one moment: at the absolute time `at`, or, when
/// `after` is not empty, `delay` after the last of those entries (flows or tasks) is delivered. A link
/// carries the capacity the latest step set for it (0: none; at first the topology's or
/// RunOptions::initial_capacities) while no outage covers it, and nothing while one
/// or more do: outages (failures, a circuit's reconfiguration) begin and end
/// independently and may overlap. Every outage a step begins must be ended by a later
/// one, or last for good.
struct CapacityStep {
  SimTime at;
  std::vector<FlowId> after;
  SimTime delay;
  std::vector<std::pair<LinkId, DataRate>> capacities;  // set capacities
  std::vector<LinkId> outages_begin;  // an outage begins covering each of these
  std::vector<LinkId> outages_end;    // an outage that began earlier ends on each
};

/// How far a run has got, for a progress bar.
struct RunProgress {
  SimTime now;             // simulated time
  uint64_t events = 0;     // processed so far
  size_t delivered = 0;    // entries (flows and tasks) delivered so far
  size_t flows = 0;        // entries in the run
  uint64_t rate_solves = 0;    // re-solves of rates so far
  double bytes_delivered = 0;  // bytes of the flows delivered so far
  double bytes = 0;            // bytes of all flows in the run
};

/// What a run is given besides its entries and paths (either model).
struct RunOptions {
  /// Called at the end of the first timestamp after every `progress_every` events or
  /// `progress_every_solves` re-solves, whichever comes first (and never when empty):
  /// a run whose time goes into few, large re-solves reports too. The model does not
  /// read the wall clock; the callee may. It must not change the run: results are the
  /// same with or without it.
  std::function<void(const RunProgress&)> progress;
  uint64_t progress_every = uint64_t{1} << 16;
  uint64_t progress_every_solves = uint64_t{1} << 12;
  std::vector<CapacityStep> steps;
  /// Capacities at time 0 where they differ from the topology's (circuits that exist in
  /// some configuration but not the first start at 0).
  std::vector<std::pair<LinkId, DataRate>> initial_capacities;
  /// Reroute a starting flow whose path crosses a dead link (min-hop over live links).
  bool reroute = true;
  /// Route every flow when it starts, over the links up at that moment (fabrics whose
  /// links come and go by design, such as optical circuit switches), ignoring the
  /// planned paths (which were only checked for reachability).
  bool route_at_start = false;
  uint64_t seed = 0;  // ECMP hash seed for paths chosen during the run
  /// Optional: slower physics (heat) that watches the run and sets compute speeds.
  Coupling* coupling = nullptr;
  /// Optional: watches the activity that draws dynamic power (nodes computing, flows at
  /// a rate, packets on a wire); the power layer attaches one (power/dynamic_power.h).
  ActivityObserver* observer = nullptr;
};

/// The run's activity at one moment (power::DynamicPowerSetup::record_activity): dynamic
/// power (W, compute + links and switches) and the bytes per second on all directed
/// links together (the sum over flows of rate x hops).
struct ActivitySample {
  SimTime at;
  double dynamic_power = 0;
  double link_throughput = 0;
};

/// Why a flow or task did not finish, when a run ends with work left (it should not;
/// validation refuses cycles and unroutable flows, so this names a bug or a dead network).
struct Unfinished {
  FlowId flow;
  enum class State : uint8_t { waiting, transmitting, in_flight, no_route } state;
  FlowId waiting_for;  // a dependency not yet delivered, when state == waiting
  LinkId dead_link;    // a link of capacity 0 on its path, when transmitting and stalled
};

/// What a run gives back. "Per entry" arrays are indexed by FlowId: flows and tasks.
struct RunResult {
  SimTime makespan;                   // delivery of the last entry
  std::vector<SimTime> start;         // per entry: transfer (or task) began
  std::vector<SimTime> end;           // per entry: last byte delivered (task: done)
  std::vector<DataSize> link_bytes;   // per directed link: bytes carried
  uint64_t events = 0;                // events the engine processed
  uint64_t rate_solves = 0;           // component re-solves
  uint64_t flows_rated = 0;           // sum of component sizes over all solves
  uint64_t flows_rerouted = 0;        // started on another path than planned (dead link)
  uint64_t flows_stalled = 0;         // spent some time at rate 0 behind a dead link
  std::vector<SimTime> stalled_for;   // per entry (0 for tasks): total time at rate 0 while transmitting
  std::vector<Unfinished> unfinished;  // empty on success
  /// Per node: simulated time with at least one task running, and the compute
  /// work done (seconds at full speed; less than busy time when the node was slowed).
  std::vector<int64_t> busy_ps;
  std::vector<double> work_s;
  /// Per node: time spent below full speed while busy (throttled), in ps.
  std::vector<int64_t> slowed_ps;
  /// Peaks of the dynamic power, in watts, and when they occurred: compute, links, and
  /// their sum (the sum's peak is not the sum of the peaks). Not written by the network
  /// models: the observer that watched the run puts them here (power::DynamicPower::fill).
  double peak_compute_power = 0, peak_link_power = 0, peak_dynamic_power = 0;
  SimTime peak_dynamic_at;
  /// Per link energy group (power::DynamicPowerSetup): the peak of its power, in watts.
  std::vector<double> peak_link_group_power;
  std::vector<ActivitySample> activity;  // when recorded (as the peaks); ends with the makespan
};

}  // namespace roshni::net
