// A training plan run on a star, with its critical path: what several work tests build on.
#pragma once

#include <vector>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/paths.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"
#include "roshni/work/critical_path.h"
#include "roshni/work/training.h"

namespace roshni::work {

/// GPU ids 0 .. n-1, for plans built without a topology.
inline std::vector<NodeId> ids(uint32_t n) {
  std::vector<NodeId> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back(NodeId(i));
  return out;
}

/// `spec` on a star of its GPUs with links of `link` and no latency, run; with the
/// critical path and the exposed time T - T_0.
struct TrainingRun {
  TrainingRun(const TrainingSpec& spec, DataRate link) {
    topo::StarParams p;
    p.gpus = spec.plan.gpus();
    p.link_bandwidth = link;
    t = topo::make_star(p);
    info = build_training(spec, t.gpus(), flows);
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const net::Paths paths = net::route_all(t, router, flows, unroutable);
    result = net::run_flow_model(t, flows, paths);
    T = result.makespan;
    T0 = critical_path_without_communication(flows);
    path = critical_path(flows, result, T - T0);
  }
  double exposed(PathClass c) const { return path.exposed[static_cast<size_t>(c) - 1].duration().si(); }
  double on_path(PathClass c) const { return path.time[static_cast<size_t>(c)].duration().si(); }
  double E() const { return (T - T0).duration().si(); }
  /// The walk's classes sum to the makespan, the exposed classes to T - T_0, exactly.
  void sums_hold() const {
    SimTime all, exp;
    for (const SimTime x : path.time) all += x;
    for (const SimTime x : path.exposed) exp += x;
    EXPECT_EQ(all, T);
    EXPECT_EQ(exp, T - T0);
  }
  topo::Topology t;
  net::FlowSet flows;
  TrainingInfo info;
  net::RunResult result;
  SimTime T, T0;
  CriticalPath path;
};

}  // namespace roshni::work
