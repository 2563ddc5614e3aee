// A training scenario through the real CLI: `roshni run` exits 0, prints the training
// lines and writes the training object into report.json; the figures it prints agree
// with each other (compute + bubble + exposed communication = the iteration).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

TEST(TrainingCli, RunWritesTheTrainingReport) {
  const auto dir = fresh_dir("training_cli");
  std::ofstream(dir / "s.json") << R"({
    "topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 32,
      "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
      "scale_up": {"domain_size": 8, "bandwidth": "450 GB/s"}},
    "workload": {"kind": "training",
      "model": {"layers": 8, "hidden": 2048, "heads": 16, "vocabulary": 32000, "sequence": 2048,
                "global_batch": 64, "micro_batch": 2},
      "parallelism": {"data": 2, "tensor": 8, "pipeline": 2, "bucket": "64 MB"},
      "accelerator": "h100-sxm", "efficiency": 0.7, "train_tokens": 1e9}})";
  const auto out = dir / "out";
  const auto r = run_cli("run " + (dir / "s.json").string() + " --no-trace -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("MFU"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("time to train"), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(read_file(out / "report.json"));
  const auto& t = report.at("training");
  const double T = t.at("iteration_time").at("value").get<double>();
  const double parts = t.at("compute_time").at("value").get<double>() +
                       t.at("pipeline_bubble").at("value").get<double>() +
                       t.at("exposed_communication").at("value").get<double>();
  // By definition (docs/training.md): bubble = T0 - compute, exposed = T - T0.
  EXPECT_NEAR(parts / T, 1.0, 1e-9);
  // MFU = model FLOPs per token x tokens / (GPUs x T x peak): 989.4 TFLOP/s, 32 GPUs.
  const double mfu = t.at("model_flops_per_token").at("value").get<double>() *
                     t.at("tokens_per_iteration").at("value").get<double>() / (32 * T * 989.4e12);
  EXPECT_NEAR(t.at("mfu").at("value").get<double>() / mfu, 1.0, 1e-9);
  EXPECT_GT(t.at("traffic").at("tp").at("bytes").get<double>(), 0);
  EXPECT_EQ(t.at("traffic").at("dp").at("algorithm").get<std::string>(), "ring");
}

}  // namespace
}  // namespace roshni
