#include "roshni/topo/clos.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/topo/analysis.h"

namespace roshni::topo {
namespace {

ClosParams fat_tree(uint32_t k) {
  ClosParams p;
  p.tiers = 3;
  p.radix = k;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(100'000);
  p.switch_latency = SimTime::ps(300'000);
  return p;
}

// A path is a walk: consecutive links meet, it starts at src and ends at dst.
void expect_walk(const Topology& t, NodeId src, NodeId dst, const std::vector<LinkId>& p) {
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(t.link_from(p.front()), src);
  EXPECT_EQ(t.link_to(p.back()), dst);
  for (size_t i = 1; i < p.size(); ++i) ASSERT_EQ(t.link_to(p[i - 1]), t.link_from(p[i]));
}

size_t count_role(const Topology& t, std::string_view role) {
  size_t n = 0;
  for (uint32_t i = 0; i < t.node_count(); ++i) n += t.node_role(NodeId(i)) == role;
  return n;
}

// Al-Fares et al. 2008: a k-ary fat-tree has k pods of k/2 edge and k/2 aggregation
// switches, (k/2)^2 cores: k^3/4 hosts and 5k^2/4 switches; each tier boundary carries
// k^3/4 links (hosts-edge, edge-agg, agg-core).
TEST(Clos, KAryFatTreeCounts) {
  for (uint32_t k : {4u, 8u, 16u}) {
    const auto f = make_clos(fat_tree(k), MultipathPolicy::ecmp);
    const Topology& t = f->topology;
    EXPECT_EQ(t.gpus().size(), k * k * k / 4);
    EXPECT_EQ(t.node_count() - t.gpus().size(), 5 * k * k / 4);
    EXPECT_EQ(count_role(t, "leaf"), k * k / 2);
    EXPECT_EQ(count_role(t, "agg"), k * k / 2);
    EXPECT_EQ(count_role(t, "core"), k * k / 4);
    EXPECT_EQ(t.link_count() / 2, 3 * k * k * k / 4);
    EXPECT_EQ(f->shape.pods, k);
    // Every switch uses exactly its k ports in the full fat-tree.
    for (uint32_t n = static_cast<uint32_t>(t.gpus().size()); n < t.node_count(); ++n) {
      EXPECT_EQ(t.out_links(NodeId(n)).size(), k) << t.node_name(NodeId(n));
    }
  }
}

// Up/down paths: 2 links under one leaf, 4 within a pod, 6 across pods. Across pods
// ECMP can pick any of (k/2) aggregation switches and (k/2) cores: (k/2)^2 = 16 paths
// for k = 8; within a pod, k/2 = 4.
TEST(Clos, FatTreeRoutesUpDownWithAllEcmpChoices) {
  const auto f = make_clos(fat_tree(8), MultipathPolicy::ecmp);
  const Topology& t = f->topology;
  // k = 8: 4 GPUs per leaf, 16 per pod.
  const NodeId a(0), same_leaf(3), same_pod(5), other_pod(100);
  std::set<std::vector<LinkId>> pod_paths, core_paths;
  for (uint32_t h = 0; h < 2000; ++h) {
    std::vector<LinkId> p1, p2, p3;
    ASSERT_TRUE(f->router->route(a, same_leaf, flow_hash(1, h), p1));
    expect_walk(t, a, same_leaf, p1);
    EXPECT_EQ(p1.size(), 2u);
    ASSERT_TRUE(f->router->route(a, same_pod, flow_hash(1, h), p2));
    expect_walk(t, a, same_pod, p2);
    EXPECT_EQ(p2.size(), 4u);
    pod_paths.insert(p2);
    ASSERT_TRUE(f->router->route(a, other_pod, flow_hash(1, h), p3));
    expect_walk(t, a, other_pod, p3);
    EXPECT_EQ(p3.size(), 6u);
    EXPECT_EQ(t.node_role(t.link_to(p3[2])), "core");
    core_paths.insert(p3);
  }
  EXPECT_EQ(pod_paths.size(), 4u);
  EXPECT_EQ(core_paths.size(), 16u);
}

// D-mod-K (Zahavi 2010): the up links are fixed by the destination, so a path does not
// depend on the flow's hash, and a shift permutation (every GPU s sends to s + 16, the
// same place in the next pod) puts exactly one flow on every directed link it uses —
// the non-blocking property that makes replicas of a job see alike, uncontended paths.
// Hashing (ECMP) the same permutation collides somewhere.
TEST(Clos, DmodKRoutesByDestinationAndKeepsAShiftPermutationUncontended) {
  const auto max_load = [](MultipathPolicy policy) {
    const auto f = make_clos(fat_tree(8), policy);
    const Topology& t = f->topology;
    const auto n = static_cast<uint32_t>(t.gpus().size());  // 128
    std::vector<uint32_t> load(t.link_count(), 0);
    for (uint32_t s = 0; s < n; ++s) {
      const NodeId src(s), dst((s + 16) % n);
      std::vector<LinkId> p, again;
      EXPECT_TRUE(f->router->route(src, dst, flow_hash(1, s), p));
      expect_walk(t, src, dst, p);
      EXPECT_EQ(p.size(), 6u);
      if (policy == MultipathPolicy::dmodk) {
        EXPECT_TRUE(f->router->route(src, dst, flow_hash(7, s + 1000), again));
        EXPECT_EQ(p, again) << "a D-mod-K path changed with the hash";
      }
      for (LinkId l : p) ++load[l.value()];
    }
    return *std::max_element(load.begin(), load.end());
  };
  EXPECT_EQ(max_load(MultipathPolicy::dmodk), 1u);
  EXPECT_GT(max_load(MultipathPolicy::ecmp), 1u);
}

// Every pair of a small fabric routes to a valid walk whose length is what the
// structure says: this guards the index arithmetic of the router.
TEST(Clos, EveryPairRoutesOnSmallFabrics) {
  // Full fabrics, and partial ones whose spines or cores take several uplinks of a leaf
  // or pod (k = 4: 2 tiers, 4 GPUs on 2 leaves; 3 tiers, 8 GPUs in 2 of 4 pods).
  for (const auto [tiers, gpus] : {std::pair{2u, 0u}, {3u, 0u}, {2u, 4u}, {3u, 8u}, {3u, 12u}}) {
    ClosParams p = fat_tree(4);
    p.tiers = tiers;
    p.gpus = gpus;
    const auto f = make_clos(p, MultipathPolicy::ecmp);
    const Topology& t = f->topology;
    const uint32_t n = static_cast<uint32_t>(t.gpus().size());
    for (uint32_t s = 0; s < n; ++s) {
      for (uint32_t d = 0; d < n; ++d) {
        if (s == d) continue;
        std::vector<LinkId> path;
        ASSERT_TRUE(f->router->route(NodeId(s), NodeId(d), flow_hash(3, s * n + d), path));
        expect_walk(t, NodeId(s), NodeId(d), path);
      }
    }
  }
}

// Leaf-spine with oversubscription 3 at radix 8: leaves have 8*3/4 = 6 GPU ports and
// 8/4 = 2 uplinks, so 2 spines; a spine has 8 ports, so at most 8 leaves = 48 GPUs.
TEST(Clos, LeafSpineWithOversubscription) {
  ClosParams p = fat_tree(8);
  p.tiers = 2;
  p.leaf_oversubscription = 3;
  const auto s = clos_shape(p);
  EXPECT_EQ(s.leaf_down, 6u);
  EXPECT_EQ(s.leaf_up, 2u);
  EXPECT_EQ(s.max_gpus, 48u);
  // A partly filled fabric: ceil(20/6) = 4 leaves with 4 x 2 = 8 uplinks, which one spine
  // of 8 ports takes: each spine takes t = min(u, floor(k/L)) = min(2, 8/4) = 2 uplinks
  // of every leaf, so ceil(u/t) = 1 spine, all 8 ports used (was: 2 spines of 4 used).
  p.gpus = 20;
  const auto f = make_clos(p, MultipathPolicy::ecmp);
  EXPECT_EQ(f->shape.leaves, 4u);
  EXPECT_EQ(f->shape.spines, 1u);
  EXPECT_EQ(f->topology.gpus().size(), 20u);
  EXPECT_EQ(count_role(f->topology, "spine"), 1u);
  EXPECT_EQ(f->topology.out_links(*f->topology.find_node("spine0")).size(), 8u);
}

// Used ports of every switch of `role`, in node order.
std::vector<size_t> ports_of(const Topology& t, std::string_view role) {
  std::vector<size_t> out;
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    if (t.node_role(NodeId(i)) == role) out.push_back(t.out_links(NodeId(i)).size());
  }
  return out;
}

// Links from each core to each pod: [core][pod].
std::vector<std::vector<uint32_t>> core_links_per_pod(const ClosFabric& f) {
  const Topology& t = f.topology;
  std::vector<std::vector<uint32_t>> out;
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    if (t.node_role(NodeId(i)) != "core") continue;
    std::vector<uint32_t> per_pod(f.shape.pods, 0);
    for (const LinkId l : t.out_links(NodeId(i))) {
      const std::string& agg = t.node_name(t.link_to(l));  // "agg<pod>_<j>"
      ++per_pod[std::stoul(agg.substr(3, agg.find('_') - 3))];
    }
    out.push_back(per_pod);
  }
  return out;
}

// Issue 17.1. 2,880 GPUs on radix 64 at 1:1: d = d_a = u = u_a = 32, L = 2880/32 = 90
// leaves, P = ceil(90/32) = 3 pods (32 + 32 + 26 leaves), 3 x 32 = 96 aggregation
// switches. Their U = u x u_a = 1,024 uplink indices (j, c) each carry one link per pod;
// a core takes t = floor(k/P) = 21 indices from every pod (3 x 21 = 63 of 64 ports), so
// C = ceil(U/t) = ceil(1024/21) = 49 cores: 48 with 63 ports used, the last with
// 3 x (1024 - 48 x 21) = 48. (A full fabric's k^2/4 = 1,024 cores each used 3 ports; the
// port bound P x U / k = 48 cannot be met evenly, as 64 ports do not split over 3 pods.)
// Full bisection at 1:1: half the GPUs at line rate, 1,440 x 50 GB/s.
TEST(Clos, PartialFatTreeBuildsOnlyTheCoresItsPodsUse) {
  ClosParams p = fat_tree(64);
  p.gpus = 2880;
  const auto f = make_clos(p, MultipathPolicy::ecmp);
  const Topology& t = f->topology;
  EXPECT_EQ(f->shape.leaves, 90u);
  EXPECT_EQ(f->shape.pods, 3u);
  EXPECT_EQ(f->shape.spines, 96u);
  EXPECT_EQ(f->shape.cores, 49u);
  EXPECT_EQ(count_role(t, "core"), 49u);
  EXPECT_EQ(count_role(t, "agg"), 96u);
  EXPECT_EQ(count_role(t, "leaf"), 90u);
  const auto core_ports = ports_of(t, "core");
  for (size_t c = 0; c < core_ports.size(); ++c) {
    EXPECT_EQ(core_ports[c], c + 1 < core_ports.size() ? 63u : 48u) << "core" << c;
  }
  // Every core takes the same number of links from every pod: ECMP spreads evenly.
  for (const auto& per_pod : core_links_per_pod(*f)) {
    for (const uint32_t n : per_pod) EXPECT_EQ(n, per_pod[0]);
  }
  // Every aggregation switch: 32 down (its pod's leaves; 26 in the last pod) + 32 up.
  for (const size_t used : ports_of(t, "agg")) EXPECT_LE(used, 64u);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(t).bandwidth.si(), 1440 * 50e9);
}

// Issue 17.1 at 100,800 GPUs on radix 144 at 1:1: d = d_a = u = u_a = 72, L = 1,400
// leaves, P = ceil(1400/72) = 20 pods; U = 72 x 72 = 5,184 uplink indices, a core takes
// t = floor(144/20) = 7 from every pod (140 of 144 ports), C = ceil(5184/7) = 741 cores
// (740 with 140 ports, the last with 20 x (5184 - 740 x 7) = 80), not the full 5,184.
// The port bound P x U / k = 720 is not reachable with every core taking the same number
// of links from every pod (144/20 is not whole).
TEST(Clos, HundredThousandGpuFabricBuildsSevenHundredFortyOneCores) {
  ClosParams p = fat_tree(144);
  p.gpus = 100800;
  const ClosShape s = clos_shape(p);
  EXPECT_EQ(s.leaves, 1400u);
  EXPECT_EQ(s.pods, 20u);
  EXPECT_EQ(s.spines, 20u * 72u);
  EXPECT_EQ(s.cores, 741u);
  const auto f = make_clos(p, MultipathPolicy::ecmp);
  const auto core_ports = ports_of(f->topology, "core");
  ASSERT_EQ(core_ports.size(), 741u);
  for (size_t c = 0; c < core_ports.size(); ++c) {
    ASSERT_EQ(core_ports[c], c + 1 < core_ports.size() ? 140u : 80u) << "core" << c;
  }
}

// One pod (k = 8: 16 GPUs fill 4 leaves of 4, one pod of 4 leaves) never sends through
// a core: 0 cores, and the aggregation switches have no uplinks. Two pods (32 GPUs):
// U = 4 x 4 = 16 indices, t = floor(8/2) = 4 per core, C = 16/4 = 4 cores of 2 x 4 = 8
// ports; across pods ECMP still has u x u_a = 16 distinct paths, over all 4 cores.
// Bisection of 32 GPUs at 1:1: 16 x 50 GB/s.
TEST(Clos, FewPodsShareCoresAndOnePodHasNone) {
  ClosParams p = fat_tree(8);
  p.gpus = 16;
  const auto one = make_clos(p, MultipathPolicy::ecmp);
  EXPECT_EQ(one->shape.pods, 1u);
  EXPECT_EQ(one->shape.cores, 0u);
  EXPECT_EQ(count_role(one->topology, "core"), 0u);
  for (const size_t used : ports_of(one->topology, "agg")) EXPECT_EQ(used, 4u);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(one->topology).bandwidth.si(), 8 * 50e9);

