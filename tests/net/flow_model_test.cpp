#include "roshni/net/flow_model.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/coll/ring_all_reduce.h"
#include "roshni/sim/random.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

struct Case {
  explicit Case(topo::Topology topology) : t(std::move(topology)) {}
  topo::Topology t;
  FlowSet flows;
  Paths paths;
  FlowRunResult result;
  void go() {
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    paths = route_all(t, router, flows, unroutable);
    ASSERT_TRUE(unroutable.empty());
    result = run_flow_model(t, flows, paths);
    ASSERT_TRUE(result.unfinished.empty());
  }
};

topo::Topology line(std::vector<DataRate> rates, SimTime latency) {
  topo::TopologyBuilder b;
  std::vector<NodeId> n;
  for (size_t i = 0; i <= rates.size(); ++i) {
    n.push_back(b.add_node("n" + std::to_string(i), topo::NodeKind::gpu));
  }
  for (size_t i = 0; i < rates.size(); ++i) b.add_link(n[i], n[i + 1], rates[i], rates[i], latency);
  return std::move(b).build();
}

// One flow of S = 1 MB over one 100 Gb/s link of latency L = 1 us:
// end = L + S/B = 1 us + 1e6 * 8 / 1e11 s = 1 us + 80 us = 81 us.
TEST(FlowModel, SingleFlowTakesLatencyPlusSizeOverBandwidth) {
  Case r{line({gbps(100)}, SimTime::ps(1'000'000))};
  r.flows.add("f", NodeId(0), NodeId(1), bytes(1e6));
  r.go();
  EXPECT_EQ(r.result.start[0].ps(), 0);
  EXPECT_EQ(r.result.end[0].ps(), 81'000'000);
  EXPECT_EQ(r.result.makespan.ps(), 81'000'000);
  EXPECT_DOUBLE_EQ(r.result.link_bytes[0].si(), 1e6);
  EXPECT_DOUBLE_EQ(r.result.link_bytes[1].si(), 0.0);  // the reverse direction
}

// Two flows of S on one link of B share it evenly: each sends at B/2 and both end at
// 2S/B + L = 160 us + 1 us.
TEST(FlowModel, TwoFlowsOnOneLinkEachGetHalf) {
  Case r{line({gbps(100)}, SimTime::ps(1'000'000))};
  r.flows.add("a", NodeId(0), NodeId(1), bytes(1e6));
  r.flows.add("b", NodeId(0), NodeId(1), bytes(1e6));
  r.go();
  EXPECT_EQ(r.result.end[0].ps(), 161'000'000);
  EXPECT_EQ(r.result.end[1].ps(), 161'000'000);
}

// Opposite directions of a duplex link do not share: both end at S/B + L.
TEST(FlowModel, DirectionsAreIndependent) {
  Case r{line({gbps(100)}, SimTime::zero())};
  r.flows.add("ab", NodeId(0), NodeId(1), bytes(1e6));
  r.flows.add("ba", NodeId(1), NodeId(0), bytes(1e6));
  r.go();
  EXPECT_EQ(r.result.end[0].ps(), 80'000'000);
  EXPECT_EQ(r.result.end[1].ps(), 80'000'000);
}

// Textbook max-min with a bottleneck elsewhere, and re-allocation when flows end.
// Line n0 -A- n1 -B- n2, A = 1 GB/s, B = 2 GB/s, no latency.
// f1: n0->n2 (A,B) 1 GB; f2: n0->n1 (A) 0.5 GB; f3: n1->n2 (B) 1 GB.
// Rates: A shared by f1, f2 -> 0.5 GB/s each; f3 gets B's rest, 1.5 GB/s.
// f3 ends at 1/1.5 s. f2 ends at 0.5/0.5 = 1 s. Then f1, with 0.5 GB left, has A alone:
// 1 GB/s, so it ends at 1.5 s.
TEST(FlowModel, MaxMinReallocatesWhenFlowsEnd) {
  Case r{line({bytes_per_second(1e9), bytes_per_second(2e9)}, SimTime::zero())};
  r.flows.add("f1", NodeId(0), NodeId(2), bytes(1e9));
  r.flows.add("f2", NodeId(0), NodeId(1), bytes(0.5e9));
  r.flows.add("f3", NodeId(1), NodeId(2), bytes(1e9));
  r.go();
  EXPECT_NEAR(static_cast<double>(r.result.end[2].ps()), 1e12 / 1.5, 1.0);
  EXPECT_NEAR(static_cast<double>(r.result.end[1].ps()), 1e12, 1.0);
  EXPECT_NEAR(static_cast<double>(r.result.end[0].ps()), 1.5e12, 2.0);
}

