// The network models' coupling seam: a periodic hook that may change how fast each node
// computes, with tasks in progress re-timed from their remaining work, and the activity
// counters the energy model reads (the dynamic power's peaks: tests/power/dynamic_power_test.cpp).
#include "roshni/net/coupling.h"

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

topo::Topology two_gpus() {
  topo::StarParams p;
  p.gpus = 2;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(0);
  p.switch_latency = SimTime::ps(0);
  return topo::make_star(p);
}

/// Sets node 0 to `speed` at its first call, and records the activity it saw.
class SlowDown final : public Coupling {
 public:
  SlowDown(SimTime period, double speed) : period_(period), speed_(speed) {}
  SimTime period() const override { return period_; }
  void step(SimTime now, const NodeActivity& a, std::span<double> speed) override {
    if (calls_++ == 0) {
      busy_at_first_ = a.busy_ps[0];
      speed[0] = speed_;
    }
    last_ = now;
  }
  int calls_ = 0;
  int64_t busy_at_first_ = -1;
  SimTime last_;

 private:
  SimTime period_;
  double speed_;
};

RunResult run(const topo::Topology& t, const FlowSet& f, RunOptions o) {
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  const auto paths = route_all(t, router, f, unroutable);
  return run_flow_model(t, f, paths, o);
}

// A compute step of D = 10 us on gpu0; at t = 4 us the coupling halves gpu0's speed.
// 4 us of work is done; the other 6 us take 12 us at half speed: it ends at 16 us.
// Busy time is 16 us, work 10 us, slowed time 12 us; the coupling saw 4 us busy.
TEST(Coupling, SlowerSpeedRetimesComputeInProgress) {
  const auto t = two_gpus();
  FlowSet f;
  f.add_task("c", t.gpus()[0], SimTime::ps(10'000'000));
  SlowDown c(SimTime::ps(4'000'000), 0.5);
  RunOptions o;
  o.coupling = &c;
  const auto r = run(t, f, o);
  EXPECT_EQ(r.makespan, SimTime::ps(16'000'000));
  EXPECT_EQ(c.busy_at_first_, 4'000'000);
  const uint32_t g = t.gpus()[0].value();
  EXPECT_EQ(r.busy_ps[g], 16'000'000);
  EXPECT_DOUBLE_EQ(r.work_s[g], 10e-6);
  EXPECT_EQ(r.slowed_ps[g], 12'000'000);
  // Ticks at 4, 8, 12 us; the one at 16 us finds the run over and does nothing.
  EXPECT_EQ(c.calls_, 3);
}

// Without a coupling a compute step keeps its exact duration (the slice's behaviour).
TEST(Coupling, NoCouplingKeepsExactDurations) {
  const auto t = two_gpus();
  FlowSet f;
  const FlowId a = f.add_task("a", t.gpus()[0], SimTime::ps(7));
  f.add_task("b", t.gpus()[0], SimTime::ps(5), std::vector<FlowId>{a});
  const auto r = run(t, f, {});
  EXPECT_EQ(r.makespan, SimTime::ps(12));
  EXPECT_EQ(r.busy_ps[t.gpus()[0].value()], 12);
}

/// Records the times it was called; halves node `slow` at its first call after `from`.
class Recorder final : public Coupling {
 public:
  Recorder(SimTime period, uint32_t slow, SimTime from) : period_(period), slow_(slow), from_(from) {}
  SimTime period() const override { return period_; }
  void step(SimTime now, const NodeActivity&, std::span<double> speed) override {
    calls.push_back(now);
    if (now > from_) speed[slow_] = 0.5;
  }
  std::vector<SimTime> calls;

 private:
  SimTime period_;
  uint32_t slow_;
  SimTime from_;
};

// Issue 15.1: ticks must go on when a compute step ends on a tick and releases a flow
// (whose completion is only scheduled at the end of that instant). Period 2 us. gpu0
// computes a = [0, 4) us, ending on the second tick; x (50 kB at 50 GB/s, no latency)
// runs [4, 5) us; then b = 10 us of work on gpu0 from 5 us. The coupling halves gpu0
// from its first call after 4 us, at 6 us: b has done 1 us of work, the other 9 us take
// 18 us: b ends at 24 us. Had the ticks stopped at 4 us, b would end at 15 us.
TEST(Coupling, TicksGoOnWhenAComputeStepEndingOnATickReleasesAFlow) {
  const auto t = two_gpus();
  FlowSet f;
  const NodeId g0 = t.gpus()[0], g1 = t.gpus()[1];
  const FlowId a = f.add_task("a", g0, SimTime::ps(4'000'000));
  const FlowId x = f.add("x", g0, g1, bytes(50e3), std::vector<FlowId>{a});
  f.add_task("b", g0, SimTime::ps(10'000'000), std::vector<FlowId>{x});
  Recorder c(SimTime::ps(2'000'000), g0.value(), SimTime::ps(4'000'000));
  RunOptions o;
  o.coupling = &c;
  const auto r = run(t, f, o);
  EXPECT_EQ(r.makespan, SimTime::ps(24'000'000));
  EXPECT_EQ(r.slowed_ps[g0.value()], 18'000'000);
  ASSERT_GE(c.calls.size(), 3u);
  EXPECT_EQ(c.calls[2], SimTime::ps(6'000'000));
}

