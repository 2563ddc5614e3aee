// Serving as a flow DAG: one prefill batch on the prefill pool, its KV cache sent to the
// decode pool, and a few decode steps of the decode pool's batch. Per GPU a chain of
// compute steps (roofline time); per MoE layer (group) an all-to-all that dispatches the
// tokens to their experts and one that combines the outputs (Lepikhin et al. 2020,
// GShard; DeepSeek-V3's serving, arXiv 2412.19437 sec. 3.4); attention data-parallel
// across groups of `tensor` GPUs that all-reduce (Shoeybi et al. 2019). MLA's cache and
// its absorbed decode form after DeepSeek-V2 (arXiv 2405.04434, sec. 2.1). Every
// equation is in docs/serving.md. Nothing here iterates an unordered container.
#include "roshni/work/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "roshni/coll/registry.h"
#include "roshni/core/error.h"
#include "work/collective_step.h"

namespace roshni::work {

ServingModel deepseek_v3() {
  ServingModel m;
  m.name = "deepseek-v3";
  m.layers = 61;
  m.dense_layers = 3;
  m.hidden = 7168;
  m.heads = 128;
  m.vocabulary = 129280;
  m.attention = AttentionKind::mla;
  m.q_lora_rank = 1536;
  m.kv_lora_rank = 512;
  m.rope_dim = 64;
  m.nope_dim = 128;
  m.v_head_dim = 128;
  m.dense_ffn = 18432;
  m.expert_ffn = 2048;
  m.experts = 256;
  m.shared_experts = 1;
  m.top_k = 8;
  m.tied_embeddings = false;
  return m;
}

double serving_attention_params(const ServingModel& m) {
  const double h = m.hidden, H = m.heads;
  if (m.attention == AttentionKind::gqa) {
    // Q and O h x (H d); K and V h x (kv d).
    return 2 * h * H * m.head_dim + 2 * h * static_cast<double>(m.kv_heads) * m.head_dim;
  }
  const double qk = static_cast<double>(m.nope_dim) + m.rope_dim;
  // Query: h -> q_rank -> H (nope + rope), or h -> H (nope + rope) without compression.
  const double q = m.q_lora_rank > 0 ? h * m.q_lora_rank + m.q_lora_rank * H * qk : h * H * qk;
  // Key/value: h -> (kv_rank + rope), the latent up to H (nope + v); output H v -> h.
  const double kv = h * (static_cast<double>(m.kv_lora_rank) + m.rope_dim) +
                    m.kv_lora_rank * H * (static_cast<double>(m.nope_dim) + m.v_head_dim);
  return q + kv + H * m.v_head_dim * h;
}

double dense_mlp_params(const ServingModel& m) { return 3.0 * m.hidden * m.dense_ffn; }
double expert_params(const ServingModel& m) { return 3.0 * m.hidden * m.expert_ffn; }

namespace {
uint32_t moe_layers(const ServingModel& m) { return m.experts > 0 ? m.layers - m.dense_layers : 0; }
uint32_t dense_count(const ServingModel& m) { return m.experts > 0 ? m.dense_layers : m.layers; }
double embeddings(const ServingModel& m) {
  const double vh = static_cast<double>(m.vocabulary) * m.hidden;
  return m.tied_embeddings ? vh : 2 * vh;
}
}  // namespace

double serving_total_params(const ServingModel& m) {
  const double moe = (static_cast<double>(m.experts) + m.shared_experts) * expert_params(m);
  return m.layers * serving_attention_params(m) + dense_count(m) * dense_mlp_params(m) +
         moe_layers(m) * moe + embeddings(m);
}

double serving_active_params(const ServingModel& m) {
  const double moe = (static_cast<double>(m.top_k) + m.shared_experts) * expert_params(m);
  return m.layers * serving_attention_params(m) + dense_count(m) * dense_mlp_params(m) +
         moe_layers(m) * moe + embeddings(m);
}

double kv_values_per_token_layer(const ServingModel& m) {
  if (m.attention == AttentionKind::mla) return static_cast<double>(m.kv_lora_rank) + m.rope_dim;
  return 2.0 * m.kv_heads * m.head_dim;
}

double attention_score_flops(const ServingModel& m, double context, bool decode) {
  const double H = m.heads;
  if (m.attention == AttentionKind::gqa) return 4 * H * context * m.head_dim;
  if (decode) return 2 * H * context * (2.0 * m.kv_lora_rank + m.rope_dim);
  return 2 * H * context * (static_cast<double>(m.nope_dim) + m.rope_dim + m.v_head_dim);
}

double tokens_per_step(const ServingSpec& spec) {
  double t = 1, a = 1;
  for (uint32_t i = 0; i < spec.mtp_depth; ++i) {
    a *= spec.mtp_acceptance;
    t += a;
  }
  return t;
}

double decode_context(const ServingSpec& spec) {
  return spec.input_tokens + (static_cast<double>(spec.output_tokens) - 1) / 2;
}

SimTime serving_roofline(double flops, double bytes, const ServingSpec& spec, double efficiency) {
  const double compute = flops / (spec.peak.si() * efficiency);
  const double memory = bytes / (spec.hbm_bandwidth.si() * spec.hbm_efficiency);
  return to_sim_time_ceil(seconds(std::max(compute, memory)));
}

namespace {
/// Weights one GPU of pool p holds: attention, dense MLPs, shared experts and the head
/// split over its TP group; its EP group's share of the routed experts.
double weights_per_gpu(const ServingModel& m, const PoolPlan& p) {
  const double t = p.tensor;
  const double replicated = m.layers * serving_attention_params(m) + dense_count(m) * dense_mlp_params(m) +
                            moe_layers(m) * m.shared_experts * expert_params(m) + embeddings(m);
  const double routed = moe_layers(m) * (static_cast<double>(m.experts) / p.expert) * expert_params(m);
  return replicated / t + routed;
}
}  // namespace

double weight_bytes_per_gpu(const ServingSpec& spec, const PoolPlan& p) {
  return weights_per_gpu(spec.model, p) * spec.weight_bytes;
}

double kv_cache_bytes_per_gpu(const ServingSpec& spec, const PoolPlan& p, uint32_t sequences) {
  const ServingModel& m = spec.model;
  const double per_group = static_cast<double>(sequences) / p.groups();
  const double length = static_cast<double>(spec.input_tokens) + spec.output_tokens;
  // MLA's latent is shared by all heads: every TP rank keeps all of it; GQA's heads split.
  const double split = m.attention == AttentionKind::mla ? 1.0 : p.tensor;
  return per_group * length * kv_values_per_token_layer(m) * m.layers * spec.kv_bytes / split;
}

namespace {

using coll::CollectiveKind;

/// A run of `count` consecutive layers of one kind.
struct Chunk {
  uint32_t count;
  bool moe;
};

std::vector<Chunk> chunks_of(const ServingSpec& spec) {
  std::vector<Chunk> out;
  const ServingModel& m = spec.model;
  const uint32_t k = spec.layers_per_step;
  for (uint32_t left = dense_count(m); left > 0;) {
    const uint32_t c = std::min(k, left);
    out.push_back({c, false});
    left -= c;
  }
  for (uint32_t left = moe_layers(m); left > 0;) {
    const uint32_t c = std::min(k, left);
    out.push_back({c, true});
    left -= c;
  }
  return out;
}

/// Per GPU of a pool, for one layer: the attention half (with the dense MLP or the shared
/// experts, tensor-parallel alike) and the routed experts, and the all-to-all sizes.
struct LayerWork {
  double attn_flops = 0, attn_bytes = 0;        // + dense MLP / shared experts
  double dense_flops = 0, dense_bytes = 0;      // the dense MLP (dense layers)
  double shared_flops = 0, shared_bytes = 0;    // the shared experts (MoE layers)
  double expert_flops = 0, expert_bytes = 0;    // the routed experts (MoE layers)
  double dispatch = 0, combine = 0;             // all-to-all send buffer per GPU
  double tp_bytes = 0;                          // all-reduce size per layer
  double head_flops = 0, head_bytes = 0;
};

/// `sequences` in the pool, `tokens` per sequence this pass, attending over `context`.
LayerWork layer_work(const ServingSpec& spec, const PoolPlan& p, double sequences, double tokens,
                     double context, bool decode) {
  const ServingModel& m = spec.model;
  LayerWork w;
  const double t = p.tensor, h = m.hidden;
  const double per_group = sequences / p.groups();
  const double n = per_group * tokens;  // tokens through one attention group
  const double A = serving_attention_params(m);
  const double kv_layer = kv_values_per_token_layer(m) * spec.kv_bytes;
  const double split = m.attention == AttentionKind::mla ? 1.0 : t;
  // The attention core runs at its own peak: counted here as the FLOPs that would take
  // the same time at `peak`, so the step's compute time is
  // (gemm / peak + core / attention_peak) / efficiency. With one precision the factor is
  // exactly 1 and the sum is the same number as before the field existed.
  const double slower = spec.attention_peak.si() > 0 ? spec.peak.si() / spec.attention_peak.si() : 1.0;
  w.attn_flops = n * (2 * A + slower * attention_score_flops(m, context, decode)) / t;
  // The weights once; decode reads every sequence's cache once (draft tokens share the
  // read), prefill writes the new tokens' cache.
  w.attn_bytes = A * spec.weight_bytes / t +
                 (decode ? per_group * context * kv_layer : n * kv_layer) / split;
  w.dense_flops = n * 2 * dense_mlp_params(m) / t;
  w.dense_bytes = dense_mlp_params(m) * spec.weight_bytes / t;
  w.shared_flops = n * 2 * m.shared_experts * expert_params(m) / t;
  w.shared_bytes = m.shared_experts * expert_params(m) * spec.weight_bytes / t;
  // Each TP rank routes 1/t of its group's tokens; balanced experts: a GPU computes as
  // many (token, expert) pairs as it sends, and reads all of its local experts.
  const double routed = n / t * m.top_k;
  w.expert_flops = routed * 2 * expert_params(m);
  w.expert_bytes = (static_cast<double>(m.experts) / p.expert) * expert_params(m) * spec.weight_bytes;
  w.dispatch = routed * h * spec.dispatch_bytes;
  w.combine = routed * h * spec.combine_bytes;
  // Two all-reduces per layer (after attention, after the MLP), as one of twice the size.
  w.tp_bytes = 2 * n * h * spec.activation_bytes;
  // Logits only for the tokens that are sampled: the last of each sequence in prefill.
  const double sampled = decode ? n : per_group;
  w.head_flops = sampled * 2 * h * m.vocabulary / t;
  w.head_bytes = static_cast<double>(m.vocabulary) * h * spec.weight_bytes / t;
  return w;
}

using detail::algorithm;
using detail::make;

/// Builds (or, without a FlowSet, only counts) the DAG.
class Builder {
 public:
  Builder(const ServingSpec& spec, std::span<const NodeId> gpus, net::FlowSet* flows)
      : spec_(spec), gpus_(gpus), flows_(flows), chunks_(chunks_of(spec)) {
    const uint32_t n = std::max(spec.prefill.first + spec.prefill.gpus, spec.decode.first + spec.decode.gpus);
    tail_.resize(n);
  }

