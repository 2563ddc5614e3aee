#include "roshni/topo/mesh.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "topo/route_check.h"

namespace roshni::topo {
namespace {

using test::for_each_route;

FullMeshParams full_mesh(uint32_t n) {
  FullMeshParams p;
  p.gpus = n;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(20'000);
  return p;
}

RingParams ring(uint32_t n) {
  RingParams p;
  p.gpus = n;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(20'000);
  p.forwarding_latency = SimTime::ps(100'000);
  return p;
}

// A full mesh of N GPUs has one link per pair: N(N-1)/2 (2, 8 -> 28, 9 -> 36), every GPU
// N-1 links, and every route is that one link: one hop, from src to dst.
TEST(FullMesh, OneLinkPerPairAndEveryRouteOneHop) {
  for (uint32_t n : {2u, 3u, 8u, 9u}) {
    const auto f = make_full_mesh(full_mesh(n));
    const Topology& t = f->topology;
    EXPECT_EQ(t.node_count(), n);
    EXPECT_EQ(t.link_count(), 2u * n * (n - 1) / 2);
    for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(t.out_links(NodeId(i)).size(), n - 1);
    for_each_route(t, *f->router, 1u << 20,
                   [&](NodeId, NodeId, const auto& path) { EXPECT_EQ(path.size(), 1u); });
  }
  const auto f = make_full_mesh(full_mesh(4));
  EXPECT_EQ(f->topology.node_name(NodeId(3)), "gpu3");
  EXPECT_EQ(f->topology.link_role(LinkId(0)), "mesh");
}

// A ring of N GPUs has N links (one, for N = 2); the route from i to j takes
// min(|i-j|, N-|i-j|) hops, a tie (even N, opposite GPUs) the positive way: in a ring of
// 4, gpu0 -> gpu2 passes gpu1 and gpu3 -> gpu1 passes gpu0.
TEST(Ring, RoutesTheShorterWayRound) {
  for (uint32_t n : {2u, 3u, 4u, 5u, 8u}) {
    const auto f = make_ring(ring(n));
    const Topology& t = f->topology;
    EXPECT_EQ(t.link_count(), 2u * (n == 2 ? 1 : n));
    for_each_route(t, *f->router, 1u << 20, [&](NodeId s, NodeId d, const auto& path) {
      const uint32_t diff = s.value() > d.value() ? s.value() - d.value() : d.value() - s.value();
      EXPECT_EQ(path.size(), std::min(diff, n - diff));
    });
  }
  const auto f = make_ring(ring(4));
  const Topology& t = f->topology;
  std::vector<LinkId> path;
  f->router->route(NodeId(0), NodeId(2), 0, path);
  EXPECT_EQ(t.link_to(path[0]), NodeId(1));
  path.clear();
  f->router->route(NodeId(3), NodeId(1), 0, path);
  EXPECT_EQ(t.link_to(path[0]), NodeId(0));
  EXPECT_EQ(t.link_role(path[0]), "ring");
  // Latency through two links and one forwarding GPU: 20 + 100 + 20 ns.
  EXPECT_EQ(path_latency(t, path).ps(), 140'000);
}

// Fewer than 2 GPUs, a full mesh past 2048 GPUs, non-positive rates: named first.
TEST(MeshAndRing, CheckNamesTheBadParameter) {
  const auto starts = [](const std::string& msg, const std::string& param) {
    return msg.rfind(param + ":", 0) == 0;
  };
  EXPECT_TRUE(starts(check(full_mesh(0)), "gpus"));
  EXPECT_TRUE(starts(check(full_mesh(1)), "gpus"));
  EXPECT_TRUE(starts(check(full_mesh(2049)), "gpus"));
  EXPECT_TRUE(starts(check(ring(0)), "gpus"));
  EXPECT_TRUE(starts(check(ring(1)), "gpus"));
  EXPECT_EQ(check(full_mesh(2)), "");
  EXPECT_EQ(check(ring(2)), "");
  FullMeshParams m = full_mesh(4);
  m.link_bandwidth = gbps(0);
  EXPECT_TRUE(starts(check(m), "link_bandwidth"));
  RingParams r = ring(4);
  r.forwarding_latency = SimTime::ps(-5);
  EXPECT_TRUE(starts(check(r), "forwarding_latency"));
}

}  // namespace
}  // namespace roshni::topo
