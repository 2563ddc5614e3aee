// The "training" workload as scenarios write it: every bad field is a ScenarioError at
// its JSON pointer; the accelerator comes from the catalog (or the scenario); the
// shipped GPT-3 and Llama 3 scenarios load (with smaller batches, to keep this fast)
// and give the published parameter counts; reports are byte-identical across runs.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "roshni/net/flow_model.h"
#include "roshni/report/report.h"
#include "roshni/scenario/loader.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;

const std::string kTopology =
    R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 16,
        "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
        "scale_up": {"domain_size": 4, "bandwidth": "450 GB/s"}})";

/// A valid training scenario with `model`, `parallelism` and `extra` workload keys.
std::string scenario(const std::string& model, const std::string& parallelism,
                     const std::string& extra = R"("accelerator": "h100-sxm")") {
  return "{" + kTopology + R"(, "workload": {"kind": "training", "model": {)" + model +
         R"(}, "parallelism": {)" + parallelism + "}, " + extra + "}}";
}

const std::string kModel =
    R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
       "global_batch": 16, "micro_batch": 1)";
const std::string kPlan = R"("data": 2, "tensor": 4, "pipeline": 2)";

struct Bad {
  std::string name, text, pointer, keyword;
};
std::ostream& operator<<(std::ostream& os, const Bad& b) { return os << b.name; }

