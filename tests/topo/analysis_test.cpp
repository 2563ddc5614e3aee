#include "roshni/topo/analysis.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/sim/random.h"
#include "roshni/topo/generators.h"

namespace roshni::topo {
namespace {

constexpr DataRate kB = gbps(400);  // 5e10 bytes/s: every link's rate unless stated

NodeAttrs node_attrs(uint8_t tier, uint32_t radix, std::string role = "") {
  NodeAttrs a;
  a.tier = tier;
  a.radix = radix;
  a.role = std::move(role);
  return a;
}
LinkAttrs with_role(std::string role) {
  LinkAttrs a;
  a.role = std::move(role);
  return a;
}
LinkAttrs with_length(Length length) {
  LinkAttrs a;
  a.length = length;
  return a;
}

Topology star(uint32_t n) {
  StarParams p;
  p.gpus = n;
  p.link_bandwidth = kB;
  return make_star(p);
}

// gpu0 - gpu1 - gpu2 - gpu3, GPUs joined directly (as over NVLink).
Topology line4() {
  TopologyBuilder b;
  std::vector<NodeId> g;
  for (int i = 0; i < 4; ++i) g.push_back(b.add_node("gpu" + std::to_string(i), NodeKind::gpu));
  for (int i = 0; i < 3; ++i) b.add_link(g[i], g[i + 1], kB, kB, SimTime::zero());
  return std::move(b).build();
}

// Two leaves of four GPUs each (gpu0-3 on leaf0, gpu4-7 on leaf1) and two spines, one
// uplink from each leaf to each spine at `uplink` per direction. A leaf takes in 4 kB
// from its GPUs and can send out 2 × uplink, so its oversubscription is 4 kB / 2 uplink.
Topology leaf_spine(DataRate uplink) {
  TopologyBuilder b;
  std::vector<NodeId> gpu;
  for (int i = 0; i < 8; ++i) gpu.push_back(b.add_node("gpu" + std::to_string(i), NodeKind::gpu));
  const NodeAttrs leaf = node_attrs(1, 8, "leaf"), spine = node_attrs(2, 2, "spine");
  const NodeId l0 = b.add_node("leaf0", NodeKind::switch_, SimTime::zero(), leaf);
  const NodeId l1 = b.add_node("leaf1", NodeKind::switch_, SimTime::zero(), leaf);
  const NodeId s0 = b.add_node("spine0", NodeKind::switch_, SimTime::zero(), spine);
  const NodeId s1 = b.add_node("spine1", NodeKind::switch_, SimTime::zero(), spine);
  for (int i = 0; i < 8; ++i) {
    b.add_link(gpu[i], i < 4 ? l0 : l1, kB, kB, SimTime::zero(), with_role("host"));
  }
  for (NodeId l : {l0, l1}) {
    for (NodeId s : {s0, s1}) b.add_link(l, s, uplink, uplink, SimTime::zero(), with_role("leaf-spine"));
  }
  return std::move(b).build();
}

// ---- Counts -------------------------------------------------------------------------

// make_star gives no attributes: one switch of tier 0 whose role falls back to its kind,
// eight links of no role and no length.
TEST(Counts, StarHasOneSwitchAndUnplacedLinks) {
  const TopologyCounts c = count_parts(star(8));
  EXPECT_EQ(c.gpus, 8u);
  ASSERT_EQ(c.switches.size(), 1u);
  EXPECT_EQ(c.switches.begin()->first, (NodeClass{NodeKind::switch_, 1, "switch"}));
  EXPECT_EQ(c.switches.begin()->second, 1u);
  EXPECT_EQ(c.physical_links, 8u);
  EXPECT_EQ(c.links_by_role, (std::map<std::string, uint32_t>{{"", 8}}));
  EXPECT_EQ(c.cables[static_cast<size_t>(CableBucket::unplaced)], 8u);
}

// Leaf-spine: 2 leaves (tier 1) and 2 spines (tier 2), ordered by tier; 8 host links
// and 2 × 2 leaf-spine links.
TEST(Counts, LeafSpineBySwitchClassAndLinkRole) {
  const TopologyCounts c = count_parts(leaf_spine(kB));
  const std::map<NodeClass, uint32_t> expected{{{NodeKind::switch_, 1, "leaf"}, 2},
                                               {{NodeKind::switch_, 2, "spine"}, 2}};
  EXPECT_EQ(c.switches, expected);
  EXPECT_EQ(c.links_by_role, (std::map<std::string, uint32_t>{{"host", 8}, {"leaf-spine", 4}}));
  EXPECT_EQ(c.physical_links, 12u);
}

// Bucket bounds are inclusive: 1 m is "<=1m", 1.0001 m is "<=3m", 100.5 m is ">100m".
TEST(Counts, CablesByLengthBucket) {
  EXPECT_EQ(cable_bucket(metres(0)), CableBucket::unplaced);
  EXPECT_EQ(cable_bucket(metres(0.3)), CableBucket::up_to_1m);
  EXPECT_EQ(cable_bucket(metres(1)), CableBucket::up_to_1m);
  EXPECT_EQ(cable_bucket(metres(1.0001)), CableBucket::up_to_3m);
  EXPECT_EQ(cable_bucket(metres(100)), CableBucket::up_to_100m);
  EXPECT_EQ(cable_bucket(metres(100.5)), CableBucket::over_100m);
  EXPECT_EQ(to_string(CableBucket::over_100m), ">100m");

  // One cable of each length below, from a GPU to a switch: expected one per bucket
  // except "<=3m", which gets two (1.0001 m and 3 m).
  const std::vector<double> lengths{0, 1, 1.0001, 3, 5, 10, 30, 100, 100.5};
  TopologyBuilder b;
  const NodeId sw = b.add_node("sw", NodeKind::switch_);
  for (size_t i = 0; i < lengths.size(); ++i) {
    const NodeId g = b.add_node("g" + std::to_string(i), NodeKind::gpu);
    b.add_link(g, sw, kB, kB, SimTime::zero(), with_length(metres(lengths[i])));
  }
  const TopologyCounts c = count_parts(std::move(b).build());
  const std::array<uint32_t, kCableBucketCount> expected{1, 2, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(c.cables, expected);
}

// ---- Ports --------------------------------------------------------------------------

// A star of 4 GPUs around a switch of radix r: the switch uses 4 ports. Radix 3 is one
// short and is listed; radix 4 and radix 0 (unlimited) are not.
TEST(Ports, StarSwitchOverRadixIsListed) {
  for (uint32_t radix : {3u, 4u, 0u}) {
    TopologyBuilder b;
    std::vector<NodeId> g;
    for (int i = 0; i < 4; ++i) g.push_back(b.add_node("gpu" + std::to_string(i), NodeKind::gpu));
    const NodeId sw = b.add_node("tor", NodeKind::switch_, SimTime::zero(), node_attrs(1, radix));
    for (NodeId x : g) b.add_link(x, sw, kB, kB, SimTime::zero());
    const Topology t = std::move(b).build();

    const auto use = port_usage(t);
    ASSERT_EQ(use.size(), 1u);
    EXPECT_EQ(use[0].name, "tor");
    EXPECT_EQ(use[0].used, 4u);
    EXPECT_EQ(use[0].radix, radix);
    const auto over = over_radix(t);
    if (radix == 3) {
      ASSERT_EQ(over.size(), 1u);
      EXPECT_EQ(over[0].name, "tor");
      EXPECT_EQ(over[0].used, 4u);
      EXPECT_EQ(over[0].radix, 3u);
    } else {
      EXPECT_TRUE(over.empty()) << "radix " << radix;
    }
  }
}

// Leaf-spine: each leaf has 4 GPU links and 2 uplinks = 6 ports of 8; each spine has 2
// leaf links, exactly its radix of 2. Nothing is over.
TEST(Ports, LeafSpineFits) {
  const auto use = port_usage(leaf_spine(kB));
  ASSERT_EQ(use.size(), 4u);
  EXPECT_EQ(use[0].used, 6u);
  EXPECT_EQ(use[2].used, 2u);
  EXPECT_TRUE(over_radix(leaf_spine(kB)).empty());
}

// ---- Diameter -----------------------------------------------------------------------

// Reference: a breadth-first search from every GPU; the largest GPU-to-GPU distance.
uint32_t naive_diameter(const Topology& t) {
  uint32_t worst = 0;
  for (NodeId s : t.gpus()) {
    std::vector<uint32_t> dist(t.node_count(), Diameter::kInfinite);
    std::deque<NodeId> queue{s};
    dist[s.value()] = 0;
    while (!queue.empty()) {
      const NodeId v = queue.front();
      queue.pop_front();
      for (LinkId l : t.out_links(v)) {
        const NodeId w = t.link_to(l);
        if (dist[w.value()] == Diameter::kInfinite) {
          dist[w.value()] = dist[v.value()] + 1;
          queue.push_back(w);
        }
      }
    }
    for (NodeId g : t.gpus()) worst = std::max(worst, dist[g.value()]);
  }
  return worst;
}

// Star (of 8 or of 2): any two GPUs are gpu-switch-gpu, 2 hops. Line: gpu0 to gpu3 is 3.
// Leaf-spine: GPUs on different leaves are gpu-leaf-spine-leaf-gpu, 4 hops.
TEST(Diameter, SmallTopologies) {
  for (const auto& [t, hops] : std::vector<std::pair<Topology, uint32_t>>{
           {star(8), 2}, {star(2), 2}, {line4(), 3}, {leaf_spine(kB), 4}}) {
    const Diameter d = gpu_diameter(t);
    EXPECT_TRUE(d.exact());
    EXPECT_EQ(d.lower, hops);
    EXPECT_EQ(naive_diameter(t), hops);
  }
}

// One GPU has no pair (0 hops); two GPUs with no path between them are infinitely far.
TEST(Diameter, TrivialAndDisconnected) {
  EXPECT_EQ(gpu_diameter(star(1)).upper, 0u);
  TopologyBuilder b;
  const NodeId a = b.add_node("a", NodeKind::gpu), c = b.add_node("c", NodeKind::gpu);
  const NodeId s = b.add_node("s", NodeKind::switch_);
  b.add_link(a, s, kB, kB, SimTime::zero());
  (void)c;
  const Diameter d = gpu_diameter(std::move(b).build());
  EXPECT_FALSE(d.connected());
  EXPECT_EQ(d.upper, Diameter::kInfinite);
}

// A ring of 24 GPUs: every GPU is 12 hops from the one opposite, so the diameter is 12,
// and the ring is vertex-transitive, iFUB's worst case. With the default budget the
// answer is exact; with a budget of 8 searches it must stop with bounds around 12.
TEST(Diameter, RingExactOrBracketedByBudget) {
  TopologyBuilder b;
  std::vector<NodeId> g;
  for (int i = 0; i < 24; ++i) g.push_back(b.add_node("g" + std::to_string(i), NodeKind::gpu));
  for (int i = 0; i < 24; ++i) b.add_link(g[i], g[(i + 1) % 24], kB, kB, SimTime::zero());
  const Topology t = std::move(b).build();
  const Diameter exact = gpu_diameter(t);
  EXPECT_TRUE(exact.exact());
  EXPECT_EQ(exact.lower, 12u);

  const Diameter bounded = gpu_diameter(t, {.max_link_scans = 8 * t.link_count()});
  EXPECT_FALSE(bounded.exact());
  EXPECT_LE(bounded.lower, 12u);
  EXPECT_GE(bounded.upper, 12u);
  EXPECT_LT(bounded.searches, exact.searches);
}

// Random connected graphs of GPUs and switches (a random tree, so many GPUs hang off
// one node, plus random extra links, some parallel): iFUB agrees with the all-pairs
// reference, and any budget gives bounds that hold.
TEST(Diameter, MatchesReferenceOnRandomGraphs) {
  sim::RandomStream rng(42);
  int past_the_sweeps = 0;  // trials where the 4-sweep alone did not settle it
  for (int trial = 0; trial < 300; ++trial) {
    const uint32_t n = 2 + static_cast<uint32_t>(rng.uniform_below(60));
    TopologyBuilder b;
    std::vector<NodeId> v;
    for (uint32_t i = 0; i < n; ++i) {
      const bool gpu = i < 2 || rng.uniform_below(2) == 0;
      v.push_back(b.add_node("n" + std::to_string(i), gpu ? NodeKind::gpu : NodeKind::switch_));
    }
    for (uint32_t i = 1; i < n; ++i) b.add_link(v[i], v[rng.uniform_below(i)], kB, kB, SimTime::zero());
    const uint64_t extra = rng.uniform_below(n / 2 + 1);
    for (uint64_t k = 0; k < extra; ++k) {
      const auto x = rng.uniform_below(n), y = rng.uniform_below(n);
      if (x != y) b.add_link(v[x], v[y], kB, kB, SimTime::zero());
      if (x != y && rng.uniform_below(4) == 0) b.add_link(v[x], v[y], kB, kB, SimTime::zero());
    }
    const Topology t = std::move(b).build();
    const uint32_t truth = naive_diameter(t);
    const Diameter d = gpu_diameter(t);
    ASSERT_TRUE(d.exact()) << "trial " << trial;
    EXPECT_EQ(d.lower, truth) << "trial " << trial;
    past_the_sweeps += d.searches > 5;
    const Diameter bounded = gpu_diameter(t, {.max_link_scans = 0});
    EXPECT_LE(bounded.lower, truth) << "trial " << trial;
    EXPECT_GE(bounded.upper, truth) << "trial " << trial;
  }
  std::printf("%d of 300 trials needed iFUB's level searches\n", past_the_sweeps);
  EXPECT_GT(past_the_sweeps, 30);
}

// ---- Bisection ----------------------------------------------------------------------

// Star of 8 GPUs at B per link: whatever the balanced partition, half A's four uplinks
// are the cut, so every cut and the bisection are 4 B = 2e11 bytes/s.
TEST(Bisection, StarIsHalfTheUplinks) {
  const Bisection b = bisection_bandwidth(star(8));
  ASSERT_EQ(b.cuts.size(), 6u);  // id-halves, even-odd, random-1..4
  EXPECT_EQ(b.cuts[0].partition, "id-halves");
  EXPECT_EQ(b.cuts[1].partition, "even-odd");
  EXPECT_EQ(b.cuts[5].partition, "random-4");
  for (const auto& c : b.cuts) EXPECT_DOUBLE_EQ(c.flow.si(), 4 * 5e10) << c.partition;
  EXPECT_DOUBLE_EQ(b.bandwidth.si(), 2e11);
}

// Line gpu0-gpu1-gpu2-gpu3. id-halves {0,1}->{2,3}: everything crosses link 1-2, so B.
// even-odd {0,2}->{1,3}: 0->1, 2->1 and 2->3 each carry B directly, so 3B. The
// bisection is the minimum, B.
TEST(Bisection, LineIsOneLink) {
  const Bisection b = bisection_bandwidth(line4());
  EXPECT_DOUBLE_EQ(b.cuts[0].flow.si(), 5e10);
  EXPECT_DOUBLE_EQ(b.cuts[1].flow.si(), 3 * 5e10);
  EXPECT_DOUBLE_EQ(b.bandwidth.si(), 5e10);
}

// The 2-leaf, 2-spine fabric with uplinks of rate u: id-halves puts leaf0's GPUs in A and
// leaf1's in B, so the flow is min(4 B of GPU links, leaf0's 2 u of uplinks).
//   u = 2B: oversubscription 4B / 4B = 1, bisection 4B = 2e11
//   u = B:  oversubscription 2,           bisection 2B = 1e11
//   u = B/2: oversubscription 4,          bisection B  = 5e10
// (even-odd keeps half of each leaf's traffic local and gets the full 4B.) So an
// oversubscription of r divides the bisection by r.
TEST(Bisection, OversubscriptionDividesBisection) {
  const double full = bisection_bandwidth(leaf_spine(kB * 2)).bandwidth.si();
  EXPECT_DOUBLE_EQ(full, 4 * 5e10);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(leaf_spine(kB)).bandwidth.si(), full / 2);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(leaf_spine(kB / 2)).bandwidth.si(), full / 4);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(leaf_spine(kB)).cuts[1].flow.si(), full);
}

