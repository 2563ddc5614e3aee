#include "scenario/training.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "roshni/core/text.h"
#include "scenario/collective.h"
#include "scenario/fold.h"
#include "scenario/json_text.h"
#include "scenario/physical.h"

// Each check fails at the field the user should change, and names the other fields it
// was compared with by their pointers, so "3 does not divide 96 heads" says where both
// numbers came from.

namespace roshni::scenario {
namespace {

const std::vector<std::string> kMlpKinds = {"standard", "gated"};
const std::vector<std::string> kPrecisions = {"bf16", "fp16", "fp8", "tf32", "fp32"};
const std::vector<std::string> kShardings = {"none", "zero1", "zero2", "zero3"};
const std::vector<std::string> kDims = {"tensor", "context", "data", "pipeline"};
const std::vector<std::string> kSchedules = {"1f1b", "gpipe", "zb_h1"};
const std::vector<std::string> kRecompute = {"none", "selective", "full"};
const std::vector<std::string> kEfficiencyModels = {"roofline"};
const std::vector<std::string> kSimulate = {"all_replicas", "one_replica", "one_replica_lower_bound"};
constexpr int64_t kMaxCount = int64_t{1} << 24;
constexpr int64_t kMaxDegree = int64_t{1} << 20;

std::string pick(const JsonNode& node, const std::vector<std::string>& known, std::string_view what) {
  const std::string s = node.as_string();
  if (std::find(known.begin(), known.end(), s) != known.end()) return s;
  const std::string hint = suggest(s, known);
  node.fail(fmt::format("unknown {} '{}'{}{}: {}", what, escape_text(s), hint,
                        hint.empty() ? "; known ones" : " Known ones", quoted_list(known)));
}

uint32_t count(const JsonNode& parent, std::string_view key, std::string_view expected,
               int64_t min = 1, int64_t max = kMaxCount) {
  return static_cast<uint32_t>(parent.at(key, expected).as_int(min, max));
}

uint32_t count_or(const JsonNode& parent, std::string_view key, uint32_t fallback,
                  int64_t min = 1, int64_t max = kMaxCount) {
  const auto n = parent.get(key);
  return n ? static_cast<uint32_t>(n->as_int(min, max)) : fallback;
}

/// A plain JSON number in (lo, hi].
double number(const JsonNode& n, double lo, double hi, std::string_view what) {
  if (!n.raw().is_number()) {
    n.fail(fmt::format("expected {} (a number in ({}, {}]), got {}", what, lo, hi, describe_value(n.raw())));
  }
  const double v = n.raw().get<double>();
  if (!(v > lo && v <= hi)) n.fail(fmt::format("expected {} in ({}, {}], got {}", what, lo, hi, v));
  return v;
}

uint32_t bytes_of(const std::string& precision) {
  if (precision == "fp8") return 1;
  if (precision == "tf32" || precision == "fp32") return 4;
  return 2;
}

work::TransformerModel model(const JsonNode& m) {
  m.expect_keys({"layers", "hidden", "heads", "kv_heads", "ffn", "mlp", "vocabulary", "sequence",
                 "experts", "top_k", "tied_embeddings", "global_batch", "micro_batch",
                 "precision", "capacity_factor"});
  work::TransformerModel o;
  o.layers = count(m, "layers", "the number of transformer layers, like 96");
  o.hidden = count(m, "hidden", "the hidden size, like 12288");
  o.heads = count(m, "heads", "the number of attention heads, like 96");
  if (o.hidden % o.heads != 0) {
    m.at("heads", "").fail(fmt::format("{} heads do not divide the hidden size {} ({}/hidden)",
                                       o.heads, o.hidden, m.pointer()));
  }
  o.kv_heads = count_or(m, "kv_heads", o.heads, 1, o.heads);
  if (o.heads % o.kv_heads != 0) {
    m.at("kv_heads", "").fail(fmt::format("{} key/value heads do not divide the {} attention heads",
                                          o.kv_heads, o.heads));
  }
  o.ffn = count_or(m, "ffn", 4 * o.hidden);
  if (const auto k = m.get("mlp")) o.mlp = pick(*k, kMlpKinds, "MLP kind") == "gated"
                                               ? work::MlpKind::gated : work::MlpKind::standard;
  o.vocabulary = count(m, "vocabulary", "the vocabulary size, like 51200");
  o.sequence = count(m, "sequence", "the sequence length in tokens, like 2048");
  o.experts = count_or(m, "experts", 0, 0);
  if (const auto k = m.get("top_k")) {
    if (o.experts == 0) k->fail("'top_k' applies to a mixture of experts; set 'experts' too");
    o.top_k = static_cast<uint32_t>(k->as_int(1, o.experts));
  } else if (o.experts > 0) {
    m.fail("missing 'top_k': the number of experts each token is routed to, like 2");
  }
  if (o.experts == 1) m.at("experts", "").fail("a mixture of experts needs at least 2 experts (0 = dense)");
  if (const auto c = m.get("capacity_factor")) {
    if (o.experts == 0) c->fail("'capacity_factor' applies to a mixture of experts; set 'experts' too");
    o.capacity_factor = number(*c, 0, 1e6, "an expert capacity factor (1.0 = each expert takes its "
                                           "balanced share of tokens)");
  }
  if (const auto t = m.get("tied_embeddings")) o.tied_embeddings = t->as_bool();
  o.global_batch = count(m, "global_batch", "the samples per iteration, like 1536");
  o.micro_batch = count(m, "micro_batch", "the samples per micro-batch, like 1");
  if (const auto p = m.get("precision")) o.precision = pick(*p, kPrecisions, "precision");
  o.bytes_per_value = bytes_of(o.precision);
  return o;
}

/// The accelerator: a catalog name, or an object ({"base": name, ...fields}) whose
/// fields override the base's (or give all of them).
hw::AcceleratorPart accelerator(const JsonNode& a, const TrainingContext& ctx) {
  hw::Catalog cat;
  const auto load = [&] {
    if (cat.accelerators.empty()) load_accelerators(ctx.catalog_dir, ctx.reader, cat);
  };
  const auto named = [&](const JsonNode& n) -> const hw::AcceleratorPart& {
    load();
    const std::string name = n.as_string();
    const auto it = cat.accelerators.find(name);
    if (it == cat.accelerators.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : cat.accelerators) names.push_back(k);
      n.fail(fmt::format("unknown accelerator '{}'{}; the catalog ({}) has {}", escape_text(name),
                         suggest(name, names), cat.accelerators_file, quoted_list(names)));
    }
    return it->second;
  };
  if (a.raw().is_string()) return named(a);
  if (!a.is_object()) {
    a.fail(fmt::format("expected an accelerator name like \"h100-sxm\" or an object with "
                       "'peak_flops' and 'hbm_bandwidth', got {}", describe_value(a.raw())));
  }
  nlohmann::json merged = nlohmann::json::object();
  std::string name = "scenario";
  if (const auto b = a.get("base")) {
    named(*b);  // checks the name
    name = b->as_string();
    const Document doc = Document::load(cat.accelerators_file, ctx.reader);
    merged = doc.json()["accelerators"][name];
    merged["source"] = merged.value("source", "");
  }
  if (const auto nm = a.get("name")) name = nm->as_string();
  for (auto f = a.raw().begin(); f != a.raw().end(); ++f) {
    if (f.key() == "base" || f.key() == "name") continue;
    if (f.key() == "peak_flops" && merged.contains("peak_flops") && f.value().is_object()) {
      for (auto p = f.value().begin(); p != f.value().end(); ++p) merged["peak_flops"][p.key()] = p.value();
    } else {
      merged[f.key()] = f.value();
    }
  }
  const std::string file = a.file();
  const FileOf file_of = [file](const std::string&) { return file; };
  const JsonNode node(merged, a.pointer(), &file_of);
  return accelerator_part(name, node);
}

/// "efficiency": "roofline" (docs/training.md, "Compute by operation class"): the
/// accelerator's achievable fractions for the model's precision, each required.
work::OpFractions op_fractions(const JsonNode& e, const hw::AcceleratorPart& part, const JsonNode& an,
                               const std::string& precision) {
  const std::string s = e.as_string();
  if (s != "roofline") {
    e.fail(fmt::format("expected a fraction of peak (a number in (0, 1]) or \"roofline\" (a roofline "
                       "per operation class with the accelerator's achievable fractions), got '{}'{}",
                       escape_text(s), suggest(s, kEfficiencyModels)));
  }
  const auto need = [&](const std::map<std::string, double>& by, std::string_view what) {
    const auto it = by.find(precision);
    if (it != by.end()) return it->second;
    e.fail(fmt::format("\"roofline\" needs the accelerator '{}' ({}) to give an achievable {} fraction "
                       "for '{}' (achievable/{}/{} in its catalog entry, or in the scenario's accelerator "
                       "object); give it, or a number for the efficiency",
                       escape_text(part.name), an.pointer(), what, precision, what, precision));
  };
  work::OpFractions f;
  f.gemm = need(part.gemm_fraction, "gemm");
  f.attention_forward = need(part.attention_forward_fraction, "attention_forward");
  f.attention_backward = need(part.attention_backward_fraction, "attention_backward");
  if (!part.hbm_fraction) {
    e.fail(fmt::format("\"roofline\" needs the accelerator '{}' ({}) to give an achievable HBM fraction "
                       "(achievable/hbm in its catalog entry, or in the scenario's accelerator object); "
                       "give it, or a number for the efficiency", escape_text(part.name), an.pointer()));
  }
  f.hbm = *part.hbm_fraction;
  return f;
}

}  // namespace

