#include "roshni/coll/ring_all_reduce.h"

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::coll {

std::vector<FlowId> append_ring_all_reduce(const RingAllReduce& c, net::FlowSet& flows,
                                           std::span<const FlowId> after) {
  const size_t n = c.ranks.size();
  ROSHNI_ASSERT(n >= 2, "ring all-reduce needs at least 2 ranks, got {}", n);
  ROSHNI_ASSERT(c.size.si() > 0, "ring all-reduce of a non-positive size");
  const DataSize chunk = c.size / static_cast<double>(n);
  const size_t steps = 2 * (n - 1);
  flows.reserve(flows.size() + steps * n, steps * n);

  // prev[r]: the flow rank r received in the previous step (sent by rank r-1).
  std::vector<FlowId> prev(n), cur(n);
  for (size_t s = 0; s < steps; ++s) {
    const char* phase = s < n - 1 ? "rs" : "ag";  // reduce-scatter, then all-gather
    for (size_t r = 0; r < n; ++r) {
      const size_t next = (r + 1) % n;
      std::span<const FlowId> deps = s == 0 ? after : std::span<const FlowId>(&prev[r], 1);
      cur[next] = flows.add(fmt::format("{}/{}{}/r{}", c.label_prefix, phase, s, r), c.ranks[r],
                            c.ranks[next], chunk, deps);
    }
    std::swap(prev, cur);
  }
  return prev;
}

}  // namespace roshni::coll