// Directions are separate edges: a link of 10 B/s one way and 20 B/s the other carries
// 10 from a to b and 20 from b to a. A rate of 1e9/3 B/s is rounded to whole bytes/s.
TEST(MaxFlow, EachDirectionHasItsOwnCapacity) {
  TopologyBuilder b;
  const NodeId a = b.add_node("a", NodeKind::gpu), z = b.add_node("z", NodeKind::gpu);
  const NodeId y = b.add_node("y", NodeKind::gpu);
  b.add_link(a, z, bytes_per_second(10), bytes_per_second(20), SimTime::zero());
  b.add_link(a, y, bytes_per_second(1e9 / 3), bytes_per_second(1e9 / 3), SimTime::zero());
  const Topology t = std::move(b).build();
  const std::vector<NodeId> from_a{a}, to_z{z}, to_y{y};
  EXPECT_DOUBLE_EQ(max_flow(t, from_a, to_z).si(), 10);
  EXPECT_DOUBLE_EQ(max_flow(t, to_z, from_a).si(), 20);
  EXPECT_DOUBLE_EQ(max_flow(t, from_a, to_y).si(), 333333333);
}

// Reference: Edmonds-Karp (shortest augmenting paths, Edmonds & Karp 1972) on an
// adjacency matrix, with integer capacities and infinite source and sink edges.
int64_t naive_max_flow(const Topology& t, const std::vector<NodeId>& from,
                       const std::vector<NodeId>& to) {
  const size_t n = t.node_count() + 2, s = n - 2, z = n - 1;
  const int64_t inf = int64_t{1} << 50;
  std::vector<std::vector<int64_t>> r(n, std::vector<int64_t>(n, 0));
  for (uint32_t l = 0; l < t.link_count(); ++l) {
    r[t.link_from(LinkId(l)).value()][t.link_to(LinkId(l)).value()] +=
        static_cast<int64_t>(t.link_capacity(LinkId(l)).si());
  }
  for (NodeId a : from) r[s][a.value()] = inf;
  for (NodeId b : to) r[b.value()][z] = inf;
  int64_t total = 0;
  for (;;) {
    std::vector<size_t> parent(n, n);
    parent[s] = s;
    std::deque<size_t> queue{s};
    while (!queue.empty() && parent[z] == n) {
      const size_t v = queue.front();
      queue.pop_front();
      for (size_t w = 0; w < n; ++w) {
        if (parent[w] == n && r[v][w] > 0) {
          parent[w] = v;
          queue.push_back(w);
        }
      }
    }
    if (parent[z] == n) return total;
    int64_t push = inf;
    for (size_t w = z; w != s; w = parent[w]) push = std::min(push, r[parent[w]][w]);
    for (size_t w = z; w != s; w = parent[w]) {
      r[parent[w]][w] -= push;
      r[w][parent[w]] += push;
    }
    total += push;
  }
}

