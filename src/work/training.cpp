// One training iteration as a flow DAG. The model follows Megatron-LM as described by
// Shoeybi et al. 2019 (tensor parallelism: two all-reduces per layer in the forward pass
// and two in the backward) and Narayanan et al., SC 2021 (the 1F1B pipeline schedule of
// PipeDream-Flush, the scatter/gather split of activations sent between stages, FLOP
// counting); ZeRO after Rajbhandari et al., SC 2020; expert parallelism after Lepikhin
// et al. 2020 (GShard: an all-to-all to dispatch tokens to their experts and one to
// combine them). Every equation is derived in docs/training.md.
//
// The DAG, per GPU, is one chain of compute steps in 1F1B order; a step waits for the
// previous step on its GPU and for the collectives it needs (TP all-reduce, EP
// all-to-all, the activation from the previous stage). Communication that overlaps
// compute (activations sent onwards, DP gradient buckets) hangs off the chain without
// blocking it. With TP overlap (Wang et al., ASPLOS 2023) a step and the TP collective
// after it run as n pipelined chunks and pieces (tp_after_chunks). Nothing here iterates
// an unordered container: ids follow loop order.
//
// One file (~1,200 lines) on purpose: most of it is the Builder, whose phases (compute
// chain, TP, PP, DP buckets, ZeRO, experts, the one-replica fold) share its per-GPU
// state and its flow and step counting; split, each part would need that state exposed.
#include "roshni/work/training.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <tuple>

#include "roshni/coll/registry.h"
#include "roshni/coll/tuner.h"
#include "roshni/core/error.h"
#include "work/collective_step.h"
#include "roshni/net/dependents.h"

namespace roshni::work {

std::string_view to_string(Sharding s) {
  switch (s) {
    case Sharding::none:
      return "none";
    case Sharding::zero1:
      return "zero1";
    case Sharding::zero2:
      return "zero2";
    case Sharding::zero3:
      return "zero3";
  }
  return "none";
}

SimTime roofline_time(double flops, double bytes, const TrainingSpec& spec) {
  const double compute = flops / (spec.peak.si() * spec.efficiency);
  const double memory = bytes / spec.hbm_bandwidth.si();
  return to_sim_time_ceil(seconds(std::max(compute, memory)));
}

namespace {

using coll::CollectiveKind;

/// The per-GPU work of one step (k layers) of one micro-batch, forward, from the
/// equations of docs/training.md ("Compute steps").
struct StepWork {
  double attn_flops = 0, attn_bytes = 0;  // attention half, forward
  double attn_gemm_flops = 0;             // of which its matmuls (the rest: the core)
  double mlp_flops = 0, mlp_bytes = 0;    // MLP (or local experts) half, forward
  double head_flops = 0, head_bytes = 0;  // output head on the last stage, forward
  double core_flops = 0, core_bytes = 0;  // the attention core, recomputed when selective
  // Context parallelism: one ring block of the attention core (the rank's queries against
  // one CP rank's s/c keys), and the K, V block a ring step passes on (docs/training.md,
  // "Context parallelism"). Zero with c = 1.
  double block_flops = 0, ring_bytes = 0;
};

/// Everything derived once from the spec.
struct Shape {
  uint32_t t, d, p, e, m, k, steps;  // steps: of the largest stage (all its chunks)
  uint32_t c, L;                     // context parallelism; lanes L = t c per replica and stage
  uint32_t v, P;                     // chunks per GPU; virtual stages P = p v
  std::vector<uint32_t> vsteps;      // steps of each virtual stage
  bool moe;
  double vb;             // bytes per value
  double tokens;         // per micro-batch per DP rank and CP rank: b s / c
  double activation;     // b s h vb: the hidden state of one micro-batch
  StepWork work;
  double attn_param_bytes, dense_mlp_param_bytes, expert_param_bytes;  // per step, per GPU
  double embedding_bytes;  // V h vb / t
};

Shape shape_of(const TrainingSpec& spec) {
  const TransformerModel& mo = spec.model;
  const ParallelPlan& pl = spec.plan;
  Shape s{};
  s.t = pl.tensor;
  s.d = pl.data;
  s.p = pl.pipeline;
  s.e = pl.expert;
  s.c = pl.context;
  s.L = s.t * s.c;
  s.m = mo.global_batch / (mo.micro_batch * pl.data);
  s.k = pl.layers_per_step;
  s.v = pl.virtual_stages;
  s.P = s.p * s.v;
  for (const uint32_t n : virtual_stage_layers(mo, pl)) s.vsteps.push_back(n / pl.layers_per_step);
  s.steps = 0;
  for (uint32_t i = 0; i < s.p; ++i) {
    uint32_t n = 0;
    for (uint32_t c = 0; c < s.v; ++c) n += s.vsteps[c * s.p + i];
    s.steps = std::max(s.steps, n);
  }
  s.moe = mo.experts > 0;
  s.vb = mo.bytes_per_value;
  // With context parallelism a rank holds s/c of each sequence: every per-token term
  // (matmuls, activations sent, TP and EP bytes, the head) is / c; the attention core
  // keeps its 4 s h per token (each query still meets all s keys, over the ring).
  s.tokens = static_cast<double>(mo.micro_batch) * mo.sequence / s.c;
  const double h = mo.hidden, t = s.t, k = s.k, n = s.tokens, vb = s.vb;
  s.activation = n * h * vb;
  const double kv = static_cast<double>(mo.kv_heads) * (h / mo.heads);
  const double f = mo.ffn;
  const double used = s.moe ? kept_top_k(mo) : 1;  // expert passes per token (capacity factor: kept)
  const double g = mo.mlp == MlpKind::gated ? 2 : 1;
  StepWork& w = s.work;
  // Attention: matmuls 2 x params per token, scores and weighted sum 4 s h; all / t.
  w.attn_flops = k * n * (2 * attention_params(mo) + 4.0 * mo.sequence * h) / t;
  w.attn_gemm_flops = k * n * 2 * attention_params(mo) / t;
  // HBM: the weights once; each matmul reads its input and writes its output (q, k, v
  // written, read back by attention, its output written and read by the projection).
  w.attn_bytes = k * (attention_params(mo) * vb / t + n * vb * (2 * h + (2 * (h + 2 * kv) + 2 * h) / t));
  const double local_experts = s.moe ? static_cast<double>(mo.experts) / s.e : 1;
  w.mlp_flops = k * n * used * 2 * mlp_params(mo) / t;
  w.mlp_bytes = k * (local_experts * mlp_params(mo) * vb / t + n * used * vb * (2 * h + 2 * (g * f + f) / t));
  // Selective recomputation runs the attention core again (scores and weighted sum,
  // 4 s h per token; q, k, v read and the output written).
  if (spec.selective_recompute) {
    w.core_flops = k * n * 4.0 * mo.sequence * h / t;
    w.core_bytes = k * n * vb * (2 * h + 2 * kv) / t;
  }
  if (s.c > 1) {
    // Ring attention: the core's 4 s h per token in c blocks of s/c keys; each ring step
    // passes one K and one V block, b (s/c) kv values each, of the rank's kv/t heads.
    w.block_flops = k * n * 4.0 * (static_cast<double>(mo.sequence) / s.c) * h / t;
    w.ring_bytes = k * 2 * n * kv * vb / t;
  }
  w.head_flops = n * head_forward_flops_per_token(mo) / t;
  w.head_bytes = static_cast<double>(mo.vocabulary) * h * vb / t + n * vb * (h + mo.vocabulary / t);
  s.attn_param_bytes = k * attention_params(mo) * vb / t;
  s.dense_mlp_param_bytes = s.moe ? 0 : k * mlp_params(mo) * vb / t;
  s.expert_param_bytes = s.moe ? k * local_experts * mlp_params(mo) * vb / t : 0;
  s.embedding_bytes = static_cast<double>(mo.vocabulary) * h * vb / t;
  return s;
}

/// Gradient buckets of one virtual stage (its steps), in backward order: each is a run of steps (from
/// `last` down to `first`) whose non-expert and expert gradient bytes are reduced
/// together once the step `first` of the last micro-batch has its gradients.
struct Bucket {
  uint32_t first_step;  // the step whose backward closes the bucket
  double dense_bytes = 0, expert_bytes = 0;
};

/// Whether the last stage holds V h weights of its own beyond the first stage's
/// embedding: an untied head always; a tied one when the stages differ.
bool has_head_copy(const TrainingSpec& spec, const Shape& s) {
  return s.p > 1 || !spec.model.tied_embeddings;
}

std::vector<Bucket> buckets_of(const TrainingSpec& spec, const Shape& s, uint32_t vs) {
  std::vector<Bucket> out;
  Bucket cur{};
  const double limit = spec.plan.bucket.si();
  const uint32_t steps = s.vsteps[vs];
  if (steps == 0) {  // a chunk with no layer: only the embedding or the head, if it holds one
    if (vs == s.P - 1 && has_head_copy(spec, s)) cur.dense_bytes += s.embedding_bytes;
    if (vs == 0) cur.dense_bytes += s.embedding_bytes;
    if (cur.dense_bytes > 0) out.push_back(cur);
    return out;
  }
  for (uint32_t q = steps; q-- > 0;) {
    cur.first_step = q;
    cur.dense_bytes += s.attn_param_bytes + s.dense_mlp_param_bytes;
    cur.expert_bytes += s.expert_param_bytes;
    // The output head's gradients are ready first (last stage), the input embedding's
    // last (first stage); a tied embedding has a copy on both (one when they are the
    // same stage).
    if (vs == s.P - 1 && q == steps - 1 && has_head_copy(spec, s)) {
      cur.dense_bytes += s.embedding_bytes;
    }
    if (vs == 0 && q == 0) cur.dense_bytes += s.embedding_bytes;
    if (cur.dense_bytes + cur.expert_bytes >= limit || q == 0) {
      out.push_back(cur);
      cur = Bucket{};
    }
  }
  return out;
}

/// Which all-reduce a DP group runs: hierarchical when its ranks come in runs of c > 1
/// consecutive members of one scale-up domain (and there is more than one domain),
/// else ring. Returns the run length c (0 for ring).
uint32_t dp_domain_run(const TrainingSpec& spec, std::span<const uint32_t> members) {
  const uint32_t D = spec.domain_size;
  if (D == 0 || members.size() < 4) return 0;
  uint32_t c = 1;
  while (c < members.size() && members[c] / D == members[0] / D) ++c;
  if (c < 2 || c == members.size() || members.size() % c != 0) return 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i] / D != members[i - i % c] / D) return 0;
    if (i % c == 0 && i > 0 && members[i] / D == members[i - 1] / D) return 0;
  }
  return c;
}

