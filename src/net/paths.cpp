#include "roshni/net/paths.h"

#include "roshni/net/flow_set.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

Paths route_all(const topo::Topology& /*t*/, topo::Router& router, const FlowSet& flows,
                std::vector<FlowId>& unroutable, uint64_t seed) {
  Paths p;
  p.offset.reserve(flows.size() + 1);
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowId f(i);
    const auto pinned = flows.pinned_path(f);
    if (flows.is_compute(f)) {
      // A compute step crosses no link.
    } else if (!pinned.empty()) {
      p.links.insert(p.links.end(), pinned.begin(), pinned.end());
    } else if (!router.route(flows.src(f), flows.dst(f), topo::flow_hash(seed, i), p.links)) {
      unroutable.push_back(f);
    }
    p.offset.push_back(static_cast<uint32_t>(p.links.size()));
  }
  return p;
}

}  // namespace roshni::net
