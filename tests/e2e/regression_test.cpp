// Our own regression suite (tests/regression/README.md): every case directory holds a
// baseline.json written by `roshni run`; each case is run again and `roshni check`ed
// against it at a relative tolerance of 1e-9. The baselines themselves are checked
// against the closed forms that justify them, so a baseline regenerated from a wrong
// simulator cannot pass for right.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSuite = fs::path(ROSHNI_SOURCE_DIR) / "tests" / "regression";

std::vector<std::string> cases() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (entry.is_directory() && fs::exists(entry.path() / "baseline.json")) {
      out.push_back(entry.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

json baseline(const std::string& name) {
  return json::parse(testing::read_file(kSuite / name / "baseline.json"));
}

/// Runs the case's scenario (the baseline names it, relative to the source tree, and
/// its seed) into a fresh directory; returns the new report's path.
fs::path run_case(const std::string& name, const std::string& extra = "") {
  const json b = baseline(name);
  const fs::path dir = testing::fresh_dir("regression-" + name);
  const auto r = testing::run_cli(
      "run " + (fs::path(ROSHNI_SOURCE_DIR) / b["scenario"]["file"].get<std::string>()).string() +
      " --seed " + std::to_string(b["scenario"]["seed"].get<uint64_t>()) + extra +
      " -q --no-trace -o " + dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir / "report.json";
}

std::string check_args(const fs::path& report, const std::string& name) {
  return "check " + report.string() + " --baseline " +
         (kSuite / name / "baseline.json").string() +
         " --tolerance 1e-9 --include events --include rate_solves";
}

/// The baseline's figures by dotted name.
std::map<std::string, double> figures(const std::string& name) {
  std::map<std::string, double> out;
  const json s = baseline(name)["summary"];
  for (const auto& [k, v] : s.items()) {
    if (v.contains("value")) {
      out[k] = v["value"].get<double>();
    } else {
      for (const auto& [k2, v2] : v.items()) {
        if (v2.is_object() && v2.contains("value")) out[k + "." + k2] = v2["value"].get<double>();
      }
    }
  }
  return out;
}

TEST(RegressionSuite, HasTheDocumentedCases) {
  EXPECT_EQ(cases(),
            (std::vector<std::string>{"explicit_two_leaves", "ocs_two_phase", "quickstart"}));
}

class RegressionCase : public ::testing::TestWithParam<std::string> {};

// The case as it is today gives every baseline figure back within 1e-9.
TEST_P(RegressionCase, MatchesItsBaseline) {
  const auto report = run_case(GetParam());
  const auto r = testing::run_cli(check_args(report, GetParam()));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string all =
      "all " + std::to_string(figures(GetParam()).size()) + " figures within 1e-9";
  EXPECT_NE(r.out.find(all), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Cases, RegressionCase, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param; });

/// Every figure of the baseline equals its derivation to 1e-12 relative (the
/// derivations below are the ones written out in tests/regression/README.md).
void expect_derived(const std::string& name, const std::map<std::string, double>& derived) {
  const auto got = figures(name);
  std::vector<std::string> names;
  for (const auto& [k, v] : got) names.push_back(k);
  std::vector<std::string> expected_names;
  for (const auto& [k, v] : derived) expected_names.push_back(k);
  EXPECT_EQ(names, expected_names) << name << ": every baseline figure needs a derivation";
  for (const auto& [k, v] : derived) {
    if (!got.contains(k)) continue;
    EXPECT_NEAR(got.at(k), v, 1e-12 * std::fabs(v)) << name << ": " << k;
  }
}

// quickstart: ring all-reduce, N = 8 GPUs, S = 2^30 B, B = 400 Gb/s = 5e10 B/s, path
// latency L = 150 + 300 + 150 ns = 600 ns.
TEST(RegressionBaselines, QuickstartFollowsTheRingClosedForm) {
  const double n = 8, s = 1073741824.0, b = 50e9, l = 600e-9;
  const double chunk = s / n;                          // 2^27 B per flow
  const double t = 2 * (n - 1) * (l + chunk / b);      // 37.58936384 ms
  const double flows = 2 * n * (n - 1);                // 112
  const double uplink = 2 * (n - 1) * chunk;           // every link direction: 14 chunks
  expect_derived("quickstart", {{"makespan", t},
                                {"makespan_ps", 37589363840.0},
                                {"flows", flows},
                                {"payload_bytes", flows * chunk},
                                {"link_bytes", 2 * flows * chunk},  // 2 hops each
                                {"algorithm_bandwidth", s / t},
                                {"bus_bandwidth", s / t * 2 * (n - 1) / n},
                                {"busiest_link.bytes", uplink},
                                {"busiest_link.utilisation", uplink / (b * t)},
                                {"events", n + 2 * (n - 1) + flows},  // N starts; one end of transmission per
                                                                      // step (its N flows end together); one delivery per flow
                                {"rate_solves", 2 * (n - 1)},  // one per ring step
                                {"flows_rerouted", 0},
                                {"flows_stalled", 0}});
  EXPECT_EQ(baseline("quickstart")["summary"]["busiest_link"]["name"], "gpu0->leaf0");
}

// ocs_two_phase: two phases of two 2^28 B flows, each over GPU link, block switch,
// circuit, block switch, GPU link: L = 150 + 300 + 500 + 300 + 150 ns = 1.4 us, all
// links 5e10 B/s; the phase-2 circuits light up R = 10 ms after phase 1 is delivered.
TEST(RegressionBaselines, OcsTwoPhaseAddsTheReconfigurationTime) {
  const double s = 268435456.0, b = 50e9, l = 1.4e-6, r = 10e-3;
  const double t = 2 * (l + s / b) + r;  // 20.74021824 ms
  expect_derived("ocs_two_phase", {{"makespan", t},
                                   {"makespan_ps", 20740218240.0},
                                   {"flows", 4},
                                   {"payload_bytes", 4 * s},
                                   {"link_bytes", 4 * 3 * s},  // 3 links per flow
                                   {"busiest_link.bytes", 2 * s},  // gpu0_0 sends p1.a and p2.a
                                   {"busiest_link.utilisation", 2 * s / (b * t)},
                                   {"events", 2 + 2 + 4 + 2},  // 2 starts, one end per phase, 4 deliveries, 2 steps
                                   {"rate_solves", 2},
                                   {"flows_rerouted", 0},
                                   {"flows_stalled", 0},
                                   {"circuit_changes", 1},
                                   // p2.a and p2.b are ready when phase 1 is delivered,
                                   // the change's start, and wait R for the new circuits.
                                   {"flows_waited_for_circuits", 2},
                                   {"circuit_wait", 2 * r}});
  EXPECT_EQ(baseline("ocs_two_phase")["summary"]["busiest_link"]["name"], "gpu0_0->block0");
}

// explicit_two_leaves: two 2^26 B flows share leaf0 -> spine0 -> leaf1 (routing
// "first"), each at B/2 = 2.5e10 B/s, over 4 links of 220 ns and 3 switches of 200 ns.
TEST(RegressionBaselines, ExplicitTwoLeavesSplitsTheSharedLink) {
  const double s = 67108864.0, b = 50e9;
  const double t = 2 * s / b + 4 * 220e-9 + 3 * 200e-9;  // 2.68583456 ms
  expect_derived("explicit_two_leaves", {{"makespan", t},
                                         {"makespan_ps", 2685834560.0},
                                         {"flows", 2},
                                         {"payload_bytes", 2 * s},
                                         {"link_bytes", 2 * 4 * s},
                                         {"busiest_link.bytes", 2 * s},
                                         {"busiest_link.utilisation", 2 * s / (b * t)},
                                         {"events", 2 + 1 + 2},  // 2 starts, one end (both at once), 2 deliveries
                                         {"rate_solves", 1},
                                         {"flows_rerouted", 0},
                                         {"flows_stalled", 0}});
  EXPECT_EQ(baseline("explicit_two_leaves")["summary"]["busiest_link"]["name"],
            "leaf0->spine0");
}

// The quickstart on 200 Gb/s links: every chunk takes twice as long, so
// t' = 14 (600 ns + 2^27 / 2.5e10 s) = 75.17032768 ms, +99.98% on 37.58936384 ms.
// Five figures move: makespan, makespan_ps, the two bandwidths (S/t: -49.99%) and the
// busiest link's utilisation u = 14 x 2^27 / (B t), whose B halves while t less than
// doubles (the latency does not): u'/u = 2t/t' = 1.0001117, +0.01117%. Counts and
// bytes stay. check exits 5 and prints the five rows.
TEST(RegressionSuite, ChangedScenarioTripsCheckWithAClearDiff) {
  const auto report = run_case("quickstart", " --set 'topology.link.bandwidth=200 Gbps'");
  const auto r = testing::run_cli(check_args(report, "quickstart"));
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("5 of 13 figures moved beyond the tolerance of 1e-9"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("figure                    unit            baseline                 now"
                       "     change\n"
                       "makespan                  s          0.03758936384       0.07517032768"
                       "    +99.98%\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("-49.99%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("busiest_link.utilisation"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+0.01117%"), std::string::npos) << r.out;
  for (const char* unchanged : {"payload_bytes", "link_bytes", "events", "rate_solves",
                                "busiest_link.bytes", "flows_"}) {
    EXPECT_EQ(r.out.find(unchanged), std::string::npos) << unchanged << "\n" << r.out;
  }
  // At 100% tolerance the same change passes.
  const auto loose = testing::run_cli("check " + report.string() + " --baseline " +
                                      (kSuite / "quickstart" / "baseline.json").string() +
                                      " --tolerance 100%");
  EXPECT_EQ(loose.exit_code, 0) << loose.out;
}

}  // namespace
}  // namespace roshni