using detail::algorithm;
using detail::make;

/// The builder; `counting` = only count flows (training_flow_count), add nothing.
class Builder {
 public:
  Builder(const TrainingSpec& spec, std::span<const NodeId> gpus, net::FlowSet* flows)
      : spec_(spec), s_(shape_of(spec)), gpus_(gpus), flows_(flows),
        reps_(spec.one_replica ? 1 : s_.d), mult_(spec.one_replica ? s_.d : 1) {
    const uint32_t n = spec.plan.gpus();
    tail_.resize(n);
    dp_ends_.resize(n);
    compute_.resize(n);
    ROSHNI_ASSERT(!spec.op_fractions || s_.c == 1, "operation classes with context parallelism");
    if (spec.op_fractions) {
      ops_ = step_ops(spec.model, s_.t, s_.e, s_.k, spec.plan.sequence_parallel);
      by_class_.resize(n);
    }
    if (flows_) {  // counting needs no ids
      fwd_sent_.assign(static_cast<size_t>(s_.P) * s_.m * s_.d * s_.L, FlowId());
      bwd_sent_ = fwd_sent_;
    }
    info_.spec = spec;
    info_.replicas_per_simulated = mult_;
  }

  TrainingInfo run() {
    info_.micro_batches = s_.m;
    info_.steps_per_stage = s_.steps;
    const TransformerModel& mo = spec_.model;
    info_.params = total_params(mo);
    info_.active_params = active_params(mo);
    info_.model_flops_per_token = model_flops_per_token(mo);
    info_.tokens_per_iteration = static_cast<double>(mo.global_batch) * mo.sequence;
    info_.model_flops_per_iteration = info_.model_flops_per_token * info_.tokens_per_iteration;
    const double recompute_flops =
        spec_.recompute ? mo.layers * layer_forward_flops_per_token(mo) * info_.tokens_per_iteration
        : spec_.selective_recompute ? mo.layers * 4.0 * mo.sequence * mo.hidden * info_.tokens_per_iteration
                                    : 0;
    info_.hardware_flops_per_iteration = info_.model_flops_per_iteration + recompute_flops;
    info_.memory = memory_per_gpu(spec_);
    const std::vector<uint32_t> layers = virtual_stage_layers(spec_.model, spec_.plan);
    info_.stage_layers.assign(s_.p, 0);
    for (size_t c = 0; c < layers.size(); ++c) info_.stage_layers[c % s_.p] += layers[c];
    pipeline();
    finish();
    for (uint32_t g = 0; g < compute_.size(); ++g) {
      info_.busiest_compute = std::max(info_.busiest_compute, compute_[g]);
    }
    by_class_of_busiest();
    return info_;
  }

  double counted() const { return count_; }

 private:
  // ---- emitting ----

  /// The GPU of lane r (TP rank r mod t, CP rank r / t) of replica dd on stage i.
  uint32_t gpu(uint32_t r, uint32_t dd, uint32_t i) const {
    return spec_.plan.gpu(r % s_.t, r / s_.t, dd, i);
  }

  /// The members of a gradient (or ZeRO) group of TP rank r on stage i: the replicas
  /// dd = q stride + grp (q < members) and, weights being replicated over CP, every CP
  /// rank of each, CP innermost (Megatron-Core's DP x CP group).
  std::vector<uint32_t> dp_group(uint32_t r, uint32_t i, uint32_t members, uint32_t stride, uint32_t grp) const {
    std::vector<uint32_t> idx;
    for (uint32_t q = 0; q < members; ++q)
      for (uint32_t cc = 0; cc < s_.c; ++cc) idx.push_back(gpu(r + cc * s_.t, q * stride + grp, i));
    return idx;
  }

  /// A compute step on GPU g after its chain (and `extra`); becomes the chain's tail.
  FlowId compute(uint32_t g, const char* what, double flops, double bytes_, std::span<const FlowId> extra = {}) {
    const SimTime d = step_time(g, what, flops, bytes_, overlapped_ ? 1.0 : 0.0);
    count_ += 1;
    if (!flows_) return FlowId();
    deps_ = tail_[g];
    deps_.insert(deps_.end(), extra.begin(), extra.end());
    const FlowId id = flows_->add_task(what, gpus_[g], d, deps_);
    tail_[g].assign(1, id);
    return id;
  }

  /// The time of a compute step on GPU g (added to its tally), the part `share` of it run
  /// beside a collective of the same GPU and so slowed (slowed()).
  SimTime step_time(uint32_t g, const char* what, double flops, double bytes_, double share) {
    const SimTime d = spec_.op_fractions ? class_time(g, what, bytes_, share)
                                         : slowed(roofline_time(flops, bytes_, spec_), share);
    compute_[g] += d;
    return d;
  }

  /// Time d of compute whose part `share` overlaps a collective on its GPU: that part takes
  /// 1 + s times as long, s = overlap_slowdown, so d (1 + s share), rounded to the nearest
  /// picosecond (docs/training.md, "Compute beside overlapped collectives"). d when off.
  SimTime slowed(SimTime d, double share) const {
    const double x = spec_.overlap_slowdown * share;
    if (x <= 0) return d;
    return d + SimTime::ps(std::llround(static_cast<double>(d.ps()) * x));
  }

  /// A compute step whose TP collective follows it (tp_after_chunks): with TP overlap, as
  /// n chunks in a row on GPU g, the first after its chain (and `extra`), each the next's
  /// only dependency, their times the step's split into n whole picoseconds (the first
  /// d mod n one picosecond longer, so they sum to it exactly), appended to `chunks` (n
  /// invalid ids when only counting); without, one step, as compute(). Returns the last.
  FlowId tp_step(uint32_t g, const char* what, double flops, double bytes_, std::span<const FlowId> extra,
                 std::vector<std::vector<FlowId>>& chunks) {
    if (!tp_overlap()) return compute(g, what, flops, bytes_, extra);
    const uint32_t n = spec_.tp_overlap_chunks;
    // Chunks 1..n-1 run beside the pieces before them, chunk 0 beside none of this step's:
    // (n - 1)/n of the step overlaps (all of it when the step also overlaps a DP or ZeRO-3
    // collective); the slowed time is split evenly over the chunks.
    const double share = overlapped_ ? 1.0 : static_cast<double>(n - 1) / n;
    const SimTime d = step_time(g, what, flops, bytes_, share);
    count_ += n;
    std::vector<FlowId>& out = chunks.emplace_back(n);
    if (!flows_) return FlowId();
    deps_ = tail_[g];
    deps_.insert(deps_.end(), extra.begin(), extra.end());
    for (uint32_t k = 0; k < n; ++k) {
      const SimTime part = SimTime::ps(d.ps() / n + (k < d.ps() % n ? 1 : 0));
      out[k] = flows_->add_task(what, gpus_[g], part, deps_);
      deps_.assign(1, out[k]);
    }
    tail_[g].assign(1, out.back());
    return out.back();
  }

  // ---- compute by operation class (op_roofline.h; only with spec.op_fractions) ----

  /// The work of the step `what` by class, from the steps' forward work (ops_): a
  /// backward is 2x its forward, plus the forward again with full recomputation and the
  /// attention core again with selective recomputation, as the single roofline counts.
  OpWork class_work(std::string_view what, double bytes_) const {
    OpWork w;
    if (what == "optimizer") {
      w.optimizer_bytes = bytes_;
      return w;
    }
    const bool head = what.starts_with("fwd_head") || what.starts_with("bwd_head");
    const bool both = what == "fwd" || what == "bwd" || what == "bwd_b" || what == "bwd_w";
    const bool attn = !head && (both || what.ends_with("_attn"));
    const bool mlp = !head && (both || what.ends_with("_mlp"));
    ROSHNI_ASSERT(head || attn || mlp, "no operation classes for the compute step '{}'", what);
    if (head) w = ops_.head;
    if (attn) w += ops_.attn;
    if (mlp) w += ops_.mlp;
    if (what.starts_with("fwd")) return w;
    // ZB-H1's weight-gradient pass: the forward's matmuls once more (dW = X^T dY, the
    // FLOPs and bytes of Y = X W); the input-gradient pass is the backward less it.
    OpWork dw;
    dw.gemm_flops = w.gemm_flops;
    dw.gemm_bytes = w.gemm_bytes;
    if (what == "bwd_w" || what == "bwd_head_w") return dw;
    OpWork b = w.backward();
    if (!head && spec_.recompute) b += w;
    if (!head && spec_.selective_recompute && attn) b += ops_.core;
    if (what.starts_with("bwd_b") || what == "bwd_head_b") {
      b.gemm_flops -= dw.gemm_flops;
      b.gemm_bytes -= dw.gemm_bytes;
    }
    return b;
  }