// clang-format off
const std::vector<Bad> kBad = {
    {"TensorNotDividingHeads", scenario(R"("layers": 8, "hidden": 1536, "heads": 12, "vocabulary": 1000,
        "sequence": 512, "global_batch": 16, "micro_batch": 1)", R"("data": 2, "tensor": 8, "pipeline": 1)"),
     "/workload/parallelism/tensor", "does not divide the 12 attention heads (/workload/model/heads)"},
    {"TensorNotDividingKvHeads", scenario(kModel + R"(, "kv_heads": 2)", kPlan),
     "/workload/parallelism/tensor", "2 key/value heads"},
    {"ProductNotGpuCount", scenario(kModel, R"("data": 4, "tensor": 4, "pipeline": 2)"),
     "/workload/parallelism", "data 4 x tensor 4 x pipeline 2 = 32 GPUs, but the topology has 16"},
    {"DefaultDegreesNotGpuCount", scenario(kModel, R"("tensor": 4)"),
     "/workload/parallelism", "= 4 GPUs, but the topology has 16"},
    {"BatchNotDivisible", scenario(R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 512, "global_batch": 12, "micro_batch": 4)", kPlan),
     "/workload/model/global_batch", "not a multiple of micro-batch 4 (/workload/model/micro_batch) x data parallelism 2"},
    {"PipelineNotDividingLayers", scenario(R"("layers": 6, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 512, "global_batch": 16, "micro_batch": 1)", R"("data": 1, "tensor": 4, "pipeline": 4)"),
     "/workload/parallelism/pipeline", "does not divide the 6 layers"},
    {"HeadsNotDividingHidden", scenario(R"("layers": 8, "hidden": 1000, "heads": 16, "vocabulary": 1000,
        "sequence": 512, "global_batch": 16, "micro_batch": 1)", kPlan),
     "/workload/model/heads", "do not divide the hidden size 1000"},
    {"ExpertWithoutExperts", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "expert": 2)"),
     "/workload/parallelism/expert", "needs a mixture of experts"},
    {"ExpertNotDividingData", scenario(kModel + R"(, "experts": 8, "top_k": 2)",
        R"("data": 2, "tensor": 4, "pipeline": 2, "expert": 4)"),
     "/workload/parallelism/expert", "does not divide data parallelism 2"},
    {"TopKWithoutExperts", scenario(kModel + R"(, "top_k": 2)", kPlan), "/workload/model/top_k",
     "set 'experts' too"},
    {"TopKMissing", scenario(kModel + R"(, "experts": 8)", kPlan), "/workload/model", "missing 'top_k'"},
    {"LayersPerStepNotDividing", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "layers_per_step": 3)"),
     "/workload/parallelism/layers_per_step", "do not divide the 4 layers of a stage"},
    {"RankOrderTwice", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2,
        "rank_order": ["tensor", "tensor", "data"])"), "/workload/parallelism/rank_order/1", "listed twice"},
    {"UnknownSharding", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "sharding": "zero4")"),
     "/workload/parallelism/sharding", "did you mean 'zero1'"},
    {"UnknownPlanKey", scenario(kModel, R"("data": 2, "tensr": 4, "pipeline": 2)"),
     "/workload/parallelism/tensr", "did you mean 'tensor'"},
    {"UnknownModelKey", scenario(kModel + R"(, "layer": 3)", kPlan), "/workload/model/layer",
     "did you mean 'layers'"},
    {"MissingModelField", scenario(R"("layers": 8, "hidden": 1024, "heads": 16, "sequence": 512,
        "global_batch": 16, "micro_batch": 1)", kPlan), "/workload/model", "missing 'vocabulary'"},
    {"UnknownAccelerator", scenario(kModel, kPlan, R"("accelerator": "h100")"),
     "/workload/accelerator", "unknown accelerator 'h100'"},
    {"PrecisionNotOnAccelerator", scenario(kModel + R"(, "precision": "fp8")", kPlan,
        R"("accelerator": "ascend-910b")"), "/workload/model/precision", "has no peak for 'fp8'"},
    {"AcceleratorWrongUnit", scenario(kModel, kPlan,
        R"("accelerator": {"base": "h100-sxm", "peak_flops": {"bf16": "989 TB/s"}})"),
     "/workload/accelerator/peak_flops/bf16", "expected a compute rate"},
    {"AcceleratorWithoutSource", scenario(kModel, kPlan,
        R"("accelerator": {"peak_flops": {"bf16": "100 TFLOP/s"}, "hbm_bandwidth": "1 TB/s"})"),
     "/workload/accelerator", "missing 'source'"},
    {"EfficiencyAboveOne", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "efficiency": 1.5)"),
     "/workload/efficiency", "in (0, 1]"},
    {"EfficiencyAsText", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "efficiency": "70%")"),
     "/workload/efficiency", "expected a fraction of peak"},
    {"EfficiencyModelMisspelt", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "efficiency": "rooflin")"),
     "/workload/efficiency", "did you mean 'roofline'"},
    {"RooflineWithoutCatalogFractions", scenario(kModel, kPlan, R"("accelerator": "ascend-910b", "efficiency": "roofline")"),
     "/workload/efficiency", "achievable gemm fraction for 'bf16'"},
    {"RooflineWithoutHbmFraction", scenario(kModel, kPlan, R"("accelerator": {"base": "h100-sxm",
        "achievable": {"gemm": {"bf16": 0.8}, "attention_forward": {"bf16": 0.6}, "attention_backward": {"bf16": 0.5}}},
        "efficiency": "roofline")"), "/workload/efficiency", "achievable HBM fraction"},
    {"RooflineFractionAboveOne", scenario(kModel, kPlan, R"("accelerator": {"base": "h100-sxm",
        "achievable": {"gemm": {"bf16": 1.2}, "hbm": 0.9}}, "efficiency": "roofline")"),
     "/workload/accelerator/achievable/gemm/bf16", "(0, 1]"},
    {"VirtualStagesNeedMicroBatchesInGroupsOfP", scenario(R"("layers": 8, "hidden": 1024, "heads": 16,
        "vocabulary": 1000, "sequence": 512, "global_batch": 12, "micro_batch": 1)",
        R"("data": 2, "tensor": 2, "pipeline": 4, "virtual_stages": 2)"),
     "/workload/parallelism/virtual_stages", "6 micro-batches per pipeline"},
    {"ScheduleMisspelt", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "schedule": "gpip")"),
     "/workload/parallelism/schedule", "did you mean 'gpipe'"},
    {"ScheduleUnknown", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "schedule": "zb_v")"),
     "/workload/parallelism/schedule", "unknown pipeline schedule 'zb_v'"},
    {"GpipeWithVirtualStages", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "virtual_stages": 2,
        "schedule": "gpipe")"),
     "/workload/parallelism/schedule", "the 'gpipe' schedule runs one model chunk per GPU, but /workload/parallelism/virtual_stages is 2"},
    {"ZbH1WithVirtualStages", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "virtual_stages": 2,
        "schedule": "zb_h1")"),
     "/workload/parallelism/schedule", "the 'zb_h1' schedule runs one model chunk per GPU"},
    {"ZbH1FewerMicroBatchesThanStages", scenario(R"("layers": 8, "hidden": 1024, "heads": 16,
        "vocabulary": 1000, "sequence": 512, "global_batch": 2, "micro_batch": 1)",
        R"("data": 1, "tensor": 4, "pipeline": 4, "schedule": "zb_h1")"),
     "/workload/parallelism/schedule", "gives 2 for pipeline parallelism 4"},
    {"ZbH1WithContextParallelism", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2,
        "schedule": "zb_h1")"),
     "/workload/parallelism/schedule", "not modelled with context parallelism (/workload/parallelism/context is 2)"},
    {"VirtualStagesNotDividingLayers", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "virtual_stages": 3)"),
     "/workload/parallelism/virtual_stages", "pipeline parallelism 2 x virtual stages 3 does not divide the 8 layers"},
    {"PipelineNotDividingLayersNamesTheFix", scenario(R"("layers": 6, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 512, "global_batch": 16, "micro_batch": 1)", R"("data": 1, "tensor": 4, "pipeline": 4)"),
     "/workload/parallelism/pipeline", "\"first_stage_layers\" and \"last_stage_layers\""},
    {"UnevenRestNotEven", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 4, "first_stage_layers": 1)"),
     "/workload/parallelism/first_stage_layers", "7 layers left after the first and last stages do not split evenly over the other 3 stages"},
    // Stage 0 of kModel on kPlan (t = 4, p = 2, m = 8): 4 layers of 12 h^2 / t and the
    // embedding V h / t = 12,838,912 parameters x 16 B = 205,422,592 B; 2 micro-batches
    // in flight x 4 layers x s b h (10 + 24/t + 5 a s/(h t)) = 8 x 13,631,488 B; total
    // 314,474,496 B (Korthikanti et al. 2022; Rajbhandari et al. 2020): 314 MB is too little.
    {"MemoryJustDoesNotFit", scenario(kModel, kPlan,
        R"("accelerator": {"base": "h100-sxm", "hbm_capacity": "314 MB"})"),
     "/workload/parallelism", "needs 0.3 GB"},
    {"MemoryDoesNotFit", scenario(R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 65536, "global_batch": 16, "micro_batch": 1)", kPlan),
     "/workload/parallelism", "more than the 80.0 GB of HBM of 'h100-sxm'"},
    {"SequenceParallelNotBoolean", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "sequence_parallel": "yes")"),
     "/workload/parallelism/sequence_parallel", "expected true or false"},
    {"ContextZero", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "context": 0)"),
     "/workload/parallelism/context", "expected an integer from 1 to"},
    {"ContextNegative", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "context": -2)"),
     "/workload/parallelism/context", "expected an integer from 1 to"},
    {"ContextNotInteger", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "context": true)"),
     "/workload/parallelism/context", "expected an integer from 1 to"},
    {"ContextNotDividingRanks", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "context": 2)"),
     "/workload/parallelism", "data 2 x tensor 4 x pipeline 2 x context 2 = 32 GPUs, but the topology has 16"},
    // 2 c = 6 does not divide s = 512 (Megatron-Core's 2c chunks for the causal balance);
    // nor does 2 c = 8 divide s = 516, which c = 4 does.
    {"ContextNotDividingSequence", scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 1, "context": 3)"),
     "/workload/parallelism/context", "2 x 3 = 6 divides (each sequence is cut into 2c equal chunks"},
    {"ContextNotHalvingSequenceChunks", scenario(R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 516, "global_batch": 16, "micro_batch": 1)", R"("data": 2, "tensor": 2, "pipeline": 1, "context": 4)"),
     "/workload/parallelism/context", "2 x 4 = 8 divides"},
    {"ContextWithOperationClasses", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2)",
        R"("accelerator": "h100-sxm", "efficiency": "roofline")"),
     "/workload/efficiency", "not modelled with context parallelism"},
    {"ContextFoldedAway", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2)",
        R"("accelerator": "h100-sxm", "simulate": "one_replica")"),
     "/workload/simulate", "context parallelism 2 is not folded"},
    {"RankOrderContextOfThree", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2,
        "rank_order": ["tensor", "context", "data"])"),
     "/workload/parallelism/rank_order", "give all four dimensions"},
    {"CapacityFactorWithoutExperts", scenario(kModel + R"(, "capacity_factor": 1.25)", kPlan),
     "/workload/model/capacity_factor", "set 'experts' too"},
    {"CapacityFactorZero", scenario(kModel + R"(, "experts": 8, "top_k": 2, "capacity_factor": 0)", kPlan),
     "/workload/model/capacity_factor", "expected an expert capacity factor"},
    {"CapacityFactorNegative", scenario(kModel + R"(, "experts": 8, "top_k": 2, "capacity_factor": -1)", kPlan),
     "/workload/model/capacity_factor", "in (0, 1000000]"},
    {"CapacityFactorAsText", scenario(kModel + R"(, "experts": 8, "top_k": 2, "capacity_factor": "1.25")", kPlan),
     "/workload/model/capacity_factor", "a number in (0, 1000000]"},
    {"OverlapSlowdownNegative", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "overlap_slowdown": -0.1)"),
     "/workload/overlap_slowdown", "from 0 to 1"},
    {"OverlapSlowdownAboveOne", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "overlap_slowdown": 1.5)"),
     "/workload/overlap_slowdown", "a collective of its GPU"},
    {"OverlapSlowdownAsText", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "overlap_slowdown": "0.189")"),
     "/workload/overlap_slowdown", "expected the fraction of time added"},
    {"TpOverlapZeroChunks", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "tp_overlap": {"chunks": 0})"),
     "/workload/tp_overlap/chunks", "expected an integer from 1 to 1024"},
    {"TpOverlapNotAnObject", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "tp_overlap": true)"),
     "/workload/tp_overlap", "expected an object like {\"chunks\": 4}"},
    {"TpOverlapChunksAsText", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "tp_overlap": {"chunks": "4"})"),
     "/workload/tp_overlap/chunks", "expected an integer from 1 to 1024"},
    {"TpOverlapUnknownKey", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "tp_overlap": {"chunk": 4})"),
     "/workload/tp_overlap/chunk", "did you mean 'chunks'"},
    {"TpOverlapWithoutChunks", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "tp_overlap": {})"),
     "/workload/tp_overlap", "missing 'chunks'"},
    {"TpOverlapWithContext", scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2)",
        R"("accelerator": "h100-sxm", "tp_overlap": {"chunks": 2})"),
     "/workload/tp_overlap", "not modelled with context parallelism"},
    {"LibraryUnknown", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "library": "ncl")"),
     "/workload/library", "nccl"},
    {"LibraryUnknownInObject", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "library": {"name": "mpi"})"),
     "/workload/library/name", "nccl"},
    {"LibraryBadProtocol", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "library": {"name": "nccl", "protocol": "LL64"})"),
     "/workload/library/protocol", "LL128"},
    {"LibraryZeroEfficiency", scenario(kModel, kPlan,
        R"("accelerator": "h100-sxm", "library": {"name": "nccl", "link_efficiency": {"nvlink": "0 %"}})"),
     "/workload/library/link_efficiency/nvlink", "above 0 %"},
    {"LibraryNegativeEfficiency", scenario(kModel, kPlan,
        R"("accelerator": "h100-sxm", "library": {"name": "nccl", "link_efficiency": {"network": -0.5}})"),
     "/workload/library/link_efficiency/network", ""},
    {"LibraryUnknownKey", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "library": {"name": "nccl", "protocols": "LL"})"),
     "/workload/library/protocols", "protocol"},
    {"LibraryNotAName", scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "library": 3)"),
     "/workload/library", ""},
    {"TooManyFlows", scenario(R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 512, "global_batch": 65536, "micro_batch": 1)", kPlan),
     "/workload", "raise parallelism.layers_per_step"},
};
// clang-format on

