// TP communication overlap (docs/training.md, "TP communication overlap"; Wang et al.,
// ASPLOS 2023, and Megatron-Core / Transformer Engine's tp_comm_overlap): a compute step
// whose TP collective follows it runs as n chunks and the collective as n pieces, piece k
// after chunk k on every rank and after piece k - 1; chunk k + 1 does not wait for piece k.
//
// The closed form, a two-stage pipeline: chunks of c = C/n in a row on the GPU, pieces of
// x = X/n in a row on the links (uncontended, so each takes X/n). Piece k starts at
// max((k + 1) c, end of piece k - 1), so piece 0 ends at c + x and piece k at
// c + x + k max(c, x) (by induction: if x >= c the pieces run back to back; if x < c each
// waits for its chunk and ends x after it). The step, up to the end of its last piece:
//     pipe(C, X, n) = C/n + (n - 1) max(C, X)/n + X/n
// against C + X without overlap: it saves (n - 1)/n min(C, X). X << C leaves X/n exposed,
// X >> C leaves X - C + C/n; n = 1 is the step without overlap.
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/work/critical_path.h"
#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

double pipe(double C, double X, double n) { return C / n + (n - 1) * std::max(C, X) / n + X / n; }

// The small plan (small_training.h) on TP t = 4, one stage, no DP: m = 16 micro-batches of
// L = 8 one-layer steps, each forward and backward followed by its all-reduce of
// S = 2 n h vb (the layer's two, merged). Forward compute C_f = n (24 h^2 + 4 s h) / t at
// 1000 TFLOP/s x 0.5 = 15.03 us (compute-bound), backward C_b = 2 C_f; the ring all-reduce
// over the star moves 2 (t - 1) S/t per link in 2 (t - 1) steps: X = 2 (t - 1)/t S / B.
// Nothing else overlaps the chain, so the iteration is the chain's compute (T_0, the same
// with and without overlap: the chunks sum to the step) plus every step's exposed TP, and
//     T(n) = T(off) - m L [(C_f + X - pipe(C_f, X, n)) + (C_b + X - pipe(C_b, X, n))].
// Two links: 10 Tb/s (X = 5.03 us, below both C: exposed X/n per step) and 100 Gb/s
// (X = 503 us, above both: exposed X - C + C/n). All of T - T_0 is tp on the path.
struct Regime {
  double link_bps;
  bool comm_bound;
};

class TpOverlapPipeline : public ::testing::TestWithParam<Regime> {};

TEST_P(TpOverlapPipeline, IterationIsTheTwoStagePipelinePerStep) {
  const Regime g = GetParam();
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 4;
  const TrainingRun off(s, bits_per_second(g.link_bps));
  s.tp_overlap_chunks = 4;
  const TrainingRun on(s, bits_per_second(g.link_bps));
  ASSERT_TRUE(off.result.unfinished.empty());
  ASSERT_TRUE(on.result.unfinished.empty());
  const double m = 16, L = 8, t = 4, n_tok = 1024, h = 1024, sq = 1024, vb = 2, n = 4;
  const double Cf = n_tok * (24 * h * h + 4 * sq * h) / t / (1000e12 * 0.5), Cb = 2 * Cf;
  const double X = 2 * (t - 1) / t * (2 * n_tok * h * vb) / (g.link_bps / 8);
  EXPECT_EQ(X > Cb, g.comm_bound);
  EXPECT_EQ(X < Cf, !g.comm_bound);
  // Without overlap every all-reduce is exposed whole (ExposedByClass.TensorParallel...).
  EXPECT_NEAR(off.E() / (m * L * 2 * X), 1.0, 1e-6);
  EXPECT_EQ(on.T0, off.T0);
  const double saved = m * L * ((Cf + X - pipe(Cf, X, n)) + (Cb + X - pipe(Cb, X, n)));
  const double T = off.T.duration().si() - saved;
  EXPECT_NEAR(on.T.duration().si() / T, 1.0, 1e-6);
  // The exposed time per step, in the two limits the issue names.
  // To whole picoseconds: each of a piece's 2 (t - 1) ring transfers and each compute
  // step is rounded up to one, so allow 8 ps per step against X/n = 1.26 us.
  const double ps = m * L * 2 * 8e-12;
  const double per_step = g.comm_bound ? (X - Cf + Cf / n) + (X - Cb + Cb / n) : 2 * X / n;
  EXPECT_NEAR(on.E(), m * L * per_step, ps);
  // Exposed TP is what the decomposition did not hide: all of T - T_0, and the tp time on
  // the path is the last piece of each step (X/n) or every piece (X).
  EXPECT_EQ(on.path.exposed[static_cast<size_t>(PathClass::tp) - 1], on.T - on.T0);
  EXPECT_NEAR(on.on_path(PathClass::tp), m * L * 2 * (g.comm_bound ? X : X / n), ps);
  on.sums_hold();
  // The bytes are the all-reduces' (d p m 2 (L/p) 2 (t - 1) 2 n h vb / ... as without).
  const auto tp = static_cast<size_t>(Traffic::tp);
  EXPECT_EQ(on.info.traffic[tp].bytes.si(), off.info.traffic[tp].bytes.si());
  EXPECT_EQ(on.info.traffic[tp].collectives, static_cast<uint64_t>(n) * off.info.traffic[tp].collectives);
  EXPECT_EQ(on.info.busiest_compute, off.info.busiest_compute);
}

