/// Ring all-reduce (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms for
/// clusters of workstations"; the algorithm NCCL's ring uses) as flows with dependencies:
/// N−1 reduce-scatter steps then N−1 all-gather steps; in each step every rank sends one
/// S/N chunk to its successor. Step s of rank r waits for the chunk rank r received in
/// step s−1 (it must reduce or forward it). On a contention-free ring each step costs
/// latency + (S/N)/B, so the whole takes 2(N−1)(L + S/(N·B)). A shortcut to the
/// registry's "ring" all-reduce (registry.h) with one channel and one chunk.
#pragma once

#include <span>
#include <string>

#include "roshni/core/ids.h"
#include "roshni/core/units.h"
#include "roshni/net/flow_set.h"

namespace roshni::coll {

struct RingAllReduce {
  std::span<const NodeId> ranks;  // ring order; at least 2
  DataSize size;                  // the buffer every rank reduces, > 0
  std::string label_prefix = "allreduce";
};

/// Appends the collective's flows to `flows`; the new flows wait for `after` (if any)
/// before the first step. Returns the ids of the last step's flows (for chaining).
std::vector<FlowId> append_ring_all_reduce(const RingAllReduce& c, net::FlowSet& flows,
                                           std::span<const FlowId> after = {});

}  // namespace roshni::coll