  p.gpus = 32;
  const auto two = make_clos(p, MultipathPolicy::ecmp);
  const Topology& t = two->topology;
  EXPECT_EQ(two->shape.pods, 2u);
  EXPECT_EQ(two->shape.cores, 4u);
  EXPECT_EQ(ports_of(t, "core"), std::vector<size_t>(4, 8));
  std::set<std::vector<LinkId>> paths;
  std::set<NodeId> cores;
  for (uint32_t h = 0; h < 4000; ++h) {
    std::vector<LinkId> path;
    ASSERT_TRUE(two->router->route(NodeId(0), NodeId(20), flow_hash(2, h), path));
    expect_walk(t, NodeId(0), NodeId(20), path);
    ASSERT_EQ(path.size(), 6u);
    // Down the same core it went up to.
    EXPECT_EQ(t.link_to(path[2]), t.link_from(path[3]));
    paths.insert(path);
    cores.insert(t.link_to(path[2]));
  }
  EXPECT_EQ(paths.size(), 16u);
  EXPECT_EQ(cores.size(), 4u);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(t).bandwidth.si(), 16 * 50e9);
}

// Rail-optimized: servers of 4 GPUs; GPU r of a server attaches to the leaf of rail r.
// Radix 8, 1:1: each leaf has 4 down ports, one per server, so a group is 4 servers and
// has 4 leaves (one per rail). GPUs 0 and 4 (rail 0, servers 0 and 1) share leaf 0;
// GPUs 0 and 1 do not.
TEST(Clos, RailPlacementPutsRailsOnSeparateLeaves) {
  ClosParams p = fat_tree(8);
  p.tiers = 2;
  p.placement = GpuPlacement::rail;
  p.gpus_per_server = 4;
  p.gpus = 32;
  const auto f = make_clos(p, MultipathPolicy::first);
  const Topology& t = f->topology;
  auto leaf_of = [&](uint32_t g) { return t.link_to(t.out_links(NodeId(g))[0]); };
  EXPECT_EQ(leaf_of(0), leaf_of(4));
  EXPECT_EQ(leaf_of(0), leaf_of(12));
  EXPECT_NE(leaf_of(0), leaf_of(1));
  EXPECT_NE(leaf_of(0), leaf_of(16));  // server 4 is in the next group
  EXPECT_EQ(leaf_of(17), leaf_of(29));
  std::vector<LinkId> path;
  ASSERT_TRUE(f->router->route(NodeId(0), NodeId(4), 0, path));
  EXPECT_EQ(path.size(), 2u);
}

