// The packet model end to end in-process: packet-hops (one packet serialised over one
// link) per second of wall time on one core, on the shapes that bound its cost: a ring
// all-reduce on a star (no contention: every packet flows straight through), an
// all-to-all on a star (every switch port queues, round robin among many flows) and an
// incast into one port under lossless PFC and under DCQCN (pauses, ECN, rate timers).
// The target is at least 5 million packet-hops/s.
#include <benchmark/benchmark.h>

#include "roshni/coll/ring_all_reduce.h"
#include "roshni/net/packet_model.h"
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

void run(benchmark::State& state, const topo::Topology& t, const net::FlowSet& flows,
         const net::PacketConfig& config = {}) {
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  const auto paths = net::route_all(t, router, flows, unroutable);
  uint64_t hops = 0, events = 0;
  for (auto _ : state) {
    const auto r = net::run_packet_model(t, flows, paths, config);
    hops += r.packet.packet_hops;
    events += r.run.events;
    benchmark::DoNotOptimize(r.run.makespan);
  }
  state.counters["packet_hops/s"] =
      benchmark::Counter(static_cast<double>(hops), benchmark::Counter::kIsRate);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_RingAllReduceStar(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  const auto t = star(n);
  net::FlowSet flows;
  coll::append_ring_all_reduce({t.gpus(), bytes(256.0 * 1024 * 1024)}, flows);
  run(state, t, flows);
}
BENCHMARK(BM_RingAllReduceStar)->Arg(8)->Arg(64)->Unit(benchmark::kMillisecond);

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
BENCHMARK(BM_AllToAllStar)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_Incast(benchmark::State& state) {
  const uint32_t n = 16;
  const auto t = star(n + 1);
  net::FlowSet flows;
  for (uint32_t s = 0; s < n; ++s) flows.add("in", NodeId(s), NodeId(n), bytes(4 << 20));
  net::PacketConfig c;
  if (state.range(0) == 1) c.congestion_control = net::CongestionControl::dcqcn;
  run(state, t, flows, c);
}
BENCHMARK(BM_Incast)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