// Random connected graphs with random integer capacities, different in each direction,
// and random disjoint GPU sets: push-relabel agrees with Edmonds-Karp.
TEST(MaxFlow, MatchesReferenceOnRandomGraphs) {
  sim::RandomStream rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const uint32_t n = 3 + static_cast<uint32_t>(rng.uniform_below(25));
    TopologyBuilder b;
    std::vector<NodeId> v;
    for (uint32_t i = 0; i < n; ++i) {
      const bool gpu = i < 2 || rng.uniform_below(3) != 0;
      v.push_back(b.add_node("n" + std::to_string(i), gpu ? NodeKind::gpu : NodeKind::switch_));
    }
    auto rate = [&] { return bytes_per_second(static_cast<double>(1 + rng.uniform_below(100))); };
    for (uint32_t i = 1; i < n; ++i) b.add_link(v[i], v[rng.uniform_below(i)], rate(), rate(), SimTime::zero());
    for (uint64_t k = rng.uniform_below(n); k > 0; --k) {
      const auto x = rng.uniform_below(n), y = rng.uniform_below(n);
      if (x != y) b.add_link(v[x], v[y], rate(), rate(), SimTime::zero());
    }
    const Topology t = std::move(b).build();
    std::vector<NodeId> from, to;
    for (NodeId g : t.gpus()) {
      const auto side = rng.uniform_below(3);  // A, B or neither
      if (side == 0) from.push_back(g);
      if (side == 1) to.push_back(g);
    }
    EXPECT_DOUBLE_EQ(max_flow(t, from, to).si(), static_cast<double>(naive_max_flow(t, from, to)))
        << "trial " << trial;
  }
}