// A scale-up domain of 4 GPUs over 2 planes: inside a domain the route is GPU ->
// plane switch -> GPU, each plane link carrying half the GPU's scale-up bandwidth;
// between domains the route leaves through the NIC into the Clos.
TEST(Clos, ScaleUpDomainCarriesIntraDomainTraffic) {
  ClosParams p = fat_tree(4);
  p.tiers = 2;
  p.gpus = 8;
  p.scale_up = {4, 2, gbps(1800 * 8), SimTime::ps(10'000), SimTime::ps(100'000)};
  ASSERT_EQ(check(p), "");
  const auto f = make_clos(p, MultipathPolicy::ecmp);
  const Topology& t = f->topology;
  EXPECT_EQ(f->shape.domains, 2u);
  EXPECT_EQ(count_role(t, "scale-up"), 4u);
  std::set<NodeId> planes_used;
  for (uint32_t h = 0; h < 200; ++h) {
    std::vector<LinkId> in, out;
    ASSERT_TRUE(f->router->route(NodeId(1), NodeId(2), flow_hash(0, h), in));
    ASSERT_EQ(in.size(), 2u);
    expect_walk(t, NodeId(1), NodeId(2), in);
    EXPECT_EQ(t.node_role(t.link_to(in[0])), "scale-up");
    EXPECT_DOUBLE_EQ(t.link_capacity(in[0]).si(), gbps(1800 * 8).si() / 2);
    planes_used.insert(t.link_to(in[0]));
    ASSERT_TRUE(f->router->route(NodeId(1), NodeId(6), flow_hash(0, h), out));
    expect_walk(t, NodeId(1), NodeId(6), out);
    EXPECT_EQ(t.node_role(t.link_to(out[0])), "leaf");
  }
  EXPECT_EQ(planes_used.size(), 2u);
}

