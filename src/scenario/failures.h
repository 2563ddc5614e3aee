/// The scenario's "failures" section: links and switches that fail (and are repaired)
/// at given times, or at random times drawn from the run's seed. They become link
/// capacity steps for the flow model: a failed link carries nothing; a failed switch
/// takes all its links down; flows that start later are routed around them, flows
/// already crossing them stall until the repair. Private to scenario/.
#pragma once

#include <vector>

#include "roshni/net/flow_model.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Appends the capacity steps of the failures at `spec` to `steps`.
void add_failures(const JsonNode& spec, const topo::Topology& t, uint64_t seed,
                  std::vector<net::CapacityStep>& steps);

}  // namespace roshni::scenario
