/// The path of every flow, in compressed rows: the links flow f crosses, in order.
#pragma once

#include <span>
#include <vector>

#include "roshni/core/ids.h"

namespace roshni::topo {
class Topology;
class Router;
}  // namespace roshni::topo

namespace roshni::net {

class FlowSet;

struct Paths {
  std::vector<uint32_t> offset{0};
  std::vector<LinkId> links;
  std::span<const LinkId> of(FlowId f) const {
    return {links.data() + offset[f.value()], links.data() + offset[f.value() + 1]};
  }
};

/// Routes every flow (pinned paths are kept); flow i's ECMP choices come from
/// topo::flow_hash(seed, i). Flows with no route are listed in `unroutable` and get an
/// empty path; the caller decides how to report them.
Paths route_all(const topo::Topology& t, topo::Router& router, const FlowSet& flows,
                std::vector<FlowId>& unroutable, uint64_t seed = 0);

/// The latest of the flows' earliest possible deliveries, and the flow that has it: a
/// flow is delivered no sooner than its dependencies' bounds (and its earliest start),
/// plus its size over the slowest link of its path as if alone on it, plus the path's
/// latency; a compute step, plus its duration. A lower bound on the makespan, in
/// seconds, for refusing before a run the work that cannot end within SimTime's range.
/// The flows must be acyclic (find_dependency_cycle) and routed.
struct MakespanBound {
  double seconds = 0;
  FlowId flow;
};
MakespanBound makespan_lower_bound(const topo::Topology& t, const FlowSet& flows,
                                   const Paths& paths);

}  // namespace roshni::net