  /// The step's time: the sum of its classes' rooflines, each slowed as slowed() says for
  /// the part `share` that overlaps a collective; adds them to GPU g's tally.
  SimTime class_time(uint32_t g, std::string_view what, double bytes_, double share) {
    const auto t = class_times(class_work(what, bytes_), spec_.peak, spec_.hbm_bandwidth, *spec_.op_fractions);
    SimTime total = SimTime::zero();
    for (size_t c = 0; c < t.size(); ++c) {
      const SimTime tc = slowed(t[c], share);
      by_class_[g][c] += tc;
      total += tc;
    }
    return total;
  }

  /// The busiest GPU's (the first with the largest compute time) split by class.
  void by_class_of_busiest() {
    if (by_class_.empty()) return;
    uint32_t busiest = 0;
    for (uint32_t g = 1; g < compute_.size(); ++g) {
      if (compute_[g] > compute_[busiest]) busiest = g;
    }
    info_.compute_by_class = by_class_[busiest];
  }

  /// Runs a collective; returns its ends (empty when only counting).
  std::vector<FlowId> collective(Traffic kind, const coll::Collective& c, const coll::CollectiveAlgorithm& a,
                                 std::span<const FlowId> after) {
    TrafficTotal& tt = info_.traffic[static_cast<size_t>(kind)];
    tt.collectives += mult_;
    if (tt.algorithm.empty()) {
      tt.algorithm = std::string(a.name);
      if (a.name == "hierarchical") tt.algorithm += "(" + c.inter + ")";
    }
    const double n = coll::flow_count(c, a);
    count_ += n;
    tt.flows += static_cast<uint64_t>(n) * mult_;
    if (!flows_) {
      // The payload of a collective's flows is what the closed forms say each algorithm
      // moves; counting mode only needs the flow count, bytes come from the real build.
      return {};
    }
    const DataSize before = flows_->total_size();
    std::vector<FlowId> ends;
    if (spec_.library) {
      coll::Collective costed = c;
      costed.library = *spec_.library;
      costed.library->protocol = protocol_for(c, a);
      tt.by_protocol[static_cast<size_t>(costed.library->protocol)] += mult_;
      ends = coll::append_collective(costed, a, *flows_, after);
    } else {
      ends = coll::append_collective(c, a, *flows_, after);
    }
    tt.bytes += (flows_->total_size() - before) * static_cast<double>(mult_);
    return ends;
  }

  // ---- the communication library (docs/training.md, "Collectives as NCCL runs them") ----

  /// The protocol the library's tuner predicts fastest for `c` under `a` (coll/tuner.h),
  /// or the scenario's. The prediction depends on the kind, the algorithm, the ranks, the
  /// size and the ranks' paths; it is remembered by (kind, algorithm, ranks, domain size,
  /// size, the hop classes, narrowest rate and largest latency of the paths between ring
  /// neighbours and from rank 0 to every rank), so that the many collectives of an
  /// iteration that differ only in which GPUs they run on ask it once. Only the choice is
  /// remembered: each transfer's costs are its own path's.
  coll::Protocol protocol_for(const coll::Collective& c, const coll::CollectiveAlgorithm& a) {
    const coll::LibraryUse& use = *spec_.library;
    if (spec_.library_protocol) return *spec_.library_protocol;
    const auto p = static_cast<uint32_t>(c.ranks.size());
    uint32_t hops = 0;
    DataRate narrowest;
    SimTime longest;
    bool first = true;
    const auto see = [&](NodeId x, NodeId y) {
      if (x == y) return;
      const coll::PathFacts f = use.path(x, y);
      hops |= 1u << static_cast<uint32_t>(f.hop);
      narrowest = first ? f.rate : std::min(narrowest, f.rate);
      longest = std::max(longest, f.latency);
      first = false;
    };
    for (uint32_t i = 0; i < p; ++i) {
      see(c.ranks[i], c.ranks[(i + 1) % p]);
      see(c.ranks[0], c.ranks[i]);
    }
    const auto key = std::make_tuple(static_cast<int>(c.kind), std::string(a.name), p, c.domain_size,
                                     c.size.si(), hops, narrowest.si(), longest.ps());
    if (const auto it = tuned_.find(key); it != tuned_.end()) return it->second;
    coll::Collective trial = c;
    trial.library = use;
    const coll::TunerChoice choice =
        coll::choose_by_prediction(trial, {&a}, std::nullopt, [](coll::Collective&, const coll::CollectiveAlgorithm&) {});
    tuned_.emplace(key, choice.protocol);
    return choice.protocol;
  }

  /// A transfer of `data` bytes from GPU `from` to GPU `to` after `deps`, with the
  /// library's costs under `pr` when there is one (as coll/schedule.cpp's expand() gives a
  /// transfer: wire bytes by the path's hop class, the per-step latency, and the launch
  /// when it `starts` an operation); plain otherwise. Returns the flow; `wire` gets its size.
  FlowId transfer(const std::string& label, uint32_t from, uint32_t to, DataSize data,
                  std::span<const FlowId> deps, coll::Protocol pr, bool starts, DataSize& wire) {
    wire = data;
    if (!spec_.library) return flows_->add(label, gpus_[from], gpus_[to], data, deps);
    const coll::LibraryUse& use = *spec_.library;
    const coll::HopClass h = use.path(gpus_[from], gpus_[to]).hop;
    wire = net::whole_bytes(data * use.library.wire_factor(pr, h));
    const FlowId f = flows_->add(label, gpus_[from], gpus_[to], wire, deps);
    const coll::ProtocolCosts& costs = use.library.costs(pr);
    flows_->set_extra_latency(f, costs.step_latency[static_cast<size_t>(h)] + (starts ? costs.launch : SimTime()));
    return f;
  }

  /// The protocol of a point-to-point send of `data` from GPU `from` to `to` (a pipeline
  /// send, a ring-attention block), counted under `kind`.
  coll::Protocol p2p_protocol(Traffic kind, uint32_t from, uint32_t to, DataSize data) {
    if (!spec_.library) return coll::Protocol::simple;
    coll::Collective c;
    c.kind = CollectiveKind::p2p;
    c.ranks = {gpus_[from], gpus_[to]};
    c.size = data;
    const coll::Protocol pr = protocol_for(c, algorithm(CollectiveKind::p2p, "direct"));
    info_.traffic[static_cast<size_t>(kind)].by_protocol[static_cast<size_t>(pr)] += mult_;
    return pr;
  }

  /// A ring collective over a DP group (`idx`: its members in ring order, one per
  /// replica, replica 0's first) as one replica sees it (TrainingSpec::one_replica). Under
  /// the replicas' symmetry every member's step s ends when its predecessor's step s - 1
  /// has arrived, so member m's last step ends after a chain of K transfers over the K
  /// consecutive ring hops that end at m. The fold runs the chain that ends at replica 0:
  /// step s crosses hop q_s = s - (K - 1) (mod D). Where all hops cost the same this is
  /// every member's chain; where they differ (some stay under a leaf) it is exact for the
  /// all-reduce (its 2(D - 1) hops cover every rotation alike on the fabrics tested) but a
  /// reduce-scatter's or all-gather's D - 1 hops can miss the costliest hop
  /// (docs/models/scale.md). Each transfer is a 1/D piece, as in coll/phases.cpp's rings.
  /// Returns the chain's end.
  std::vector<FlowId> folded_ring(Traffic kind, CollectiveKind ck, std::span<const uint32_t> idx,
                                  double size, const char* prefix, std::span<const FlowId> after) {
    const auto D = static_cast<uint32_t>(idx.size());
    const uint32_t K = ck == CollectiveKind::all_reduce ? 2 * (D - 1) : D - 1;
    const coll::Collective c = make(ck, nodes(idx), size, prefix);
    TrafficTotal& tt = info_.traffic[static_cast<size_t>(kind)];
    tt.collectives += 1;
    if (tt.algorithm.empty()) tt.algorithm = "ring";
    tt.flows += static_cast<uint64_t>(coll::flow_count(c, algorithm(ck, "ring")));
    count_ += K;
    if (!flows_) return {};
    const DataSize piece = net::whole_bytes(bytes((1.0 / D) * c.size.si()));
    coll::Protocol pr = coll::Protocol::simple;
    if (spec_.library) {
      pr = protocol_for(c, algorithm(ck, "ring"));
      tt.by_protocol[static_cast<size_t>(pr)] += mult_;
    } else {
      tt.bytes += piece * (static_cast<double>(K) * D);
    }
    // The window of K hops that ends at replica 0 (o = 1 - K mod D).
    const auto o = static_cast<uint32_t>((static_cast<int64_t>(D) - (K - 1) % D) % D);
    FlowId previous;
    std::string label;
    for (uint32_t step = 0; step < K; ++step) {
      const uint32_t q = (o + step) % D;
      const uint32_t to = (q + 1) % D;
      const bool gather = ck == CollectiveKind::all_gather ||
                          (ck == CollectiveKind::all_reduce && step >= D - 1);
      const uint32_t phase_step = ck == CollectiveKind::all_reduce && gather ? step - (D - 1) : step;
      label = fmt::format("{}/{}{}/r{}", prefix, gather ? "ag" : "rs", phase_step, q);
      const std::span<const FlowId> deps =
          step == 0 ? after : std::span<const FlowId>(&previous, 1);
      // Replica 0's transfer to its successor, standing for hop q (the label's r<q>); with a
      // library, at the costs of hop q's path (and the launch on the first step).
      if (spec_.library) {
        const coll::LibraryUse& use = *spec_.library;
        const coll::HopClass h = use.path(gpus_[idx[q]], gpus_[idx[to]]).hop;
        const DataSize wire = net::whole_bytes(piece * use.library.wire_factor(pr, h));
        previous = flows_->add(label, gpus_[idx[0]], gpus_[idx[1]], wire, deps);
        const coll::ProtocolCosts& costs = use.library.costs(pr);
        flows_->set_extra_latency(previous, costs.step_latency[static_cast<size_t>(h)] +
                                                (step == 0 ? costs.launch : SimTime()));
        tt.bytes += wire * static_cast<double>(D);
      } else {
        previous = flows_->add(label, gpus_[idx[0]], gpus_[idx[1]], piece, deps);
      }
      info_.folded_hops.push_back({previous, idx[0], idx[1], idx[D - 1], idx[q], idx[to]});
    }
    return {previous};
  }

