// The reliability section on the 10,080-GPU scenarios (scenarios/reliability/), against
// sums done by hand from the cluster's part counts and configs/reliability.json:
//
// 2-tier fat tree of 144-port switches, 140 NVL72-like racks of 72 GPUs: 10,080 GPUs, one
// NIC each; 140 leaves and 72 spines (radix 144: 72 down, 72 up), 140 rack NVSwitch
// domains (one "switch" each); 10,080 GPU-leaf links and 140 x 72 = 10,080 leaf-spine
// links; 10,080 NVLink links (GPU to its rack's switch).
//
// CPO variant: every scale-out link is cpo-800g-bailly, two ends each (40,320 ends),
// laser 67 + engine 68 FIT per end; NVLink copper 7 FIT per link. Per GPU: gpu 12,620 +
// host 2,166 + nic 330 = 15,116 FIT; switches 352 x 700.
//   Lambda = (10,080 x 15,116 + 352 x 700 + 40,320 x 135 + 10,080 x 7) / 1e9
//          = (152,369,280 + 246,400 + 5,443,200 + 70,560) / 1e9 = 0.15812944 per hour.
// Pluggable variant: 40,320 ends of pluggable-dsp-800g-dr8 at 700 FIT instead:
//   Lambda = (152,369,280 + 246,400 + 28,224,000 + 70,560) / 1e9 = 0.18091024 per hour.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "e2e/cli.h"

namespace roshni {
namespace {

nlohmann::json run(const std::string& variant, const std::string& sets = "") {
  const auto dir = testing::fresh_dir("reliability-" + variant);
  const auto r = testing::run_cli("run " + std::string(ROSHNI_SOURCE_DIR) + "/scenarios/reliability/" +
                                  variant + ".json -q --no-trace -o " + dir.string() + " " + sets);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(testing::read_file(dir / "report.json"));
}

double fig(const nlohmann::json& j, const char* name) { return j[name]["value"].get<double>(); }

TEST(ReliabilityCli, RateIsTheSumOfThePartsAndTimeFollowsYoungAndDaly) {
  const auto report = run("cpo");
  const auto& r = report["reliability"];
  const double lambda = 0.15812944;  // per hour, the header's sum
  EXPECT_NEAR(fig(r, "interruptions_per_hour"), lambda, 1e-9);
  // Young: tau = sqrt(2 delta M), delta = 60 s, M = 3600 / lambda s.
  const double m = 3600 / lambda, delta = 60, restart = 600, work = 100 * 86400.0;
  const double tau = std::sqrt(2 * delta * m);
  EXPECT_NEAR(fig(r, "checkpoint_interval"), tau, 1e-6 * tau);
  // 72 spares: nothing strands more (a leaf strands its 72 GPUs), so every event loses
  // R + (tau + delta) / 2, and T_w = T_s (1 + delta / tau) / (1 - L / M).
  const double lost = restart + (tau + delta) / 2;
  const double wall = work * (1 + delta / tau) / (1 - lost / m);
  EXPECT_NEAR(fig(r, "wall_time"), wall, 1e-9 * wall);
  EXPECT_NEAR(fig(r, "interruptions"), wall / m, 1e-9 * wall / m);
  EXPECT_NEAR(fig(report["summary"], "failure_time_added"), wall - work, 1e-6 * wall);
  // Energy: the added time at the run's mean facility power.
  EXPECT_NEAR(fig(r, "energy_added"), fig(r, "power") * (wall - work), 1e-6 * fig(r, "energy_added"));
  for (const auto& row : r["rows"]) EXPECT_FALSE(row[6].get<bool>()) << row.dump();
}

TEST(ReliabilityCli, CoPackagedEnginesStrandTheirLeafWithoutEnoughSpares) {
  // With 4 spares (one compute tray), an engine failure on a leaf's port takes the leaf
  // out with its 72 GPUs: those events wait the 8 h switch replacement; laser failures
  // (field-replaceable) and GPU failures (strand 4) do not.
  const auto r = run("cpo", "--set reliability.spare_gpus=4")["reliability"];
  const double tau = fig(r, "checkpoint_interval");
  const double plain = 600 + (tau + 60) / 2;
  int waiting = 0;
  for (const auto& row : r["rows"]) {
    const bool waits = row[6].get<bool>();
    const double per_event = row[8].get<double>();
    if (row[2] == "engine" && row[5].get<int>() == 72) {
      EXPECT_TRUE(waits);
      EXPECT_NEAR(per_event, plain + 8 * 3600, 1e-6);
      ++waiting;
    } else if (row[0] == "optics" || row[0] == "gpu") {
      EXPECT_FALSE(waits) << row.dump();
      EXPECT_NEAR(per_event, plain, 1e-6);
    }
  }
  EXPECT_EQ(waiting, 1);
}

TEST(ReliabilityCli, PluggablesFailMoreThanCoPackagedOptics) {
  const auto pl = run("pluggable")["reliability"];
  EXPECT_NEAR(fig(pl, "interruptions_per_hour"), 0.18091024, 1e-9);
  const auto cpo = run("cpo")["reliability"];
  EXPECT_GT(fig(pl, "time_added"), fig(cpo, "time_added"));
}

}  // namespace
}  // namespace roshni
