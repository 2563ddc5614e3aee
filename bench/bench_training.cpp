// The training workload: building one iteration's DAG (load + 1F1B emission + routing,
// what `roshni run` pays before simulating) and simulating it with the flow model, for
// scenarios/training/gpt3_175b.json (GPT-3 175B, TP 8 x PP 16 x DP 8 on 1,024 GPUs, 192
// micro-batches, 6.3 M flows) and a small preset of it (global batch 64: 8
// micro-batches). The whole program: /usr/bin/time build/roshni run <scenario> --no-trace.
#include <benchmark/benchmark.h>

#include <string>

#include "roshni/net/flow_model.h"
#include "roshni/scenario/loader.h"

namespace {

using namespace roshni;

std::string scenario_file() {
  return std::string(ROSHNI_SOURCE_DIR) + "/scenarios/training/gpt3_175b.json";
}

scenario::LoadOptions options(int64_t global_batch) {
  scenario::LoadOptions o;
  if (global_batch > 0) o.overrides = {"workload.model.global_batch=" + std::to_string(global_batch)};
  return o;
}

// range(0): global batch (0 = the scenario's 1536).
void BM_BuildGpt3(benchmark::State& state) {
  size_t flows = 0;
  for (auto _ : state) {
    const scenario::Scenario s = scenario::load_scenario(scenario_file(), options(state.range(0)));
    flows = s.flows.size();
    benchmark::DoNotOptimize(s.paths);
  }
  state.counters["flows"] = static_cast<double>(flows);
}
BENCHMARK(BM_BuildGpt3)->Arg(64)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1);

void BM_RunGpt3(benchmark::State& state) {
  const scenario::Scenario s = scenario::load_scenario(scenario_file(), options(state.range(0)));
  uint64_t events = 0;
  double makespan = 0;
  for (auto _ : state) {
    const auto r = net::run_flow_model(s.topology, s.flows, s.paths, s.run_options);
    events = r.events;
    makespan = r.makespan.duration().si();
  }
  state.counters["flows"] = static_cast<double>(s.flows.size());
  state.counters["events"] = static_cast<double>(events);
  state.counters["simulated_s"] = makespan;
}
BENCHMARK(BM_RunGpt3)->Arg(64)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
