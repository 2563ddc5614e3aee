// Exposed communication by class (issue 22.2): the critical path of a finished run puts
// each exposed second on the traffic that was on the path, and the per-class figures sum
// to the exposed total; ZeRO-3's parameter gathers are prefetched one step ahead of the
// compute that needs them (docs/training.md, "The report" and "ZeRO").
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/paths.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"
#include "roshni/work/critical_path.h"
#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {


// DP over d = 4 with one gradient bucket: the ring all-reduce of S = L 12 h^2 vb + V h vb
// starts after the whole backward, so it is all exposed, 2 (d - 1)/d S/B, and all of it dp.
TEST(ExposedByClass, SingleBucketAllReduceIsAllDp) {
  TrainingSpec s = small_training_spec();
  s.plan.data = 4;
  s.plan.bucket = bytes(1e12);
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double h = 1024, L = 8, V = 8, vb = 2, d = 4, B = 100e9 / 8;
  const double S = L * 12 * h * h * vb + V * h * vb;
  EXPECT_NEAR(run.E() / (2 * (d - 1) / d * S / B), 1.0, 1e-6);
  EXPECT_EQ(run.path.exposed[static_cast<size_t>(PathClass::dp) - 1], run.T - run.T0);
  EXPECT_NEAR(run.on_path(PathClass::dp) / run.E(), 1.0, 1e-9);
  EXPECT_EQ(run.exposed(PathClass::tp) + run.exposed(PathClass::pp) + run.exposed(PathClass::ep), 0.0);
  run.sums_hold();
}

// TP over t = 4 on one stage: every step waits for its all-reduce of 2 n h vb (the
// layer's two, merged), 2 (t - 1)/t of it per link: m L 2 (forward and backward)
// all-reduces of 2 (t - 1)/t 2 n h vb / B each, all on the path and all tp.
TEST(ExposedByClass, TensorParallelAllReducesAreAllOnThePath) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 4;
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double m = 16, L = 8, t = 4, n = 1024, h = 1024, vb = 2, B = 100e9 / 8;
  const double expected = m * L * 2 * (2 * (t - 1) / t) * 2 * n * h * vb / B;
  EXPECT_NEAR(run.E() / expected, 1.0, 1e-6);
  EXPECT_NEAR(run.exposed(PathClass::tp) / run.E(), 1.0, 1e-12);
  EXPECT_NEAR(run.on_path(PathClass::tp) / expected, 1.0, 1e-6);
  EXPECT_EQ(run.exposed(PathClass::dp) + run.exposed(PathClass::pp), 0.0);
  run.sums_hold();
}

// PP over p = 2 with one micro-batch: the forward sends n h vb from stage 0 to 1, the
// backward its gradient back; nothing overlaps them, so 2 n h vb / B is exposed, all pp.
TEST(ExposedByClass, PipelineSendsOfOneMicroBatchAreAllPp) {
  TrainingSpec s = small_training_spec();
  s.plan.pipeline = 2;
  s.model.global_batch = 1;
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double n = 1024, h = 1024, vb = 2, B = 100e9 / 8;
  EXPECT_NEAR(run.E() / (2 * n * h * vb / B), 1.0, 1e-6);
  EXPECT_NEAR(run.exposed(PathClass::pp) / run.E(), 1.0, 1e-12);
  EXPECT_NEAR(run.on_path(PathClass::pp) / run.E(), 1.0, 1e-6);
  run.sums_hold();
}

// A mixed plan (TP 2 x PP 2 x DP 2, ZeRO-3): whatever the split, the classes sum to the
// makespan and to the exposed total, and only classes the plan has get any of it.
TEST(ExposedByClass, ClassesSumToTheTotals) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  s.plan.data = 2;
  s.plan.sharding = Sharding::zero3;
  const TrainingRun run(s, gbps(400));
  ASSERT_TRUE(run.result.unfinished.empty());
  EXPECT_GT(run.E(), 0);
  EXPECT_EQ(run.exposed(PathClass::ep), 0.0);
  run.sums_hold();
}

