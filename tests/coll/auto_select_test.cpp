// The auto rule, branch by branch. Facts of the test network: alpha = 600 ns (GPU,
// switch, GPU) and B = 5e10 B/s (400 Gb/s), so the bandwidth-delay product alpha B is
// 30,000 B: a ring step of n/p <= 30,000 B is at least half latency, "latency-bound".
#include "roshni/coll/auto_select.h"

#include <gtest/gtest.h>

#include "roshni/coll/registry.h"

namespace roshni::coll {
namespace {

TopologyFacts facts(uint32_t domain_size = 0) {
  return {domain_size, SimTime::ps(600'000), bytes_per_second(5e10)};
}

std::string_view pick(CollectiveKind k, uint32_t p, double n, const TopologyFacts& f = facts()) {
  return choose_algorithm(k, p, bytes(n), f).algorithm;
}

constexpr double kGiB = 1073741824.0;

// All-reduce without domains: n/p <= 30,000 B takes rhd (p = 2^k) or the double binary
// tree; above, the ring. 8 ranks: n = 240,000 B is exactly alpha B per rank (latency-
// bound), 240,008 B is not. A network without latency is never latency-bound.
TEST(AutoRule, AllReduceLatencyOrBandwidthBound) {
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, 240'000), "rhd");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, 240'008), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 6, 60'000), "tree");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 6, kGiB), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, 1, {0, SimTime::zero(), bytes_per_second(5e10)}),
            "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, 1, {0, SimTime::ps(600'000), DataRate()}), "ring");
}

// The simulator's budget: a ring over p ranks is 2p(p-1) flows; past 2^22 the rule takes
// the logarithmic algorithm even for a bandwidth-bound size. 1448 ranks: 4,190,512 flows
// (ring); 1449: 4,196,304 (tree). Beyond 64 ranks the logarithmic algorithm is the
// tree even for a power of two (2048); rhd up to 64 (64 and 32 ranks, latency-bound).
TEST(AutoRule, RingFlowBudgetAndRhdLimit) {
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 1448, 64 * kGiB), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 1449, 64 * kGiB), "tree");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 2048, 64 * kGiB), "tree");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 2048, 1000), "tree");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 64, 1000), "rhd");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 128, 1000), "tree");
}

// With scale-up domains of d (1 < d < p, d | p): hierarchical, and between the G = p/d
// domains the same rule on the shard n/d over G ranks, with d rails of ring flows
// counted against the budget.
// - 16,384 ranks in domains of 8 (G = 2048), 1 GiB: n/(dG) = 65,536 B > 30,000 B, but a
//   ring per rail is 8 x 2 x 2048 x 2047 = 67 million flows: the tree (2048 > 64).
// - 192 ranks (G = 24), 1 GiB: 5.6 MB per piece, 8,832 ring flows: ring; 1 MiB: 5,461 B
//   per piece: latency-bound, 24 is no power of two: tree.
// - d = p or d = 1 is no hierarchy: the flat rule.
TEST(AutoRule, ScaleUpDomainsMakeItHierarchical) {
  AutoChoice c = choose_algorithm(CollectiveKind::all_reduce, 16384, bytes(kGiB), facts(8));
  EXPECT_EQ(c.algorithm, "hierarchical");
  EXPECT_EQ(c.inter, "tree");
  EXPECT_NE(c.reason.find("domains of 8"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("flows"), std::string::npos) << c.reason;
  c = choose_algorithm(CollectiveKind::all_reduce, 192, bytes(kGiB), facts(8));
  EXPECT_EQ(c.algorithm, "hierarchical");
  EXPECT_EQ(c.inter, "ring");
  c = choose_algorithm(CollectiveKind::all_reduce, 192, bytes(1048576), facts(8));
  EXPECT_EQ(c.inter, "tree");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, kGiB, facts(8)), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 8, kGiB, facts(1)), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_reduce, 12, kGiB, facts(8)), "ring");  // 8 does not divide 12
  EXPECT_EQ(choose_inter(16, 8, bytes(kGiB), facts()).algorithm, "ring");
  EXPECT_EQ(choose_inter(8, 8, bytes(kGiB), facts()).algorithm, "ring");  // one domain
}

// All-gather and reduce-scatter: recursive doubling / halving when latency-bound and p
// is a power of two (they need it), else the ring.
TEST(AutoRule, AllGatherReduceScatter) {
  EXPECT_EQ(pick(CollectiveKind::all_gather, 16, 480'000), "recursive_doubling");
  EXPECT_EQ(pick(CollectiveKind::all_gather, 16, kGiB), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_gather, 12, 1000), "ring");
  EXPECT_EQ(pick(CollectiveKind::reduce_scatter, 16, 480'000), "recursive_halving");
  EXPECT_EQ(pick(CollectiveKind::reduce_scatter, 16, kGiB), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_gather, 4096, kGiB * 64), "recursive_doubling");  // budget
}

// Broadcast: the binary tree when n/p <= alpha B, the pipelined chain otherwise.
// All-to-all: hierarchical with domains, else direct. p2p: direct.
TEST(AutoRule, BroadcastAllToAllP2p) {
  EXPECT_EQ(pick(CollectiveKind::broadcast, 8, 240'000), "tree");
  EXPECT_EQ(pick(CollectiveKind::broadcast, 8, kGiB), "ring");
  EXPECT_EQ(pick(CollectiveKind::all_to_all, 64, kGiB, facts(8)), "hierarchical");
  EXPECT_EQ(pick(CollectiveKind::all_to_all, 64, kGiB), "direct");
  EXPECT_EQ(pick(CollectiveKind::p2p, 2, kGiB), "direct");
}

// Whatever the inputs, the pick is a registered algorithm of the kind that can run it,
// and the reason is never empty.
TEST(AutoRule, AlwaysPicksARegisteredAlgorithmThatCanRun) {
  for (CollectiveKind k : kCollectiveKinds) {
    for (uint32_t p : {2u, 3u, 8u, 12u, 16u, 24u}) {
      if (k == CollectiveKind::p2p && p != 2) continue;
      for (double n : {1.0, 1e5, kGiB}) {
        for (uint32_t d : {0u, 4u, 8u}) {
          const TopologyFacts f = facts(d);
          const AutoChoice c = choose_algorithm(k, p, bytes(n), f);
          const CollectiveAlgorithm* a = find_collective_algorithm(k, c.algorithm);
          ASSERT_NE(a, nullptr) << to_string(k) << " " << c.algorithm;
          EXPECT_FALSE(c.reason.empty());
          Collective col;
          col.kind = k;
          for (uint32_t i = 0; i < p; ++i) col.ranks.push_back(NodeId(i));
          col.size = bytes(n);
          if (c.algorithm == "hierarchical") col.domain_size = d;
          if (!c.inter.empty()) col.inter = std::string(c.inter);
          const auto problem = check_collective(col, *a);
          EXPECT_FALSE(problem) << to_string(k) << " " << c.algorithm << " p=" << p << ": "
                                << problem->message;
        }
      }
    }
  }
}

}  // namespace
}  // namespace roshni::coll
