// GOAL schedules through the `roshni` program (issue 24, item 3): a ping-pong and the ring
// all-reduce of scenarios/workloads/goal_ring.json give the makespans their closed forms
// say, and the ring matches Roshni's own ring all-reduce on the same star.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kWorkloads = fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "workloads";

json run_file(const fs::path& file) {
  const auto dir = testing::fresh_dir("goal-run-" + file.stem().string());
  const auto r = testing::run_cli("run " + file.string() + " -q -o " + dir.string());
  if (r.exit_code != 0) {
    ADD_FAILURE() << file << ": exit " << r.exit_code << "\n" << r.err;
    return nullptr;
  }
  return json::parse(testing::read_file(dir / "report.json"));
}

double makespan(const json& j) { return j["summary"]["makespan"]["value"].get<double>(); }

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// The star of both tests: alpha = 2 x 150 ns + 300 ns (two links and the switch) = 600 ns,
// B = 400 Gbps = 5e10 B/s.
const std::string kStar = R"("topology": {"kind": "star", "gpus": 4,
    "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns"})";

// Rank 0 sends 1 MB to rank 1, which computes 2500 ns and answers with 1 MB:
// 2 (alpha + n/B) + 2.5 us = 2 (0.6 us + 20 us) + 2.5 us = 43.7 us.
TEST(GoalExamples, PingPong) {
  const auto dir = testing::fresh_dir("goal-pingpong");
  write(dir / "pp.goal", R"(num_ranks 2
rank 0 {
  ping: send 1000000b to 1
  pong: recv 1000000b from 0
  pong requires ping
}
rank 1 {
  ping: recv 1000000b from 0
  think: calc 2500
  pong: send 1000000b to 0
  think requires ping
  pong requires think
}
)");
  // (rank 0's "pong: recv ... from 0" is a typo on purpose: see the next check)
  write(dir / "s.json", "{" + kStar + R"(, "workload": {"kind": "goal", "file": "pp.goal"}})");
  const auto bad = testing::run_cli("validate " + (dir / "s.json").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("pp.goal:line 4: rank 0, 'pong': a recv from its own rank"),
            std::string::npos)
      << bad.err;

  write(dir / "pp.goal", R"(num_ranks 2
rank 0 {
  ping: send 1000000b to 1
  pong: recv 1000000b from 1
  pong requires ping
}
rank 1 {
  ping: recv 1000000b from 0
  think: calc 2500
  pong: send 1000000b to 0
  think requires ping
  pong requires think
}
)");
  const json j = run_file(dir / "s.json");
  ASSERT_FALSE(j.is_null());
  const double t = 2 * (600e-9 + 1e6 / 5e10) + 2.5e-6;
  EXPECT_NEAR(makespan(j), t, 1e-3 * t);
  EXPECT_EQ(j["workload"]["kind"], "goal");
  EXPECT_EQ(j["workload"]["ranks"]["value"].get<double>(), 2);
}

// The example ring: 2(p-1)(alpha + n/(pB)) = 6 (0.6 us + 16e6 / 4 / 5e10 s) = 483.6 us,
// and Roshni's own ring all-reduce of the same 16 MB on the same star agrees within 0.1 %.
TEST(GoalExamples, RingAllReduceMatchesRoshnisRing) {
  const json g = run_file(kWorkloads / "goal_ring.json");
  ASSERT_FALSE(g.is_null());
  const double t = 6 * (600e-9 + 16e6 / 4 / 5e10);
  EXPECT_NEAR(makespan(g), t, 1e-3 * t);

  const auto dir = testing::fresh_dir("goal-ring-native");
  write(dir / "ring.json",
        "{" + kStar + R"(, "workload": {"kind": "all_reduce", "algorithm": "ring", "size": "16 MB"}})");
  const json r = run_file(dir / "ring.json");
  ASSERT_FALSE(r.is_null());
  EXPECT_NEAR(makespan(r), t, 1e-3 * t);
  EXPECT_NEAR(makespan(g), makespan(r), 1e-3 * makespan(r));
}

}  // namespace
}  // namespace roshni
