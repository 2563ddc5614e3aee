// The serving DAG against closed forms (docs/serving.md): DeepSeek-V3's parameter and KV
// cache sizes, the decode step as the sum of per-layer rooflines on a free network, TTFT
// as prefill compute + KV transfer, the KV transfer's flow size, the EP all-to-all bytes
// per decode step, tokens per step with MTP, the flow-count closed form, and the attention
// core timed at its own precision's peak.
#include "roshni/work/serving.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/paths.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::work {
namespace {

// A dense GQA model small enough to count by hand:
//   attention A = 2 h H d + 2 h kv d = 2 x 1024 x 1024 + 2 x 1024 x 1024 = 4,194,304
//   dense MLP D = 3 h f = 3 x 1024 x 4096 = 12,582,912; head V h = 1,024,000
//   KV values per token per layer 2 kv d = 2 x 8 x 128 = 2,048 (x 2 B = 4,096 B)
ServingSpec small_spec() {
  ServingSpec s;
  ServingModel& m = s.model;
  m.name = "small";
  m.layers = 2;
  m.hidden = 1024;
  m.heads = 8;
  m.head_dim = 128;
  m.kv_heads = 8;
  m.vocabulary = 1000;
  m.dense_ffn = 4096;
  s.peak = flops_per_second(1000e12);
  s.hbm_bandwidth = bytes_per_second(3e12);
  s.prefill_efficiency = 0.5;
  s.decode_efficiency = 0.5;
  s.input_tokens = 1000;
  s.output_tokens = 3;
  s.prefill_batch = 2;
  s.batch = 8;
  s.decode_steps = 3;
  s.prefill = {0, 1, 1, 1};
  s.decode = {1, 1, 1, 1};
  return s;
}

/// Builds `spec` on a star of `gpus` GPUs with links of `link` and no latency, and runs it.
struct ServeRun {
  ServeRun(const ServingSpec& spec, uint32_t gpus, DataRate link = gbps(1e11)) {
    topo::StarParams p;
    p.gpus = gpus;
    p.link_bandwidth = link;
    t = topo::make_star(p);
    info = build_serving(spec, t.gpus(), flows);
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const net::Paths paths = net::route_all(t, router, flows, unroutable);
    result = net::run_flow_model(t, flows, paths);
  }
  SimTime last(std::span<const FlowId> ids) const {
    SimTime x = SimTime::zero();
    for (FlowId f : ids) x = std::max(x, result.end[f.value()]);
    return x;
  }
  /// Steady-state decode step: (end of the last step - end of the first) / (k - 1).
  int64_t step_ps() const {
    const auto k = static_cast<int64_t>(info.step_ends.size());
    return (last(info.step_ends.back()) - last(info.step_ends.front())).ps() / (k - 1);
  }
  topo::Topology t;
  net::FlowSet flows;
  ServingInfo info;
  net::RunResult result;
};

// DeepSeek-V3 (arXiv 2412.19437): 671 B parameters, 37 B activated per token. By hand:
// attention per layer 7168 x 1536 + 1536 x 128 x 192 + 7168 x 576 + 512 x 128 x 256 +
// 128 x 128 x 7168 = 187,105,280; dense MLP 3 x 7168 x 18432 = 396,361,728; expert
// 3 x 7168 x 2048 = 44,040,192; embeddings 2 x 129280 x 7168 = 1,853,358,080.
// Total = 61 A + 3 D + 58 x 257 E + emb = 11,413,422,080 + 1,189,085,184 + 656,463,101,952
// + 1,853,358,080 = 670,918,967,296; active = 61 A + 3 D + 58 x 9 E + emb = 11,413,422,080
// + 1,189,085,184 + 22,988,980,224 + 1,853,358,080 = 37,444,845,568 (the router's
// 58 x 7168 x 256 = 0.1 B is left out). KV: (512 + 64) x 61 x 2 B = 70,272 B.
TEST(Serving, DeepSeekV3ParametersAndKvCacheFromItsShapes) {
  const ServingModel m = deepseek_v3();
  EXPECT_DOUBLE_EQ(serving_attention_params(m), 187105280.0);
  EXPECT_DOUBLE_EQ(serving_total_params(m), 670918967296.0);
  EXPECT_DOUBLE_EQ(serving_active_params(m), 37444845568.0);
  EXPECT_DOUBLE_EQ(kv_values_per_token_layer(m) * m.layers * 2, 70272.0);
}

// One GPU decoding 8 sequences, context 1000 + (3 - 1)/2 = 1001, free network. Per layer:
//   FLOPs = 8 (2A + 4 H ctx d) + 8 x 2 D = 8 (8,388,608 + 4,100,096) + 201,326,592
//         = 301,236,224 -> / (1e15 x 0.5) = 0.60 us
//   bytes = 2A + 8 x 1001 x 4,096 + 2D = 8,388,608 + 32,800,768 + 25,165,824
//         = 66,355,200 -> / 3e12 = 22,118,400 ps (memory-bound)
//   head: FLOPs 8 x 2 x 1024 x 1000 = 16.4 M (0.03 us); bytes 2,048,000 -> 682,667 ps
// step = 2 x 22,118,400 + 682,667 = 44,919,467 ps; TPOT the same (no MTP).
TEST(Serving, DecodeStepOnAFreeNetworkIsTheSumOfLayerRooflines) {
  const ServeRun run(small_spec(), 2);
  EXPECT_NEAR(static_cast<double>(run.step_ps()), 44919467.0, 2.0);
}

// A fixed cost per all-to-all per layer (the dispatch's and combine's software and sync
// latency, ServingSpec::ep_overhead) adds 2 x L_moe x overhead to a decode step on a free
// network, however the layers are merged into steps: the dense model above made 3 layers
// with 2 MoE layers (1 dense), merged 2 per step, and overhead 100 us -> 400 us more than
// the same run without it.
TEST(Serving, EpOverheadAddsTwicePerMoeLayerToTheDecodeStep) {
  ServingSpec s = small_spec();
  s.model.layers = 3;
  s.model.dense_layers = 1;
  s.model.experts = 4;
  s.model.top_k = 2;
  s.model.expert_ffn = 512;
  s.decode = {1, 2, 1, 2};
  s.layers_per_step = 2;
  const ServeRun without(s, 3);
  s.ep_overhead = 100e-6;
  const ServeRun with(s, 3);
  EXPECT_EQ(with.step_ps() - without.step_ps(), 400'000'000);
}

// Prefill of 2 sequences of 1000 tokens on one GPU, mean causal context 500.5. Per layer:
//   FLOPs = 2000 (2A + 4 H 500.5 d) + 2000 x 2D = 2000 x 10,438,656 + 50,331,648,000
//         = 71,208,960,000 -> / 5e14 = 142,417,920 ps (compute-bound; bytes 41.7 MB, 14 us)
//   head: logits of the 2 last tokens, 4.1 MFLOP; bytes 2,048,000 -> 682,667 ps
// prefill = 2 x 142,417,920 + 682,667 = 285,518,507 ps. KV: 2 sequences x 1000 tokens x
// 2 layers x 4,096 B = 16,384,000 B over one 100 GB/s link: 163,840,000 ps.
// TTFT = 285,518,507 + 163,840,000 = 449,358,507 ps.
TEST(Serving, TtftIsPrefillComputePlusKvTransferOnAnIdealNetwork) {
  const ServeRun run(small_spec(), 2, bytes_per_second(100e9));
  EXPECT_NEAR(static_cast<double>(run.last(run.info.prefill_ends).ps()), 285518507.0, 2.0);
  const SimTime ttft = std::max(run.last(run.info.prefill_ends), run.last(run.info.kv_transfers));
  EXPECT_NEAR(static_cast<double>(ttft.ps()), 449358507.0, 4.0);
}

// Attention at its own precision (ServingSpec::attention_peak): an fp8 workload (peak
// 1,000 TFLOP/s) whose attention core runs in bf16 (500 TFLOP/s), the prefill above.
// Per layer, at efficiency 0.5:
//   GEMMs  2000 x 2A + 2000 x 2D = 16,777,216,000 + 50,331,648,000 = 67,108,864,000 FLOPs
//          / (1e15 x 0.5) = 134,217,728 ps (as at one precision)
//   core   2000 x 4 H 500.5 d = 2000 x 2,050,048 = 4,100,096,000 FLOPs
//          / (5e14 x 0.5) = 16,400,384 ps (at fp8 it was 8,200,192 ps: twice as long)
// Each layer 150,618,112 ps (compute-bound: 41.7 MB, 14 us); the head is unchanged
// (682,667 ps, memory-bound): prefill = 2 x 150,618,112 + 682,667 = 301,918,891 ps,
// 2 x 8,200,192 = 16,400,384 ps more than 285,518,507 at fp8 throughout.
TEST(Serving, AttentionCoreAtItsOwnPrecisionDoublesOnlyTheCoreTime) {
  ServingSpec s = small_spec();
  s.precision = "fp8";
  s.attention_precision = "bf16";
  s.attention_peak = flops_per_second(500e12);
  const ServeRun run(s, 2, bytes_per_second(100e9));
  EXPECT_NEAR(static_cast<double>(run.last(run.info.prefill_ends).ps()), 301918891.0, 2.0);
  // The same peak for both: the run of one precision, to the picosecond.
  s.attention_peak = s.peak;
  const ServeRun same(s, 2, bytes_per_second(100e9));
  EXPECT_EQ(same.last(same.info.prefill_ends).ps(), 285518507);
}

// The scenario's field picks the attention core's peak from the catalog (configs/
// accelerators.json, h100-sxm: dense FP8 1,978.9 TFLOP/s, BF16 989.4); without it the core
// runs at the workload's precision, whatever that is.
TEST(Serving, AttentionPrecisionFromTheScenarioDefaultsToThePrecision) {
  const auto load = [](const std::string& extra) {
    return scenario::load_scenario_text(
        R"({"topology": {"kind": "star", "gpus": 3, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
            "workload": {"kind": "serving", "accelerator": "h100-sxm", "precision": "fp8", )" + extra + R"(
              "model": {"layers": 2, "hidden": 1024, "heads": 8, "vocabulary": 1000, "dense_ffn": 4096},
              "prefill": {"gpus": 1, "batch": 1}, "decode": {"gpus": 2, "batch": 2},
              "input_tokens": 100, "output_tokens": 10}})",
        "t.json");
  };
  const scenario::Scenario bf16 = load(R"("attention_precision": "bf16",)");
  ASSERT_TRUE(bf16.serving);
  EXPECT_DOUBLE_EQ(bf16.serving->spec.peak.si(), 1978.9e12);
  EXPECT_DOUBLE_EQ(bf16.serving->spec.attention_peak.si(), 989.4e12);
  EXPECT_EQ(bf16.serving->spec.attention_precision, "bf16");
  const scenario::Scenario plain = load("");
  EXPECT_DOUBLE_EQ(plain.serving->spec.attention_peak.si(), 1978.9e12);
  EXPECT_EQ(plain.serving->spec.attention_precision, "fp8");
}