  std::vector<NodeId> nodes(std::span<const uint32_t> idx) const {
    std::vector<NodeId> out;
    out.reserve(idx.size());
    for (uint32_t i : idx) out.push_back(gpus_.empty() ? NodeId(i) : gpus_[i]);
    return out;
  }

  /// TP all-reduce of `bytes_` over the TP group (stage i, replica dd); every member's
  /// chain then waits for it.
  void tp_all_reduce(uint32_t i, uint32_t dd, double bytes_) {
    for (uint32_t cc = 0; cc < s_.c; ++cc) tp_all_reduce(i, dd, cc, bytes_);
  }

  /// The same for the TP group of CP rank cc.
  void tp_all_reduce(uint32_t i, uint32_t dd, uint32_t cc, double bytes_) {
    if (s_.t < 2) return;
    std::vector<uint32_t> idx(s_.t);
    std::vector<FlowId> after;
    for (uint32_t r = 0; r < s_.t; ++r) {
      idx[r] = gpu(r + cc * s_.t, dd, i);
      after.insert(after.end(), tail_[idx[r]].begin(), tail_[idx[r]].end());
    }
    const std::vector<FlowId> ends = tp_collective(idx, bytes_, after);
    if (flows_) for (uint32_t g : idx) tail_[g] = ends;
  }

  /// Whether TP collectives that follow a compute step are decomposed (TP overlap):
  /// asked for, a TP group to communicate in, and no context parallelism (refused by the
  /// scenario layer; its steps end in ring-attention blocks, not one GEMM step).
  bool tp_overlap() const { return spec_.tp_overlap_chunks > 0 && s_.t > 1 && s_.c == 1; }

  /// The TP collective of `bytes_` over the TP group of replica dd on stage i after a
  /// compute step that ran as chunks[r] (n each; tp_step) on TP rank r: without TP overlap, the
  /// all-reduce (or reduce-scatter and all-gather pair) after the step, as tp_all_reduce;
  /// with it (docs/training.md, "TP communication overlap"), n pieces of bytes_ / n in a
  /// row, piece k after chunk k on every rank and after piece k - 1 (one communication
  /// stream), so that chunk k + 1 computes while piece k moves; every rank's chain then
  /// waits for the last piece (and through it for all of them).
  void tp_after_chunks(uint32_t i, uint32_t dd, double bytes_, const std::vector<std::vector<FlowId>>& chunks) {
    if (!tp_overlap()) {
      tp_all_reduce(i, dd, bytes_);
      return;
    }
    const uint32_t n = spec_.tp_overlap_chunks;
    std::vector<uint32_t> idx(s_.t);
    for (uint32_t r = 0; r < s_.t; ++r) idx[r] = gpu(r, dd, i);
    std::vector<FlowId> ends;
    for (uint32_t k = 0; k < n; ++k) {
      std::vector<FlowId> after;
      if (flows_) {
        for (uint32_t r = 0; r < s_.t; ++r) after.push_back(chunks[r][k]);
        after.insert(after.end(), ends.begin(), ends.end());
      }
      ends = tp_collective(idx, bytes_ / n, after);
    }
    if (flows_) for (uint32_t g : idx) tail_[g] = ends;
  }

  /// One TP collective of `bytes_` over the ranks `idx` after `after`: the ring
  /// all-reduce, or with sequence parallelism its two halves, a reduce-scatter into the
  /// sequence-split region and an all-gather out of it, the same bytes, emitted where the
  /// all-reduce was (the layer norms and dropouts between them are no steps here).
  /// Returns its ends.
  std::vector<FlowId> tp_collective(std::span<const uint32_t> idx, double bytes_, std::span<const FlowId> after) {
    if (spec_.plan.sequence_parallel) {
      const auto mid = collective(Traffic::tp, make(CollectiveKind::reduce_scatter, nodes(idx), bytes_, "tp"),
                                  algorithm(CollectiveKind::reduce_scatter, "ring"), after);
      return collective(Traffic::tp, make(CollectiveKind::all_gather, nodes(idx), bytes_, "tp"),
                        algorithm(CollectiveKind::all_gather, "ring"), mid);
    }
    return collective(Traffic::tp, make(CollectiveKind::all_reduce, nodes(idx), bytes_, "tp"),
                      algorithm(CollectiveKind::all_reduce, "ring"), after);
  }

  /// EP all-to-all of `bytes_` per rank over every EP group of stage i and TP rank r.
  void ep_all_to_all(uint32_t i, double bytes_) {
    if (s_.e < 2) return;
    for (uint32_t group = 0; group < s_.d / s_.e; ++group) {
      for (uint32_t r = 0; r < s_.L; ++r) {
        std::vector<uint32_t> idx(s_.e);
        std::vector<FlowId> after;
        for (uint32_t j = 0; j < s_.e; ++j) {
          idx[j] = gpu(r, group * s_.e + j, i);
          after.insert(after.end(), tail_[idx[j]].begin(), tail_[idx[j]].end());
        }
        const auto ends =
            collective(Traffic::ep, make(CollectiveKind::all_to_all, nodes(idx), bytes_, "ep"),
                       algorithm(CollectiveKind::all_to_all, "direct"), after);
        if (flows_) for (uint32_t g : idx) tail_[g] = ends;
      }
    }
  }

  /// What ZeRO-3's gathers of one step's parameters end with, for the chains to wait on.
  struct Gathered {
    std::vector<std::vector<FlowId>> dense;   // by TP rank r: over all d replicas
    std::vector<std::vector<FlowId>> expert;  // by r e + (dd mod e): over d/e replicas
  };

  /// ZeRO-3: the parameters of one step gathered on stage i, the non-expert ones over
  /// each DP group (TP rank r, all d replicas), the experts' over the d/e replicas that
  /// hold the same experts (replica dd holds those of EP rank dd mod e), which are the
  /// ones they are sharded over. A gather waits for its members' chains as they are now,
  /// so issued one step ahead it is prefetched; and for the same group's gather
  /// `previous` (the step before's), so that a group's gathers run one at a time, as
  /// FSDP's on their one stream (two at once would share the links and delay the one
  /// needed first). Empty unless ZeRO-3.
  Gathered zero3_gather(uint32_t i, const Gathered* previous = nullptr) {
    Gathered out;
    if (spec_.plan.sharding != Sharding::zero3 || s_.d * s_.c < 2) return out;
    const double dense_bytes = s_.attn_param_bytes + s_.dense_mlp_param_bytes;
    const uint32_t holders = s_.d / s_.e;
    out.dense.resize(s_.t);
    if (s_.expert_param_bytes > 0 && holders * s_.c >= 2) out.expert.resize(s_.t * s_.e);
    const auto gather = [&](std::span<const uint32_t> idx, double size, const char* prefix,
                            std::span<const FlowId> before) {
      std::vector<FlowId> after;
      for (uint32_t g : idx) after.insert(after.end(), tail_[g].begin(), tail_[g].end());
      after.insert(after.end(), before.begin(), before.end());
      if (spec_.one_replica) return folded_ring(Traffic::dp, CollectiveKind::all_gather, idx, size, prefix, after);
      return collective(Traffic::dp, make(CollectiveKind::all_gather, nodes(idx), size, prefix),
                        algorithm(CollectiveKind::all_gather, "ring"), after);
    };
    std::vector<uint32_t> idx;
    for (uint32_t r = 0; r < s_.t; ++r) {
      if (dense_bytes > 0) {
        idx = dp_group(r, i, s_.d, 1, 0);
        out.dense[r] = gather(idx, dense_bytes, "zg",
                              previous && r < previous->dense.size() ? previous->dense[r] : std::vector<FlowId>());
      }
      for (uint32_t grp = 0; grp < out.expert.size() / s_.t; ++grp) {
        idx = dp_group(r, i, holders, s_.e, grp);
        const size_t x = r * s_.e + grp;
        out.expert[x] = gather(idx, s_.expert_param_bytes, "zge",
                               previous && x < previous->expert.size() ? previous->expert[x] : std::vector<FlowId>());
      }
    }
    return out;
  }

  /// Every chain of stage i also waits for its gathers' ends (from zero3_gather).
  void wait_for(uint32_t i, const Gathered& ends) {
    if (!flows_) return;
    if (ends.dense.empty()) return;
    for (uint32_t r = 0; r < s_.L; ++r) {
      for (uint32_t dd = 0; dd < reps_; ++dd) {
        auto& t = tail_[gpu(r, dd, i)];
        t.insert(t.end(), ends.dense[r % s_.t].begin(), ends.dense[r % s_.t].end());
        if (ends.expert.empty()) continue;
        const auto& x = ends.expert[(r % s_.t) * s_.e + dd % s_.e];
        t.insert(t.end(), x.begin(), x.end());
      }
    }
  }

