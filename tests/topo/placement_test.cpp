#include "roshni/topo/placement.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/topo/generators.h"

namespace roshni::topo {
namespace {

constexpr DataRate kB = gbps(400);

// A floor small enough to check by hand: 2 racks per row, 0.6 m apart, rows 2.4 m
// apart, 2 GPUs and 2 network switches per rack, 1.5 m slack, no vertical allowance.
FloorParams small_floor() {
  FloorParams f;
  f.rack_pitch = metres(0.6);
  f.row_pitch = metres(2.4);
  f.racks_per_row = 2;
  f.gpus_per_rack = 2;
  f.switches_per_network_rack = 2;
  f.slack = metres(1.5);
  f.vertical_per_end = metres(0);
  return f;
}

LinkAttrs with_role(std::string role) {
  LinkAttrs a;
  a.role = std::move(role);
  return a;
}

// g0 g1 on leaf0, g2 g3 on leaf1, both leaves on spine0 and spine1:
//   nodes 0-3 GPUs, 4 leaf0, 5 leaf1, 6 spine0, 7 spine1.
// Placement on small_floor():
//   R0 (row 0, col 0) at (0, 0):    g0 g1 leaf0
//   R1 (row 0, col 1) at (0.6, 0):  g2 g3 leaf1
//   R2 (row 1, col 0) at (0, 2.4):  spine0 spine1   (network rack)
// Cables: GPU-leaf inside a rack: 1.5 m (slack only);
//         leaf0-spine: |0 - 0| + |0 - 2.4| + 1.5 = 3.9 m;
//         leaf1-spine: |0.6 - 0| + |0 - 2.4| + 1.5 = 4.5 m.
Topology leaf_spine() {
  TopologyBuilder b;
  std::vector<NodeId> g;
  for (int i = 0; i < 4; ++i) g.push_back(b.add_node("g" + std::to_string(i), NodeKind::gpu));
  NodeAttrs leaf;
  leaf.tier = 1;
  leaf.role = "leaf";
  const NodeId l0 = b.add_node("leaf0", NodeKind::switch_, SimTime::ps(300'000), leaf);
  const NodeId l1 = b.add_node("leaf1", NodeKind::switch_, SimTime::ps(300'000), leaf);
  NodeAttrs spine;
  spine.tier = 2;
  spine.radix = 64;
  const NodeId s0 = b.add_node("spine0", NodeKind::switch_, SimTime::ps(400'000), spine);
  const NodeId s1 = b.add_node("spine1", NodeKind::switch_, SimTime::ps(400'000), spine);
  for (int i = 0; i < 4; ++i) b.add_link(g[i], i < 2 ? l0 : l1, kB, kB, SimTime::ps(1000), with_role("host"));
  for (NodeId l : {l0, l1}) {
    for (NodeId s : {s0, s1}) b.add_link(l, s, kB, kB / 2, SimTime::ps(2000), with_role("leaf-spine"));
  }
  return std::move(b).build();
}

TEST(Placement, LeafSpineOnSmallFloor) {
  const Topology t = leaf_spine();
  const Placement p = place(t, small_floor());
  EXPECT_EQ(p.node_rack, (std::vector<uint32_t>{0, 0, 1, 1, 0, 1, 2, 2}));
  EXPECT_EQ(p.gpu_racks, 2u);
  ASSERT_EQ(p.racks.size(), 3u);
  EXPECT_DOUBLE_EQ(p.racks[1].x.si(), 0.6);
  EXPECT_DOUBLE_EQ(p.racks[1].y.si(), 0.0);
  EXPECT_EQ(p.racks[2].row, 1u);
  EXPECT_EQ(p.racks[2].column, 0u);
  EXPECT_DOUBLE_EQ(p.racks[2].y.si(), 2.4);

  const FloorParams f = small_floor();
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(0), NodeId(4)).si(), 1.5);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(4), NodeId(6)).si(), 3.9);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(5), NodeId(7)).si(), 4.5);
}

// With 1.2 m per cable end for the climb to an overhead tray, a cable between racks
// gains 2.4 m (leaf0-spine 3.9 -> 6.3 m); a cable inside a rack does not (1.5 m).
TEST(Placement, VerticalAllowanceOnlyLeavingTheRack) {
  FloorParams f = small_floor();
  f.vertical_per_end = metres(1.2);
  const Placement p = place(leaf_spine(), f);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(4), NodeId(6)).si(), 6.3);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(1), NodeId(4)).si(), 1.5);
}

// The copy has the same ids, names, rates, latencies and roles; only lengths differ:
// links in order are g0..g3 to their leaf (1.5 m), then leaf0-spine0, leaf0-spine1
// (3.9 m), leaf1-spine0, leaf1-spine1 (4.5 m).
TEST(Placement, CopySetsLengthsAndKeepsEverythingElse) {
  const Topology t = leaf_spine();
  const FloorParams f = small_floor();
  const Topology placed = with_cable_lengths(t, place(t, f), f);
  ASSERT_EQ(placed.node_count(), t.node_count());
  ASSERT_EQ(placed.link_count(), t.link_count());
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    EXPECT_EQ(placed.node_name(id), t.node_name(id));
    EXPECT_EQ(placed.node_kind(id), t.node_kind(id));
    EXPECT_EQ(placed.node_tier(id), t.node_tier(id));
    EXPECT_EQ(placed.node_radix(id), t.node_radix(id));
    EXPECT_EQ(placed.node_role(id), t.node_role(id));
    EXPECT_EQ(placed.forwarding_latency(id), t.forwarding_latency(id));
  }
  EXPECT_EQ(placed.gpus(), t.gpus());
  const std::vector<double> expected{1.5, 1.5, 1.5, 1.5, 3.9, 3.9, 4.5, 4.5};
  for (uint32_t l = 0; l < t.link_count(); ++l) {
    const LinkId id(l);
    EXPECT_EQ(placed.link_from(id), t.link_from(id));
    EXPECT_EQ(placed.link_to(id), t.link_to(id));
    EXPECT_EQ(placed.link_capacity(id), t.link_capacity(id));
    EXPECT_EQ(placed.link_latency(id), t.link_latency(id));
    EXPECT_EQ(placed.link_role(id), t.link_role(id));
    EXPECT_DOUBLE_EQ(placed.link_length(id).si(), expected[l / 2]) << placed.link_name(id);
  }
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const auto a = t.out_links(NodeId(n)), b = placed.out_links(NodeId(n));
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

