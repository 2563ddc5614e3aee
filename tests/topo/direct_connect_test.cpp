// The Jupiter-like direct-connect generator (include/roshni/topo/direct_connect.h):
// part counts by closed form, the uniform mesh, WCMP weights worked by hand, topology
// engineering's rounding by hand, and the capex/power bill by hand.
#include "roshni/topo/direct_connect.h"

#include <numeric>

#include <gtest/gtest.h>

#include "roshni/topo/analysis.h"
#include "topo/route_check.h"

namespace roshni::topo {
namespace {

DirectConnectParams params(uint32_t blocks, uint32_t uplinks, uint32_t devices) {
  DirectConnectParams p;
  p.blocks = blocks;
  p.gpus_per_block = 2;
  p.uplinks = uplinks;
  p.uplink_bandwidth = gbps(400);
  p.gpu_bandwidth = gbps(400);
  p.devices = devices;
  p.device_ports = 128;
  return p;
}

uint32_t row_sum(const BlockMatrix& c, uint32_t a) {
  return std::accumulate(c[a].begin(), c[a].end(), 0u);
}

// N = 8, U = 10: U = q (N-1) + r with q = 1, r = 3. Every pair gets q = 1; r = 3 is odd
// and N even, so offset 1 (+2 each) and the diameter (+1 each): each block 7 + 3 = 10.
// Circuits: q N(N-1)/2 + N r / 2 = 28 + 12 = 40. K = 2 OCS: N U / K = 40 ports each.
// Transceivers and fibres: one per uplink port, N U = 80 (the OCS is passive); the
// spine twin has one more at each spine port: 2 N U = 160.
TEST(DirectConnect, PartsMatchClosedForm) {
  const DirectConnectParams p = params(8, 10, 2);
  ASSERT_EQ(check(p), "");
  const auto f = make_direct_connect(p);
  EXPECT_EQ(f->parts.gpus, 16u);
  EXPECT_EQ(f->parts.uplink_ports, 80u);
  EXPECT_EQ(f->parts.devices, 2u);
  EXPECT_EQ(f->parts.ports_per_device, 40u);
  EXPECT_EQ(f->parts.circuits, 40u);
  EXPECT_EQ(f->parts.fibres, 80u);
  EXPECT_EQ(f->parts.transceivers, 80u);
  for (uint32_t a = 0; a < 8; ++a) {
    EXPECT_EQ(row_sum(f->circuits, a), 10u) << a;
    for (uint32_t b = 0; b < 8; ++b) {
      if (a == b) continue;
      EXPECT_TRUE(f->circuits[a][b] == 1 || f->circuits[a][b] == 2) << a << "," << b;
    }
  }
  EXPECT_EQ(f->circuits[0][1], 2u);  // offset 1
  EXPECT_EQ(f->circuits[0][4], 2u);  // diameter
  EXPECT_EQ(f->circuits[0][2], 1u);
  // Built: 16 GPUs + 8 blocks + 2 OCS nodes; 16 host links + 40 circuit links.
  const TopologyCounts c = count_parts(f->topology);
  EXPECT_EQ(f->topology.node_count(), 26u);
  EXPECT_EQ(f->topology.link_count(), 2u * (16 + 40));
  EXPECT_EQ(c.gpus, 16u);

  DirectConnectParams s = p;
  s.layer = DirectConnectLayer::spine;
  ASSERT_EQ(check(s), "");
  const auto twin = make_direct_connect(s);
  EXPECT_EQ(twin->parts.transceivers, 160u);
  EXPECT_EQ(twin->topology.link_count(), 2u * (16 + 80));  // U links per block to spines
}

// N = 5, U = 7: q = 1, r = 3, both N and r odd. Offset 1 (+2 each), then the walk along
// offset (N-1)/2 = 2 is 0, 2, 4, 1, 3: pairs (0,2) and (4,1) matched, block 3 =
// (N+1)/2 left with a spare port. Circuits q N(N-1)/2 + floor(N r / 2) = 10 + 7 = 17.
TEST(DirectConnect, UniformMeshWithOddBlocksAndOddRemainder) {
  const BlockMatrix c = uniform_circuits(5, 7);
  EXPECT_EQ(c[0][2], 2u);
  EXPECT_EQ(c[1][4], 2u);
  EXPECT_EQ(c[0][1], 2u);
  EXPECT_EQ(c[1][3], 1u);
  for (uint32_t a : {0u, 1u, 2u, 4u}) EXPECT_EQ(row_sum(c, a), 7u) << a;
  EXPECT_EQ(row_sum(c, 3), 6u);
  uint32_t total = 0;
  for (uint32_t a = 0; a < 5; ++a) total += row_sum(c, a);
  EXPECT_EQ(total / 2, 17u);
}

// Uniform traffic on a uniform mesh (q = 2, r = 0): every quantum finds the direct path
// tied with the best transit (each circuit direction carries the same load), and ties go
// direct: all traffic direct, path length 1; each circuit direction carries its own pair's
// demand only: 1 / 2 circuits = 0.5.
TEST(DirectConnect, UniformTrafficGoesAllDirect) {
  const DirectConnectParams p = params(6, 10, 1);
  ASSERT_EQ(check(p), "");
  const auto f = make_direct_connect(p);
  EXPECT_DOUBLE_EQ(f->wcmp.direct_share, 1.0);
  EXPECT_DOUBLE_EQ(f->wcmp.mean_path_length, 1.0);
  EXPECT_DOUBLE_EQ(f->wcmp.max_utilisation, 0.5);
  for (uint32_t a = 0; a < 6; ++a) {
    for (uint32_t b = 0; b < 6; ++b) {
      if (a != b) {
        EXPECT_EQ(f->wcmp.split[a][b].direct, p.wcmp_steps);
      }
    }
  }
  // And the router sends every inter-block flow over one circuit.
  std::vector<LinkId> path;
  for (uint64_t h = 0; h < 50; ++h) {
    path.clear();
    ASSERT_TRUE(f->router->route(NodeId(0), NodeId(11), h, path));
    EXPECT_TRUE(test::is_route(f->topology, NodeId(0), NodeId(11), path));
    EXPECT_EQ(path.size(), 3u);
  }
}

// Three blocks, one circuit per pair, demand 2 from block 0 to block 1 only, in 4
// quanta of 0.5 (utilisation = load / circuits):
//   q1: direct 0.5, via 2 max(0.5, 0.5) = 0.5: tie -> direct (load 0-1: 0.5)
//   q2: direct 1.0, via 2 0.5 -> via 2          (0-2, 2-1: 0.5)
//   q3: direct 1.0, via 2 1.0: tie -> direct    (0-1: 1.0)
//   q4: direct 1.5, via 2 1.0 -> via 2          (0-2, 2-1: 1.0)
// Weights 2/4 direct, 2/4 via 2; busiest circuit 1.0, which is the LP optimum
// (x direct, 2 - x via 2: max(x, 2 - x) is least at x = 1). Direct share 0.5, path
// length 0.5 x 1 + 0.5 x 2 = 1.5.
TEST(DirectConnect, WcmpThreeBlocksByHand) {
  const BlockMatrix c = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
  const TrafficMatrix t = {{0, 2, 0}, {0, 0, 0}, {0, 0, 0}};
  const WcmpSolution s = wcmp_weights(c, t, 4);
  EXPECT_EQ(s.split[0][1].direct, 2u);
  EXPECT_EQ(s.split[0][1].via[2], 2u);
  EXPECT_DOUBLE_EQ(s.max_utilisation, 1.0);
  EXPECT_DOUBLE_EQ(s.direct_share, 0.5);
  EXPECT_DOUBLE_EQ(s.mean_path_length, 1.5);
}

// Four blocks, one circuit per pair; demand 3 from 0 to 1 (quanta 0.75) and 1 from 2 to
// 3 (quanta 0.25), 4 rounds, (0,1) placed before (2,3) in each. L = load per direction.
//  r1 (0,1): direct .75, via 2 .75, via 3 .75: tie -> direct.  L01 .75
//     (2,3): direct .25, via 0 .25, via 1 .25: tie -> direct.  L23 .25
//  r2 (0,1): direct 1.5, via 2 max(.75,.75) = .75 (via 3 also .75, not less) -> via 2
//     (2,3): direct .5, via 0 max(L20 .25, L03 .25) = .25 -> via 0 (via 1: L21 1.0)
//  r3 (0,1): direct 1.5, via 2 1.5, via 3 max(L03 1.0, L31 .75) = 1.0 -> via 3
//     (2,3): direct .5, via 0 max(.5, 1.25), via 1 max(1.0, .25) = 1.0 -> direct
//  r4 (0,1): direct 1.5, via 2 1.5 (tie), via 3 max(1.75, 1.5) -> direct
//     (2,3): direct .75, via 0 1.25, via 1 1.0 -> direct
// Weights (0,1): 2/4 direct, 1/4 via 2, 1/4 via 3; (2,3): 3/4 direct, 1/4 via 0.
// Busiest circuit L01 = 1.5 (the LP optimum is 1: (0,1) a third on each path; coarse
// quanta and greedy order cost the rest: the heuristic's documented limit).
// Direct share (3 x 2/4 + 1 x 3/4) / 4 = 2.25 / 4 = 0.5625; path 2 - 0.5625 = 1.4375.
TEST(DirectConnect, WcmpFourBlocksByHand) {
  const BlockMatrix c = uniform_circuits(4, 3);
  const TrafficMatrix t = {{0, 3, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}};
  const WcmpSolution s = wcmp_weights(c, t, 4);
  EXPECT_EQ(s.split[0][1].direct, 2u);
  EXPECT_EQ(s.split[0][1].via[2], 1u);
  EXPECT_EQ(s.split[0][1].via[3], 1u);
  EXPECT_EQ(s.split[2][3].direct, 3u);
  EXPECT_EQ(s.split[2][3].via[0], 1u);
  EXPECT_EQ(s.split[2][3].via[1], 0u);
  EXPECT_DOUBLE_EQ(s.max_utilisation, 1.5);
  EXPECT_DOUBLE_EQ(s.direct_share, 0.5625);
  EXPECT_DOUBLE_EQ(s.mean_path_length, 1.4375);
}

// The router follows the weights: over many flow hashes block 0 -> 1 of the three-block
// case goes direct about half the time and through block 2 otherwise, always a route.
TEST(DirectConnect, RouterSplitsFlowsByTheWeights) {
  DirectConnectParams p = params(3, 2, 1);
  p.rule = CircuitRule::given;
  p.circuits = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
  p.traffic = {{0, 2, 0}, {0, 0, 0}, {0, 0, 0}};
  p.wcmp_steps = 4;
  ASSERT_EQ(check(p), "");
  const auto f = make_direct_connect(p);
  uint32_t direct = 0;
  std::vector<LinkId> path;
  for (uint64_t h = 0; h < 4000; ++h) {
    path.clear();
    ASSERT_TRUE(f->router->route(NodeId(0), NodeId(2), h * 0x9e3779b97f4a7c15ULL, path));
    ASSERT_TRUE(test::is_route(f->topology, NodeId(0), NodeId(2), path));
    ASSERT_TRUE(path.size() == 3 || path.size() == 4);
    direct += path.size() == 3;
  }
  EXPECT_NEAR(direct / 4000.0, 0.5, 0.05);
}

// Four blocks, U = 5; demand T01 = 6, T23 = 2, T02 = 1. d01 = 6, d23 = 2, d02 = 1;
// D0 = 7, D1 = 6, D2 = 3, D3 = 2. U >= N - 1: every pair 1, R = 2 left per block.
//   x01 = 2 min(6/7, 6/6) = 12/7 = 1.714: +1, rest .714
//   x23 = 2 min(2/3, 2/2) = 4/3 = 1.333:  +1, rest .333
//   x02 = 2 min(1/7, 1/3) = 2/7 = 0.286:  +0, rest .286
// Free ports then 1 each. By rest: (0,1) +1 (blocks 0, 1 full), (2,3) +1 (2, 3 full),
// (0,2) no port. Map: c01 = c23 = 3, the rest 1; every block 5.
// Against the uniform map (offset-1 ring at 2: c01 c12 c23 c03 = 2, c02 c13 = 1): two
// circuits set up (0-1, 2-3).
TEST(DirectConnect, TopologyEngineeringRoundsByHand) {
  const TrafficMatrix t = {{0, 6, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 2}, {0, 0, 0, 0}};
  const BlockMatrix c = engineer_circuits(t, 5);
  const BlockMatrix want = {{0, 3, 1, 1}, {3, 0, 1, 1}, {1, 1, 0, 3}, {1, 1, 3, 0}};
  EXPECT_EQ(c, want);
  DirectConnectParams p = params(4, 5, 1);
  p.rule = CircuitRule::traffic;
  p.traffic = t;
  ASSERT_EQ(check(p), "");
  EXPECT_EQ(make_direct_connect(p)->circuits_changed, 2u);
}

// Fewer ports than peers (U = 2 < N - 1 = 3): no floor of 1; R = 2. Demand only 0-1
// and 2-3 (1 each): x01 = 2 min(1, 1) = 2, x23 = 2; the others 0. Map: two pairs of 2.
TEST(DirectConnect, TopologyEngineeringWithoutAFloorWhenPortsAreShort) {
  const TrafficMatrix t = {{0, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}};
  const BlockMatrix want = {{0, 2, 0, 0}, {2, 0, 0, 0}, {0, 0, 0, 2}, {0, 0, 2, 0}};
  EXPECT_EQ(engineer_circuits(t, 2), want);
}

// The fill pass. N = 4, U = 6: T03 = 1, T12 = 2, T13 = 2; d03 = 1, d12 = 2, d13 = 2;
// D0 = 1, D1 = 4, D2 = 2, D3 = 3; every pair 1, R = 3.
//   x03 = 3 min(1/1, 1/3) = 1: +1;  x12 = 3 min(2/4, 2/2) = 1.5: +1, rest .5;
//   x13 = 3 min(2/4, 2/3) = 1.5: +1, rest .5.
// Free: block 0 2, 1 1, 2 2, 3 1. Rests tie: (1,2) first, +1 (block 1 full); (1,3) no.
// Free: 0 2, 2 1, 3 1. Fill round 1: only (0,3) has demand and both ends free: +1
// (block 3 full); round 2 adds none ((0,2) has no demand). Map: c03 = 3, c12 = 3,
// c13 = 2, c01 = c02 = c23 = 1; blocks 0 and 2 keep a port free.
TEST(DirectConnect, TopologyEngineeringFillsFreePortsByDemand) {
  const TrafficMatrix t = {{0, 0, 0, 1}, {0, 0, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  const BlockMatrix want = {{0, 1, 1, 3}, {1, 0, 3, 2}, {1, 3, 0, 1}, {3, 2, 1, 0}};
  EXPECT_EQ(engineer_circuits(t, 6), want);
}

// Largest remainder comes before the demand-ordered fill. N = 3, U = 4: T01 = 1,
// T02 = 2; d01 = 1, d02 = 2; D0 = 3, D1 = 1, D2 = 2; every pair 1, R = 2.
//   x01 = 2 min(1/3, 1/1) = 0.667: +0, rest .667;  x02 = 2 min(2/3, 2/2) = 1.333: +1,
//   rest .333. Free: block 0 1, 1 2, 2 1. Rests: (0,1) first, +1 (block 0 full).
// Map c01 = 2, c02 = 2, c12 = 1; no fill (every pair with demand touches block 0).
// (The fill alone would have given (0,2) the port: d/(c+1) = 2/3 against 1/2.)
TEST(DirectConnect, TopologyEngineeringLargestRemainderComesFirst) {
  const TrafficMatrix t = {{0, 1, 2}, {0, 0, 0}, {0, 0, 0}};
  const BlockMatrix want = {{0, 2, 2}, {2, 0, 1}, {2, 1, 0}};
  EXPECT_EQ(engineer_circuits(t, 4), want);
}

// Laying needs the exchanges: 8 blocks x 56 uplinks (8 circuits per pair) on 4 OCS of
// 14 ports per block. Least-used placement alone gets stuck in the last round (worked
// through in a script: pair 4-7 finds no OCS with a port for both); a Kempe chain frees
// one. Feasible: 8 circuits per pair = 4 OCS x 2 each, 7 x 2 = 14 per block per OCS.
TEST(DirectConnect, UniformMeshLaysOnFourOcsWithExchanges) {
  const DirectConnectParams p = params(8, 56, 4);
  EXPECT_EQ(check(p), "");
}

TEST(DirectConnect, CheckRefusesImpossibleInputs) {
  DirectConnectParams p = params(4, 3, 1);
  p.uplinks = 0;
  EXPECT_EQ(check(p).rfind("uplinks:", 0), 0u) << check(p);
  p = params(4, 3, 1);
  p.rule = CircuitRule::given;
  p.circuits = {{0, 2, 1, 1}, {2, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}};
  EXPECT_EQ(check(p).rfind("circuits[0]: block 0 has 4 circuits but only 3", 0), 0u) << check(p);
  p = params(4, 3, 1);
  p.device_ports = 11;  // needs 4 x 3 = 12
  EXPECT_EQ(check(p).rfind("ocs.part:", 0), 0u) << check(p);
  // A triangle on 2 OCS with one port per block each: each OCS is a matching on 3
  // blocks, at most one circuit; 3 circuits cannot fit.
  p = params(3, 2, 2);
  EXPECT_EQ(check(p).rfind("ocs.count: no OCS has a free port", 0), 0u) << check(p);
  // Demand with no path: U = 1 joins only the diameters 0-2 and 1-3.
  p = params(4, 1, 1);
  p.traffic = {{0, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  EXPECT_EQ(check(p).rfind("circuits: block 0 has demand to block 1", 0), 0u) << check(p);
}

// The bill, per uplink port, by hand. Radix-128 switch US$37,300 and 913 W; optic
// US$550 and 10 W; OCS US$0 and 108 W. N = 8, U = 128: blocks are 6 x 128 / 128 = 6
// switches each, 48 in all. Spine twin: 8 spines (1,024 ports / 128): 56 switches,
// 2,048 optics: capex 56 x 37,300 + 2,048 x 550 = 2,088,800 + 1,126,400 = 3,215,200;
// power 56 x 913 + 20,480 = 71,608 W. Direct with 8 OCS: 48 switches, 1,024 optics:
// capex 1,790,400 + 563,200 = 2,353,600; power 43,824 + 10,240 + 864 = 54,928 W.
TEST(DirectConnect, BillByHand) {
  BillFigures b{128, 37300, 913, 550, 10, 0, 108};
  DirectConnectParams p = params(8, 128, 8);
  const FabricBill d = fabric_bill(p, direct_connect_parts(p, uniform_circuits(8, 128)), b);
  EXPECT_EQ(d.switches, 48u);
  EXPECT_EQ(d.transceivers, 1024u);
  EXPECT_EQ(d.ocs, 8u);
  EXPECT_DOUBLE_EQ(d.capex, 2353600.0);
  EXPECT_DOUBLE_EQ(d.power, 54928.0);
  p.layer = DirectConnectLayer::spine;
  const FabricBill s = fabric_bill(p, direct_connect_parts(p, {}), b);
  EXPECT_EQ(s.switches, 56u);
  EXPECT_EQ(s.transceivers, 2048u);
  EXPECT_DOUBLE_EQ(s.capex, 3215200.0);
  EXPECT_DOUBLE_EQ(s.power, 71608.0);
}

// docs/jupiter.md's table, by hand: N = 64, U = 512, R = 128. Blocks 6 x 512 / 128 = 24
// switches each, 1,536. Spine-full: + 256 spines = 1,792 switches, 2 x 32,768 = 65,536
// optics: capex 1,792 x 37,300 + 65,536 x 550 = 66,841,600 + 36,044,800 = 102,886,400;
// power 1,792 x 913 + 65,536 x 9 = 1,636,096 + 589,824 = 2,225,920 W. Direct: 1,536
// switches, 32,768 optics, 256 OCS (32,768 ports / 128): capex 57,292,800 + 18,022,400
// = 75,315,200 (OCS at 0); power 1,402,368 + 294,912 + 256 x 108 = 1,724,928 W.
TEST(DirectConnect, BillAtJupiterScale) {
  BillFigures b{128, 37300, 913, 550, 9, 0, 108};
  DirectConnectParams p = params(64, 512, 256);
  const FabricBill d = fabric_bill(p, direct_connect_parts(p, {}), b);
  EXPECT_EQ(d.switches, 1536u);
  EXPECT_EQ(d.ocs, 256u);
  EXPECT_DOUBLE_EQ(d.capex, 75315200.0);
  EXPECT_DOUBLE_EQ(d.power, 1724928.0);
  p.layer = DirectConnectLayer::spine;
  const FabricBill s = fabric_bill(p, direct_connect_parts(p, {}), b);
  EXPECT_EQ(s.switches, 1792u);
  EXPECT_EQ(s.transceivers, 65536u);
  EXPECT_DOUBLE_EQ(s.capex, 102886400.0);
  EXPECT_DOUBLE_EQ(s.power, 2225920.0);
}

}  // namespace
}  // namespace roshni::topo
