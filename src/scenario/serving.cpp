#include "scenario/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "roshni/core/text.h"
#include "scenario/json_text.h"
#include "scenario/physical.h"

// Each check fails at the field to change and names the numbers it compared.

namespace roshni::scenario {
namespace {

const std::vector<std::string> kModels = {"deepseek-v3"};
const std::vector<std::string> kAttention = {"gqa", "mla"};
const std::vector<std::string> kPrecisions = {"bf16", "fp16", "fp8", "int8"};
const std::vector<std::string> kModes = {"disaggregated", "colocated"};
constexpr int64_t kMaxCount = int64_t{1} << 24;

std::string pick(const JsonNode& node, const std::vector<std::string>& known, std::string_view what) {
  const std::string s = node.as_string();
  if (std::find(known.begin(), known.end(), s) != known.end()) return s;
  const std::string hint = suggest(s, known);
  node.fail(fmt::format("unknown {} '{}'{}{}: {}", what, escape_text(s), hint,
                        hint.empty() ? "; known ones" : " Known ones", quoted_list(known)));
}

uint32_t count_or(const JsonNode& parent, std::string_view key, uint32_t fallback, int64_t min = 1,
                  int64_t max = kMaxCount) {
  const auto n = parent.get(key);
  return n ? static_cast<uint32_t>(n->as_int(min, max)) : fallback;
}

double fraction(const JsonNode& n, std::string_view what) {
  if (!n.raw().is_number()) n.fail(fmt::format("expected {} (a number in (0, 1]), got {}", what, describe_value(n.raw())));
  const double v = n.raw().get<double>();
  if (!(v > 0 && v <= 1)) n.fail(fmt::format("expected {} in (0, 1], got {}", what, v));
  return v;
}

double bytes_of(const std::string& precision) {
  return precision == "fp8" || precision == "int8" ? 1 : 2;
}

/// A named model, or an object of its fields (optionally {"base": name, ...overrides}).
work::ServingModel model(const JsonNode& m) {
  if (m.raw().is_string()) {
    pick(m, kModels, "model");
    return work::deepseek_v3();
  }
  m.expect_keys({"base", "name", "layers", "dense_layers", "hidden", "heads", "vocabulary", "attention",
                 "head_dim", "kv_heads", "q_lora_rank", "kv_lora_rank", "rope_dim", "nope_dim",
                 "v_head_dim", "dense_ffn", "expert_ffn", "experts", "shared_experts", "top_k",
                 "tied_embeddings"});
  work::ServingModel o;
  if (const auto b = m.get("base")) {
    pick(*b, kModels, "model");
    o = work::deepseek_v3();
  } else {
    o.name = "scenario";
  }
  if (const auto n = m.get("name")) o.name = n->as_string();
  const bool based = m.has("base");
  const auto need = [&](std::string_view key, uint32_t& field, std::string_view like, int64_t min = 1) {
    if (const auto n = m.get(key)) {
      field = static_cast<uint32_t>(n->as_int(min, kMaxCount));
    } else if (!based) {
      m.fail(fmt::format("missing '{}': {}", key, like));
    }
  };
  need("layers", o.layers, "the number of layers, like 61");
  need("hidden", o.hidden, "the hidden size, like 7168");
  need("heads", o.heads, "the attention heads, like 128");
  need("vocabulary", o.vocabulary, "the vocabulary size, like 129280");
  if (const auto a = m.get("attention")) {
    o.attention = pick(*a, kAttention, "attention kind") == "mla" ? work::AttentionKind::mla
                                                                   : work::AttentionKind::gqa;
  }
  if (o.attention == work::AttentionKind::gqa) {
    o.head_dim = count_or(m, "head_dim", o.head_dim ? o.head_dim : o.hidden / o.heads);
    o.kv_heads = count_or(m, "kv_heads", o.kv_heads ? o.kv_heads : o.heads, 1, o.heads);
    if (o.heads % o.kv_heads != 0) {
      m.at("kv_heads", "").fail(fmt::format("{} key/value heads do not divide the {} heads", o.kv_heads, o.heads));
    }
  } else {
    o.q_lora_rank = count_or(m, "q_lora_rank", o.q_lora_rank, 0);
    need("kv_lora_rank", o.kv_lora_rank, "MLA's cached latent size, like 512");
    need("rope_dim", o.rope_dim, "MLA's rotary key size, like 64");
    need("nope_dim", o.nope_dim, "MLA's per-head query/key size without rotary embedding, like 128");
    need("v_head_dim", o.v_head_dim, "MLA's per-head value size, like 128");
  }
  o.experts = count_or(m, "experts", o.experts, 0);
  if (o.experts == 1) m.at("experts", "").fail("a mixture of experts needs at least 2 experts (0 = dense)");
  o.dense_ffn = count_or(m, "dense_ffn", o.dense_ffn);
  if (o.dense_ffn == 0) m.fail("missing 'dense_ffn': the dense (gated) MLP's inner size, like 18432");
  if (o.experts > 0) {
    o.expert_ffn = count_or(m, "expert_ffn", o.expert_ffn);
    o.top_k = count_or(m, "top_k", o.top_k, 1, o.experts);
    o.shared_experts = count_or(m, "shared_experts", o.shared_experts, 0);
    o.dense_layers = count_or(m, "dense_layers", o.dense_layers, 0, o.layers - 1);
    if (o.expert_ffn == 0) m.fail("missing 'expert_ffn': one expert's inner size, like 2048");
    if (o.top_k == 0) m.fail("missing 'top_k': the experts each token is routed to, like 8");
  } else {
    for (const char* k : {"expert_ffn", "top_k", "shared_experts"}) {
      if (const auto n = m.get(k)) n->fail(fmt::format("'{}' applies to a mixture of experts; set 'experts' too", k));
    }
  }
  if (o.dense_layers >= o.layers && o.experts > 0) {
    m.at("dense_layers", "").fail(fmt::format("{} dense layers leave no MoE layer of {}", o.dense_layers, o.layers));
  }
  if (const auto t = m.get("tied_embeddings")) o.tied_embeddings = t->as_bool();
  return o;
}

/// The accelerator's HBM capacity: the workload's "hbm_capacity", the accelerator
/// object's, or its catalog entry's (of its "base").
DataSize hbm_capacity(const JsonNode& w, const JsonNode& an, const TrainingContext& ctx) {
  if (const auto c = w.get("hbm_capacity")) return c->as_data_size();
  if (an.is_object()) {
    if (const auto c = an.get("hbm_capacity")) return c->as_data_size();
  }
  std::string name;
  if (an.raw().is_string()) name = an.as_string();
  if (an.is_object() && an.has("base")) name = an.at("base", "").as_string();
  if (!name.empty()) {
    hw::Catalog cat;
    load_accelerators(ctx.catalog_dir, ctx.reader, cat);
    const Document doc = Document::load(cat.accelerators_file, ctx.reader);
    const nlohmann::json& entry = doc.json()["accelerators"][name];
    if (entry.contains("hbm_capacity")) {
      const std::string file = cat.accelerators_file;
      const FileOf file_of = [file](const std::string&) { return file; };
      const JsonNode node(entry["hbm_capacity"], "/accelerators/" + name + "/hbm_capacity", &file_of);
      return node.as_data_size();
    }
  }
  w.fail("the accelerator gives no 'hbm_capacity'; set the workload's \"hbm_capacity\", like \"128 GB\"");
}

/// A pool's plan at `p` (prefill or decode), its first GPU `first`.
work::PoolPlan pool(const JsonNode& p, const work::ServingModel& mo, uint32_t first, bool plan_given) {
  work::PoolPlan o;
  o.first = first;
  if (!plan_given) return o;
  o.gpus = static_cast<uint32_t>(p.at("gpus", "the pool's GPUs, like 32").as_int(1, kMaxCount));
  o.tensor = count_or(p, "tensor", 1);
  o.expert = count_or(p, "expert", mo.experts > 0 ? o.gpus : 1);
  const auto fail_at = [&](std::string_view key, const std::string& msg) {
    if (const auto n = p.get(key)) n->fail(msg);
    p.fail(fmt::format("{} (the default '{}' is {})", msg, key, key == "expert" ? "all the pool's GPUs" : "1"));
  };
  if (o.gpus % o.tensor != 0) fail_at("tensor", fmt::format("tensor parallelism {} does not divide the pool's {} GPUs", o.tensor, o.gpus));
  if (mo.heads % o.tensor != 0) fail_at("tensor", fmt::format("tensor parallelism {} does not divide the {} attention heads", o.tensor, mo.heads));
  if (mo.attention == work::AttentionKind::gqa && mo.kv_heads % o.tensor != 0) {
    fail_at("tensor", fmt::format("tensor parallelism {} does not divide the {} key/value heads", o.tensor, mo.kv_heads));
  }
  if (mo.experts == 0 && o.expert > 1) fail_at("expert", fmt::format("expert parallelism {} needs a mixture of experts", o.expert));
  if (o.gpus % o.expert != 0) fail_at("expert", fmt::format("expert parallelism {} does not divide the pool's {} GPUs", o.expert, o.gpus));
  if (mo.experts > 0 && mo.experts % o.expert != 0) {
    fail_at("expert", fmt::format("expert parallelism {} does not divide the {} routed experts; every GPU of an "
                                  "EP group holds the same number", o.expert, mo.experts));
  }
  return o;
}

}  // namespace

work::ServingInfo load_serving(const JsonNode& w, const TrainingContext& ctx, net::FlowSet& flows) {
  w.expect_keys({"kind", "model", "precision", "kv_precision", "accelerator", "hbm_capacity", "mode", "prefill",
                 "decode", "input_tokens", "output_tokens", "decode_steps", "mtp", "hbm_efficiency",
                 "layers_per_step", "tpot_bound", "ep_overhead", "attention_precision"});
  work::ServingSpec spec;
  spec.model = model(w.at("model", "a model name like \"deepseek-v3\" or an object of its shapes"));
  const work::ServingModel& mo = spec.model;
  if (const auto p = w.get("precision")) spec.precision = pick(*p, kPrecisions, "precision");
  spec.weight_bytes = bytes_of(spec.precision);
  spec.dispatch_bytes = spec.weight_bytes;  // tokens go to their experts quantized like the GEMMs
  spec.kv_bytes = 2;
  if (const auto p = w.get("kv_precision")) spec.kv_bytes = bytes_of(pick(*p, kPrecisions, "KV cache precision"));

  // ---- the accelerator ----
  const JsonNode an = w.at("accelerator", "a catalog accelerator like \"gb200-gpu\", or an object");
  const hw::AcceleratorPart part = workload_accelerator(an, ctx);
  spec.peak = peak_at_precision(part, an, spec.precision, w);
  spec.attention_precision = spec.precision;
  spec.attention_peak = spec.peak;
  if (const auto ap = w.get("attention_precision")) {
    spec.attention_precision = pick(*ap, kPrecisions, "attention precision");
    const auto peak = part.peak_flops.find(spec.attention_precision);
    if (peak == part.peak_flops.end()) {
      std::vector<std::string> has;
      for (const auto& [k, v] : part.peak_flops) has.push_back(k);
      ap->fail(fmt::format("the accelerator '{}' ({}) has no peak for '{}' to run the attention core at; it lists {}",
                           escape_text(part.name), an.pointer(), spec.attention_precision, quoted_list(has)));
    }
    spec.attention_peak = peak->second;
  }
  spec.accelerator = part.name;
  spec.hbm_bandwidth = part.hbm_bandwidth;
  const DataSize capacity = hbm_capacity(w, an, ctx);
  if (const auto e = w.get("hbm_efficiency")) spec.hbm_efficiency = fraction(*e, "a fraction of HBM bandwidth");

  // ---- the request and the pools ----
  spec.input_tokens = static_cast<uint32_t>(w.at("input_tokens", "the prompt length, like 4096").as_int(1, kMaxCount));
  spec.output_tokens = static_cast<uint32_t>(w.at("output_tokens", "the tokens generated, like 1024").as_int(1, kMaxCount));
  spec.decode_steps = count_or(w, "decode_steps", 4, 2, 1024);
  if (const auto k = w.get("layers_per_step")) spec.layers_per_step = static_cast<uint32_t>(k->as_int(1, mo.layers));
  if (const auto m = w.get("mode")) spec.disaggregated = pick(*m, kModes, "serving mode") == "disaggregated";
  if (const auto t = w.get("tpot_bound")) spec.tpot_bound = t->as_duration(false).si();
  if (const auto t = w.get("ep_overhead")) spec.ep_overhead = t->as_duration(true).si();
  if (const auto m = w.get("mtp")) {
    m->expect_keys({"depth", "acceptance"});
    spec.mtp_depth = count_or(*m, "depth", 1, 0, 8);
    const JsonNode a = m->at("acceptance", "the probability a draft token is accepted, like 0.85");
    spec.mtp_acceptance = a.as_number(0, 1, "a probability");
  }
  const JsonNode d = w.at("decode", "the decode pool, like {\"gpus\": 32, \"expert\": 32, \"batch\": 1024}");
  d.expect_keys({"gpus", "tensor", "expert", "batch", "efficiency"});
  const JsonNode pf = w.at("prefill", "the prefill batch (and pool, disaggregated), like {\"gpus\": 16, \"batch\": 16}");
  pf.expect_keys({"gpus", "tensor", "expert", "batch", "efficiency"});
  if (!spec.disaggregated) {
    for (const char* k : {"gpus", "tensor", "expert"}) {
      if (const auto n = pf.get(k)) n->fail(fmt::format("colocated serving prefills on the decode pool; give '{}' in {}", k, d.pointer()));
    }
  }
  spec.prefill = pool(pf, mo, 0, spec.disaggregated);
  spec.decode = pool(d, mo, spec.disaggregated ? spec.prefill.gpus : 0, true);
  if (!spec.disaggregated) spec.prefill = spec.decode;
  const size_t have = ctx.topology->gpus().size();
  const uint64_t used = uint64_t{spec.decode.first} + spec.decode.gpus;
  if (used > have) {
    (spec.disaggregated ? w : d).fail(fmt::format("the pools need {} GPUs (prefill.gpus {} + decode.gpus {}), "
                                                  "but the topology has {}", used, spec.disaggregated ? spec.prefill.gpus : 0,
                                                  spec.decode.gpus, have));
  }
  spec.batch = static_cast<uint32_t>(d.at("batch", "the concurrent sequences of the decode pool, like 1024").as_int(1, kMaxCount));
  spec.prefill_batch = static_cast<uint32_t>(pf.at("batch", "the sequences of one prefill batch, like 16").as_int(1, kMaxCount));
  if (const auto e = d.get("efficiency")) spec.decode_efficiency = fraction(*e, "a fraction of peak");
  if (const auto e = pf.get("efficiency")) spec.prefill_efficiency = fraction(*e, "a fraction of peak");
  if (spec.batch % spec.decode.groups() != 0) {
    d.at("batch", "").fail(fmt::format("batch {} is not a multiple of the decode pool's {} attention groups "
                                       "(gpus {} / tensor {}): every group serves as many sequences",
                                       spec.batch, spec.decode.groups(), spec.decode.gpus, spec.decode.tensor));
  }
  if (spec.prefill_batch % spec.prefill.groups() != 0) {
    pf.at("batch", "").fail(fmt::format("batch {} is not a multiple of the prefill pool's {} attention groups "
                                        "(gpus {} / tensor {}): every group prefills as many sequences",
                                        spec.prefill_batch, spec.prefill.groups(), spec.prefill.gpus, spec.prefill.tensor));
  }
  // What a decode GPU holds: its weights and its sequences' whole caches.
  const auto fits = [&](const work::PoolPlan& p, uint32_t sequences, const JsonNode& at, const char* pool_name) {
    const double weights = work::weight_bytes_per_gpu(spec, p);
    const double kv = work::kv_cache_bytes_per_gpu(spec, p, sequences);
    if (weights + kv > capacity.si()) {
      at.at("batch", "").fail(fmt::format(
          "the {} pool does not fit in HBM: per GPU {:.4g} GB of weights + {:.4g} GB of KV cache ({} sequences of "
          "{} tokens over {} attention groups) > {:.4g} GB; lower the batch, raise the pool's GPUs or expert "
          "parallelism, or quantize (precision, kv_precision)",
          pool_name, weights / 1e9, kv / 1e9, sequences, spec.input_tokens + spec.output_tokens, p.groups(),
          capacity.si() / 1e9));
    }
  };
  fits(spec.decode, spec.batch, d, "decode");
  if (spec.disaggregated) fits(spec.prefill, spec.prefill_batch, pf, "prefill");

  const double n = work::serving_flow_count(spec);
  if (n > static_cast<double>(ctx.max_flows) || n >= FlowId::kInvalid) {
    w.fail(fmt::format("this serving run would be {:.0f} flows and compute steps, more than the limit of {}; "
                       "raise layers_per_step or lower decode_steps", n, ctx.max_flows));
  }
  std::vector<NodeId> order(ctx.topology->gpus().begin(), ctx.topology->gpus().end());
  return work::build_serving(spec, order, flows);
}

}  // namespace roshni::scenario
