/// The links of the packet model as they change (packet_model.cpp): per directed link
/// its rate now (0: down; failures and optical circuits, through RunOptions' capacity
/// steps, as in the flow model) and the times that follow from it: a packet's and a
/// 64-byte control frame's serialisation, and a pause frame's trip back to the link's
/// sender; with the router that routes flows over the links up now. What a link going
/// down does to the packet on it is the model's (link_down). Structure of arrays,
/// indexed by link. Private to net/.
#pragma once

#include <cstdint>
#include <vector>

#include "net/link_capacities.h"
#include "net/live_router.h"
#include "net/packet.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/run_contract.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

class PacketLinks {
 public:
  explicit PacketLinks(const topo::Topology& t) : t_(t) {}

  /// The topology's rates, then those that differ at time 0 (circuits not set yet);
  /// packets carry at most c.mtu bytes.
  void init(const RunOptions& options, const PacketConfig& c) {
    const size_t links = t_.link_count();
    mtu_ = c.mtu;
    rate_.resize(links);
    up_.resize(links);
    capacities_.init(t_, options);
    for (uint32_t l = 0; l < links; ++l) rate_[l] = capacities_.initial(l);
    for (uint32_t l = 0; l < links; ++l) up_[l] = rate_[l] > 0;
    ps_per_byte_.resize(links);
    mtu_time_.resize(links);
    header_time_.resize(links);
    latency_.resize(links);
    pause_delay_.resize(links);
    forwarding_.resize(links);
    for (uint32_t l = 0; l < links; ++l) {
      const LinkId id(l);
      latency_[l] = t_.link_latency(id);
      forwarding_[l] = t_.forwarding_latency(t_.link_to(id));
    }
    for (uint32_t l = 0; l < links; ++l) set_rate(l, rate_[l]);
    // The node a link enters decides whether a packet is forwarded before its tail has
    // arrived.
    cut_through_.resize(links);
    for (uint32_t l = 0; l < links; ++l) {
      const uint32_t to = t_.link_to(LinkId(l)).value();
      const Switching sw = c.node_switching.empty() ? c.switching : c.node_switching[to];
      cut_through_[l] = sw == Switching::cut_through;
    }
  }

  double rate(uint32_t l) const { return rate_[l]; }  // bytes/s now
  bool up(uint32_t l) const { return up_[l]; }
  const std::vector<uint8_t>& up() const { return up_; }
  /// A packet of b bytes on link l: b / B rounded up to a whole picosecond.
  SimTime serialisation(uint32_t l, uint32_t b) const {
    return b == mtu_ ? mtu_time_[l] : time_for(l, b);
  }
  SimTime header_time(uint32_t l) const { return header_time_[l]; }
  SimTime latency(uint32_t l) const { return latency_[l]; }
  /// The forwarding latency of the node link l enters.
  SimTime forwarding(uint32_t l) const { return forwarding_[l]; }
  /// The node link l enters cuts through.
  bool cut_through(uint32_t l) const { return cut_through_[l]; }
  /// A pause frame's trip back over link x's reverse, to x's sender.
  SimTime pause_delay(uint32_t x) const { return pause_delay_[x]; }

  struct Change {
    const std::vector<uint32_t>& changed;  // the links the step names, each once
    bool up_changed = false;               // some link went down or came up
    bool came_up = false;                  // some link came up
  };
  /// Applies capacity step s: every link it names takes its new rate; `went_down(l)` is
  /// called for each link that was up and is now down, in the order the step names them.
  template <class Down>
  Change apply(const CapacityStep& s, Down&& went_down) {
    Change c{capacities_.apply(s)};
    for (uint32_t l : c.changed) {
      const bool was_up = up_[l];
      set_rate(l, capacities_.capacity(l));
      up_[l] = rate_[l] > 0;
      if (was_up != static_cast<bool>(up_[l])) {
        router_.links_changed();
        c.up_changed = true;
      }
      if (was_up && !up_[l]) went_down(l);
      if (!was_up && up_[l]) c.came_up = true;
    }
    return c;
  }

  /// Min-hop ECMP over the links up now (live_router.h).
  LiveRouter& router() { return router_; }

 private:
  SimTime time_for(uint32_t l, uint64_t b) const {
    // b / B rounded up to a whole picosecond; the link's rate is bytes per second.
    return to_sim_time_ceil(seconds(static_cast<double>(b) * ps_per_byte_[l] * 1e-12));
  }

  /// Link l's rate is now r bytes/s (0: down): the serialisation times of its packets
  /// and of the pause frames sent back over it follow.
  void set_rate(uint32_t l, double r) {
    rate_[l] = r;
    ps_per_byte_[l] = r > 0 ? 1e12 / r : 0.0;
    mtu_time_[l] = time_for(l, mtu_);
    header_time_[l] = time_for(l, packet::kControlFrameBytes);
    // pause_delay_[x] is a pause frame's trip back over x's reverse link, which is l for
    // x = reverse(l).
    const uint32_t x = t_.link_reverse(LinkId(l)).value();
    pause_delay_[x] = header_time_[l] + latency_[l];
  }

  const topo::Topology& t_;
  uint64_t mtu_ = 0;
  LinkCapacities capacities_;  // what the capacity steps and outages leave each link
  std::vector<double> rate_;   // bytes/s now
  std::vector<uint8_t> up_;
  LiveRouter router_{t_, up_};  // flows that start while links are down
  std::vector<double> ps_per_byte_;
  std::vector<SimTime> mtu_time_, header_time_, latency_, pause_delay_, forwarding_;
  std::vector<uint8_t> cut_through_;  // link_to(l) cuts through
};

}  // namespace roshni::net
