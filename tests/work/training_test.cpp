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
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

/// `spec` on a star of its GPUs whose links are so fast (10^8 Tb/s, no latency) that
/// communication costs nothing (or at `link`, when given), run.
struct FreeRun : TrainingRun {
  explicit FreeRun(const TrainingSpec& spec, DataRate link = gbps(1e11)) : TrainingRun(spec, link) {}
};

// Ring all-reduce of S over t ranks: 2(t-1) steps of t flows of S/t = 2(t-1) S bytes.
// Per iteration: d x p TP groups, m micro-batches, forward and backward, L/p layers per
// stage, each layer's two all-reduces of b s h vb (one of 2 b s h vb per step here):
// bytes = d p m 2 (L/p) 2(t-1) 2 b s h vb. More TP, more bytes, as (t - 1).
TEST(Training, TensorParallelTrafficIsTwoTMinusOneTimesTheActivations) {
  double previous = 0;
  for (uint32_t tp : {2u, 4u, 8u}) {
    TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
    TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  // TP overlap: n chunks per step and n pieces per TP collective after one (MoE: the
  // attention's only), dense and MoE, with sequence parallelism and ZeRO-3.
  s.tp_overlap_chunks = 3;
  specs.push_back(s);
  s.plan.sequence_parallel = true;
  specs.push_back(s);
  s.model.experts = 0;
  s.model.top_k = 0;
  s.plan.expert = 1;
  s.plan.sharding = Sharding::zero3;
  specs.push_back(s);
  // The other schedules with the overlap: ZB-H1 chunks its input-gradient passes (the
  // steps its TP collectives follow), its weight-gradient passes stay whole.
  s.plan.schedule = PipelineSchedule::zb_h1;
  specs.push_back(s);
  s.plan.schedule = PipelineSchedule::gpipe;
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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
  TrainingSpec s = small_training_spec();
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


// Interleaved 1F1B (Narayanan et al. 2021, sec. 2.2.2; Megatron-LM's
// forward_backward_pipelining_with_interleaving), by hand for p = 2, v = 2, m = 4:
// 8 passes per stage; forwards in the order (chunk, micro-batch) (0,0) (0,1) (1,0) (1,1)
// (0,2) (0,3) (1,2) (1,3) (groups of p micro-batches through chunk 0, then chunk 1),
// backwards (1,0) (1,1) (0,0) (0,1) (1,2) (1,3) (0,2) (0,3). Warm-up: stage 0
// (2 - 0 - 1) 2 + (2 - 1) 2 = 4 forwards, stage 1 0 + 2 = 2; then F B pairs; then the
// backwards left. With v = 1 it is plain 1F1B, F^w (F B)^(m-w) B^w, w = p - 1 - i.
TEST(Schedule, InterleavedOrderIsMegatrons) {
  const auto F = [](uint32_t c, uint32_t j) { return PipelineOp{true, c, j}; };
  const auto B = [](uint32_t c, uint32_t j) { return PipelineOp{false, c, j}; };
  const std::vector<PipelineOp> stage0 = {F(0, 0), F(0, 1), F(1, 0), F(1, 1), F(0, 2), B(1, 0),
                                          F(0, 3), B(1, 1), F(1, 2), B(0, 0), F(1, 3), B(0, 1),
                                          B(1, 2), B(1, 3), B(0, 2), B(0, 3)};
  const std::vector<PipelineOp> stage1 = {F(0, 0), F(0, 1), F(1, 0), B(1, 0), F(1, 1), B(1, 1),
                                          F(0, 2), B(0, 0), F(0, 3), B(0, 1), F(1, 2), B(1, 2),
                                          F(1, 3), B(1, 3), B(0, 2), B(0, 3)};
  EXPECT_EQ(pipeline_order(2, 2, 4, 0), stage0);
  EXPECT_EQ(pipeline_order(2, 2, 4, 1), stage1);
  // m = p: Megatron runs every forward first (all warm-up).
  const std::vector<PipelineOp> all = {F(0, 0), F(0, 1), F(1, 0), F(1, 1),
                                       B(1, 0), B(1, 1), B(0, 0), B(0, 1)};
  EXPECT_EQ(pipeline_order(2, 2, 2, 1), all);
  // v = 1: 1F1B; stage 0 of 3 with m = 3 has w = 2: F F (F B) B B; stage 2 has w = 0.
  EXPECT_EQ(pipeline_order(3, 1, 3, 0),
            (std::vector<PipelineOp>{F(0, 0), F(0, 1), F(0, 2), B(0, 0), B(0, 1), B(0, 2)}));
  EXPECT_EQ(pipeline_order(3, 1, 3, 2),
            (std::vector<PipelineOp>{F(0, 0), B(0, 0), F(0, 1), B(0, 1), F(0, 2), B(0, 2)}));
}

// Interleaved 1F1B with v chunks per GPU, equal stages and free communication: the fill
// and drain shrink to (p - 1)(tf + tb) / v (Narayanan et al. 2021, sec. 2.2.2, tf and tb
// a whole stage's forward and backward), each GPU is busy m (tf + tb), so the idle
// fraction is (p - 1) / (v m + p - 1). Measured as in Bubble: 1 - busiest / makespan.
struct VirtualCase {
  uint32_t p, v, m;
};
class InterleavedBubble : public ::testing::TestWithParam<VirtualCase> {};

TEST_P(InterleavedBubble, IsPMinusOneOverVMPlusPMinusOne) {
  const auto [p, v, m] = GetParam();
  TrainingSpec s = small_training_spec();
  s.model.layers = 64;
  s.plan.pipeline = p;
  s.plan.virtual_stages = v;
  s.plan.layers_per_step = 64 / (p * v);
  s.model.global_batch = m;
  const FreeRun run(s);
  ASSERT_TRUE(run.result.unfinished.empty());
  const double T = run.result.makespan.duration().si();
  const double busy = run.info.busiest_compute.duration().si();
  const double expected = (p - 1.0) / (v * m + p - 1.0);
  EXPECT_NEAR(1 - busy / T, expected, 2e-3) << "p " << p << " v " << v << " m " << m;
  // Interleaving shortens the iteration against plain 1F1B at the same p and m.
  if (m > p) {
    EXPECT_LT(expected, (p - 1.0) / (m + p - 1.0));
  }
}

INSTANTIATE_TEST_SUITE_P(Schedules, InterleavedBubble,
                         ::testing::Values(VirtualCase{2, 2, 4}, VirtualCase{4, 2, 8}, VirtualCase{4, 4, 8},
                                           VirtualCase{4, 2, 16}, VirtualCase{8, 2, 16}, VirtualCase{8, 4, 8}),
                         [](const auto& info) {
                           return "p" + std::to_string(info.param.p) + "_v" + std::to_string(info.param.v) +
                                  "_m" + std::to_string(info.param.m);
                         });

// Interleaved sends: a micro-batch crosses v p - 1 virtual-stage boundaries (the last
// chunk of stage p - 1 hands on to chunk c + 1 of stage 0), forwards and back, so
//   bytes = 2 (v p - 1) m d b s h vb = 2 (v p - 1) B s h vb,  in 2 (v p - 1) m d t flows.
TEST(Schedule, InterleavedPipelineSendBytes) {
  TrainingSpec s = small_training_spec();
  s.model.micro_batch = 2;
  s.plan.data = 2;
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  s.plan.virtual_stages = 2;
  net::FlowSet flows;
  const TrainingInfo info = build_training(s, ids(s.plan.gpus()), flows);
  const double p = 2, v = 2, d = 2, t = 2, b = 2, m = 16 / (b * d), sq = 1024, h = 1024, vb = 2;
  const TrafficTotal& pp = info.traffic[static_cast<size_t>(Traffic::pp)];
  EXPECT_NEAR(pp.bytes.si() / (2 * (v * p - 1) * m * d * b * sq * h * vb), 1.0, 1e-12);
  EXPECT_EQ(static_cast<double>(pp.flows), 2 * (v * p - 1) * m * d * t);
  // The wrap-around: stage 1 (GPUs 2, 3 with t = 2, one replica... index tp + t(dp + d pp))
  // sends to stage 0 forwards, which plain 1F1B never does.
  bool wrap = false;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) || flows.label(id) != "pp") continue;
    const uint32_t from = s.plan.gpu(0, 0, 1), to = s.plan.gpu(0, 0, 0);
    if (flows.src(id).value() == from && flows.dst(id).value() == to) wrap = true;
  }
  EXPECT_TRUE(wrap);
  EXPECT_EQ(flows.size(), static_cast<size_t>(training_flow_count(s)));
}