  /// Context parallelism: one step's attention (with the MLP when dense) on every lane of
  /// replica dd on stage i, as ring attention (docs/training.md, "Context parallelism").
  /// Each CP ring (one per TP rank) runs c - 1 ring steps: in step j every CP rank sends
  /// the block it holds (its own first, then the one it received in step j - 1) to the
  /// next CP rank, `ring` bytes, while it computes: the step's work less the c - 1
  /// remote blocks (`flops` - (c - 1) `block`, all `hbm` bytes) during ring step 1, then
  /// remote block j (`block` FLOPs) once it has arrived, during ring step j + 1. Ring
  /// step 1 starts with the step (K and V are taken as ready when the step starts: the
  /// QKV projection is not split off). `recv`: per lane, the pipeline input the step
  /// also waits for (invalid or empty: none). Returns each lane's last compute step.
  std::vector<FlowId> ring_attention(uint32_t i, uint32_t dd, bool fwd, double flops, double hbm,
                                     double block, double ring, const std::vector<FlowId>& recv) {
    const char* rest = fwd ? (s_.moe ? "fwd_attn" : "fwd") : (s_.moe ? "bwd_attn" : "bwd");
    const char* part = fwd ? "fwd_cp" : "bwd_cp";
    std::vector<FlowId> last(s_.L);
    TrafficTotal& tt = info_.traffic[static_cast<size_t>(Traffic::cp)];
    tt.algorithm = "ring";
    for (uint32_t r = 0; r < s_.t; ++r) {
      std::vector<std::vector<FlowId>> start(s_.c);  // what each rank's ring step 1 waits for
      for (uint32_t cc = 0; cc < s_.c; ++cc) {
        const uint32_t lane = r + cc * s_.t, g = gpu(lane, dd, i);
        const FlowId in = lane < recv.size() ? recv[lane] : FlowId();
        const std::span<const FlowId> extra = in.valid() ? std::span<const FlowId>(&in, 1) : std::span<const FlowId>();
        if (flows_) {
          start[cc] = tail_[g];
          start[cc].insert(start[cc].end(), extra.begin(), extra.end());
        }
        last[lane] = compute(g, rest, flops - (s_.c - 1) * block, hbm, extra);
      }
      std::vector<FlowId> held(s_.c), arrived(s_.c);  // by CP rank: the block it sends next
      for (uint32_t j = 1; j < s_.c; ++j) {
        for (uint32_t cc = 0; cc < s_.c; ++cc) {
          const uint32_t to = (cc + 1) % s_.c;
          tt.collectives += mult_;
          tt.flows += mult_;
          count_ += 1;
          if (!flows_) continue;
          const DataSize size = bytes(ring);
          const std::span<const FlowId> deps = j == 1 ? std::span<const FlowId>(start[cc]) : std::span<const FlowId>(&held[cc], 1);
          const uint32_t src = gpu(r + cc * s_.t, dd, i), dst = gpu(r + to * s_.t, dd, i);
          DataSize wire;
          arrived[to] = transfer("cp", src, dst, size, deps, p2p_protocol(Traffic::cp, src, dst, size), true, wire);
          tt.bytes += wire * static_cast<double>(mult_);
        }
        held = arrived;
        for (uint32_t cc = 0; cc < s_.c; ++cc) {
          const uint32_t lane = r + cc * s_.t;
          const std::span<const FlowId> extra = flows_ ? std::span<const FlowId>(&held[cc], 1) : std::span<const FlowId>();
          last[lane] = compute(gpu(lane, dd, i), part, block, 0, extra);
        }
      }
    }
    return last;
  }

  /// The forward pass of micro-batch j through virtual stage vs (chunk vs / p of
  /// pipeline stage i = vs mod p), for every replica and TP rank.
  void forward(uint32_t vs, uint32_t j) {
    const StepWork& w = s_.work;
    const double act = s_.k * s_.activation;
    const uint32_t i = vs % s_.p, steps = s_.vsteps[vs];
    auto gathered = steps > 0 ? zero3_gather(i) : Gathered();
    if (steps == 0 && vs > 0 && flows_) {  // a chunk with no layer waits for its input
      for (uint32_t dd = 0; dd < reps_; ++dd)
        for (uint32_t r = 0; r < s_.L; ++r) tail_[gpu(r, dd, i)].push_back(fwd_sent_[slot(vs - 1, j, dd, r)]);
    }
    for (uint32_t q = 0; q < steps; ++q) {
      auto now = std::move(gathered);
      gathered = q + 1 < steps ? zero3_gather(i, &now) : decltype(gathered)();
      wait_for(i, now);
      overlapped_ = !gathered.dense.empty();  // the next step's gather runs beside this one
      for (uint32_t dd = 0; dd < reps_; ++dd) {
        if (s_.c > 1) {
          std::vector<FlowId> recv(s_.L);
          if (flows_ && q == 0 && vs > 0)
            for (uint32_t r = 0; r < s_.L; ++r) recv[r] = fwd_sent_[slot(vs - 1, j, dd, r)];
          const double flops = s_.moe ? w.attn_flops : w.attn_flops + w.mlp_flops;
          ring_attention(i, dd, true, flops, s_.moe ? w.attn_bytes : w.attn_bytes + w.mlp_bytes,
                         w.block_flops, w.ring_bytes, recv);
        }
        std::vector<std::vector<FlowId>> chunks;  // with TP overlap, by TP rank: the step's chunks
        for (uint32_t r = 0; r < s_.t && s_.c == 1; ++r) {
          const uint32_t g = gpu(r, dd, i);
          FlowId recv;
          if (flows_ && q == 0 && vs > 0) recv = fwd_sent_[slot(vs - 1, j, dd, r)];
          const std::span<const FlowId> extra = recv.valid() ? std::span<const FlowId>(&recv, 1)
                                                             : std::span<const FlowId>();
          if (s_.moe) {
            tp_step(g, "fwd_attn", w.attn_flops, w.attn_bytes, extra, chunks);
          } else {
            tp_step(g, "fwd", w.attn_flops + w.mlp_flops, w.attn_bytes + w.mlp_bytes, extra, chunks);
          }
        }
        // Megatron: one all-reduce after attention, one after the MLP, per layer.
        tp_after_chunks(i, dd, s_.moe ? act : 2 * act, chunks);
      }
      if (s_.moe) {
        const double a2a = s_.k * s_.tokens * kept_top_k(spec_.model) * spec_.model.hidden * s_.vb / s_.t;
        ep_all_to_all(i, a2a);  // dispatch
        for (uint32_t dd = 0; dd < reps_; ++dd)
          for (uint32_t r = 0; r < s_.L; ++r) compute(gpu(r, dd, i), "fwd_mlp", w.mlp_flops, w.mlp_bytes);
        ep_all_to_all(i, a2a);  // combine
        for (uint32_t dd = 0; dd < reps_; ++dd) tp_all_reduce(i, dd, act);
      }
    }
    overlapped_ = false;
    for (uint32_t dd = 0; dd < reps_; ++dd) {
      for (uint32_t r = 0; r < s_.L; ++r) {
        const uint32_t g = gpu(r, dd, i);
        if (vs == s_.P - 1) {
          compute(g, "fwd_head", w.head_flops, w.head_bytes);
        } else {
          const FlowId sent = send(g, gpu(r, dd, (vs + 1) % s_.p));
          if (flows_) fwd_sent_[slot(vs, j, dd, r)] = sent;
        }
      }
    }
  }

  /// A whole backward step's FLOPs and bytes (`flops`, `bytes_`) less the weight-gradient
  /// pass's `w_flops` (ZB-H1's input-gradient pass B), or only that part (`weight`, its
  /// W pass); the bytes split as the FLOPs do (docs/training.md, "Zero-bubble").
  static std::pair<double, double> part_of(double flops, double bytes_, double w_flops, bool weight) {
    const double share = w_flops / flops;
    return weight ? std::pair{w_flops, bytes_ * share} : std::pair{flops - w_flops, bytes_ * (1 - share)};
  }

