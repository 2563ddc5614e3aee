/// The scenario's "failures" section: links and switches that fail (and are repaired)
/// at given times, or at random times drawn from the run's seed. They become link
/// capacity steps (outages) for the network models: a failed link carries nothing; a
/// failed switch takes all its links down; a link is down while any failure covers it;
/// flows that start later are routed around them, flows already crossing them stall
/// until the repair. Private to scenario/.
#pragma once

#include <vector>

#include "roshni/net/run_contract.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Appends the capacity steps of the failures at `spec` to `steps`.
void add_failures(const JsonNode& spec, const topo::Topology& t, uint64_t seed,
                  std::vector<net::CapacityStep>& steps);

}  // namespace roshni::scenario
