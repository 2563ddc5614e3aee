#include "roshni/coll/ring_all_reduce.h"

#include <gtest/gtest.h>

namespace roshni::coll {
namespace {

// N ranks: 2(N-1) steps of N flows, each S/N bytes; step 0 waits for nothing (or for
// `after`), step s of rank r waits for the flow rank r received at step s-1, which rank
// r-1 sent. Total payload 2(N-1) S, the bandwidth-optimal volume (Patarasuk & Yuan).
TEST(RingAllReduce, EmitsTwoNMinusOneStepsOfNeighbourSends) {
  const std::vector<NodeId> ranks{NodeId(10), NodeId(11), NodeId(12), NodeId(13)};
  net::FlowSet flows;
  const FlowId before = flows.add("before", NodeId(0), NodeId(1), bytes(1));
  const auto last = append_ring_all_reduce({ranks, bytes(4096)}, flows, std::span(&before, 1));
  const size_t n = ranks.size();
  ASSERT_EQ(flows.size(), 1 + 2 * (n - 1) * n);
  EXPECT_DOUBLE_EQ(flows.total_size().si(), 1 + 2.0 * (n - 1) * 4096);
  for (size_t s = 0; s < 2 * (n - 1); ++s) {
    for (size_t r = 0; r < n; ++r) {
      const FlowId f(static_cast<uint32_t>(1 + s * n + r));
      EXPECT_EQ(flows.src(f), ranks[r]);
      EXPECT_EQ(flows.dst(f), ranks[(r + 1) % n]);
      EXPECT_DOUBLE_EQ(flows.flow_size(f).si(), 1024.0);
      const auto deps = flows.deps(f);
      ASSERT_EQ(deps.size(), 1u);
      if (s == 0) {
        EXPECT_EQ(deps[0], before);
      } else {
        const FlowId received(static_cast<uint32_t>(1 + (s - 1) * n + (r + n - 1) % n));
        EXPECT_EQ(deps[0], received);
        EXPECT_EQ(flows.dst(deps[0]), ranks[r]);
      }
    }
  }
  EXPECT_EQ(flows.label(FlowId(1)), "allreduce/rs0/r0");
  EXPECT_EQ(flows.label(FlowId(static_cast<uint32_t>(1 + 3 * n))), "allreduce/ag0/r0");
  ASSERT_EQ(last.size(), n);
  EXPECT_TRUE(net::find_dependency_cycle(flows).empty());
}

TEST(FindDependencyCycle, NamesTheFlowsOnACycle) {
  net::FlowSet flows;
  // a <- b <- c <- a (each waits for the previous), d is independent.
  const FlowId a(0), b(1), c(2);
  flows.add("a", NodeId(0), NodeId(1), bytes(1), std::span(&c, 1));
  flows.add("b", NodeId(0), NodeId(1), bytes(1), std::span(&a, 1));
  flows.add("c", NodeId(0), NodeId(1), bytes(1), std::span(&b, 1));
  flows.add("d", NodeId(0), NodeId(1), bytes(1));
  const auto cycle = net::find_dependency_cycle(flows);
  ASSERT_EQ(cycle.size(), 3u);
  for (FlowId f : cycle) EXPECT_LT(f.value(), 3u);
}

}  // namespace
}  // namespace roshni::coll
