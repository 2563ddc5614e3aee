// The flow-level model; the model itself is described in flow_model.h. Its data layout:
// per-flow state in parallel arrays by FlowId; per directed link the list of flows in
// transfer on it, as path "slots" (indices into Paths::links) so that a flow can be
// removed from a link in O(1) by swapping with the last entry.
#include "roshni/net/flow_model.h"

#include <algorithm>
#include <cmath>

#include "roshni/core/error.h"
#include "roshni/net/max_min_solver.h"
#include "roshni/sim/simulator.h"

namespace roshni::net {
namespace {

enum EventKind : uint8_t { kStart = 0, kTransmitted = 1, kDelivered = 2 };
enum class State : uint8_t { waiting, transmitting, in_flight, delivered };

class FlowModel {
 public:
  FlowModel(const topo::Topology& t, const FlowSet& flows, const Paths& paths)
      : t_(t), flows_(flows), paths_(paths) {
    const size_t n = flows.size();
    state_.assign(n, State::waiting);
    pending_.resize(n);
    remaining_.resize(n);
    rate_.assign(n, 0.0);
    last_update_.assign(n, SimTime::zero());
    generation_.assign(n, 0);
    result_.start.assign(n, SimTime::zero());
    result_.end.assign(n, SimTime::zero());
    visit_.assign(n, 0);
    new_rate_.assign(n, 0.0);

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

    const size_t links = t.link_count();
    capacity_.resize(links);
    for (uint32_t l = 0; l < links; ++l) capacity_[l] = t.link_capacity(LinkId(l)).si();
    on_link_.resize(links);
    link_dirty_.assign(links, 0);
    link_visit_.assign(links, 0);
    link_bytes_.assign(links, 0.0);
    slot_flow_.resize(paths.links.size());
    slot_pos_.resize(paths.links.size());
    for (uint32_t f = 0; f < n; ++f) {
      for (uint32_t s = paths.offset[f]; s < paths.offset[f + 1]; ++s) slot_flow_[s] = f;
    }
  }

  FlowRunResult run() {
    const size_t n = flows_.size();
    sim_.queue().reserve(std::min<size_t>(2 * n + 16, size_t{1} << 24));
    for (uint32_t f = 0; f < n; ++f) {
      if (pending_[f] == 0) sim_.schedule(flows_.earliest_start(FlowId(f)), kStart, f);
    }
    sim_.run(*this);
    result_.events = sim_.events_processed();
    result_.link_bytes.resize(link_bytes_.size());
    for (size_t l = 0; l < link_bytes_.size(); ++l) result_.link_bytes[l] = bytes(link_bytes_[l]);
    for (uint32_t f = 0; f < n; ++f) {
      if (state_[f] == State::delivered) continue;
      UnfinishedFlow u{FlowId(f), UnfinishedFlow::State::waiting, FlowId::invalid()};
      if (state_[f] == State::transmitting) u.state = UnfinishedFlow::State::transmitting;
      if (state_[f] == State::in_flight) u.state = UnfinishedFlow::State::in_flight;
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
        if (e.generation == generation_[e.target]) transmitted(e.target);
        break;
      case kDelivered:
        delivered(e.target);
        break;
      default:
        ROSHNI_ASSERT(false, "unknown event kind {}", e.kind);
    }
  }

  /// Re-solves the rates of every flow that shares a link, directly or through other
  /// flows, with a link whose set of flows changed at this timestamp.
  void end_of_timestamp(SimTime now) {
    if (dirty_.empty()) return;
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
        for (LinkId l : paths_.of(FlowId(f))) {
          if (link_visit_[l.value()] != stamp_) {
            link_visit_[l.value()] = stamp_;
            frontier_.push_back(l.value());
          }
        }
      }
    }
    if (component_.empty()) return;
    ++result_.rate_solves;
    result_.flows_rated += component_.size();
    solver_.solve(component_, paths_, capacity_, new_rate_);
    for (uint32_t f : component_) {
      if (new_rate_[f] == rate_[f]) continue;  // its scheduled completion still holds
      settle(f, now);
      rate_[f] = new_rate_[f];
      ROSHNI_ASSERT(rate_[f] > 0, "flow {} got no bandwidth", flows_.label(FlowId(f)));
      const SimTime done = now + to_sim_time_ceil(seconds(remaining_[f] / rate_[f]));
      sim_.schedule(done, kTransmitted, f, ++generation_[f]);
    }
  }

 private:
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

  void start(uint32_t f) {
    const SimTime now = sim_.now();
    state_[f] = State::transmitting;
    result_.start[f] = now;
    remaining_[f] = flows_.flow_size(FlowId(f)).si();
    rate_[f] = 0.0;
    last_update_[f] = now;
    for (uint32_t s = paths_.offset[f]; s < paths_.offset[f + 1]; ++s) {
      const uint32_t l = paths_.links[s].value();
      slot_pos_[s] = static_cast<uint32_t>(on_link_[l].size());
      on_link_[l].push_back(s);
      mark_dirty(l);
    }
  }

  void transmitted(uint32_t f) {
    state_[f] = State::in_flight;
    ++generation_[f];  // no later completion of this flow is valid
    rate_[f] = 0.0;
    remaining_[f] = 0.0;
    const double size = flows_.flow_size(FlowId(f)).si();
    for (uint32_t s = paths_.offset[f]; s < paths_.offset[f + 1]; ++s) {
      const uint32_t l = paths_.links[s].value();
      auto& list = on_link_[l];
      const uint32_t pos = slot_pos_[s];
      list[pos] = list.back();
      slot_pos_[list[pos]] = pos;
      list.pop_back();
      link_bytes_[l] += size;
      mark_dirty(l);
    }
    const SimTime latency = topo::path_latency(t_, paths_.of(FlowId(f)));
    sim_.schedule(sim_.now() + latency, kDelivered, f);
  }

  void delivered(uint32_t f) {
    const SimTime now = sim_.now();
    state_[f] = State::delivered;
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
  }

  const topo::Topology& t_;
  const FlowSet& flows_;
  const Paths& paths_;
  sim::Simulator sim_;
  MaxMinSolver solver_;
  FlowRunResult result_;

  // Per flow.
  std::vector<State> state_;
  std::vector<uint32_t> pending_;  // dependencies not yet delivered
  std::vector<double> remaining_;  // bytes left to transmit as of last_update_
  std::vector<double> rate_;       // bytes/s
  std::vector<SimTime> last_update_;
  std::vector<uint32_t> generation_;
  std::vector<uint32_t> visit_;
  std::vector<double> new_rate_;
  std::vector<uint32_t> dependent_offset_, dependents_;

  // Per directed link.
  std::vector<double> capacity_;
  std::vector<std::vector<uint32_t>> on_link_;  // path slots of flows in transfer
  std::vector<uint8_t> link_dirty_;
  std::vector<uint32_t> link_visit_;
  std::vector<double> link_bytes_;

  // Per path slot.
  std::vector<uint32_t> slot_flow_, slot_pos_;

  // Scratch.
  std::vector<uint32_t> dirty_, frontier_, component_;
  uint32_t stamp_ = 0;
};

}  // namespace

FlowRunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths) {
  FlowModel model(t, flows, paths);
  return model.run();
}

}  // namespace roshni::net
