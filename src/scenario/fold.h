/// One data-parallel replica standing for all of them (workload.simulate "one_replica";
/// docs/models/scale.md): the checks that the replicas are copies of one another on this
/// fabric, the folded rings' paths, and the whole cluster's link bytes and activity
/// rebuilt from the one replica's run. Private to scenario/.
#pragma once

#include <span>

#include "roshni/net/flow_model.h"
#include "roshni/net/flow_set.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/router.h"
#include "roshni/work/training.h"

namespace roshni::scenario {

/// Fails at `at` unless every replica's tensor- and pipeline-parallel neighbours are as
/// far (path latency) and as fast (bottleneck capacity) as replica 0's: the placement
/// must treat the replicas alike for one of them to stand for the rest.
void check_replicas_alike(const JsonNode& at, const work::ParallelPlan& plan,
                          const topo::Topology& t, topo::Router& router,
                          std::span<const NodeId> gpus);

/// Why hashed multipath makes one replica a lower bound here, or "": with `policy`
/// "first" on a fabric other than a star every replica's traffic takes the same first
/// links; with "ecmp", the first pair of GPUs whose route depends on the flow's hash
/// (a replica's tensor- and pipeline-parallel neighbours and its data-parallel ring
/// successor, in every replica). Other replicas' flows collide with a replica's on
/// such links, which one replica alone does not see (docs/models/scale.md).
std::string hashed_paths(const work::ParallelPlan& plan, const topo::Topology& t,
                         topo::Router& router, std::span<const NodeId> gpus,
                         const std::string& policy);

/// Pins each folded ring transfer's path (work::FoldedHop) and returns what the whole
/// cluster's links carry: every other flow copied to each replica, every folded ring
/// transfer to each of the ring's hops.
ReplicaFold fold_replicas(const work::TrainingInfo& info, const topo::Topology& t,
                          topo::Router& router, std::span<const NodeId> gpus, uint64_t seed,
                          net::FlowSet& flows);

/// Turns one replica's run into the whole cluster's: compute activity copied to every
/// replica's GPUs, link bytes from the fold's totals, dynamic power peaks and activity
/// times the replicas (they run in lockstep).
void unfold_run(const Scenario& s, net::RunResult& run);

}  // namespace roshni::scenario
