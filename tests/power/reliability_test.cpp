// The job-level failure model (docs/models/reliability.md) against hand calculations.
#include "roshni/power/reliability.h"

#include <gtest/gtest.h>

#include <cmath>

namespace roshni::power {
namespace {

constexpr double kHour = 3600.0;

Exposure exposure(double units, double fit, double replace_h = 0, uint32_t stranded = 0) {
  Exposure e;
  e.cls = "gpu";
  e.mode.name = "hard";
  e.mode.fit = fit;
  e.mode.replace = seconds(replace_h * kHour);
  e.units = units;
  e.stranded = stranded;
  return e;
}

TEST(Reliability, RateIsUnitsTimesFit) {
  // 10,000 GPUs at 10,000 FIT: 1e8 / 1e9 = 0.1 interruptions per hour, one every 10 h.
  ReliabilityParams p;
  p.work = seconds(100 * kHour);
  const auto r = reliability({exposure(10'000, 10'000)}, p);
  EXPECT_NEAR(r.rate_per_hour, 0.1, 1e-12);
  EXPECT_NEAR(r.mtbf.si(), 10 * kHour, 1e-6);
}

TEST(Reliability, YoungIntervalAndDalyWallTime) {
  // M = 10 h, delta = 0.05 h (3 min): Young's tau = sqrt(2 x 0.05 x 10) = 1 h.
  // Lost per event L = R + (tau + delta)/2 = 0.1 + 0.525 = 0.625 h; loss rate 0.1 x 0.625
  // = 0.0625 h per hour. T_w = 100 (1 + 0.05) / (1 - 0.0625) = 112 h; events 11.2.
  ReliabilityParams p;
  p.work = seconds(100 * kHour);
  p.checkpoint_write = seconds(0.05 * kHour);
  p.restart = seconds(0.1 * kHour);
  const auto r = reliability({exposure(10'000, 10'000)}, p);
  EXPECT_NEAR(r.interval.si(), kHour, 1e-6);
  EXPECT_NEAR(r.wall.si() / kHour, 112.0, 1e-9);
  EXPECT_NEAR(r.interruptions, 11.2, 1e-9);
  EXPECT_NEAR(r.checkpoint_time.si() / kHour, 5.0, 1e-9);
  EXPECT_NEAR(r.lost.si() / kHour, 11.2 * 0.625, 1e-9);
  EXPECT_NEAR(r.added.si() / kHour, 12.0, 1e-9);
  // The parts add up: work + checkpoints + lost = wall.
  EXPECT_NEAR(p.work.si() + r.checkpoint_time.si() + r.lost.si(), r.wall.si(), 1e-6);
}

TEST(Reliability, GivenIntervalIsUsed) {
  // tau = 2 h, delta = 0.05 h, R = 0: L = 1.025 h; loss 0.1025; T_w = 100 x 1.025 / 0.8975.
  ReliabilityParams p;
  p.work = seconds(100 * kHour);
  p.checkpoint_write = seconds(0.05 * kHour);
  p.checkpoint_interval = seconds(2 * kHour);
  const auto r = reliability({exposure(10'000, 10'000)}, p);
  EXPECT_NEAR(r.wall.si() / kHour, 102.5 / 0.8975, 1e-9);
}

TEST(Reliability, StrandingMoreThanTheSparesWaitsForTheRepair) {
  // Two modes at 0.05 per hour each; one strands 64 GPUs and takes 4 h to repair. With
  // 8 spares it waits: L = 4 h more than the other's. delta = 0: tau = 0, no rework.
  ReliabilityParams p;
  p.work = seconds(100 * kHour);
  p.restart = seconds(0.5 * kHour);
  p.spare_gpus = 8;
  const auto r = reliability({exposure(5'000, 10'000, 4, 1), exposure(5'000, 10'000, 4, 64)}, p);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_FALSE(r.rows[0].waits_for_repair);
  EXPECT_TRUE(r.rows[1].waits_for_repair);
  EXPECT_NEAR(r.rows[0].lost_per_event.si() / kHour, 0.5, 1e-12);
  EXPECT_NEAR(r.rows[1].lost_per_event.si() / kHour, 4.5, 1e-12);
  // loss = 0.05 x 0.5 + 0.05 x 4.5 = 0.25; T_w = 100 / 0.75.
  EXPECT_NEAR(r.wall.si() / kHour, 100 / 0.75, 1e-9);
  // With 64 spares neither waits: loss 0.05; T_w = 100 / 0.95.
  p.spare_gpus = 64;
  EXPECT_NEAR(reliability({exposure(5'000, 10'000, 4, 1), exposure(5'000, 10'000, 4, 64)}, p)
                  .wall.si() / kHour, 100 / 0.95, 1e-9);
}

TEST(Reliability, AJobThatLosesMoreThanItGainsIsAProblem) {
  // 0.1 per hour, each losing 10 h of repair (no spares): 1 hour lost per hour.
  ReliabilityParams p;
  p.work = seconds(100 * kHour);
  const std::vector<Exposure> e = {exposure(10'000, 10'000, 10, 1)};
  EXPECT_NE(reliability_problem(e, p).find("never finish"), std::string::npos);
  p.spare_gpus = 1;
  EXPECT_EQ(reliability_problem(e, p), "");
}

}  // namespace
}  // namespace roshni::power