class BadTraining : public ::testing::TestWithParam<Bad> {};

TEST_P(BadTraining, FailsAtItsPointer) {
  const Bad& b = GetParam();
  LoadOptions o;
  o.max_flows = 2'000'000;
  const ScenarioError e = error_of([&] { load_scenario_text(b.text, "t.json", o); });
  EXPECT_EQ(e.file(), "t.json");
  EXPECT_EQ(e.pointer(), b.pointer) << e.message();
  EXPECT_NE(e.message().find(b.keyword), std::string::npos) << e.message();
}

INSTANTIATE_TEST_SUITE_P(Rows, BadTraining, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.name; });

// configs/accelerators.json: H100 SXM dense BF16 989.4 TFLOP/s, 3.35 TB/s.
TEST(TrainingScenario, AcceleratorFromCatalogAndOverride) {
  const Scenario s = load_scenario_text(scenario(kModel, kPlan), "t.json");
  ASSERT_TRUE(s.training);
  EXPECT_DOUBLE_EQ(s.training->spec.peak.si(), 989.4e12);
  EXPECT_DOUBLE_EQ(s.training->spec.hbm_bandwidth.si(), 3.35e12);
  const Scenario o = load_scenario_text(
      scenario(kModel, kPlan, R"("accelerator": {"base": "h100-sxm", "hbm_bandwidth": "4 TB/s"})"),
      "t.json");
  EXPECT_DOUBLE_EQ(o.training->spec.peak.si(), 989.4e12);
  EXPECT_DOUBLE_EQ(o.training->spec.hbm_bandwidth.si(), 4e12);
  EXPECT_EQ(s.workload.kind, "training");
  EXPECT_EQ(s.workload.ranks, 16u);
}

