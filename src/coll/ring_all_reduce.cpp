#include "roshni/coll/ring_all_reduce.h"

#include "roshni/coll/registry.h"
#include "roshni/core/error.h"

namespace roshni::coll {

// The registry's "ring" all-reduce with one channel, one chunk and free reductions.
std::vector<FlowId> append_ring_all_reduce(const RingAllReduce& c, net::FlowSet& flows,
                                           std::span<const FlowId> after) {
  ROSHNI_ASSERT(c.ranks.size() >= 2, "ring all-reduce needs at least 2 ranks, got {}",
                c.ranks.size());
  ROSHNI_ASSERT(c.size.si() > 0, "ring all-reduce of a non-positive size");
  Collective coll;
  coll.kind = CollectiveKind::all_reduce;
  coll.ranks.assign(c.ranks.begin(), c.ranks.end());
  coll.size = c.size;
  coll.label_prefix = c.label_prefix;
  return append_collective(coll, *find_collective_algorithm(CollectiveKind::all_reduce, "ring"),
                           flows, after);
}

}  // namespace roshni::coll
