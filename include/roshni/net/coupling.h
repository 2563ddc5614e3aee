/// What the flow model shares with the slower physics that watches a run and may change
/// it: per-node compute activity, and a hook called at a fixed period of simulated time
/// that can set how fast each node computes (a GPU past its throttle temperature runs
/// slower). Not a model itself: the thermal models (thermal/) implement it.
#pragma once

#include <cstdint>
#include <span>

#include "roshni/core/sim_time.h"

namespace roshni::net {

/// Cumulative compute activity per node, as of the moment it is read.
struct NodeActivity {
  /// Simulated time during which the node ran at least one compute step, in ps.
  std::span<const int64_t> busy_ps;
  /// Compute work done, in seconds at full speed: the integral of speed over busy time.
  std::span<const double> work_s;
  /// The speed each node computes at now, in (0, 1].
  std::span<const double> speed;
};

class Coupling {
 public:
  virtual ~Coupling() = default;
  /// Simulated time between two calls of step(); must be > 0.
  virtual SimTime period() const = 0;
  /// Called at period, 2 x period, ... while events remain. May write a new speed in
  /// (0, 1] for any node into `speed`; compute steps in progress there are re-timed.
  virtual void step(SimTime now, const NodeActivity& activity, std::span<double> speed) = 0;
};

}  // namespace roshni::net