// Dependencies and earliest start: b waits for a's delivery (81 us) and for its own
// earliest start (100 us), so it starts at 100 us and ends at 181 us; c waits only for
// a and starts at 81 us.
TEST(FlowModel, DependenciesAndEarliestStart) {
  Case r{line({gbps(100)}, SimTime::ps(1'000'000))};
  const FlowId a = r.flows.add("a", NodeId(0), NodeId(1), bytes(1e6));
  r.flows.add("b", NodeId(0), NodeId(1), bytes(1e6), std::span(&a, 1), SimTime::ps(100'000'000));
  r.flows.add("c", NodeId(1), NodeId(0), bytes(1e6), std::span(&a, 1));
  r.go();
  EXPECT_EQ(r.result.start[1].ps(), 100'000'000);
  EXPECT_EQ(r.result.end[1].ps(), 181'000'000);
  EXPECT_EQ(r.result.start[2].ps(), 81'000'000);
  EXPECT_EQ(r.result.end[2].ps(), 162'000'000);
}

// A compute step between two flows: a (81 us) -> 10 us of compute on n1 -> b back
// (81 us): b starts at 91 us and ends at 172 us; the compute step uses no link.
TEST(FlowModel, ComputeStepsDelayTheirDependents) {
  Case r{line({gbps(100)}, SimTime::ps(1'000'000))};
  const FlowId a = r.flows.add("a", NodeId(0), NodeId(1), bytes(1e6));
  const FlowId c = r.flows.add_compute("reduce", NodeId(1), SimTime::ps(10'000'000), std::span(&a, 1));
  r.flows.add("b", NodeId(1), NodeId(0), bytes(1e6), std::span(&c, 1));
  r.go();
  EXPECT_TRUE(r.flows.is_compute(c));
  EXPECT_EQ(r.paths.of(c).size(), 0u);
  EXPECT_EQ(r.result.start[1].ps(), 81'000'000);
  EXPECT_EQ(r.result.end[1].ps(), 91'000'000);
  EXPECT_EQ(r.result.start[2].ps(), 91'000'000);
  EXPECT_EQ(r.result.end[2].ps(), 172'000'000);
  EXPECT_DOUBLE_EQ(r.result.link_bytes[0].si() + r.result.link_bytes[1].si(), 2e6);
}