  /// The backward pass of micro-batch j through virtual stage vs (on pipeline stage
  /// i = vs mod p), or with `input` only its input-gradient pass B (ZB-H1; weight()
  /// runs the rest). When it `closes` the stage's gradients (the last backward there,
  /// whole) each bucket's gradient collective starts as soon as its steps are done.
  void backward(uint32_t vs, uint32_t j, bool closes, bool input) {
    const StepWork& w = s_.work;
    const double act = s_.k * s_.activation;
    const double again = spec_.recompute ? 1 : 0;  // the forward recomputed first
    const uint32_t i = vs % s_.p, steps = s_.vsteps[vs];
    ROSHNI_ASSERT(!input || s_.c == 1, "a split backward with context parallelism");
    const std::vector<Bucket> buckets = closes && !input ? buckets_of(spec_, s_, vs) : std::vector<Bucket>();
    size_t next_bucket = 0;
    std::vector<std::vector<FlowId>> step_done(s_.d * s_.L);
    for (uint32_t dd = 0; dd < reps_; ++dd) {
      for (uint32_t r = 0; r < s_.L; ++r) {
        const uint32_t g = gpu(r, dd, i);
        if (vs == s_.P - 1) {
          // Split, the head's dX and dW are one forward's matmul each.
          if (input) compute(g, "bwd_head_b", w.head_flops, w.head_bytes);
          else compute(g, "bwd_head", 2 * w.head_flops, 2 * w.head_bytes);
        } else {
          if (flows_) tail_[g].push_back(bwd_sent_[slot(vs + 1, j, dd, r)]);
        }
      }
    }
    if (steps == 0 && !buckets.empty()) {  // a chunk with no layer: its embedding or head
      for (uint32_t dd = 0; dd < reps_; ++dd)
        for (uint32_t r = 0; r < s_.L; ++r) step_done[dd * s_.L + r] = tail_[gpu(r, dd, i)];
      gradients(i, buckets.front(), step_done);
    }
    auto gathered = steps > 0 ? zero3_gather(i) : Gathered();
    for (uint32_t q = steps; q-- > 0;) {
      auto now = std::move(gathered);
      gathered = q > 0 ? zero3_gather(i, &now) : decltype(gathered)();
      wait_for(i, now);
      // Beside this step: the next step's ZeRO-3 gather, and the buckets of this (closing)
      // pass issued so far.
      overlapped_ = !gathered.dense.empty() || (next_bucket > 0 && dp_reduces());
      if (s_.moe) {
        // The mirror of the forward: Megatron's all-reduce that ends a block in the
        // forward is the identity in the backward, and the identity that starts it
        // becomes an all-reduce of the block input's gradient, after the block's
        // backward (Shoeybi et al. 2019, fig. 3).
        const double a2a = s_.k * s_.tokens * kept_top_k(spec_.model) * spec_.model.hidden * s_.vb / s_.t;
        ep_all_to_all(i, a2a);  // gradient of combine
        const auto [mf, mb] = input ? part_of((2 + again) * w.mlp_flops, (2 + again) * w.mlp_bytes, w.mlp_flops, false)
                                    : std::pair{(2 + again) * w.mlp_flops, (2 + again) * w.mlp_bytes};
        for (uint32_t dd = 0; dd < reps_; ++dd)
          for (uint32_t r = 0; r < s_.L; ++r) compute(gpu(r, dd, i), input ? "bwd_b_mlp" : "bwd_mlp", mf, mb);
        ep_all_to_all(i, a2a);  // gradient of dispatch
        for (uint32_t dd = 0; dd < reps_; ++dd) tp_all_reduce(i, dd, act);
      }
      for (uint32_t dd = 0; dd < reps_; ++dd) {
        if (s_.c > 1) {
          // The backward of the attention (and, dense, the MLP) around the ring: K, V and
          // dK, dV per ring step (K, V once more with full recomputation).
          const double flops = (2 + again) * (s_.moe ? w.attn_flops : w.attn_flops + w.mlp_flops) + w.core_flops;
          const double hbm = (2 + again) * (s_.moe ? w.attn_bytes : w.attn_bytes + w.mlp_bytes) + w.core_bytes;
          const auto last_ids = ring_attention(i, dd, false, flops, hbm, (2 + again) * w.block_flops,
                                               (2 + again) * w.ring_bytes, {});
          for (uint32_t r = 0; r < s_.L; ++r) step_done[dd * s_.L + r].assign(1, last_ids[r]);
        }
        std::vector<std::vector<FlowId>> chunks;  // with TP overlap, by TP rank: the step's chunks
        for (uint32_t r = 0; r < s_.t && s_.c == 1; ++r) {
          const uint32_t g = gpu(r, dd, i);
          const double wf = s_.moe ? w.attn_gemm_flops : w.attn_gemm_flops + w.mlp_flops;
          const auto [f, b] = whole_step(s_.moe, again);
          const auto [bf, bb] = input ? part_of(f, b, wf, false) : std::pair{f, b};
          const FlowId id = tp_step(g, s_.moe ? (input ? "bwd_b_attn" : "bwd_attn") : (input ? "bwd_b" : "bwd"),
                                    bf, bb, {}, chunks);
          step_done[dd * s_.L + r].assign(1, id);
        }
        tp_after_chunks(i, dd, s_.moe ? act : 2 * act, chunks);
      }
      if (next_bucket < buckets.size() && buckets[next_bucket].first_step == q) {
        gradients(i, buckets[next_bucket], step_done);
        ++next_bucket;
      }
    }
    overlapped_ = false;
    if (vs > 0) {
      for (uint32_t dd = 0; dd < reps_; ++dd) {
        for (uint32_t r = 0; r < s_.L; ++r) {
          const FlowId sent = send(gpu(r, dd, i), gpu(r, dd, (vs - 1) % s_.p));
          if (flows_) bwd_sent_[slot(vs, j, dd, r)] = sent;
        }
      }
    }
  }

  /// A whole backward step's FLOPs and bytes without the MoE experts' half (`moe`) or
  /// with the MLP (dense), `again` = 1 with full recomputation.
  std::pair<double, double> whole_step(bool moe, double again) const {
    const StepWork& w = s_.work;
    if (moe) return {(2 + again) * w.attn_flops + w.core_flops, (2 + again) * w.attn_bytes + w.core_bytes};
    return {(2 + again) * (w.attn_flops + w.mlp_flops) + w.core_flops,
            (2 + again) * (w.attn_bytes + w.mlp_bytes) + w.core_bytes};
  }

  /// ZB-H1's weight-gradient pass W of micro-batch j through virtual stage vs: per step
  /// (last first) dW = X^T dY, one forward's matmul FLOPs (attention and MLP or local
  /// experts, the head on the last virtual stage), after the step's B pass on the same
  /// GPU's chain. No collective: the TP all-reduces and EP all-to-alls of the backward
  /// are B's. When it `closes` the stage's gradients, each bucket's gradient collective
  /// starts after the W of its steps.
  void weight(uint32_t vs, uint32_t /*j*/, bool closes) {
    const StepWork& w = s_.work;
    const double again = spec_.recompute ? 1 : 0;
    const uint32_t i = vs % s_.p, steps = s_.vsteps[vs];
    const std::vector<Bucket> buckets = closes ? buckets_of(spec_, s_, vs) : std::vector<Bucket>();
    size_t next_bucket = 0;
    std::vector<std::vector<FlowId>> step_done(s_.d * s_.L);
    if (vs == s_.P - 1) {
      for (uint32_t dd = 0; dd < reps_; ++dd)
        for (uint32_t r = 0; r < s_.L; ++r) compute(gpu(r, dd, i), "bwd_head_w", w.head_flops, w.head_bytes);
    }
    if (steps == 0 && !buckets.empty()) {  // a chunk with no layer: its embedding or head
      for (uint32_t dd = 0; dd < reps_; ++dd)
        for (uint32_t r = 0; r < s_.L; ++r) step_done[dd * s_.L + r] = tail_[gpu(r, dd, i)];
      gradients(i, buckets.front(), step_done);
    }
    for (uint32_t q = steps; q-- > 0;) {
      overlapped_ = next_bucket > 0 && dp_reduces();  // beside the buckets of this (closing) pass issued so far
      const auto [f, b] = whole_step(s_.moe, again);
      auto [wf, wb] = part_of(f, b, s_.moe ? w.attn_gemm_flops : w.attn_gemm_flops + w.mlp_flops, true);
      if (s_.moe) {
        const auto [mf, mb] = part_of((2 + again) * w.mlp_flops, (2 + again) * w.mlp_bytes, w.mlp_flops, true);
        wf += mf;
        wb += mb;
      }
      for (uint32_t dd = 0; dd < reps_; ++dd)
        for (uint32_t r = 0; r < s_.L; ++r)
          step_done[dd * s_.L + r].assign(1, compute(gpu(r, dd, i), "bwd_w", wf, wb));
      if (next_bucket < buckets.size() && buckets[next_bucket].first_step == q) {
        gradients(i, buckets[next_bucket], step_done);
        ++next_bucket;
      }
    }
    overlapped_ = false;
  }

  /// Whether a gradient bucket runs a collective at all: its DP group (d replicas, each
  /// with its c CP ranks) has two members or more.
  bool dp_reduces() const { return s_.d * s_.c >= 2; }

  /// One bucket's gradient collectives over every DP group of stage i (and, for experts,
  /// every expert-data-parallel group), after the steps in `done` on each member.
  void gradients(uint32_t i, const Bucket& b, const std::vector<std::vector<FlowId>>& done) {
    const bool sharded = spec_.plan.sharding != Sharding::none;
    for (uint32_t r = 0; r < s_.t; ++r) {
      // Non-expert gradients over all d replicas; expert gradients over the d / e
      // replicas that hold the same experts; each with all c CP ranks, which hold the
      // same weights (dp_group).
      for (int part = 0; part < 2; ++part) {
        const double size = part == 0 ? b.dense_bytes : b.expert_bytes;
        const uint32_t stride = part == 0 ? 1 : s_.e;
        const uint32_t groups = part == 0 ? 1 : s_.e;
        const uint32_t members = s_.d / stride;
        if (size <= 0 || members * s_.c < 2) continue;
        for (uint32_t grp = 0; grp < groups; ++grp) {
          const std::vector<uint32_t> idx = dp_group(r, i, members, stride, grp);
          std::vector<FlowId> after;
          for (uint32_t q = 0; q < members; ++q) {
            for (uint32_t cc = 0; cc < s_.c; ++cc) {
              const auto& dn = done[(q * stride + grp) * s_.L + r + cc * s_.t];
              after.insert(after.end(), dn.begin(), dn.end());
            }
          }
          std::vector<FlowId> ends;
          if (spec_.one_replica) {
            ends = folded_ring(Traffic::dp,
                               sharded ? CollectiveKind::reduce_scatter : CollectiveKind::all_reduce,
                               idx, size, "dp", after);
            if (sharded && spec_.plan.sharding != Sharding::zero3) pending_gathers_.push_back({idx, size});
          } else if (sharded) {
            ends = collective(Traffic::dp, make(CollectiveKind::reduce_scatter, nodes(idx), size, "dp"),
                              algorithm(CollectiveKind::reduce_scatter, "ring"), after);
            if (spec_.plan.sharding != Sharding::zero3) pending_gathers_.push_back({idx, size});
          } else {
            coll::Collective c = make(CollectiveKind::all_reduce, nodes(idx), size, "dp");
            const uint32_t run = dp_domain_run(spec_, idx);
            if (run > 0) {
              c.domain_size = run;
              c.inter = "ring";
              ends = collective(Traffic::dp, c, algorithm(CollectiveKind::all_reduce, "hierarchical"), after);
            } else {
              ends = collective(Traffic::dp, c, algorithm(CollectiveKind::all_reduce, "ring"), after);
            }
          }
          if (flows_) {
            for (uint32_t g : idx) dp_ends_[g].insert(dp_ends_[g].end(), ends.begin(), ends.end());
          }
        }
      }
    }
  }