  ServingInfo run() {
    const ServingModel& m = spec_.model;
    info_.spec = spec_;
    info_.params = serving_total_params(m);
    info_.active_params = serving_active_params(m);
    info_.kv_bytes_per_token = kv_values_per_token_layer(m) * m.layers * spec_.kv_bytes;
    info_.prefill_tokens = static_cast<double>(spec_.prefill_batch) * spec_.input_tokens;
    info_.decode_tokens = static_cast<double>(spec_.batch) * tokens_per_step(spec_) * spec_.decode_steps;
    const PoolPlan& d = spec_.decode;
    const LayerWork dw = layer_work(spec_, d, spec_.batch, 1.0 + spec_.mtp_depth, decode_context(spec_), true);
    info_.ep_bytes_per_decode_step = moe_layers(m) * d.gpus * (dw.dispatch + dw.combine);

    // Prefill: the whole pool runs one batch; the KV cache then goes to the decode pool.
    const PoolPlan& p = spec_.prefill;
    const double s = spec_.input_tokens;
    pass(p, layer_work(spec_, p, spec_.prefill_batch, s, (s + 1) / 2, false), spec_.prefill_efficiency, "p");
    for (uint32_t g = 0; g < p.gpus; ++g) {
      if (flows_) info_.prefill_ends.push_back(tail_[p.first + g].front());
    }
    if (spec_.disaggregated) kv_transfer();
    // Decode: colocated, after the prefill on the same GPUs; disaggregated, from the start
    // (the pool is busy with earlier sequences: its steady state).
    for (uint32_t step = 0; step < spec_.decode_steps; ++step) {
      pass(d, dw, spec_.decode_efficiency, "d");
      if (!flows_) continue;
      auto& ends = info_.step_ends.emplace_back();
      for (uint32_t g = 0; g < d.gpus; ++g) ends.push_back(tail_[d.first + g].front());
    }
    return info_;
  }

