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
  RunResult result;
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

// A library's per-step cost (FlowSet::extra_latency, coll/library.h) delays delivery
// and whatever waits for it, not the link. a and c (1 MB each) share a 100 Gb/s link of
// L = 1 us: both send at B/2 for 160 us. c ends at 160 + L = 161 us; a, with extra
// X = 5 us, at 160 + 1 + 5 = 166 us. b waits for a: it starts at 166 us, alone on the
// link, and ends at 166 + 81 = 247 us. Had X held the link, c would have ended later.
TEST(FlowModel, ExtraLatencyDelaysDeliveryNotTheLink) {
  Case r{line({gbps(100)}, SimTime::ps(1'000'000))};
  const FlowId a = r.flows.add("a", NodeId(0), NodeId(1), bytes(1e6));
  r.flows.add("b", NodeId(0), NodeId(1), bytes(1e6), std::span(&a, 1));
  r.flows.add("c", NodeId(0), NodeId(1), bytes(1e6));
  r.flows.set_extra_latency(a, SimTime::ps(5'000'000));
  r.go();
  EXPECT_EQ(r.result.end[0].ps(), 166'000'000);  // a shares with c: 160 + 1 + 5
  EXPECT_EQ(r.result.start[1].ps(), 166'000'000);
  EXPECT_EQ(r.result.end[1].ps(), 247'000'000);
  EXPECT_EQ(r.result.end[2].ps(), 161'000'000);
  EXPECT_EQ(r.flows.extra_latency(FlowId(2)), SimTime::zero());
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
  const FlowId c = r.flows.add_task("reduce", NodeId(1), SimTime::ps(10'000'000), std::span(&a, 1));
  r.flows.add("b", NodeId(1), NodeId(0), bytes(1e6), std::span(&c, 1));
  r.go();
  EXPECT_TRUE(r.flows.is_task(c));
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

// The same with components large enough (>= 64 flows) for the model to keep a record of
// the filling and replay it (MaxMinSolver::update) as flows leave and arrive:
// staggered starts on random trees, 64 to 160 flows.
TEST(FlowModel, MatchesNaiveReferenceWithLargeComponents) {
  sim::RandomStream rng(2718);
  for (int trial = 0; trial < 25; ++trial) {
    topo::TopologyBuilder b;
    const uint32_t nodes = 4 + static_cast<uint32_t>(rng.uniform_below(8));
    std::vector<NodeId> id;
    for (uint32_t i = 0; i < nodes; ++i) {
      id.push_back(b.add_node("n" + std::to_string(i), topo::NodeKind::gpu));
    }
    for (uint32_t i = 1; i < nodes; ++i) {
      const auto parent = static_cast<uint32_t>(rng.uniform_below(i));
      const double gb = 1.0 + static_cast<double>(rng.uniform_below(4));  // few values: ties
      b.add_link(id[i], id[parent], bytes_per_second(gb * 1e9), bytes_per_second(gb * 1e9),
                 SimTime::zero());
    }
    Case r{std::move(b).build()};
    const uint32_t nf = 64 + static_cast<uint32_t>(rng.uniform_below(97));
    std::vector<double> size, start;
    for (uint32_t f = 0; f < nf; ++f) {
      const auto s = static_cast<uint32_t>(rng.uniform_below(nodes));
      auto d = static_cast<uint32_t>(rng.uniform_below(nodes - 1));
      if (d >= s) ++d;
      size.push_back(1e5 * static_cast<double>(1 + rng.uniform_below(100)));
      // Most start together (one big recorded solve), the rest at a few later times.
      start.push_back(rng.uniform_below(3) == 0 ? 1e-6 * static_cast<double>(rng.uniform_below(200)) : 0.0);
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

// A flow of the record that leaves in the same instant as another flow arrives (so the
// instant is re-solved from scratch) while nothing else is left on its links: it must
// leave the record, or a later departure re-fills it and it is "transmitted" twice.
// Line n0 -Q- n1 -R- n2, and n3 -S- n4 apart (zero latencies). 70 flows G on Q, B on Q and
// R, A on R, all at 0: one recorded solve. B ends first, then A; E (on S) waits for A, so
// it starts in the instant A ends. Then the G flows end one by one.
// Q = 71 GB/s: G and B get 1 GB/s each; R = 10 GB/s: A gets 9 GB/s while B runs.
// B (1e5 B) ends at 100 us; A has sent 9e5 B and then gets R alone: 1e5 B more at
// 10 GB/s, ending at 110 us; E sends 1e6 B at 10 GB/s: 110 us + 100 us = 210 us.
// G flow i (size (20 + i) MB) gets 1 GB/s until B ends, then 71/70 GB/s while all run.
TEST(FlowModel, DepartureFromTheRecordThatLeavesNothingToSolve) {
  topo::TopologyBuilder b;
  std::vector<NodeId> n;
  for (int i = 0; i < 5; ++i) n.push_back(b.add_node("n" + std::to_string(i), topo::NodeKind::gpu));
  b.add_link(n[0], n[1], bytes_per_second(71e9), bytes_per_second(71e9), SimTime::zero());
  b.add_link(n[1], n[2], bytes_per_second(10e9), bytes_per_second(10e9), SimTime::zero());
  b.add_link(n[3], n[4], bytes_per_second(10e9), bytes_per_second(10e9), SimTime::zero());
  Case r{std::move(b).build()};
  for (int i = 0; i < 70; ++i) r.flows.add("G", n[0], n[1], bytes(1e6 * (20 + i)));
  const FlowId fb = r.flows.add("B", n[0], n[2], bytes(1e5));
  const FlowId fa = r.flows.add("A", n[1], n[2], bytes(1e6));
  const std::vector<FlowId> after_a{fa};
  const FlowId fe = r.flows.add("E", n[3], n[4], bytes(1e6), after_a);
  r.go();
  EXPECT_NEAR(r.result.end[fb.value()].duration().si(), 100e-6, 1e-11);
  EXPECT_NEAR(r.result.end[fa.value()].duration().si(), 110e-6, 1e-11);
  EXPECT_NEAR(r.result.end[fe.value()].duration().si(), 210e-6, 1e-11);
  // G flow 0 (20 MB): 1e5 B by 100 us, then 71/70 GB/s: 100 us + (20e6 - 1e5) / (71e9 / 70).
  EXPECT_NEAR(r.result.end[0].duration().si(), 100e-6 + (20e6 - 1e5) / (71e9 / 70), 1e-10);
}

// A small skewed all-to-all (issue 19's stress case, scaled down): 3 leaves of 4 GPUs, 2
// spines, every ordered pair a flow (132), Pareto(1.5) sizes. Flows end at many distinct
// times, so nearly every end re-solves from the record; every end must match the
// from-scratch reference.
TEST(FlowModel, SkewedAllToAllMatchesNaiveReference) {
  topo::TopologyBuilder b;
  const uint32_t leaves = 3, per_leaf = 4, spines = 2, n = leaves * per_leaf;
  std::vector<NodeId> gpu, leaf, spine;
  for (uint32_t g = 0; g < n; ++g) gpu.push_back(b.add_node("gpu" + std::to_string(g), topo::NodeKind::gpu));
  for (uint32_t l = 0; l < leaves; ++l) leaf.push_back(b.add_node("leaf" + std::to_string(l), topo::NodeKind::switch_));
  for (uint32_t s = 0; s < spines; ++s) spine.push_back(b.add_node("spine" + std::to_string(s), topo::NodeKind::switch_));
  const auto rate = gbps(400);
  for (uint32_t g = 0; g < n; ++g) b.add_link(gpu[g], leaf[g / per_leaf], rate, rate, SimTime::zero());
  for (uint32_t l = 0; l < leaves; ++l) {
    for (uint32_t s = 0; s < spines; ++s) b.add_link(leaf[l], spine[s], rate, rate, SimTime::zero());
  }
  Case r{std::move(b).build()};
  sim::RandomStream rng(5);
  std::vector<double> size, start;
  for (uint32_t s = 0; s < n; ++s) {
    for (uint32_t d = 0; d < n; ++d) {
      if (s == d) continue;
      size.push_back(std::ceil(1e5 * std::pow(1.0 - rng.uniform01(), -1.0 / 1.5)));
      start.push_back(0.0);
      r.flows.add("a2a", gpu[s], gpu[d], bytes(size.back()));
    }
  }
  r.go();
  const size_t nf = size.size();
  ASSERT_EQ(nf, 132u);
  std::vector<std::vector<uint32_t>> path(nf);
  std::vector<double> cap;
  for (uint32_t l = 0; l < r.t.link_count(); ++l) cap.push_back(r.t.link_capacity(LinkId(l)).si());
  for (uint32_t f = 0; f < nf; ++f) {
    for (LinkId l : r.paths.of(FlowId(f))) path[f].push_back(l.value());
  }
  const auto want = reference_ends(path, cap, size, start);
  for (uint32_t f = 0; f < nf; ++f) {
    const double got = r.result.end[f].duration().si();
    ASSERT_NEAR(got, want[f], 1e-12 * (2 * nf + 2) + 1e-9 * want[f]) << "flow " << f;
  }
}

// The progress callback reports work done in bytes and re-solves. One 1 GB/s link, no
// latency: A (1 MB) from 0 to 1 ms, then B (3 MB, waits for A) from 1 ms to 4 ms.
// With a call after every event, the calls come at the ends of the instants 0, 1 ms and
// 4 ms (before that instant's re-solve): bytes delivered 0, 1e6, 4e6 of 4e6; re-solves
// 0, 1, 2. With calls only every re-solve, the instant 0 (no re-solve yet) is skipped.
TEST(FlowModel, ProgressReportsBytesDeliveredAndSolves) {
  for (const bool by_solves : {false, true}) {
    Case r{line({bytes_per_second(1e9)}, SimTime::zero())};
    const FlowId a = r.flows.add("A", NodeId(0), NodeId(1), bytes(1e6));
    const std::vector<FlowId> after_a{a};
    r.flows.add("B", NodeId(0), NodeId(1), bytes(3e6), after_a);
    topo::ShortestPathRouter router(r.t);
    std::vector<FlowId> unroutable;
    r.paths = route_all(r.t, router, r.flows, unroutable);
    std::vector<RunProgress> calls;
    RunOptions o;
    o.progress = [&](const RunProgress& p) { calls.push_back(p); };
    o.progress_every = by_solves ? UINT64_MAX / 2 : 1;
    o.progress_every_solves = by_solves ? 1 : UINT64_MAX / 2;
    run_flow_model(r.t, r.flows, r.paths, o);
    const std::vector<double> want_bytes = by_solves ? std::vector<double>{1e6, 4e6}
                                                     : std::vector<double>{0, 1e6, 4e6};
    ASSERT_EQ(calls.size(), want_bytes.size()) << by_solves;
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i].bytes_delivered, want_bytes[i]) << by_solves << " call " << i;
      EXPECT_EQ(calls[i].bytes, 4e6);
      EXPECT_EQ(calls[i].rate_solves, i + (by_solves ? 1 : 0));
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