INSTANTIATE_TEST_SUITE_P(Links, TpOverlapPipeline,
                         ::testing::Values(Regime{10e12, false}, Regime{100e9, true}),
                         [](const auto& info) { return info.param.comm_bound ? "CommBound" : "ComputeBound"; });

// n = 1 is the run without overlap, flow for flow: the same labels, ends, dependencies and
// compute times, and the same makespan.
TEST(TpOverlap, OneChunkIsTheRunWithout) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  s.plan.data = 2;
  s.model.experts = 4;
  s.model.top_k = 2;
  s.plan.expert = 2;
  const TrainingRun off(s, gbps(400));
  s.tp_overlap_chunks = 1;
  const TrainingRun one(s, gbps(400));
  ASSERT_EQ(one.flows.size(), off.flows.size());
  for (uint32_t f = 0; f < off.flows.size(); ++f) {
    const FlowId id(f);
    ASSERT_EQ(one.flows.label(id), off.flows.label(id)) << f;
    ASSERT_EQ(one.flows.is_task(id), off.flows.is_task(id)) << f;
    if (off.flows.is_task(id)) {
      ASSERT_EQ(one.flows.task_time(id), off.flows.task_time(id)) << f;
    }
    const auto a = one.flows.deps(id), b = off.flows.deps(id);
    ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << f;
  }
  EXPECT_EQ(one.T, off.T);
}

// Only the TP collectives that follow a compute step are decomposed. Dense: both of a
// step's (forward, backward). MoE: the one after the attention's forward and the one
// after its backward; the one after the experts' combine (forward) and after the gradient
// of dispatch (backward) follow an all-to-all, not a GEMM, and stay whole. Per TP group,
// m L 4 collectives without overlap become m L (2 n + 2) with it (p = 1, d = e = 2 groups).
// With sequence parallelism each piece is a reduce-scatter and an all-gather.
TEST(TpOverlap, OnlyCollectivesAfterAComputeStepAreSplit) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 2;
  s.plan.data = 2;
  s.model.experts = 4;
  s.model.top_k = 2;
  s.plan.expert = 2;
  const auto tp_collectives = [](const TrainingSpec& sp) {
    net::FlowSet flows;
    return build_training(sp, ids(sp.plan.gpus()), flows).traffic[static_cast<size_t>(Traffic::tp)].collectives;
  };
  const uint64_t m = 8, L = 8, groups = 2, n = 3;
  EXPECT_EQ(tp_collectives(s), groups * m * L * 4);
  s.tp_overlap_chunks = n;
  EXPECT_EQ(tp_collectives(s), groups * m * L * (2 * n + 2));
  s.plan.sequence_parallel = true;
  EXPECT_EQ(tp_collectives(s), 2 * groups * m * L * (2 * n + 2));
  // Dense: every one of the m L 2 per group.
  s.model.experts = 0;
  s.model.top_k = 0;
  s.plan.expert = 1;
  s.plan.sequence_parallel = false;
  EXPECT_EQ(tp_collectives(s), groups * m * L * 2 * n);
  // TP 1: nothing to overlap, the option changes nothing.
  s.plan.tensor = 1;
  s.plan.data = 4;
  const uint64_t none = tp_collectives(s);
  EXPECT_EQ(none, 0u);
  net::FlowSet a, b;
  build_training(s, ids(4), a);
  s.tp_overlap_chunks = 0;
  build_training(s, ids(4), b);
  EXPECT_EQ(a.size(), b.size());
}

