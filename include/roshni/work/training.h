/// One training iteration of a transformer on a parallelism plan, as a flow DAG: per GPU
/// a chain of compute steps (roofline time) in the 1F1B pipeline order, and the
/// collectives the plan implies (TP all-reduce per step, PP activations and gradients
/// between stages, DP gradient all-reduce in buckets overlapped with the last
/// micro-batch's backward, EP all-to-all around each MoE MLP), each emitted by a coll/
/// algorithm. The equations and what is simplified are in docs/training.md. Inputs are
/// trusted: the scenario layer checks them (src/scenario/training.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "roshni/coll/library.h"
#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/flow_set.h"
#include "roshni/work/op_roofline.h"
#include "roshni/work/parallelism.h"
#include "roshni/work/transformer.h"

namespace roshni::work {

struct TrainingSpec {
  TransformerModel model;
  ParallelPlan plan;
  std::string accelerator;       // its name, for the report
  FlopRate peak;                 // dense peak at the model's precision
  DataRate hbm_bandwidth;
  double efficiency = 1.0;       // achievable FLOP/s = peak x efficiency, in (0, 1]
  /// Set ("efficiency": "roofline"): compute steps are timed by operation class with these
  /// fractions (op_roofline.h) instead of one roofline at `efficiency`.
  std::optional<OpFractions> op_fractions;
  bool recompute = false;        // full activation recomputation: one more forward per layer
  /// Selective recomputation (Korthikanti et al. 2022): only the attention core (scores,
  /// softmax, weighted sum: 4 s h FLOPs per token and layer) runs again in the backward,
  /// and its s^2-sized activations are not kept. Exclusive with `recompute`.
  bool selective_recompute = false;
  /// TP communication overlap (docs/training.md, "TP communication overlap"): 0 = off;
  /// n >= 1 = a compute step whose TP collective follows it runs as n chunks and the
  /// collective as n pieces, piece k after chunk k on every rank of the group and after
  /// piece k - 1 (n = 1 is the run without overlap). Only with tensor >= 2 and context 1.
  uint32_t tp_overlap_chunks = 0;
  /// Compute slowed by overlapped communication (docs/training.md, "Compute beside
  /// overlapped collectives"): a compute step that runs while a collective of its own GPU
  /// is in flight (a DP gradient bucket of the closing backward, a ZeRO-3 prefetch gather,
  /// the TP pieces of a decomposed step) takes (1 + s) times its time for the part that
  /// overlaps. 0 = off (full speed, as before); measured: s = 0.189 on average (Lee et al.
  /// 2025, A100/H100/MI250/MI210).
  double overlap_slowdown = 0;
  /// HBM per GPU, 0 = unknown (then memory is not checked).
  DataSize hbm_capacity;
  /// Write memory_per_gpu into the report (the scenario's "check_memory": true, or a
  /// schedule other than plain 1F1B); off, reports keep the bytes they had before.
  bool report_memory = false;
  double optimizer_bytes_per_param = 0;  // HBM bytes the optimizer step moves per parameter
  uint32_t domain_size = 0;      // GPUs per scale-up domain (topology order), 0 = none
  double train_tokens = 0;       // for "time to train"; 0 = not asked
  /// Simulate one data-parallel replica (replica 0) and let it stand for all d of them
  /// (docs/models/scale.md): its compute, TP and PP traffic as usual, and each DP ring
  /// collective as the chain of transfers its critical path follows. Requires
  /// fold_problem(spec) to be empty; whether the fabric is symmetric enough is the
  /// scenario layer's check.
  bool one_replica = false;
  /// The communication library's costs (coll/library.h; docs/training.md, "Collectives
  /// as NCCL runs them"): every collective and send carries its wire bytes, launch and
  /// per-step latencies, under the protocol its tuner predicts fastest (or
  /// `library_protocol` when the scenario names one). None = the ideal network.
  std::optional<coll::LibraryUse> library;
  std::optional<coll::Protocol> library_protocol;
};

/// cp: the ring-attention transfers of context parallelism (K, V blocks forward; K, V
/// and their gradients backward), each a point-to-point send.
enum class Traffic : uint8_t { tp, pp, dp, ep, cp };
inline constexpr std::array<std::string_view, 5> kTrafficNames = {"tp", "pp", "dp", "ep", "cp"};

struct TrafficTotal {
  uint64_t collectives = 0;  // operations (a p2p send counts one)
  uint64_t flows = 0;
  DataSize bytes;            // payload of all their flows (on the wire, with a library)
  std::string algorithm;     // the coll/ algorithm used ("" when none ran)
  /// With a library: operations run under each protocol (indexed by coll::Protocol).
  std::array<uint64_t, 3> by_protocol{};
};

/// A transfer of a folded DP ring (TrainingSpec::one_replica) and the ring hop it stands
/// for: the flow runs from replica 0's GPU `rep` to its ring successor `next`, and its
/// path is hop `from` -> `to`'s with its first link replaced by rep's link towards `next`
/// and its last by rep's link from its predecessor `prev` (so rep's NIC carries the ring
/// traffic it sends and receives). Indices are positions in build_training's `gpus`.
struct FoldedHop {
  FlowId flow;
  uint32_t rep, next, prev, from, to;
};

/// What one GPU of a pipeline stage holds at its peak, in bytes (docs/training.md,
/// "Memory per GPU"): its parameters' weights (vb each), gradients (vb each) and Adam
/// state (12 B each: fp32 master weights and two moments, Rajbhandari et al. 2020's K),
/// each divided over the replicas that shard it (ZeRO-3, -2, -1), and the activations of
/// the micro-batches the schedule holds in flight (Korthikanti et al. 2022).
struct StageMemory {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0;
  /// Layers x micro-batches whose activations the stage holds at its peak (from
  /// pipeline_order: forwards run, backwards not yet).
  uint32_t layer_passes = 0;
  double total() const { return weights + gradients + optimizer + activations; }
};

/// What the report needs beyond the flow run.
struct TrainingInfo {
  TrainingSpec spec;
  uint32_t micro_batches = 0;     // m, per pipeline per iteration
  uint32_t steps_per_stage = 0;
  double params = 0, active_params = 0;
  double model_flops_per_token = 0;
  double tokens_per_iteration = 0;
  double model_flops_per_iteration = 0;     // whole job
  double hardware_flops_per_iteration = 0;  // incl. recomputation, whole job
  SimTime busiest_compute;   // largest sum of compute-step times on one GPU
  /// With spec.op_fractions: that GPU's compute time by OpClass (they sum to it).
  std::array<SimTime, 4> compute_by_class{};
  std::array<TrafficTotal, 5> traffic;  // by Traffic, for the whole cluster
  /// Replicas each simulated flow and compute step stands for: d with one_replica, else 1.
  uint32_t replicas_per_simulated = 1;
  std::vector<FoldedHop> folded_hops;  // one_replica: the DP ring transfers, in flow order
  std::vector<uint32_t> stage_layers;  // layers per pipeline stage (all its chunks)
  std::vector<StageMemory> memory;     // per pipeline stage: memory_per_gpu(spec)
  /// The compute steps' first and one-past-last FlowId are not contiguous; the ids of
  /// every compute step are in the FlowSet (is_task).
};

/// The layers of each virtual stage (p v of them, virtual stage c p + i = chunk c of
/// pipeline stage i), docs/training.md "Pipeline schedules": with no uneven stage, L/(p v)
/// each; with first_stage_layers F (or last_stage_layers), the other stages share the rest
/// evenly, c = rest / (stages left) each, split c / v per chunk, and the first stage's
/// chunk 0 (the last stage's chunk v - 1) takes what is left of F (of the last's count).
/// Inputs are trusted (the scenario layer checks that the split is whole).
std::vector<uint32_t> virtual_stage_layers(const TransformerModel& model, const ParallelPlan& plan);

/// Which part of a backward pass an operation runs: all of it, or (ZB-H1) only the input
/// gradient B (dX = dY W^T, the attention core, the element-wise work) or only the weight
/// gradient W (dW = X^T dY).
enum class BackwardPart : uint8_t { whole, input, weight };

/// One operation of a pipeline stage's schedule: the forward or backward pass of
/// micro-batch `micro_batch` through model chunk `chunk` (of a backward, `part`).
struct PipelineOp {
  bool forward;
  uint32_t chunk, micro_batch;
  BackwardPart part = BackwardPart::whole;
  bool operator==(const PipelineOp&) const = default;
};

/// The order in which pipeline stage `stage` of p runs its forward and backward passes
/// with v chunks per GPU and m micro-batches: 1F1B (v = 1) or Megatron-LM's interleaved
/// 1F1B (v > 1, m a multiple of p): warm-up of min((p - stage - 1) 2 + (v - 1) p, m v)
/// forwards (all m v when m = p), then one forward and one backward alternately, then
/// the backwards left. The k-th forward runs chunk (k mod p v) / p on micro-batch
/// (k / (p v)) p + k mod p; the k-th backward the same micro-batch on chunk
/// v - 1 - (k mod p v) / p.
/// With v = 1 and `schedule` gpipe: F_0 .. F_{m-1}, then B_{m-1} .. B_0. With zb_h1
/// (m >= p): w = min(p - stage, m) forwards, then for each micro-batch b in order its
/// input-gradient pass B_b, the weight-gradient pass W_{b - stage} once b >= stage, and
/// the next forward while any is left; then the W passes left, in order.
std::vector<PipelineOp> pipeline_order(uint32_t p, uint32_t v, uint32_t m, uint32_t stage,
                                       PipelineSchedule schedule = PipelineSchedule::one_f_one_b);

/// Activation bytes one GPU keeps for one layer and one micro-batch (b s tokens) until
/// its backward, after Korthikanti et al. 2022 (eq. 1-2, Table 2, no sequence
/// parallelism), for any MLP and key/value width:
///   s b [ h (4 vb + 2) + vb (2 h + 2 kv + (g + 1) f k_e) / t ] + (2 vb + 1) a s^2 b / t
/// which is s b h (10 + 24/t + 5 a s/(h t)) for GPT (vb = 2, kv = h, f = 4h, g = 1). With
/// selective recomputation the a s^2 term is not kept; with full recomputation only the
/// layer's input, vb s b h. With context parallelism c, all of it / c (a rank holds s/c
/// tokens and their s/c x s scores).
double activation_bytes_per_layer(const TrainingSpec& spec);

/// Memory of one GPU of each pipeline stage (index = stage).
std::vector<StageMemory> memory_per_gpu(const TrainingSpec& spec);

/// Why `spec` cannot be simulated with one_replica, or "" when it can: expert
/// parallelism across replicas, or a DP ring with a hop inside a scale-up domain (with
/// runs of members per domain the all-reduce is hierarchical, not a ring).
std::string fold_problem(const TrainingSpec& spec);

/// Flows and compute steps that build_training would add: a closed form, so that a
/// plan of hundreds of millions of flows is refused before it is built.
double training_flow_count(const TrainingSpec& spec);

/// Appends the iteration's flows to `flows`. `gpus[i]` is GPU i of the rank mapping
/// (size = plan.gpus()).
TrainingInfo build_training(const TrainingSpec& spec, std::span<const NodeId> gpus,
                            net::FlowSet& flows);

/// The iteration time if communication cost nothing: the longest path through the DAG
/// with compute steps at their durations and network flows at zero (earliest starts
/// kept). What the run takes beyond it is exposed communication; what it takes beyond
/// the busiest GPU's compute is pipeline bubble and waiting.
SimTime critical_path_without_communication(const net::FlowSet& flows);

/// Roofline time of work of `flops` FLOPs moving `bytes` HBM bytes:
/// max(flops / (peak x efficiency), bytes / hbm_bandwidth), rounded up to a picosecond.
SimTime roofline_time(double flops, double bytes, const TrainingSpec& spec);

}  // namespace roshni::work
