// The training DAG against what follows from the model: TP traffic in closed form and
// growing with TP, the 1F1B bubble measured from a run with free communication, MFU =
// efficiency when nothing but compute takes time, ZeRO moving the same bytes as an
// all-reduce, EP all-to-all bytes, and the flow-count closed form (docs/training.md).
#include "roshni/work/training.h"

#include <algorithm>
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
  net::RunResult result;
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

/// What GPU `g` does, in its chain's order (the DAG is emitted in that order): its
/// compute steps by label, and the collectives it takes part in by their label prefix
/// ("tp", "ep", "dp", "pp", "zg"...), runs of one collective's flows counted once.
std::vector<std::string> ops_of(const net::FlowSet& flows, NodeId g) {
  std::vector<std::string> out;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.src(id) != g && flows.dst(id) != g) continue;
    const std::string& label = flows.label(id);
    const std::string op = flows.is_task(id) ? label : label.substr(0, label.find('/'));
    if (flows.is_task(id) || out.empty() || out.back() != op) out.push_back(op);
  }
  return out;
}

std::vector<std::string> split(const std::string& words) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < words.size()) {
    const size_t end = std::min(words.find(' ', at), words.size());
    out.push_back(words.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// Megatron's tensor parallelism puts an all-reduce at the end of a block in the forward
// (its "g" operator) and at the start of the block in the backward (its "f", the
// gradient of the block's input), so the backward mirrors the forward: per MoE layer,
// gradient of combine, MLP backward, gradient of dispatch, TP all-reduce, attention
// backward, TP all-reduce. Two layers, one micro-batch, TP 2, DP 2 = EP 2 (so expert
// gradients have no replica to be reduced with; the dense ones are, after each layer).
TEST(Training, MoeBackwardAllReducesAfterEachBlocksBackward) {
  TrainingSpec s = small_spec();
  s.model.layers = 2;
  s.model.experts = 2;
  s.model.top_k = 1;
  s.model.global_batch = 2;
  s.plan.data = 2;
  s.plan.expert = 2;
  s.plan.tensor = 2;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  const std::string forward_layer = "fwd_attn tp ep fwd_mlp ep tp ";
  const std::string backward_layer = "ep bwd_mlp ep tp bwd_attn tp dp ";
  EXPECT_EQ(ops_of(flows, NodeId(0)),
            split(forward_layer + forward_layer + "fwd_head bwd_head " + backward_layer +
                  backward_layer + "optimizer"));
}

// 1F1B (PipeDream-Flush, Narayanan et al. 2021, sec. 2.2): stage i runs w = min(p-1-i, m)
// warm-up forwards, then m - w pairs of one forward and one backward, then the w
// backwards left: F^w (F B)^(m-w) B^w. The last stage has no warm-up: F B F B ...; the
// first holds p - 1 micro-batches in flight. p = 4, m = 6, one step per stage.
TEST(Training, OneForwardOneBackwardOrderOnEveryStage) {
  TrainingSpec s = small_spec();
  s.plan.pipeline = 4;
  s.plan.layers_per_step = 2;
  s.model.global_batch = 6;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  const uint32_t p = 4, m = 6;
  for (uint32_t i = 0; i < p; ++i) {
    const uint32_t w = std::min(p - 1 - i, m);
    std::string expected(w, 'F');
    for (uint32_t j = w; j < m; ++j) expected += "FB";
    expected += std::string(w, 'B');
    // One step per stage: a forward is one "fwd" step (followed by the head on the last
    // stage, counted instead), a backward one "bwd" step.
    std::string got;
    for (const std::string& op : ops_of(flows, NodeId(s.plan.gpu(0, 0, i)))) {
      if (op == (i + 1 < p ? "fwd" : "fwd_head")) got += 'F';
      if (op == "bwd") got += 'B';
    }
    EXPECT_EQ(got, expected) << "stage " << i;
    if (i == p - 1) {
      EXPECT_EQ(got, "FBFBFBFBFBFB");
    }
  }
}

// Pipeline sends: at each of the p - 1 stage boundaries, for each of the m micro-batches
// of each of the d replicas, the t ranks of a stage each send 1/t of the hidden state
// (b s h vb) forwards and its gradient back (Narayanan et al.'s scatter/gather):
//   bytes = 2 (p-1) m d t (b s h vb / t) = 2 (p-1) m d b s h vb = 2 (p-1) B s h vb,
// in 2 (p-1) m d t flows (m = B / (b d); t cancels).
TEST(Training, PipelineSendBytesPerIteration) {
  TrainingSpec s = small_spec();
  s.model.micro_batch = 2;
  s.plan.data = 2;
  s.plan.tensor = 2;
  s.plan.pipeline = 4;
  net::FlowSet flows;
  const TrainingInfo info = build_training(s, ids(s.plan.gpus()), flows);
  const double p = 4, d = 2, t = 2, b = 2, m = 16 / (b * d), sq = 1024, h = 1024, vb = 2;
  const TrafficTotal& pp = info.traffic[static_cast<size_t>(Traffic::pp)];
  EXPECT_NEAR(pp.bytes.si() / (2 * (p - 1) * m * d * b * sq * h * vb), 1.0, 1e-12);
  EXPECT_EQ(static_cast<double>(pp.flows), 2 * (p - 1) * m * d * t);
}

/// The duration of the optimizer step on GPU `g`.
double optimizer_time(const net::FlowSet& flows, NodeId g) {
  for (uint32_t f = 0; f < flows.size(); ++f) {
    if (flows.is_task(FlowId(f)) && flows.src(FlowId(f)) == g &&
        flows.label(FlowId(f)) == "optimizer") {
      return flows.task_time(FlowId(f)).duration().si();
    }
  }
  ADD_FAILURE() << "no optimizer step on node " << g.value();
  return 0;
}

// The optimizer step moves optimizer_bytes_per_param (28: the scenario default for bf16
// mixed-precision Adam, fp32 master weights and two moments read and written, 6 x 4 B,
// the gradient read and the new weights written, 2 x 2 B) per parameter it updates, at
// HBM bandwidth. A GPU of stage i holds P_i = (L/p) 12 h^2 / t + V h / t
// (the tied embedding's copy on both stages, p > 1); ZeRO-1 updates 1/d of them, so it
// takes 28 P_i / (d HBM), which is 28 P_i (1 - 1/d) / HBM shorter than without ZeRO.
TEST(Training, ZeroOneOptimizerTimeIsOneOverD) {
  TrainingSpec s = small_spec();
  s.optimizer_bytes_per_param = 28;
  s.plan.data = 4;
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  net::FlowSet plain_flows, zero_flows;
  build_training(s, ids(s.plan.gpus()), plain_flows);
  s.plan.sharding = Sharding::zero1;
  build_training(s, ids(s.plan.gpus()), zero_flows);
  const double L = 8, p = 2, t = 2, d = 4, h = 1024, V = 8, hbm = 3e12;
  const double params = (L / p) * 12 * h * h / t + V * h / t;
  for (uint32_t g = 0; g < s.plan.gpus(); ++g) {
    const double plain = optimizer_time(plain_flows, NodeId(g));
    const double zero = optimizer_time(zero_flows, NodeId(g));
    EXPECT_NEAR(zero, 28 * params / (d * hbm), 1.5e-12) << "gpu " << g;
    EXPECT_NEAR(plain - zero, 28 * params * (1 - 1 / d) / hbm, 3e-12) << "gpu " << g;
  }
}

// ZeRO-3 with experts: the d replicas form d/e EP groups of e, and replica dd holds the
// experts of EP rank dd mod e, so expert weights are sharded over (and gathered from) the
// d/e replicas with the same dd mod e, non-expert weights over all d. Per step, forward
// and backward, every micro-batch, a ring all-gather of S over q ranks moves (q-1) S:
//   dense   (d - 1) k P_att vb / t                    per TP rank, one group
//   experts (d/e - 1) k (E/e) P_mlp vb / t            per TP rank, e groups
// so per iteration (L/k steps, t TP ranks, m micro-batches, two passes)
//   gather bytes = 2 m L vb [ (d - 1) P_att + (d - e) (E/e) P_mlp ].
// Optimizer: the dense P_att L / t + V h / t over d, the experts' L (E/e) P_mlp / t over
// d/e: 28 [ (L P_att + V h) / (t d) + L (E/e) P_mlp e / (t d) ] / HBM.
TEST(Training, ZeroThreeShardsExpertsOverTheReplicasHoldingThem) {
  TrainingSpec s = small_spec();
  s.model.layers = 2;
  s.model.experts = 4;
  s.model.top_k = 1;
  s.model.global_batch = 8;
  s.optimizer_bytes_per_param = 28;
  s.plan.data = 4;
  s.plan.expert = 2;
  s.plan.tensor = 2;
  s.plan.sharding = Sharding::zero3;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  const double L = 2, E = 4, e = 2, d = 4, t = 2, m = 8 / d, h = 1024, V = 8, vb = 2;
  const double P_att = 4 * h * h, P_mlp = 2 * h * 4096;
  double gathered = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.label(id).starts_with("zg")) gathered += flows.flow_size(id).si();
    if (flows.label(id).starts_with("zge/")) {  // the experts' gather
      // GPU index = tp + t dp (one stage): replica dd = index / t.
      const uint32_t a = flows.src(id).value(), b = flows.dst(id).value();
      EXPECT_EQ(a / 2 % 2, b / 2 % 2) << flows.label(id) << ": replicas with other experts";
    }
  }
  EXPECT_NEAR(gathered / (2 * m * L * vb * ((d - 1) * P_att + (d - e) * (E / e) * P_mlp)), 1.0,
              1e-12);
  const double optimizer =
      28 * ((L * P_att + V * h) / (t * d) + L * (E / e) * P_mlp * e / (t * d)) / 3e12;
  for (uint32_t g = 0; g < s.plan.gpus(); ++g) {
    EXPECT_NEAR(optimizer_time(flows, NodeId(g)), optimizer, 1.5e-12) << "gpu " << g;
  }
}

}  // namespace
}  // namespace roshni::work