// The gradient buckets start after the last chunk of a step's backward (not its first),
// and a step's chunks carry the step's label in a row: piece k's first flows wait for
// chunk k of both ranks. Checked on the DAG of one dense step pair (1 layer, 1 sample).
TEST(TpOverlap, PieceWaitsForItsChunkOnEveryRankAndForThePieceBefore) {
  TrainingSpec s = small_training_spec();
  s.model.layers = 1;
  s.model.global_batch = 1;
  s.plan.tensor = 2;
  s.tp_overlap_chunks = 2;
  net::FlowSet flows;
  build_training(s, ids(2), flows);
  std::vector<uint32_t> fwd;  // the forward's chunks, in emission order (rank 0's, rank 1's)
  for (uint32_t f = 0; f < flows.size(); ++f) {
    if (flows.is_task(FlowId(f)) && flows.label(FlowId(f)) == "fwd") fwd.push_back(f);
  }
  ASSERT_EQ(fwd.size(), 4u);
  // Ring all-reduce over 2: 2 (t - 1) = 2 steps of one flow per rank; the first step's
  // flows of piece 0 wait for chunk 0 of each rank, those of piece 1 for chunk 1 of each
  // and for piece 0's last step.
  std::vector<std::vector<FlowId>> first_step_deps;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) || flows.label(id).rfind("tp/", 0) != 0) continue;
    if (f > fwd.back() + 8) break;  // the forward's two pieces: 2 x 2 steps x 2 flows
    const auto d = flows.deps(id);
    bool on_compute = false;
    for (const FlowId x : d) on_compute |= flows.is_task(x);
    if (on_compute) first_step_deps.emplace_back(d.begin(), d.end());
  }
  ASSERT_EQ(first_step_deps.size(), 4u);  // two flows per piece's first step
  for (int piece = 0; piece < 2; ++piece) {
    const auto& d = first_step_deps[2 * piece];
    EXPECT_NE(std::find(d.begin(), d.end(), FlowId(fwd[piece])), d.end());      // rank 0's chunk
    EXPECT_NE(std::find(d.begin(), d.end(), FlowId(fwd[2 + piece])), d.end());  // rank 1's chunk
    EXPECT_EQ(std::find(d.begin(), d.end(), FlowId(fwd[1 - piece])), d.end());  // not the other chunk
    bool after_piece = false;
    for (const FlowId x : d) after_piece |= !flows.is_task(x);
    EXPECT_EQ(after_piece, piece == 1);
  }
  // Chunk 1 waits for chunk 0 only (it does not wait for piece 0).
  const auto c1 = flows.deps(FlowId(fwd[1]));
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_EQ(c1[0], FlowId(fwd[0]));
}

// The gradients of a step are ready when its whole backward is: a bucket's all-reduce
// (one per step here, DP 2) waits for the step's last chunk on each rank, never for an
// earlier one (a chunk that another chunk of the same step waits for).
TEST(TpOverlap, GradientBucketsWaitForTheLastChunk) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 2;
  s.plan.data = 2;
  s.tp_overlap_chunks = 3;
  net::FlowSet flows;
  build_training(s, ids(4), flows);
  std::vector<uint8_t> inner(flows.size(), 0);  // a chunk a later chunk of its step waits for
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (!flows.is_task(id) || flows.label(id) != "bwd") continue;
    for (const FlowId d : flows.deps(id))
      if (flows.is_task(d) && flows.label(d) == "bwd" && flows.src(d) == flows.src(id)) inner[d.value()] = 1;
  }
  size_t dp_on_bwd = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) || flows.label(id).rfind("dp/", 0) != 0) continue;
    for (const FlowId d : flows.deps(id)) {
      if (!flows.is_task(d) || flows.label(d) != "bwd") continue;
      ++dp_on_bwd;
      EXPECT_FALSE(inner[d.value()]) << flows.label(id);
    }
  }
  // L = 8 buckets x t = 2 DP groups (one per TP rank); each group's ring over d = 2 starts
  // with 2 flows, each waiting for both members' last chunk.
  EXPECT_EQ(dp_on_bwd, 8u * 2 * 2 * 2);
}

}  // namespace
}  // namespace roshni::work
