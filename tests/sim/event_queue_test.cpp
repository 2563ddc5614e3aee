#include "roshni/sim/event_queue.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/sim/random.h"
#include "roshni/sim/simulator.h"

namespace roshni::sim {
namespace {

// Events pushed out of order come back sorted by time; equal times keep push order.
TEST(EventQueue, PopsByTimeThenInsertionOrder) {
  EventQueue q;
  q.push(SimTime::ps(30), 0, 1);
  q.push(SimTime::ps(10), 0, 2);
  q.push(SimTime::ps(30), 0, 3);
  q.push(SimTime::ps(20), 0, 4);
  q.push(SimTime::ps(10), 0, 5);
  std::vector<uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().target);
  EXPECT_EQ(order, (std::vector<uint32_t>{2, 5, 4, 1, 3}));
}

// Against the naive reference: a stable sort of (time, push index) over random pushes
// interleaved with pops gives the same sequence.
TEST(EventQueue, MatchesStableSortOnRandomInput) {
  RandomStream rng(7);
  EventQueue q;
  struct Ref {
    int64_t at;
    uint32_t id;
  };
  std::vector<Ref> pending;
  std::vector<uint32_t> got, want;
  uint32_t next = 0;
  int64_t now = 0;
  for (int round = 0; round < 20000; ++round) {
    if (rng.uniform_below(3) != 0 || pending.empty()) {
      const int64_t at = now + static_cast<int64_t>(rng.uniform_below(50));
      q.push(SimTime::ps(at), 0, next);
      pending.push_back({at, next++});
    } else {
      auto it = std::min_element(pending.begin(), pending.end(), [](const Ref& a, const Ref& b) {
        return a.at < b.at || (a.at == b.at && a.id < b.id);
      });
      want.push_back(it->id);
      now = it->at;
      pending.erase(it);
      const Event e = q.pop();
      got.push_back(e.target);
      ASSERT_EQ(e.at.ps(), now);
    }
  }
  EXPECT_EQ(got, want);
}

struct Recorder {
  std::vector<std::pair<int64_t, uint32_t>> seen;
  std::vector<int64_t> ends;
  Simulator* sim = nullptr;
  bool rescheduled = false;
  void handle(const Event& e) {
    seen.emplace_back(e.at.ps(), e.target);
    // An event scheduled while handling one at the same time joins the current batch.
    if (e.target == 1) sim->schedule(SimTime::ps(5), 0, 98);
  }
  void end_of_timestamp(SimTime t) {
    ends.push_back(t.ps());
    // Work created by the end-of-timestamp step itself (as a rate re-solve can create
    // a zero-length completion) runs at the same time, followed by another end call.
    if (t.ps() == 5 && !rescheduled) {
      rescheduled = true;
      sim->schedule(SimTime::ps(5), 0, 99);
    }
  }
};

TEST(Simulator, BatchesEventsOfOneTimestamp) {
  Simulator sim;
  Recorder r;
  r.sim = &sim;
  sim.schedule(SimTime::ps(5), 0, 1);
  sim.schedule(SimTime::ps(5), 0, 2);
  sim.schedule(SimTime::ps(9), 0, 3);
  sim.run(r);
  EXPECT_EQ(r.seen, (std::vector<std::pair<int64_t, uint32_t>>{
                        {5, 1}, {5, 2}, {5, 98}, {5, 99}, {9, 3}}));
  // t=5 ends twice: after {1, 2, 98}, then after {99}, which the first end created.
  EXPECT_EQ(r.ends, (std::vector<int64_t>{5, 5, 9}));
  EXPECT_EQ(sim.events_processed(), 5u);
  EXPECT_EQ(sim.now().ps(), 9);
}

}  // namespace
}  // namespace roshni::sim
