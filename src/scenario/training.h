/// The "training" workload of a scenario: a transformer model, a parallelism plan and an
/// accelerator, read and checked (every bad field a ScenarioError at its JSON pointer),
/// then built into flows by work/training.h. Private to scenario/; the fields are in
/// docs/scenario-reference.md and the model in docs/training.md.
#pragma once

#include <cstddef>
#include <string>

#include "roshni/net/flow_set.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"
#include "roshni/work/training.h"

namespace roshni::scenario {

struct TrainingContext {
  const topo::Topology* topology = nullptr;
  uint32_t domain_size = 0;  // GPUs per scale-up domain, 0 = none
  std::string catalog_dir;   // where accelerators.json is
  FileReader reader;
  size_t max_flows = 0;
  topo::Router* router = nullptr;  // to pin the paths of one replica's folded DP rings
  uint64_t seed = 0;               // the run's ECMP seed
  /// Why this fabric cannot let one replica stand for all ("" when it can): the
  /// loader's judgement of the topology kind, oversubscription, failures, models.
  std::string fold_refusal;
  /// The fabric's multipath policy where a route can depend on the flow's hash ("ecmp" or
  /// "first"), or "" (a star, D-mod-K): one replica is then checked for hashed paths.
  std::string fold_multipath;
};


/// The accelerator at `a`: a catalog name, or an object ({"base": name, ...fields}) whose
/// fields override the base's (the training and serving workloads' "accelerator").
hw::AcceleratorPart workload_accelerator(const JsonNode& a, const TrainingContext& ctx);

/// The dense peak of `part` (read at `a`) at `precision`; when it has none, an error at
/// `owner`'s "precision" (or at `owner` when the precision was the default) listing the
/// precisions it has.
FlopRate peak_at_precision(const hw::AcceleratorPart& part, const JsonNode& a,
                           const std::string& precision, const JsonNode& owner);

/// Reads the workload at `w` (kind "training") and appends its flows to `flows`.
work::TrainingInfo load_training(const JsonNode& w, const TrainingContext& ctx,
                                 net::FlowSet& flows, ReplicaFold& fold);

}  // namespace roshni::scenario
