#include "roshni/net/max_min_solver.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/sim/random.h"

namespace roshni::net {
namespace {

/// Moves `n` members of `from` picked at random (one draw each) to the end of `to`,
/// stopping while `from` still has `keep` of them.
void move_random(sim::RandomStream& rng, size_t n, size_t keep, std::vector<uint32_t>& from,
                 std::vector<uint32_t>& to) {
  for (size_t i = 0; i < n && from.size() > keep; ++i) {
    const size_t j = rng.uniform_below(from.size());
    to.push_back(from[j]);
    from.erase(from.begin() + static_cast<std::ptrdiff_t>(j));
  }
}

Paths make_paths(const std::vector<std::vector<uint32_t>>& per_flow) {
  Paths p;
  for (const auto& links : per_flow) {
    for (uint32_t l : links) p.links.emplace_back(l);
    p.offset.push_back(static_cast<uint32_t>(p.links.size()));
  }
  return p;
}

std::vector<double> solve(const std::vector<std::vector<uint32_t>>& per_flow,
                          const std::vector<double>& capacity) {
  const Paths p = make_paths(per_flow);
  std::vector<uint32_t> flows(per_flow.size());
  std::iota(flows.begin(), flows.end(), 0);
  std::vector<double> rate(per_flow.size(), -1);
  MaxMinSolver s;
  s.solve(flows, p, capacity, rate);
  return rate;
}

// The naive reference: progressive filling by full scans, no heap, no bookkeeping
// shared with the solver. Each round finds the smallest fair share over all links and
// freezes every unfrozen flow on every link that attains it.
std::vector<double> reference(const std::vector<std::vector<uint32_t>>& per_flow,
                              const std::vector<double>& capacity) {
  const size_t nf = per_flow.size(), nl = capacity.size();
  std::vector<double> rate(nf, 0);
  std::vector<bool> frozen(nf, false);
  for (;;) {
    std::vector<double> used(nl, 0);
    std::vector<int> count(nl, 0);
    for (size_t f = 0; f < nf; ++f) {
      for (uint32_t l : per_flow[f]) {
        if (frozen[f]) used[l] += rate[f];
        else ++count[l];
      }
    }
    double best = -1;
    for (size_t l = 0; l < nl; ++l) {
      if (count[l] == 0) continue;
      const double share = (capacity[l] - used[l]) / count[l];
      if (best < 0 || share < best) best = share;
    }
    if (best < 0) break;
    std::vector<size_t> to_freeze;
    for (size_t l = 0; l < nl; ++l) {
      if (count[l] == 0) continue;
      if ((capacity[l] - used[l]) / count[l] <= best * (1 + 1e-12)) {
        for (size_t f = 0; f < nf; ++f) {
          if (!frozen[f] && std::count(per_flow[f].begin(), per_flow[f].end(), l)) {
            to_freeze.push_back(f);
          }
        }
      }
    }
    for (size_t f : to_freeze) {
      rate[f] = best;
      frozen[f] = true;
    }
  }
  return rate;
}

// One 3 Gb/s link shared by two flows of equal weight: each gets 1.5 Gb/s.
TEST(MaxMinSolver, SplitsOneLinkEvenly) {
  const auto r = solve({{0}, {0}}, {3e9});
  EXPECT_DOUBLE_EQ(r[0], 1.5e9);
  EXPECT_DOUBLE_EQ(r[1], 1.5e9);
}

// Bertsekas & Gallager's textbook case: link A (capacity 1) carries f1 and f2, link B
// (capacity 2) carries f1 and f3. A fills first at 1/2 each; f3 then gets 2 - 1/2.
TEST(MaxMinSolver, BottleneckElsewhereGivesTextbookAllocation) {
  const auto r = solve({{0, 1}, {0}, {1}}, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(r[0], 0.5);
  EXPECT_DOUBLE_EQ(r[1], 0.5);
  EXPECT_DOUBLE_EQ(r[2], 1.5);
}

// Three levels: link0 cap 1 (f0,f1), link1 cap 3 (f1,f2,f3), link2 cap 10 (f3, f4).
// link0 fills at 0.5 (f0, f1); link1 then has 2.5 for f2, f3: 1.25 each; link2 gives
// f4 the rest, 10 - 1.25 = 8.75.
TEST(MaxMinSolver, ThreeLevels) {
  const auto r = solve({{0}, {0, 1}, {1}, {1, 2}, {2}}, {1.0, 3.0, 10.0});
  EXPECT_DOUBLE_EQ(r[0], 0.5);
  EXPECT_DOUBLE_EQ(r[1], 0.5);
  EXPECT_DOUBLE_EQ(r[2], 1.25);
  EXPECT_DOUBLE_EQ(r[3], 1.25);
  EXPECT_DOUBLE_EQ(r[4], 8.75);
}

// A lone flow takes the narrowest link of its path.
TEST(MaxMinSolver, LoneFlowGetsItsBottleneck) {
  const auto r = solve({{0, 1, 2}}, {5.0, 2.0, 7.0});
  EXPECT_DOUBLE_EQ(r[0], 2.0);
}

// Random instances against the naive reference, and against the definition itself:
// feasible (no link over capacity) and every flow has a bottleneck — a saturated link
// on its path where no other flow gets more.
TEST(MaxMinSolver, MatchesReferenceOnRandomInstances) {
  sim::RandomStream rng(2024);
  for (int trial = 0; trial < 300; ++trial) {
    const uint32_t nl = 1 + static_cast<uint32_t>(rng.uniform_below(12));
    const uint32_t nf = 1 + static_cast<uint32_t>(rng.uniform_below(25));
    std::vector<double> cap(nl);
    for (auto& c : cap) c = 1.0 + static_cast<double>(rng.uniform_below(8));
    std::vector<std::vector<uint32_t>> paths(nf);
    for (auto& p : paths) {
      const uint32_t len = 1 + static_cast<uint32_t>(rng.uniform_below(std::min(nl, 4u)));
      while (p.size() < len) {
        const auto l = static_cast<uint32_t>(rng.uniform_below(nl));
        if (std::find(p.begin(), p.end(), l) == p.end()) p.push_back(l);
      }
    }
    const auto got = solve(paths, cap);
    const auto want = reference(paths, cap);
    std::vector<double> load(nl, 0);
    for (uint32_t f = 0; f < nf; ++f) {
      ASSERT_NEAR(got[f], want[f], 1e-9 * want[f]) << "trial " << trial << " flow " << f;
      for (uint32_t l : paths[f]) load[l] += got[f];
    }
    for (uint32_t l = 0; l < nl; ++l) ASSERT_LE(load[l], cap[l] * (1 + 1e-9));
    for (uint32_t f = 0; f < nf; ++f) {
      bool has_bottleneck = false;
      for (uint32_t l : paths[f]) {
        if (load[l] < cap[l] * (1 - 1e-9)) continue;
        bool biggest = true;
        for (uint32_t g = 0; g < nf; ++g) {
          if (std::count(paths[g].begin(), paths[g].end(), l) && got[g] > got[f] * (1 + 1e-9)) {
            biggest = false;
          }
        }
        has_bottleneck |= biggest;
      }
      ASSERT_TRUE(has_bottleneck) << "trial " << trial << " flow " << f;
    }
  }
}

// Solving a subset leaves the other flows' rates untouched, and the solver's scratch
// state does not leak from one solve into the next.
TEST(MaxMinSolver, SolvesOnlyTheFlowsItIsGiven) {
  const Paths p = make_paths({{0}, {0}, {1}});
  const std::vector<double> cap{2.0, 4.0};
  std::vector<double> rate{-1, -1, -1};
  MaxMinSolver s;
  const std::vector<uint32_t> first{0, 1};
  s.solve(first, p, cap, rate);
  EXPECT_EQ(rate[2], -1);
  const std::vector<uint32_t> second{2};
  s.solve(second, p, cap, rate);
  EXPECT_DOUBLE_EQ(rate[0], 1.0);
  EXPECT_DOUBLE_EQ(rate[2], 4.0);
  s.solve(first, p, cap, rate);
  EXPECT_DOUBLE_EQ(rate[1], 1.0);
}

// Random instances made for ties: few distinct capacities (1, 3, 7: shares such as 7/3
// that round), short paths over few links, so that several links often fill at the same
// share. Flow paths as lists of link ids; flows listed in `order`.
struct Instance {
  std::vector<std::vector<uint32_t>> paths;
  std::vector<double> cap;
};

Instance tie_prone(sim::RandomStream& rng, uint32_t max_links, uint32_t max_flows) {
  Instance in;
  const uint32_t nl = 1 + static_cast<uint32_t>(rng.uniform_below(max_links));
  const uint32_t nf = 1 + static_cast<uint32_t>(rng.uniform_below(max_flows));
  const double choices[] = {1.0, 3.0, 7.0};
  in.cap.resize(nl);
  for (auto& c : in.cap) c = choices[rng.uniform_below(3)];
  in.paths.resize(nf);
  for (auto& p : in.paths) {
    const uint32_t len = 1 + static_cast<uint32_t>(rng.uniform_below(std::min(nl, 4u)));
    while (p.size() < len) {
      const auto l = static_cast<uint32_t>(rng.uniform_below(nl));
      if (std::find(p.begin(), p.end(), l) == p.end()) p.push_back(l);
    }
  }
  return in;
}

// The rates are a function of the instance alone: listing the same flows in another
// order gives the same rates to the last bit. (Ties between links at the same share are
// broken by link id, as documented; breaking them by the order in which the solve first
// met the links made the last bit depend on that order, since which link fills first
// decides what is subtracted from the other's remaining capacity.)
TEST(MaxMinSolver, RatesDoNotDependOnTheOrderOfFlows) {
  sim::RandomStream rng(77);
  for (int trial = 0; trial < 2000; ++trial) {
    const Instance in = tie_prone(rng, 10, 30);
    const Paths p = make_paths(in.paths);
    std::vector<uint32_t> flows(in.paths.size());
    std::iota(flows.begin(), flows.end(), 0);
    std::vector<double> a(flows.size(), -1), b(flows.size(), -1);
    MaxMinSolver s;
    s.solve(flows, p, in.cap, a);
    for (size_t i = flows.size(); i > 1; --i) std::swap(flows[i - 1], flows[rng.uniform_below(i)]);
    s.solve(flows, p, in.cap, b);
    for (size_t f = 0; f < flows.size(); ++f) {
      ASSERT_EQ(a[f], b[f]) << "trial " << trial << " flow " << f;
    }
  }
}

// The incremental path: after a recorded solve, flows leave a few at a time and the
// rest are re-solved from the first level a departure can change. Every rate must equal,
// to the last bit, a fresh solve of the flows that remain (by another solver object),
// and agree with the naive reference; the flows left alone by the restart keep theirs.
TEST(MaxMinSolver, IncrementalRemovalMatchesAFreshSolve) {
  sim::RandomStream rng(4242);
  for (int trial = 0; trial < 600; ++trial) {
    const Instance in = tie_prone(rng, 12, 40);
    const Paths p = make_paths(in.paths);
    const size_t nf = in.paths.size();
    std::vector<uint32_t> alive(nf);
    std::iota(alive.begin(), alive.end(), 0);
    std::vector<double> rate(nf, -1);
    MaxMinSolver inc;
    // Both ways of re-solving departures, and the choice between them.
    inc.departures_by(trial % 3 == 0   ? MaxMinSolver::Departures::replay
                      : trial % 3 == 1 ? MaxMinSolver::Departures::restart
                                       : MaxMinSolver::Departures::adaptive);
    inc.solve_recorded(alive, PathView::of_rows(p), in.cap, rate);
    std::vector<uint32_t> refilled;
    while (alive.size() > 1) {
      // One to three flows leave at once.
      const size_t k = 1 + rng.uniform_below(std::min<size_t>(3, alive.size() - 1));
      std::vector<uint32_t> gone;
      move_random(rng, k, 0, alive, gone);
      for (uint32_t f : gone) ASSERT_TRUE(inc.recorded(f));
      const std::vector<double> before = rate;
      inc.resolve_without(gone, PathView::of_rows(p), in.cap, rate, refilled);
      for (uint32_t f : gone) ASSERT_FALSE(inc.recorded(f));
      std::vector<uint8_t> was_refilled(nf, 0);
      for (uint32_t f : refilled) was_refilled[f] = 1;
      std::vector<double> fresh(nf, -1);
      MaxMinSolver s;
      s.solve(alive, p, in.cap, fresh);
      std::vector<std::vector<uint32_t>> sub;
      for (uint32_t f : alive) sub.push_back(in.paths[f]);
      const auto want = reference(sub, in.cap);
      for (size_t i = 0; i < alive.size(); ++i) {
        const uint32_t f = alive[i];
        ASSERT_TRUE(inc.recorded(f));
        ASSERT_EQ(rate[f], fresh[f]) << "trial " << trial << " flow " << f;
        ASSERT_NEAR(rate[f], want[i], 1e-9 * want[i]) << "trial " << trial << " flow " << f;
        if (!was_refilled[f]) {
          ASSERT_EQ(rate[f], before[f]);
        }
      }
    }
  }
}

// The replay with arrivals as well: flows come and go a few at a time (a departed flow may
// come back), and each update must give, to the last bit, the rates of a fresh solve of
// the flows now present (another solver object) and agree with the naive reference; a flow
// the update did not refill keeps its rate. Long runs of updates on one record also
// exhaust the room between two recorded steps, which records afresh.
TEST(MaxMinSolver, ReplayWithArrivalsAndDeparturesMatchesAFreshSolve) {
  sim::RandomStream rng(9001);
  for (int trial = 0; trial < 400; ++trial) {
    const Instance in = tie_prone(rng, 14, 60);
    const Paths p = make_paths(in.paths);
    const size_t nf = in.paths.size();
    std::vector<uint32_t> alive, out;
    for (uint32_t f = 0; f < nf; ++f) (rng.uniform_below(2) ? alive : out).push_back(f);
    if (alive.empty()) {
      alive.push_back(out.back());
      out.pop_back();
    }
    std::vector<double> rate(nf, -1);
    MaxMinSolver inc(trial % 2 == 0 ? uint64_t{1} << 32 : 4);  // 4: little room, often afresh
    inc.departures_by(trial % 3 == 0   ? MaxMinSolver::Departures::replay
                      : trial % 3 == 1 ? MaxMinSolver::Departures::restart
                                       : MaxMinSolver::Departures::adaptive);
    inc.solve_recorded(alive, PathView::of_rows(p), in.cap, rate);
    std::vector<uint32_t> refilled;
    for (int round = 0; round < 60; ++round) {
      std::vector<uint32_t> gone, arrived;
      move_random(rng, rng.uniform_below(std::min<size_t>(3, alive.size())), 1, alive, gone);
      move_random(rng, rng.uniform_below(std::min<size_t>(3, out.size()) + 1), 0, out, arrived);
      alive.insert(alive.end(), arrived.begin(), arrived.end());
      for (uint32_t g : gone) out.push_back(g);
      const std::vector<double> before = rate;
      inc.update(gone, arrived, PathView::of_rows(p), in.cap, rate, refilled);
      for (uint32_t f : gone) ASSERT_FALSE(inc.recorded(f));
      std::vector<uint8_t> was_refilled(nf, 0);
      for (uint32_t f : refilled) was_refilled[f] = 1;
      for (uint32_t f : arrived) ASSERT_TRUE(was_refilled[f]) << "trial " << trial;
      std::vector<double> fresh(nf, -1);
      MaxMinSolver s;
      s.solve(alive, p, in.cap, fresh);
      std::vector<std::vector<uint32_t>> sub;
      for (uint32_t f : alive) sub.push_back(in.paths[f]);
      const auto want = reference(sub, in.cap);
      for (size_t i = 0; i < alive.size(); ++i) {
        const uint32_t f = alive[i];
        ASSERT_TRUE(inc.recorded(f));
        ASSERT_EQ(rate[f], fresh[f]) << "trial " << trial << " round " << round << " flow " << f;
        ASSERT_NEAR(rate[f], want[i], 1e-9 * want[i]) << "trial " << trial << " flow " << f;
        if (!was_refilled[f]) {
          ASSERT_EQ(rate[f], before[f]);
        }
      }
    }
  }
}

// The replay's cost follows what the change reaches, not the component. Link 0 (capacity
// 1) carries 50 flows and a bridge flow that also crosses link 1 (capacity 100), which
// carries 50 more: one component of 101 flows. Link 0 fills first at 1/51 (its 50 flows
// and the bridge); link 1 then gives (100 - 1/51) / 50 to its 50. A flow arriving on link
// 1 alone changes nothing at link 0's level: the replay keeps that step as recorded and
// refills only link 1's 50 flows and the arrival, 51 flows, each at (100 - 1/51) / 51.
TEST(MaxMinSolver, ReplayRefillsOnlyWhatTheChangeReaches) {
  std::vector<std::vector<uint32_t>> paths;
  for (int i = 0; i < 50; ++i) paths.push_back({0});
  paths.push_back({0, 1});  // the bridge, flow 50
  for (int i = 0; i < 50; ++i) paths.push_back({1});
  paths.push_back({1});  // flow 101 arrives later
  const Paths p = make_paths(paths);
  const std::vector<double> cap{1.0, 100.0};
  std::vector<uint32_t> first(101);
  std::iota(first.begin(), first.end(), 0);
  std::vector<double> rate(102, -1);
  MaxMinSolver s;
  s.departures_by(MaxMinSolver::Departures::replay);
  s.solve_recorded(first, PathView::of_rows(p), cap, rate);
  EXPECT_EQ(rate[0], 1.0 / 51);
  EXPECT_EQ(rate[50], 1.0 / 51);
  std::vector<uint32_t> refilled;
  const std::vector<uint32_t> arrived{101};
  s.update({}, arrived, PathView::of_rows(p), cap, rate, refilled);
  EXPECT_EQ(refilled.size(), 51u);
  for (uint32_t f : refilled) EXPECT_GE(f, 51u);
  EXPECT_DOUBLE_EQ(rate[101], (100.0 - 1.0 / 51) / 51);
  EXPECT_DOUBLE_EQ(rate[51], (100.0 - 1.0 / 51) / 51);
  EXPECT_EQ(rate[0], 1.0 / 51);
}

// The replay skips the recorded steps that cannot change and takes the others in a fresh
// solve's order. A ladder of 1,000 links, link l of capacity l + 1 with one flow of its
// own, fills one link per step at shares 1, 2, ..., 1000. Link 1000 (capacity 2) carries
// flows A (which also crosses link 1001) and B; link 1001 (capacity 1801) carries A and two
// flows C, C' of its own. Recorded: link 1000 fills at 1 (after ladder link 0, same share,
// smaller id), then link 1001 at (1801 - 1) / 2 = 900, after ladder link 899 (same share).
// B leaves: link 1000 fills at 2 with A alone, and link 1001 at (1801 - 2) / 2 = 899.5,
// between the ladder's steps at 899 and 900. The replay takes one by one only the void step
// of link 1000, the ladder's steps at 2 and 3 (before and after link 1000's new step), the
// two new steps, and skips the ~900 ladder steps between.
TEST(MaxMinSolver, ReplaySkipsTheStepsTheChangeDoesNotReach) {
  constexpr uint32_t kLadder = 1000;
  std::vector<std::vector<uint32_t>> paths;
  std::vector<double> cap;
  for (uint32_t l = 0; l < kLadder; ++l) {
    paths.push_back({l});
    cap.push_back(l + 1.0);
  }
  const uint32_t a = kLadder, z = kLadder + 1;
  cap.push_back(2.0);
  cap.push_back(1801.0);
  const uint32_t fa = static_cast<uint32_t>(paths.size());
  paths.push_back({a, z});
  const uint32_t fb = fa + 1;
  paths.push_back({a});
  paths.push_back({z});  // C
  paths.push_back({z});  // C'
  const Paths p = make_paths(paths);
  std::vector<uint32_t> all(paths.size());
  std::iota(all.begin(), all.end(), 0);
  std::vector<double> rate(paths.size(), -1);
  MaxMinSolver s;
  s.departures_by(MaxMinSolver::Departures::replay);
  s.solve_recorded(all, PathView::of_rows(p), cap, rate);
  EXPECT_EQ(rate[fa], 1.0);
  EXPECT_EQ(rate[fa + 2], 900.0);
  std::vector<uint32_t> refilled;
  const std::vector<uint32_t> gone{fb};
  s.resolve_without(gone, PathView::of_rows(p), cap, rate, refilled);
  std::sort(refilled.begin(), refilled.end());
  EXPECT_EQ(refilled, (std::vector<uint32_t>{fa, fa + 2, fa + 3}));
  EXPECT_EQ(rate[fa], 2.0);
  EXPECT_EQ(rate[fa + 2], 899.5);
  EXPECT_EQ(rate[fa + 3], 899.5);
  for (uint32_t l = 0; l < kLadder; ++l) EXPECT_EQ(rate[l], l + 1.0);
  EXPECT_EQ(s.replay_steps(), 5u);
}

// Long records and local changes, where the replay skips long runs of recorded steps:
// 300 links in a row, flows over 1 to 3 neighbouring links, capacities prone to ties.
// Every update must give a fresh solve's rates to the last bit.
TEST(MaxMinSolver, ReplayOnLongRecordsMatchesAFreshSolve) {
  sim::RandomStream rng(31337);
  for (int trial = 0; trial < 12; ++trial) {
    const uint32_t nl = 300, nf = 700;
    const double choices[] = {1.0, 3.0, 7.0, 10.0};
    std::vector<double> cap(nl);
    for (auto& c : cap) c = choices[rng.uniform_below(4)];
    std::vector<std::vector<uint32_t>> paths(nf);
    for (auto& path : paths) {
      const auto start = static_cast<uint32_t>(rng.uniform_below(nl));
      const uint32_t len = 1 + static_cast<uint32_t>(rng.uniform_below(3));
      for (uint32_t k = 0; k < len && start + k < nl; ++k) path.push_back(start + k);
    }
    const Paths p = make_paths(paths);
    std::vector<uint32_t> alive, out;
    for (uint32_t f = 0; f < nf; ++f) (rng.uniform_below(4) ? alive : out).push_back(f);
    std::vector<double> rate(nf, -1);
    MaxMinSolver inc;
    inc.departures_by(trial % 2 == 0 ? MaxMinSolver::Departures::replay
                                     : MaxMinSolver::Departures::adaptive);
    inc.solve_recorded(alive, PathView::of_rows(p), cap, rate);
    std::vector<uint32_t> refilled;
    for (int round = 0; round < 80; ++round) {
      std::vector<uint32_t> gone, arrived;
      move_random(rng, rng.uniform_below(3), 1, alive, gone);
      move_random(rng, rng.uniform_below(std::min<size_t>(2, out.size()) + 1), 0, out, arrived);
      alive.insert(alive.end(), arrived.begin(), arrived.end());
      for (uint32_t g : gone) out.push_back(g);
      inc.update(gone, arrived, PathView::of_rows(p), cap, rate, refilled);
      std::vector<double> fresh(nf, -1);
      MaxMinSolver s;
      s.solve(alive, p, cap, fresh);
      std::vector<std::vector<uint32_t>> sub;
      for (uint32_t f : alive) sub.push_back(paths[f]);
      const auto want = reference(sub, cap);
      for (size_t i = 0; i < alive.size(); ++i) {
        const uint32_t f = alive[i];
        ASSERT_EQ(rate[f], fresh[f]) << "trial " << trial << " round " << round << " flow " << f;
        ASSERT_NEAR(rate[f], want[i], 1e-9 * want[i]) << "trial " << trial << " flow " << f;
      }
    }
  }
}

// A recorded step whose link diverged is taken again as it was when, at its turn, its link
// holds exactly the flows it froze with the record's remaining capacity: the share is the
// record's, so its flows keep their rates and the links they cross need not diverge.
// Links 0, 1, 2 of capacity 2; flows a {0}, b {0, 1}, c {1, 2}, d {2}. Every share is 1,
// taken in link order: link 0 freezes a and b, link 1 then c, link 2 then d. When a leaves,
// link 0's step is void (b is alone there: share 2), so is link 1's (it holds b and c
// again, share 1, before link 0's share 2), which fills anew with b and c at 1; link 2 then
// holds d alone with 2 - 1 left: the record's state before its step, share 1. So b and c
// are filled again and d is not.
TEST(MaxMinSolver, ReplayKeepsAStepWhoseLinkHasTheRecordsStateBackAtItsTurn) {
  const Paths p = make_paths({{0}, {0, 1}, {1, 2}, {2}});
  const std::vector<double> cap{2.0, 2.0, 2.0};
  std::vector<uint32_t> all{0, 1, 2, 3};
  std::vector<double> rate(4, -1);
  MaxMinSolver s;
  s.departures_by(MaxMinSolver::Departures::replay);
  s.solve_recorded(all, PathView::of_rows(p), cap, rate);
  EXPECT_EQ(rate, (std::vector<double>{1, 1, 1, 1}));
  std::vector<uint32_t> refilled;
  s.resolve_without(std::vector<uint32_t>{0}, PathView::of_rows(p), cap, rate, refilled);
  std::sort(refilled.begin(), refilled.end());
  EXPECT_EQ(refilled, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(rate[1], 1.0);
  EXPECT_EQ(rate[2], 1.0);
  EXPECT_EQ(rate[3], 1.0);
  // The record stays true: c leaves, b and d are alone on their links (2 each).
  s.resolve_without(std::vector<uint32_t>{2}, PathView::of_rows(p), cap, rate, refilled);
  EXPECT_EQ(rate[1], 2.0);
  EXPECT_EQ(rate[3], 2.0);
}

// The adaptive choice between replay and restart tries the dearer method only once the
// cheaper one has done kProbeRatio times its last cost in work. Here 200 links of capacity
// 1 carry two flows each (share 1/2) under a ladder of 1,000 links, link l of capacity
// l + 2 with a flow of its own. One flow leaves each small link in turn: a restart fills
// again every flow frozen from its step on (the whole ladder, > 1,000 flows), a replay
// only moves that link's step (its other flow now freezes at 1, below the ladder's 2). So
// after the first update (a try of the restart: no cost is known yet) the replay is the
// cheaper by far and the restart is never worth trying again in 200 updates: it would
// take 16 x ~1,000 incidences of replays. Trying the other method every 16th update, as
// the solver once did, cost 12 restarts here: 20 times the replays' own work.
TEST(MaxMinSolver, TriesTheDearerMethodInProportionToTheWorkDone) {
  constexpr uint32_t kSmall = 200, kLadder = 1000;
  std::vector<std::vector<uint32_t>> paths;
  std::vector<double> cap(kSmall, 1.0);
  for (uint32_t l = 0; l < kSmall; ++l) {
    paths.push_back({l});
    paths.push_back({l});
  }
  for (uint32_t l = 0; l < kLadder; ++l) {
    cap.push_back(l + 2.0);
    paths.push_back({kSmall + l});
  }
  const Paths p = make_paths(paths);
  std::vector<uint32_t> alive(paths.size());
  std::iota(alive.begin(), alive.end(), 0);
  std::vector<double> rate(paths.size(), -1);
  MaxMinSolver s;
  s.solve_recorded(alive, PathView::of_rows(p), cap, rate);
  std::vector<uint32_t> refilled;
  for (uint32_t l = 0; l < kSmall; ++l) {
    const std::vector<uint32_t> gone{2 * l};
    s.resolve_without(gone, PathView::of_rows(p), cap, rate, refilled);
    ASSERT_EQ(rate[2 * l + 1], 1.0) << "link " << l;  // alone on its link now
    if (l + 1 < kSmall) {
      ASSERT_EQ(rate[2 * l + 3], 0.5) << "link " << l + 1;
    }
  }
  for (uint32_t l = 0; l < kLadder; ++l) ASSERT_EQ(rate[2 * kSmall + l], l + 2.0);
  const auto& c = s.departure_counts();
  EXPECT_EQ(c.updates, kSmall);
  EXPECT_EQ(c.probes, 1u);
  EXPECT_GT(c.probe_work, 1000.0);  // the one restart: the ladder's flows at least
  EXPECT_LT(c.chosen_work, 100.0 * kSmall);
}

// Where both methods cost about the same, the other one is still tried regularly (about
// every kProbeRatio x its cost ratio updates), so that the choice can follow a change: one
// link, 400 flows leaving one by one; both methods fill every flow left again.
TEST(MaxMinSolver, TriesTheOtherMethodRegularlyWhenTheyCostAlike) {
  constexpr uint32_t kFlows = 400;
  const Paths p = make_paths(std::vector<std::vector<uint32_t>>(kFlows, {0}));
  const std::vector<double> cap{800.0};
  std::vector<uint32_t> alive(kFlows);
  std::iota(alive.begin(), alive.end(), 0);
  std::vector<double> rate(kFlows, -1);
  MaxMinSolver s;
  s.solve_recorded(alive, PathView::of_rows(p), cap, rate);
  std::vector<uint32_t> refilled;
  for (uint32_t f = 0; f + 1 < kFlows; ++f) {
    const std::vector<uint32_t> gone{f};
    s.resolve_without(gone, PathView::of_rows(p), cap, rate, refilled);
    ASSERT_EQ(rate[kFlows - 1], 800.0 / (kFlows - 1 - f));
  }
  const auto& c = s.departure_counts();
  EXPECT_EQ(c.updates, kFlows - 1);
  // Each method's work is 1 to 3 incidences per flow left, so the ratio of the two is
  // within 3 either way: a try every 16 / 3 to 16 x 3 updates.
  EXPECT_GE(c.probes, (kFlows - 1) / 48);
  EXPECT_LE(c.probes, (kFlows - 1) / 5 + 1);
}

// A solve that shares flows with the record replaces it (its rates are the new truth);
// one on flows the record does not hold leaves it alone.
TEST(MaxMinSolver, RecordFollowsTheLatestSolveOfItsFlows) {
  const Paths p = make_paths({{0}, {0}, {0, 1}, {2}, {2}});
  const std::vector<double> cap{3.0, 5.0, 4.0};
  std::vector<double> rate(5, -1);
  MaxMinSolver s;
  const std::vector<uint32_t> first{0, 1, 2};
  s.solve_recorded(first, PathView::of_rows(p), cap, rate);
  const std::vector<uint32_t> other{3, 4};
  s.solve(other, p, cap, rate);  // disjoint: the record of 0, 1, 2 stays
  EXPECT_TRUE(s.recorded(0));
  EXPECT_FALSE(s.recorded(3));
  // Flow 1 leaves link 0 (3 units): flows 0 and 2 get 1.5 each.
  std::vector<uint32_t> refilled;
  const std::vector<uint32_t> gone{1};
  s.resolve_without(gone, PathView::of_rows(p), cap, rate, refilled);
  EXPECT_DOUBLE_EQ(rate[0], 1.5);
  EXPECT_DOUBLE_EQ(rate[2], 1.5);
  EXPECT_DOUBLE_EQ(rate[3], 2.0);
  const std::vector<uint32_t> overlap{0};
  s.solve(overlap, p, cap, rate);  // overlaps the record: forgotten
  EXPECT_FALSE(s.recorded(2));
}

}  // namespace
}  // namespace roshni::net
