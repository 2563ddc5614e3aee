/// Tasks (compute steps) on nodes whose speed a coupling may change during the run (a
/// throttled GPU), shared by the flow and packet models (through run_skeleton.h): per node
/// the busy time, work and throttled time (into the run's RunResult), and an activity
/// observer told when a node starts and stops computing and when a busy node's speed
/// changes; per task the work it has left. The models keep their own events: this says when a step ends.
/// Steps that overlap on a node share it (processor sharing, docs/models/energy.md): k
/// of them each progress at speed / k, so the node's work, and so its energy and heat,
/// is what its steps need, and the steps take as long as that work at that speed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/core/sim_time.h"
#include "roshni/net/activity_observer.h"
#include "roshni/net/coupling.h"
#include "roshni/net/run_contract.h"

namespace roshni::net {

class ComputeNodes {
 public:
  /// `nodes` topology nodes, `steps` entries (tasks among them); busy time, work and
  /// throttled time go to `r`; `observer` (may be null) is told of the nodes' activity.
  void init(size_t nodes, size_t steps, RunResult& r, ActivityObserver* observer) {
    r_ = &r;
    observer_ = observer;
    r.busy_ps.assign(nodes, 0);
    r.work_s.assign(nodes, 0.0);
    r.slowed_ps.assign(nodes, 0);
    active_.assign(nodes, 0);
    last_.assign(nodes, SimTime::zero());
    speed_.assign(nodes, 1.0);
    new_speed_.assign(nodes, 1.0);
    running_.resize(nodes);
    pos_.assign(steps, 0);
    remaining_.assign(steps, 0.0);
    updated_.assign(steps, SimTime::zero());
  }

  /// Step f, of `full` at full speed, starts on node n now; returns when it ends.
  /// `reschedule(g, end)` is called for each step g already on n (now slower).
  template <class Reschedule>
  SimTime start(uint32_t f, uint32_t n, SimTime now, SimTime full, Reschedule&& reschedule) {
    settle(n, now);
    progress(n, now);
    if (active_[n]++ == 0 && observer_ != nullptr) observer_->node_busy(n, speed_[n]);
    pos_[f] = static_cast<uint32_t>(running_[n].size());
    running_[n].push_back(f);
    remaining_[f] = static_cast<double>(full.ps());  // ps at full speed
    updated_[f] = now;
    for (uint32_t g : running_[n]) {
      if (g != f) reschedule(g, end_of(g, n, now));
    }
    return end_of(f, n, now);
  }

  /// Step f on node n has ended now; `reschedule(g, end)` is called for each step g
  /// still on n (now faster).
  template <class Reschedule>
  void finish(uint32_t f, uint32_t n, SimTime now, Reschedule&& reschedule) {
    settle(n, now);
    progress(n, now);
    if (--active_[n] == 0 && observer_ != nullptr) observer_->node_idle(n, speed_[n]);
    auto& list = running_[n];
    const uint32_t pos = pos_[f];
    list[pos] = list.back();
    pos_[list[pos]] = pos;
    list.pop_back();
    for (uint32_t g : list) reschedule(g, end_of(g, n, now));
  }

  /// Brings every node's busy time and work up to now.
  void settle_all(SimTime now) {
    for (uint32_t n = 0; n < active_.size(); ++n) settle(n, now);
  }

  /// Calls the coupling at now and applies the speeds it sets: the steps in progress on
  /// a node whose speed changed are re-timed from their work left, and `reschedule(f,
  /// end)` is called for each (after all of that node's steps are updated).
  template <class Reschedule>
  void step_coupling(Coupling& coupling, SimTime now, Reschedule&& reschedule) {
    settle_all(now);
    new_speed_ = speed_;
    coupling.step(now, NodeActivity{r_->busy_ps, r_->work_s, speed_}, new_speed_);
    for (uint32_t n = 0; n < active_.size(); ++n) {
      const double s = new_speed_[n];
      if (s == speed_[n]) continue;
      ROSHNI_ASSERT(s > 0 && s <= 1, "a coupling set node {} to speed {}", n, s);
      if (active_[n] > 0 && observer_ != nullptr) observer_->node_speed(n, speed_[n], s);
      progress(n, now);
      speed_[n] = s;
      for (uint32_t f : running_[n]) reschedule(f, end_of(f, n, now));
    }
  }

 private:
  void settle(uint32_t n, SimTime now) {
    if (active_[n] > 0 && now > last_[n]) {
      const int64_t dt = (now - last_[n]).ps();
      r_->busy_ps[n] += dt;
      r_->work_s[n] += static_cast<double>(dt) * 1e-12 * speed_[n];
      if (speed_[n] < 1.0) r_->slowed_ps[n] += dt;
    }
    last_[n] = now;
  }
  /// Brings the work left of node n's steps up to now, at the rate they had since their
  /// last update (the node's speed shared by its steps).
  void progress(uint32_t n, SimTime now) {
    const auto& list = running_[n];
    if (list.empty()) return;
    const double rate = speed_[n] / static_cast<double>(list.size());
    for (uint32_t f : list) {
      const double done = static_cast<double>((now - updated_[f]).ps()) * rate;
      remaining_[f] = std::max(0.0, remaining_[f] - done);
      updated_[f] = now;
    }
  }
  /// When step f on node n ends if nothing changes after now.
  SimTime end_of(uint32_t f, uint32_t n, SimTime now) const {
    const double k = static_cast<double>(running_[n].size());
    const double ps = remaining_[f] * k / speed_[n];
    return ps >= 9.2e18 ? SimTime::max() : now + SimTime::ps(static_cast<int64_t>(std::ceil(ps)));
  }

  RunResult* r_ = nullptr;
  ActivityObserver* observer_ = nullptr;
  std::vector<uint32_t> active_;                // per node: compute steps running
  std::vector<SimTime> last_;                   // per node: settled up to here
  std::vector<double> speed_, new_speed_;       // per node, (0, 1]
  std::vector<std::vector<uint32_t>> running_;  // per node: its steps running
  std::vector<uint32_t> pos_;                   // per step: index in running_
  std::vector<double> remaining_;               // per step: work left, ps at full speed
  std::vector<SimTime> updated_;                // per step: remaining_ as of then
};

}  // namespace roshni::net