// Uneven stages (Megatron-Core's num_layers_in_first/last_pipeline_stage): L = 30 on
// p = 4 with 6 layers on the first and the last stage leaves 18 for 2 stages, 9 each.
// Llama 3 405B (Grattafiori et al. 2024, sec. 3.3.2): 126 layers, p = 16, v = 8 (one layer
// per chunk), one layer less on the first and the last stage: the first chunk of the
// first stage and the last chunk of the last stage hold no layer.
TEST(Schedule, UnevenStagesSplitTheRestEvenly) {
  TransformerModel mo;
  mo.layers = 30;
  ParallelPlan pl;
  pl.pipeline = 4;
  pl.first_stage_layers = 6;
  pl.last_stage_layers = 6;
  EXPECT_EQ(virtual_stage_layers(mo, pl), (std::vector<uint32_t>{6, 9, 9, 6}));
  pl.last_stage_layers = 0;  // 24 left for 3 stages
  EXPECT_EQ(virtual_stage_layers(mo, pl), (std::vector<uint32_t>{6, 8, 8, 8}));
  mo.layers = 126;
  pl = ParallelPlan{};
  pl.pipeline = 16;
  pl.virtual_stages = 8;
  pl.first_stage_layers = 7;
  pl.last_stage_layers = 7;
  std::vector<uint32_t> expected(128, 1);
  expected.front() = 0;
  expected.back() = 0;
  EXPECT_EQ(virtual_stage_layers(mo, pl), expected);
}

