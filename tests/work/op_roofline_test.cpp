// The roofline by operation class (docs/training.md, "Compute by operation class"): each
// class's time from its own closed form, a step the sum of its classes, and a whole
// iteration's compute split by class against the byte and FLOP counts written out by hand.
#include "roshni/work/op_roofline.h"

#include <vector>

#include <gtest/gtest.h>

#include "roshni/work/training.h"
#include "work/small_training.h"

namespace roshni::work {
namespace {

// Peak 1000 TFLOP/s, HBM 3 TB/s; fractions GEMM 0.8, attention 0.6 forward and 0.5
// backward, HBM 0.9 (2.7 TB/s achievable).
const FlopRate kPeak = flops_per_second(1000e12);
const DataRate kHbm = bytes_per_second(3e12);
constexpr OpFractions kFractions{0.8, 0.6, 0.5, 0.9};

double seconds_of(SimTime t) { return t.duration().si(); }

// One layer of the small plan (h 1024, 16 heads, f 4h, s 1024, vocabulary 8), one sample,
// timed by operation class at the fractions above.
TrainingSpec one_layer() {
  TrainingSpec s = small_training_spec();
  s.model.layers = 1;
  s.model.global_batch = 1;
  s.peak = kPeak;
  s.hbm_bandwidth = kHbm;
  s.op_fractions = kFractions;
  return s;
}
double total(const std::array<SimTime, 4>& t) {
  double s = 0;
  for (const SimTime x : t) s += seconds_of(x);
  return s;
}

// 1e12 FLOPs over 1 MB: compute-bound (1e12 / 800e12 = 1.25 ms > 1e6 / 2.7e12 = 0.37 us),
// so the step is 1e12 / (peak x 0.8) = 1.25 ms and no other class takes time.
TEST(OpRoofline, GemmOnlyStepIsFlopsOverPeakTimesGemmFraction) {
  OpWork w;
  w.gemm_flops = 1e12;
  w.gemm_bytes = 1e6;
  const auto t = class_times(w, kPeak, kHbm, kFractions);
  EXPECT_NEAR(seconds_of(t[0]), 1.25e-3, 1e-12);
  EXPECT_EQ(t[1] + t[2] + t[3], SimTime::zero());
  EXPECT_NEAR(total(t), 1.25e-3, 1e-12);
  // Memory-bound GEMM (1 GFLOP over 27 GB): 27e9 / 2.7e12 = 10 ms.
  w.gemm_flops = 1e9;
  w.gemm_bytes = 27e9;
  EXPECT_NEAR(total(class_times(w, kPeak, kHbm, kFractions)), 10e-3, 1e-12);
}

// Element-wise and optimizer bytes only: bytes / (HBM x 0.9) = 5.4e9 / 2.7e12 = 2 ms and
// 2.7e9 / 2.7e12 = 1 ms; the step is their sum, 3 ms.
TEST(OpRoofline, ElementwiseOnlyStepIsBytesOverHbmTimesFraction) {
  OpWork w;
  w.elementwise_bytes = 5.4e9;
  const auto t = class_times(w, kPeak, kHbm, kFractions);
  EXPECT_NEAR(seconds_of(t[2]), 2e-3, 1e-12);
  EXPECT_NEAR(total(t), 2e-3, 1e-12);
  w.optimizer_bytes = 2.7e9;
  const auto u = class_times(w, kPeak, kHbm, kFractions);
  EXPECT_NEAR(seconds_of(u[3]), 1e-3, 1e-12);
  EXPECT_NEAR(total(u), 3e-3, 1e-12);
}

// Attention: forward FLOPs at 0.6, backward at 0.5 of peak: 6e11 / 600e12 + 1e12 /
// 500e12 = 1 ms + 2 ms = 3 ms. backward() of a forward of 6e11 attention FLOPs is 1.2e12
// backward FLOPs (2x): 2.4 ms.
TEST(OpRoofline, AttentionForwardAndBackwardAtTheirOwnFractions) {
  OpWork w;
  w.attention_forward_flops = 6e11;
  w.attention_backward_flops = 1e12;
  w.attention_bytes = 1e6;
  EXPECT_NEAR(total(class_times(w, kPeak, kHbm, kFractions)), 3e-3, 1e-12);
  OpWork f;
  f.attention_forward_flops = 6e11;
  const OpWork b = f.backward();
  EXPECT_EQ(b.attention_forward_flops, 0);
  EXPECT_NEAR(total(class_times(b, kPeak, kHbm, kFractions)), 2.4e-3, 1e-12);
}

// A step with all classes takes their sum, not the largest: GEMM 1.25 ms + attention
// 1 ms + element-wise 2 ms = 4.25 ms (a single roofline would give max = 2 ms or less).
TEST(OpRoofline, StepIsTheSumOfItsClasses) {
  OpWork w;
  w.gemm_flops = 1e12;
  w.attention_forward_flops = 6e11;
  w.elementwise_bytes = 5.4e9;
  EXPECT_NEAR(total(class_times(w, kPeak, kHbm, kFractions)), 4.25e-3, 1e-12);
}

// One GPU, one layer, one micro-batch: GPT-like h = 1024, a = 16, f = 4h, s = 1024, b = 1,
// V = 8, bf16 (vb = 2), no optimizer bytes. By hand (n = b s = 1024 tokens):
//   P_att = 4 h^2 = 4,194,304, P_mlp = 8 h^2 = 8,388,608
//   GEMM   forward FLOPs  2 n (P_att + P_mlp) = 25,769,803,776
//          forward bytes  vb (P_att + P_mlp) + n vb (2h + 3h + h  +  2h + 2f) = 25,165,824 + 33,554,432
//                         -> 58,720,256 B: 438.9 FLOP/B, compute-bound at 800e12 / 2.7e12 = 296
//          + head         2 n h V = 16,777,216 FLOPs; V h vb + n vb (h + V) = 2,129,920 B
//                         (memory-bound: 0.789 us vs 0.021 us)
//   attention forward     4 s h n = 4,294,967,296 FLOPs at 0.6 (7.158 us) > n vb 4h = 8,388,608 B (3.1 us)
//   element-wise forward  n [2 (5 vb + 1) h + vb (f + f)] = 1024 (22,528 + 16,384) = 39,845,888 B
//                         + the loss n vb V = 16,384 B
// Backward = 2 x forward for everything, attention at 0.5. So per class:
//   GEMM        3 x 25,769,803,776 / 800e12 + 3 x 2,129,920 / 2.7e12
//   attention   4,294,967,296 / 600e12 + 2 x 4,294,967,296 / 500e12
//   element-wise 3 x (39,845,888 + 16,384) / 2.7e12
// and the compute time is their sum.
TEST(OpRoofline, IterationComputeIsTheSumOfClassesByHand) {
  TrainingSpec s = one_layer();
  net::FlowSet flows;
  const std::vector<NodeId> gpu = {NodeId(0)};
  const TrainingInfo info = build_training(s, gpu, flows);
  const double gemm = 3 * 25'769'803'776.0 / 800e12 + 3 * 2'129'920.0 / 2.7e12;
  const double attention = 4'294'967'296.0 / 600e12 + 2 * 4'294'967'296.0 / 500e12;
  const double elementwise = 3 * (39'845'888.0 + 16'384.0) / 2.7e12;
  const auto& c = info.compute_by_class;
  // Each step's class time is rounded up to a picosecond: 4 steps, a few ps at most.
  EXPECT_NEAR(seconds_of(c[0]), gemm, 1e-11);
  EXPECT_NEAR(seconds_of(c[1]), attention, 1e-11);
  EXPECT_NEAR(seconds_of(c[2]), elementwise, 1e-11);
  EXPECT_EQ(c[3], SimTime::zero());
  EXPECT_NEAR(seconds_of(info.busiest_compute), gemm + attention + elementwise, 4e-11);
  // The number model for comparison: one roofline per step at 0.75: the layer's steps
  // compute-bound, 3 x (25,769,803,776 + 4,294,967,296) / 750e12 = 120.3 us, the head's
  // memory-bound, 3 x 2,129,920 / 3e12 = 2.1 us: 122.4 us, below the 167.6 us above
  // (GEMM 99.0 + attention 24.3 + element-wise 44.3).
  TrainingSpec old = s;
  old.op_fractions.reset();
  old.efficiency = 0.75;
  net::FlowSet flows2;
  const TrainingInfo o = build_training(old, gpu, flows2);
  EXPECT_NEAR(seconds_of(o.busiest_compute),
              3 * (25'769'803'776.0 + 4'294'967'296.0) / 750e12 + 3 * 2'129'920.0 / 3e12, 1e-11);
  EXPECT_EQ(o.compute_by_class[0], SimTime::zero());
}

// With full recomputation a backward also runs the forward once more (its attention at
// the forward fraction): each class gains one forward's time.
TEST(OpRoofline, FullRecomputationAddsOneForwardPerClass) {
  TrainingSpec s = one_layer();
  net::FlowSet f1, f2;
  const std::vector<NodeId> gpu = {NodeId(0)};
  const TrainingInfo plain = build_training(s, gpu, f1);
  s.recompute = true;
  const TrainingInfo again = build_training(s, gpu, f2);
  // The layer's forward only (the head is not recomputed), as above.
  EXPECT_NEAR(seconds_of(again.compute_by_class[0]) - seconds_of(plain.compute_by_class[0]),
              25'769'803'776.0 / 800e12, 1e-11);
  EXPECT_NEAR(seconds_of(again.compute_by_class[1]) - seconds_of(plain.compute_by_class[1]),
              4'294'967'296.0 / 600e12, 1e-11);
  EXPECT_NEAR(seconds_of(again.compute_by_class[2]) - seconds_of(plain.compute_by_class[2]),
              39'845'888.0 / 2.7e12, 1e-11);
}

// Sequence parallelism runs each block's layer norm and bias-dropout-residual add on 1/t
// of the tokens (Korthikanti et al. 2022, sec. 4.2.2); nothing else moves. The model above
// on TP 2: per forward and GPU the norms and adds are 2 blocks x 1,024 tokens x (5 x 2 + 1)
// x 1,024 B = 23,068,672 B, halved by SP, so the element-wise class loses 3 x 11,534,336 B
// (forward, and the backward's twice) at 2.7 TB/s; GEMM and attention are unchanged.
TEST(OpRoofline, SequenceParallelSplitsTheNormsAndAddsOverTheTensorRanks) {
  TrainingSpec s = one_layer();
  s.plan.tensor = 2;
  net::FlowSet f1, f2;
  const std::vector<NodeId> gpus = {NodeId(0), NodeId(1)};
  const TrainingInfo plain = build_training(s, gpus, f1);
  s.plan.sequence_parallel = true;
  const TrainingInfo sp = build_training(s, gpus, f2);
  EXPECT_NEAR(seconds_of(plain.compute_by_class[2]) - seconds_of(sp.compute_by_class[2]),
              3 * 11'534'336.0 / 2.7e12, 1e-11);
  EXPECT_EQ(plain.compute_by_class[0], sp.compute_by_class[0]);
  EXPECT_EQ(plain.compute_by_class[1], sp.compute_by_class[1]);
}

}  // namespace
}  // namespace roshni::work
