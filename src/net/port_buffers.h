/// The output buffers of the packet model's ports (one per directed link): the bytes
/// queued against each port's limits, a time-weighted histogram of that occupancy (the
/// p50 and p99 of PacketStats), and priority flow control's bookkeeping: which upstream
/// links a queue above xoff has paused, how many queues hold each link paused, and
/// whether each port is paused now. Structure of arrays, indexed by port; the model
/// schedules the pause and resume frames (packet_model.cpp). Private to net/.
///
/// Histogram: 128 buckets per port, 64 up to the buffer and 64 above it (lossless
/// headroom), each buffer/64 bytes wide; a bucket gathers the picoseconds the queue
/// spent in it. A percentile is the upper edge of the bucket where the cumulative time
/// reaches it (no finer is known), capped at the highest occupancy; bucket 0 (the queue
/// empty or nearly) counts as 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "net/packet.h"
#include "roshni/core/error.h"
#include "roshni/core/sim_time.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

class PortBuffers {
 public:
  static constexpr uint32_t kBuckets = 128;  // 64 buckets to the buffer, 64 above

  /// Every port of `t` with the limits of the node it leaves (c.node_limits, or the
  /// uniform ones of `c`).
  void init(const topo::Topology& t, const PacketConfig& c) {
    const size_t ports = t.link_count();
    limits_.resize(ports);
    bucket_width_.resize(ports);
    const PortLimits uniform{c.buffer, c.xoff, c.xon, c.ecn_threshold};
    for (uint32_t l = 0; l < ports; ++l) {
      // The port belongs to the node the link leaves.
      const uint32_t from = t.link_from(LinkId(l)).value();
      limits_[l] = c.node_limits.empty() ? uniform : c.node_limits[from];
      ROSHNI_ASSERT(limits_[l].buffer >= c.mtu && limits_[l].xon < limits_[l].xoff,
                    "port limits of node {} not validated", from);
      bucket_width_[l] = std::max<uint64_t>(1, (limits_[l].buffer + 63) / 64);
    }
    queued_.assign(ports, 0);
    paused_.assign(ports, 0);
    paused_ingress_.resize(ports);
    pause_refs_.assign(ports, 0);
    pause_arrives_.assign(ports, SimTime::zero());
    hist_at_.assign(ports, packet::kNone);
    last_change_.assign(ports, SimTime::zero());
    queue_max_.assign(ports, 0);
  }

  uint64_t queued(uint32_t q) const { return queued_[q]; }
  const PortLimits& limits(uint32_t q) const { return limits_[q]; }

  /// Port q's queue holds v bytes from `now` on.
  [[gnu::always_inline]] void set(uint32_t q, uint64_t v, SimTime now) {
    if (hist_at_[q] == packet::kNone) {
      // The time before the port first queued anything counts as empty.
      hist_at_[q] = static_cast<uint32_t>(hist_.size());
      hist_.resize(hist_.size() + kBuckets, 0);
      hist_[hist_at_[q]] += static_cast<uint64_t>(now.ps());
    } else {
      hist_[hist_at_[q] + bucket(q, queued_[q])] += static_cast<uint64_t>((now - last_change_[q]).ps());
    }
    last_change_[q] = now;
    queued_[q] = v;
    auto& mx = queue_max_[q];
    mx = std::max(mx, v);
  }

  // ---- priority flow control ----

  bool paused(uint32_t q) const { return paused_[q]; }
  void set_paused(uint32_t q, bool on) { paused_[q] = on; }

  /// Queue q (above xoff) pauses link `in`, over which a packet came: true if `in` was
  /// not paused by any queue, so a pause frame must go back over it.
  bool pause(uint32_t q, uint32_t in) {
    auto& list = paused_ingress_[q];
    if (std::find(list.begin(), list.end(), in) != list.end()) return false;
    list.push_back(in);
    return pause_refs_[in]++ == 0;
  }
  /// When the last pause frame sent for link `in` arrives at its sender.
  SimTime pause_arrives(uint32_t in) const { return pause_arrives_[in]; }
  void set_pause_arrives(uint32_t in, SimTime at) { pause_arrives_[in] = at; }

  /// b bytes leave port q's buffer at `now`; below xon, every link it paused that no
  /// other queue holds paused is passed to `resume` (the model sends it a resume frame).
  template <class Resume>
  [[gnu::always_inline]] void leave(uint32_t q, uint32_t b, SimTime now, Resume&& resume) {
    set(q, queued_[q] - b, now);
    if (queued_[q] < limits_[q].xon && !paused_ingress_[q].empty()) {
      for (uint32_t in : paused_ingress_[q]) {
        if (--pause_refs_[in] == 0) resume(in);
      }
      paused_ingress_[q].clear();
    }
  }

  // ---- at the end ----

  /// Closes every histogram at `end` and writes each port's highest occupancy and its
  /// time-weighted p50 and p99 into `s`.
  void finish(SimTime end, PacketStats& s) {
    s.queue_max = queue_max_;
    for (uint32_t q = 0; q < hist_at_.size(); ++q) {
      if (hist_at_[q] == packet::kNone) continue;
      uint64_t* h = &hist_[hist_at_[q]];
      if (end > last_change_[q]) h[bucket(q, queued_[q])] += static_cast<uint64_t>((end - last_change_[q]).ps());
      uint64_t total = 0;
      for (uint32_t b = 0; b < kBuckets; ++b) total += h[b];
      const auto percentile = [&](double p) -> uint64_t {
        const double want = p * static_cast<double>(total);
        uint64_t acc = 0;
        for (uint32_t b = 0; b < kBuckets; ++b) {
          acc += h[b];
          if (static_cast<double>(acc) >= want && acc > 0) {
            // The bucket's upper edge; a histogram cannot say more precisely. Bucket 0
            // holds the empty queue and counts as 0 when the queue was mostly empty.
            return b == 0 ? 0 : std::min(s.queue_max[q], (b + 1) * bucket_width_[q]);
          }
        }
        return s.queue_max[q];
      };
      s.queue_p50[q] = percentile(0.5);
      s.queue_p99[q] = percentile(0.99);
    }
  }

 private:
  uint32_t bucket(uint32_t q, uint64_t v) const {
    return static_cast<uint32_t>(std::min<uint64_t>(kBuckets - 1, v / bucket_width_[q]));
  }

  std::vector<PortLimits> limits_;
  std::vector<uint64_t> bucket_width_;  // histogram bucket, bytes (buffer / 64)
  std::vector<uint64_t> queued_;
  std::vector<uint8_t> paused_;                        // this port may not send
  std::vector<std::vector<uint32_t>> paused_ingress_;  // links this queue has paused
  std::vector<uint32_t> pause_refs_;                   // queues holding this link paused
  std::vector<SimTime> pause_arrives_;  // when the last pause frame for this port arrives
  std::vector<uint32_t> hist_at_;       // offset of the port's buckets in hist_, or kNone
  std::vector<uint64_t> hist_;
  std::vector<SimTime> last_change_;
  std::vector<uint64_t> queue_max_;
};

}  // namespace roshni::net