// Each sequence's cache goes as one flow of input x layers x (kv_rank + rope) x kv bytes:
// an MLA model of 2 layers, rank 512 + rope 64, fp8 cache: 100 x 2 x 576 x 1 = 115,200 B.
TEST(Serving, KvTransferFlowIsTheSequencesWholeCache) {
  ServingSpec s = small_spec();
  ServingModel& m = s.model;
  m.attention = AttentionKind::mla;
  m.kv_lora_rank = 512;
  m.rope_dim = 64;
  m.nope_dim = 128;
  m.v_head_dim = 128;
  s.kv_bytes = 1;
  s.input_tokens = 100;
  net::FlowSet flows;
  std::vector<NodeId> gpus = {NodeId(0), NodeId(1)};
  const ServingInfo info = build_serving(s, gpus, flows);
  ASSERT_EQ(info.kv_transfers.size(), 2u);
  for (FlowId f : info.kv_transfers) {
    EXPECT_DOUBLE_EQ(flows.flow_size(f).si(), 115200.0);
    EXPECT_EQ(flows.src(f), NodeId(0));
    EXPECT_EQ(flows.dst(f), NodeId(1));
  }
  EXPECT_DOUBLE_EQ(info.kv_transfer_bytes, 230400.0);
}

// MoE decode on 4 GPUs, EP 4, batch 8: 2 tokens per GPU, top-2, h 1024, fp8 dispatch (1 B),
// bf16 combine (2 B): per GPU per MoE layer 2 x 2 x 1024 x (1 + 2) = 12,288 B; 2 MoE
// layers x 4 GPUs = 98,304 B per step. A direct all-to-all keeps 1/4 of each send buffer
// local, so the flows of one step carry 3/4 of it: 73,728 B.
TEST(Serving, EpAllToAllBytesPerDecodeStep) {
  ServingSpec s = small_spec();
  ServingModel& m = s.model;
  m.layers = 3;
  m.dense_layers = 1;
  m.experts = 8;
  m.top_k = 2;
  m.expert_ffn = 512;
  s.dispatch_bytes = 1;
  s.combine_bytes = 2;
  s.disaggregated = false;
  s.decode = {0, 4, 1, 4};
  s.prefill = s.decode;
  s.prefill_batch = 4;
  net::FlowSet flows;
  std::vector<NodeId> gpus = {NodeId(0), NodeId(1), NodeId(2), NodeId(3)};
  const ServingInfo info = build_serving(s, gpus, flows);
  EXPECT_DOUBLE_EQ(info.ep_bytes_per_decode_step, 98304.0);
  double step1 = 0;  // decode pass 1 (passes: prefill p0, decode d1, d2, d3)
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const std::string& l = flows.label(FlowId(f));
    if (!flows.is_task(FlowId(f)) && l.starts_with("d2/")) step1 += flows.flow_size(FlowId(f)).si();
  }
  EXPECT_DOUBLE_EQ(step1, 73728.0);
}

