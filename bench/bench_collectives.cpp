// Collective algorithms, built and simulated. Building: every all-reduce algorithm over
// 1024 ranks turned into flows (schedule + expand: the cost a scenario pays before the
// run). Running: each algorithm of 1 GiB on a 256-GPU star (contention-free except where
// its closed form says), and the scale case: a hierarchical all-reduce over 2,048 and
// 16,384 GPUs in NVLink domains of 8 behind a 3-tier k = 64 fat-tree, with a double
// binary tree between the domains in 4 chunks (bench/scenarios/hier_allreduce_16384.json
// is the same run through the whole program).
#include <benchmark/benchmark.h>

#include "roshni/coll/registry.h"
#include "roshni/net/flow_model.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace {

using namespace roshni;

const std::vector<std::string> kAllReduce = {"ring", "bidirectional_ring", "tree",
                                             "rhd",  "hierarchical",       "multi_dimensional"};

coll::Collective all_reduce(const std::vector<NodeId>& ranks, std::string_view algorithm) {
  coll::Collective c;
  c.ranks = ranks;
  c.size = bytes(1073741824.0);
  if (algorithm == "hierarchical") {
    c.domain_size = 8;
    c.inter = "tree";
  }
  if (algorithm == "multi_dimensional") c.dims = {static_cast<uint32_t>(ranks.size() / 16), 16};
  return c;
}

void BM_BuildAllReduce(benchmark::State& state) {
  const std::string& name = kAllReduce[static_cast<size_t>(state.range(0))];
  std::vector<NodeId> ranks;
  for (uint32_t i = 0; i < 1024; ++i) ranks.push_back(NodeId(i));
  const coll::Collective c = all_reduce(ranks, name);
  const auto& a = *coll::find_collective_algorithm(coll::CollectiveKind::all_reduce, name);
  size_t flows_built = 0;
  for (auto _ : state) {
    net::FlowSet flows;
    coll::append_collective(c, a, flows);
    flows_built += flows.size();
    benchmark::DoNotOptimize(flows.total_size());
  }
  state.SetLabel(name);
  state.counters["flows/s"] =
      benchmark::Counter(static_cast<double>(flows_built), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildAllReduce)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

void run(benchmark::State& state, const topo::Topology& t, topo::Router& router,
         const coll::Collective& c, const coll::CollectiveAlgorithm& a) {
  net::FlowSet flows;
  coll::append_collective(c, a, flows);
  uint64_t events = 0;
  double makespan = 0;
  for (auto _ : state) {
    std::vector<FlowId> unroutable;
    const auto paths = net::route_all(t, router, flows, unroutable, 1);
    const auto r = net::run_flow_model(t, flows, paths);
    events += r.events;
    makespan = r.makespan.duration().si();
  }
  state.counters["flows"] = static_cast<double>(flows.size());
  state.counters["makespan_ms"] = makespan * 1e3;
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_AllReduceOnStar256(benchmark::State& state) {
  const std::string& name = kAllReduce[static_cast<size_t>(state.range(0))];
  topo::StarParams p;
  p.gpus = 256;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(150'000);
  p.switch_latency = SimTime::ps(300'000);
  const topo::Topology t = topo::make_star(p);
  topo::ShortestPathRouter router(t);
  state.SetLabel(name);
  run(state, t, router, all_reduce(t.gpus(), name),
      *coll::find_collective_algorithm(coll::CollectiveKind::all_reduce, name));
}
BENCHMARK(BM_AllReduceOnStar256)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

void BM_HierarchicalAllReduceFatTree(benchmark::State& state) {
  topo::ClosParams p;
  p.tiers = 3;
  p.radix = 64;
  p.gpus = static_cast<uint32_t>(state.range(0));
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(150'000);
  p.switch_latency = SimTime::ps(300'000);
  p.scale_up = {8, 1, bytes_per_second(4.5e11), SimTime::ps(20'000), SimTime::ps(300'000)};
  const auto f = topo::make_clos(p, topo::MultipathPolicy::ecmp);
  coll::Collective c = all_reduce(f->topology.gpus(), "hierarchical");
  c.chunks = 4;
  run(state, f->topology, *f->router, c,
      *coll::find_collective_algorithm(coll::CollectiveKind::all_reduce, "hierarchical"));
}
BENCHMARK(BM_HierarchicalAllReduceFatTree)
    ->Arg(2048)
    ->Arg(16384)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