// The iteration's FLOPs with uneven stages are the model's: with compute-bound steps
// and no optimizer time, the sum of all compute-step times x peak x efficiency is
//   B s 3 [L (24 h^2 + 4 s h) + 2 h V]     (f = 4h, kv = h: P_layer = 12 h^2; tied
// embedding, so the input side is a lookup and the head is 2 h V per token forward).
TEST(Schedule, UnevenStagesKeepTheModelsFlops) {
  TrainingSpec s = small_training_spec();
  s.model.layers = 10;
  s.model.vocabulary = 32000;
  s.plan.pipeline = 4;
  s.plan.first_stage_layers = 1;
  s.plan.last_stage_layers = 3;  // 6 left: 3 per middle stage
  s.model.global_batch = 8;
  net::FlowSet flows;
  build_training(s, ids(s.plan.gpus()), flows);
  double busy = 0;
  std::vector<double> per_gpu(4, 0);
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (!flows.is_task(id)) continue;
    busy += flows.task_time(id).duration().si();
    per_gpu[flows.src(id).value()] += flows.task_time(id).duration().si();
  }
  const double B = 8, sq = 1024, L = 10, h = 1024, V = 32000;
  const double flops = B * sq * 3 * (L * (24 * h * h + 4 * sq * h) + 2 * h * V);
  EXPECT_NEAR(busy * 1000e12 * 0.5 / flops, 1.0, 1e-6);
  // Stage 0 (1 layer) works a third as long as stage 1 (3 layers).
  EXPECT_NEAR(per_gpu[0] / per_gpu[1], 1.0 / 3, 1e-6);
}

// Korthikanti et al. 2022 (eq. 2 and Table 2, tensor parallelism without sequence
// parallelism), GPT (kv = h, f = 4h, vb = 2): per layer and micro-batch
//   none       s b h (10 + 24/t + 5 a s / (h t))
//   selective  s b h (10 + 24/t)               (the a s^2 attention core recomputed)
//   full       2 s b h                         (the layer's input only)
TEST(Memory, ActivationsPerLayerAreKorthikantisTable2) {
  TrainingSpec s = small_training_spec();  // h = 1024, a = 16, s = 1024, b = 1, GPT-shaped
  s.model.micro_batch = 2;
  s.plan.tensor = 4;
  const double sq = 1024, b = 2, h = 1024, a = 16, t = 4;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (sq * b * h * (10 + 24 / t + 5 * a * sq / (h * t))), 1.0, 1e-12);
  s.selective_recompute = true;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (sq * b * h * (10 + 24 / t)), 1.0, 1e-12);
  s.selective_recompute = false;
  s.recompute = true;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (2 * sq * b * h), 1.0, 1e-12);
}

