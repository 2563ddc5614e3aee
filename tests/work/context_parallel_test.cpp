// Context parallelism, ring attention (docs/training.md, "Context parallelism"): each of
// the c CP ranks holds s/c of every sequence; per layer and pass c - 1 ring steps pass
// K, V blocks (and, backward, their gradients) to the next CP rank while the rank
// computes the block it has; the attention core per rank is 1/c of the whole, as are
// the activations; gradients are reduced over the d c ranks that hold the same weights.
#include <cmath>
#include <string>
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

/// The small plan (h = 1024, a = kv = 16 heads, s = 1024, b = 1, L = 8, m = 16 with
/// d = 1; 500 TFLOP/s achieved) with context parallelism c and tensor parallelism t.
TrainingSpec cp_spec(uint32_t c, uint32_t t = 1) {
  TrainingSpec s = small_training_spec();
  s.plan.context = c;
  s.plan.tensor = t;
  return s;
}

constexpr double h = 1024, S = 1024, L = 8, m = 16, rate = 500e12, vb = 2;

/// Sum of the durations of the compute steps labelled `label`, and how many there are.
std::pair<double, size_t> tasks(const net::FlowSet& flows, const std::string& label) {
  double sum = 0;
  size_t n = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) && flows.label(id) == label) {
      sum += flows.task_time(id).duration().si();
      ++n;
    }
  }
  return {sum, n};
}

// Default order tp-cp-dp-pp (Megatron-Core's tp-cp-ep-dp-pp, EP inside DP): GPU index
// = tp + t (cp + c (dp + d pp)); with c = 1 the 3-coordinate form is unchanged.
TEST(ContextParallel, RankMappingIsTensorContextDataPipeline) {
  ParallelPlan p;
  p.tensor = 2;
  p.context = 4;
  p.data = 3;
  p.pipeline = 2;
  EXPECT_EQ(p.gpus(), 48u);
  EXPECT_EQ(p.gpu(1, 2, 1, 1), 1u + 2 * (2 + 4 * (1 + 3 * 1)));
  EXPECT_EQ(p.gpu(1, 0, 2, 1), p.gpu(1, 2, 1));
  ParallelPlan q;
  q.tensor = 2;
  q.data = 3;
  q.pipeline = 2;
  EXPECT_EQ(q.gpu(1, 2, 1), 1u + 2 * (2 + 3 * 1));
}

// Per rank and layer the forward is (b s / c)(24 h^2 + 4 s h) FLOPs (GPT, Narayanan et
// al. 2021: matmuls 24 h^2 per token, the attention core 4 s h, each query against all s
// keys), 1/c of the whole; the core is split into c blocks of (b s / c) 4 (s / c) h, the
// c - 1 remote ones ("fwd_cp") after the ring steps. Every step is compute-bound here.
// The backward is twice the forward.
TEST(ContextParallel, PerRankFlopsAreOneOverC) {
  for (const uint32_t c : {2u, 4u}) {
    const TrainingSpec s = cp_spec(c);
    net::FlowSet flows;
    build_training(s, ids(s.plan.gpus()), flows);
    const double n = S / c;
    const double layer = n * (24 * h * h + 4 * S * h);
    const double block = n * 4 * (S / c) * h;
    const auto [fwd, nf] = tasks(flows, "fwd");
    const auto [fcp, nfc] = tasks(flows, "fwd_cp");
    const auto [bwd, nb] = tasks(flows, "bwd");
    const auto [bcp, nbc] = tasks(flows, "bwd_cp");
    EXPECT_EQ(nf, static_cast<size_t>(m * L * c));
    EXPECT_EQ(nfc, static_cast<size_t>(m * L * c * (c - 1)));
    EXPECT_EQ(nb, nf);
    EXPECT_EQ(nbc, nfc);
    EXPECT_NEAR(fcp / (m * L * c * (c - 1) * block / rate), 1.0, 1e-6) << c;
    EXPECT_NEAR((fwd + fcp) / (m * L * c * layer / rate), 1.0, 1e-6) << c;
    EXPECT_NEAR((bwd + bcp) / (m * L * c * 2 * layer / rate), 1.0, 1e-6) << c;
  }
}

