// The energy and heat models' own costs: the RC network's backward-Euler step for a
// national-size floor (racks of 32 GPUs; the rc coupling takes one per thermal step),
// and whole scenarios run with and without the power setup, to show what energy
// accounting and the rc coupling add to a run.
#include <benchmark/benchmark.h>

#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"
#include "roshni/thermal/rc_network.h"

namespace {

using namespace roshni;

void BM_RcStep(benchmark::State& state) {
  const auto racks = static_cast<uint32_t>(state.range(0));
  thermal::RcNetwork net;
  const Temperature ts = Temperature::from_celsius(35);
  for (uint32_t r = 0; r < racks; ++r) {
    const uint32_t k = net.add_node(joules_per_kelvin(84e3), ts);
    net.to_boundary(k, watts_per_kelvin(4000), ts);
  }
  for (uint32_t r = 0; r < racks; ++r) {
    for (int g = 0; g < 32; ++g) {
      const uint32_t k = net.add_node(joules_per_kelvin(300), ts);
      net.connect(k, r, watts_per_kelvin(20));
    }
  }
  net.prepare(seconds(0.01));
  std::vector<double> p(net.size(), 700.0);
  for (auto _ : state) {
    net.step(p);
    benchmark::DoNotOptimize(net.temperature(0));
  }
  state.counters["nodes"] = static_cast<double>(net.size());
  state.counters["node-steps/s"] = benchmark::Counter(
      static_cast<double>(net.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RcStep)->Arg(32)->Arg(512)->Arg(4096)->Unit(benchmark::kMicrosecond);

// Ring all-reduce with reductions (compute steps) on a 128-GPU star: the flow model
// alone, then with energy accounting, then with the rc coupling at a 10 ms step.
std::string scenario(const std::string& power) {
  return R"({"topology": {"kind": "star", "gpus": 128, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}},
    "workload": {"kind": "all_reduce", "algorithm": "ring", "size": "4 GiB", "reduction_rate": "200 GB/s"})" +
         power + "}";
}

void run(benchmark::State& state, const std::string& power) {
  scenario::LoadOptions o;
  o.catalog_dir = ROSHNI_SOURCE_DIR "/configs";
  const auto s = scenario::load_scenario_text(scenario(power), "bench.json", o);
  for (auto _ : state) {
    const auto r = scenario::simulate(s);
    benchmark::DoNotOptimize(r.net.makespan);
  }
  state.counters["flows"] = static_cast<double>(s.flows.size());
}

void BM_RunFlowOnly(benchmark::State& state) { run(state, ""); }
void BM_RunWithEnergy(benchmark::State& state) {
  run(state, R"(, "energy": {"accelerator": "h100-sxm", "switches": "quantum-x800-ib"})");
}
void BM_RunWithRcThermal(benchmark::State& state) {
  run(state, R"(, "energy": {"accelerator": "h100-sxm", "switches": "quantum-x800-ib"},
               "thermal": {"model": "rc", "cooling": "liquid"})");
}
BENCHMARK(BM_RunFlowOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RunWithEnergy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RunWithRcThermal)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
