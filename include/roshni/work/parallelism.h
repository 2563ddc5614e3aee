/// How a training job is split over GPUs: data (DP), tensor (TP), context (CP), pipeline
/// (PP) and expert (EP) parallel degrees, optimizer-state sharding, and the rank mapping
/// that puts a (tp, cp, dp, pp) coordinate on a GPU. Plain data; the checks that a plan fits a
/// model and a cluster are the scenario layer's (src/scenario/training.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "roshni/core/units.h"

namespace roshni::work {

enum class Sharding : uint8_t {
  none,   // every DP rank holds all of its stage's parameters, gradients, optimizer state
  zero1,  // ZeRO stage 1 (Rajbhandari et al. 2020): optimizer state sharded over DP
  zero2,  // ZeRO stage 2: + gradients sharded (reduce-scatter instead of all-reduce)
  zero3,  // ZeRO stage 3 / FSDP: + parameters sharded, all-gathered before use
};
std::string_view to_string(Sharding s);

enum class Dim : uint8_t { tensor, data, pipeline, context };

enum class PipelineSchedule : uint8_t { one_f_one_b, gpipe, zb_h1 };

/// "1f1b", "gpipe", "zb_h1": the scenario's names (and report.json's).
std::string_view to_string(PipelineSchedule s);

struct ParallelPlan {
  uint32_t data = 1, tensor = 1, pipeline = 1;
  uint32_t expert = 1;  // EP: experts split over groups of `expert` DP ranks; divides data
  /// Context parallelism (ring attention): each of the `context` ranks of a CP group holds
  /// 1/context of every sequence; weights are replicated over them, so gradients are
  /// reduced (and ZeRO state sharded) over data x context ranks.
  uint32_t context = 1;
  Sharding sharding = Sharding::none;
  /// Innermost first: with {tensor, context, data, pipeline} (Megatron-Core's default
  /// order tp-cp-ep-dp-pp, EP being carved out of DP) the t GPUs of a TP group are
  /// consecutive, so they sit in one scale-up domain when t <= its size. With context 1
  /// the context dimension has degree 1 and changes no index.
  std::array<Dim, 4> order{Dim::tensor, Dim::context, Dim::data, Dim::pipeline};
  /// Layers whose compute (and TP all-reduces) form one step: 1 = every layer its own
  /// steps; more = fewer, larger steps and collectives (same bytes, fewer flows).
  uint32_t layers_per_step = 1;
  /// Gradients are all-reduced in buckets of at least this size, filled in backward
  /// order from whole steps; 0 = one bucket per step.
  DataSize bucket;
  /// Interleaved 1F1B (Narayanan et al. 2021, sec. 2.2.2): each GPU holds this many model
  /// chunks; chunk c of pipeline stage i is virtual stage c p + i. 1 = plain 1F1B.
  uint32_t virtual_stages = 1;
  /// The pipeline schedule with one chunk per GPU (docs/training.md, "Pipeline
  /// schedules"): 1F1B (PipeDream-Flush), GPipe (all forwards, then all backwards) or
  /// ZB-H1 (Qi et al. 2024: the backward split into an input-gradient pass B and a
  /// weight-gradient pass W, the W passes deferred into the drain).
  PipelineSchedule schedule = PipelineSchedule::one_f_one_b;
  /// Uneven pipelines (Megatron-Core's num_layers_in_first/last_pipeline_stage): the layers
  /// of the first and last stage; 0 = the even share. The other stages split the rest.
  uint32_t first_stage_layers = 0, last_stage_layers = 0;
  /// Sequence parallelism (Korthikanti et al. 2022): each TP all-reduce becomes a
  /// reduce-scatter and an all-gather of the same bytes, and the activations outside the
  /// TP-split blocks (layer-norm inputs, dropout masks) are split over the TP group too.
  bool sequence_parallel = false;

  uint32_t gpus() const { return data * tensor * pipeline * context; }
  uint32_t degree(Dim d) const {
    return d == Dim::tensor ? tensor : d == Dim::data ? data : d == Dim::context ? context : pipeline;
  }
  /// The GPU index (in the topology's GPU order) of a coordinate.
  uint32_t gpu(uint32_t tp, uint32_t dp, uint32_t pp) const { return gpu(tp, 0, dp, pp); }
  uint32_t gpu(uint32_t tp, uint32_t cp, uint32_t dp, uint32_t pp) const {
    uint32_t index = 0, stride = 1;
    for (const Dim d : order) {
      const uint32_t c = d == Dim::tensor ? tp : d == Dim::data ? dp : d == Dim::context ? cp : pp;
      index += c * stride;
      stride *= degree(d);
    }
    return index;
  }
};

}  // namespace roshni::work