// Two compute steps on one GPU at once share it (processor sharing,
// docs/models/energy.md "Compute steps"): k steps each progress at speed/k. Steps of
// 10 us (a) and 4 us (b) start together on gpu0: both run at 1/2 until b has done its
// 4 us of work at 8 us; a has 6 us left, alone at full speed: it ends at 14 us. The GPU
// is busy 14 us doing 14 us of work (= 10 + 4, the steps' work), so the dynamic energy,
// busy power x work, is 600 W x 14 us, and the power while busy is 600 W, never 1200
// (DynamicPower.OverlappingTasksDrawOneGpusBusyPower).
// A third step c of 3 us starting at 11 us (a has 3 us left) shares with a: both end at
// 17 us. The flow model and the packet model agree.
TEST(Coupling, OverlappingComputeStepsShareTheGpu) {
  const auto t = two_gpus();
  FlowSet f;
  const NodeId g = t.gpus()[0];
  f.add_task("a", g, SimTime::ps(10'000'000));
  f.add_task("b", g, SimTime::ps(4'000'000));
  FlowSet f3 = f;
  f3.add_task("c", g, SimTime::ps(3'000'000), {}, SimTime::ps(11'000'000));
  RunOptions o;
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  const auto paths = route_all(t, router, f, unroutable);
  const auto paths3 = route_all(t, router, f3, unroutable);
  const RunResult fluid = run_flow_model(t, f, paths, o);
  const RunResult fluid3 = run_flow_model(t, f3, paths3, o);
  const RunResult packet = run_packet_model(t, f, paths, PacketConfig{}, o).run;
  const RunResult packet3 = run_packet_model(t, f3, paths3, PacketConfig{}, o).run;
  for (const RunResult* r : {&fluid, &packet}) {
    EXPECT_EQ(r->end[1], SimTime::ps(8'000'000));
    EXPECT_EQ(r->end[0], SimTime::ps(14'000'000));
    EXPECT_EQ(r->busy_ps[g.value()], 14'000'000);
    EXPECT_NEAR(r->work_s[g.value()], 14e-6, 1e-18);
  }
  for (const RunResult* r : {&fluid3, &packet3}) {
    EXPECT_EQ(r->end[0], SimTime::ps(17'000'000));
    EXPECT_EQ(r->end[2], SimTime::ps(17'000'000));
    EXPECT_EQ(r->busy_ps[g.value()], 17'000'000);
    EXPECT_NEAR(r->work_s[g.value()], 17e-6, 1e-18);
  }
}

// Sharing and throttling compose: a (10 us) and b (4 us) share gpu0 from 0; at 4 us the
// coupling halves its speed. By 4 us each did 2 us of work; then each runs at 1/4: b's
// 2 us left take 8 us (ends at 12 us, a did 2 us more), a's last 6 us run alone at 1/2:
// it ends at 24 us. Busy 24 us, work 4 + 20 x 1/2 = 14 us, slowed 20 us.
TEST(Coupling, SharedStepsAreRetimedWhenThrottled) {
  const auto t = two_gpus();
  FlowSet f;
  f.add_task("a", t.gpus()[0], SimTime::ps(10'000'000));
  f.add_task("b", t.gpus()[0], SimTime::ps(4'000'000));
  SlowDown c(SimTime::ps(4'000'000), 0.5);
  RunOptions o;
  o.coupling = &c;
  const auto r = run(t, f, o);
  const uint32_t g = t.gpus()[0].value();
  EXPECT_EQ(r.end[1], SimTime::ps(12'000'000));
  EXPECT_EQ(r.end[0], SimTime::ps(24'000'000));
  EXPECT_EQ(r.busy_ps[g], 24'000'000);
  EXPECT_NEAR(r.work_s[g], 14e-6, 1e-18);
  EXPECT_EQ(r.slowed_ps[g], 20'000'000);
}

}  // namespace
}  // namespace roshni::net
