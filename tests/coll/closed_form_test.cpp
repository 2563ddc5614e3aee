// Every collective algorithm on a network where its transfers do not contend, against
// its alpha-beta closed form (Hockney's model as used by Thakur, Rabenseifner & Gropp,
// IJHPCA 2005): a transfer of m bytes alone on its path takes alpha + m beta, with
// alpha the path latency and beta = 1/B. The flow model is exact for such transfers
// (docs/models/flow-model.md), so the makespan must match the closed form to within
// the picosecond rounding of each step; we allow 0.5 %.
//
// The networks:
// - star: p GPUs on one switch, 400 Gb/s (B = 5e10 B/s) full-duplex links of 150 ns and
//   a 300 ns switch: alpha = 2 x 150 ns + 300 ns = 600 ns. A GPU's uplink carries all it
//   sends and its downlink all it receives, so transfers contend only when one rank
//   sends (or receives) two at once; the formulas below say so where it happens.
// - full mesh: a 400 Gb/s link of 100 ns between every pair: alpha = 100 ns, and only
//   two transfers between the same ordered pair contend.
// - ring / torus: neighbours joined by 400 Gb/s links of 100 ns: alpha = 100 ns.
// - two-level: a Clos fabric of one leaf switch (every GPU on it: a star, alpha_o =
//   2 x 150 ns + 300 ns, B_o = 5e10 B/s) with scale-up domains of d GPUs on an NVSwitch
//   (450 GB/s per GPU, 20 ns links, 300 ns switch: alpha_s = 340 ns, B_s = 4.5e11 B/s).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <map>

#include "roshni/coll/phases.h"
#include "roshni/coll/registry.h"
#include "roshni/coll/schedule.h"
#include "roshni/net/flow_model.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/mesh.h"
#include "roshni/topo/router.h"
#include "roshni/topo/torus.h"
#include "roshni/topo/tpu_pod.h"

