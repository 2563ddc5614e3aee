/// DCQCN as the packet model runs it for every flow (packet_model.cpp; the equations in
/// dcqcn.h and docs/models/packet-model.md): each sender's reaction point, the timer that
/// drives it, the pacing of its packets at the current rate, and the receiver's rule of
/// at most one CNP per flow per cnp_interval. Structure of arrays, indexed by flow.
/// Whether a flow is still sending is the model's to say: it calls cnp() and period()
/// only for those. Private to net/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "net/packet.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/dcqcn.h"
#include "roshni/sim/simulator.h"

namespace roshni::net {

class DcqcnSenders {
 public:
  void init(size_t flows, const DcqcnParams& params) {
    d_ = params;
    rp_.resize(flows);
    armed_.assign(flows, 0);
    sent_since_tick_.assign(flows, 0);
    last_cnp_.assign(flows, SimTime::ps(-1));
    eligible_.assign(flows, SimTime::zero());
    gen_.assign(flows, 0);
  }

  /// Flow f starts at `line_rate` bytes/s; its timer starts now.
  void start(uint32_t f, double line_rate, sim::Simulator& sim) {
    rp_[f].start(line_rate);
    arm(f, sim);
  }

  /// Whether paced flow f may send at `now`; if not, `wake` gets the time it may.
  [[gnu::always_inline]] bool may_send(uint32_t f, SimTime now, SimTime& wake) const {
    if (eligible_[f] <= now) return true;
    wake = std::min(wake, eligible_[f]);
    return false;
  }

  /// Flow f put a packet of `bytes` on the wire at `now`: the next may start bytes/R_C
  /// later, and a lapsed timer runs again.
  [[gnu::always_inline]] void sent(uint32_t f, uint32_t bytes, SimTime now, sim::Simulator& sim) {
    sent_since_tick_[f] = 1;
    if (!armed_[f]) arm(f, sim);
    eligible_[f] = now + to_sim_time_ceil(seconds(static_cast<double>(bytes) / rp_[f].rate()));
  }

  /// The receiver got a marked packet of flow f at `now`: true if it sends a CNP (none
  /// sent yet, or the last one at least cnp_interval ago).
  bool notify(uint32_t f, SimTime now) {
    if (!(last_cnp_[f] < SimTime::zero() || now - last_cnp_[f] >= d_.cnp_interval)) return false;
    last_cnp_[f] = now;
    return true;
  }

  /// A CNP reached sender f: the rate drops and the timer restarts from the decrease.
  void cnp(uint32_t f, sim::Simulator& sim) {
    rp_[f].cnp(d_);
    arm(f, sim);
  }

  /// Whether a kCcTimer event of `generation` is flow f's current timer.
  bool current(uint32_t f, uint32_t generation) const { return generation == gen_[f]; }

  /// Flow f's timer ran out: one period of the reaction point.
  void period(uint32_t f, sim::Simulator& sim) {
    rp_[f].period(d_);
    // The timer runs while the flow sends; one that sent nothing for a whole period
    // (paused, or done) lets it lapse, and its next packet re-arms it, so timers never
    // keep a finished (or PFC-deadlocked) run alive.
    if (sent_since_tick_[f]) {
      sim.schedule(sim.now() + d_.period, packet::kCcTimer, f, gen_[f]);
    } else {
      armed_[f] = 0;
    }
    sent_since_tick_[f] = 0;
  }

  double rate(uint32_t f) const { return rp_[f].rate(); }

 private:
  void arm(uint32_t f, sim::Simulator& sim) {
    armed_[f] = 1;
    sim.schedule(sim.now() + d_.period, packet::kCcTimer, f, ++gen_[f]);
  }

  DcqcnParams d_;
  std::vector<DcqcnReactionPoint> rp_;  // the sender's state
  std::vector<uint8_t> armed_, sent_since_tick_;
  std::vector<SimTime> last_cnp_, eligible_;
  std::vector<uint32_t> gen_;  // bumped when the timer restarts: older timer events are void
};

}  // namespace roshni::net