  /// A point-to-point send of one micro-batch's activation (or its gradient) shard: the
  /// t ranks of a stage each send 1/t of it (Narayanan et al.'s scatter/gather).
  FlowId send(uint32_t from, uint32_t to) {
    TrafficTotal& tt = info_.traffic[static_cast<size_t>(Traffic::pp)];
    tt.collectives += mult_;
    tt.flows += mult_;
    tt.algorithm = "p2p";
    count_ += 1;
    if (!flows_) return FlowId();
    const DataSize size = bytes(s_.activation / s_.t);
    DataSize wire;
    const FlowId f = transfer("pp", from, to, size, tail_[from], p2p_protocol(Traffic::pp, from, to, size), true, wire);
    tt.bytes += wire * static_cast<double>(mult_);
    return f;
  }

  size_t slot(uint32_t vs, uint32_t j, uint32_t dd, uint32_t r) const {
    return ((static_cast<size_t>(vs) * s_.m + j) * s_.d + dd) * s_.L + r;
  }

  /// Every stage's passes in the order of pipeline_order (1F1B, GPipe or ZB-H1, or
  /// interleaved 1F1B over virtual stages). Stages are emitted in an order in which every
  /// cross-stage input exists before it is used: a forward through virtual stage vs waits
  /// for vs - 1 to have run that micro-batch, a backward (or B pass) for vs + 1's; a W
  /// pass only for its B, earlier on the same stage.
  void pipeline() {
    std::vector<std::vector<PipelineOp>> ops(s_.p);
    size_t remaining = 0;
    for (uint32_t i = 0; i < s_.p; ++i) {
      ops[i] = pipeline_order(s_.p, s_.v, s_.m, i, spec_.plan.schedule);
      remaining += ops[i].size();
    }
    std::vector<size_t> next(s_.p, 0);
    // By virtual stage vs and micro-batch j (vs m + j): whether its forward (its
    // backward, or B pass) has been emitted; by vs, the passes that made gradients.
    std::vector<uint8_t> fwd_done(static_cast<size_t>(s_.P) * s_.m, 0), bwd_done = fwd_done;
    std::vector<uint32_t> grads(s_.P, 0);
    while (remaining > 0) {
      bool progress = false;
      for (uint32_t i = 0; i < s_.p; ++i) {
        while (next[i] < ops[i].size()) {
          const PipelineOp op = ops[i][next[i]];
          const uint32_t vs = op.chunk * s_.p + i;
          const size_t at = static_cast<size_t>(vs) * s_.m + op.micro_batch;
          const bool ready = op.forward ? (vs == 0 || fwd_done[at - s_.m])
                             : op.part == BackwardPart::weight ? true
                                                               : (vs == s_.P - 1 || bwd_done[at + s_.m]);
          if (!ready) break;
          if (op.forward) {
            forward(vs, op.micro_batch);
            fwd_done[at] = 1;
          } else if (op.part == BackwardPart::weight) {
            weight(vs, op.micro_batch, ++grads[vs] == s_.m);
          } else {
            const bool input = op.part == BackwardPart::input;
            backward(vs, op.micro_batch, !input && ++grads[vs] == s_.m, input);
            bwd_done[at] = 1;
          }
          ++next[i];
          --remaining;
          progress = true;
        }
      }
      ROSHNI_ASSERT(progress, "pipeline emission made no progress");
    }
  }

  /// The optimizer step on every GPU once its gradients are reduced, and (ZeRO-1/2) the
  /// all-gather of the updated parameter shards.
  void finish() {
    // Sharded, a replica updates 1/d of the non-expert parameters and 1/(d/e) of its
    // experts' (the d/e replicas holding them split their state).
    const bool sharded = spec_.plan.sharding != Sharding::none;
    // With context parallelism the c CP ranks of a replica share it too.
    const double dense_share = sharded ? s_.d * s_.c : 1;
    const double expert_share = sharded ? s_.d / s_.e * s_.c : 1;
    for (uint32_t i = 0; i < s_.p; ++i) {
      uint32_t steps = 0;  // of all the stage's chunks
      for (uint32_t c = 0; c < s_.v; ++c) steps += s_.vsteps[c * s_.p + i];
      double dense = steps * (s_.attn_param_bytes + s_.dense_mlp_param_bytes) / s_.vb;
      if (i == 0) dense += s_.embedding_bytes / s_.vb;
      if (i == s_.p - 1 && has_head_copy(spec_, s_)) dense += s_.embedding_bytes / s_.vb;
      const double experts = steps * s_.expert_param_bytes / s_.vb;
      const double params = dense / dense_share + experts / expert_share;
      for (uint32_t dd = 0; dd < reps_; ++dd) {
        for (uint32_t r = 0; r < s_.L; ++r) {
          const uint32_t g = gpu(r, dd, i);
          compute(g, "optimizer", 0, spec_.optimizer_bytes_per_param * params, dp_ends_[g]);
        }
      }
    }
    for (const auto& [idx, size] : pending_gathers_) {
      std::vector<FlowId> after;
      for (uint32_t g : idx) after.insert(after.end(), tail_[g].begin(), tail_[g].end());
      if (spec_.one_replica) {
        folded_ring(Traffic::dp, CollectiveKind::all_gather, idx, size, "dp_ag", after);
        continue;
      }
      collective(Traffic::dp, make(CollectiveKind::all_gather, nodes(idx), size, "dp_ag"),
                 algorithm(CollectiveKind::all_gather, "ring"), after);
    }
  }

  const TrainingSpec& spec_;
  const Shape s_;
  std::span<const NodeId> gpus_;
  net::FlowSet* flows_;
  const uint32_t reps_;  // replicas simulated: 1 with one_replica, else d
  const uint32_t mult_;  // replicas each simulated one stands for: d with one_replica, else 1
  TrainingInfo info_;
  double count_ = 0;
  std::vector<std::vector<FlowId>> tail_;     // per GPU: what its next step waits for
  std::vector<std::vector<FlowId>> dp_ends_;  // per GPU: its gradient collectives' ends
  std::vector<SimTime> compute_;              // per GPU: sum of its compute steps
  StepOps ops_;                               // with op_fractions: a step's forward work by class
  std::vector<std::array<SimTime, 4>> by_class_;  // with op_fractions: per GPU, by OpClass
  std::vector<FlowId> fwd_sent_, bwd_sent_;   // by slot(): the p2p of each micro-batch
  /// With a library: the tuner's protocol by what its prediction depends on (protocol_for).
  std::map<std::tuple<int, std::string, uint32_t, uint32_t, double, uint32_t, double, int64_t>, coll::Protocol> tuned_;
  std::vector<std::pair<std::vector<uint32_t>, double>> pending_gathers_;
  /// The compute steps emitted now run beside a collective of their GPU (a ZeRO-3
  /// prefetch gather, a gradient bucket of the closing backward): slowed by
  /// overlap_slowdown (docs/training.md, "Compute beside overlapped collectives").
  bool overlapped_ = false;
  std::vector<FlowId> deps_;
};

}  // namespace

std::vector<uint32_t> virtual_stage_layers(const TransformerModel& model, const ParallelPlan& plan) {
  const uint32_t p = plan.pipeline, v = plan.virtual_stages;
  const uint32_t first = plan.first_stage_layers, last = plan.last_stage_layers;
  uint32_t rest = model.layers, left = p;
  if (first > 0) {
    rest -= first;
    --left;
  }
  if (last > 0) {
    rest -= last;
    --left;
  }
  const uint32_t per_chunk = left > 0 ? rest / left / v : 0;
  std::vector<uint32_t> out(static_cast<size_t>(p) * v, per_chunk);
  if (first > 0) out.front() = first - (v - 1) * per_chunk;
  if (last > 0) out.back() = last - (v - 1) * per_chunk;
  return out;
}

std::string_view to_string(PipelineSchedule s) {
  switch (s) {
    case PipelineSchedule::one_f_one_b:
      return "1f1b";
    case PipelineSchedule::gpipe:
      return "gpipe";
    case PipelineSchedule::zb_h1:
      return "zb_h1";
  }
  return "1f1b";
}

