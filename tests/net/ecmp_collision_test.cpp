// ECMP hash collisions cost throughput, and the flow model shows it.
#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/topo/clos.h"

namespace roshni::net {
namespace {

// A k = 8 fat-tree (128 GPUs, full bisection) and a permutation in which every GPU
// sends S to the GPU at the same position in the next pod: all 128 flows cross the core.
// With ideal (collision-free) routing each flow would have its own links and the whole
// permutation would take S/B + path latency. With per-flow ECMP, some flows of a leaf
// hash to the same uplink (or core), share it, and the makespan is at least twice that:
// with 4 flows per leaf choosing among 4 uplinks, P(no collision at one leaf) = 4!/4^4 =
// 9.4%, so across 32 leaves a collision is certain for any seed. No link carries more
// than the 16 flows of one pod, so the makespan is at most 16 S/B. "first" routing sends
// every flow of a pod through aggregation switch 0 and core (0,0), whose one link down
// into the next pod then carries all 16: makespan 16 S/B exactly.
TEST(EcmpCollisions, PermutationOnFatTreeLosesThroughput) {
  topo::ClosParams p;
  p.tiers = 3;
  p.radix = 8;
  p.link_bandwidth = gbps(400);
  const double size = 64e6;
  const double ideal = size / gbps(400).si();
  for (auto policy : {topo::MultipathPolicy::ecmp, topo::MultipathPolicy::first}) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      const auto f = topo::make_clos(p, policy);
      FlowSet flows;
      const uint32_t n = 128, per_pod = 16;
      for (uint32_t s = 0; s < n; ++s) {
        flows.add("perm", NodeId(s), NodeId((s + per_pod) % n), bytes(size));
      }
      std::vector<FlowId> unroutable;
      const Paths paths = route_all(f->topology, *f->router, flows, unroutable, seed);
      ASSERT_TRUE(unroutable.empty());
      const auto r = run_flow_model(f->topology, flows, paths);
      const double t = r.makespan.duration().si();
      if (policy == topo::MultipathPolicy::ecmp) {
        EXPECT_GE(t, 2 * ideal * 0.999) << "seed " << seed;
        EXPECT_LT(t, 8 * ideal) << "seed " << seed;  // far from the worst case
      } else {
        EXPECT_NEAR(t, 16 * ideal, 1e-3 * ideal);
      }
    }
  }
}

}  // namespace
}  // namespace roshni::net
