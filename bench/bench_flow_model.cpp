// The flow model end to end in-process (topology, routing, simulation), on the two
// shapes that bound its cost: ring all-reduce on a star (millions of flows, each alone
// on its links: many tiny re-solves) and all-to-all on a star (every flow shares links
// with every other: few, huge re-solves). The scale runs of the whole program with the
// same workloads are in tools/bench-scale.sh.
#include <benchmark/benchmark.h>

#include "roshni/coll/ring_all_reduce.h"
#include "roshni/net/flow_model.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace {

using namespace roshni;

topo::Topology star(uint32_t n) {
  topo::StarParams p;
  p.gpus = n;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(150'000);
  p.switch_latency = SimTime::ps(300'000);
  return topo::make_star(p);
}

void run(benchmark::State& state, const topo::Topology& t, const net::FlowSet& flows) {
  uint64_t events = 0;
  for (auto _ : state) {
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const auto paths = net::route_all(t, router, flows, unroutable);
    const auto r = net::run_flow_model(t, flows, paths);
    events += r.events;
    benchmark::DoNotOptimize(r.makespan);
  }
  state.counters["flows"] = static_cast<double>(flows.size());
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_RingAllReduceStar(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  const auto t = star(n);
  net::FlowSet flows;
  coll::append_ring_all_reduce({t.gpus(), bytes(1073741824.0)}, flows);
  run(state, t, flows);
}
BENCHMARK(BM_RingAllReduceStar)->Arg(64)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

void BM_AllToAllStar(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  const auto t = star(n);
  net::FlowSet flows;
  for (uint32_t s = 0; s < n; ++s) {
    for (uint32_t d = 0; d < n; ++d) {
      if (s != d) flows.add("a2a", NodeId(s), NodeId(d), bytes(1 << 20));
    }
  }
  run(state, t, flows);
}
BENCHMARK(BM_AllToAllStar)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
