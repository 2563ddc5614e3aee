#include "roshni/net/paths.h"

#include <algorithm>

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
    if (flows.is_task(f)) {
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

MakespanBound makespan_lower_bound(const topo::Topology& t, const FlowSet& flows,
                                   const Paths& paths) {
  const size_t n = flows.size();
  std::vector<double> end(n, -1.0);  // -1: not yet known
  MakespanBound worst;
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // (flow, next dependency to visit)
  for (uint32_t root = 0; root < n; ++root) {
    if (end[root] >= 0) continue;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [f, i] = stack.back();
      const auto deps = flows.deps(FlowId(f));
      if (i < deps.size()) {
        const uint32_t d = deps[i++].value();
        if (end[d] < 0) stack.emplace_back(d, 0);
        continue;
      }
      double begin = static_cast<double>(flows.earliest_start(FlowId(f)).ps()) * 1e-12;
      for (FlowId d : deps) begin = std::max(begin, end[d.value()]);
      double take = 0;
      if (flows.is_task(FlowId(f))) {
        take = static_cast<double>(flows.task_time(FlowId(f)).ps()) * 1e-12;
      } else {
        double slowest = 0;  // bytes per second of the path's slowest link
        for (LinkId l : paths.of(FlowId(f))) {
          const double c = t.link_capacity(l).si();
          if (c > 0 && (slowest == 0 || c < slowest)) slowest = c;
        }
        if (slowest > 0) take = flows.flow_size(FlowId(f)).si() / slowest;
        take += static_cast<double>(topo::path_latency(t, paths.of(FlowId(f))).ps()) * 1e-12;
      }
      end[f] = begin + take;
      if (end[f] > worst.seconds) worst = {end[f], FlowId(f)};
      stack.pop_back();
    }
  }
  return worst;
}

}  // namespace roshni::net
