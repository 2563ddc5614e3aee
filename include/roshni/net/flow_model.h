/// The flow-level (fluid) network model. Every flow in transfer holds a rate; the rates
/// are the max-min fair allocation of each link direction's capacity among the flows
/// crossing it (progressive filling, see max_min_solver.h). A flow starts when its
/// dependencies have been delivered (and not before its earliest start); it transmits
/// at its changing rate until its bytes are sent; it is delivered one path latency
/// later, which releases the flows that wait for it. Rates are re-solved once per
/// timestamp, and only for the flows whose share can have changed: those in the
/// connected component (flows linked by shared links) of the links whose flow set
/// changed. Not modelled here: packets, queues, congestion control (see the packet
/// model), slow start; a flow takes its fair share at once.
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/paths.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

/// Why a flow did not finish, when a run ends with work left (it should not; validation
/// refuses cycles and unroutable flows, so this names a bug or a dead network).
struct UnfinishedFlow {
  FlowId flow;
  enum class State : uint8_t { waiting, transmitting, in_flight } state;
  FlowId waiting_for;  // a dependency not yet delivered, when state == waiting
};

struct FlowRunResult {
  SimTime makespan;                   // delivery of the last flow
  std::vector<SimTime> start;         // per flow: transfer began
  std::vector<SimTime> end;           // per flow: last byte delivered
  std::vector<DataSize> link_bytes;   // per directed link: bytes carried
  uint64_t events = 0;                // events the engine processed
  uint64_t rate_solves = 0;           // component re-solves
  uint64_t flows_rated = 0;           // sum of component sizes over all solves
  std::vector<UnfinishedFlow> unfinished;  // empty on success
};

/// Runs `flows` over `t` along `paths` to completion.
FlowRunResult run_flow_model(const topo::Topology& t, const FlowSet& flows, const Paths& paths);

}  // namespace roshni::net