// A ring step passes one K and one V block: 2 b (s/c) kv vb / t bytes per GPU (kv = 16
// heads x 64 = h); the backward passes K, V and dK, dV, twice that. Per iteration: m L
// passes x (c - 1) steps x c ranks x t rings x (1 + 2) blocks' worth.
TEST(ContextParallel, RingStepBytes) {
  const uint32_t c = 4, t = 2;
  const TrainingSpec s = cp_spec(c, t);
  net::FlowSet flows;
  const TrainingInfo info = build_training(s, ids(s.plan.gpus()), flows);
  const double block = 2 * (S / c) * h * vb / t;
  size_t fwd = 0, bwd = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) || flows.label(id) != "cp") continue;
    const double b = flows.flow_size(id).si();
    if (std::abs(b - block) < 1) ++fwd;
    else if (std::abs(b - 2 * block) < 1) ++bwd;
    else ADD_FAILURE() << "a ring transfer of " << b << " B";
  }
  const auto steps = static_cast<size_t>(m * L * (c - 1) * c * t);
  EXPECT_EQ(fwd, steps);
  EXPECT_EQ(bwd, steps);
  const TrafficTotal& cp = info.traffic[static_cast<size_t>(Traffic::cp)];
  EXPECT_NEAR(cp.bytes.si() / (steps * 3 * block), 1.0, 1e-9);
  EXPECT_EQ(cp.flows, 2 * steps);
  EXPECT_EQ(cp.algorithm, "ring");
  EXPECT_EQ(training_flow_count(s), static_cast<double>(flows.size()));
}

// c = 4, no TP/DP/PP, one gradient bucket. Per layer and pass a rank computes R (the
// step less the 3 remote blocks) then blocks 1..3 of B each; ring step j carries X
// bytes, x = X / link, and starts when step j - 1's block has arrived (step 1 with the
// layer); block j waits for ring step j. Fast links (x < B, x < R): every ring step is
// hidden behind the compute before its block, no cp on the critical path. Slow links
// (x > R, x > B): a pass ends at 3 x + B instead of R + 3 B, so T - T_0 = m L sum over
// fwd, bwd of [3 (x - B) + B - R], plus, in both, the gradients' all-reduce over the
// d c = 4 ranks after the whole backward, 2 (4 - 1)/4 S / link (S = L 12 h^2 vb + V h vb).
TEST(ContextParallel, RingOverlapsTheBlocksOnAStar) {
  const uint32_t c = 4;
  TrainingSpec s = cp_spec(c);
  s.plan.bucket = bytes(1e12);
  const double n = S / c, V = 8;
  const double B_f = n * 4 * (S / c) * h / rate, R_f = n * (24 * h * h + 4 * S * h) / rate - (c - 1) * B_f;
  const double X_f = 2 * n * h * vb;  // 1 MiB
  const double grads = L * 12 * h * h * vb + V * h * vb;
  const auto all_reduce = [&](double link) { return 2 * (c - 1.0) / c * grads / link; };

  const double fast_link = 1e15 / 8;  // x = 8.4 ns < B = 0.54 us
  const TrainingRun fast(s, gbps(1e6));
  ASSERT_TRUE(fast.result.unfinished.empty());
  ASSERT_LT(X_f / fast_link, B_f);
  EXPECT_EQ(fast.path.time[static_cast<size_t>(PathClass::cp)], SimTime::zero());
  EXPECT_EQ(fast.exposed(PathClass::cp), 0.0);
  EXPECT_NEAR(fast.E() / all_reduce(fast_link), 1.0, 1e-6);

  const double link = 100e9 / 8;  // x_f = 84 us > R_f = 13 us
  const double x_f = X_f / link, x_b = 2 * x_f;
  ASSERT_GT(x_f, R_f);
  const TrainingRun slow(s, gbps(100));
  ASSERT_TRUE(slow.result.unfinished.empty());
  double per_pass = 0;
  for (const double k : {1.0, 2.0}) {  // forward, backward (2x compute, 2x bytes)
    const double x = k == 1 ? x_f : x_b, B = k * B_f, R = k * R_f;
    per_pass += (c - 1) * (x - B) + B - R;
  }
  EXPECT_NEAR(slow.E() / (m * L * per_pass + all_reduce(link)), 1.0, 1e-6);
  // On the path: every ring step (the blocks wait for them) and the all-reduce; the
  // exposed time is split between cp and dp in that proportion.
  const double ring = m * L * (c - 1) * (x_f + x_b);
  EXPECT_NEAR(slow.path.time[static_cast<size_t>(PathClass::cp)].duration().si() / ring, 1.0, 1e-6);
  EXPECT_NEAR(slow.exposed(PathClass::cp) / (slow.E() * ring / (ring + all_reduce(link))), 1.0, 1e-6);
}

