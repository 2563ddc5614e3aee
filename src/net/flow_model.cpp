// The flow-level model; the model itself is described in flow_model.h. Its data layout:
// per-flow state in parallel arrays by FlowId; each flow's path is a range of "slots" in
// one growing array (a rerouted flow gets fresh slots at the end); per directed link the
// list of slots of the flows in transfer on it, so that a flow leaves a link in O(1) by
// swapping with the last entry; ends of transmission in an indexed queue of their own
// (CompletionQueue), with one simulator event at the earliest.
#include "roshni/net/flow_model.h"

#include <algorithm>
#include <cmath>

#include "net/link_capacities.h"
#include "net/live_router.h"
#include "net/run_skeleton.h"
#include "roshni/core/error.h"
#include "roshni/net/max_min_solver.h"
#include "roshni/sim/simulator.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

// Besides the skeleton's kinds (run_skeleton.h): the earliest end of transmission is due.
constexpr uint8_t kTransmitted = kModelKinds;
enum class State : uint8_t { waiting, transmitting, in_flight, delivered, no_route };

/// The flows in transfer by end of transmission: an indexed binary min-heap on (end,
/// sequence of setting), so a flow whose rate changes moves in place instead of leaving
/// a stale event behind, and ends at the same time come out in the order they were set.
class CompletionQueue {
 public:
  void resize(size_t flows) { pos_.assign(flows, kAbsent); at_.resize(flows); seq_.resize(flows); }
  bool empty() const { return heap_.empty(); }
  SimTime top_at() const { return at_[heap_[0]]; }
  void set(uint32_t f, SimTime at) {
    at_[f] = at;
    seq_[f] = next_seq_++;
    if (pos_[f] == kAbsent) {
      pos_[f] = static_cast<uint32_t>(heap_.size());
      heap_.push_back(f);
      sift_up(pos_[f]);
    } else {
      update(pos_[f]);
    }
  }
  void erase(uint32_t f) {
    if (pos_[f] == kAbsent) return;
    const size_t i = pos_[f];
    pos_[f] = kAbsent;
    const uint32_t last = heap_.back();
    heap_.pop_back();
    if (last == f) return;
    place(i, last);
    update(i);
  }
  uint32_t pop() {
    const uint32_t f = heap_[0];
    erase(f);
    return f;
  }

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  bool before(uint32_t a, uint32_t b) const {
    return at_[a] < at_[b] || (at_[a] == at_[b] && seq_[a] < seq_[b]);
  }
  void place(size_t i, uint32_t f) {
    heap_[i] = f;
    pos_[f] = static_cast<uint32_t>(i);
  }
  void update(size_t i) {
    if (i > 0 && before(heap_[i], heap_[(i - 1) / 2])) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  }
  void sift_up(size_t i) {
    const uint32_t x = heap_[i];
    while (i > 0 && before(x, heap_[(i - 1) / 2])) {
      place(i, heap_[(i - 1) / 2]);
      i = (i - 1) / 2;
    }
    place(i, x);
  }
  void sift_down(size_t i) {
    const uint32_t x = heap_[i];
    for (;;) {
      size_t c = 2 * i + 1;
      if (c >= heap_.size()) break;
      if (c + 1 < heap_.size() && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], x)) break;
      place(i, heap_[c]);
      i = c;
    }
    place(i, x);
  }
  std::vector<uint32_t> heap_, pos_;
  std::vector<SimTime> at_;
  std::vector<uint64_t> seq_;
  uint64_t next_seq_ = 0;
};

class FlowModel : public RunSkeleton<FlowModel> {
 public:
  FlowModel(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
            const RunOptions& options)
      : RunSkeleton(t, flows, options), t_(t) {
    const size_t n = flows.size();
    state_.assign(n, State::waiting);
    remaining_.resize(n);
    rate_.assign(n, 0.0);
    last_update_.assign(n, SimTime::zero());
    completions_.resize(n);
    visit_.assign(n, 0);
    new_rate_.assign(n, 0.0);
    stalled_since_.assign(n, SimTime::zero());
    stalled_.assign(n, 0);
    ever_stalled_.assign(n, 0);

    // Paths: the planned ones; the solver reads them through paths_ (offsets per flow).
    paths_ = paths;
    path_begin_.resize(n);
    path_end_.resize(n);
    for (uint32_t f = 0; f < n; ++f) {
      path_begin_[f] = paths.offset[f];
      path_end_[f] = paths.offset[f + 1];
    }
    slot_flow_.resize(paths.links.size());
    slot_pos_.resize(paths.links.size());
    for (uint32_t f = 0; f < n; ++f) {
      for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) slot_flow_[s] = f;
    }

