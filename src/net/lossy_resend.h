/// Lossy mode's retransmission in the packet model (packet_model.cpp): a lost packet
/// (dropped at a full buffer, or cut by a failing link) is resent by its sender one
/// retransmit timeout after it was sent (selective, timer-driven). Per flow, the lost
/// packets wait in the order they were lost, under one timer for the oldest (the event
/// heap holds one event per flow with losses, not one per lost packet); once timed out
/// they move to the flow's resend list, which the sender's port serves before new
/// packets. A packet whose path is down is parked until a link comes up rather than
/// resent into the dead link after every timeout. Private to net/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "net/packet.h"
#include "net/packet_ring.h"
#include "roshni/core/sim_time.h"
#include "roshni/sim/simulator.h"

namespace roshni::net {

class LossyResend {
 public:
  void init(size_t flows, SimTime timeout) {
    timeout_ = timeout;
    resend_.resize(flows);
    lost_.resize(flows);
  }

  /// Whether flow f has timed-out packets to send again.
  bool has_resend(uint32_t f) const { return !resend_[f].empty(); }
  /// The next of them, oldest first.
  uint32_t pop_resend(uint32_t f) { return resend_[f].pop(); }
  /// Packet id of flow f is to be sent again as soon as its port may.
  void resend(uint32_t f, uint32_t id) { resend_[f].push(id); }

  /// Packet `id` (p) is lost: its flow's timer starts if it had no loss waiting.
  void lose(uint32_t id, const packet::Packet& p, sim::Simulator& sim) {
    auto& wait = lost_[p.flow];
    if (wait.empty()) {
      sim.schedule(std::max(sim.now(), p.sent + timeout_), packet::kRetransmit, p.flow);
    }
    wait.push(id);
  }

  /// Flow f's timer ran out: moves its lost packets whose timeout has run out to its
  /// resend list (in the order they were lost; one lost behind a later-sent one waits
  /// for it, a simplification that only spraying can cause), or parks those whose path
  /// `path_up(offset, hops)` says is down, and re-arms the timer for the next.
  template <class PathUp>
  void timed_out(uint32_t f, std::vector<packet::Packet>& pool, PathUp&& path_up,
                 sim::Simulator& sim) {
    const SimTime now = sim.now();
    auto& wait = lost_[f];
    while (!wait.empty() && pool[wait.front()].sent + timeout_ <= now) {
      const uint32_t id = wait.pop();
      packet::Packet& p = pool[id];
      p.hop = 0;
      p.ecn = 0;
      p.tail = now;
      if (path_up(p.path, p.hops)) {
        resend_[f].push(id);
      } else {
        // Resent now it would only be lost again at the dead link, and again after every
        // timeout, for as long as the link is down (for ever, if it never comes back):
        // it waits for a link to come up instead.
        parked_.push_back(id);
      }
    }
    if (!wait.empty()) {
      sim.schedule(pool[wait.front()].sent + timeout_, packet::kRetransmit, f);
    }
  }

  /// Packets parked behind a dead link, oldest first.
  const std::vector<uint32_t>& parked() const { return parked_; }
  /// Links came up: each parked packet whose path `path_up` says is up again goes to
  /// its flow's resend list and `wake(flow)` is called; the others stay parked.
  template <class PathUp, class Wake>
  void unpark(const std::vector<packet::Packet>& pool, PathUp&& path_up, Wake&& wake) {
    std::vector<uint32_t> parked;
    parked.swap(parked_);
    for (uint32_t id : parked) {
      const packet::Packet& p = pool[id];
      if (!path_up(p.path, p.hops)) {
        parked_.push_back(id);
        continue;
      }
      resend_[p.flow].push(id);
      wake(p.flow);
    }
  }

 private:
  SimTime timeout_;
  std::vector<PacketRing> resend_;  // packets to resend, timed out, oldest first
  std::vector<PacketRing> lost_;    // packets lost, waiting for their timeout
  std::vector<uint32_t> parked_;    // lost packets whose path is down, to resend
};

}  // namespace roshni::net