// At 5 ns/m a 1.5 m cable adds 7.5 ns, 3.9 m adds 19.5 ns and 4.5 m adds 22.5 ns:
// host links 1 ns -> 8.5 ns; leaf0-spine 2 ns -> 21.5 ns; leaf1-spine 2 ns -> 24.5 ns.
TEST(Placement, OptionalPropagationDelay) {
  const Topology t = leaf_spine();
  const FloorParams f = small_floor();
  CableOptions cable;
  cable.propagation_per_metre = nanoseconds(5);
  const Topology placed = with_cable_lengths(t, place(t, f), f, cable);
  EXPECT_EQ(placed.link_latency(LinkId(0)).ps(), 8'500);
  EXPECT_EQ(placed.link_latency(LinkId(1)).ps(), 8'500);
  EXPECT_EQ(placed.link_latency(LinkId(8)).ps(), 21'500);
  EXPECT_EQ(placed.link_latency(LinkId(15)).ps(), 24'500);
}

// A switch with one GPU link into R0 and two into R1 goes to R1; a switch with one into
// each goes to the lower, R0. (4 GPUs, 2 per rack: g0 g1 in R0, g2 g3 in R1.)
TEST(Placement, TierOneSwitchFollowsMostGpuLinksTiesToLowestRack) {
  TopologyBuilder b;
  std::vector<NodeId> g;
  for (int i = 0; i < 4; ++i) g.push_back(b.add_node("g" + std::to_string(i), NodeKind::gpu));
  const NodeId mostly_r1 = b.add_node("a", NodeKind::switch_);
  const NodeId tied = b.add_node("b", NodeKind::switch_);
  b.add_link(g[0], mostly_r1, kB, kB, SimTime::zero());
  b.add_link(g[2], mostly_r1, kB, kB, SimTime::zero());
  b.add_link(g[3], mostly_r1, kB, kB, SimTime::zero());
  b.add_link(g[3], tied, kB, kB, SimTime::zero());
  b.add_link(g[1], tied, kB, kB, SimTime::zero());
  const Placement p = place(std::move(b).build(), small_floor());
  EXPECT_EQ(p.node_rack[mostly_r1.value()], 1u);
  EXPECT_EQ(p.node_rack[tied.value()], 0u);
  EXPECT_EQ(p.racks.size(), 2u);  // no network rack needed
}

// A star of 9 GPUs, 2 per rack: racks R0..R4 (R4 holds only gpu8), 2 per row, so R4 is
// row 2, column 0, at (0, 4.8). The switch has 2 GPU links into each of R0..R3 and one
// into R4: a tie among R0..R3 goes to R0. gpu8 to the switch: 4.8 + 1.5 = 6.3 m;
// gpu3 (R1, at (0.6, 0)): 0.6 + 1.5 = 2.1 m.
TEST(Placement, StarOverSeveralRows) {
  StarParams sp;
  sp.gpus = 9;
  sp.link_bandwidth = kB;
  const Topology t = make_star(sp);
  const FloorParams f = small_floor();
  const Placement p = place(t, f);
  EXPECT_EQ(p.gpu_racks, 5u);
  EXPECT_EQ(p.node_rack[8], 4u);
  EXPECT_EQ(p.node_rack[9], 0u);  // the switch
  EXPECT_EQ(p.racks[4].row, 2u);
  EXPECT_DOUBLE_EQ(p.racks[4].y.si(), 4.8);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(8), NodeId(9)).si(), 6.3);
  EXPECT_DOUBLE_EQ(cable_length(p, f, NodeId(3), NodeId(9)).si(), 2.1);
}

// Five switches with no GPU neighbour, 2 per network rack, after one GPU rack:
// network racks R1 (s0 s1), R2 (s2 s3), R3 (s4), in id order.
TEST(Placement, NetworkRacksFillInIdOrder) {
  TopologyBuilder b;
  const NodeId g0 = b.add_node("g0", NodeKind::gpu), g1 = b.add_node("g1", NodeKind::gpu);
  const NodeId tor = b.add_node("tor", NodeKind::switch_);
  b.add_link(g0, tor, kB, kB, SimTime::zero());
  b.add_link(g1, tor, kB, kB, SimTime::zero());
  std::vector<NodeId> s;
  for (int i = 0; i < 5; ++i) {
    s.push_back(b.add_node("s" + std::to_string(i), i == 4 ? NodeKind::ocs : NodeKind::switch_));
    b.add_link(tor, s.back(), kB, kB, SimTime::zero());
  }
  const Placement p = place(std::move(b).build(), small_floor());
  EXPECT_EQ(p.node_rack, (std::vector<uint32_t>{0, 0, 0, 1, 1, 2, 2, 3}));
  EXPECT_EQ(p.gpu_racks, 1u);
  EXPECT_EQ(p.racks.size(), 4u);
}

}  // namespace
}  // namespace roshni::topo