  double counted() const { return count_; }

 private:
  /// A compute step on GPU g after its chain.
  void compute(uint32_t g, std::string label, double flops, double bytes_, double efficiency) {
    count_ += 1;
    if (!flows_) return;
    const SimTime time = serving_roofline(flops, bytes_, spec_, efficiency);
    const FlowId id = flows_->add_task(std::move(label), gpus_[g], time, tail_[g]);
    tail_[g].assign(1, id);
  }

  /// A collective over GPUs `idx`, after their chains; their chains then wait for it.
  void collective(CollectiveKind kind, const char* alg, std::span<const uint32_t> idx, double size,
                  std::string prefix) {
    if (idx.size() < 2 || size <= 0) return;
    std::vector<NodeId> ranks;
    for (uint32_t g : idx) ranks.push_back(gpus_.empty() ? NodeId(g) : gpus_[g]);
    const coll::Collective c = make(kind, std::move(ranks), size, std::move(prefix));
    const auto& a = algorithm(kind, alg);
    count_ += coll::flow_count(c, a);
    if (!flows_) return;
    std::vector<FlowId> after;
    for (uint32_t g : idx) after.insert(after.end(), tail_[g].begin(), tail_[g].end());
    const auto ends = coll::append_collective(c, a, *flows_, after);
    for (uint32_t g : idx) tail_[g] = ends;
  }