// Star of 8 from gpu0 to {gpu1, gpu2}: gpu0's single uplink, B.
TEST(MaxFlow, OneSourceIsLimitedByItsLink) {
  const Topology t = star(8);
  const std::vector<NodeId> from{NodeId(0)}, to{NodeId(1), NodeId(2)};
  EXPECT_DOUBLE_EQ(max_flow(t, from, to).si(), 5e10);
}

// ---- Scale --------------------------------------------------------------------------

// The three-tier fat-tree of Al-Fares et al. (SIGCOMM 2008) for even k, built pod by
// pod: k pods of k/2 edge and k/2 aggregation switches, k/2 GPUs per edge switch (k³/4
// GPUs), (k/2)² cores; aggregation switch j of every pod joins cores (k/2)j .. (k/2)j +
// k/2 - 1. Every link runs at B except the aggregation-core links, at `core_rate`.
Topology fat_tree(uint32_t k, DataRate core_rate) {
  const uint32_t half = k / 2;
  TopologyBuilder b;
  std::vector<NodeId> core;
  for (uint32_t c = 0; c < half * half; ++c) {
    core.push_back(b.add_node("core" + std::to_string(c), NodeKind::switch_, SimTime::zero(),
                              node_attrs(3, k, "core")));
  }
  for (uint32_t p = 0; p < k; ++p) {
    const std::string pod = "p" + std::to_string(p);
    std::vector<NodeId> agg;
    for (uint32_t j = 0; j < half; ++j) {
      agg.push_back(b.add_node(pod + "agg" + std::to_string(j), NodeKind::switch_, SimTime::zero(),
                               node_attrs(2, k, "agg")));
      for (uint32_t c = 0; c < half; ++c) {
        b.add_link(agg[j], core[j * half + c], core_rate, core_rate, SimTime::zero());
      }
    }
    for (uint32_t e = 0; e < half; ++e) {
      const NodeId edge = b.add_node(pod + "edge" + std::to_string(e), NodeKind::switch_,
                                     SimTime::zero(), node_attrs(1, k, "edge"));
      for (NodeId a : agg) b.add_link(edge, a, kB, kB, SimTime::zero());
      for (uint32_t h = 0; h < half; ++h) {
        const NodeId g = b.add_node(pod + "e" + std::to_string(e) + "g" + std::to_string(h), NodeKind::gpu);
        b.add_link(g, edge, kB, kB, SimTime::zero());
      }
    }
  }
  return std::move(b).build();
}