std::string run_report(const Scenario& s) {
  const auto r = net::run_flow_model(s.topology, s.flows, s.paths, s.run_options);
  EXPECT_TRUE(r.unfinished.empty());
  return report::report_json(s, r, report::summarize(s, r));
}

// "efficiency": "roofline" takes the catalog's achievable fractions (h100-sxm: GEMM 0.79,
// attention 0.668 / 0.454, HBM 0.84); the report says so and splits the busiest GPU's
// compute time by class, the classes summing to compute_time (to the printed digits).
// A number keeps the single roofline and the report's keys.
TEST(TrainingScenario, RooflineByOperationClass) {
  const Scenario s = load_scenario_text(
      scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "efficiency": "roofline")"), "t.json");
  ASSERT_TRUE(s.training->spec.op_fractions);
  EXPECT_DOUBLE_EQ(s.training->spec.op_fractions->gemm, 0.79);
  EXPECT_DOUBLE_EQ(s.training->spec.op_fractions->attention_forward, 0.668);
  EXPECT_DOUBLE_EQ(s.training->spec.op_fractions->attention_backward, 0.454);
  EXPECT_DOUBLE_EQ(s.training->spec.op_fractions->hbm, 0.84);
  SimTime sum = SimTime::zero();
  for (const SimTime t : s.training->compute_by_class) sum += t;
  EXPECT_EQ(sum, s.training->busiest_compute);
  EXPECT_GT(s.training->compute_by_class[0], SimTime::zero());
  EXPECT_GT(s.training->compute_by_class[3], SimTime::zero());  // the optimizer step
  const std::string r = run_report(s);
  EXPECT_NE(r.find("\"efficiency\": \"roofline\""), std::string::npos);
  EXPECT_NE(r.find("\"compute_by_class\""), std::string::npos);
  const std::string plain = run_report(load_scenario_text(
      scenario(kModel, kPlan, R"("accelerator": "h100-sxm", "efficiency": 0.75)"), "t.json"));
  EXPECT_EQ(plain.find("compute_by_class"), std::string::npos);
  EXPECT_EQ(plain.find("achievable"), std::string::npos);
}

