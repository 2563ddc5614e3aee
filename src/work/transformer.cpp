#include "roshni/work/transformer.h"

// Counting after Kaplan et al., "Scaling Laws for Neural Language Models" (2020), sec.
// 2.1, and Narayanan et al., "Efficient Large-Scale Language Model Training on GPU
// Clusters Using Megatron-LM" (SC 2021), appendix: a matmul of an (n x k) by a (k x m)
// matrix is 2 n k m FLOPs; the backward pass of a matmul computes the gradients of both
// its inputs, two matmuls of the same size, so backward = 2 x forward.

namespace roshni::work {

namespace {
double kv_dim(const TransformerModel& m) {
  return static_cast<double>(m.kv_heads) * (static_cast<double>(m.hidden) / m.heads);
}
}  // namespace

double attention_params(const TransformerModel& m) {
  const double h = m.hidden;
  // Q (h x h), K and V (h x kv each), output projection (h x h).
  return h * (h + 2 * kv_dim(m)) + h * h;
}

double mlp_params(const TransformerModel& m) {
  const double matrices = m.mlp == MlpKind::gated ? 3 : 2;
  return matrices * m.hidden * static_cast<double>(m.ffn);
}

double layer_params(const TransformerModel& m) {
  const double experts = m.experts > 0 ? m.experts : 1;
  return attention_params(m) + experts * mlp_params(m);
}

double kept_top_k(const TransformerModel& m) {
  const double k = m.top_k;
  return m.capacity_factor > 0 && m.capacity_factor < 1 ? k * m.capacity_factor : k;
}

double layer_active_params(const TransformerModel& m) {
  const double used = m.experts > 0 ? m.top_k : 1;
  return attention_params(m) + used * mlp_params(m);
}

double total_params(const TransformerModel& m) {
  const double vh = static_cast<double>(m.vocabulary) * m.hidden;
  return m.layers * layer_params(m) + (m.tied_embeddings ? vh : 2 * vh);
}

double active_params(const TransformerModel& m) {
  const double vh = static_cast<double>(m.vocabulary) * m.hidden;
  return m.layers * layer_active_params(m) + (m.tied_embeddings ? vh : 2 * vh);
}

double layer_forward_flops_per_token(const TransformerModel& m) {
  // Each token: one multiply-add per weight (2 FLOPs); attention: its query against all
  // s keys (2 s h) and the weighted sum of s values (2 s h).
  return 2 * layer_active_params(m) + 4.0 * m.sequence * m.hidden;
}

double head_forward_flops_per_token(const TransformerModel& m) {
  return 2.0 * m.hidden * m.vocabulary;
}

double model_flops_per_token(const TransformerModel& m) {
  return 3 * (m.layers * layer_forward_flops_per_token(m) + head_forward_flops_per_token(m));
}

}  // namespace roshni::work
