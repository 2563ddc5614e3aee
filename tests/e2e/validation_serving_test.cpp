// Serving inputs against published kernel measurements (docs/validation.md, "Serving").
//
// The CloudMatrix384 scenario's fixed cost per EP all-to-all (`ep_overhead`) is not fitted
// to a serving row: it is what a measured low-latency dispatch and combine take beyond the
// transfer itself. DeepEP-Ascend's low-latency kernels on an A3 384 SuperPoD (the
// CloudMatrix384 system; sgl-project/sgl-kernel-npu README, "Low-Latency Kernels with
// Pure HCCS"): 128 tokens per rank, hidden 7,168, top-8, INT8 dispatch and BF16 combine,
// at EP32 dispatch 153 us and combine 151 us. Its ranks are dies (16 per node: EP16 is
// "intranode"), so EP32 is 16 of Roshni's NPU packages, each sending 256 tokens x 8 x
// 7,168 B = 14,680,064 B in the dispatch and twice that (BF16) in the combine. What Roshni
// gives for those two all-to-alls on the scenario's fabric is subtracted, and the mean
// of the two remainders is the overhead per all-to-all (a decode step pays it once per
// dispatch and once per combine, so the mean keeps their sum).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// Roshni's time (s) for a direct all-to-all of `bytes` per NPU over the first 16 NPUs
/// of the CloudMatrix384-like fabric.
double cm384_all_to_all(double bytes) {
  std::string ranks = "[";
  for (int i = 0; i < 16; ++i) ranks += (i ? ", \"npu" : "\"npu") + std::to_string(i) + "\"";
  ranks += "]";
  const auto dir = testing::fresh_dir("cm384-a2a-" + std::to_string(static_cast<long>(bytes)));
  const auto res = testing::run_cli(
      "run " + (fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "supernode" / "cm384_all_to_all.json").string() +
      " -q --no-trace -o " + dir.string() + " --set 'workload.size=" +
      std::to_string(static_cast<long>(bytes)) + " B' --set 'workload.ranks=" + ranks + "'");
  EXPECT_EQ(res.exit_code, 0) << res.err;
  return json::parse(testing::read_file(dir / "report.json"))["summary"]["makespan"]["value"].get<double>();
}

TEST(Validation, Cm384EpOverheadIsTheMeasuredKernelLessItsTransfer) {
  const double dispatch = cm384_all_to_all(256.0 * 8 * 7168);      // INT8
  const double combine = cm384_all_to_all(256.0 * 8 * 7168 * 2);  // BF16
  // Closed form of the transfers alone: 15/16 of the buffer over 392 GB/s per NPU,
  // 35.1 and 70.2 us, plus the fabric's path latency (about 1 us).
  EXPECT_NEAR(dispatch * 1e6, 35.1, 1.5);
  EXPECT_NEAR(combine * 1e6, 70.2, 1.5);
  const double derived_us = ((153.0 - dispatch * 1e6) + (151.0 - combine * 1e6)) / 2;

  const json scenario = json::parse(testing::read_file(
      fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "serving" / "deepseek_v3_cm384.json"));
  ASSERT_TRUE(scenario["workload"].contains("ep_overhead"));
  std::stringstream ss(scenario["workload"]["ep_overhead"].get<std::string>());
  double shipped = 0;
  std::string unit;
  ss >> shipped >> unit;
  ASSERT_EQ(unit, "us");
  // The shipped value is the derived one rounded to a microsecond.
  EXPECT_NEAR(shipped, derived_us, 0.5) << "derived " << derived_us << " us";
}

}  // namespace
}  // namespace roshni
