// The TPU v4-like pod generator against the published figures (Jouppi et al., ISCA 2023,
// arXiv 2304.01433; Google Cloud's TPU v4 page) and against hand counts.
//
// A cube is a x b x c chips (4x4x4). Inside it, dimension d has (side_d - 1) links per
// row of side_d chips, and side/side_d rows: 4x4x4 gives 3 x 16 = 48 per dimension, 144
// per cube. Each face of dimension d has (product of the other two sides) chips, each
// with one fibre to an OCS: 16 per face, 2 faces x 3 dimensions = 96 fibres per cube.
// One OCS per (dimension, face position): 16 + 16 + 16 = 48. Each OCS takes the + and
// - face fibre of every cube at its position: 2 x 64 = 128 ports (of the paper's 136).
#include "roshni/topo/tpu_pod.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "roshni/topo/analysis.h"
#include "topo/route_check.h"

namespace roshni::topo {
namespace {

TpuPodParams pod(std::array<uint32_t, 3> slice, bool twisted = false) {
  TpuPodParams p;
  p.cubes = 64;
  p.slice = slice;
  p.twisted = twisted;
  p.ocs_ports = 136;
  p.link_bandwidth = gbps(400);  // 50 GB/s each direction per ICI link
  p.link_latency = SimTime::ps(100'000);
  p.ocs_latency = SimTime::ps(50'000);
  return p;
}

std::unique_ptr<TpuPodFabric> build(const TpuPodParams& p) {
  EXPECT_EQ(check(p), "");
  return make_tpu_pod(p);
}

// Published: 4,096 chips, 64 cubes (racks) of 4x4x4, 48 OCS, 6,144 optical links, six
// ICI links per chip (Jouppi et al. 2023, sections 2-3). Electrical links by hand: 144 a
// cube (see the top), 9,216 a pod. Check: 6 ports x 64 chips = 2 x 144 + 96.
TEST(TpuPod, PartsMatchThePaper) {
  const TpuPodParts parts = tpu_pod_parts(pod({16, 16, 16}));
  EXPECT_EQ(parts.chips, 4096u);
  EXPECT_EQ(parts.cubes, 64u);
  EXPECT_EQ(parts.ocs, 48u);
  EXPECT_EQ(parts.optical_links, 6144u);
  EXPECT_EQ(parts.ocs_ports_used, 128u);
  EXPECT_EQ(parts.electrical_links, 9216u);
  EXPECT_EQ(parts.ici_ports_per_chip, 6u);
}

// The whole pod as one 16x16x16 slice: 4,096 GPUs, the 48 OCS nodes, 9,216 electrical
// links and one optical link per + face fibre: 64 cubes x 48 = 3,072 chip-to-chip
// optical links, each two fibres through its OCS: 6,144. Every OCS is full (128 ports).
TEST(TpuPod, WholePodBuildsWithThosePartCounts) {
  const auto f = build(pod({16, 16, 16}));
  const TopologyCounts c = count_parts(f->topology);
  EXPECT_EQ(c.gpus, 4096u);
  uint32_t ocs = 0;
  for (const auto& [cls, n] : c.switches) ocs += cls.kind == NodeKind::ocs ? n : 0;
  EXPECT_EQ(ocs, 48u);
  EXPECT_EQ(c.links_by_role.at("ici-electrical"), 9216u);
  EXPECT_EQ(2 * c.links_by_role.at("ici-optical"), 6144u);
  ASSERT_EQ(f->ocs_ports_used.size(), 48u);
  for (uint32_t used : f->ocs_ports_used) EXPECT_EQ(used, 128u);
  for (NodeId g : f->topology.gpus()) EXPECT_EQ(f->topology.out_links(g).size(), 6u);
}

// A slice is a torus of its size: the same GPU-to-GPU links, in the same order, as
// make_torus builds for the slice's shape (twisted or not); a link is optical exactly
// when it leaves a cube (its + end sits on the cube's + face: coordinate % 4 == 3).
TEST(TpuPod, SliceIsATorusOfItsSize) {
  for (const bool twisted : {false, true}) {
    for (const std::array<uint32_t, 3> s : {std::array<uint32_t, 3>{4, 4, 8}, {4, 8, 8}, {8, 8, 8}}) {
      if (twisted && s[0] == s[2]) continue;  // a cube of cubes is not twisted
      const auto f = build(pod(s, twisted));
      TorusParams tp;
      tp.dims = {s[0], s[1], s[2]};
      tp.twisted = twisted;
      tp.link_bandwidth = gbps(400);
      const auto torus = make_torus(tp);
      const Topology &a = f->topology, &b = torus->topology;
      ASSERT_EQ(a.gpus().size(), b.gpus().size());
      ASSERT_EQ(a.link_count(), b.link_count());
      for (uint32_t l = 0; l < a.link_count(); ++l) {
        EXPECT_EQ(a.link_from(LinkId(l)), b.link_from(LinkId(l)));
        EXPECT_EQ(a.link_to(LinkId(l)), b.link_to(LinkId(l)));
      }
      for (uint32_t l = 0; l < a.link_count(); l += 2) {
        const auto from = torus_coords(tp.dims, a.link_from(LinkId(l)));
        const auto to = torus_coords(tp.dims, a.link_to(LinkId(l)));
        size_t d = 0;  // the dimension the link steps along: where the coordinates differ
        while (from[d] == to[d] || (from[d] + 1) % s[d] != to[d]) ++d;
        const bool optical = from[d] % 4 == 3;
        EXPECT_EQ(a.link_role(LinkId(l)), optical ? "ici-optical" : "ici-electrical");
        EXPECT_EQ(a.link_latency(LinkId(l)).ps(), optical ? 150'000 : 100'000);
      }
    }
  }
}

// Each OCS carries the links of one (dimension, face position): both ends of an optical
// link have the same place on their faces (coordinates % 4 in the other two dimensions,
// twisted or not, as the twist K is a multiple of 4), the OCS index is 16 d + that
// position, and each OCS of a slice of m cubes carries m circuits: 2m ports.
TEST(TpuPod, EachOcsCarriesOneDimensionAndFacePosition) {
  for (const bool twisted : {false, true}) {
    const auto f = build(pod({4, 8, 8}, twisted));
    const Topology& t = f->topology;
    const std::vector<uint32_t> dims = {4, 8, 8};
    ASSERT_EQ(f->link_ocs.size(), t.link_count() / 2);
    std::vector<uint32_t> circuits(48, 0);
    for (uint32_t l = 0; l < t.link_count(); l += 2) {
      const uint32_t k = f->link_ocs[l / 2];
      if (k == TpuPodFabric::kElectrical) continue;
      const auto a = torus_coords(dims, t.link_from(LinkId(l)));
      const auto b = torus_coords(dims, t.link_to(LinkId(l)));
      const uint32_t d = k / 16, pos = k % 16;
      const uint32_t u = d == 0 ? 1 : 0, v = d == 2 ? 1 : 2;  // the other two dimensions
      EXPECT_EQ(a[u] % 4, b[u] % 4);
      EXPECT_EQ(a[v] % 4, b[v] % 4);
      EXPECT_EQ(pos, a[u] % 4 * 4 + a[v] % 4);
      EXPECT_EQ(a[d] % 4, 3u);
      EXPECT_EQ(b[d] % 4, 0u);
      ++circuits[k];
    }
    for (uint32_t k = 0; k < 48; ++k) {
      EXPECT_EQ(circuits[k], 4u) << "ocs " << k;  // 4x8x8: 1 x 2 x 2 = 4 cubes
      EXPECT_EQ(f->ocs_ports_used[k], 8u);
    }
  }
}

// Every route over a slice is a walk of its links (electrical and optical alike), as
// short as breadth-first search finds (the OCS nodes have no links: paths never cross them).
TEST(TpuPod, RoutesAreMinimalWalks) {
  for (const bool twisted : {false, true}) {
    const auto f = build(pod({4, 4, 8}, twisted));
    const Topology& t = f->topology;
    std::vector<std::vector<uint32_t>> bfs(t.gpus().size());
    for (uint32_t s = 0; s < bfs.size(); ++s) bfs[s] = test::bfs_hops(t, NodeId(s));
    test::for_each_route(t, *f->router, 1u << 20, [&](NodeId s, NodeId d, const auto& path) {
      EXPECT_EQ(path.size(), bfs[s.value()][d.value()]) << t.node_name(s) << " -> " << t.node_name(d);
    });
  }
}

// Failed cubes are skipped: with cubes 0 and 2 down, a two-cube 4x4x8 slice takes cubes
// 1 and 3 (the lowest healthy ones), or those named in slice_cubes.
TEST(TpuPod, SliceAvoidsFailedCubes) {
  TpuPodParams p = pod({4, 4, 8});
  p.failed_cubes = {0, 2};
  auto f = build(p);
  EXPECT_EQ(f->slice_cubes, (std::vector<uint32_t>{1, 3}));
  {
    const Topology& t = f->topology;
    EXPECT_EQ(t.node_name(t.gpus()[0]), "cube1_gpu0_0_0");
    // slice coordinate (0, 0, 4) is the second cube's chip (0, 0, 0): rank 4.
    EXPECT_EQ(t.node_name(t.gpus()[4]), "cube3_gpu0_0_0");
  }
  p.slice_cubes = {7, 5};
  f = build(p);
  EXPECT_EQ(f->slice_cubes, (std::vector<uint32_t>{7, 5}));
  EXPECT_EQ(f->topology.node_name(f->topology.gpus()[0]), "cube7_gpu0_0_0");
  EXPECT_EQ(f->topology.node_count(), 128u + 48u);
}

// A slice needing more cubes than are healthy is refused, saying how many are: 16x16x16
// needs all 64; with one failed, 63 are healthy; 16x16x12 (48 cubes) still fits.
TEST(TpuPod, RefusesASliceLargerThanTheHealthyCubes) {
  TpuPodParams p = pod({16, 16, 16});
  p.failed_cubes = {17};
  const std::string e = check(p);
  EXPECT_EQ(e.rfind("slice: ", 0), 0u) << e;
  EXPECT_NE(e.find("64 cubes"), std::string::npos) << e;
  EXPECT_NE(e.find("63"), std::string::npos) << e;
  p.slice = {16, 16, 12};
  EXPECT_EQ(check(p), "");
  const auto f = make_tpu_pod(p);
  EXPECT_EQ(std::count(f->slice_cubes.begin(), f->slice_cubes.end(), 17u), 0);
  EXPECT_EQ(f->slice_cubes.size(), 48u);
}

TEST(TpuPod, CheckNamesTheBadParameter) {
  const auto starts = [](TpuPodParams p, const std::string& prefix) {
    const std::string e = check(p);
    EXPECT_EQ(e.rfind(prefix, 0), 0u) << "got: " << e;
  };
  TpuPodParams p = pod({4, 4, 6});
  starts(p, "slice[2]: ");  // not a multiple of the cube's 4
  p = pod({4, 4, 4}, true);
  starts(p, "twisted: ");  // twisted needs K and 2K sides
  p = pod({4, 4, 8});
  p.ocs_ports = 127;  // 64 cubes need 128
  starts(p, "ocs.ports: ");
  p = pod({4, 4, 8});
  p.ocs_count = 47;
  starts(p, "ocs.count: ");
  p = pod({4, 4, 8});
  p.failed_cubes = {64};
  starts(p, "failed_cubes[0]: ");
  p = pod({4, 4, 8});
  p.failed_cubes = {3};
  p.slice_cubes = {1, 3};
  starts(p, "slice_cubes[1]: ");  // failed
  p.slice_cubes = {1, 1};
  starts(p, "slice_cubes[1]: ");  // twice
  p.slice_cubes = {1};
  starts(p, "slice_cubes: ");  // 4x4x8 needs 2
  p = pod({4, 4, 8});
  p.cubes = 0;
  starts(p, "cubes: ");
  p = pod({4, 4, 8});
  p.link_bandwidth = DataRate();
  starts(p, "link.bandwidth: ");
}

// Bisection (max-flow, each link 50 GB/s a direction) across the halves of the slice's
// longest dimension, and of its others:
//   4x4x8 plain: the z cut crosses each of the 16 z rings twice: 32 links; the x cut
//     each of the 32 x rings twice: 64 links. Minimum 32 x 50 GB/s = 1.6 TB/s.
//   4x4x8 twisted: the z cut gets the 32 z links plus every x and y wrap-around, which
//     lands 4 further along z, in the other half: 32 + 32 + 32 = 96 links; the x cut
//     stays 2 x 32 = 64 (its wraps land on the other x half whatever their z). Minimum
//     64 links: twice the plain torus's.
//   16x16x16, the whole pod: 2 x 256 = 512 links = 25.6 TB/s; Google Cloud's TPU v4
//     page gives 24 TB/s "bisection bandwidth per Pod" (see docs/tpu-pod.md).
TEST(TpuPod, BisectionMatchesClosedForm) {
  const double link = 50e9;
  const auto cut = [](const TpuPodFabric& f, std::array<uint32_t, 3> s, size_t d) {
    std::vector<NodeId> lo, hi;
    for (NodeId g : f.topology.gpus()) {
      const auto c = torus_coords({s[0], s[1], s[2]}, g);
      (c[d] < s[d] / 2 ? lo : hi).push_back(g);
    }
    return max_flow(f.topology, lo, hi).si();
  };
  const auto plain = build(pod({4, 4, 8})), twisted = build(pod({4, 4, 8}, true));
  EXPECT_DOUBLE_EQ(cut(*plain, {4, 4, 8}, 2), 32 * link);
  EXPECT_DOUBLE_EQ(cut(*plain, {4, 4, 8}, 0), 64 * link);
  EXPECT_DOUBLE_EQ(cut(*twisted, {4, 4, 8}, 2), 96 * link);
  EXPECT_DOUBLE_EQ(cut(*twisted, {4, 4, 8}, 0), 64 * link);
  EXPECT_DOUBLE_EQ(cut(*twisted, {4, 4, 8}, 1), 64 * link);
  const auto whole = build(pod({16, 16, 16}));
  EXPECT_DOUBLE_EQ(cut(*whole, {16, 16, 16}, 0), 512 * link);
}

}  // namespace
}  // namespace roshni::topo
