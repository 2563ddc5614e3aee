// Compute slowed by the communication it overlaps (docs/training.md, "Compute beside
// overlapped collectives"): with overlap_slowdown s, a compute step that runs while a
// collective of its own GPU is in flight takes (1 + s) times its time, for the part that
// overlaps: a whole step beside a DP gradient bucket of the closing backward or a ZeRO-3
// prefetch gather; (n - 1)/n of a step decomposed for TP overlap (chunk 0 runs before its
// first piece). Equivalently T/(1 - f) with f = s/(1 + s), the share of the GPU the
// collective takes.
//
// The small plan (small_training.h): L = 8 one-layer steps, forward C_f = n (24 h^2 + 4 s h)
// at 1000 TFLOP/s x 0.5 = 60.13 us (1024 tokens, h = 1024; compute-bound), backward
// C_b = 2 C_f. The expected added compute is counted by hand from which steps overlap; each
// slowed step is rounded to the nearest picosecond, hence the picosecond tolerances.
#include <gtest/gtest.h>

#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

constexpr double kS = 0.25;  // a slowdown chosen for the arithmetic, not a measurement
constexpr double kL = 8;

double forward_step(double t) {  // C_f on TP t
  const double n = 1024, h = 1024, sq = 1024;
  return n * (24 * h * h + 4 * sq * h) / t / (1000e12 * 0.5);
}

double busy(const TrainingRun& r) { return r.info.busiest_compute.duration().si(); }

// DP 2, one stage, a bucket per step (1-byte limit), plain all-reduce: the closing
// backward (the last micro-batch's) issues its first bucket after step L - 1, so its
// other L - 1 steps run beside buckets: + s (L - 1) C_b. No other step overlaps
// (the earlier backwards issue no bucket; the head, the forward and the optimizer step,
// given HBM bytes here so that it takes time, none).
TEST(OverlapSlowdown, StepsAfterTheFirstGradientBucketTakeOnePlusSTimesLonger) {
  TrainingSpec sp = small_training_spec();
  sp.plan.data = 2;
  sp.plan.bucket = bytes(1);
  sp.optimizer_bytes_per_param = 16;
  const TrainingRun off(sp, bits_per_second(100e9));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(100e9));
  ASSERT_TRUE(on.result.unfinished.empty());
  const double Cb = 2 * forward_step(1);
  EXPECT_NEAR(busy(on) - busy(off), kS * (kL - 1) * Cb, kL * 1e-12);
  // One stage: the chain's compute is the iteration without communication.
  EXPECT_NEAR((on.T0 - off.T0).duration().si(), kS * (kL - 1) * Cb, kL * 1e-12);
  on.sums_hold();
}

// ZB-H1, DP 2, one stage: the buckets follow the weight-gradient passes W of the closing
// micro-batch, so its W steps after the first bucket are slowed: + s (L - 1) C_w, C_w the
// forward's matmuls, n 24 h^2 at 1000 TFLOP/s x 0.5 = 51.54 us (input-gradient passes B
// issue no bucket).
TEST(OverlapSlowdown, ZbH1WeightPassesAfterTheFirstBucketAreSlowed) {
  TrainingSpec sp = small_training_spec();
  sp.plan.data = 2;
  sp.plan.bucket = bytes(1);
  sp.plan.schedule = PipelineSchedule::zb_h1;
  const TrainingRun off(sp, bits_per_second(100e9));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(100e9));
  ASSERT_TRUE(on.result.unfinished.empty());
  const double Cw = 1024.0 * 24 * 1024 * 1024 / (1000e12 * 0.5);
  EXPECT_NEAR(busy(on) - busy(off), kS * (kL - 1) * Cw, kL * 1e-12);
}

// ZeRO-3 on DP 2, one stage, m = 8 micro-batches per replica: the gather of step q + 1
// (forward) or q - 1 (backward) runs beside step q, so every pass has L - 1 slowed steps;
// the closing backward has all L (its step 0, without a gather beside it, has buckets):
//     + s [m (L - 1) C_f + (m (L - 1) + 1) C_b].
TEST(OverlapSlowdown, ZeroThreePrefetchSlowsEveryStepButTheOneWithNoGatherBeside) {
  TrainingSpec sp = small_training_spec();
  sp.plan.data = 2;
  sp.plan.sharding = Sharding::zero3;
  sp.plan.bucket = bytes(1);
  const TrainingRun off(sp, bits_per_second(100e9));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(100e9));
  ASSERT_TRUE(on.result.unfinished.empty());
  const double m = 8, Cf = forward_step(1), Cb = 2 * Cf;
  const double added = kS * (m * (kL - 1) * Cf + (m * (kL - 1) + 1) * Cb);
  EXPECT_NEAR(busy(on) - busy(off), added, 2 * m * kL * 1e-12);
  on.sums_hold();
}

