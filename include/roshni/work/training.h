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
#include <span>
#include <string>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/flow_set.h"
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
  bool recompute = false;        // full activation recomputation: one more forward per layer
  double optimizer_bytes_per_param = 0;  // HBM bytes the optimizer step moves per parameter
  uint32_t domain_size = 0;      // GPUs per scale-up domain (topology order), 0 = none
  double train_tokens = 0;       // for "time to train"; 0 = not asked
  /// Simulate one data-parallel replica (replica 0) and let it stand for all d of them
  /// (docs/models/scale.md): its compute, TP and PP traffic as usual, and each DP ring
  /// collective as the chain of transfers its critical path follows. Requires
  /// fold_problem(spec) to be empty; whether the fabric is symmetric enough is the
  /// scenario layer's check.
  bool one_replica = false;
};

enum class Traffic : uint8_t { tp, pp, dp, ep };
inline constexpr std::array<std::string_view, 4> kTrafficNames = {"tp", "pp", "dp", "ep"};

struct TrafficTotal {
  uint64_t collectives = 0;  // operations (a p2p send counts one)
  uint64_t flows = 0;
  DataSize bytes;            // payload of all their flows
  std::string algorithm;     // the coll/ algorithm used ("" when none ran)
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
  std::array<TrafficTotal, 4> traffic;  // by Traffic, for the whole cluster
  /// Replicas each simulated flow and compute step stands for: d with one_replica, else 1.
  uint32_t replicas_per_simulated = 1;
  std::vector<FoldedHop> folded_hops;  // one_replica: the DP ring transfers, in flow order
  /// The compute steps' first and one-past-last FlowId are not contiguous; the ids of
  /// every compute step are in the FlowSet (is_task).
};

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
