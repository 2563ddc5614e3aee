// Parameter and FLOP counts of the transformer against closed forms and published
// figures (the formulas are derived in docs/training.md, "Parameters and FLOPs").
#include "roshni/work/transformer.h"

#include <cmath>

#include <gtest/gtest.h>

namespace roshni::work {
namespace {

TransformerModel gpt3_175b() {
  // Brown et al. 2020, Table 2.1; vocabulary 51,200 as Narayanan et al. 2021 use it.
  TransformerModel m;
  m.layers = 96;
  m.hidden = 12288;
  m.heads = 96;
  m.kv_heads = 96;
  m.ffn = 4 * 12288;
  m.vocabulary = 51200;
  m.sequence = 2048;
  m.global_batch = 1536;
  m.micro_batch = 1;
  return m;
}

TransformerModel llama3_70b() {
  // Llama 3 paper (Grattafiori et al. 2024), Table 3: 80 layers, model dimension 8192,
  // FFN 28672, 64 heads, 8 key/value heads, vocabulary 128,000 (128,256 in the release).
  TransformerModel m;
  m.layers = 80;
  m.hidden = 8192;
  m.heads = 64;
  m.kv_heads = 8;
  m.ffn = 28672;
  m.mlp = MlpKind::gated;
  m.vocabulary = 128256;
  m.sequence = 8192;
  m.tied_embeddings = false;
  return m;
}

// Standard MLP with f = 4h and MHA: per layer 3h^2 (QKV) + h^2 (projection) + 8h^2
// (MLP) = 12 h^2, plus the tied embedding V h: N = 12 L h^2 + V h.
TEST(Transformer, Gpt3ParamsAreTwelveLHSquaredPlusEmbedding) {
  const TransformerModel m = gpt3_175b();
  const double h = 12288, L = 96, V = 51200;
  EXPECT_DOUBLE_EQ(total_params(m), 12 * L * h * h + V * h);
  // Brown et al. 2020: 175.0 B (their count adds biases, norms and 2048 x h positions).
  EXPECT_NEAR(total_params(m) / 175.0e9, 1.0, 0.005);
}

// Llama 3 70B: attention h(h + 2 kv) + h^2 with kv = 8 x 128 = 1024; gated MLP 3 h f;
// untied head: 2 V h. 80 (8192 x 10240 + 8192^2 + 3 x 8192 x 28672) + 2 x 128256 x 8192
// = 70.55 B; the paper calls it 70B.
TEST(Transformer, Llama3ParamsWithGqaAndGatedMlp) {
  const TransformerModel m = llama3_70b();
  const double h = 8192, f = 28672, kv = 1024, L = 80, V = 128256;
  EXPECT_DOUBLE_EQ(total_params(m), L * (h * (h + 2 * kv) + h * h + 3 * h * f) + 2 * V * h);
  EXPECT_NEAR(total_params(m) / 70e9, 1.0, 0.01);
}

// FLOPs per token, forward + backward = 3 x forward: matmuls 2 per weight, attention
// 4 s h per layer, head 2 h V: 3 (L (2 P_layer + 4 s h) + 2 h V). With a tied
// embedding N = L P_layer + V h, so this is 6 N + 12 L s h: "6 x params plus attention".
TEST(Transformer, FlopsPerTokenAreSixNPlusAttention) {
  const TransformerModel m = gpt3_175b();
  const double L = 96, s = 2048, h = 12288;
  const double expected = 6 * total_params(m) + 12 * L * s * h;
  EXPECT_NEAR(model_flops_per_token(m) / expected, 1.0, 1e-12);
  // The attention term is s / (6 h) of the layer matmuls: 2.8% for GPT-3.
  EXPECT_NEAR((12 * L * s * h) / (72 * L * h * h), 2048.0 / (6 * 12288), 1e-12);
}

// Narayanan et al. 2021, eq. (3) without recomputation (3 passes instead of 4):
// F = 72 B s L h^2 (1 + s / (6h) + V / (12 L h)) per iteration.
TEST(Transformer, MatchesNarayananIterationFormula) {
  const TransformerModel m = gpt3_175b();
  const double B = 1536, s = 2048, L = 96, h = 12288, V = 51200;
  const double narayanan = 72 * B * s * L * h * h * (1 + s / (6 * h) + V / (12 * L * h));
  EXPECT_NEAR(model_flops_per_token(m) * B * s / narayanan, 1.0, 1e-12);
}

// Untied: the input embedding does no matmul, so 6 N over-counts by 6 V h.
TEST(Transformer, UntiedEmbeddingDoesNoFlops) {
  const TransformerModel m = llama3_70b();
  const double L = 80, s = 8192, h = 8192, V = 128256;
  EXPECT_NEAR(model_flops_per_token(m) / (6 * total_params(m) - 6 * V * h + 12 * L * s * h), 1.0,
              1e-12);
}

// A mixture of 8 experts with top-2 routing: 8 MLPs held, 2 used per token.
TEST(Transformer, MixtureOfExpertsCountsActiveExperts) {
  TransformerModel m = gpt3_175b();
  m.layers = 2;
  m.experts = 8;
  m.top_k = 2;
  const double h = 12288, V = 51200, mlp = 8 * h * h;
  EXPECT_DOUBLE_EQ(total_params(m), 2 * (4 * h * h + 8 * mlp) + V * h);
  EXPECT_DOUBLE_EQ(active_params(m), 2 * (4 * h * h + 2 * mlp) + V * h);
  EXPECT_NEAR(model_flops_per_token(m) / (6 * active_params(m) + 12 * 2 * 2048 * h), 1.0, 1e-12);
}

}  // namespace
}  // namespace roshni::work
