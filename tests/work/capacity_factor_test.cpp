// MoE expert capacity factor (docs/training.md, "Expert parallel"): an expert keeps at
// most cf x tokens x top_k / experts tokens (Megatron-Core's moe_expert_capacity_factor);
// with perfectly balanced routing each receives exactly tokens x top_k / experts, so
// cf >= 1 drops nothing and cf < 1 keeps cf of every expert's tokens: the all-to-all
// bytes and the expert FLOPs follow top_k cf; the model FLOPs (MFU) do not.
#include <vector>

#include <gtest/gtest.h>

#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

TrainingSpec moe(double cf) {
  TrainingSpec s = small_training_spec();
  s.model.experts = 8;
  s.model.top_k = 2;
  s.model.capacity_factor = cf;
  s.plan.data = 4;
  s.plan.expert = 4;
  s.plan.tensor = 2;
  return s;
}

/// Sum of the durations of the compute steps labelled `label`.
double task_time(const net::FlowSet& flows, const std::string& label) {
  double sum = 0;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) && flows.label(id) == label) sum += flows.task_time(id).duration().si();
  }
  return sum;
}

// Direct all-to-all over e = 4 ranks: (e - 1) S per operation, S = b s top_k' h vb / t
// with top_k' = top_k min(cf, 1); 4 per layer and micro-batch (dispatch and combine,
// forward and backward), m = 16 / 4 micro-batches, L = 8 layers, t = 2 TP ranks and one
// EP group. Expert MLP forward per GPU and layer: b s top_k' 2 (2 h f) / t FLOPs; with
// f = 4h: 16 h^2 per kept token pass, at 500 TFLOP/s (compute-bound here).
TEST(CapacityFactor, CapsAllToAllBytesAndExpertFlops) {
  const double h = 1024, L = 8, m = 4, e = 4, t = 2, n = 1024, vb = 2;
  for (const double cf : {0.0, 0.5, 1.0, 1.25}) {
    const TrainingSpec s = moe(cf);
    net::FlowSet flows;
    const TrainingInfo info = build_training(s, ids(8), flows);
    const double kept = 2 * (cf > 0 && cf < 1 ? cf : 1.0);
    const double S = n * kept * h * vb / t;
    EXPECT_NEAR(info.traffic[static_cast<size_t>(Traffic::ep)].bytes.si() / (t * 4 * m * L * (e - 1) * S), 1.0, 1e-9)
        << cf;
    const double fwd_mlp = 8 * m * L * n * kept * 16 * h * h / t / 500e12;  // 8 GPUs
    EXPECT_NEAR(task_time(flows, "fwd_mlp") / fwd_mlp, 1.0, 1e-6) << cf;
    // Dropped tokens are lost work: the model FLOPs per token keep all top_k experts.
    EXPECT_EQ(info.model_flops_per_token, build_training(moe(0), ids(8), flows).model_flops_per_token);
  }
}

}  // namespace
}  // namespace roshni::work