TEST(TrainingScenario, ReportIsDeterministic) {
  const std::string text = scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "sharding": "zero1")");
  const std::string a = run_report(load_scenario_text(text, "t.json"));
  const std::string b = run_report(load_scenario_text(text, "t.json"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("\"mfu\""), std::string::npos);
}

// Korthikanti et al. 2022's s^2 attention term at s = 65,536 (5 a s^2 b / t = 86 GB per
// layer with a = 16, t = 4) does not fit an 80 GB H100; with the check off it loads. An
// interleaved plan reports its schedule and the busiest GPU's memory (summary and
// training object); a plain 1F1B plan without "check_memory" keeps its report's keys.
TEST(TrainingScenario, MemoryCheckOptOutAndReportKeys) {
  const std::string big = R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000,
        "sequence": 65536, "global_batch": 16, "micro_batch": 1)";
  EXPECT_NO_THROW(load_scenario_text(
      scenario(big, kPlan, R"("accelerator": "h100-sxm", "check_memory": false)"), "t.json"));
  // The same plan as the row MemoryJustDoesNotFit, with 315 MB (it needs 314,474,496 B).
  EXPECT_NO_THROW(load_scenario_text(
      scenario(kModel, kPlan, R"("accelerator": {"base": "h100-sxm", "hbm_capacity": "315 MB"})"), "t.json"));
  const std::string plain = run_report(load_scenario_text(scenario(kModel, kPlan), "t.json"));
  EXPECT_EQ(plain.find("memory_per_gpu"), std::string::npos);
  EXPECT_EQ(plain.find("pipeline_schedule"), std::string::npos);
  const Scenario s = load_scenario_text(
      scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "virtual_stages": 2)"), "t.json");
  const std::string r = run_report(s);
  EXPECT_NE(r.find("\"pipeline_schedule\": \"interleaved_1f1b\""), std::string::npos) << r.substr(0, 3000);
  const size_t summary = r.find("\"summary\"");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_NE(r.find("\"memory_per_gpu\"", summary), std::string::npos);
  EXPECT_NE(r.find("\"virtual_stages\"", summary), std::string::npos);
}

// A GPipe or ZB-H1 plan names its schedule in the training object (and writes the
// busiest GPU's memory: the schedules differ in the activations they hold); the
// default 1F1B's reports keep their keys (above).
TEST(TrainingScenario, OtherSchedulesAreNamedInTheReport) {
  for (const std::string name : {"gpipe", "zb_h1"}) {
    const std::string r = run_report(load_scenario_text(
        scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "schedule": ")" + name + "\""), "t.json"));
    EXPECT_NE(r.find("\"pipeline_schedule\": \"" + name + "\""), std::string::npos) << name;
    EXPECT_NE(r.find("\"memory_per_gpu\""), std::string::npos) << name;
  }
  const std::string r = run_report(load_scenario_text(
      scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "schedule": "1f1b")"), "t.json"));
  EXPECT_EQ(r.find("pipeline_schedule"), std::string::npos);
}

