// Building and routing national-scale fabrics: a 3-tier k = 64 fat-tree (65,536 GPUs)
// and a rail-optimized 3-tier fabric of radix 128 with 131,072 GPUs (8 rails), each
// routing one all-to-all step (a permutation: every GPU sends to the GPU one pod away);
// and direct networks, a 16 x 16 x 16 torus (4,096 GPUs) and the balanced p = 8
// dragonfly (16,512 GPUs), each routing every GPU to the GPU halfway along the list.
#include <benchmark/benchmark.h>

#include "roshni/net/flow_set.h"
#include "roshni/net/paths.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/dragonfly.h"
#include "roshni/topo/torus.h"

namespace {

using namespace roshni;

/// Builds the fabric `make()` returns and routes one permutation over it: every GPU s to
/// GPU (s + shift(fabric)) mod n.
template <class Make, class Shift>
void build_and_route(benchmark::State& state, Make make, Shift shift) {
  size_t links = 0;
  for (auto _ : state) {
    const auto f = make();
    const auto gpus = f->topology.gpus();
    const auto n = static_cast<uint32_t>(gpus.size());
    const uint32_t k = shift(*f);
    net::FlowSet flows;
    flows.reserve(n, 0);
    for (uint32_t s = 0; s < n; ++s) flows.add("", gpus[s], gpus[(s + k) % n], bytes(1e6));
    std::vector<FlowId> unroutable;
    const auto paths = net::route_all(f->topology, *f->router, flows, unroutable, 1);
    links = paths.links.size();
    benchmark::DoNotOptimize(links);
  }
  state.counters["path_links"] = static_cast<double>(links);
}

/// A Clos fabric, every GPU sending to the GPU one pod away.
void build_and_route(benchmark::State& state, const topo::ClosParams& p) {
  build_and_route(
      state, [&] { return topo::make_clos(p, topo::MultipathPolicy::ecmp); },
      [](const auto& f) { return f.shape.leaves_per_pod * f.shape.leaf_down; });
}

/// A direct network, every GPU sending to the GPU halfway along the list.
template <class Make>
void build_and_route_halfway(benchmark::State& state, Make make) {
  build_and_route(state, make, [](const auto& f) {
    return static_cast<uint32_t>(f.topology.gpus().size() / 2);
  });
}

void BM_FatTree_k64_65536Gpus(benchmark::State& state) {
  topo::ClosParams p;
  p.tiers = 3;
  p.radix = 64;
  p.link_bandwidth = gbps(400);
  build_and_route(state, p);
}
BENCHMARK(BM_FatTree_k64_65536Gpus)->Unit(benchmark::kMillisecond);

void BM_RailOptimized_131072Gpus(benchmark::State& state) {
  topo::ClosParams p;
  p.tiers = 3;
  p.radix = 128;
  p.gpus = 131072;
  p.placement = topo::GpuPlacement::rail;
  p.gpus_per_server = 8;
  p.link_bandwidth = gbps(400);
  build_and_route(state, p);
}
BENCHMARK(BM_RailOptimized_131072Gpus)->Unit(benchmark::kMillisecond);

void BM_Torus_16x16x16(benchmark::State& state) {
  topo::TorusParams p;
  p.dims = {16, 16, 16};
  p.link_bandwidth = gbps(400);
  build_and_route_halfway(state, [&] { return topo::make_torus(p); });
}
BENCHMARK(BM_Torus_16x16x16)->Unit(benchmark::kMillisecond);

void BM_Dragonfly_BalancedP8_16512Gpus(benchmark::State& state) {
  topo::DragonflyParams p = topo::balanced_dragonfly(8);
  p.terminal_bandwidth = p.local_bandwidth = gbps(400);
  p.global_bandwidth = gbps(200);
  build_and_route_halfway(state, [&] { return topo::make_dragonfly(p); });
}
BENCHMARK(BM_Dragonfly_BalancedP8_16512Gpus)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