    const size_t links = t.link_count();
    capacity_.resize(links);
    for (uint32_t l = 0; l < links; ++l) capacity_[l] = t.link_capacity(LinkId(l)).si();
    for (const auto& [l, c] : options.initial_capacities) capacity_[l.value()] = c.si();
    link_capacities_.init(t, options);
    up_.resize(links);
    for (uint32_t l = 0; l < links; ++l) up_[l] = capacity_[l] > 0;
    on_link_.resize(links);
    link_dirty_.assign(links, 0);
    link_visit_.assign(links, 0);
    link_bytes_.assign(links, 0.0);
  }

  RunResult run() {
    const size_t n = flows_.size();
    if (options_.progress) {
      progress_due_ = std::max<uint64_t>(1, options_.progress_every);
      progress_solves_due_ = std::max<uint64_t>(1, options_.progress_every_solves);
    }
    schedule_start(std::min<size_t>(2 * n + 16, size_t{1} << 24));
    sim_.run(*this);
    tasks_.settle_all(run_.makespan);
    for (uint32_t f = 0; f < n; ++f) {  // still stalled when the run ran out of events
      if (stalled_[f]) run_.stalled_for[f] += sim_.now() - stalled_since_[f];
    }
    if (options_.observer != nullptr) options_.observer->run_end(run_.makespan);
    run_.events = sim_.events_processed();
    run_.link_bytes.resize(link_bytes_.size());
    for (size_t l = 0; l < link_bytes_.size(); ++l) run_.link_bytes[l] = bytes(link_bytes_[l]);
    report_unfinished([&](uint32_t f) { return state_[f] == State::delivered; },
                      [&](uint32_t f, Unfinished& u) {
      switch (state_[f]) {
        case State::transmitting:
          u.state = Unfinished::State::transmitting;
          for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
            if (!up_[paths_.links[s].value()]) u.dead_link = paths_.links[s];
          }
          break;
        case State::in_flight: u.state = Unfinished::State::in_flight; break;
        case State::no_route: u.state = Unfinished::State::no_route; break;
        default: break;
      }
    });
    return std::move(run_);
  }

  void handle(const sim::Event& e) {
    if (e.kind == kTransmitted) {
      if (e.generation == due_generation_) transmissions_due();
    } else if (!handle_run_event(e)) {
      ROSHNI_ASSERT(false, "unknown event kind {}", e.kind);
    }
  }

  /// Re-solves the rates of every flow that shares a link, directly or through other
  /// flows, with a link whose set of flows (or capacity) changed at this timestamp.
  void end_of_timestamp(SimTime now) {
    if (sim_.events_processed() >= progress_due_ || run_.rate_solves >= progress_solves_due_) {
      progress_due_ = sim_.events_processed() + std::max<uint64_t>(1, options_.progress_every);
      progress_solves_due_ = run_.rate_solves + std::max<uint64_t>(1, options_.progress_every_solves);
      options_.progress({now, sim_.events_processed(), delivered_count_, flows_.size(),
                         run_.rate_solves, bytes_delivered_, flows_.total_size().si()});
    }
    if (links_came_up_) retry_unrouted();
    links_came_up_ = false;
    // Every change this instant inside the solver's record (departures of recorded flows,
    // arrivals on links that carry only recorded or arriving flows, no capacity changed):
    // re-solve by replaying the record (MaxMinSolver::update), at a cost that follows the
    // links whose state the changes reach rather than the component.
    const bool replay = solver_.has_record() && !capacity_changed_ &&
        std::all_of(left_.begin(), left_.end(), [&](uint32_t f) { return solver_.recorded(f); }) &&
        arrivals_inside_record();
    capacity_changed_ = false;
    if (dirty_.empty()) {
      left_.clear();
      arrived_.clear();
      instant_end(now);
      schedule_next_tick(now);
      return;
    }
    const PathView view{path_begin_.data(), path_end_.data(), paths_.links.data()};
    if (replay) {
      for (uint32_t l : dirty_) link_dirty_[l] = 0;
      dirty_.clear();
      solver_.update(left_, arrived_, view, capacity_, new_rate_, component_);
      left_.clear();
      arrived_.clear();
      if (!component_.empty()) ++run_.rate_solves;  // else no flow is left to re-rate
      run_.flows_rated += component_.size();
    } else {
      // A departed flow must not stay in the record: the solve below replaces the record
      // when it shares flows with it, but a departure may leave no flow to solve.
      for (uint32_t f : left_) {
        if (solver_.recorded(f)) {
          solver_.forget();
          break;
        }
      }
      left_.clear();
      arrived_.clear();
      if (!find_component()) {  // flows only left links that now carry nothing
        instant_end(now);
        schedule_next_tick(now);
        return;
      }
      ++run_.rate_solves;
      run_.flows_rated += component_.size();
      // A large component is solved with a record, so that the departures that follow
      // can restart the filling where they first matter.
      if (component_.size() >= kRecordAtLeast) {
        solver_.solve_recorded(component_, view, capacity_, new_rate_);
      } else {
        solver_.solve(component_, view, capacity_, new_rate_);
      }
    }
    // The observer sums what it is told (power, in floating point): tell it in flow order,
    // so that its sums do not depend on the order in which the solver met the flows.
    if (options_.observer != nullptr) std::sort(component_.begin(), component_.end());
    for (uint32_t f : component_) {
      if (new_rate_[f] == 0) {
        // Behind a dead link (a flow that just started behind one too): stalled from
        // now until a rate comes back.
        if (!stalled_[f]) begin_stall(f, now);
      } else if (stalled_[f]) {
        run_.stalled_for[f] += now - stalled_since_[f];
        stalled_[f] = 0;
      }
      if (new_rate_[f] == rate_[f]) continue;  // its scheduled completion still holds
      settle(f, now);
      if (options_.observer != nullptr) options_.observer->flow_rate(f, rate_[f], new_rate_[f]);
      rate_[f] = new_rate_[f];
      if (rate_[f] > 0) {
        completions_.set(f, now + to_sim_time_ceil(seconds(remaining_[f] / rate_[f])));
      } else {  // behind a dead link: no completion until the link returns
        completions_.erase(f);
      }
    }
    arm_completions();
    instant_end(now);
    schedule_next_tick(now);
  }

 private:
  static constexpr size_t kRecordAtLeast = 64;  // flows; below, a record costs more than it saves

  /// Collects in component_ the flows that share a link, directly or through other
  /// flows, with a dirty link; clears the dirty set. False when there are none.
  bool find_component() {
    ++stamp_;
    component_.clear();
    frontier_.clear();
    for (uint32_t l : dirty_) {
      link_dirty_[l] = 0;
      if (link_visit_[l] != stamp_) {
        link_visit_[l] = stamp_;
        frontier_.push_back(l);
      }
    }
    dirty_.clear();
    for (size_t i = 0; i < frontier_.size(); ++i) {
      for (uint32_t slot : on_link_[frontier_[i]]) {
        const uint32_t f = slot_flow_[slot];
        if (visit_[f] == stamp_) continue;
        visit_[f] = stamp_;
        component_.push_back(f);
        for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
          const uint32_t l = paths_.links[s].value();
          if (link_visit_[l] != stamp_) {
            link_visit_[l] = stamp_;
            frontier_.push_back(l);
          }
        }
      }
    }
    return !component_.empty();
  }

  /// Whether every link an arriving flow crosses carries, after this instant's changes,
  /// only flows the solver's record holds or arriving ones.
  bool arrivals_inside_record() {
    if (arrived_.empty()) return true;
    if (change_count_.size() < on_link_.size()) change_count_.resize(on_link_.size(), 0);
    change_links_.clear();
    auto count = [&](uint32_t f, int32_t by) {
      for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
        const uint32_t l = paths_.links[s].value();
        if (change_count_[l] == 0) change_links_.push_back(l);
        change_count_[l] += by;
      }
    };
    for (uint32_t f : left_) count(f, -1);
    for (uint32_t f : arrived_) count(f, +1);
    bool inside = true;
    for (uint32_t l : change_links_) {
      if (change_count_[l] > 0 &&
          static_cast<int64_t>(solver_.incidences(l)) + change_count_[l] !=
              static_cast<int64_t>(on_link_[l].size())) {
        inside = false;
      }
    }
    for (uint32_t l : change_links_) change_count_[l] = 0;
    return inside;
  }

  /// The instant's changes are in: the observer (if any) may take its peaks.
  void instant_end(SimTime now) {
    if (options_.observer != nullptr) options_.observer->instant_end(now);
  }

  void begin_stall(uint32_t f, SimTime now) {
    stalled_[f] = 1;
    stalled_since_[f] = now;
    if (!ever_stalled_[f]) {
      ever_stalled_[f] = 1;
      ++run_.flows_stalled;
    }
  }

  void settle(uint32_t f, SimTime now) {
    const double dt = static_cast<double>((now - last_update_[f]).ps()) * 1e-12;
    remaining_[f] = std::max(0.0, remaining_[f] - rate_[f] * dt);
    last_update_[f] = now;
  }

  void mark_dirty(uint32_t l) {
    if (!link_dirty_[l]) {
      link_dirty_[l] = 1;
      dirty_.push_back(l);
    }
  }

  bool path_is_up(uint32_t f) const {
    for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
      if (!up_[paths_.links[s].value()]) return false;
    }
    return true;
  }

  /// Routes flow f now, min-hop ECMP over the links that are up, into fresh slots.
  bool route_now(uint32_t f) {
    if (!fallback_.route(flows_.src(FlowId(f)), flows_.dst(FlowId(f)),
                         topo::flow_hash(options_.seed, f), scratch_path_)) {
      return false;
    }
    path_begin_[f] = static_cast<uint32_t>(paths_.links.size());
    for (LinkId l : scratch_path_) {
      paths_.links.push_back(l);
      slot_flow_.push_back(f);
      slot_pos_.push_back(0);
    }
    path_end_[f] = static_cast<uint32_t>(paths_.links.size());
    return true;
  }

  friend class RunSkeleton<FlowModel>;

  void start(uint32_t f) {
    const SimTime now = sim_.now();
    if (flows_.is_task(FlowId(f))) {
      // A task: work on one node, done after its duration at full speed, no link involved.
      state_[f] = State::in_flight;
      run_.start[f] = now;
      last_update_[f] = now;
      start_task(f, now);
      return;
    }
    bool routed = true;
    switch (route_choice(f, [&] { return path_is_up(f); })) {
      case RouteChoice::keep: break;
      case RouteChoice::route: routed = route_now(f); break;
      case RouteChoice::reroute:
        routed = route_now(f);
        if (routed) ++run_.flows_rerouted;
        break;
    }
    if (!routed) {
      // No live path now: wait for a link to come back, then try again.
      state_[f] = State::no_route;
      wait_for_route(f);
      return;
    }
    state_[f] = State::transmitting;
    run_.start[f] = now;
    remaining_[f] = flows_.flow_size(FlowId(f)).si();
    if (options_.observer != nullptr) {
      options_.observer->flow_path(f, std::span<const LinkId>(paths_.links.data() + path_begin_[f],
                                                              paths_.links.data() + path_end_[f]));
    }
    rate_[f] = 0.0;
    last_update_[f] = now;
    arrived_.push_back(f);
    for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
      const uint32_t l = paths_.links[s].value();
      slot_pos_[s] = static_cast<uint32_t>(on_link_[l].size());
      on_link_[l].push_back(s);
      mark_dirty(l);
    }
  }

  /// The event for the earliest end of transmission came: every flow whose end is now
  /// finishes (in the order their ends were set), then the event is set for the next.
  void transmissions_due() {
    due_armed_ = false;
    const SimTime now = sim_.now();
    while (!completions_.empty() && completions_.top_at() == now) transmitted(completions_.pop());
    arm_completions();
  }

  /// Keeps one event in the queue at the earliest end of transmission (a later one left
  /// there by an end that moved earlier is void by its generation).
  void arm_completions() {
    if (completions_.empty()) return;
    const SimTime at = completions_.top_at();
    if (due_armed_ && due_at_ <= at) return;
    ++due_generation_;
    due_armed_ = true;
    due_at_ = at;
    sim_.schedule(at, kTransmitted, 0, due_generation_);
  }

  void transmitted(uint32_t f) {
    if (sim_.now() == SimTime::max()) time_ran_out(f);
    state_[f] = State::in_flight;
    if (options_.observer != nullptr) options_.observer->flow_rate(f, rate_[f], 0.0);
    rate_[f] = 0.0;
    remaining_[f] = 0.0;
    left_.push_back(f);
    const double size = flows_.flow_size(FlowId(f)).si();
    for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
      const uint32_t l = paths_.links[s].value();
      auto& list = on_link_[l];
      const uint32_t pos = slot_pos_[s];
      list[pos] = list.back();
      slot_pos_[list[pos]] = pos;
      list.pop_back();
      link_bytes_[l] += size;
      mark_dirty(l);
    }
    const std::span<const LinkId> path(paths_.links.data() + path_begin_[f],
                                       paths_.links.data() + path_end_[f]);
    sim_.schedule(sim_.now() + topo::path_latency(t_, path) + flows_.extra_latency(FlowId(f)),
                  kDelivered, f);
  }

  void delivered(uint32_t f) {
    const SimTime now = sim_.now();
    if (now == SimTime::max()) time_ran_out(f);
    state_[f] = State::delivered;
    bytes_delivered_ += flows_.flow_size(FlowId(f)).si();
    release(f, now);
  }

  void apply_step(uint32_t i) {
    for (uint32_t l : link_capacities_.apply(options_.steps[i])) {
      capacity_[l] = link_capacities_.capacity(l);
      const uint8_t up = capacity_[l] > 0;
      if (up && !up_[l]) links_came_up_ = true;
      if (up != up_[l]) fallback_.links_changed();
      up_[l] = up;
      capacity_changed_ = true;  // re-solve from scratch
      mark_dirty(l);
    }
  }

  const topo::Topology& t_;
  Paths paths_;  // planned paths, then rerouted ones appended; read via path_begin_/end_
  MaxMinSolver solver_;

  // Per flow.
  std::vector<State> state_;
  uint64_t progress_due_ = UINT64_MAX;  // events count of the next progress call
  uint64_t progress_solves_due_ = UINT64_MAX;  // or re-solves count
  double bytes_delivered_ = 0;          // bytes of the flows delivered so far
  std::vector<double> remaining_;  // bytes left to transmit as of last_update_
  std::vector<double> rate_;       // bytes/s
  std::vector<SimTime> last_update_;
  std::vector<uint32_t> visit_;
  std::vector<double> new_rate_;
  std::vector<uint32_t> path_begin_, path_end_;
  std::vector<SimTime> stalled_since_;  // when the current stall began
  std::vector<uint8_t> stalled_;        // at rate 0 behind a dead link now
  std::vector<uint8_t> ever_stalled_;

  // Per directed link.
  LinkCapacities link_capacities_;  // set capacities and outages, from the steps
  std::vector<double> capacity_;
  std::vector<uint8_t> up_;
  std::vector<std::vector<uint32_t>> on_link_;  // path slots of flows in transfer
  std::vector<uint8_t> link_dirty_;
  std::vector<uint32_t> link_visit_;
  std::vector<double> link_bytes_;

  // Per path slot.
  std::vector<uint32_t> slot_flow_, slot_pos_;

  // Rerouting.
  LiveRouter fallback_{t_, up_};
  std::vector<LinkId> scratch_path_;

  // Ends of transmission: one indexed queue of the flows in transfer at a rate, and one
  // event in the simulator's queue at the earliest of them.
  CompletionQueue completions_;
  uint32_t due_generation_ = 0;
  bool due_armed_ = false;
  SimTime due_at_;

  // What changed this instant: flows that finished transmitting, flows that started, and
  // whether a capacity changed.
  std::vector<uint32_t> left_, arrived_;
  bool capacity_changed_ = false;
  std::vector<int32_t> change_count_;  // per link, scratch of arrivals_inside_record
  std::vector<uint32_t> change_links_;

  // Scratch.
  std::vector<uint32_t> dirty_, frontier_, component_;
  uint32_t stamp_ = 0;
};

}  // namespace

RunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
                             const RunOptions& options) {
  FlowModel model(t, flows, paths, options);
  return model.run();
}

}  // namespace roshni::net
