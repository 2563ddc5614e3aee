/// What a network model reports, as the run goes, about the activity that draws dynamic
/// power: nodes computing (and how fast), flows sending at a rate over their paths (flow
/// model), packets on a link's wire (packet model), and the end of every instant, once
/// its changes are in. Not a model itself: the power layer attaches one
/// (power/dynamic_power.h) to find the peaks of the dynamic power, as the thermal layer
/// attaches a Coupling to set compute speeds. An observer only watches: it cannot change
/// the run, and a run gives the same results with or without one.
#pragma once

#include <cstdint>
#include <span>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"

namespace roshni::net {

class ActivityObserver {
 public:
  virtual ~ActivityObserver() = default;

  /// Node n starts computing (its first task) at `speed` in (0, 1].
  virtual void node_busy(uint32_t n, double speed) = 0;
  /// Node n's last task ended; it computed at `speed`.
  virtual void node_idle(uint32_t n, double speed) = 0;
  /// A busy node n's speed changed from `before` to `after`.
  virtual void node_speed(uint32_t n, double before, double after) = 0;

  /// Flow model: flow f starts transmitting over `path` (before any flow_rate of it).
  virtual void flow_path(uint32_t f, std::span<const LinkId> path) = 0;
  /// Flow model: flow f's rate changed from `before` to `after`, bytes/s (to 0 when it
  /// has transmitted its last byte).
  virtual void flow_rate(uint32_t f, double before, double after) = 0;

  /// Packet model: a packet starts on directed link l's wire at `rate` bytes/s.
  virtual void wire_busy(uint32_t l, double rate) = 0;
  /// Packet model: the packet on link l's wire left it (sent, or cut by a failure).
  virtual void wire_idle(uint32_t l) = 0;

  /// Every change of the instant `now` has been reported.
  virtual void instant_end(SimTime now) = 0;
  /// The run is over; the last entry was delivered at `makespan`.
  virtual void run_end(SimTime makespan) = 0;
};

}  // namespace roshni::net
