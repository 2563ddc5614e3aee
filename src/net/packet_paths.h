/// The paths each flow of the packet model may use (packet_model.cpp): its planned path
/// (Paths) and, with spraying, up to spray_paths - 1 more equal-cost ones that leave by
/// the same first link (the sender's port is the flow's; docs/models/packet-model.md);
/// or, once it is routed when it starts (around dead links, or over the circuits up
/// then), that one path alone. A packet of the flow's k-th packet takes alternative
/// k mod (alternatives). All paths' links in one array, packets refer to them by offset.
/// And which flows are stalled behind dead links (FlowStalls). Private to net/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "net/packet.h"
#include "net/packet_links.h"
#include "roshni/core/error.h"
#include "roshni/core/ids.h"
#include "roshni/net/run_contract.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/packet_model.h"
#include "roshni/net/paths.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

class PacketPaths {
 public:
  /// The planned paths of `flows`, and the sprayed ones when `c` asks for them (chosen
  /// with ECMP hashes of `seed`).
  void init(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
            const PacketConfig& c, uint64_t seed) {
    const size_t n = flows.size();
    latency_.assign(n, SimTime::zero());
    links_ = paths.links;
    alt_begin_.resize(n + 1);
    alt_start_.reserve(n);
    alt_len_.reserve(n);
    std::unique_ptr<topo::ShortestPathRouter> spray;
    if (c.load_balance == LoadBalance::spray) {
      spray = std::make_unique<topo::ShortestPathRouter>(t, topo::MultipathPolicy::ecmp);
    }
    std::vector<LinkId> scratch;
    for (uint32_t f = 0; f < n; ++f) {
      alt_begin_[f] = static_cast<uint32_t>(alt_start_.size());
      const auto planned = paths.of(FlowId(f));
      alt_start_.push_back(paths.offset[f]);
      alt_len_.push_back(static_cast<uint16_t>(planned.size()));
      ROSHNI_ASSERT(planned.size() < 65535, "path of {} hops", planned.size());
      if (!planned.empty()) latency_[f] = topo::path_latency(t, planned);
      if (spray && !planned.empty() && flows.pinned_path(FlowId(f)).empty()) {
        for (uint32_t k = 1; k < c.spray_paths; ++k) {
          scratch.clear();
          const uint64_t h = topo::flow_hash(seed ^ (0x9e3779b97f4a7c15ULL * k), f);
          if (!spray->route(flows.src(FlowId(f)), flows.dst(FlowId(f)), h, scratch)) break;
          if (scratch.front() != planned.front() || scratch.size() != planned.size()) continue;
          bool seen = false;
          for (uint32_t a = alt_begin_[f]; a < alt_start_.size() && !seen; ++a) {
            seen = std::equal(scratch.begin(), scratch.end(), links_.begin() + alt_start_[a]);
          }
          if (seen) continue;
          alt_start_.push_back(static_cast<uint32_t>(links_.size()));
          alt_len_.push_back(static_cast<uint16_t>(scratch.size()));
          links_.insert(links_.end(), scratch.begin(), scratch.end());
        }
      }
    }
    alt_begin_[n] = static_cast<uint32_t>(alt_start_.size());
    route_.assign(n, packet::kNone);
  }

  /// The link at `offset` of the paths' array (a packet's path + hop).
  LinkId link(uint32_t offset) const { return links_[offset]; }
  /// Alternative a: the offset of its first link, and its length.
  uint32_t start(uint32_t a) const { return alt_start_[a]; }
  uint16_t length(uint32_t a) const { return alt_len_[a]; }
  /// Flow f's planned path (alternative).
  uint32_t planned(uint32_t f) const { return alt_begin_[f]; }
  /// The flow's paths: its planned ones, or the one it was routed on when it started.
  uint32_t first(uint32_t f) const { return route_[f] != packet::kNone ? route_[f] : alt_begin_[f]; }
  uint32_t count(uint32_t f) const {
    return route_[f] != packet::kNone ? 1 : alt_begin_[f + 1] - alt_begin_[f];
  }
  /// The port flow f sends from.
  uint32_t first_port(uint32_t f) const { return links_[alt_start_[first(f)]].value(); }
  /// The latency of flow f's path (its planned one, or the one it was routed on).
  SimTime latency(uint32_t f) const { return latency_[f]; }

  /// Flow f keeps to its planned path alone.
  void keep_planned(uint32_t f) { route_[f] = alt_begin_[f]; }
  /// Flow f was routed on `path` when it started: its only path from now on.
  void route(uint32_t f, std::span<const LinkId> path, const topo::Topology& t) {
    route_[f] = static_cast<uint32_t>(alt_start_.size());
    alt_start_.push_back(static_cast<uint32_t>(links_.size()));
    alt_len_.push_back(static_cast<uint16_t>(path.size()));
    links_.insert(links_.end(), path.begin(), path.end());
    latency_[f] = topo::path_latency(t, path);
  }

  /// Every link of the path at `offset`, `hops` long, is up.
  bool up(uint32_t offset, uint32_t hops, const PacketLinks& w) const {
    for (uint32_t k = 0; k < hops; ++k) {
      if (!w.up(links_[offset + k].value())) return false;
    }
    return true;
  }
  /// Every path flow f may use is up.
  bool all_up(uint32_t f, const PacketLinks& w) const {
    for (uint32_t a = first(f); a < first(f) + count(f); ++a) {
      for (uint32_t k = 0; k < alt_len_[a]; ++k) {
        if (!w.up(links_[alt_start_[a] + k].value())) return false;
      }
    }
    return true;
  }
  /// Some path flow f may use is up.
  bool some_up(uint32_t f, const PacketLinks& w) const {
    bool some = false;
    for (uint32_t a = first(f); a < first(f) + count(f) && !some; ++a) {
      some = up(alt_start_[a], alt_len_[a], w);
    }
    return some;
  }

 private:
  std::vector<SimTime> latency_;     // flow -> its path's latency
  std::vector<uint32_t> route_;      // flow -> the path it was routed on at start, or kNone
  std::vector<uint32_t> alt_begin_;  // flow -> its first alternative path
  std::vector<uint32_t> alt_start_;  // alternative -> offset in links_
  std::vector<uint16_t> alt_len_;
  std::vector<LinkId> links_;
};

/// A flow that has started and is not delivered is stalled while no path it may use is
/// up (as the flow model's flow at rate 0 behind a dead link): how long, per flow, into
/// RunResult::stalled_for, and how many flows ever were, into flows_stalled.
class FlowStalls {
 public:
  void init(size_t flows) {
    stalled_.assign(flows, 0);
    ever_stalled_.assign(flows, 0);
    since_.assign(flows, SimTime::zero());
  }

  bool stalled(uint32_t f) const { return stalled_[f]; }

  /// Flow f has some path up (`some_up`) or none at `now`.
  void update(uint32_t f, bool some_up, SimTime now, RunResult& r) {
    if (!some_up && !stalled_[f]) {
      stalled_[f] = 1;
      since_[f] = now;
      if (!ever_stalled_[f]) {
        ever_stalled_[f] = 1;
        ++r.flows_stalled;
      }
    } else if (some_up && stalled_[f]) {
      end(f, now, r);
    }
  }
  /// Stalled flow f is stalled no more (a path came up, it was delivered, the run ended).
  void end(uint32_t f, SimTime now, RunResult& r) {
    r.stalled_for[f] += now - since_[f];
    stalled_[f] = 0;
  }

 private:
  std::vector<uint8_t> stalled_, ever_stalled_;  // behind dead links now / ever
  std::vector<SimTime> since_;
};

}  // namespace roshni::net
