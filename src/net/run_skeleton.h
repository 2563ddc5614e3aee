/// What the flow model (flow_model.cpp) and the packet model (packet_model.cpp) share about
/// running a FlowSet, apart from how they move bytes: the simulator and the run's result;
/// the schedule at time 0 (absolute capacity steps, the entries that wait for nothing, the
/// coupling's first tick, in this order so that equal-time events fall the same way in both
/// models); releasing, when an entry is delivered, the entries and capacity steps that wait
/// for it; tasks (compute steps) on nodes a coupling may slow, and the coupling's ticks;
/// how a starting flow gets its path; flows waiting for a live path; and the report of
/// what was left unfinished. A model derives from RunSkeleton<Model> (CRTP, so that the
/// calls inline into its event switch) and provides:
///   void start(uint32_t f);      an entry whose dependencies are delivered starts now
///   void delivered(uint32_t f);  an entry is done (a task's end comes through task_done)
/// and calls release(f, now) from delivered(f), schedule_next_tick(now) at the end of
/// every instant. Private to net/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "net/compute_nodes.h"
#include "net/run_events.h"
#include "net/step_triggers.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/net/dependents.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/run_contract.h"
#include "roshni/sim/simulator.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

/// How a flow that starts now gets its path (RunSkeleton::route_choice).
enum class RouteChoice : uint8_t { keep, route, reroute };

template <class Model>
class RunSkeleton {
 protected:
  RunSkeleton(const topo::Topology& t, const FlowSet& flows, const RunOptions& options)
      : flows_(flows), options_(options), dependents_(flows) {
    const size_t n = flows.size();
    run_.start.assign(n, SimTime::zero());
    run_.end.assign(n, SimTime::zero());
    run_.stalled_for.assign(n, SimTime::zero());
    tasks_.init(t.node_count(), n, run_, options.observer);
    task_generation_.assign(n, 0);
    // Capacity steps: absolute ones are scheduled at the start; triggered ones when the
    // last entry they wait for is delivered.
    step_triggers_.init(options.steps, n);
  }

  /// Schedules what is due at time 0 (see the top of this file); `reserve` events.
  void schedule_start(size_t reserve) {
    sim_.queue().reserve(reserve);
    for (uint32_t i = 0; i < options_.steps.size(); ++i) {
      if (options_.steps[i].after.empty()) sim_.schedule(options_.steps[i].at, kCapacity, i);
    }
    for (uint32_t f = 0; f < flows_.size(); ++f) {
      if (dependents_.pending(f) == 0) sim_.schedule(flows_.earliest_start(FlowId(f)), kStart, f);
    }
    if (options_.coupling != nullptr && flows_.size() > 0) {
      period_ = options_.coupling->period();
      ROSHNI_ASSERT(period_ > SimTime::zero(), "a coupling's period must be positive");
      sim_.schedule(period_, kTick, 0);
    }
  }

  /// Handles the skeleton's own event kinds; false for a model's.
  bool handle_run_event(const sim::Event& e) {
    switch (e.kind) {
      case kStart: model().start(e.target); return true;
      case kDelivered: model().delivered(e.target); return true;
      case kCapacity: model().apply_step(e.target); return true;
      case kTaskDone:
        if (e.generation == task_generation_[e.target]) task_done(e.target);
        return true;
      case kTick: tick(); return true;
      default: return false;
    }
  }

  /// Entry f is delivered now: it ends; the entries waiting for nothing more start now
  /// (or are scheduled at their earliest start), and the capacity steps whose last entry
  /// it was are scheduled after their delay.
  void release(uint32_t f, SimTime now) {
    if (now == SimTime::max()) time_ran_out(f);
    ++delivered_count_;
    run_.end[f] = now;
    run_.makespan = std::max(run_.makespan, now);
    dependents_.release(f, [&](uint32_t d) {
      const SimTime earliest = flows_.earliest_start(FlowId(d));
      if (earliest > now) {
        sim_.schedule(earliest, kStart, d);
      } else {
        model().start(d);
      }
    });
    step_triggers_.delivered(f, [&](uint32_t i) {
      sim_.schedule(now + options_.steps[i].delay, kCapacity, i);
    });
  }

  // ---- tasks, and the coupling that may slow them ----

  /// Task f starts now on its node.
  void start_task(uint32_t f, SimTime now) {
    const SimTime end = tasks_.start(f, flows_.src(FlowId(f)).value(), now,
                                     flows_.task_time(FlowId(f)),
                                     [&](uint32_t g, SimTime at) { retime_task(g, at); });
    sim_.schedule(end, kTaskDone, f, task_generation_[f]);
  }

