// Links and switches failing during a run: flows crossing them stall until the repair;
// flows that start while they are down take a surviving path.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

// a and z joined through switches s0 and s1; every link 100 Gb/s (12.5 GB/s), 1 us.
// f1 (1 MB, 80 us on the wire) starts at 0 through s0 ("first" routing). The link a-s0
// fails at 30 us for 20 us: f1 stalls 20 us, ends transmitting at 100 us and is
// delivered 2 us later. f2 (1 MB) starts at 40 us, finds a-s0 down, is rerouted
// through s1, and is delivered at 40 + 80 + 2 = 122 us.
const char* kScenario = R"({
  "topology": {"kind": "explicit", "routing": "first",
    "nodes": [{"name": "a", "kind": "gpu"}, {"name": "z", "kind": "gpu"},
              {"name": "s0", "kind": "switch"}, {"name": "s1", "kind": "switch"}],
    "links": [{"a": "a", "b": "s0", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "s0", "b": "z", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "a", "b": "s1", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "s1", "b": "z", "bandwidth": "100 Gbps", "latency": "1 us"}]},
  "failures": {"events": [{"at": "30 us", "link": ["a", "s0"], "duration": "20 us"}]},
  "workload": {"kind": "flow_trace", "flows": [
    {"id": "f1", "src": "a", "dst": "z", "size": "1 MB"},
    {"id": "f2", "src": "a", "dst": "z", "size": "1 MB", "start": "40 us"}]}
})";

std::string write_scenario(const std::string& name, const std::string& text) {
  const auto dir = testing::fresh_dir(name);
  const auto path = (dir / "s.json").string();
  std::ofstream(path) << text;
  return path;
}

TEST(Failures, StallUntilRepairAndRerouteAround) {
  const std::string path = write_scenario("failures", kScenario);
  const auto out = testing::fresh_dir("failures-out");
  const auto r = testing::run_cli("run " + path + " -q -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(out / "report.json"));
  const auto& rows = j["flows"]["rows"];
  EXPECT_EQ(rows[0][5].get<int64_t>(), 102'000'000);
  EXPECT_EQ(rows[1][5].get<int64_t>(), 122'000'000);
  EXPECT_EQ(j["summary"]["flows_rerouted"]["value"], 1);
  EXPECT_EQ(j["summary"]["flows_stalled"]["value"], 1);
}

// A switch failing for good: both paths' switch s0 dies at 30 us, f1 is stuck on it,
// the run ends with f1 unfinished and says so (exit 3).
// The same scenario with packets (4096 B, M/B = 327,680 ps): the a-s0 link cuts, at
// t_f = 30 us, the packet that started at t_k = 91 M/B = 29,818,880 ps; lossless, it is
// sent again at the repair, so f1 ends at S/B + M/B + 2 L + D + (t_f - t_k) =
// 102,508,800 ps (the flow model: 102 us). f2 goes through s1: 40 us + S/B + M/B + 2 L =
// 122,327,680 ps.
TEST(Failures, PacketModelStallsAndReroutesToo) {
  const std::string path = write_scenario("failures-pkt", kScenario);
  const auto out = testing::fresh_dir("failures-pkt-out");
  const auto r = testing::run_cli("run " + path + " --set network.model=packet -q -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(out / "report.json"));
  const auto& rows = j["flows"]["rows"];
  EXPECT_EQ(rows[0][5].get<int64_t>(), 102'508'800);
  EXPECT_EQ(rows[1][5].get<int64_t>(), 122'327'680);
  EXPECT_EQ(j["summary"]["flows_rerouted"]["value"], 1);
  EXPECT_EQ(j["packet"]["packets_cut"]["value"], 1);
}

TEST(Failures, PermanentSwitchFailureIsReported) {
  std::string text = kScenario;
  text.replace(text.find(R"({"at": "30 us", "link": ["a", "s0"], "duration": "20 us"})"),
               std::string(R"({"at": "30 us", "link": ["a", "s0"], "duration": "20 us"})").size(),
               R"({"at": "30 us", "node": "s0"})");
  const std::string path = write_scenario("failures-node", text);
  const auto r = testing::run_cli("run " + path + " -q -o " + testing::fresh_dir("fn").string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("flow 'f1' stalled"), std::string::npos) << r.err;
}

TEST(Failures, BadFailuresAreErrors) {
  const std::string path = write_scenario("failures-bad", kScenario);
  auto r = testing::run_cli("validate " + path + " --set 'failures.events.0.link=[\"a\", \"z\"]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/failures/events/0/link: no link joins 'a' and 'z'"), std::string::npos) << r.err;
  r = testing::run_cli("validate " + path + " --set 'failures.events.0.link=[\"a\", \"s9\"]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/failures/events/0/link/1: unknown node 's9'"), std::string::npos) << r.err;
  r = testing::run_cli("validate " + path + " --set 'failures.random={\"count\": 9, \"from\": \"0 s\", \"to\": \"1 ms\"}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/failures/random/count: only 0 fabric links"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni
