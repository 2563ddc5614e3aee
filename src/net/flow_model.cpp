// The flow-level model; the model itself is described in flow_model.h. Its data layout:
// per-flow state in parallel arrays by FlowId; each flow's path is a range of "slots" in
// one growing array (a rerouted flow gets fresh slots at the end); per directed link the
// list of slots of the flows in transfer on it, so that a flow leaves a link in O(1) by
// swapping with the last entry; ends of transmission in an indexed queue of their own
// (CompletionQueue), with one simulator event at the earliest.
#include "roshni/net/flow_model.h"

#include <algorithm>
#include <cmath>

#include "net/compute_nodes.h"
#include "net/link_capacities.h"
#include "net/live_router.h"
#include "net/step_triggers.h"
#include "roshni/core/error.h"
#include "roshni/net/max_min_solver.h"
#include "roshni/sim/simulator.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

enum EventKind : uint8_t {
  kStart = 0, kTransmitted = 1, kDelivered = 2, kCapacity = 3, kComputeDone = 4, kTick = 5
};
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

class FlowModel {
 public:
  FlowModel(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
            const FlowRunOptions& options)
      : t_(t), flows_(flows), options_(options) {
    const size_t n = flows.size();
    state_.assign(n, State::waiting);
    pending_.resize(n);
    remaining_.resize(n);
    rate_.assign(n, 0.0);
    last_update_.assign(n, SimTime::zero());
    generation_.assign(n, 0);
    completions_.resize(n);
    result_.start.assign(n, SimTime::zero());
    result_.end.assign(n, SimTime::zero());
    result_.stalled_for.assign(n, SimTime::zero());
    visit_.assign(n, 0);
    new_rate_.assign(n, 0.0);
    stalled_since_.assign(n, SimTime::zero());
    stalled_.assign(n, 0);
    ever_stalled_.assign(n, 0);

    // Compute activity per node.
    compute_.init(t.node_count(), n, result_, options.node_busy_power);
    if (!options.link_energy_per_byte.empty()) {
      flow_joules_per_byte_.assign(n, 0.0);
    }
    groups_ = options.link_energy_groups.size();
    group_power_.assign(groups_, 0.0);
    flow_group_joules_.assign(n * groups_, 0.0);
    result_.peak_link_group_power.assign(groups_, 0.0);

    // Who waits for whom, reversed: dependents in compressed rows.
    dependent_offset_.assign(n + 1, 0);
    for (uint32_t f = 0; f < n; ++f) {
      pending_[f] = static_cast<uint32_t>(flows.deps(FlowId(f)).size());
      for (FlowId d : flows.deps(FlowId(f))) ++dependent_offset_[d.value() + 1];
    }
    for (size_t i = 0; i < n; ++i) dependent_offset_[i + 1] += dependent_offset_[i];
    dependents_.resize(dependent_offset_[n]);
    std::vector<uint32_t> fill(dependent_offset_.begin(), dependent_offset_.end() - 1);
    for (uint32_t f = 0; f < n; ++f) {
      for (FlowId d : flows.deps(FlowId(f))) dependents_[fill[d.value()]++] = f;
    }

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

    // Capacity steps: absolute ones are scheduled at the start; triggered ones when the
    // last flow they wait for is delivered.
    step_triggers_.init(options.steps, n);
  }

