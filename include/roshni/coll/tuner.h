/// The library's choice of protocol (and, under "auto", of algorithm): the one with the
/// least predicted time, as NCCL's tuner picks (src/graph/tuning.cc, enqueue.cc). The
/// prediction is a closed form over the algorithm's own schedule, not a simulation:
///   t = (the longest dependency chain, each transfer costing its path's latency plus
///        its step latency, the first ones the launch too)
///     + max over nodes and hop classes of (wire bytes the node sends or receives over
///        that class of hop) / (the narrowest link of those paths)
/// over every channel (rotated rings spread their network bytes over the nodes' NICs).
/// The simulation then decides how long the choice really takes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "roshni/coll/collective.h"
#include "roshni/coll/library.h"
#include "roshni/coll/registry.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::coll {

/// Predicted seconds of `c` (its library, ranks, size, channels, in-network switches)
/// under `a` with protocol `p`. Requires c.library and check_collective(c, a) to pass.
double predicted_seconds(const Collective& c, const CollectiveAlgorithm& a, Protocol p);

/// The protocols `a` can run: NVLS only Simple (NCCL's restriction), others all three.
std::vector<Protocol> protocols_for(const CollectiveAlgorithm& a);

struct TunerChoice {
  const CollectiveAlgorithm* algorithm = nullptr;
  Protocol protocol = Protocol::simple;
  double seconds = 0;   // the prediction of the winner
  std::string reason;   // "least predicted time: ring/LL 15.2 us (ring/LL128 41 us, ...)"
};

/// Among `candidates` (each checked already) and their protocols — or only `fixed` when
/// the scenario names one — the pair with the least predicted time; ties go to the
/// earlier candidate and protocol.
/// `prepare(trial, a)` sets a candidate's own options (chunks, channels) on a copy of c.
TunerChoice choose_by_prediction(
    const Collective& c, const std::vector<const CollectiveAlgorithm*>& candidates,
    std::optional<Protocol> fixed,
    const std::function<void(Collective&, const CollectiveAlgorithm&)>& prepare);

}  // namespace roshni::coll