// 1 + a + ... + a^depth: depth 1 at 0.9 -> 1.9; depth 2 at 0.5 -> 1.75; none -> 1.
TEST(Serving, TokensPerStepWithMultiTokenPrediction) {
  ServingSpec s = small_spec();
  EXPECT_DOUBLE_EQ(tokens_per_step(s), 1.0);
  s.mtp_depth = 1;
  s.mtp_acceptance = 0.9;
  EXPECT_DOUBLE_EQ(tokens_per_step(s), 1.9);
  s.mtp_depth = 2;
  s.mtp_acceptance = 0.5;
  EXPECT_DOUBLE_EQ(tokens_per_step(s), 1.75);
}

TEST(Serving, FlowCountClosedFormMatchesTheBuild) {
  ServingSpec s = small_spec();
  s.model.layers = 5;
  s.model.dense_layers = 1;
  s.model.experts = 8;
  s.model.top_k = 2;
  s.model.expert_ffn = 512;
  s.prefill = {0, 4, 2, 4};
  s.decode = {4, 4, 1, 2};
  s.layers_per_step = 3;
  net::FlowSet flows;
  std::vector<NodeId> gpus;
  for (uint32_t i = 0; i < 8; ++i) gpus.push_back(NodeId(i));
  build_serving(s, gpus, flows);
  EXPECT_DOUBLE_EQ(serving_flow_count(s), static_cast<double>(flows.size()));
}

}  // namespace
}  // namespace roshni::work
