/// The flow-level (fluid) network model. Every flow in transfer holds a rate; the rates
/// are the max-min fair allocation of each link direction's capacity among the flows
/// crossing it (progressive filling, see max_min_solver.h). A flow starts when its
/// dependencies have been delivered (and not before its earliest start); it transmits
/// at its changing rate until its bytes are sent; it is delivered one path latency
/// later, which releases the flows that wait for it. Rates are re-solved once per
/// timestamp, and only for the flows whose share can have changed: those in the
/// connected component (flows linked by shared links) of the links whose flow set
/// changed, and, when the changes stay inside the solver's record of the last large
/// solve, only the flows the changes reach (MaxMinSolver::update replays the record).
/// Link capacities may change during the run (a failure, an optical circuit
/// torn down for reconfiguration): a flow crossing a link of capacity 0 stalls until it
/// returns; a flow that starts while its route crosses a dead link is rerouted over
/// surviving links, or waits until some link comes back. Not modelled here: packets,
/// queues, congestion control (see the packet model), slow start; a flow takes its fair
/// share at once.
#pragma once

#include "roshni/net/flow_set.h"
#include "roshni/net/paths.h"
#include "roshni/net/run_contract.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

/// Runs `flows` over `t` along `paths` to completion.
RunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
                             const RunOptions& options = {});

}  // namespace roshni::net
