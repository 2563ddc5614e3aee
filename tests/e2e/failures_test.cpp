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

namespace roshni {
namespace {

// Failures that overlap on one link: the link is down while any outage covers it. One
// flow f of 1 MB (80 us on the wire) from a to z through s0, links of 1 us; it starts at
// 0 and keeps its path. Each case is a set of failure events and f's delivery time:
// 80 us of sending + the time a-s0 is down while f sends + 2 us of latency.
std::string one_flow_with_failures(const std::string& events) {
  return R"({
  "topology": {"kind": "explicit", "routing": "first",
    "nodes": [{"name": "a", "kind": "gpu"}, {"name": "z", "kind": "gpu"},
              {"name": "s0", "kind": "switch"}, {"name": "s1", "kind": "switch"}],
    "links": [{"a": "a", "b": "s0", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "s0", "b": "z", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "a", "b": "s1", "bandwidth": "100 Gbps", "latency": "1 us"},
              {"a": "s1", "b": "z", "bandwidth": "100 Gbps", "latency": "1 us"}]},
  "failures": {"events": )" + events + R"(},
  "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "a", "dst": "z", "size": "1 MB"}]}
})";
}

TEST(Failures, OverlappingOutagesKeepTheLinkDownUntilTheLastEnds) {
  const struct {
    const char* name;
    const char* events;
    int64_t end_ps;
  } cases[] = {
      // a 10 us outage inside a 100 us one: down [10, 110] us, f ends 80 + 100 + 2 us
      // (not at 80 + 20 + 2: the short repair at 30 us does not end the long outage).
      {"nested", R"([{"at": "10 us", "link": ["a", "s0"], "duration": "100 us"},
                     {"at": "20 us", "link": ["a", "s0"], "duration": "10 us"}])",
       182'000'000},
      // two outages that overlap, [10, 40] and [30, 60] us: down 50 us, 80 + 50 + 2 us.
      {"overlapping", R"([{"at": "30 us", "link": ["a", "s0"], "duration": "30 us"},
                          {"at": "10 us", "link": ["a", "s0"], "duration": "30 us"}])",
       132'000'000},
      // the switch s0 fails [10, 30] us while its link a-s0 is down on its own [5, 105]
      // us: the switch's repair does not bring that link back: 80 + 100 + 2 us.
      {"switch and link", R"([{"at": "5 us", "link": ["a", "s0"], "duration": "100 us"},
                              {"at": "10 us", "node": "s0", "duration": "20 us"}])",
       182'000'000},
      // the link a-s0 fails [10, 30] us while the switch s0 is down [5, 105] us: the
      // link's repair does not bring it back while its switch is down: 80 + 100 + 2 us.
      {"link inside switch", R"([{"at": "10 us", "link": ["a", "s0"], "duration": "20 us"},
                                 {"at": "5 us", "node": "s0", "duration": "100 us"}])",
       182'000'000},
  };
  for (const auto& c : cases) {
    for (const std::string model : {"flow", "packet"}) {
      const std::string path = write_scenario("failures-overlap", one_flow_with_failures(c.events));
      const auto out = testing::fresh_dir("failures-overlap-out");
      const auto r = testing::run_cli("run " + path + " --set network.model=" + model + " -q -o " +
                                      out.string());
      ASSERT_EQ(r.exit_code, 0) << c.name << " " << model << ": " << r.err;
      const auto j = nlohmann::json::parse(testing::read_file(out / "report.json"));
      const int64_t end = j["flows"]["rows"][0][5].get<int64_t>();
      if (model == "flow") {
        EXPECT_EQ(end, c.end_ps) << c.name;
      } else {
        // Packets (4096 B, M/B = 327,680 ps): one more serialisation at s0, and the packet
        // the failure cut at t_f is sent again whole (it started at the last multiple of
        // M/B before t_f): end = flow end + M/B + (t_f - t_k), 0 <= t_f - t_k < M/B.
        EXPECT_GE(end, c.end_ps + 327'680) << c.name;
        EXPECT_LT(end, c.end_ps + 2 * 327'680) << c.name;
      }
    }
  }
}

// A failure for good inside a timed one: the timed one's repair does not end it; f never
// finishes and the run says so (exit 3).
TEST(Failures, PermanentFailureInsideATimedOneIsNotRepaired) {
  const std::string path = write_scenario(
      "failures-permanent",
      one_flow_with_failures(R"([{"at": "10 us", "link": ["a", "s0"], "duration": "100 us"},
                                 {"at": "20 us", "link": ["a", "s0"]}])"));
  const auto r = testing::run_cli("run " + path + " -q -o " + testing::fresh_dir("fp").string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("flow 'f' stalled"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni
