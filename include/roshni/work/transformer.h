/// A decoder-only transformer as the training workload sees it: shapes, from which its
/// parameter count and its FLOPs and HBM bytes per token follow in closed form
/// (docs/training.md derives each one). Plain data and arithmetic; no parallelism here
/// (parallelism.h) and no flows (training.h).
#pragma once

#include <cstdint>
#include <string>

namespace roshni::work {

enum class MlpKind : uint8_t {
  standard,  // two matrices h x f with a GELU between (GPT-3)
  gated,     // three matrices h x f, SwiGLU (Llama): up, gate, down
};

struct TransformerModel {
  uint32_t layers = 0;
  uint32_t hidden = 0;    // h
  uint32_t heads = 0;     // attention heads; head dimension h / heads
  uint32_t kv_heads = 0;  // key/value heads (grouped-query attention); = heads for MHA
  uint32_t ffn = 0;       // f, the MLP's inner size (per expert for MoE)
  MlpKind mlp = MlpKind::standard;
  uint32_t vocabulary = 0;
  uint32_t sequence = 0;       // s, tokens per sample
  uint32_t experts = 0;        // 0: dense; else every layer's MLP is a mixture of experts
  uint32_t top_k = 1;          // experts each token is routed to (MoE)
  /// MoE expert capacity factor cf: an expert takes at most cf x tokens x top_k / experts
  /// tokens (Megatron-Core's moe_expert_capacity_factor), the rest are dropped (they skip
  /// the expert). 0 = no capacity limit, nothing dropped.
  double capacity_factor = 0;
  bool tied_embeddings = true; // the output head reuses the input embedding matrix
  uint32_t global_batch = 0;   // samples per iteration
  uint32_t micro_batch = 0;    // samples per micro-batch (per data-parallel rank)
  std::string precision = "bf16";
  uint32_t bytes_per_value = 2;  // of the precision: weights, activations and gradients
};

/// Expert passes a token's layer runs, on average: top_k, or with a capacity factor
/// cf < 1 (routing being perfectly balanced, each expert receives top_k x tokens / experts
/// and keeps cf of them) top_k x cf. cf >= 1 drops nothing.
double kept_top_k(const TransformerModel& m);

/// Per layer, parameters (weight matrices; biases and norms are left out, < 0.1%).
double attention_params(const TransformerModel& m);  // h(h + 2 kv) + h^2
double mlp_params(const TransformerModel& m);        // (2 or 3) h f, one expert
double layer_params(const TransformerModel& m);      // attention + experts x mlp
/// Parameters a token passes through in one layer: attention + top_k x mlp (dense: mlp).
double layer_active_params(const TransformerModel& m);
/// All parameters: layers x layer_params + V h (tied) or 2 V h (untied).
double total_params(const TransformerModel& m);
/// The same counting only the experts a token uses (= total_params for a dense model).
double active_params(const TransformerModel& m);

/// Forward FLOPs per token of one layer: 2 x layer_active_params (matmuls) + 4 s h
/// (scores Q K^T and the weighted sum A V over all s positions, as Narayanan et al. 2021
/// count them: no saving for the causal mask).
double layer_forward_flops_per_token(const TransformerModel& m);
/// Forward FLOPs per token of the output head (logits): 2 h V.
double head_forward_flops_per_token(const TransformerModel& m);
/// Model FLOPs per token for forward and backward (backward = 2 x forward):
/// 3 (L x layer_forward + head_forward) = 6 N_active + 12 L s h - 6 V h [untied only].
double model_flops_per_token(const TransformerModel& m);

}  // namespace roshni::work
