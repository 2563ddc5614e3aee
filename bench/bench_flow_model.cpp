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
#include "roshni/topo/topology.h"
#include "skewed_alltoall.h"

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

// The skewed all-to-all of issue 19 (bench/skewed_alltoall.h; `make_trace skewed N 1`
// writes the same flows as a scenario): flows finish at many distinct times, so almost
// every completion re-solves the rates of the one big component.
void BM_SkewedAllToAll(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  const uint32_t leaves = n / bench::kSkewedGpusPerLeaf;
  topo::TopologyBuilder b;
  const auto rate = gbps(400);
  const auto latency = SimTime::ps(220'000);
  std::vector<NodeId> gpu, leaf, spine;
  for (uint32_t g = 0; g < n; ++g) gpu.push_back(b.add_node("gpu" + std::to_string(g), topo::NodeKind::gpu));
  for (uint32_t l = 0; l < leaves; ++l) {
    leaf.push_back(b.add_node("leaf" + std::to_string(l), topo::NodeKind::switch_, SimTime::ps(200'000)));
  }
  for (uint32_t s = 0; s < bench::kSkewedSpines; ++s) {
    spine.push_back(b.add_node("spine" + std::to_string(s), topo::NodeKind::switch_, SimTime::ps(200'000)));
  }
  for (uint32_t g = 0; g < n; ++g) b.add_link(gpu[g], leaf[g / bench::kSkewedGpusPerLeaf], rate, rate, latency);
  for (uint32_t l = 0; l < leaves; ++l) {
    for (uint32_t s = 0; s < bench::kSkewedSpines; ++s) b.add_link(leaf[l], spine[s], rate, rate, latency);
  }
  const auto t = std::move(b).build();
  const auto sizes = bench::skewed_alltoall_sizes(n, 1);
  net::FlowSet flows;
  size_t i = 0;
  for (uint32_t s = 0; s < n; ++s) {
    for (uint32_t d = 0; d < n; ++d) {
      if (s != d) flows.add("a2a", gpu[s], gpu[d], bytes(static_cast<double>(sizes[i++])));
    }
  }
  topo::ShortestPathRouter router(t, topo::MultipathPolicy::ecmp);
  std::vector<FlowId> unroutable;
  const auto paths = net::route_all(t, router, flows, unroutable, 1);
  net::RunResult r;
  for (auto _ : state) {
    r = net::run_flow_model(t, flows, paths);
    benchmark::DoNotOptimize(r.makespan);
  }
  state.counters["flows"] = static_cast<double>(flows.size());
  state.counters["solves"] = static_cast<double>(r.rate_solves);
  state.counters["flows_rated"] = static_cast<double>(r.flows_rated);
  state.counters["events"] = static_cast<double>(r.events);
  state.counters["makespan_s"] = static_cast<double>(r.makespan.ps()) * 1e-12;
}
BENCHMARK(BM_SkewedAllToAll)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