// Activations per GPU are 1/c (s/c tokens, s/c x s scores); weights, gradients and
// unsharded Adam state are replicated over CP; sharded state (ZeRO-1) is split over d c.
TEST(ContextParallel, MemoryPerGpu) {
  TrainingSpec one = small_training_spec();
  one.plan.data = 2;
  TrainingSpec four = one;
  four.plan.context = 4;
  const StageMemory a = memory_per_gpu(one)[0], b = memory_per_gpu(four)[0];
  EXPECT_NEAR(b.activations / (a.activations / 4), 1.0, 1e-12);
  EXPECT_EQ(b.weights, a.weights);
  EXPECT_EQ(b.optimizer, a.optimizer);
  one.plan.sharding = four.plan.sharding = Sharding::zero1;
  // 12 P / (d c) vs 12 P / d.
  EXPECT_NEAR(memory_per_gpu(four)[0].optimizer / (memory_per_gpu(one)[0].optimizer / 4), 1.0, 1e-12);
  one.recompute = four.recompute = true;  // full: the layer inputs, vb s b h / c
  EXPECT_NEAR(activation_bytes_per_layer(four) / (vb * S * h / 4), 1.0, 1e-12);
}

// Gradients are all-reduced over the d c ranks holding the same weights: a ring over
// D = d c moves 2 (D - 1) S_grad in all, S_grad = L 12 h^2 vb + V h vb per replica.
TEST(ContextParallel, GradientsAreReducedOverDataTimesContext) {
  TrainingSpec s = cp_spec(2);
  s.plan.data = 2;
  net::FlowSet flows;
  const TrainingInfo info = build_training(s, ids(s.plan.gpus()), flows);
  const double D = 4, V = 8;
  const double grad = L * 12 * h * h * vb + V * h * vb;
  const TrafficTotal& dp = info.traffic[static_cast<size_t>(Traffic::dp)];
  EXPECT_NEAR(dp.bytes.si() / (2 * (D - 1) * grad), 1.0, 1e-6);
  EXPECT_EQ(dp.algorithm, "ring");
  EXPECT_EQ(training_flow_count(s), static_cast<double>(flows.size()));
  EXPECT_NE(fold_problem(s), "");
}

// With ZeRO-1 the optimizer step updates the 1/(d c) of the parameters a rank's shard
// holds: 28 P / (d c) bytes at HBM speed (28 B per parameter: bf16 mixed-precision Adam;
// P = L 12 h^2 + V h on the single stage, the tied embedding once).
TEST(ContextParallel, ShardedOptimizerStepIsOneOverDataTimesContext) {
  TrainingSpec s = cp_spec(2);
  s.plan.data = 2;
  s.plan.sharding = Sharding::zero1;
  s.optimizer_bytes_per_param = 28;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  const double P = L * 12 * h * h + 8 * h;
  const auto [sum, n] = tasks(flows, "optimizer");
  ASSERT_EQ(n, 4u);
  EXPECT_NEAR(sum / n / (28 * P / (2 * 2) / 3e12), 1.0, 1e-6);
}

// ZeRO-3 gathers each step's parameters over the d c ranks holding them before its
// forward and its backward: a ring all-gather of S = 12 h^2 vb over D = d c moves
// (D - 1) S, 2 m L of them per iteration (the embedding is in no step); m = 16 / d = 8.
TEST(ContextParallel, ZeroThreeGathersOverDataTimesContext) {
  TrainingSpec s = cp_spec(2);
  s.plan.data = 2;
  s.plan.sharding = Sharding::zero3;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  double gathered = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (!flows.is_task(id) && flows.label(id).rfind("zg/", 0) == 0) gathered += flows.flow_size(id).si();
  }
  const double D = 4, micro = 8;
  EXPECT_NEAR(gathered / (2 * micro * L * (D - 1) * 12 * h * h * vb), 1.0, 1e-6);
  EXPECT_EQ(training_flow_count(s), static_cast<double>(flows.size()));
}

// Expert parallelism inside each CP rank's data-parallel ranks: every rank dispatches its
// s/c tokens, so the all-to-all bytes of the whole job are those of the plan without CP
// (c times the ranks, 1/c the tokens each: k n k_e h vb / t per rank and all-to-all).
TEST(ContextParallel, ExpertAllToAllBytesAreThoseWithoutContext) {
  TrainingSpec s = small_training_spec();
  s.model.experts = 4;
  s.model.top_k = 2;
  s.plan.data = 2;
  s.plan.expert = 2;
  net::FlowSet a, b;
  const TrainingInfo without = build_training(s, ids(s.plan.gpus()), a);
  s.plan.context = 2;
  const TrainingInfo with = build_training(s, ids(s.plan.gpus()), b);
  const auto ep = static_cast<size_t>(Traffic::ep);
  EXPECT_GT(without.traffic[ep].bytes.si(), 0);
  EXPECT_NEAR(with.traffic[ep].bytes.si() / without.traffic[ep].bytes.si(), 1.0, 1e-9);
  EXPECT_EQ(with.traffic[ep].collectives, 2 * without.traffic[ep].collectives);
  EXPECT_EQ(training_flow_count(s), static_cast<double>(b.size()));
}

}  // namespace
}  // namespace roshni::work