hw::AcceleratorPart workload_accelerator(const JsonNode& a, const TrainingContext& ctx) {
  return accelerator(a, ctx);
}

FlopRate peak_at_precision(const hw::AcceleratorPart& part, const JsonNode& a,
                           const std::string& precision, const JsonNode& owner) {
  const auto peak = part.peak_flops.find(precision);
  if (peak != part.peak_flops.end()) return peak->second;
  std::vector<std::string> has;
  for (const auto& [k, v] : part.peak_flops) has.push_back(k);
  const std::string msg = fmt::format("the accelerator '{}' ({}) has no peak for '{}'; it lists {}",
                                      escape_text(part.name), a.pointer(), precision, quoted_list(has));
  if (const auto pr = owner.get("precision")) pr->fail(msg);
  owner.fail(msg + " (the default precision is bf16)");
}

work::TrainingInfo load_training(const JsonNode& w, const TrainingContext& ctx, net::FlowSet& flows,
                                 ReplicaFold& fold) {
  w.expect_keys({"kind", "model", "parallelism", "accelerator", "efficiency", "recompute",
                 "optimizer_bytes_per_param", "train_tokens", "simulate", "check_memory", "tp_overlap",
                 "overlap_slowdown", "library"});
  work::TrainingSpec spec;
  const JsonNode m = w.at("model", "the transformer, like {\"layers\": 96, \"hidden\": 12288, ...}");
  spec.model = model(m);
  const work::TransformerModel& mo = spec.model;

  // ---- the plan ----
  const JsonNode p = w.at("parallelism", "the parallel degrees, like {\"data\": 8, \"tensor\": 8, "
                                         "\"pipeline\": 16}");
  p.expect_keys({"data", "tensor", "pipeline", "expert", "schedule", "sharding", "rank_order",
                 "layers_per_step", "bucket", "virtual_stages", "first_stage_layers",
                 "last_stage_layers", "sequence_parallel", "context"});
  work::ParallelPlan& pl = spec.plan;
  pl.data = count_or(p, "data", 1, 1, kMaxDegree);
  pl.tensor = count_or(p, "tensor", 1, 1, kMaxDegree);
  pl.pipeline = count_or(p, "pipeline", 1, 1, kMaxDegree);
  pl.expert = count_or(p, "expert", 1, 1, kMaxDegree);
  pl.context = count_or(p, "context", 1, 1, kMaxDegree);
  if (const auto s = p.get("schedule")) {
    const std::string v = pick(*s, kSchedules, "pipeline schedule");
    pl.schedule = v == "gpipe"   ? work::PipelineSchedule::gpipe
                  : v == "zb_h1" ? work::PipelineSchedule::zb_h1
                                 : work::PipelineSchedule::one_f_one_b;
  }
  if (const auto s = p.get("sharding")) {
    const std::string v = pick(*s, kShardings, "sharding");
    pl.sharding = v == "zero1"   ? work::Sharding::zero1
                  : v == "zero2" ? work::Sharding::zero2
                  : v == "zero3" ? work::Sharding::zero3
                                 : work::Sharding::none;
  }
  const auto fail_at = [&](std::string_view key, const std::string& msg) {
    if (const auto n = p.get(key)) n->fail(msg);
    p.fail(fmt::format("{} (the default '{}' is 1)", msg, key));
  };
  if (mo.heads % pl.tensor != 0) {
    fail_at("tensor", fmt::format("tensor parallelism {} does not divide the {} attention heads "
                                  "({}/heads); each TP rank holds whole heads",
                                  pl.tensor, mo.heads, m.pointer()));
  }
  if (mo.kv_heads % pl.tensor != 0) {
    fail_at("tensor", fmt::format("tensor parallelism {} does not divide the {} key/value heads "
                                  "({}/kv_heads)", pl.tensor, mo.kv_heads, m.pointer()));
  }
  if (mo.ffn % pl.tensor != 0) {
    fail_at("tensor", fmt::format("tensor parallelism {} does not divide the MLP size {} ({}/ffn)",
                                  pl.tensor, mo.ffn, m.pointer()));
  }
  if (pl.context > 1 && mo.sequence % (2 * uint64_t{pl.context}) != 0) {
    // Megatron-Core's causal load balance cuts each sequence into 2c chunks, rank i
    // holding chunks i and 2c - 1 - i (docs/training.md, "Context parallelism").
    fail_at("context", fmt::format("context parallelism {} needs a sequence length that 2 x {} = {} "
                                   "divides (each sequence is cut into 2c equal chunks for the causal "
                                   "load balance), but {}/sequence is {}",
                                   pl.context, pl.context, 2 * uint64_t{pl.context}, m.pointer(), mo.sequence));
  }
  // With tensor 1 there is no all-reduce to split and nothing to divide: allowed, no effect.
  if (const auto sp = p.get("sequence_parallel")) pl.sequence_parallel = sp->as_bool();
  pl.virtual_stages = count_or(p, "virtual_stages", 1, 1, kMaxCount);
  const auto first = p.get("first_stage_layers"), last = p.get("last_stage_layers");
  if (first) pl.first_stage_layers = static_cast<uint32_t>(first->as_int(1, mo.layers));
  if (last) pl.last_stage_layers = static_cast<uint32_t>(last->as_int(1, mo.layers));
  const uint32_t uneven = (first ? 1 : 0) + (last ? 1 : 0);
  if (uneven > 0 && pl.pipeline < 2) {
    (first ? *first : *last).fail("first_stage_layers and last_stage_layers need pipeline parallelism of 2 or more");
  }
  if (uneven == 0 && mo.layers % (uint64_t{pl.pipeline} * pl.virtual_stages) != 0) {
    const std::string msg = fmt::format(
        "{} does not divide the {} layers ({}/layers); every stage{} gets the same number unless "
        "\"first_stage_layers\" and \"last_stage_layers\" give the first and last stage theirs "
        "(Megatron-Core's num_layers_in_first/last_pipeline_stage)",
        pl.virtual_stages > 1 ? fmt::format("pipeline parallelism {} x virtual stages {}", pl.pipeline,
                                            pl.virtual_stages)
                              : fmt::format("pipeline parallelism {}", pl.pipeline),
        mo.layers, m.pointer(), pl.virtual_stages > 1 ? " and chunk" : "");
    fail_at(pl.virtual_stages > 1 ? "virtual_stages" : "pipeline", msg);
  }
  if (uneven > 0) {
    const uint64_t given = uint64_t{pl.first_stage_layers} + pl.last_stage_layers;
    const uint32_t left = pl.pipeline - uneven;
    const JsonNode& at = last ? *last : *first;
    if (given > mo.layers || (left == 0 && given != mo.layers)) {
      at.fail(fmt::format("the first and last stages' {} layers leave {} for the other {} stages of "
                          "the model's {} ({}/layers)", given,
                          given > mo.layers ? 0 : mo.layers - given, left, mo.layers, m.pointer()));
    }
    const uint64_t rest = mo.layers - given;
    if (left > 0 && rest % (uint64_t{left} * pl.virtual_stages) != 0) {
      at.fail(fmt::format("the {} layers left after the first and last stages do not split evenly "
                          "over the other {} stages{}", rest, left,
                          pl.virtual_stages > 1 ? fmt::format(" x {} virtual stages", pl.virtual_stages) : ""));
    }
    if (pl.virtual_stages > 1) {
      if (left == 0) at.fail("with virtual stages, uneven first and last stages need a stage between them");
      // Chunks 1 .. v-1 of the first stage (0 .. v-2 of the last) hold the middle stages'
      // chunk size; chunk 0 (v - 1) what is left, which must not be negative.
      const uint64_t chunk = rest / left / pl.virtual_stages;
      for (const auto& [node, n] : {std::pair{first, pl.first_stage_layers}, std::pair{last, pl.last_stage_layers}}) {
        if (node && n < (pl.virtual_stages - 1) * chunk) {
          node->fail(fmt::format("{} layers are fewer than the {} the stage's other {} chunks hold "
                                 "({} each, as in the middle stages)", n,
                                 (pl.virtual_stages - 1) * chunk, pl.virtual_stages - 1, chunk));
        }
      }
    }
  }
  if (pl.expert > 1 && mo.experts == 0) {
    fail_at("expert", fmt::format("expert parallelism {} needs a mixture of experts ({}/experts)",
                                  pl.expert, m.pointer()));
  }
  if (pl.data % pl.expert != 0) {
    fail_at("expert", fmt::format("expert parallelism {} does not divide data parallelism {}; the "
                                  "expert groups are carved out of the data-parallel ranks",
                                  pl.expert, pl.data));
  }
  if (mo.experts > 0 && mo.experts % pl.expert != 0) {
    fail_at("expert", fmt::format("expert parallelism {} does not divide the {} experts ({}/experts)",
                                  pl.expert, mo.experts, m.pointer()));
  }
  const uint64_t product = uint64_t{pl.data} * pl.tensor * pl.pipeline * pl.context;
  const size_t gpus = ctx.topology->gpus().size();
  if (product != gpus) {
    p.fail(fmt::format("data {} x tensor {} x pipeline {}{} = {} GPUs, but the topology has {}",
                       pl.data, pl.tensor, pl.pipeline,
                       pl.context > 1 ? fmt::format(" x context {}", pl.context) : "", product, gpus));
  }
  if (mo.global_batch % (uint64_t{mo.micro_batch} * pl.data) != 0) {
    m.at("global_batch", "").fail(fmt::format(
        "global batch {} is not a multiple of micro-batch {} ({}/micro_batch) x data "
        "parallelism {} ({}/data): every DP rank runs a whole number of micro-batches",
        mo.global_batch, mo.micro_batch, m.pointer(), pl.data, p.pointer()));
  }
  if (pl.schedule != work::PipelineSchedule::one_f_one_b) {
    const auto sn = p.get("schedule");
    const std::string name(work::to_string(pl.schedule));
    if (pl.virtual_stages > 1) {
      sn->fail(fmt::format("the '{}' schedule runs one model chunk per GPU, but {}/virtual_stages is {} "
                           "(interleaving is Megatron-LM's 1F1B: use \"schedule\": \"1f1b\" with it)",
                           name, p.pointer(), pl.virtual_stages));
    }
    const uint64_t micro = mo.global_batch / (uint64_t{mo.micro_batch} * pl.data);
    if (pl.schedule == work::PipelineSchedule::zb_h1 && micro < pl.pipeline) {
      sn->fail(fmt::format("ZB-H1 needs at least as many micro-batches per pipeline as stages (Qi et al. "
                           "2024), but {}/global_batch / (micro_batch x data) gives {} for pipeline "
                           "parallelism {}", m.pointer(), micro, pl.pipeline));
    }
    if (pl.schedule == work::PipelineSchedule::zb_h1 && pl.context > 1) {
      sn->fail(fmt::format("ZB-H1's split backward is not modelled with context parallelism ({}/context "
                           "is {}): the ring attention's backward runs whole", p.pointer(), pl.context));
    }
  }
  if (pl.virtual_stages > 1) {
    const auto vn = p.get("virtual_stages");
    if (pl.pipeline < 2) vn->fail("virtual stages interleave a pipeline; set pipeline parallelism of 2 or more");
    const uint64_t micro = mo.global_batch / (uint64_t{mo.micro_batch} * pl.data);
    if (micro % pl.pipeline != 0) {
      vn->fail(fmt::format("the interleaved schedule runs micro-batches in groups of the pipeline "
                           "degree (Megatron-LM's rule), but {} micro-batches per pipeline ({}/global_batch "
                           "/ (micro_batch x data)) are not a multiple of pipeline parallelism {}",
                           micro, m.pointer(), pl.pipeline));
    }
  }
  if (const auto r = p.get("rank_order")) {
    if (!r->raw().is_array() || (r->size() != 3 && r->size() != 4)) {
      r->fail("expected the dimensions innermost first, like [\"tensor\", \"data\", \"pipeline\"] "
              "(\"context\" may be placed too; left out, it follows \"tensor\")");
    }
    std::vector<std::string> seen;
    for (size_t i = 0; i < r->size(); ++i) {
      const std::string d = pick((*r)[i], kDims, "dimension");
      if (std::find(seen.begin(), seen.end(), d) != seen.end()) {
        (*r)[i].fail(fmt::format("'{}' is listed twice; give each dimension once", d));
      }
      seen.push_back(d);
    }
    if (r->size() == 4 || std::find(seen.begin(), seen.end(), "context") != seen.end()) {
      if (r->size() != 4) r->fail("with \"context\" listed, give all four dimensions");
    } else {
      seen.insert(std::find(seen.begin(), seen.end(), "tensor") + 1, "context");
    }
    for (size_t i = 0; i < 4; ++i) {
      const std::string& d = seen[i];
      pl.order[i] = d == "tensor" ? work::Dim::tensor : d == "data" ? work::Dim::data
                  : d == "context" ? work::Dim::context : work::Dim::pipeline;
    }
  }
  const std::vector<uint32_t> chunk_layers = work::virtual_stage_layers(mo, pl);
  const uint32_t per_stage = mo.layers / pl.pipeline;
  if (const auto k = p.get("layers_per_step")) {
    if (pl.virtual_stages == 1 && uneven == 0) {
      pl.layers_per_step = static_cast<uint32_t>(k->as_int(1, per_stage));
      if (per_stage % pl.layers_per_step != 0) {
        k->fail(fmt::format("{} layers per step do not divide the {} layers of a stage", pl.layers_per_step,
                            per_stage));
      }
    } else {
      pl.layers_per_step = static_cast<uint32_t>(k->as_int(1, mo.layers));
      for (size_t c = 0; c < chunk_layers.size(); ++c) {
        if (chunk_layers[c] % pl.layers_per_step != 0) {
          k->fail(fmt::format("{} layers per step do not divide the {} layers of virtual stage {} "
                              "(chunk {} of pipeline stage {})", pl.layers_per_step, chunk_layers[c], c,
                              c / pl.pipeline, c % pl.pipeline));
        }
      }
    }
  }
  const uint32_t least_steps = *std::min_element(chunk_layers.begin(), chunk_layers.end()) *
                               pl.virtual_stages / pl.layers_per_step;
  if (const auto b = p.get("bucket")) pl.bucket = b->as_data_size();

  // ---- the accelerator ----
  const JsonNode an = w.at("accelerator", "a catalog accelerator like \"h100-sxm\", or an object");
  const hw::AcceleratorPart part = accelerator(an, ctx);
  spec.peak = peak_at_precision(part, an, mo.precision, m);
  spec.accelerator = part.name;
  spec.hbm_bandwidth = part.hbm_bandwidth;
  if (part.hbm_capacity) spec.hbm_capacity = *part.hbm_capacity;

  // ---- options ----
  if (const auto e = w.get("efficiency")) {
    if (e->raw().is_string()) {
      if (pl.context > 1) {
        e->fail("\"efficiency\": \"roofline\" (operation classes) is not modelled with context "
                "parallelism yet; give a fraction of peak, like 0.5");
      }
      spec.op_fractions = op_fractions(*e, part, an, mo.precision);
    } else {
      spec.efficiency = number(*e, 0, 1, "a fraction of peak");
    }
  }
  if (const auto r = w.get("recompute")) {
    const std::string how = pick(*r, kRecompute, "recomputation");
    spec.recompute = how == "full";
    spec.selective_recompute = how == "selective";
  }
  // Mixed-precision Adam: the fp32 master weights, first and second moments are each
  // read and written (6 x 4 B), the gradient read and the new weights written (2 x vb).
  spec.optimizer_bytes_per_param = 24.0 + 2.0 * mo.bytes_per_value;
  if (const auto o = w.get("optimizer_bytes_per_param")) {
    spec.optimizer_bytes_per_param = o->as_number(0, 1e4, "a number of bytes per parameter");
  }
  if (const auto o = w.get("tp_overlap")) {
    // docs/training.md, "TP communication overlap": the step and its TP collective in n
    // pipelined chunks. With tensor 1 there is no collective: allowed, no effect.
    if (!o->is_object()) {
      o->fail(fmt::format("expected an object like {{\"chunks\": 4}} (a step and its TP collective split "
                          "into that many pipelined chunks), got {}", describe_value(o->raw())));
    }
    o->expect_keys({"chunks"});
    if (pl.context > 1) {
      o->fail("TP communication overlap is not modelled with context parallelism yet (its steps end "
              "in ring-attention blocks); leave out \"tp_overlap\" or set parallelism.context to 1");
    }
    spec.tp_overlap_chunks = count(*o, "chunks", "the number of chunks a step and its TP collective are "
                                                 "split into, like 4", 1, 1024);
  }
  if (const auto o = w.get("overlap_slowdown")) {
    // docs/training.md, "Compute beside overlapped collectives": the time a compute step
    // gains, as a fraction, for the part of it that runs beside a collective of its GPU.
    spec.overlap_slowdown = o->as_number(0, 1, "the fraction of time added to compute that runs beside "
                                               "a collective of its GPU (0 = none; 0.189 measured on average "
                                               "by Lee et al. 2025)");
  }
  if (const auto l = w.get("library")) {
    // docs/training.md, "Collectives as NCCL runs them": the collective workload's schema
    // and reader (scenario/collective.h), its costs on every collective and send.
    std::optional<coll::Protocol> fixed;
    spec.library = read_library(*l, *ctx.topology, *ctx.router, ctx.reader, ctx.catalog_dir, fixed);
    spec.library_protocol = fixed;
  }
  if (const auto t = w.get("train_tokens")) spec.train_tokens = number(*t, 0, 1e18, "a token count");
  spec.domain_size = ctx.domain_size;
  const auto simulate = w.get("simulate");
  const std::string simulate_choice = simulate ? pick(*simulate, kSimulate, "simulate choice") : "";
  spec.one_replica = simulate_choice == "one_replica" || simulate_choice == "one_replica_lower_bound";
  if (spec.one_replica) {
    // docs/models/scale.md: where one replica may stand for all, and why not elsewhere.
    std::string why = ctx.fold_refusal;
    if (why.empty()) why = work::fold_problem(spec);
    if (!why.empty()) simulate->fail(fmt::format("one replica cannot stand for all: {}; simulate "
                                                 "\"all_replicas\"", why));
    std::vector<NodeId> order(ctx.topology->gpus().begin(), ctx.topology->gpus().end());
    check_replicas_alike(*simulate, pl, *ctx.topology, *ctx.router, order);
    // Hashed multipath: every replica's flows take paths of their own and collide, so one
    // replica is a lower bound (1.5 % and 2.0 % below at 1,024 and 4,096 GPUs with ECMP;
    // docs/models/scale.md), given only when asked for by name.
    if (simulate_choice == "one_replica") {
      if (const std::string h = hashed_paths(pl, *ctx.topology, *ctx.router, order, ctx.fold_multipath);
          !h.empty()) {
        simulate->fail(fmt::format(
            "one replica cannot stand for all: {}, which one replica alone does not see (it "
            "would be a lower bound: 1.5-2.0 % below every replica's iteration at 1,024-4,096 "
            "GPUs with ECMP); set the topology's \"routing\": \"dmodk\", whose replicas take "
            "alike paths, or \"simulate\": \"one_replica_lower_bound\" to accept a lower bound, "
            "or \"all_replicas\"", h));
      }
    }
  }

  // Memory (docs/training.md, "Memory per GPU"): the busiest GPU must fit its HBM.
  const auto check = w.get("check_memory");
  const bool check_memory = !check || check->as_bool();
  spec.report_memory = (check && check_memory) || pl.virtual_stages > 1 || uneven > 0 ||
                       pl.schedule != work::PipelineSchedule::one_f_one_b ||
                       spec.selective_recompute || pl.sequence_parallel || pl.context > 1;
  if (check_memory && spec.hbm_capacity.si() > 0) {
    const std::vector<work::StageMemory> mem = work::memory_per_gpu(spec);
    uint32_t worst = 0;
    for (uint32_t i = 1; i < mem.size(); ++i) {
      if (mem[i].total() > mem[worst].total()) worst = i;
    }
    const work::StageMemory& x = mem[worst];
    if (x.total() > spec.hbm_capacity.si()) {
      const auto gb = [](double b) { return fmt::format("{:.1f} GB", b / 1e9); };
      p.fail(fmt::format(
          "a GPU of pipeline stage {} needs {} (weights {}, gradients {}, Adam state {}, activations "
          "{} of {} layer passes in flight), more than the {} of HBM of '{}' ({}/hbm_capacity in the "
          "catalog); shard with \"sharding\": \"zero1\" (or zero2, zero3), set {}/recompute to "
          "\"selective\" or \"full\", raise tensor or pipeline parallelism or lower {}/micro_batch, "
          "or set {}/check_memory to false to simulate it anyway",
          worst, gb(x.total()), gb(x.weights), gb(x.gradients), gb(x.optimizer), gb(x.activations),
          x.layer_passes, gb(spec.hbm_capacity.si()), escape_text(part.name), an.pointer(), w.pointer(),
          m.pointer(), w.pointer()));
    }
  }

  // The compute steps alone (two per step and micro-batch on every GPU, four with
  // experts) are a lower bound that refuses a huge plan before counting it exactly.
  const double simulated_gpus = spec.one_replica ? static_cast<double>(gpus) / pl.data : gpus;
  const double lower = simulated_gpus * (mo.global_batch / (mo.micro_batch * pl.data)) *
                       2.0 * least_steps * (mo.experts > 0 ? 2 : 1);
  const double n = lower > static_cast<double>(ctx.max_flows) ? lower : work::training_flow_count(spec);
  if (n > static_cast<double>(ctx.max_flows) || n >= FlowId::kInvalid) {
    // Whole digits while they are few; an exponent beyond 10^12, not 30 digits.
    const std::string count = n < 1e12 ? fmt::format("{:.0f}", n) : fmt::format("{:.4g}", n);
    w.fail(fmt::format("this iteration would be {}{} flows and compute steps, more than the "
                       "limit of {}; raise parallelism.layers_per_step (fewer, larger steps) or "
                       "model.micro_batch (fewer micro-batches){}",
                       n == lower ? "at least " : "", count, ctx.max_flows,
                       spec.one_replica || pl.data < 2 || !ctx.fold_refusal.empty() ||
                               !work::fold_problem(spec).empty()
                           ? ""
                           : fmt::format(", or set \"simulate\": \"one_replica\" (one of the {} "
                                         "data-parallel replicas stands for all{}; docs/models/scale.md)",
                                         pl.data,
                                         ctx.fold_multipath.empty()
                                             ? ""
                                             : "; with hashed routing after \"routing\": \"dmodk\", "
                                               "or as \"one_replica_lower_bound\"")));
  }
  std::vector<NodeId> order(ctx.topology->gpus().begin(), ctx.topology->gpus().end());
  work::TrainingInfo info = work::build_training(spec, order, flows);
  if (spec.one_replica) fold = fold_replicas(info, *ctx.topology, *ctx.router, order, ctx.seed, flows);
  return info;
}

}  // namespace roshni::scenario