// A compute step (0-10 us) then a gradient transfer ready at 10 us that had no live path
// until an optical circuit map lit at 15 us (ends at 20 us). With the communication free
// the path is 10 us, so 10 us are exposed: the 5 us gap is the circuits' (given to them
// first), the 5 us of transfer dp's. The same gap with no lit time at 15 us is plain wait,
// and all 10 us go to dp by the proportional rule.
TEST(ExposedByClass, WaitingForACircuitMapIsTheCircuitsShare) {
  net::FlowSet flows;
  const FlowId step = flows.add_task("bwd", NodeId(0), SimTime::ps(10'000'000));
  const FlowId deps[] = {step};
  flows.add("dp/rs0/r0", NodeId(0), NodeId(1), bytes(1e6), deps);
  net::RunResult run;
  run.start = {SimTime::zero(), SimTime::ps(15'000'000)};
  run.end = {SimTime::ps(10'000'000), SimTime::ps(20'000'000)};
  run.makespan = SimTime::ps(20'000'000);
  const SimTime exposed = SimTime::ps(10'000'000);
  const SimTime lit[] = {SimTime::ps(15'000'000)};
  const CriticalPath with = critical_path(flows, run, exposed, lit);
  EXPECT_EQ(with.circuits, SimTime::ps(5'000'000));
  EXPECT_EQ(with.circuits_exposed, SimTime::ps(5'000'000));
  EXPECT_EQ(with.time[static_cast<size_t>(PathClass::wait)], SimTime::ps(5'000'000));
  EXPECT_EQ(with.exposed[static_cast<size_t>(PathClass::dp) - 1], SimTime::ps(5'000'000));
  const SimTime elsewhere[] = {SimTime::ps(14'000'000)};
  for (const CriticalPath& without : {critical_path(flows, run, exposed),
                                      critical_path(flows, run, exposed, elsewhere)}) {
    EXPECT_EQ(without.circuits, SimTime::zero());
    EXPECT_EQ(without.circuits_exposed, SimTime::zero());
    EXPECT_EQ(without.exposed[static_cast<size_t>(PathClass::dp) - 1], exposed);
  }
  // The circuits never take more than the exposed time: here 3 us of it.
  const CriticalPath capped = critical_path(flows, run, SimTime::ps(3'000'000), lit);
  EXPECT_EQ(capped.circuits_exposed, SimTime::ps(3'000'000));
  EXPECT_EQ(capped.exposed[static_cast<size_t>(PathClass::dp) - 1], SimTime::zero());
}

// ZeRO-3 over d = 2, one stage, one micro-batch, links of 500 GB/s. A step's gather of
// S = 12 h^2 vb takes G = (d - 1)/d S/B = 25.2 us, less than its forward (60.1 us), so
// with the gathers prefetched one step ahead and one at a time (FSDP's forward and
// backward prefetch) only the first gather of the forward and the first of the backward
// are exposed; during the backward a step's gradient reduce-scatter (also G) and the next
// gather share the links (2G < 120 us) and are hidden, except the last reduce-scatter,
// of step 0 and the tied embedding, (d - 1)/d (S + V h vb)/B. So T = compute + 2 G + that,
// with 2 G of it zero3 and the rest dp. Two gathers issued at once would share the links
// and expose 2 G each.
TEST(ZeroThree, GathersArePrefetchedOneStepAhead) {
  TrainingSpec s = small_training_spec();
  s.plan.data = 2;
  s.model.global_batch = 2;
  s.plan.sharding = Sharding::zero3;
  const TrainingRun run(s, gbps(4000));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double h = 1024, V = 8, vb = 2, d = 2, B = 4000e9 / 8;
  const double S = 12 * h * h * vb;
  const double G = (d - 1) / d * S / B, last = (d - 1) / d * (S + V * h * vb) / B;
  const double compute = run.info.busiest_compute.duration().si();
  EXPECT_NEAR(run.T0.duration().si() / compute, 1.0, 1e-9);
  EXPECT_NEAR(run.T.duration().si() / (compute + 2 * G + last), 1.0, 1e-6);
  EXPECT_NEAR(run.exposed(PathClass::zero3) / (2 * G), 1.0, 1e-6);
  EXPECT_NEAR(run.exposed(PathClass::dp) / last, 1.0, 1e-6);
  run.sums_hold();
}

}  // namespace
}  // namespace roshni::work