TEST(Clos, BadParametersNameTheParameter) {
  ClosParams p = fat_tree(8);
  p.tiers = 4;
  EXPECT_EQ(check(p).rfind("tiers:", 0), 0u);
  p = fat_tree(1);
  EXPECT_EQ(check(p).rfind("radix:", 0), 0u);
  p = fat_tree(8);
  p.leaf_oversubscription = 2;  // 8*2/3 is not whole
  EXPECT_EQ(check(p).rfind("leaf_oversubscription:", 0), 0u);
  p = fat_tree(8);
  p.leaf_oversubscription = 0.5;
  EXPECT_EQ(check(p).rfind("leaf_oversubscription:", 0), 0u);
  p = fat_tree(8);
  p.gpus = 129;  // k^3/4 = 128
  EXPECT_EQ(check(p).rfind("gpus:", 0), 0u);
  p = fat_tree(8);
  p.scale_up = {3, 1, gbps(100), SimTime(), SimTime()};  // 128 GPUs are not domains of 3
  EXPECT_EQ(check(p).rfind("scale_up.domain_size:", 0), 0u);
  p = fat_tree(8);
  p.placement = GpuPlacement::rail;
  p.gpus_per_server = 8;
  p.gpus = 12;
  EXPECT_EQ(check(p).rfind("gpus:", 0), 0u);
}

}  // namespace
}  // namespace roshni::topo