  /// One pass of every layer over pool p (a prefill batch or a decode step).
  void pass(const PoolPlan& p, const LayerWork& w, double eff, const char* phase) {
    std::vector<uint32_t> idx;
    for (size_t ci = 0; ci < chunks_.size(); ++ci) {
      const Chunk& c = chunks_[ci];
      const double k = c.count;
      const std::string tag = fmt::format("{}{}/L{}", phase, pass_, ci);
      for (uint32_t g = 0; g < p.gpus; ++g) {
        compute(p.first + g, tag + "/attn", k * (w.attn_flops + (c.moe ? w.shared_flops : w.dense_flops)),
                k * (w.attn_bytes + (c.moe ? w.shared_bytes : w.dense_bytes)), eff);
      }
      if (p.tensor > 1) {
        for (uint32_t grp = 0; grp < p.groups(); ++grp) {
          idx.clear();
          for (uint32_t r = 0; r < p.tensor; ++r) idx.push_back(p.first + grp * p.tensor + r);
          collective(CollectiveKind::all_reduce, "ring", idx, k * w.tp_bytes, tag + "/tp");
        }
      }
      if (!c.moe) continue;
      ep(p, k * w.dispatch, tag + "/dispatch", c.count);
      for (uint32_t g = 0; g < p.gpus; ++g) {
        compute(p.first + g, tag + "/experts", k * w.expert_flops, k * w.expert_bytes, eff);
      }
      ep(p, k * w.combine, tag + "/combine", c.count);
    }
    // The output head (logits), the pass's last step on every GPU.
    for (uint32_t g = 0; g < p.gpus; ++g) {
      compute(p.first + g, fmt::format("{}{}/head", phase, pass_), w.head_flops, w.head_bytes, eff);
    }
    ++pass_;
  }

  /// The EP all-to-all of `layers` merged layers over every EP group, then each GPU's
  /// fixed overhead of `layers` x ep_overhead (one per layer's all-to-all).
  void ep(const PoolPlan& p, double size, const std::string& prefix, uint32_t layers) {
    std::vector<uint32_t> idx;
    for (uint32_t grp = 0; grp < p.gpus / p.expert; ++grp) {
      idx.clear();
      for (uint32_t j = 0; j < p.expert; ++j) idx.push_back(p.first + grp * p.expert + j);
      collective(CollectiveKind::all_to_all, "direct", idx, size, prefix);
    }
    if (spec_.ep_overhead <= 0 || p.expert < 2) return;
    const SimTime wait = to_sim_time_ceil(seconds(layers * spec_.ep_overhead));
    for (uint32_t g = 0; g < p.gpus; ++g) {
      count_ += 1;
      if (!flows_) continue;
      const uint32_t n = p.first + g;
      const FlowId id = flows_->add_task(prefix + "/overhead", gpus_[n], wait, tail_[n]);
      tail_[n].assign(1, id);
    }
  }

  /// Each prefilled sequence's cache, from its attention group's first GPU to a decode
  /// attention group's first GPU (round robin); it does not hold up either chain.
  void kv_transfer() {
    const PoolPlan& p = spec_.prefill;
    const PoolPlan& d = spec_.decode;
    const double size = spec_.input_tokens * info_.kv_bytes_per_token;
    const uint32_t per_group = spec_.prefill_batch / p.groups();
    for (uint32_t j = 0; j < spec_.prefill_batch; ++j) {
      count_ += 1;
      info_.kv_transfer_bytes += size;
      if (!flows_) continue;
      const uint32_t from = p.first + (j / per_group) * p.tensor;
      const uint32_t to = d.first + (j % d.groups()) * d.tensor;
      info_.kv_transfers.push_back(
          flows_->add(fmt::format("kv/{}", j), gpus_[from], gpus_[to], bytes(size), tail_[from]));
    }
  }

  const ServingSpec& spec_;
  std::span<const NodeId> gpus_;
  net::FlowSet* flows_;
  std::vector<Chunk> chunks_;
  std::vector<std::vector<FlowId>> tail_;
  ServingInfo info_;
  double count_ = 0;
  uint32_t pass_ = 0;
};

}  // namespace

double serving_flow_count(const ServingSpec& spec) {
  Builder b(spec, {}, nullptr);
  b.run();
  return b.counted();
}

ServingInfo build_serving(const ServingSpec& spec, std::span<const NodeId> gpus, net::FlowSet& flows) {
  Builder b(spec, gpus, &flows);
  return b.run();
}

}  // namespace roshni::work
