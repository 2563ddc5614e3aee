// The training DAG against what follows from the model: TP traffic in closed form and
// growing with TP, the 1F1B bubble measured from a run with free communication, MFU =
// efficiency when nothing but compute takes time, ZeRO moving the same bytes as an
// all-reduce, EP all-to-all bytes, and the flow-count closed form (docs/training.md).
#include "roshni/work/training.h"

#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/paths.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::work {
namespace {

TrainingSpec small_spec() {
  TrainingSpec s;
  TransformerModel& m = s.model;
  m.layers = 8;
  m.hidden = 1024;
  m.heads = 16;
  m.kv_heads = 16;
  m.ffn = 4096;
  m.vocabulary = 8;  // a negligible output head: stages are (almost) equal
  m.sequence = 1024;
  m.global_batch = 16;
  m.micro_batch = 1;
  s.peak = flops_per_second(1000e12);
  s.hbm_bandwidth = bytes_per_second(3e12);
  s.efficiency = 0.5;
  s.optimizer_bytes_per_param = 0;  // no optimizer time: the bubble formula has none
  return s;
}

std::vector<NodeId> ids(uint32_t n) {
  std::vector<NodeId> v;
  for (uint32_t i = 0; i < n; ++i) v.push_back(NodeId(i));
  return v;
}

/// Builds `spec` on a star of its GPUs whose links are so fast (10^8 Tb/s, no latency)
/// that communication costs nothing (or at `link`, when given), and runs it.
struct FreeRun {
  explicit FreeRun(const TrainingSpec& spec, DataRate link = gbps(1e11)) {
    topo::StarParams p;
    p.gpus = spec.plan.gpus();
    p.link_bandwidth = link;
    t = topo::make_star(p);
    info = build_training(spec, t.gpus(), flows);
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const net::Paths paths = net::route_all(t, router, flows, unroutable);
    result = net::run_flow_model(t, flows, paths);
  }
  topo::Topology t;
  net::FlowSet flows;
  TrainingInfo info;
  net::FlowRunResult result;
};

// Ring all-reduce of S over t ranks: 2(t-1) steps of t flows of S/t = 2(t-1) S bytes.
// Per iteration: d x p TP groups, m micro-batches, forward and backward, L/p layers per
// stage, each layer's two all-reduces of b s h vb (one of 2 b s h vb per step here):
// bytes = d p m 2 (L/p) 2(t-1) 2 b s h vb. More TP, more bytes, as (t - 1).
TEST(Training, TensorParallelTrafficIsTwoTMinusOneTimesTheActivations) {
  double previous = 0;
  for (uint32_t tp : {2u, 4u, 8u}) {
    TrainingSpec s = small_spec();
    s.plan.data = 2;
    s.plan.pipeline = 2;
    s.plan.tensor = tp;
    net::FlowSet flows;
    const TrainingInfo info = build_training(s, ids(s.plan.gpus()), flows);
    const double d = 2, p = 2, m = 16 / 2, L = 8, b = 1, sq = 1024, h = 1024, vb = 2;
    const double expected = d * p * m * 2 * (L / p) * 2 * (tp - 1) * 2 * b * sq * h * vb;
    const double bytes = info.traffic[static_cast<size_t>(Traffic::tp)].bytes.si();
    EXPECT_NEAR(bytes / expected, 1.0, 1e-9) << "tp " << tp;
    EXPECT_GT(bytes, previous) << "tp " << tp;
    previous = bytes;
    // The same bytes whatever the step size: layers_per_step only merges collectives.
    s.plan.layers_per_step = 2;
    net::FlowSet coarse;
    const TrainingInfo c = build_training(s, ids(s.plan.gpus()), coarse);
    EXPECT_NEAR(c.traffic[static_cast<size_t>(Traffic::tp)].bytes.si() / expected, 1.0, 1e-9);
    EXPECT_LT(coarse.size(), flows.size());
  }
}

// 1F1B with p stages of equal forward (tf) and backward (tb) time and free
// communication: the first stage starts its last backward after m + p - 1 slots of
// (tf + tb) (Narayanan et al. 2021, sec. 2.2.1), each stage is busy m (tf + tb), so the
// idle fraction is (p - 1) / (m + p - 1). Measured: 1 - busiest compute / makespan.
struct BubbleCase {
  uint32_t p, m;
};
class Bubble : public ::testing::TestWithParam<BubbleCase> {};

TEST_P(Bubble, IsPMinusOneOverMPlusPMinusOne) {
  const auto [p, m] = GetParam();
  TrainingSpec s = small_spec();
  s.model.layers = 64;  // 8+ layers per stage: the head is < 0.2% of a stage's work
  s.plan.pipeline = p;
  s.plan.layers_per_step = 64 / p;
  s.model.global_batch = m;
  const FreeRun run(s);
  ASSERT_TRUE(run.result.unfinished.empty());
  const double T = run.result.makespan.duration().si();
  const double busy = run.info.busiest_compute.duration().si();
  const double expected = (p - 1.0) / (m + p - 1.0);
  // The head (vocabulary 8, memory-bound: it reads the b s h activation) makes the last
  // stage up to 0.15% longer than the others.
  EXPECT_NEAR(1 - busy / T, expected, 1e-3) << "p " << p << " m " << m;
  // The critical path with communication at zero agrees with the run.
  EXPECT_NEAR(critical_path_without_communication(run.flows).duration().si() / T, 1.0, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Schedules, Bubble,
                         ::testing::Values(BubbleCase{2, 1}, BubbleCase{2, 8}, BubbleCase{4, 4},
                                           BubbleCase{4, 16}, BubbleCase{8, 8}, BubbleCase{8, 32}),
                         [](const auto& info) {
                           return "p" + std::to_string(info.param.p) + "_m" + std::to_string(info.param.m);
                         });

// One stage, one GPU per replica, free communication, compute-bound steps, no
// optimizer time: the iteration is exactly the compute, hardware FLOPs / (peak x eff),
// so MFU = model FLOPs / (GPUs T peak) = efficiency.
TEST(Training, MfuIsTheEfficiencyWhenOnlyComputeTakesTime) {
  TrainingSpec s = small_spec();
  s.model.vocabulary = 32000;
  s.model.micro_batch = 4;
  s.plan.data = 2;
  const FreeRun run(s);
  ASSERT_TRUE(run.result.unfinished.empty());
  const double T = run.result.makespan.duration().si();
  const double mfu = run.info.model_flops_per_iteration / (2 * T * s.peak.si());
  EXPECT_NEAR(mfu, s.efficiency, 1e-6);
}

// ZeRO-2 replaces each bucket's ring all-reduce (2(d-1) S) by a ring reduce-scatter
// ((d-1) S) during backward and a ring all-gather ((d-1) S) after the optimizer.
TEST(Training, ZeroMovesTheSameBytesAsAllReduce) {
  TrainingSpec s = small_spec();
  s.plan.data = 4;
  s.plan.pipeline = 2;
  net::FlowSet a, b;
  const TrainingInfo plain = build_training(s, ids(8), a);
  s.plan.sharding = Sharding::zero2;
  const TrainingInfo zero = build_training(s, ids(8), b);
  const auto dp = static_cast<size_t>(Traffic::dp);
  EXPECT_GT(plain.traffic[dp].bytes.si(), 0);
  EXPECT_NEAR(zero.traffic[dp].bytes.si() / plain.traffic[dp].bytes.si(), 1.0, 1e-12);
  // Gradients per DP rank: (L/p) 12 h^2 vb per stage plus the tied embedding V h vb on
  // the first and last stage; all-reduced: 2 (d - 1) x that, for p stages.
  const double h = 1024, L = 8, p = 2, d = 4, V = 8, vb = 2;
  const double grads = p * (L / p) * 12 * h * h * vb + 2 * V * h * vb;
  EXPECT_NEAR(plain.traffic[dp].bytes.si() / (2 * (d - 1) * grads), 1.0, 1e-9);
}

// Direct all-to-all, e ranks, each sending S/e to each other: (e-1) S per operation.
// Per iteration: p (d/e) t groups, m micro-batches, L/p layers, 4 all-to-alls (dispatch
// and combine, forward and backward), S = b s top_k h vb / t.
TEST(Training, ExpertAllToAllBytes) {
  for (uint32_t e : {2u, 4u}) {
    TrainingSpec s = small_spec();
    s.model.experts = 8;
    s.model.top_k = 2;
    s.plan.data = 4;
    s.plan.expert = e;
    s.plan.tensor = 2;
    net::FlowSet flows;
    const TrainingInfo info = build_training(s, ids(8), flows);
    const double L = 8, m = 16 / 4, S = 1 * 1024 * 2 * 1024 * 2 / 2.0;
    const double expected = 1 * (4.0 / e) * 2 * m * L * 4 * (e - 1) * S;
    EXPECT_NEAR(info.traffic[static_cast<size_t>(Traffic::ep)].bytes.si() / expected, 1.0, 1e-9)
        << "ep " << e;
  }
}

// Data parallel over d = 4 GPUs of a star (100 Gb/s links, no latency), one stage, no
// TP. With a single gradient bucket the all-reduce starts after the whole backward, so
// it is fully exposed: a ring of 2(d-1) steps of S/d over uncontended links adds
// 2(d-1)/d S/B to the compute, S = the GPU's gradients = L 12 h^2 vb + V h vb. With one
// bucket per layer it starts during the last micro-batch's backward and overlaps it:
// the iteration is shorter, by at most that backward (2/3 of a micro-batch's compute).
TEST(Training, GradientBucketsOverlapTheBackward) {
  TrainingSpec s = small_spec();
  s.plan.data = 4;
  s.plan.bucket = bytes(1e12);  // one bucket for everything
  const FreeRun single(s, gbps(100));
  s.plan.bucket = DataSize();  // one per step (layer)
  const FreeRun bucketed(s, gbps(100));
  ASSERT_TRUE(single.result.unfinished.empty());
  ASSERT_TRUE(bucketed.result.unfinished.empty());
  const double h = 1024, L = 8, V = 8, vb = 2, d = 4, B = 100e9 / 8;
  const double S = L * 12 * h * h * vb + V * h * vb;
  const double compute = single.info.busiest_compute.duration().si();
  const double T1 = single.result.makespan.duration().si();
  EXPECT_NEAR(T1 / (compute + 2 * (d - 1) / d * S / B), 1.0, 1e-6);
  const double Tb = bucketed.result.makespan.duration().si();
  const double one_backward = compute / single.info.micro_batches * 2.0 / 3.0;
  EXPECT_LT(Tb, T1);
  EXPECT_GE(Tb, T1 - one_backward * (1 + 1e-9));
}

// The closed-form count (used to refuse huge plans before building) is the built size.
TEST(Training, FlowCountClosedFormMatchesTheBuild) {
  std::vector<TrainingSpec> specs;
  TrainingSpec s = small_spec();
  s.plan.data = 2;
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  specs.push_back(s);
  s.plan.sharding = Sharding::zero1;
  specs.push_back(s);
  s.plan.sharding = Sharding::zero3;
  specs.push_back(s);
  s.plan.sharding = Sharding::none;
  s.model.experts = 4;
  s.model.top_k = 1;
  s.plan.expert = 2;
  s.plan.bucket = bytes(64e6);
  specs.push_back(s);
  for (const TrainingSpec& sp : specs) {
    net::FlowSet flows;
    build_training(sp, ids(sp.plan.gpus()), flows);
    EXPECT_EQ(training_flow_count(sp), static_cast<double>(flows.size()));
    EXPECT_TRUE(net::find_dependency_cycle(flows).empty());
  }
}

}  // namespace
}  // namespace roshni::work