std::vector<PipelineOp> pipeline_order(uint32_t p, uint32_t v, uint32_t m, uint32_t stage,
                                       PipelineSchedule schedule) {
  std::vector<PipelineOp> ops;
  if (v == 1 && schedule == PipelineSchedule::gpipe) {
    // GPipe (Huang et al. 2019, fig. 2c): every forward, then every backward, the last
    // micro-batch's first.
    for (uint32_t j = 0; j < m; ++j) ops.push_back({true, 0, j});
    for (uint32_t j = m; j-- > 0;) ops.push_back({false, 0, j});
    return ops;
  }
  if (v == 1 && schedule == PipelineSchedule::zb_h1) {
    // ZB-H1 (Qi et al. 2024, sec. 2.1, fig. 3 top): 1F1B's order, F^(p - i) (B F)..., with
    // each backward cut into B and W and stage i's W passes run `stage` micro-batches
    // late (B, then W, then F in the steady state), so the B passes travel up the
    // pipeline unhindered and the deferred W passes fill the drain.
    const uint32_t warm = std::min(p - stage, m);
    uint32_t f = 0, w = 0;
    for (; f < warm; ++f) ops.push_back({true, 0, f});
    for (uint32_t b = 0; b < m; ++b) {
      ops.push_back({false, 0, b, BackwardPart::input});
      if (b >= stage) ops.push_back({false, 0, w++, BackwardPart::weight});
      if (f < m) ops.push_back({true, 0, f++});
    }
    for (; w < m; ++w) ops.push_back({false, 0, w, BackwardPart::weight});
    return ops;
  }
  if (v == 1) {
    // 1F1B (PipeDream-Flush, Narayanan et al. 2021, fig. 4): min(p - 1 - i, m) warm-up
    // forwards, then one forward and one backward alternately, then the rest backwards.
    const uint32_t warm = std::min(p - 1 - stage, m);
    for (uint32_t j = 0; j < warm; ++j) ops.push_back({true, 0, j});
    for (uint32_t j = 0; j + warm < m; ++j) {
      ops.push_back({true, 0, j + warm});
      ops.push_back({false, 0, j});
    }
    for (uint32_t j = m - warm; j < m; ++j) ops.push_back({false, 0, j});
    return ops;
  }
  // Megatron-LM's interleaved schedule: passes k = 0 .. m v - 1 go through the chunks in
  // groups of p micro-batches; backwards visit the chunks in reverse.
  const uint32_t total = m * v;
  const uint32_t warm = m == p ? total : std::min((p - stage - 1) * 2 + (v - 1) * p, total);
  const auto at = [&](uint32_t k, bool forward) {
    const uint32_t c = (k % (p * v)) / p;
    return PipelineOp{forward, forward ? c : v - 1 - c, (k / (p * v)) * p + k % p};
  };
  for (uint32_t k = 0; k < warm; ++k) ops.push_back(at(k, true));
  for (uint32_t k = 0; k + warm < total; ++k) {
    ops.push_back(at(k + warm, true));
    ops.push_back(at(k, false));
  }
  for (uint32_t k = total - warm; k < total; ++k) ops.push_back(at(k, false));
  return ops;
}

double activation_bytes_per_layer(const TrainingSpec& spec) {
  const TransformerModel& mo = spec.model;
  const double s = mo.sequence, b = mo.micro_batch, h = mo.hidden, vb = mo.bytes_per_value;
  const double t = spec.plan.tensor;
  // Context parallelism: a rank holds s/c tokens, and their s/c x s scores.
  const double c = spec.plan.context;
  if (spec.recompute) return vb * s * b * h / c;  // the layer's input, kept for the recomputation
  const double kv = static_cast<double>(mo.kv_heads) * (h / mo.heads);
  const double g = mo.mlp == MlpKind::gated ? 2 : 1;
  const double used = mo.experts > 0 ? kept_top_k(mo) : 1;
  // Not split by TP: two layer-norm inputs, the attention's and the MLP's inputs (vb
  // each), two dropout masks (1 B each). Split: q, k, v, the attention output, the MLP's
  // up (and gate) outputs and the activation's output. The a s^2 scores: softmax output,
  // dropout mask and output.
  // Sequence parallelism splits the first part over the TP group too (Table 2's 34/t).
  const double sp = spec.plan.sequence_parallel ? t : 1;
  double a = s * b * (h * (4 * vb + 2) / sp + vb * (2 * h + 2 * kv + (g + 1) * mo.ffn * used) / t);
  if (!spec.selective_recompute) a += (2 * vb + 1) * mo.heads * s * s * b / t;
  return a / c;
}

std::vector<StageMemory> memory_per_gpu(const TrainingSpec& spec) {
  const TransformerModel& mo = spec.model;
  const ParallelPlan& pl = spec.plan;
  const uint32_t p = pl.pipeline, v = pl.virtual_stages;
  const uint32_t m = mo.global_batch / (mo.micro_batch * pl.data);
  const double t = pl.tensor, e = pl.expert, vb = mo.bytes_per_value;
  // Weights are replicated over the c CP ranks of a replica: sharding splits over d c.
  const double d = static_cast<double>(pl.data) * pl.context;
  const std::vector<uint32_t> layers = virtual_stage_layers(mo, pl);
  const double per_layer = activation_bytes_per_layer(spec);
  TrainingSpec whole = spec;  // with full recomputation, the layer being recomputed
  whole.recompute = false;
  whole.selective_recompute = false;
  const double working = spec.recompute ? activation_bytes_per_layer(whole) : 0;
  const bool moe = mo.experts > 0;
  const double dense_layer = (attention_params(mo) + (moe ? 0 : mlp_params(mo))) / t;
  const double expert_layer = moe ? static_cast<double>(mo.experts) / e * mlp_params(mo) / t : 0;
  const double embedding = static_cast<double>(mo.vocabulary) * mo.hidden / t;
  const bool head_copy = p > 1 || !mo.tied_embeddings;
  // Replicas sharing one copy: the dense parameters' over d, the experts' over d / e.
  const Sharding z = pl.sharding;
  const auto share = [&](bool sharded, double over) { return sharded ? over : 1.0; };
  const double w_d = share(z == Sharding::zero3, d), w_e = share(z == Sharding::zero3, d / e);
  const bool grads_sharded = z == Sharding::zero2 || z == Sharding::zero3;
  const double g_d = share(grads_sharded, d), g_e = share(grads_sharded, d / e);
  const double o_d = share(z != Sharding::none, d), o_e = share(z != Sharding::none, d / e);
  std::vector<StageMemory> out(p);
  for (uint32_t i = 0; i < p; ++i) {
    uint32_t n = 0;
    for (uint32_t c = 0; c < v; ++c) n += layers[c * p + i];
    double dense = n * dense_layer;
    if (i == 0) dense += embedding;
    if (i == p - 1 && head_copy) dense += embedding;
    const double experts = n * expert_layer;
    StageMemory& sm = out[i];
    sm.weights = vb * (dense / w_d + experts / w_e);
    sm.gradients = vb * (dense / g_d + experts / g_e);
    sm.optimizer = 12 * (dense / o_d + experts / o_e);
    uint32_t held = 0;
    for (const PipelineOp& op : pipeline_order(p, v, m, i, pl.schedule)) {
      const uint32_t l = layers[op.chunk * p + i];
      // A micro-batch's activations are held from its forward to the end of its
      // backward; with the backward split (ZB-H1), to its W pass, which reads the
      // layers' inputs (X in dW = X^T dY).
      if (op.part == BackwardPart::input) continue;
      held = op.forward ? held + l : held - l;
      sm.layer_passes = std::max(sm.layer_passes, held);
    }
    sm.activations = sm.layer_passes * per_layer + (sm.layer_passes > 0 ? working : 0);
  }
  return out;
}

std::string fold_problem(const TrainingSpec& spec) {
  const ParallelPlan& pl = spec.plan;
  if (pl.context > 1) {
    return fmt::format("context parallelism {} is not folded: its ring and the data-parallel "
                       "groups over data x context ranks are simulated whole", pl.context);
  }
  if (pl.expert > 1) {
    return fmt::format("expert parallelism {} spans data-parallel replicas, so they exchange "
                       "tokens and are not copies of one another", pl.expert);
  }
  const uint32_t ds = spec.domain_size;
  if (ds == 0 || pl.data < 2) return "";
  std::vector<uint32_t> members(pl.data);
  for (uint32_t i = 0; i < pl.pipeline; ++i) {
    for (uint32_t r = 0; r < pl.tensor; ++r) {
      for (uint32_t dd = 0; dd < pl.data; ++dd) members[dd] = pl.gpu(r, dd, i);
      if (pl.sharding == Sharding::none && dp_domain_run(spec, members) > 0) {
        return "the data-parallel ranks share scale-up domains, so their all-reduce is "
               "hierarchical, not one ring across replicas";
      }
      for (uint32_t dd = 0; dd < pl.data; ++dd) {
        const uint32_t a = members[dd], b = members[(dd + 1) % pl.data];
        if (a / ds == b / ds) {
          return fmt::format("a data-parallel ring hop (GPU {} to GPU {}) stays inside a scale-up "
                             "domain; one replica stands for all only when every ring hop leaves "
                             "its domain", a, b);
        }
      }
    }
  }
  return "";
}

double training_flow_count(const TrainingSpec& spec) {
  Builder b(spec, {}, nullptr);
  b.run();
  return b.counted();
}

TrainingInfo build_training(const TrainingSpec& spec, std::span<const NodeId> gpus,
                            net::FlowSet& flows) {
  ROSHNI_ASSERT(gpus.size() == spec.plan.gpus(), "{} GPUs for a plan of {}", gpus.size(),
                spec.plan.gpus());
  Builder b(spec, gpus, &flows);
  return b.run();
}

SimTime critical_path_without_communication(const net::FlowSet& flows) {
  // Kahn's algorithm over the dependency graph: finish(f) = max(earliest start,
  // max finish of deps) + (compute time, or 0 for a network flow).
  const size_t n = flows.size();
  net::Dependents dependents(flows);
  std::vector<SimTime> ready(n, SimTime::zero());
  std::deque<uint32_t> queue;
  for (uint32_t f = 0; f < n; ++f) {
    if (dependents.pending(f) == 0) queue.push_back(f);
  }
  SimTime end = SimTime::zero();
  size_t done = 0;
  while (!queue.empty()) {
    const uint32_t f = queue.front();
    queue.pop_front();
    ++done;
    const FlowId id(f);
    const SimTime start = std::max(ready[f], flows.earliest_start(id));
    const SimTime finish = start + (flows.is_task(id) ? flows.task_time(id) : SimTime::zero());
    end = std::max(end, finish);
    for (const uint32_t s : dependents.of(f)) ready[s] = std::max(ready[s], finish);
    dependents.release(f, [&](uint32_t s) { queue.push_back(s); });
  }
  ROSHNI_ASSERT(done == n, "dependency cycle in a training DAG");
  return end;
}

}  // namespace roshni::work