// Issue 22.2: the training object splits the exposed communication by class (the five
// sum to exposed_communication; the critical path's seven classes to the iteration time)
// and the summary carries the split.
TEST(TrainingScenario, ExposedByClassInTheReportAndSummary) {
  const Scenario s = load_scenario_text(
      scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2)"), "t.json");
  const nlohmann::json j = nlohmann::json::parse(run_report(s));
  const nlohmann::json& t = j.at("training");
  double exposed = 0, path = 0;
  for (const char* c : {"tp", "pp", "dp", "ep", "zero3"}) exposed += t.at("exposed_by_class").at(c).get<double>();
  for (const char* c : {"compute", "tp", "pp", "dp", "ep", "zero3", "wait"}) path += t.at("critical_path").at(c).get<double>();
  const double total = t.at("exposed_communication").at("value").get<double>();
  EXPECT_GT(total, 0);
  EXPECT_NEAR(exposed / total, 1.0, 1e-9);
  EXPECT_NEAR(path / t.at("iteration_time").at("value").get<double>(), 1.0, 1e-9);
  EXPECT_GT(t.at("exposed_by_class").at("tp").get<double>(), 0);
  const nlohmann::json& summary = j.at("summary");
  EXPECT_EQ(summary.at("exposed_communication").at("value").get<double>(), total);
  EXPECT_EQ(summary.at("exposed_tp").at("value").get<double>(), t.at("exposed_by_class").at("tp").get<double>());
  EXPECT_TRUE(summary.contains("exposed_zero3"));
}