namespace roshni::coll {
namespace {

constexpr double kB = 5e10;  // 400 Gb/s in bytes per second
constexpr double kBeta = 1 / kB;
constexpr double kStarAlpha = 600e-9;
constexpr double kDirectAlpha = 100e-9;
constexpr double kMiB = 1048576.0;
constexpr double kTolerance = 5e-3;

/// A topology with the router that goes with it.
struct Net {
  topo::Topology t;
  std::unique_ptr<topo::Fabric> fabric;  // when the topology came from a generator
  std::unique_ptr<topo::ShortestPathRouter> spr;
  const topo::Topology& topology() const { return fabric ? fabric->topology : t; }
  topo::Router& router() { return fabric ? *fabric->router : *spr; }
};

Net star(uint32_t p) {
  topo::StarParams s;
  s.gpus = p;
  s.link_bandwidth = gbps(400);
  s.link_latency = SimTime::ps(150'000);
  s.switch_latency = SimTime::ps(300'000);
  Net n;
  n.t = topo::make_star(s);
  n.spr = std::make_unique<topo::ShortestPathRouter>(n.t);
  return n;
}

Net full_mesh(uint32_t p) {
  Net n;
  n.fabric = topo::make_full_mesh({p, "gpu", gbps(400), SimTime::ps(100'000)});
  return n;
}

Net ring(uint32_t p) {
  Net n;
  n.fabric = topo::make_ring({p, "gpu", gbps(400), SimTime::ps(100'000), SimTime::ps(50'000)});
  return n;
}

Net torus(std::vector<uint32_t> dims) {
  topo::TorusParams t;
  t.dims = std::move(dims);
  t.link_bandwidth = gbps(400);
  t.link_latency = SimTime::ps(100'000);
  t.forwarding_latency = SimTime::ps(50'000);
  Net n;
  n.fabric = topo::make_torus(t);
  return n;
}

constexpr double kScaleUpAlpha = 2 * 20e-9 + 300e-9;
constexpr double kScaleUpB = 4.5e11;

Net two_level(uint32_t p, uint32_t d) {
  topo::ClosParams c;
  c.tiers = 2;
  c.radix = 2 * p;  // p down ports and p up ports: every GPU on leaf 0
  c.gpus = p;
  c.link_bandwidth = gbps(400);
  c.link_latency = SimTime::ps(150'000);
  c.switch_latency = SimTime::ps(300'000);
  c.scale_up = {d, 1, bytes_per_second(kScaleUpB), SimTime::ps(20'000), SimTime::ps(300'000)};
  EXPECT_EQ(topo::check(c), "");
  Net n;
  n.fabric = topo::make_clos(c, topo::MultipathPolicy::first);
  return n;
}

struct Options {
  uint32_t chunks = 1, channels = 1;
  double reduction_rate = 0;  // B/s
  uint32_t domain_size = 0;
  std::string inter = "ring";
  std::vector<uint32_t> dims;
  uint32_t root = 0;
};

/// Runs `algorithm` for `kind` over every GPU of `net` and returns the makespan in s.
double run(Net& net, CollectiveKind kind, std::string_view algorithm, double size,
           const Options& o = {}, net::RunResult* result = nullptr,
           net::FlowSet* flows_out = nullptr) {
  const topo::Topology& t = net.topology();
  Collective c;
  c.kind = kind;
  c.ranks = t.gpus();
  if (kind == CollectiveKind::p2p) c.ranks = {t.gpus().front(), t.gpus().back()};
  c.size = bytes(size);
  c.chunks = o.chunks;
  c.channels = o.channels;
  c.reduction_rate = bytes_per_second(o.reduction_rate);
  c.domain_size = o.domain_size;
  c.inter = o.inter;
  c.dims = o.dims;
  c.root = o.root;
  const CollectiveAlgorithm* a = find_collective_algorithm(kind, algorithm);
  EXPECT_NE(a, nullptr) << algorithm;
  const auto problem = check_collective(c, *a);
  EXPECT_FALSE(problem) << problem->field << ": " << problem->message;
  net::FlowSet flows;
  append_collective(c, *a, flows);
  EXPECT_EQ(static_cast<double>(flows.size()), flow_count(c, *a));
  std::vector<FlowId> unroutable;
  const net::Paths paths = net::route_all(t, net.router(), flows, unroutable);
  EXPECT_TRUE(unroutable.empty());
  net::RunResult r = net::run_flow_model(t, flows, paths);
  EXPECT_TRUE(r.unfinished.empty());
  const double makespan = r.makespan.duration().si();
  if (result) *result = std::move(r);
  if (flows_out) *flows_out = std::move(flows);
  return makespan;
}

/// Worst relative error seen, per closed form, printed at the end (for the report).
std::map<std::string, double>& worst() {
  static std::map<std::string, double> w;
  return w;
}

void expect_close(double got, double expected, const std::string& form, const std::string& at) {
  const double rel = std::fabs(got - expected) / expected;
  auto& w = worst()[form];
  w = std::max(w, rel);
  EXPECT_LT(rel, kTolerance) << form << " at " << at << ": got " << got << " s, expected "
                             << expected << " s";
}

double log2_of(double x) { return std::log2(x); }

// ---- all-reduce ----

// Ring: 2(p-1) steps; in each every rank sends n/p to its successor (one flow per uplink
// and per downlink on the star): T = 2(p-1)(alpha + n beta/p).
TEST(ClosedForm, RingAllReduce) {
  for (uint32_t p : {2u, 3u, 5u, 8u, 16u}) {
    for (double n : {1 * kMiB, 64 * kMiB}) {
      Net s = star(p);
      const double expected = 2 * (p - 1) * (kStarAlpha + n * kBeta / p);
      expect_close(run(s, CollectiveKind::all_reduce, "ring", n), expected,
                   "ring all-reduce 2(p-1)(a + n b/p)", fmt::format("p={} n={}", p, n));
    }
  }
}

// Bidirectional ring: two rings of n/2 each. On the star both rings leave each GPU by
// the same uplink, each at B/2: a step is alpha + (n/2p)/(B/2), the ring's time again,
// T = 2(p-1)(alpha + n beta/p). On a ring of links the two rings use the two
// directions of each link: T = 2(p-1)(alpha + n beta/(2p)), half the ring's bandwidth
// term (and the plain ring there is 2(p-1)(alpha + n beta/p)).
TEST(ClosedForm, BidirectionalRingAllReduce) {
  const double n = 64 * kMiB;
  for (uint32_t p : {3u, 8u}) {
    Net s = star(p);
    expect_close(run(s, CollectiveKind::all_reduce, "bidirectional_ring", n),
                 2 * (p - 1) * (kStarAlpha + n * kBeta / p), "bidirectional ring on a star",
                 fmt::format("p={}", p));
    Net r = ring(p);
    expect_close(run(r, CollectiveKind::all_reduce, "bidirectional_ring", n),
                 2 * (p - 1) * (kDirectAlpha + n * kBeta / (2 * p)),
                 "bidirectional ring on a ring 2(p-1)(a + n b/2p)", fmt::format("p={}", p));
    Net r2 = ring(p);
    expect_close(run(r2, CollectiveKind::all_reduce, "ring", n),
                 2 * (p - 1) * (kDirectAlpha + n * kBeta / p), "ring all-reduce on a ring",
                 fmt::format("p={}", p));
  }
}

// Recursive halving-doubling, p a power of two: step k of the reduce-scatter exchanges
// n/2^(k+1) with one partner (one flow per uplink and downlink), the all-gather the
// same in reverse: T = 2 log2(p) alpha + 2(p-1)/p n beta. For other p, with p' the power
// of two below: a fold (the first p-p' even ranks send n to their odd neighbour) and an
// unfold (back) add 2(alpha + n beta), and the rest is the formula at p'.
TEST(ClosedForm, RecursiveHalvingDoublingAllReduce) {
  for (uint32_t p : {2u, 3u, 4u, 6u, 8u, 12u, 16u}) {
    for (double n : {1 * kMiB, 64 * kMiB}) {
      Net s = star(p);
      const double p2 = std::bit_floor(p);
      double expected = 2 * log2_of(p2) * kStarAlpha + 2 * (p2 - 1) / p2 * n * kBeta;
      if (p2 != p) expected += 2 * (kStarAlpha + n * kBeta);
      expect_close(run(s, CollectiveKind::all_reduce, "rhd", n), expected,
                   "rhd 2 log2(p) a + 2(p-1)/p n b (+2(a + n b) if p not 2^k)",
                   fmt::format("p={} n={}", p, n));
    }
  }
}

// Double binary tree on a full mesh. Each tree carries n/2 in C chunks of q = n/(2C);
// a chunk crosses a tree edge in tau = alpha + q beta when its link is free. Let H be
// the tree's height (the trees of NCCL's trees.cc have H = ceil(log2 p): rank 0 above
// an in-order tree of the others; the second tree is the first mirrored or shifted, of
// the same height).
// Up: a rank of height h sends chunk c once its children's chunk c arrived (at time
// (h-1+c+1) tau by induction) and its own chunk c-1 was delivered ((h+c-1+1) tau): at
// (h+c) tau. The root holds reduced chunk c at (H+c) tau. Down: a rank of depth d
// forwards chunk c at (H+c+d) tau, so the deepest leaf (d = H) has the last chunk at
// (2H + C - 1) tau:
//   T = (2H + C - 1)(alpha + n beta/(2C)).
// This holds while no two transfers use the same ordered pair of GPUs at once (on a full
// mesh nothing else is shared). The two trees share some ordered pairs (tree 1's
// up-edge a -> b can be tree 0's down-edge a -> b); the up phase of a pair ends by
// (H-1+C) tau and its down phase starts at (H + depth) tau, so they stay apart for
// C <= depth + 1: with C = 1 always, and the cases below were checked to be free of
// overlaps (the test checks it too: every flow ran at the full link rate).
TEST(ClosedForm, DoubleBinaryTreeAllReduce) {
  for (uint32_t p : {2u, 3u, 4u, 7u, 8u, 13u, 16u}) {
    const double n = 64 * kMiB;
    const double h = std::ceil(log2_of(p));
    Net m = full_mesh(p);
    net::RunResult r;
    net::FlowSet flows;
    const double got = run(m, CollectiveKind::all_reduce, "tree", n, {}, &r, &flows);
    const double tau = kDirectAlpha + n / 2 * kBeta;
    // The precondition: every flow took alpha + q beta (it had its link alone).
    for (uint32_t f = 0; f < flows.size(); ++f) {
      const double took = (r.end[f] - r.start[f]).duration().si();
      EXPECT_NEAR(took, tau, 1e-9) << flows.label(FlowId(f));
    }
    expect_close(got, 2 * h * tau, "double binary tree (2H + C - 1)(a + n b/2C)",
                 fmt::format("p={} C=1", p));
  }
}

// The same with chunks: C = 2 on 8 ranks (H = 3) keeps the pairs apart; a chunk of a
// reduced transfer adds a reduction of q / R on the way up, once per level. Each tree's
// inner ranks below the root have two children whose chunks arrive together, and the
// two reductions share the rank (processor sharing, docs/models/energy.md): 2q/R at
// each of those H - 1 levels, q/R at the root (one child), (2H - 1) q/R in all. (Two
// chunks' reductions do not overlap: 2q/R = q beta here, under alpha + q beta.)
TEST(ClosedForm, DoubleBinaryTreePipelinedAndReduced) {
  const uint32_t p = 8;
  const double n = 64 * kMiB, h = 3;
  for (uint32_t chunks : {1u, 2u}) {
    for (double rate : {0.0, 1e11}) {
      Net m = full_mesh(p);
      Options o;
      o.chunks = chunks;
      o.reduction_rate = rate;
      const double q = n / (2 * chunks);
      const double expected =
          (2 * h + chunks - 1) * (kDirectAlpha + q * kBeta) + (rate > 0 ? (2 * h - 1) * q / rate : 0.0);
      expect_close(run(m, CollectiveKind::all_reduce, "tree", n, o), expected,
                   "double binary tree (2H + C - 1)(a + n b/2C) + (2H - 1) q/R",
                   fmt::format("C={} R={}", chunks, rate));
    }
  }
}

// Hierarchical: p = G d ranks in G domains of d. A ring reduce-scatter in each domain
// over NVLink, (d-1)(alpha_s + n beta_s/d); the all-reduce of the n/d shard between
// domains over the leaf, on G ranks; the ring all-gather in each domain, again
// (d-1)(alpha_s + n beta_s/d). Between domains, the d rails run side by side on
// different GPUs, so each is contention-free:
//   inter = ring: 2(G-1)(alpha_o + (n/d) beta_o/G)
//   inter = rhd (G a power of two): 2 log2(G) alpha_o + 2(G-1)/G (n/d) beta_o.
TEST(ClosedForm, HierarchicalAllReduce) {
  const double n = 64 * kMiB;
  for (auto [p, d] : {std::pair{16u, 4u}, std::pair{16u, 8u}, std::pair{24u, 8u}}) {
    const double g = p / d;
    const double intra = 2 * (d - 1) * (kScaleUpAlpha + n / d / kScaleUpB);
    for (std::string inter : {"ring", "rhd"}) {
      if (inter == "rhd" && !std::has_single_bit(static_cast<uint32_t>(g))) continue;
      Net net = two_level(p, d);
      Options o;
      o.domain_size = d;
      o.inter = inter;
      const double shard = n / d;
      const double between = inter == "ring"
                                 ? 2 * (g - 1) * (kStarAlpha + shard * kBeta / g)
                                 : 2 * log2_of(g) * kStarAlpha + 2 * (g - 1) / g * shard * kBeta;
      expect_close(run(net, CollectiveKind::all_reduce, "hierarchical", n, o), intra + between,
                   "hierarchical 2(d-1)(a_s + n b_s/d) + inter(G, n/d)",
                   fmt::format("p={} d={} inter={}", p, d, inter));
    }
  }
}

// Multi-dimensional on a torus whose shape is the rank grid: a ring reduce-scatter along
// the last dimension (D_k ranks, share s_k = n), then along the one before on the shard
// left (s_{k-1} = n / D_k), ...; the all-gathers in reverse. Each ring step is one hop
// to a neighbour on its own link: T = sum_i 2(D_i - 1)(alpha + s_i beta / D_i).
TEST(ClosedForm, MultiDimensionalAllReduce) {
  const double n = 64 * kMiB;
  for (const std::vector<uint32_t>& dims :
       {std::vector<uint32_t>{4, 4}, std::vector<uint32_t>{3, 5}, std::vector<uint32_t>{4, 3, 4}}) {
    Net t = torus(dims);
    Options o;
    o.dims = dims;
    double expected = 0, s = n;
    for (size_t i = dims.size(); i-- > 0;) {
      expected += 2 * (dims[i] - 1) * (kDirectAlpha + s * kBeta / dims[i]);
      s /= dims[i];
    }
    expect_close(run(t, CollectiveKind::all_reduce, "multi_dimensional", n, o), expected,
                 "multi-dimensional sum 2(D_i-1)(a + s_i b/D_i)", fmt::format("{}", dims.size()));
  }
}

// Bidirectional multi-dimensional on a k-ary D-cube torus (D_i = k for every i, p = k^D):
// 2D parts of n/(2D), part (i, dir) reduce-scatters along dimension i in direction dir,
// then i+1, ... (mod D), then all-gathers in reverse. At stage t every part is on its own
// (dimension, direction), a ring step is one hop on its own link (the 2D parts leave a
// GPU on its 2D links), and all parts keep step: stage t of the reduce-scatter is a ring
// of k over a share n/(2D k^t), (k-1)(alpha + n beta/(2D k^(t+1))). Summed over t = 0..D-1,
// (k-1) sum_{t=1..D} k^-t = 1 - k^-D = (p-1)/p, and the all-gather mirrors it:
//   T = 2D(k-1) alpha + (p-1)/p n beta / D,
// against multi_dimensional's 2D(k-1) alpha + 2(p-1)/p n beta: the bandwidth term is 2D
// times smaller (each GPU sends on its 2D links at once instead of on one).
double bidirectional_md_form(uint32_t k, uint32_t dims, double n) {
  const double p = std::pow(k, dims);
  return 2 * dims * (k - 1) * kDirectAlpha + (p - 1) / p * n * kBeta / dims;
}
double multi_dimensional_form(uint32_t k, uint32_t dims, double n) {
  const double p = std::pow(k, dims);
  return 2 * dims * (k - 1) * kDirectAlpha + 2 * (p - 1) / p * n * kBeta;
}

TEST(ClosedForm, BidirectionalMultiDimensionalAllReduce) {
  ASSERT_NE(find_collective_algorithm(CollectiveKind::all_reduce, "bidirectional_multi_dimensional"),
            nullptr);
  for (const auto& [k, d] : {std::pair{4u, 2u}, std::pair{5u, 2u}, std::pair{3u, 3u}}) {
    for (double n : {1 * kMiB, 64 * kMiB}) {
      Options o;
      o.dims = std::vector<uint32_t>(d, k);
      Net t = torus(o.dims);
      expect_close(run(t, CollectiveKind::all_reduce, "bidirectional_multi_dimensional", n, o),
                   bidirectional_md_form(k, d, n),
                   "bidirectional multi-dimensional 2D(k-1)a + (p-1)/p n b/D",
                   fmt::format("k={} D={} n={}", k, d, n));
    }
  }
}

// At large n both are bandwidth-bound: multi_dimensional / bidirectional -> 2D (4 on a
// 2-D torus, 6 on a 3-D one). The simulated ratio must be the closed forms' ratio.
TEST(ClosedForm, BidirectionalMultiDimensionalIs2DTimesFasterOnATorus) {
  ASSERT_NE(find_collective_algorithm(CollectiveKind::all_reduce, "bidirectional_multi_dimensional"),
            nullptr);
  const double n = 1024 * kMiB;
  for (const auto& [k, d] : {std::pair{4u, 2u}, std::pair{4u, 3u}}) {
    Options o;
    o.dims = std::vector<uint32_t>(d, k);
    Net a = torus(o.dims), b = torus(o.dims);
    const double md = run(a, CollectiveKind::all_reduce, "multi_dimensional", n, o);
    const double bmd = run(b, CollectiveKind::all_reduce, "bidirectional_multi_dimensional", n, o);
    const double form = multi_dimensional_form(k, d, n) / bidirectional_md_form(k, d, n);
    EXPECT_GT(form, 0.99 * 2 * d) << "k=" << k << " D=" << d;  // n large enough
    expect_close(md / bmd, form, "multi_dimensional / bidirectional ratio ~ 2D",
                 fmt::format("k={} D={}", k, d));
  }
}

// A slice of a TPU v4-like pod (topo/tpu_pod.h) is a torus of its size whose links leave
// a cube through an OCS. With the OCS adding no latency (ocs_latency 0) every link is the
// torus's 400 Gb/s, 100 ns link, so the all-reduces take the plain torus's closed forms:
//   4x4x4 (one cube, its wrap-arounds through the OCS), bidirectional multi-dimensional:
//     2D(k-1) alpha + (p-1)/p n beta / D, k = 4, D = 3, p = 64;
//   4x4x8 (two cubes), multi-dimensional: sum_i 2(D_i - 1)(alpha + s_i beta / D_i),
//     s_2 = n, s_1 = n/8, s_0 = n/32.
// With ocs_latency 50 ns the optical links are 150 ns: the time lies between the closed
// form with every link at 100 ns and with every link at 150 ns (it grows with latency).
Net tpu_slice(std::array<uint32_t, 3> slice, SimTime ocs_latency) {
  topo::TpuPodParams p;
  p.cubes = 64;
  p.slice = slice;
  p.ocs_ports = 136;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(100'000);
  p.ocs_latency = ocs_latency;
  p.forwarding_latency = SimTime::ps(50'000);
  EXPECT_EQ(topo::check(p), "");
  Net n;
  n.fabric = topo::make_tpu_pod(p);
  return n;
}

TEST(ClosedForm, AllReduceOnATpuPodSliceIsTheTorusForm) {
  for (double n : {1 * kMiB, 64 * kMiB}) {
    Options o;
    o.dims = {4, 4, 4};
    Net t = tpu_slice({4, 4, 4}, SimTime::zero());
    expect_close(run(t, CollectiveKind::all_reduce, "bidirectional_multi_dimensional", n, o),
                 bidirectional_md_form(4, 3, n), "slice 4x4x4: 2D(k-1)a + (p-1)/p n b/D",
                 fmt::format("n={}", n));
    Net slow = tpu_slice({4, 4, 4}, SimTime::ps(50'000));
    const double got = run(slow, CollectiveKind::all_reduce, "bidirectional_multi_dimensional", n, o);
    const double p = 64, d = 3, k = 4;
    EXPECT_GE(got, bidirectional_md_form(4, 3, n) * (1 - kTolerance));
    EXPECT_LE(got, (2 * d * (k - 1) * 150e-9 + (p - 1) / p * n * kBeta / d) * (1 + kTolerance));
  }
  const double n = 64 * kMiB;
  Options o;
  o.dims = {4, 4, 8};
  Net t = tpu_slice({4, 4, 8}, SimTime::zero());
  double expected = 0, s = n;
  for (size_t i = 3; i-- > 0;) {
    expected += 2 * (o.dims[i] - 1) * (kDirectAlpha + s * kBeta / o.dims[i]);
    s /= o.dims[i];
  }
  expect_close(run(t, CollectiveKind::all_reduce, "multi_dimensional", n, o), expected,
               "slice 4x4x8: sum 2(D_i-1)(a + s_i b/D_i)", "4x4x8");
}

// ---- all-gather, reduce-scatter ----

// Ring: p-1 steps of n/p: (p-1)(alpha + n beta/p). Recursive doubling / halving: log2 p
// steps, of n 2^k/p (or n/2^(k+1)), one partner each: log2(p) alpha + (p-1)/p n beta.
TEST(ClosedForm, AllGatherAndReduceScatter) {
  for (uint32_t p : {2u, 4u, 5u, 8u, 16u}) {
    for (double n : {1 * kMiB, 64 * kMiB}) {
      const double ring_t = (p - 1) * (kStarAlpha + n * kBeta / p);
      const double log_t = log2_of(p) * kStarAlpha + (p - 1.0) / p * n * kBeta;
      const std::string at = fmt::format("p={} n={}", p, n);
      Net a = star(p), b = star(p);
      expect_close(run(a, CollectiveKind::all_gather, "ring", n), ring_t,
                   "ring all-gather (p-1)(a + n b/p)", at);
      expect_close(run(b, CollectiveKind::reduce_scatter, "ring", n), ring_t,
                   "ring reduce-scatter (p-1)(a + n b/p)", at);
      if (!std::has_single_bit(p)) continue;
      Net c = star(p), d = star(p);
      expect_close(run(c, CollectiveKind::all_gather, "recursive_doubling", n), log_t,
                   "recursive doubling log2(p) a + (p-1)/p n b", at);
      expect_close(run(d, CollectiveKind::reduce_scatter, "recursive_halving", n), log_t,
                   "recursive halving log2(p) a + (p-1)/p n b", at);
    }
  }
}

// ---- broadcast ----

// Pipelined chain of C chunks: chunk c leaves the rank v hops down the chain at
// (v + c) tau, tau = alpha + n beta/C (each hop's link is free: one sender per uplink):
// T = (p-1 + C-1)(alpha + n beta/C). C = 1 is the unpipelined (p-1)(alpha + n beta).
TEST(ClosedForm, ChainBroadcast) {
  const double n = 64 * kMiB;
  for (uint32_t p : {2u, 5u, 8u}) {
    for (uint32_t chunks : {1u, 4u, 16u}) {
      for (uint32_t root : {0u, p - 1}) {
        Net s = star(p);
        Options o;
        o.chunks = chunks;
        o.root = root;
        expect_close(run(s, CollectiveKind::broadcast, "ring", n, o),
                     (p - 1 + chunks - 1) * (kStarAlpha + n * kBeta / chunks),
                     "chain broadcast (p-1 + C-1)(a + n b/C)",
                     fmt::format("p={} C={} root={}", p, chunks, root));
      }
    }
  }
}

// Binary tree of p = 2^(D+1) - 1 ranks (complete, depth D): every inner rank sends each
// chunk to its two children at once over its one uplink, so each of the two flows gets
// B/2 and takes alpha + 2 n beta/C; chunk c leaves depth d at (d + c) of those:
// T = (D + C - 1)(alpha + 2 n beta/C).
TEST(ClosedForm, BinaryTreeBroadcast) {
  const double n = 64 * kMiB;
  for (uint32_t p : {3u, 7u, 15u}) {
    for (uint32_t chunks : {1u, 8u}) {
      const double depth = log2_of(p + 1) - 1;
      Net s = star(p);
      Options o;
      o.chunks = chunks;
      expect_close(run(s, CollectiveKind::broadcast, "tree", n, o),
                   (depth + chunks - 1) * (kStarAlpha + 2 * n * kBeta / chunks),
                   "binary tree broadcast (D + C - 1)(a + 2 n b/C)",
                   fmt::format("p={} C={}", p, chunks));
    }
  }
}

// ---- all-to-all, p2p ----

// Direct: every rank's p-1 flows of n/p start at once and share its uplink (and each
// downlink takes p-1 flows): alpha + (p-1)/p n beta. Pairwise: p-1 steps of one flow of
// n/p per uplink and downlink: (p-1)(alpha + n beta/p).
TEST(ClosedForm, AllToAll) {
  for (uint32_t p : {2u, 4u, 7u, 16u}) {
    const double n = 64 * kMiB;
    Net a = star(p), b = star(p);
    expect_close(run(a, CollectiveKind::all_to_all, "direct", n),
                 kStarAlpha + (p - 1.0) / p * n * kBeta, "direct all-to-all a + (p-1)/p n b",
                 fmt::format("p={}", p));
    expect_close(run(b, CollectiveKind::all_to_all, "pairwise", n),
                 (p - 1) * (kStarAlpha + n * kBeta / p), "pairwise all-to-all (p-1)(a + n b/p)",
                 fmt::format("p={}", p));
  }
}

// Hierarchical all-to-all on the two-level network: first each rank sends its d-1 local
// peers n/d each (G pieces of n/p) over its NVLink port, all at once: alpha_s +
// (d-1)/d n beta_s; then each sends its G-1 rail peers n/G each (d pieces of n/p) over
// its NIC, all at once: alpha_o + (G-1)/G n beta_o.
TEST(ClosedForm, HierarchicalAllToAll) {
  const double n = 64 * kMiB;
  for (auto [p, d] : {std::pair{16u, 4u}, std::pair{24u, 8u}}) {
    const double g = p / d;
    Net net = two_level(p, d);
    Options o;
    o.domain_size = d;
    expect_close(
        run(net, CollectiveKind::all_to_all, "hierarchical", n, o),
        kScaleUpAlpha + (d - 1.0) / d * n / kScaleUpB + kStarAlpha + (g - 1) / g * n * kBeta,
        "hierarchical all-to-all a_s + (d-1)/d n b_s + a_o + (G-1)/G n b_o",
        fmt::format("p={} d={}", p, d));
  }
}

// One send of n from the first GPU to the last: alpha + n beta; in C chunks each waits
// for the previous one's delivery: C (alpha + n beta/C).
TEST(ClosedForm, PointToPoint) {
  const double n = 64 * kMiB;
  for (uint32_t chunks : {1u, 4u}) {
    Net s = star(4);
    Options o;
    o.chunks = chunks;
    expect_close(run(s, CollectiveKind::p2p, "direct", n, o),
                 chunks * (kStarAlpha + n * kBeta / chunks), "p2p C(a + n b/C)",
                 fmt::format("C={}", chunks));
  }
}

// ---- options ----

// Chunks and channels on the ring all-reduce. K channels run the ring side by side, each
// with n/K: on the star the K flows of a step share each link, so the time is the same
// as with one channel. With C chunks, chunk c of step s waits for chunk c of step s-1
// and chunk c-1 of step s; the flows of one anti-diagonal s + c = k start together and
// share the link, so diagonal k takes alpha + m_k n beta/(pC) with m_k flows in it;
// summed over the 2(p-1) + C - 1 diagonals (sum m_k = 2(p-1) C):
//   T = (2(p-1) + C - 1) alpha + 2(p-1)/p n beta.
TEST(ClosedForm, ChunksAndChannels) {
  const uint32_t p = 8;
  const double n = 64 * kMiB;
  for (uint32_t chunks : {1u, 2u, 8u}) {
    for (uint32_t channels : {1u, 2u, 4u}) {
      Net s = star(p);
      Options o;
      o.chunks = chunks;
      o.channels = channels;
      expect_close(run(s, CollectiveKind::all_reduce, "ring", n, o),
                   (2 * (p - 1) + chunks - 1) * kStarAlpha + 2 * (p - 1.0) / p * n * kBeta,
                   "ring with C chunks, K channels (2(p-1) + C-1) a + 2(p-1)/p n b",
                   fmt::format("C={} K={}", chunks, channels));
    }
  }
}

// A reduction rate R adds, on the critical path, one compute step of (bytes received) / R
// per reducing step: ring all-reduce p-1 steps of n/p: + (p-1) n/(p R); ring
// reduce-scatter the same; recursive halving (in rhd and alone) steps of n/2^(k+1):
// + (p-1)/p n/R.
TEST(ClosedForm, ReductionRate) {
  const double n = 64 * kMiB, rate = 2e11;  // 200 GB/s of reduction per rank
  for (uint32_t p : {4u, 8u}) {
    const std::string at = fmt::format("p={}", p);
    Options o;
    o.reduction_rate = rate;
    Net a = star(p), b = star(p), c = star(p), d = star(p);
    expect_close(run(a, CollectiveKind::all_reduce, "ring", n, o),
                 2 * (p - 1) * (kStarAlpha + n * kBeta / p) + (p - 1) * n / p / rate,
                 "ring all-reduce + (p-1) n/(p R)", at);
    expect_close(run(b, CollectiveKind::reduce_scatter, "ring", n, o),
                 (p - 1) * (kStarAlpha + n * kBeta / p) + (p - 1) * n / p / rate,
                 "ring reduce-scatter + (p-1) n/(p R)", at);
    expect_close(
        run(c, CollectiveKind::all_reduce, "rhd", n, o),
        2 * log2_of(p) * kStarAlpha + 2 * (p - 1.0) / p * n * kBeta + (p - 1.0) / p * n / rate,
        "rhd + (p-1)/p n/R", at);
    expect_close(run(d, CollectiveKind::reduce_scatter, "recursive_halving", n, o),
                 log2_of(p) * kStarAlpha + (p - 1.0) / p * n * kBeta + (p - 1.0) / p * n / rate,
                 "recursive halving + (p-1)/p n/R", at);
  }
}

// Ring reduce-scatter with uneven arrival: a rank reduces what it received with its own
// contribution before forwarding, so none of its sends may start before that
// contribution is ready (not only step 0's). Star of 4, ranks 0..2 run the ring (n
// bytes, pieces of n/3); rank 0's contribution is a transfer of 8n from rank 3
// (ready[0]), while ranks 1 and 2 are ready at once.
// - Rank 2 sends its step-0 piece to rank 0 at 0, and its step-1 piece once rank 1's
//   step-0 piece arrived (alpha + n/3 beta); both share rank 0's downlink with the 8n
//   transfer, which keeps that link busy (work-conserving) until it is through: it is
//   delivered at D = alpha + (8n + 2n/3) beta.
// - At D rank 0 sends its step-0 and step-1 pieces to rank 1 (step 1's input, from rank
//   2, arrived long before), sharing one link: both delivered at D + alpha + 2n/3 beta.
// - Rank 1 then forwards its step-1 piece to rank 2: D + 2 alpha + n beta. Everything
//   else is earlier, so T = 3 alpha + (26/3 + 1) n beta.
// (Forwarding before the contribution is there sends rank 0's step 1 before D and ends
// at 3 alpha + (26/3 + 2/3) n beta, n beta/3 early.)
TEST(ClosedForm, RingReduceScatterWaitsForEachRanksOwnContribution) {
  const double n = 64 * kMiB;
  Net net = star(4);
  const topo::Topology& t = net.topology();
  Schedule s;
  Ready ready(4);
  const uint32_t late = s.add(s.phase("late"), 0, 3, 0, 8.0, {}, false);
  ready[0] = {late};
  const std::vector<uint32_t> group{0, 1, 2};
  ring_reduce_scatter(s, group, 1.0, ready);
  Collective c;
  c.kind = CollectiveKind::reduce_scatter;
  c.ranks = t.gpus();
  c.size = bytes(n);
  net::FlowSet flows;
  expand(s, c, flows);
  std::vector<FlowId> unroutable;
  const net::Paths paths = net::route_all(t, net.router(), flows, unroutable);
  ASSERT_TRUE(unroutable.empty());
  const net::RunResult r = net::run_flow_model(t, flows, paths);
  ASSERT_TRUE(r.unfinished.empty());
  const double D = kStarAlpha + (8 + 2.0 / 3) * n * kBeta;
  EXPECT_NEAR(r.end[0].duration().si() / D, 1.0, kTolerance);
  for (uint32_t f = 1; f < flows.size(); ++f) {
    if (flows.src(FlowId(f)) != t.gpus()[0]) continue;
    EXPECT_GE(r.start[f], r.end[0]) << flows.label(FlowId(f)) << " left rank 0 before its data";
  }
  expect_close(r.makespan.duration().si(), 3 * kStarAlpha + (26.0 / 3 + 1) * n * kBeta,
               "ring reduce-scatter, one late rank", "p=3");
}

// Not a test of the code: prints the worst relative error of each closed form, which
// the change's report quotes. Runs last in this file (gtest keeps file order).
TEST(ClosedForm, ZzWorstErrors) {
  for (const auto& [form, err] : worst()) {
    std::printf("  %-70s %.2e\n", form.c_str(), err);
  }
}

}  // namespace
}  // namespace roshni::coll