namespace roshni::topo {
namespace {

// Bisection by max-flow, not by formula: a radix-8 leaf-spine at 1:1 has 8 leaves of 4
// GPUs and 4 uplinks; half the leaves (16 GPUs) reach the other half through 4 x 4
// uplinks = 16 B, full bisection (= half the GPUs x B). At 3:1 it has 8 leaves of 6 GPUs
// and 2 uplinks: half the leaves have 8 uplinks = 8 B, a third of the 24 B that half the
// 48 GPUs could send. Oversubscription r divides bisection by r.
TEST(Clos, OversubscriptionDividesBisection) {
  ClosParams p = fat_tree(8);
  p.tiers = 2;
  const double b = gbps(400).si();
  const auto full = make_clos(p, MultipathPolicy::ecmp);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(full->topology).bandwidth.si(), 16 * b);
  p.leaf_oversubscription = 3;
  const auto over = make_clos(p, MultipathPolicy::ecmp);
  EXPECT_EQ(over->topology.gpus().size(), 48u);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(over->topology).bandwidth.si(), 8 * b);
  EXPECT_DOUBLE_EQ(24 * b / bisection_bandwidth(over->topology).bandwidth.si(), 3.0);
  // A k = 8 three-tier fat-tree is non-blocking: 128 GPUs, bisection 64 B.
  const auto k8 = make_clos(fat_tree(8), MultipathPolicy::ecmp);
  EXPECT_DOUBLE_EQ(bisection_bandwidth(k8->topology).bandwidth.si(), 64 * b);
}

}  // namespace
}  // namespace roshni::topo
