/// What a collective algorithm writes: one chunk of the collective as a dependency graph
/// of transfers between ranks, each a share of the collective's size, some of them
/// reduced by their receiver. expand() turns it into the flows (and compute steps) of
/// every channel and chunk, so chunking, channels and reduction cost are applied the
/// same way to every algorithm. Not a flow set: ranks are indices, sizes are fractions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "roshni/coll/collective.h"
#include "roshni/core/ids.h"
#include "roshni/net/flow_set.h"

namespace roshni::coll {

class Schedule {
 public:
  /// The index of the phase called `name` (added on first use). Flows are labelled
  /// "<prefix>/<phase><step>/r<src>", plus "-r<dst>" when `label_dst` (a rank that
  /// sends to several ranks in one step of that phase).
  uint16_t phase(const std::string& name, bool label_dst = false);

  /// Adds a transfer of `share` x the collective's size from rank `src` to rank `dst`
  /// (src != dst) that starts once every transfer in `deps` (earlier indices) has been
  /// delivered and, if it is reduced, reduced. `reduce`: the receiver combines the data
  /// with its own before using it (a compute step when the run has a reduction rate).
  uint32_t add(uint16_t phase, uint32_t step, uint32_t src, uint32_t dst, double share,
               std::span<const uint32_t> deps, bool reduce);

  size_t size() const { return src_.size(); }
  uint32_t src(uint32_t t) const { return src_[t]; }
  uint32_t dst(uint32_t t) const { return dst_[t]; }
  double share(uint32_t t) const { return share_[t]; }
  bool reduced(uint32_t t) const { return reduce_[t] != 0; }
  uint32_t step(uint32_t t) const { return step_[t]; }
  const std::string& phase_name(uint32_t t) const { return phases_[phase_[t]].name; }
  bool label_dst(uint32_t t) const { return phases_[phase_[t]].label_dst; }
  std::span<const uint32_t> deps(uint32_t t) const {
    return {deps_.data() + dep_offset_[t], deps_.data() + dep_offset_[t + 1]};
  }
  void reserve(size_t transfers, size_t deps);

 private:
  struct Phase {
    std::string name;
    bool label_dst;
  };
  std::vector<Phase> phases_;
  std::vector<uint32_t> src_, dst_, step_;
  std::vector<double> share_;
  std::vector<uint16_t> phase_;
  std::vector<uint8_t> reduce_;
  std::vector<uint64_t> dep_offset_{0};
  std::vector<uint32_t> deps_;
};

/// Per rank (index in Collective::ranks): the transfers it must have received, and
/// reduced, before it can take its next step. Phase builders read it for their first
/// step and leave in it what each rank holds at their end, so phases chain.
using Ready = std::vector<std::vector<uint32_t>>;

/// The node that schedule index i stands for in channel k: rank i (rotated within its
/// node when c.channel_rotation is set), or for i >= p the in-network switch group i - p,
/// plane k mod its planes.
NodeId node_of_index(const Collective& c, uint32_t i, uint32_t k);

/// Appends the flows of `c` as scheduled by `s`, for every channel and chunk:
/// - channels: the schedule runs `c.channels` times side by side, each instance with
///   1/channels of the bytes and no dependency on the others;
/// - chunks: within a channel it runs `c.chunks` times, each with 1/chunks of the bytes;
///   chunk k of a transfer also waits for chunk k-1 of the same transfer to be delivered
///   (a connection sends its chunks in order), which pipelines the chunks;
/// - reduction: a reduced transfer is followed by a compute step on its receiver of
///   bytes / c.reduction_rate (when that rate is > 0), and what waits for the transfer
///   waits for the compute step instead.
/// Transfers without dependencies wait for `after`. Returns the collective's ends: the
/// flows and compute steps added here that nothing added here waits for.
std::vector<FlowId> expand(const Schedule& s, const Collective& c, net::FlowSet& flows,
                           std::span<const FlowId> after = {});

}  // namespace roshni::coll
