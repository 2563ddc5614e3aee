/// Serving a decoder-only transformer: one prefill batch and a few decode steps as a flow
/// DAG (compute steps at their roofline time, the expert-parallel all-to-alls and TP
/// all-reduces a plan implies, each emitted by a coll/ algorithm, and the KV cache sent
/// from the prefill pool to the decode pool). The model may use multi-head latent
/// attention (MLA) and a mixture of experts with shared experts and leading dense layers,
/// as DeepSeek-V3 does. Equations and what is simplified: docs/serving.md. Inputs are
/// trusted: the scenario layer checks them (src/scenario/serving.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/flow_set.h"

namespace roshni::work {

enum class AttentionKind : uint8_t {
  gqa,  // grouped-query attention: kv_heads key and value heads of head_dim each
  mla,  // multi-head latent attention (DeepSeek-V2/V3): a compressed KV latent per token
};

struct ServingModel {
  std::string name;
  uint32_t layers = 0;
  uint32_t dense_layers = 0;  // the first ones have a dense MLP of dense_ffn (MoE models)
  uint32_t hidden = 0;        // h
  uint32_t heads = 0;
  uint32_t vocabulary = 0;
  AttentionKind attention = AttentionKind::gqa;
  uint32_t head_dim = 0;      // gqa: per head (q, k and v)
  uint32_t kv_heads = 0;      // gqa
  uint32_t q_lora_rank = 0;   // mla: the query's compressed size (0 = a plain h x heads q)
  uint32_t kv_lora_rank = 0;  // mla: the cached latent c_kv
  uint32_t rope_dim = 0;      // mla: the decoupled rotary key, cached too
  uint32_t nope_dim = 0;      // mla: per head, the query/key part without rotary embedding
  uint32_t v_head_dim = 0;    // mla: per head
  uint32_t dense_ffn = 0;     // gated MLP inner size of a dense layer (all layers when experts = 0)
  uint32_t expert_ffn = 0;    // gated MLP inner size of one expert
  uint32_t experts = 0;       // routed experts per MoE layer (0 = dense model)
  uint32_t shared_experts = 0;
  uint32_t top_k = 0;
  bool tied_embeddings = false;
};

/// The DeepSeek-V3-like model (DeepSeek-AI, arXiv 2412.19437, sec. 4.2 and its config):
/// 61 layers (3 dense, 58 MoE), h 7168, 128 heads, MLA with q rank 1536, kv rank 512,
/// rope 64, nope 128, v 128; dense MLP 18432; 256 routed experts of 2048 + 1 shared,
/// top-8; vocabulary 129280, untied.
ServingModel deepseek_v3();

// Per layer, weights (matrices only; norms, biases and the router's h x experts left out).
double serving_attention_params(const ServingModel& m);
double dense_mlp_params(const ServingModel& m);   // 3 h dense_ffn (gated)
double expert_params(const ServingModel& m);      // 3 h expert_ffn, one expert
double serving_total_params(const ServingModel& m);
double serving_active_params(const ServingModel& m);  // what a token passes through
/// Values cached per token per layer: MLA kv_lora_rank + rope_dim; GQA 2 kv_heads head_dim.
double kv_values_per_token_layer(const ServingModel& m);
/// Attention FLOPs per token per layer over `context` earlier positions (scores and the
/// weighted sum), beyond the projections: prefill in MLA's expanded form
/// 2 heads ctx (nope + rope + v); decode in its absorbed form 2 heads ctx (2 kv_rank + rope);
/// GQA 4 heads ctx head_dim in both.
double attention_score_flops(const ServingModel& m, double context, bool decode);

/// One pool's plan: `gpus` consecutive GPUs from `first`, attention tensor-parallel over
/// groups of `tensor` (data-parallel across the groups), routed experts spread over EP
/// groups of `expert` consecutive GPUs (every group holds all of them).
struct PoolPlan {
  uint32_t first = 0, gpus = 1, tensor = 1, expert = 1;
  uint32_t groups() const { return gpus / tensor; }  // attention data-parallel degree
};

struct ServingSpec {
  ServingModel model;
  std::string precision = "bf16";  // of the weights and the GEMMs
  /// Of the attention core (attention_score_flops: scores and the weighted sum), which
  /// serving systems often keep in BF16 while the GEMMs run in FP8 or INT8.
  std::string attention_precision = "bf16";
  double weight_bytes = 2;         // per weight
  double kv_bytes = 2;             // per cached value
  double dispatch_bytes = 2;       // per value of a token sent to its experts
  double combine_bytes = 2;        // per value of an expert's output sent back
  double activation_bytes = 2;     // per value of a TP all-reduce
  std::string accelerator;
  FlopRate peak;            // at `precision`: the projections, MLPs, experts and head
  FlopRate attention_peak;  // at `attention_precision`; zero = `peak`
  DataRate hbm_bandwidth;
  double prefill_efficiency = 1.0;  // achievable fraction of peak, prefill GEMMs
  double decode_efficiency = 1.0;   // and decode
  double hbm_efficiency = 1.0;      // achievable fraction of HBM bandwidth
  bool disaggregated = true;        // else colocated: the prefill pool also decodes
  PoolPlan prefill, decode;         // colocated: decode = prefill
  uint32_t input_tokens = 0, output_tokens = 0;
  uint32_t prefill_batch = 1;  // sequences in one prefill batch (the whole prefill pool)
  uint32_t batch = 1;          // concurrent sequences in the decode pool
  uint32_t decode_steps = 4;   // >= 2; the steady state is measured from step 1 on
  uint32_t mtp_depth = 0;      // multi-token prediction: extra draft tokens per step
  double mtp_acceptance = 0;   // probability each draft token is accepted
  uint32_t layers_per_step = 1;  // layers of one type merged into one compute step
  double tpot_bound = 0;         // seconds; 0 = none
  /// Seconds each EP all-to-all (dispatch, combine) of each MoE layer costs beyond its
  /// flows: kernel launch, synchronisation, the library's software path. An assumption.
  double ep_overhead = 0;
};

/// Tokens a sequence advances per decode step: 1 + a + a^2 + ... + a^depth.
double tokens_per_step(const ServingSpec& spec);
/// Mean context a decode step attends over: input + (output - 1) / 2.
double decode_context(const ServingSpec& spec);

/// Per GPU of a pool, the HBM the serving needs: the weights it holds and the KV cache of
/// its sequences (full length, input + output). For the scenario's "fits" check.
double weight_bytes_per_gpu(const ServingSpec& spec, const PoolPlan& p);
double kv_cache_bytes_per_gpu(const ServingSpec& spec, const PoolPlan& p, uint32_t sequences);

struct ServingInfo {
  ServingSpec spec;
  double params = 0, active_params = 0;
  double kv_bytes_per_token = 0;     // all layers
  double prefill_tokens = 0;         // prefill_batch x input_tokens
  double decode_tokens = 0;          // batch x tokens_per_step x decode_steps
  double ep_bytes_per_decode_step = 0;  // dispatch + combine, all decode GPUs, all layers
  double kv_transfer_bytes = 0;
  std::vector<FlowId> prefill_ends;     // the last compute step of each prefill GPU
  std::vector<FlowId> kv_transfers;     // one per sequence (disaggregated)
  /// Per decode step, the last compute step of each decode GPU.
  std::vector<std::vector<FlowId>> step_ends;
};

/// Entries build_serving would add (a closed form, to refuse a huge plan first).
double serving_flow_count(const ServingSpec& spec);

/// Appends the prefill batch and the decode steps to `flows`; `gpus[i]` is GPU i.
ServingInfo build_serving(const ServingSpec& spec, std::span<const NodeId> gpus, net::FlowSet& flows);

/// Roofline time: max(flops / (peak x efficiency), bytes / (HBM x hbm_efficiency)).
SimTime serving_roofline(double flops, double bytes, const ServingSpec& spec, double efficiency);

}  // namespace roshni::work