// TP 4 with 4 chunks, no DP (m = 16): every step is decomposed, (n - 1)/n of it runs
// beside its pieces: + s (n - 1)/n m L (C_f + C_b), C_f on TP 4. On 10 Tb/s links a piece
// (X/n = 1.26 us) stays under a chunk (3.8 us slowed or not), so each step still exposes
// X/n and the iteration grows by exactly the added compute.
TEST(OverlapSlowdown, TpOverlapChunksAfterTheFirstTakeOnePlusSTimesLonger) {
  TrainingSpec sp = small_training_spec();
  sp.plan.tensor = 4;
  sp.tp_overlap_chunks = 4;
  const TrainingRun off(sp, bits_per_second(10e12));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(10e12));
  ASSERT_TRUE(on.result.unfinished.empty());
  const double m = 16, n = 4, Cf = forward_step(4), Cb = 2 * Cf;
  const double added = kS * (n - 1) / n * m * kL * (Cf + Cb);
  const double ps = 2 * m * kL * n * 1e-12;
  EXPECT_NEAR(busy(on) - busy(off), added, ps);
  EXPECT_NEAR((on.T - off.T).duration().si(), added, ps);
  EXPECT_NEAR(on.E(), off.E(), ps);
  on.sums_hold();
}

// By operation class ("efficiency": "roofline"): each class's time of a slowed step is
// slowed, so the classes still sum to the compute time, and the added time is linear in s.
TEST(OverlapSlowdown, ByClassEveryClassIsSlowedAndTheClassesStillSum) {
  TrainingSpec sp = small_training_spec();
  sp.plan.data = 2;
  sp.plan.bucket = bytes(1);
  sp.op_fractions = OpFractions{0.8, 0.6, 0.5, 0.9};
  const TrainingRun off(sp, bits_per_second(100e9));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(100e9));
  sp.overlap_slowdown = 2 * kS;
  const TrainingRun twice(sp, bits_per_second(100e9));
  for (const TrainingRun* r : {&off, &on, &twice}) {
    SimTime sum;
    for (const SimTime t : r->info.compute_by_class) sum += t;
    EXPECT_EQ(sum, r->info.busiest_compute);
  }
  const double added = busy(on) - busy(off);
  EXPECT_GT(added, 0);
  EXPECT_NEAR(busy(twice) - busy(off), 2 * added, 4 * kL * 1e-12);
  for (size_t c = 0; c < 3; ++c)  // GEMM, attention, element-wise: each grows
    EXPECT_GT(on.info.compute_by_class[c], off.info.compute_by_class[c]) << c;
}

// Off (0, the default) is the run without: the same flows, the same times.
TEST(OverlapSlowdown, ZeroIsTheRunWithout) {
  TrainingSpec sp = small_training_spec();
  sp.plan.data = 2;
  sp.plan.sharding = Sharding::zero3;
  const TrainingRun def(sp, bits_per_second(100e9));
  sp.overlap_slowdown = 0;
  const TrainingRun zero(sp, bits_per_second(100e9));
  EXPECT_EQ(zero.T, def.T);
  EXPECT_EQ(zero.info.busiest_compute, def.info.busiest_compute);
}

// With nothing overlapped (no DP, no ZeRO-3, no TP overlap) the slowdown changes nothing.
TEST(OverlapSlowdown, NothingOverlappedNothingSlowed) {
  TrainingSpec sp = small_training_spec();
  sp.plan.tensor = 4;
  const TrainingRun off(sp, bits_per_second(100e9));
  sp.overlap_slowdown = kS;
  const TrainingRun on(sp, bits_per_second(100e9));
  EXPECT_EQ(on.T, off.T);
  EXPECT_EQ(on.info.busiest_compute, off.info.busiest_compute);
}

}  // namespace
}  // namespace roshni::work
