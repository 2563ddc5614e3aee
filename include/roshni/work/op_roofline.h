/// Compute time by operation class (issue 22, item 4): a training compute step is split
/// into GEMMs, the attention core, element-wise and normalisation kernels, and the
/// optimizer step; each class gets its own roofline with a sourced achievable fraction,
/// and the step takes the SUM of its classes (the kernels run one after another). The
/// equations and byte counts are in docs/training.md, "Compute by operation class".
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/work/transformer.h"

namespace roshni::work {

enum class OpClass : uint8_t { gemm, attention, elementwise, optimizer };
inline constexpr std::array<std::string_view, 4> kOpClassNames = {"gemm", "attention", "elementwise",
                                                                 "optimizer"};

/// Achievable fractions: GEMM and attention of the dense peak at the model's precision,
/// `hbm` of the HBM bandwidth (for every class's bytes). All in (0, 1].
struct OpFractions {
  double gemm = 0;
  double attention_forward = 0;   // FLOPs as counted here (4 s h per token, not halved)
  double attention_backward = 0;  // backward FLOPs counted as 2 x forward
  double hbm = 0;
};

/// Per-GPU work of a compute step by class.
struct OpWork {
  double gemm_flops = 0, gemm_bytes = 0;
  double attention_forward_flops = 0, attention_backward_flops = 0, attention_bytes = 0;
  double elementwise_bytes = 0;
  double optimizer_bytes = 0;

  OpWork& operator+=(const OpWork& o);
  OpWork scaled(double f) const;
  /// The backward of this forward work: 2 x its FLOPs and bytes (docs/training.md), the
  /// attention FLOPs moved to the backward kernel's fraction.
  OpWork backward() const;
};

/// Forward work of one step (k layers, one micro-batch of n = b s tokens) on one GPU of
/// TP degree t: its attention half (QKV and output projections, the attention core, one
/// layer norm and one bias-dropout-residual), its MLP half (up/gate and down GEMMs, the
/// activation, one layer norm and one bias-dropout-residual), the output head (its GEMM
/// and the loss reading the logits) and the attention core alone (what selective
/// recomputation runs again). FLOPs and GEMM/attention bytes add up to the single
/// roofline's (shape_of in training.cpp); the layer-norm, residual and loss bytes are new.
struct StepOps {
  OpWork attn, mlp, head, core;
};
StepOps step_ops(const TransformerModel& model, uint32_t tensor, uint32_t expert, uint32_t layers_per_step,
                 bool sequence_parallel);

/// Time of each class: max(FLOPs / (peak x fraction), bytes / (HBM x hbm)) (GEMM,
/// attention), bytes / (HBM x hbm) (element-wise, optimizer), each rounded up to a
/// picosecond. A step takes their sum.
std::array<SimTime, 4> class_times(const OpWork& w, FlopRate peak, DataRate hbm, const OpFractions& f);

}  // namespace roshni::work