  FlowRunResult run() {
    const size_t n = flows_.size();
    if (options_.progress) {
      progress_due_ = std::max<uint64_t>(1, options_.progress_every);
      progress_solves_due_ = std::max<uint64_t>(1, options_.progress_every_solves);
    }
    sim_.queue().reserve(std::min<size_t>(2 * n + 16, size_t{1} << 24));
    for (uint32_t i = 0; i < options_.steps.size(); ++i) {
      if (options_.steps[i].after.empty()) sim_.schedule(options_.steps[i].at, kCapacity, i);
    }
    for (uint32_t f = 0; f < n; ++f) {
      if (pending_[f] == 0) sim_.schedule(flows_.earliest_start(FlowId(f)), kStart, f);
    }
    if (options_.coupling != nullptr && n > 0) {
      period_ = options_.coupling->period();
      ROSHNI_ASSERT(period_ > SimTime::zero(), "a coupling's period must be positive");
      sim_.schedule(period_, kTick, 0);
    }
    sim_.run(*this);
    compute_.settle_all(result_.makespan);
    for (uint32_t f = 0; f < n; ++f) {  // still stalled when the run ran out of events
      if (stalled_[f]) result_.stalled_for[f] += sim_.now() - stalled_since_[f];
    }
    if (options_.record_activity) result_.activity.push_back({result_.makespan, 0.0, 0.0});
    result_.events = sim_.events_processed();
    result_.link_bytes.resize(link_bytes_.size());
    for (size_t l = 0; l < link_bytes_.size(); ++l) result_.link_bytes[l] = bytes(link_bytes_[l]);
    for (uint32_t f = 0; f < n; ++f) {
      if (state_[f] == State::delivered) continue;
      UnfinishedFlow u{FlowId(f), UnfinishedFlow::State::waiting, FlowId::invalid(),
                       LinkId::invalid()};
      switch (state_[f]) {
        case State::transmitting:
          u.state = UnfinishedFlow::State::transmitting;
          for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
            if (!up_[paths_.links[s].value()]) u.dead_link = paths_.links[s];
          }
          break;
        case State::in_flight: u.state = UnfinishedFlow::State::in_flight; break;
        case State::no_route: u.state = UnfinishedFlow::State::no_route; break;
        default: break;
      }
      for (FlowId d : flows_.deps(FlowId(f))) {
        if (state_[d.value()] != State::delivered) {
          u.waiting_for = d;
          break;
        }
      }
      result_.unfinished.push_back(u);
    }
    return std::move(result_);
  }

  void handle(const sim::Event& e) {
    switch (e.kind) {
      case kStart:
        start(e.target);
        break;
      case kTransmitted:
        if (e.generation == due_generation_) transmissions_due();
        break;
      case kDelivered:
        delivered(e.target);
        break;
      case kCapacity:
        apply_step(e.target);
        break;
      case kComputeDone:
        if (e.generation == generation_[e.target]) compute_done(e.target);
        break;
      case kTick:
        tick();
        break;
      default:
        ROSHNI_ASSERT(false, "unknown event kind {}", e.kind);
    }
  }

  /// Re-solves the rates of every flow that shares a link, directly or through other
  /// flows, with a link whose set of flows (or capacity) changed at this timestamp.
  void end_of_timestamp(SimTime now) {
    if (sim_.events_processed() >= progress_due_ || result_.rate_solves >= progress_solves_due_) {
      progress_due_ = sim_.events_processed() + std::max<uint64_t>(1, options_.progress_every);
      progress_solves_due_ = result_.rate_solves + std::max<uint64_t>(1, options_.progress_every_solves);
      options_.progress({now, sim_.events_processed(), delivered_count_, flows_.size(),
                         result_.rate_solves, bytes_delivered_, flows_.total_size().si()});
    }
    if (links_came_up_ && !no_route_.empty()) retry_unrouted();
    links_came_up_ = false;
    // Only departures this instant, all of flows in the solver's record: re-solve from
    // the first filling step a departure changes (MaxMinSolver::resolve_without).
    const bool departures_only = !arrivals_ && !left_.empty() &&
        std::all_of(left_.begin(), left_.end(), [&](uint32_t f) { return solver_.recorded(f); });
    arrivals_ = false;
    if (dirty_.empty()) {
      left_.clear();
      note_peaks(now);
      schedule_next_tick(now);
      return;
    }
    const PathView view{path_begin_.data(), path_end_.data(), paths_.links.data()};
    if (departures_only) {
      for (uint32_t l : dirty_) link_dirty_[l] = 0;
      dirty_.clear();
      solver_.resolve_without(left_, view, capacity_, new_rate_, component_);
      left_.clear();
      if (!component_.empty()) ++result_.rate_solves;  // else no flow is left to re-rate
      result_.flows_rated += component_.size();
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
      if (!find_component()) {  // flows only left links that now carry nothing
        note_peaks(now);
        schedule_next_tick(now);
        return;
      }
      ++result_.rate_solves;
      result_.flows_rated += component_.size();
      // A large component is solved with a record, so that the departures that follow
      // can restart the filling where they first matter.
      if (component_.size() >= kRecordAtLeast) {
        solver_.solve_recorded(component_, view, capacity_, new_rate_);
      } else {
        solver_.solve(component_, view, capacity_, new_rate_);
      }
    }
    for (uint32_t f : component_) {
      if (new_rate_[f] == 0) {
        // Behind a dead link (a flow that just started behind one too): stalled from
        // now until a rate comes back.
        if (!stalled_[f]) begin_stall(f, now);
      } else if (stalled_[f]) {
        result_.stalled_for[f] += now - stalled_since_[f];
        stalled_[f] = 0;
      }
      if (new_rate_[f] == rate_[f]) continue;  // its scheduled completion still holds
      settle(f, now);
      if (!flow_joules_per_byte_.empty()) {
        link_power_ += (new_rate_[f] - rate_[f]) * flow_joules_per_byte_[f];
      }
      for (size_t g = 0; g < groups_; ++g) {
        group_power_[g] += (new_rate_[f] - rate_[f]) * flow_group_joules_[f * groups_ + g];
      }
      if (options_.record_activity) {
        throughput_ += (new_rate_[f] - rate_[f]) * (path_end_[f] - path_begin_[f]);
      }
      rate_[f] = new_rate_[f];
      if (rate_[f] > 0) {
        completions_.set(f, now + to_sim_time_ceil(seconds(remaining_[f] / rate_[f])));
      } else {  // behind a dead link: no completion until the link returns
        completions_.erase(f);
      }
    }
    arm_completions();
    note_peaks(now);
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

  // ---- compute activity and the coupling ----

  void start_compute(uint32_t f, SimTime now) {
    const uint32_t node = flows_.src(FlowId(f)).value();
    state_[f] = State::in_flight;
    result_.start[f] = now;
    last_update_[f] = now;
    const SimTime end = compute_.start(f, node, now, flows_.compute_time(FlowId(f)),
                                       [&](uint32_t g, SimTime at) { retime_compute(g, at); });
    sim_.schedule(end, kComputeDone, f, generation_[f]);
  }

  void compute_done(uint32_t f) {
    if (sim_.now() == SimTime::max()) time_ran_out(f);
    compute_.finish(f, flows_.src(FlowId(f)).value(), sim_.now(),
                    [&](uint32_t g, SimTime at) { retime_compute(g, at); });
    ++generation_[f];
    delivered(f);
  }

  /// Compute step f now ends at `end` (its node's speed or its share of it changed).
  void retime_compute(uint32_t f, SimTime end) {
    ++generation_[f];
    sim_.schedule(end, kComputeDone, f, generation_[f]);
  }

  void tick() {
    // A tick scheduled before the last delivery may fire after it: the run is over.
    if (delivered_count_ == flows_.size() || sim_.now() == SimTime::max()) return;
    const SimTime now = sim_.now();
    compute_.step_coupling(*options_.coupling, now,
                           [&](uint32_t f, SimTime end) { retime_compute(f, end); });
    // The next tick is scheduled at the end of this instant (end_of_timestamp), once
    // the flows that this instant released have their completions in the queue.
    tick_due_ = true;
  }

  /// Keeps ticking only while something else can still happen. Called after the
  /// instant's rates are solved: a flow released at a tick (a compute step ending on it)
  /// has its completion scheduled only then.
  void schedule_next_tick(SimTime now) {
    if (!tick_due_) return;
    tick_due_ = false;
    if (!sim_.queue().empty()) sim_.schedule(now + period_, kTick, 0);
  }

  /// Records the peaks of the dynamic power after the timestamp's changes.
  void note_peaks(SimTime now) {
    const double compute_power = compute_.power();
    if (compute_power > result_.peak_compute_power) result_.peak_compute_power = compute_power;
    if (link_power_ > result_.peak_link_power) result_.peak_link_power = link_power_;
    for (size_t g = 0; g < groups_; ++g) {
      auto& peak = result_.peak_link_group_power[g];
      peak = std::max(peak, group_power_[g]);
    }
    const double sum = compute_power + link_power_;
    if (sum > result_.peak_dynamic_power) {
      result_.peak_dynamic_power = sum;
      result_.peak_dynamic_at = now;
    }
    if (options_.record_activity) record(now, sum);
  }

  void record(SimTime now, double power) {
    auto& a = result_.activity;
    if (!a.empty() && a.back().dynamic_power == power && a.back().link_throughput == throughput_) {
      return;  // nothing changed
    }
    if (++sample_count_ % sample_stride_ != 0) return;
    if (a.size() >= std::max<size_t>(2, options_.max_activity_samples)) {
      size_t k = 0;
      for (size_t i = 0; i < a.size(); i += 2) a[k++] = a[i];
      a.resize(k);
      sample_stride_ *= 2;
    }
    a.push_back({now, power, throughput_});
  }

  /// Times that overflow saturate at SimTime::max() (see sim_time.h): an event that is
  /// still valid there is work that would end past the end of simulated time.
  [[noreturn]] void time_ran_out(uint32_t f) const {
    throw TimeExhausted(fmt::format(
        "simulated time ran out (2^63 - 1 ps, about 106.8 days) before '{}' was done; "
        "a link or GPU slowed so far during the run that its work cannot end",
        flows_.label(FlowId(f))));
  }

  void begin_stall(uint32_t f, SimTime now) {
    stalled_[f] = 1;
    stalled_since_[f] = now;
    if (!ever_stalled_[f]) {
      ever_stalled_[f] = 1;
      ++result_.flows_stalled;
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

  void start(uint32_t f) {
    const SimTime now = sim_.now();
    if (flows_.is_compute(FlowId(f))) {
      // Work on one node: done after its duration at full speed, no link involved.
      start_compute(f, now);
      return;
    }
    // Pinned paths are the user's choice and are kept, dead or alive. Others are routed
    // now (fabrics whose links come and go) or rerouted if their planned path is dead.
    const bool pinned = !flows_.pinned_path(FlowId(f)).empty();
    bool routed = true;
    if (!pinned && options_.route_at_start) {
      routed = route_now(f);
    } else if (!pinned && options_.reroute && !path_is_up(f)) {
      routed = route_now(f);
      if (routed) ++result_.flows_rerouted;
    }
    if (!routed) {
      // No live path now: wait for a link to come back, then try again.
      state_[f] = State::no_route;
      no_route_.push_back(f);
      return;
    }
    state_[f] = State::transmitting;
    result_.start[f] = now;
    remaining_[f] = flows_.flow_size(FlowId(f)).si();
    if (!flow_joules_per_byte_.empty()) {
      double j = 0;
      for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
        j += options_.link_energy_per_byte[paths_.links[s].value()];
      }
      flow_joules_per_byte_[f] = j;
    }
    for (size_t g = 0; g < groups_; ++g) {
      double j = 0;
      for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
        j += options_.link_energy_groups[g][paths_.links[s].value()];
      }
      flow_group_joules_[f * groups_ + g] = j;
    }
    rate_[f] = 0.0;
    last_update_[f] = now;
    arrivals_ = true;
    for (uint32_t s = path_begin_[f]; s < path_end_[f]; ++s) {
      const uint32_t l = paths_.links[s].value();
      slot_pos_[s] = static_cast<uint32_t>(on_link_[l].size());
      on_link_[l].push_back(s);
      mark_dirty(l);
    }
  }

  void retry_unrouted() {
    std::vector<uint32_t> waiting;
    waiting.swap(no_route_);
    for (uint32_t f : waiting) start(f);
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
    if (!flow_joules_per_byte_.empty()) link_power_ -= rate_[f] * flow_joules_per_byte_[f];
    for (size_t g = 0; g < groups_; ++g) {
      group_power_[g] -= rate_[f] * flow_group_joules_[f * groups_ + g];
    }
    if (options_.record_activity) throughput_ -= rate_[f] * (path_end_[f] - path_begin_[f]);
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
    sim_.schedule(sim_.now() + topo::path_latency(t_, path), kDelivered, f);
  }

  void delivered(uint32_t f) {
    const SimTime now = sim_.now();
    if (now == SimTime::max()) time_ran_out(f);
    state_[f] = State::delivered;
    ++delivered_count_;
    bytes_delivered_ += flows_.flow_size(FlowId(f)).si();
    result_.end[f] = now;
    result_.makespan = std::max(result_.makespan, now);
    for (uint32_t k = dependent_offset_[f]; k < dependent_offset_[f + 1]; ++k) {
      const uint32_t d = dependents_[k];
      if (--pending_[d] > 0) continue;
      const SimTime earliest = flows_.earliest_start(FlowId(d));
      if (earliest > now) {
        sim_.schedule(earliest, kStart, d);
      } else {
        start(d);
      }
    }
    step_triggers_.delivered(f, [&](uint32_t i) {
      sim_.schedule(now + options_.steps[i].delay, kCapacity, i);
    });
  }

  void apply_step(uint32_t i) {
    for (uint32_t l : link_capacities_.apply(options_.steps[i])) {
      capacity_[l] = link_capacities_.capacity(l);
      const uint8_t up = capacity_[l] > 0;
      if (up && !up_[l]) links_came_up_ = true;
      if (up != up_[l]) fallback_.links_changed();
      up_[l] = up;
      arrivals_ = true;  // not a departure: re-solve from scratch
      mark_dirty(l);
    }
  }

  const topo::Topology& t_;
  const FlowSet& flows_;
  const FlowRunOptions& options_;
  Paths paths_;  // planned paths, then rerouted ones appended; read via path_begin_/end_
  sim::Simulator sim_;
  MaxMinSolver solver_;
  FlowRunResult result_;

  // Per flow.
  std::vector<State> state_;
  std::vector<uint32_t> pending_;  // dependencies not yet delivered
  size_t delivered_count_ = 0;
  uint64_t progress_due_ = UINT64_MAX;  // events count of the next progress call
  uint64_t progress_solves_due_ = UINT64_MAX;  // or re-solves count
  double bytes_delivered_ = 0;          // bytes of the flows delivered so far
  std::vector<double> remaining_;  // bytes left to transmit as of last_update_
  std::vector<double> rate_;       // bytes/s
  std::vector<SimTime> last_update_;
  std::vector<uint32_t> generation_;
  std::vector<uint32_t> visit_;
  std::vector<double> new_rate_;
  std::vector<uint32_t> dependent_offset_, dependents_;
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

  // Capacity steps.
  StepTriggers step_triggers_;

  // Rerouting.
  LiveRouter fallback_{t_, up_};
  bool links_came_up_ = false;
  std::vector<uint32_t> no_route_;
  std::vector<LinkId> scratch_path_;

  // Compute activity per node, and the coupling.
  ComputeNodes compute_;
  SimTime period_;
  bool tick_due_ = false;  // a tick ran this instant: schedule the next at its end
  // Activity samples.
  double throughput_ = 0;  // bytes/s on all directed links: sum of rate x hops
  uint64_t sample_count_ = 0, sample_stride_ = 1;
  // Dynamic power now (watts), for the peaks.
  double link_power_ = 0;
  std::vector<double> flow_joules_per_byte_;     // per flow: sum over its path
  // The same by group (FlowRunOptions::link_energy_groups): power now, and per flow
  // (flow-major, groups_ each) the sum over its path.
  size_t groups_ = 0;
  std::vector<double> group_power_, flow_group_joules_;

  // Ends of transmission: one indexed queue of the flows in transfer at a rate, and one
  // event in the simulator's queue at the earliest of them.
  CompletionQueue completions_;
  uint32_t due_generation_ = 0;
  bool due_armed_ = false;
  SimTime due_at_;

  // What changed this instant: flows that finished transmitting, and whether anything
  // else did (a flow started, a capacity changed).
  std::vector<uint32_t> left_;
  bool arrivals_ = false;

  // Scratch.
  std::vector<uint32_t> dirty_, frontier_, component_;
  uint32_t stamp_ = 0;
};

}  // namespace

FlowRunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
                             const FlowRunOptions& options) {
  FlowModel model(t, flows, paths, options);
  return model.run();
}

}  // namespace roshni::net
