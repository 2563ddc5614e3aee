// One transformer layer of the 22B model against Korthikanti et al. 2022, Table 4
// (docs/validation.md, "Per layer, on one node"): forward and backward of one layer on a
// DGX A100 (TP 8, micro-batch 4, sequence 2048), in ms, as the paper measured them:
//   baseline, no recomputation          7.7 / 11.9
//   sequence parallelism                7.2 / 11.8
// Roshni's layer is the spacing of gpu0's consecutive "fwd" (and "bwd") steps in the trace
// of bench/scenarios/korthikanti_22b_8.json (one layer per step, no pipeline), the same
// figure tools/layer-times.py prints.
//
// Two things are checked. What the model gets right: sequence parallelism saves the
// forward 0.5 ms (7.7 - 7.2; the layer norms and dropouts on 1/8 of the tokens). And what
// docs/validation.md says it misses: the forward is 24-26 % short of the paper's in both
// configurations, the gap that puts the missing training cost inside the layer. A model
// change that closes (or widens) that gap fails the second check, so that the validation
// text is revisited with it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct LayerTimes {
  double forward_ms = 0, backward_ms = 0;
};

/// The median spacing between consecutive starts of gpu0's steps named `kind`, in ms.
double median_spacing_ms(const json& events, const std::string& kind) {
  std::vector<double> starts;
  for (const auto& e : events) {
    if (e.value("name", "") == kind && e.contains("args") && e["args"].value("node", "") == "gpu0") {
      starts.push_back(e["ts"].get<double>());
    }
  }
  std::sort(starts.begin(), starts.end());
  std::vector<double> gaps;
  for (size_t i = 1; i < starts.size(); ++i) gaps.push_back(starts[i] - starts[i - 1]);
  EXPECT_GE(gaps.size(), 2u) << kind;
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  return gaps[gaps.size() / 2] / 1000.0;  // the trace's times are in us
}

LayerTimes layer_22b(bool sequence_parallel) {
  const auto dir = testing::fresh_dir(std::string("korthikanti-22b-") + (sequence_parallel ? "sp" : "base"));
  const auto res = testing::run_cli(
      "run " + (fs::path(ROSHNI_SOURCE_DIR) / "bench" / "scenarios" / "korthikanti_22b_8.json").string() +
      " -q -o " + dir.string() + " --set workload.recompute=none --set workload.parallelism.sequence_parallel=" +
      (sequence_parallel ? "true" : "false"));
  EXPECT_EQ(res.exit_code, 0) << res.err;
  const json trace = json::parse(testing::read_file(dir / "trace.json"));
  const json& events = trace.is_object() ? trace["traceEvents"] : trace;
  return {median_spacing_ms(events, "fwd"), median_spacing_ms(events, "bwd")};
}

TEST(ValidationTraining, SequenceParallelismSavesTheForwardWhatTable4Measured) {
  const LayerTimes base = layer_22b(false), sp = layer_22b(true);
  EXPECT_NEAR(base.forward_ms - sp.forward_ms, 7.7 - 7.2, 0.1);
}

TEST(ValidationTraining, The22BForwardIsAQuarterShortOfTable4AsDocumented) {
  const LayerTimes base = layer_22b(false), sp = layer_22b(true);
  const double base_error = base.forward_ms / 7.7 - 1, sp_error = sp.forward_ms / 7.2 - 1;
  EXPECT_GT(base_error, -0.27) << base.forward_ms << " ms";
  EXPECT_LT(base_error, -0.23) << base.forward_ms << " ms";
  EXPECT_GT(sp_error, -0.27) << sp.forward_ms << " ms";
  EXPECT_LT(sp_error, -0.23) << sp.forward_ms << " ms";
}

}  // namespace
}  // namespace roshni
