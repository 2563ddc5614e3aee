// Compute time by operation class; the equations are in docs/training.md ("Compute by
// operation class").
#include "roshni/work/op_roofline.h"

#include <algorithm>

namespace roshni::work {

OpWork& OpWork::operator+=(const OpWork& o) {
  gemm_flops += o.gemm_flops;
  gemm_bytes += o.gemm_bytes;
  attention_forward_flops += o.attention_forward_flops;
  attention_backward_flops += o.attention_backward_flops;
  attention_bytes += o.attention_bytes;
  elementwise_bytes += o.elementwise_bytes;
  optimizer_bytes += o.optimizer_bytes;
  return *this;
}

OpWork OpWork::scaled(double f) const {
  OpWork w;
  w.gemm_flops = f * gemm_flops;
  w.gemm_bytes = f * gemm_bytes;
  w.attention_forward_flops = f * attention_forward_flops;
  w.attention_backward_flops = f * attention_backward_flops;
  w.attention_bytes = f * attention_bytes;
  w.elementwise_bytes = f * elementwise_bytes;
  w.optimizer_bytes = f * optimizer_bytes;
  return w;
}

OpWork OpWork::backward() const {
  OpWork w = scaled(2);
  w.attention_backward_flops += w.attention_forward_flops;
  w.attention_forward_flops = 0;
  return w;
}

StepOps step_ops(const TransformerModel& mo, uint32_t tensor, uint32_t expert, uint32_t layers_per_step,
                 bool sequence_parallel) {
  const double h = mo.hidden, t = tensor, k = layers_per_step, vb = mo.bytes_per_value;
  const double n = static_cast<double>(mo.micro_batch) * mo.sequence;
  const double kv = static_cast<double>(mo.kv_heads) * (h / mo.heads);
  const double f = mo.ffn, s = mo.sequence, V = mo.vocabulary;
  const bool moe = mo.experts > 0;
  const double used = moe ? kept_top_k(mo) : 1;  // expert passes kept (capacity factor)
  const double local_experts = moe ? static_cast<double>(mo.experts) / expert : 1;
  const double g = mo.mlp == MlpKind::gated ? 2 : 1;
  // One layer norm (read h, write h values) and one bias-dropout-residual add (read the
  // block output and the residual, write the sum: 3 h values, plus a 1-byte dropout mask
  // per element) per block and token; not split by TP (every rank holds the whole hidden
  // state), but with sequence parallelism each rank runs them on 1/t of the tokens
  // (Korthikanti et al. 2022, sec. 4.2.2).
  const double norm_residual = (5 * vb + 1) * h / (sequence_parallel ? t : 1);
  StepOps o;
  OpWork& a = o.attn;
  // QKV GEMM: reads the hidden state (h), writes q, k, v ((h + 2 kv) / t); output
  // projection: reads the attention output (h / t), writes h; the weights once.
  a.gemm_flops = k * n * 2 * attention_params(mo) / t;
  a.gemm_bytes = k * (attention_params(mo) * vb / t + n * vb * (2 * h + (h + 2 * kv) / t + h / t));
  // The attention core: QK^T and AV, 4 s h FLOPs per token (not halved for the causal
  // mask, as the model FLOPs count it); reads q, k, v and writes its output.
  a.attention_forward_flops = k * n * 4 * s * h / t;
  a.attention_bytes = k * n * vb * ((h + 2 * kv) / t + h / t);
  a.elementwise_bytes = k * n * norm_residual;
  OpWork& m = o.mlp;
  // Up (and gate) GEMM: reads h, writes g f / t; down GEMM: reads f / t, writes h.
  m.gemm_flops = k * n * used * 2 * mlp_params(mo) / t;
  m.gemm_bytes = k * (local_experts * mlp_params(mo) * vb / t + n * used * vb * (2 * h + (g * f + f) / t));
  // The activation reads the up (and gate) outputs and writes its own.
  m.elementwise_bytes = k * n * used * vb * (g * f + f) / t + k * n * norm_residual;
  OpWork& hd = o.head;
  hd.gemm_flops = n * head_forward_flops_per_token(mo) / t;
  hd.gemm_bytes = V * h * vb / t + n * vb * (h + V / t);
  hd.elementwise_bytes = n * vb * V / t;  // the loss reads the logits
  o.core.attention_forward_flops = a.attention_forward_flops;
  o.core.attention_bytes = k * n * vb * (2 * h + 2 * kv) / t;
  return o;
}

std::array<SimTime, 4> class_times(const OpWork& w, FlopRate peak, DataRate hbm, const OpFractions& f) {
  const double P = peak.si(), B = hbm.si() * f.hbm;
  const auto ceil = [](double s) { return to_sim_time_ceil(seconds(s)); };
  std::array<SimTime, 4> out{};
  out[static_cast<size_t>(OpClass::gemm)] = ceil(std::max(w.gemm_flops / (P * f.gemm), w.gemm_bytes / B));
  const double attention_compute =
      w.attention_forward_flops / (P * f.attention_forward) + w.attention_backward_flops / (P * f.attention_backward);
  out[static_cast<size_t>(OpClass::attention)] = ceil(std::max(attention_compute, w.attention_bytes / B));
  out[static_cast<size_t>(OpClass::elementwise)] = ceil(w.elementwise_bytes / B);
  out[static_cast<size_t>(OpClass::optimizer)] = ceil(w.optimizer_bytes / B);
  return out;
}

}  // namespace roshni::work
