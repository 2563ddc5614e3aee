#include "roshni/topo/topology.h"

#include <gtest/gtest.h>

#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::topo {
namespace {

StarParams star(uint32_t n) {
  StarParams p;
  p.gpus = n;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(100'000);
  p.switch_latency = SimTime::ps(300'000);
  return p;
}

// A star of N GPUs: N+1 nodes, N duplex links = 2N directed links, the switch last.
TEST(Star, HasOneLinkPerGpu) {
  const Topology t = make_star(star(8));
  EXPECT_EQ(t.node_count(), 9u);
  EXPECT_EQ(t.link_count(), 16u);
  EXPECT_EQ(t.gpus().size(), 8u);
  EXPECT_EQ(t.node_name(NodeId(3)), "gpu3");
  EXPECT_EQ(t.node_kind(NodeId(8)), NodeKind::switch_);
  EXPECT_EQ(t.out_links(NodeId(8)).size(), 8u);
  EXPECT_EQ(t.out_links(NodeId(0)).size(), 1u);
  const LinkId up = t.out_links(NodeId(0))[0];
  EXPECT_EQ(t.link_to(up), NodeId(8));
  EXPECT_EQ(t.link_from(t.link_reverse(up)), NodeId(8));
  EXPECT_EQ(t.link_name(up), "gpu0->switch");
}

// gpu0 -> switch -> gpu5: two links; latency 100 ns + 300 ns (switch) + 100 ns.
TEST(Router, StarRouteCrossesTheSwitch) {
  const Topology t = make_star(star(8));
  ShortestPathRouter r(t);
  std::vector<LinkId> path;
  ASSERT_TRUE(r.route(NodeId(0), NodeId(5), path));
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(t.link_from(path[0]), NodeId(0));
  EXPECT_EQ(t.link_to(path[1]), NodeId(5));
  EXPECT_EQ(path_latency(t, path).ps(), 500'000);
}

// The star's own router finds, for every ordered pair of nodes (GPUs and the switch),
// the path the generic shortest-path router finds (the reference), from the structure
// alone: no per-destination distance table (issue 20: 4.2 GB at 32,768 GPUs).
TEST(Router, StarRouterMatchesTheShortestPathRouterOnEveryPair) {
  const Topology t = make_star(star(6));
  ShortestPathRouter reference(t);
  const auto structural = make_star_router(t);
  for (uint32_t a = 0; a < t.node_count(); ++a) {
    for (uint32_t b = 0; b < t.node_count(); ++b) {
      if (a == b) continue;
      std::vector<LinkId> want, got;
      ASSERT_TRUE(reference.route(NodeId(a), NodeId(b), want));
      ASSERT_TRUE(structural->route(NodeId(a), NodeId(b), 12345, got));
      EXPECT_EQ(got, want) << a << " -> " << b;
    }
  }
}

// A square a-b-c-d-a plus a chord a-c: a to c takes the chord (1 hop), b to d has two
// 2-hop paths and takes the one through the node whose link was added first (a).
TEST(Router, PicksMinimumHopsWithDeterministicTies) {
  TopologyBuilder b;
  const NodeId a = b.add_node("a", NodeKind::gpu), bb = b.add_node("b", NodeKind::gpu),
               c = b.add_node("c", NodeKind::gpu), d = b.add_node("d", NodeKind::gpu);
  const auto r1 = gbps(100);
  const auto lat = SimTime::ps(1);
  b.add_link(a, bb, r1, r1, lat);
  b.add_link(bb, c, r1, r1, lat);
  b.add_link(c, d, r1, r1, lat);
  b.add_link(d, a, r1, r1, lat);
  b.add_link(a, c, r1, r1, lat);
  const Topology t = std::move(b).build();
  ShortestPathRouter r(t);
  std::vector<LinkId> p;
  ASSERT_TRUE(r.route(a, c, p));
  EXPECT_EQ(p.size(), 1u);
  p.clear();
  ASSERT_TRUE(r.route(bb, d, p));
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(t.link_to(p[0]), a);
}

// Two GPUs joined through four parallel switches (a 2-leaf, 4-spine picture squeezed
// flat): every flow has 4 equal-cost paths. ECMP spreads 4000 flows over them close to
// evenly (each within 10% of 1000), the same seed gives the same choices, another seed
// different ones, and the "first" policy always takes the first switch.
TEST(Router, EcmpSpreadsFlowsAndIsSeeded) {
  TopologyBuilder b;
  const NodeId g0 = b.add_node("g0", NodeKind::gpu), g1 = b.add_node("g1", NodeKind::gpu);
  std::vector<NodeId> sw;
  for (int i = 0; i < 4; ++i) sw.push_back(b.add_node("s" + std::to_string(i), NodeKind::switch_));
  for (NodeId s : sw) {
    b.add_link(g0, s, gbps(100), gbps(100), SimTime::zero());
    b.add_link(s, g1, gbps(100), gbps(100), SimTime::zero());
  }
  const Topology t = std::move(b).build();
  ShortestPathRouter ecmp(t, MultipathPolicy::ecmp), first(t, MultipathPolicy::first);
  std::vector<int> count(t.node_count(), 0);
  int moved = 0;
  for (uint32_t f = 0; f < 4000; ++f) {
    std::vector<LinkId> p, again, other, firsts;
    ASSERT_TRUE(ecmp.route(g0, g1, flow_hash(1, f), p));
    ASSERT_EQ(p.size(), 2u);
    ++count[t.link_to(p[0]).value()];
    ecmp.route(g0, g1, flow_hash(1, f), again);
    EXPECT_EQ(p, again);
    ecmp.route(g0, g1, flow_hash(2, f), other);
    moved += other != p;
    first.route(g0, g1, flow_hash(1, f), firsts);
    EXPECT_EQ(t.link_to(firsts[0]), sw[0]);
  }
  for (NodeId s : sw) EXPECT_NEAR(count[s.value()], 1000, 100);
  EXPECT_GT(moved, 2500);  // a fresh seed re-picks: 3/4 of flows expected to move
}

TEST(Router, ReportsUnreachable) {
  TopologyBuilder b;
  const NodeId a = b.add_node("a", NodeKind::gpu), c = b.add_node("c", NodeKind::gpu);
  const NodeId s = b.add_node("s", NodeKind::switch_);
  b.add_link(a, s, gbps(1), gbps(1), SimTime::zero());
  const Topology t = std::move(b).build();
  ShortestPathRouter r(t);
  std::vector<LinkId> p;
  EXPECT_FALSE(r.route(a, c, p));
  EXPECT_TRUE(p.empty());
}

TEST(LinksAlong, FindsLinksOrNamesTheMissingHop) {
  const Topology t = make_star(star(3));
  const NodeId g0(0), g1(1), sw(3);
  const std::vector<NodeId> ok{g0, sw, g1};
  EXPECT_EQ(links_along(t, ok).links.size(), 2u);
  const std::vector<NodeId> bad{g0, g1};
  const auto r = links_along(t, bad);
  ASSERT_TRUE(r.missing_hop.has_value());
  EXPECT_EQ(*r.missing_hop, 0u);
}

}  // namespace
}  // namespace roshni::topo