// Ring all-reduce of S on N GPUs behind one switch. Each step every GPU sends S/N to
// its neighbour; no two flows of a step share a link direction, so a step takes the
// path latency (2 links + the switch) plus (S/N)/B, and the whole 2(N-1) steps.
TEST(FlowModel, RingAllReduceOnAStarMatchesClosedForm) {
  for (uint32_t n : {2u, 3u, 8u, 64u}) {
    topo::StarParams p;
    p.gpus = n;
    p.link_bandwidth = gbps(400);
    p.link_latency = SimTime::ps(150'000);
    p.switch_latency = SimTime::ps(300'000);
    Case r{topo::make_star(p)};
    const double size = 1073741824.0;  // 1 GiB
    coll::RingAllReduce c{r.t.gpus(), bytes(size)};
    coll::append_ring_all_reduce(c, r.flows);
    r.go();
    const double path_latency = 2 * 150e-12 * 1e3 + 300e-9;
    const double step = path_latency + (size / n) / gbps(400).si();
    const double expected = 2.0 * (n - 1) * step;
    const double got = r.result.makespan.duration().si();
    EXPECT_NEAR(got, expected, 1e-3 * expected) << "n = " << n;
    EXPECT_EQ(r.flows.size(), 2u * (n - 1) * n);
  }
}

// The naive reference for the whole model: time advances from completion to
// completion; at each step every active flow's max-min rate is computed from scratch by
// scanning. No dependencies, no latency, flows start at given times.
std::vector<double> reference_ends(const std::vector<std::vector<uint32_t>>& path,
                                   const std::vector<double>& cap, std::vector<double> size,
                                   const std::vector<double>& start) {
  const size_t nf = path.size();
  std::vector<double> end(nf, -1);
  double now = 0;
  for (;;) {
    std::vector<size_t> active;
    double next_start = -1;
    for (size_t f = 0; f < nf; ++f) {
      if (end[f] >= 0) continue;
      if (start[f] <= now) active.push_back(f);
      else if (next_start < 0 || start[f] < next_start) next_start = start[f];
    }
    if (active.empty() && next_start < 0) break;
    std::vector<double> rate(nf, 0);
    std::vector<bool> frozen(nf, false);
    size_t left = active.size();
    while (left > 0) {
      std::vector<double> used(cap.size(), 0);
      std::vector<int> count(cap.size(), 0);
      for (size_t f : active) {
        for (uint32_t l : path[f]) (frozen[f] ? used[l] += rate[f] : ++count[l]);
      }
      size_t best_l = 0;
      double best = -1;
      for (size_t l = 0; l < cap.size(); ++l) {
        if (count[l] == 0) continue;
        const double s = (cap[l] - used[l]) / count[l];
        if (best < 0 || s < best) best = s, best_l = l;
      }
      for (size_t f : active) {
        if (!frozen[f] && std::count(path[f].begin(), path[f].end(), best_l)) {
          rate[f] = best;
          frozen[f] = true;
          --left;
        }
      }
    }
    double dt = next_start < 0 ? 1e300 : next_start - now;
    for (size_t f : active) dt = std::min(dt, size[f] / rate[f]);
    for (size_t f : active) {
      size[f] -= rate[f] * dt;
      if (size[f] <= 1e-9 * rate[f] * 1e-12) end[f] = now + dt;
    }
    now += dt;
  }
  return end;
}

// Random flows on a random tree-shaped topology (random capacities), with staggered
// starts: the event-driven incremental model matches the from-scratch reference to
// within a few picoseconds per event.
TEST(FlowModel, MatchesNaiveReferenceOnRandomInstances) {
  sim::RandomStream rng(99);
  for (int trial = 0; trial < 40; ++trial) {
    topo::TopologyBuilder b;
    const uint32_t nodes = 3 + static_cast<uint32_t>(rng.uniform_below(8));
    std::vector<NodeId> id;
    for (uint32_t i = 0; i < nodes; ++i) {
      id.push_back(b.add_node("n" + std::to_string(i), topo::NodeKind::gpu));
    }
    for (uint32_t i = 1; i < nodes; ++i) {  // a random tree: one path between any two nodes
      const auto parent = static_cast<uint32_t>(rng.uniform_below(i));
      const double gb = 1.0 + static_cast<double>(rng.uniform_below(10));
      const double gb2 = 1.0 + static_cast<double>(rng.uniform_below(10));
      b.add_link(id[i], id[parent], bytes_per_second(gb * 1e9), bytes_per_second(gb2 * 1e9),
                 SimTime::zero());
    }
    Case r{std::move(b).build()};
    const uint32_t nf = 1 + static_cast<uint32_t>(rng.uniform_below(30));
    std::vector<double> size, start;
    for (uint32_t f = 0; f < nf; ++f) {
      const auto s = static_cast<uint32_t>(rng.uniform_below(nodes));
      auto d = static_cast<uint32_t>(rng.uniform_below(nodes - 1));
      if (d >= s) ++d;
      size.push_back(1e6 * static_cast<double>(1 + rng.uniform_below(100)));
      start.push_back(1e-6 * static_cast<double>(rng.uniform_below(500)));
      r.flows.add("f", id[s], id[d], bytes(size.back()), {},
                  SimTime::ps(static_cast<int64_t>(std::llround(start.back() * 1e12))));
    }
    r.go();
    std::vector<std::vector<uint32_t>> path(nf);
    std::vector<double> cap;
    for (uint32_t l = 0; l < r.t.link_count(); ++l) cap.push_back(r.t.link_capacity(LinkId(l)).si());
    for (uint32_t f = 0; f < nf; ++f) {
      for (LinkId l : r.paths.of(FlowId(f))) path[f].push_back(l.value());
    }
    const auto want = reference_ends(path, cap, size, start);
    for (uint32_t f = 0; f < nf; ++f) {
      const double got = r.result.end[f].duration().si();
      ASSERT_NEAR(got, want[f], 1e-12 * (2 * nf + 2) + 1e-9 * want[f])
          << "trial " << trial << " flow " << f;
    }
  }
}

// Same input twice, same every number.
TEST(FlowModel, IsDeterministic) {
  auto once = [] {
    topo::StarParams p;
    p.gpus = 16;
    p.link_bandwidth = gbps(200);
    Case r{topo::make_star(p)};
    for (uint32_t s = 0; s < 16; ++s) {
      for (uint32_t d = 0; d < 16; ++d) {
        if (s != d) r.flows.add("x", NodeId(s), NodeId(d), bytes(1e5 * (1 + (s * 7 + d) % 5)));
      }
    }
    r.go();
    return r.result;
  };
  const auto a = once(), b = once();
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.events, b.events);
}

}  // namespace
}  // namespace roshni::net
