// The event queue under the classic "hold" workload (Jones 1986, "An empirical
// comparison of priority-queue and event-set implementations", CACM 29(4)): a queue of
// n events; each step pops the earliest and pushes one a random time later, so the
// size stays n. Reports events per second for n from a thousand to a million.
#include <benchmark/benchmark.h>

#include "roshni/sim/event_queue.h"
#include "roshni/sim/random.h"

namespace {

void BM_Hold(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  roshni::sim::EventQueue q;
  roshni::sim::RandomStream rng(1);
  q.reserve(n + 1);
  for (size_t i = 0; i < n; ++i) {
    q.push(roshni::SimTime::ps(static_cast<int64_t>(rng.uniform_below(1'000'000))), 0,
           static_cast<uint32_t>(i));
  }
  for (auto _ : state) {
    const auto e = q.pop();
    q.push(e.at + roshni::SimTime::ps(static_cast<int64_t>(rng.uniform_below(1'000'000))), 0,
           e.target);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Hold)->RangeMultiplier(10)->Range(1000, 1'000'000);

}  // namespace

BENCHMARK_MAIN();