// A k = 4 fat-tree (16 GPUs, 4 pods): 6 hops across pods; non-blocking, so the
// bisection is 8 GPUs' links, 8 B = 4e11; with core links at B/4, id-halves (pods 0-1
// to pods 2-3) is limited by pods 0-1's 2 × 4 core links at B/4: 2 B = 1e11.
TEST(Analysis, SmallFatTree) {
  const Topology t = fat_tree(4, kB);
  EXPECT_EQ(t.gpus().size(), 16u);
  EXPECT_EQ(gpu_diameter(t).upper, 6u);
  EXPECT_EQ(naive_diameter(t), 6u);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(t).bandwidth.si(), 8 * 5e10);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(fat_tree(4, kB / 4)).bandwidth.si(), 2 * 5e10);
}

// k = 64: 65,536 GPUs, 64 × 64 + 1024 = 5,120 switches (70,656 nodes), 3 × 65,536 =
// 196,608 links.
//   Diameter: GPUs in different pods are gpu-edge-agg-core-agg-edge-gpu, 6 hops.
//   Bisection at full rate: the fat-tree is non-blocking, so half the GPUs can send at
//   line rate: 32,768 × B = 1.6384e15 bytes/s — in every partition, as A's 32,768 GPU
//   links bound any cut and the fabric carries that much.
//   With core links at B/4 (4:1 oversubscribed at the core): id-halves sends pods 0-31
//   to pods 32-63 over their 32 × 1024 core links at B/4: 8,192 × B = 4.096e14, and that
//   is the minimum (even-odd keeps all traffic under its edge switches: 32,768 × B).
TEST(Analysis, FatTree65536Scale) {
  const auto ms = [](auto a, auto z) {
    return std::chrono::duration<double, std::milli>(z - a).count();
  };
  for (const double core_share : {1.0, 0.25}) {
    const auto t0 = std::chrono::steady_clock::now();
    const Topology t = fat_tree(64, kB * core_share);
    ASSERT_EQ(t.gpus().size(), 65536u);
    ASSERT_EQ(t.node_count(), 70656u);
    ASSERT_EQ(t.link_count(), 2u * 196608u);
    const auto t1 = std::chrono::steady_clock::now();

    const Diameter d = gpu_diameter(t);
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_TRUE(d.exact());
    EXPECT_EQ(d.lower, 6u);

    const Bisection bis = bisection_bandwidth(t);
    const auto t3 = std::chrono::steady_clock::now();
    EXPECT_DOUBLE_EQ(bis.bandwidth.si(), 32768 * 5e10 * core_share);
    EXPECT_DOUBLE_EQ(bis.cuts[0].flow.si(), 32768 * 5e10 * core_share);  // id-halves
    EXPECT_DOUBLE_EQ(bis.cuts[1].flow.si(), 32768 * 5e10);               // even-odd
    EXPECT_TRUE(over_radix(t).empty());
    std::printf("core share %.2f: build %.0f ms; diameter %.0f ms (%u searches); "
                "bisection %.0f ms (%zu max-flows)\n",
                core_share, ms(t0, t1), ms(t1, t2), d.searches, ms(t2, t3), bis.cuts.size());
  }
}

}  // namespace
}  // namespace roshni::topo
