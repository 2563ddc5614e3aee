/// The flow-level (fluid) network model. Every flow in transfer holds a rate; the rates
/// are the max-min fair allocation of each link direction's capacity among the flows
/// crossing it (progressive filling, see max_min_solver.h). A flow starts when its
/// dependencies have been delivered (and not before its earliest start); it transmits
/// at its changing rate until its bytes are sent; it is delivered one path latency
/// later, which releases the flows that wait for it. Rates are re-solved once per
/// timestamp, and only for the flows whose share can have changed: those in the
/// connected component (flows linked by shared links) of the links whose flow set
/// changed; after departures alone, only the flows that froze at or after the first
/// filling step a departed flow froze at (MaxMinSolver::resolve_without). Link capacities may change during the run (a failure, an optical circuit
/// torn down for reconfiguration): a flow crossing a link of capacity 0 stalls until it
/// returns; a flow that starts while its route crosses a dead link is rerouted over
/// surviving links, or waits until some link comes back. Not modelled here: packets,
/// queues, congestion control (see the packet model), slow start; a flow takes its fair
/// share at once.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/coupling.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/paths.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

/// Changes to some directed links at one moment: at the absolute time `at`, or, when
/// `after` is not empty, `delay` after the last of those flows is delivered. A link
/// carries the capacity the latest step set for it (0: none; at first the topology's or
/// FlowRunOptions::initial_capacities) while no outage covers it, and nothing while one
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
  size_t delivered = 0;    // flows delivered so far
  size_t flows = 0;        // flows in the run
  uint64_t rate_solves = 0;    // re-solves of rates so far
  double bytes_delivered = 0;  // bytes of the flows delivered so far
  double bytes = 0;            // bytes of all flows in the run
};

struct FlowRunOptions {
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
  /// Optional, for the peak of the activity-driven (dynamic) power, which only the run
  /// can know: per node, the watts drawn on top of idle while computing at full speed
  /// (scaled by speed); per directed link, joules per byte carried. Empty = not tracked.
  std::vector<double> node_busy_power;
  std::vector<double> link_energy_per_byte;
  /// Optional: link_energy_per_byte split into groups (the energy classes that draw it:
  /// switches, optics, ...), each tracked for its own peak: link_energy_groups[g][l] is
  /// group g's joules per byte on directed link l. The groups add up to
  /// link_energy_per_byte. Empty = not tracked.
  std::vector<std::vector<double>> link_energy_groups;
  /// Record the dynamic power and the fabric's throughput at every change, for the
  /// trace's counter tracks; past `max_activity_samples` every other sample is dropped
  /// and then only every 2nd, 4th, ... change is kept (the shape stays, the size is bounded).
  bool record_activity = false;
  size_t max_activity_samples = size_t{1} << 15;
};

/// The run's activity at one moment (see FlowRunOptions::record_activity): dynamic
/// power (W, compute + links and switches) and the bytes per second on all directed
/// links together (the sum over flows of rate x hops).
struct ActivitySample {
  SimTime at;
  double dynamic_power = 0;
  double link_throughput = 0;
};

/// Why a flow did not finish, when a run ends with work left (it should not; validation
/// refuses cycles and unroutable flows, so this names a bug or a dead network).
struct UnfinishedFlow {
  FlowId flow;
  enum class State : uint8_t { waiting, transmitting, in_flight, no_route } state;
  FlowId waiting_for;  // a dependency not yet delivered, when state == waiting
  LinkId dead_link;    // a link of capacity 0 on its path, when transmitting and stalled
};

struct FlowRunResult {
  SimTime makespan;                   // delivery of the last flow
  std::vector<SimTime> start;         // per flow: transfer began
  std::vector<SimTime> end;           // per flow: last byte delivered
  std::vector<DataSize> link_bytes;   // per directed link: bytes carried
  uint64_t events = 0;                // events the engine processed
  uint64_t rate_solves = 0;           // component re-solves
  uint64_t flows_rated = 0;           // sum of component sizes over all solves
  uint64_t flows_rerouted = 0;        // started on another path than planned (dead link)
  uint64_t flows_stalled = 0;         // spent some time at rate 0 behind a dead link
  std::vector<SimTime> stalled_for;   // per flow: total time at rate 0 while transmitting
  std::vector<UnfinishedFlow> unfinished;  // empty on success
  /// Per node: simulated time with at least one compute step running, and the compute
  /// work done (seconds at full speed; less than busy time when the node was slowed).
  std::vector<int64_t> busy_ps;
  std::vector<double> work_s;
  /// Per node: time spent below full speed while busy (throttled), in ps.
  std::vector<int64_t> slowed_ps;
  /// Peaks of the dynamic power (see FlowRunOptions), in watts, and when they occurred:
  /// compute, links, and their sum (the sum's peak is not the sum of the peaks).
  double peak_compute_power = 0, peak_link_power = 0, peak_dynamic_power = 0;
  SimTime peak_dynamic_at;
  /// Per group of FlowRunOptions::link_energy_groups: the peak of its power, in watts.
  std::vector<double> peak_link_group_power;
  std::vector<ActivitySample> activity;  // when record_activity; ends with the makespan
};

/// Runs `flows` over `t` along `paths` to completion.
FlowRunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
                             const FlowRunOptions& options = {});

}  // namespace roshni::net