  void task_done(uint32_t f) {
    if (sim_.now() == SimTime::max()) time_ran_out(f);
    tasks_.finish(f, flows_.src(FlowId(f)).value(), sim_.now(),
                  [&](uint32_t g, SimTime at) { retime_task(g, at); });
    ++task_generation_[f];
    model().delivered(f);
  }

  /// Task f now ends at `end` (its node's speed or its share of it changed).
  void retime_task(uint32_t f, SimTime end) {
    ++task_generation_[f];
    sim_.schedule(end, kTaskDone, f, task_generation_[f]);
  }

  void tick() {
    // A tick scheduled before the last delivery may fire after it: the run is over.
    if (delivered_count_ == flows_.size() || sim_.now() == SimTime::max()) return;
    tasks_.step_coupling(*options_.coupling, sim_.now(),
                         [&](uint32_t f, SimTime end) { retime_task(f, end); });
    // The next tick is scheduled at the end of this instant (schedule_next_tick), once
    // the entries that this instant released have their own events in the queue.
    tick_due_ = true;
  }

  /// Keeps ticking only while something else can still happen. Called by the model at
  /// the end of every instant, after its own work for the instant is scheduled.
  void schedule_next_tick(SimTime now) {
    if (!tick_due_) return;
    tick_due_ = false;
    if (!sim_.queue().empty()) sim_.schedule(now + period_, kTick, 0);
  }

  // ---- paths ----

  /// How flow f, starting now, gets its path: a pinned path (the user's choice) is kept,
  /// dead or alive; with route_at_start every other flow is routed now over the links up
  /// (fabrics whose links come and go by design); otherwise a flow whose planned path is
  /// not all up (`planned_up()` false) is rerouted, if the options allow.
  template <class PlannedUp>
  RouteChoice route_choice(uint32_t f, PlannedUp&& planned_up) const {
    if (!flows_.pinned_path(FlowId(f)).empty()) return RouteChoice::keep;
    if (options_.route_at_start) return RouteChoice::route;
    if (options_.reroute && !planned_up()) return RouteChoice::reroute;
    return RouteChoice::keep;
  }

  /// Flow f has no live path now: it waits until a link comes up (retry_unrouted).
  void wait_for_route(uint32_t f) { no_route_.push_back(f); }

  /// Starts again every flow that waited for a live path (links came up this instant).
  void retry_unrouted() {
    std::vector<uint32_t> waiting;
    waiting.swap(no_route_);
    for (uint32_t f : waiting) model().start(f);
  }

  // ---- the end ----

  /// Appends to the result every entry not delivered (done(f) false), with the first of
  /// its dependencies not delivered; describe(f, u) sets what the model knows (its state,
  /// a dead link it is stuck behind).
  template <class Done, class Describe>
  void report_unfinished(Done&& done, Describe&& describe) {
    for (uint32_t f = 0; f < flows_.size(); ++f) {
      if (done(f)) continue;
      Unfinished u{FlowId(f), Unfinished::State::waiting, FlowId::invalid(), LinkId::invalid()};
      describe(f, u);
      for (FlowId d : flows_.deps(FlowId(f))) {
        if (!done(d.value())) {
          u.waiting_for = d;
          break;
        }
      }
      run_.unfinished.push_back(u);
    }
  }

  /// Times that overflow saturate at SimTime::max() (see sim_time.h): an event that is
  /// still valid there is work that would end past the end of simulated time.
  [[noreturn]] void time_ran_out(uint32_t f) const {
    throw TimeExhausted(fmt::format(
        "simulated time ran out (2^63 - 1 ps, about 106.8 days) before '{}' was done; "
        "a link or GPU slowed so far during the run that its work cannot end",
        flows_.label(FlowId(f))));
  }

  const FlowSet& flows_;
  const RunOptions& options_;
  sim::Simulator sim_;
  RunResult run_;
  size_t delivered_count_ = 0;
  bool links_came_up_ = false;  // this instant: flows without a route may try again
  ComputeNodes tasks_;          // tasks per node: busy time, work, speed

 private:
  Model& model() { return static_cast<Model&>(*this); }

  Dependents dependents_;
  StepTriggers step_triggers_;
  std::vector<uint32_t> task_generation_;  // bumped when a task's end is re-timed
  std::vector<uint32_t> no_route_;         // flows waiting for a live path
  SimTime period_;                         // of the coupling
  bool tick_due_ = false;  // a tick ran this instant: schedule the next at its end
};

}  // namespace roshni::net