// In-flight activations: 1F1B stage i holds min(p - i, m) micro-batches of its L/p layers
// (Korthikanti et al. 2022, sec. 4.2.3: the first stage holds p, i.e. L layers' worth);
// interleaved with v chunks the first stage holds L (1 + (p - 1)/(p v)) layers' worth
// (their "1 + (p-1)/(pm)" factor, m being the chunks there): its warm-up of
// 2 (p - 1) + (v - 1) p forwards and one more before the first backward, v p + p - 1
// chunk passes of L/(p v) layers. Weights, gradients and Adam state per parameter
// (Rajbhandari et al. 2020, fig. 1, vb = 2, K = 12): 16 B unsharded, 4 + 12/d with
// ZeRO-1, 2 + 14/d with ZeRO-2, 16/d with ZeRO-3.
TEST(Memory, InFlightMicroBatchesAndShardedState) {
  TrainingSpec s = small_training_spec();
  s.plan.pipeline = 4;
  s.model.global_batch = 8;  // m = 8
  const double L = 8, p = 4, h = 1024, V = 8, A = activation_bytes_per_layer(s);
  auto mem = memory_per_gpu(s);
  ASSERT_EQ(mem.size(), 4u);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(mem[i].layer_passes, (4 - i) * 2) << "stage " << i;
    EXPECT_NEAR(mem[i].activations / ((4 - i) * 2 * A), 1.0, 1e-12);
  }
  s.model.global_batch = 2;  // m = 2 < p: at most m in flight
  EXPECT_EQ(memory_per_gpu(s)[0].layer_passes, 2u * 2);
  s.model.global_batch = 8;
  s.plan.virtual_stages = 2;  // one layer per chunk
  mem = memory_per_gpu(s);
  EXPECT_EQ(mem[0].layer_passes, static_cast<uint32_t>(L * (1 + (p - 1) / (p * 2))));  // 11
  // Parameters on stage 1 (no embedding): L/p 12 h^2 / t, t = 1.
  s.plan.virtual_stages = 1;
  s.plan.data = 4;
  const double P = L / p * 12 * h * h, d = 4;
  const auto state = [&](Sharding z) {
    s.plan.sharding = z;
    const StageMemory m1 = memory_per_gpu(s)[1];
    return (m1.weights + m1.gradients + m1.optimizer) / P;
  };
  EXPECT_NEAR(state(Sharding::none), 16, 1e-9);
  EXPECT_NEAR(state(Sharding::zero1), 4 + 12 / d, 1e-9);
  EXPECT_NEAR(state(Sharding::zero2), 2 + 14 / d, 1e-9);
  EXPECT_NEAR(state(Sharding::zero3), 16 / d, 1e-9);
  // The first stage adds the embedding's V h parameters.
  s.plan.sharding = Sharding::none;
  const StageMemory m0 = memory_per_gpu(s)[0];
  EXPECT_NEAR((m0.weights + m0.gradients + m0.optimizer) / (16 * (P + V * h)), 1.0, 1e-12);
}

// Selective recomputation (Korthikanti et al. 2022, sec. 5) runs only the attention core
// again: 4 s h FLOPs per token and layer (scores and weighted sum, over all s positions).
// One GPU, compute-bound steps: the iteration's compute grows by L 4 s h B s / (peak eff).
TEST(Training, SelectiveRecomputeAddsTheAttentionCore) {
  TrainingSpec s = small_training_spec();
  net::FlowSet plain_flows, selective_flows;
  const TrainingInfo plain = build_training(s, ids(1), plain_flows);
  s.selective_recompute = true;
  const TrainingInfo selective = build_training(s, ids(1), selective_flows);
  const double L = 8, sq = 1024, h = 1024, B = 16;
  const double extra = L * 4 * sq * h * B * sq;
  EXPECT_NEAR((selective.hardware_flops_per_iteration - plain.hardware_flops_per_iteration) / extra, 1.0, 1e-12);
  EXPECT_NEAR((selective.busiest_compute - plain.busiest_compute).duration().si() / (extra / (1000e12 * 0.5)),
              1.0, 1e-6);
}

}  // namespace
}  // namespace roshni::work