// Context parallelism: the plan names it, the traffic, the exposed split, the critical
// path and the summary get a cp class (the six exposed classes sum to the exposed time,
// the eight path classes to the iteration time), the memory per GPU is reported; a plan
// without it has none of these keys (its report keeps its bytes). With the rank order
// tensor-context-data-pipeline and t = 2 x c = 2 on 4-GPU domains, a CP group's ring
// stays in one scale-up domain.
// MoE token dropping in the report, only when a capacity factor is set: with balanced
// routing a factor cf < 1 keeps cf of each token's expert passes, so 1 - cf are dropped
// (0.25 at cf = 0.75); cf = 1.25 drops none.
TEST(TrainingScenario, CapacityFactorAndDroppedShareInTheReport) {
  const std::string moe = kModel + R"(, "experts": 8, "top_k": 2)";
  const auto report = [&](const std::string& cf) {
    return nlohmann::json::parse(run_report(load_scenario_text(
        scenario(moe + cf, R"("data": 2, "tensor": 4, "pipeline": 2, "expert": 2)"), "t.json")));
  };
  const nlohmann::json drop = report(R"(, "capacity_factor": 0.75)");
  EXPECT_DOUBLE_EQ(drop.at("training").at("moe_capacity").at("capacity_factor").get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(drop.at("training").at("moe_capacity").at("dropped_fraction").get<double>(), 0.25);
  const nlohmann::json roomy = report(R"(, "capacity_factor": 1.25)");
  EXPECT_DOUBLE_EQ(roomy.at("training").at("moe_capacity").at("dropped_fraction").get<double>(), 0.0);
  EXPECT_FALSE(report("").at("training").contains("moe_capacity"));
}

// The overlap slowdown in the report, only when set; kPlan's DP groups reduce gradient
// buckets beside the closing backward, so the compute time grows.
TEST(TrainingScenario, OverlapSlowdownInTheReport) {
  const auto report = [&](const std::string& extra) {
    return nlohmann::json::parse(run_report(load_scenario_text(
        scenario(kModel, kPlan, R"("accelerator": "h100-sxm")" + extra), "t.json")));
  };
  const nlohmann::json on = report(R"(, "overlap_slowdown": 0.189)");
  const nlohmann::json off = report("");
  EXPECT_DOUBLE_EQ(on.at("training").at("overlap_slowdown").get<double>(), 0.189);
  EXPECT_FALSE(off.at("training").contains("overlap_slowdown"));
  EXPECT_GT(on.at("training").at("compute_time").at("value").get<double>(),
            off.at("training").at("compute_time").at("value").get<double>());
}

// TP overlap in the report, only when set: the chunks, and less exposed tp than without
// (kPlan's TP 4 groups sit in 4-GPU NVLink domains; with 4 chunks a step's all-reduce
// is hidden behind its next chunks but for its last piece, docs/training.md).
TEST(TrainingScenario, TpOverlapInTheReport) {
  const auto report = [&](const std::string& extra) {
    return nlohmann::json::parse(run_report(load_scenario_text(
        scenario(kModel, kPlan, R"("accelerator": "h100-sxm")" + extra), "t.json")));
  };
  const nlohmann::json on = report(R"(, "tp_overlap": {"chunks": 4})");
  const nlohmann::json off = report("");
  EXPECT_EQ(on.at("training").at("tp_overlap").at("chunks").get<int>(), 4);
  EXPECT_FALSE(off.at("training").contains("tp_overlap"));
  const auto tp = [](const nlohmann::json& j) { return j.at("training").at("exposed_by_class").at("tp").get<double>(); };
  EXPECT_GT(tp(off), 0);
  EXPECT_LT(tp(on), tp(off));
  EXPECT_LT(on.at("training").at("iteration_time").at("value").get<double>(),
            off.at("training").at("iteration_time").at("value").get<double>());
}

// The library on a training workload (docs/training.md, "Collectives as NCCL runs them"),
// read as the collective workload reads it: TP 4 on a 4-GPU NVLink star at 100 Gb/s with
// no latency, Simple named. Each of the m L 2 = 256 all-reduces of S = 2 n h vb =
// 2 MiB (n = 512 tokens, h = 1024, bf16) gains, over the ideal 2 (t-1)/t S / B, NCCL's
// launch 8.4 us, 2 (t-1) = 6 steps of 3.4 us, and 6 (S/4) (1/0.824 - 1) / B of protocol
// and link overhead (configs/libraries.json). Reported only when set.
TEST(TrainingScenario, LibraryCostsEveryTpAllReduceInTheReport) {
  const auto report = [&](const std::string& library) {
    const std::string text =
        R"({"topology": {"kind": "star", "gpus": 4, "scale_up": true,
             "link": {"bandwidth": "100 Gbps", "latency": "0 ns"}, "switch_latency": "0 ns"},
            "workload": {"kind": "training", "accelerator": "h100-sxm", "model": {)" + kModel +
        R"(}, "parallelism": {"tensor": 4})" + library + "}}";
    return nlohmann::json::parse(run_report(load_scenario_text(text, "t.json")));
  };
  const nlohmann::json off = report("");
  const nlohmann::json on = report(R"(, "library": {"name": "nccl", "protocol": "Simple"})");
  const nlohmann::json tuned = report(R"(, "library": "nccl")");
  EXPECT_FALSE(off.at("training").contains("library"));
  const auto it = [](const nlohmann::json& j) { return j.at("training").at("iteration_time").at("value").get<double>(); };
  const double S = 2.0 * 512 * 1024 * 2, B = 100e9 / 8;
  const double added = 8.4e-6 + 6 * 3.4e-6 + 6 * (S / 4) * (1 / 0.824 - 1) / B;
  EXPECT_NEAR((it(on) - it(off)) / (256 * added), 1.0, 1e-6);
  const nlohmann::json& lib = on.at("training").at("library");
  EXPECT_EQ(lib.at("name"), "nccl");
  EXPECT_EQ(lib.at("protocol"), "Simple");
  EXPECT_EQ(lib.at("operations_by_protocol").at("tp").at("Simple").get<int>(), 256);
  // The tuner, by the closed forms at 2 MiB (LL 6.6 + 6 (0.6 + 1.27 MB / 0.824 / B)
  // = 753 us, LL128 14 + 6 (1.9 + 54.3) = 351 us, Simple 334 us): Simple as well.
  EXPECT_EQ(tuned.at("training").at("library").at("protocol"), "tuner");
  EXPECT_DOUBLE_EQ(it(tuned), it(on));
}

TEST(TrainingScenario, ContextParallelInTheReport) {
  const Scenario s = load_scenario_text(
      scenario(kModel, R"("data": 2, "tensor": 2, "pipeline": 2, "context": 2)"), "t.json");
  const nlohmann::json j = nlohmann::json::parse(run_report(s));
  const nlohmann::json& t = j.at("training");
  EXPECT_EQ(t.at("parallelism").at("context").get<int>(), 2);
  EXPECT_GT(t.at("traffic").at("cp").at("bytes").get<double>(), 0);
  EXPECT_EQ(t.at("traffic").at("cp").at("algorithm").get<std::string>(), "ring");
  EXPECT_TRUE(t.contains("memory_per_gpu"));
  double exposed = 0, path = 0;
  for (const char* c : {"tp", "pp", "dp", "ep", "zero3", "cp"}) exposed += t.at("exposed_by_class").at(c).get<double>();
  for (const char* c : {"compute", "tp", "pp", "dp", "ep", "zero3", "cp", "wait"}) path += t.at("critical_path").at(c).get<double>();
  EXPECT_NEAR(exposed / t.at("exposed_communication").at("value").get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(path / t.at("iteration_time").at("value").get<double>(), 1.0, 1e-9);
  EXPECT_TRUE(j.at("summary").contains("exposed_cp"));
  const nlohmann::json plain = nlohmann::json::parse(run_report(load_scenario_text(scenario(kModel, kPlan), "t.json")));
  EXPECT_FALSE(plain.at("training").at("traffic").contains("cp"));
  EXPECT_FALSE(plain.at("training").at("exposed_by_class").contains("cp"));
  EXPECT_FALSE(plain.at("training").at("critical_path").contains("cp"));
  EXPECT_FALSE(plain.at("training").at("parallelism").contains("context"));
  EXPECT_FALSE(plain.at("summary").contains("exposed_cp"));
  // Every ring transfer stays inside a 4-GPU domain: GPU index tp + 2 cp + 4 (dp + 2 pp).
  const std::vector<NodeId> gpus(s.topology.gpus().begin(), s.topology.gpus().end());
  size_t rings = 0;
  for (uint32_t f = 0; f < s.flows.size(); ++f) {
    if (s.flows.is_task(FlowId(f)) || s.flows.label(FlowId(f)) != "cp") continue;
    ++rings;
    const auto at = [&](NodeId n) { return std::find(gpus.begin(), gpus.end(), n) - gpus.begin(); };
    EXPECT_EQ(at(s.flows.src(FlowId(f))) / 4, at(s.flows.dst(FlowId(f))) / 4);
  }
  EXPECT_GT(rings, 0u);
}

// Sequence parallelism is named in the plan (only when on, so other reports keep their
// bytes) and turns on the memory report; a bad value fails at its pointer (kBad).
TEST(TrainingScenario, SequenceParallelInTheReport) {
  const Scenario s = load_scenario_text(
      scenario(kModel, R"("data": 2, "tensor": 4, "pipeline": 2, "sequence_parallel": true)"), "t.json");
  EXPECT_TRUE(s.training->spec.plan.sequence_parallel);
  const nlohmann::json j = nlohmann::json::parse(run_report(s));
  const nlohmann::json& t = j.at("training");
  EXPECT_EQ(t.at("parallelism").at("sequence_parallel"), true);
  EXPECT_TRUE(t.contains("memory_per_gpu"));
  const nlohmann::json plain = nlohmann::json::parse(run_report(load_scenario_text(scenario(kModel, kPlan), "t.json")));
  EXPECT_FALSE(plain.at("training").at("parallelism").contains("sequence_parallel"));
}

// The shipped scenarios with a batch of one micro-batch per pipeline (fast), checked
// against the papers' parameter counts (Brown et al. 2020: 175.0 B; Llama 3: 70 B).
TEST(TrainingScenario, ShippedScenariosLoad) {
  struct Case {
    const char* file;
    const char* batch;
    double params, tolerance;
  };
  for (const Case c : {Case{"gpt3_175b.json", "workload.model.global_batch=8", 175.0e9, 0.005},
                       Case{"llama3_70b.json", "workload.model.global_batch=32", 70e9, 0.01}}) {
    LoadOptions o;
    o.overrides = {c.batch};
    const Scenario s =
        load_scenario(std::string(ROSHNI_SOURCE_DIR) + "/scenarios/training/" + c.file, o);
    ASSERT_TRUE(s.training) << c.file;
    EXPECT_NEAR(s.training->params / c.params, 1.0, c.tolerance) << c.file;
    EXPECT_FALSE(s.description.empty());
  }
}

}  // namespace
}  // namespace roshni::scenario

namespace roshni::scenario {
namespace {

// TP 2 inside domains of 4: each domain holds two members of every DP group (GPUs 4k+r
// and 4k+2+r), so the gradient all-reduce is hierarchical (inside the domain, then a
// ring between the 4 domains); TP 4 fills the domain and leaves one member per domain:
// a plain ring.
TEST(TrainingScenario, DataParallelAllReduceIsHierarchicalWhenDomainsHoldSeveralRanks) {
  const auto dp_algorithm = [](const std::string& plan) {
    const Scenario s = load_scenario_text(scenario(kModel, plan), "t.json");
    return s.training->traffic[static_cast<size_t>(work::Traffic::dp)].algorithm;
  };
  EXPECT_EQ(dp_algorithm(R"("data": 8, "tensor": 2, "pipeline": 1)"), "hierarchical(ring)");
  EXPECT_EQ(dp_algorithm(R"("data": 4, "tensor": 4, "pipeline": 1)"), "ring");
}

}  // namespace
}  // namespace roshni::scenario
