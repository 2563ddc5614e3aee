// The packet model through the real CLI: byte-identical reports, the flow model's figures
// so `roshni compare` can put the two side by side, and the "network.packet" section's
// bad inputs, each a one-line error naming file and JSON pointer.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "e2e/cli.h"

namespace roshni {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::string kSmall = " --set 'workload.size=\"64 MiB\"'";

TEST(PacketCli, SameScenarioAndSeedGiveIdenticalBytes) {
  const auto a = fresh_dir("pkt-det-a"), b = fresh_dir("pkt-det-b");
  const std::string args = "run " + kQuickstart + " --set network.model=packet" + kSmall + " -q -o ";
  ASSERT_EQ(run_cli(args + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli(args + b.string()).exit_code, 0);
  const std::string ra = read_file(a / "report.json"), rb = read_file(b / "report.json");
  ASSERT_FALSE(ra.empty());
  EXPECT_EQ(ra, rb);
  const auto j = nlohmann::json::parse(ra);
  EXPECT_EQ(j["scenario"]["network_model"], "packet");
  ASSERT_TRUE(j.contains("packet"));
  // 64 MiB ring all-reduce over 8 ranks: 14 steps x 8 flows of 8 MiB = 2048 packets of
  // 4096 B each, so 229,376 packets, each crossing 2 links.
  EXPECT_EQ(j["packet"]["packets"]["value"], 229376);
  EXPECT_EQ(j["packet"]["packet_hops"]["value"], 2 * 229376);
  EXPECT_EQ(j["packet"]["drops"]["value"], 0);
}

// The two models' reports have the same summary figures, so compare lines them up; on
// this contention-free ring the makespans agree within 2% (see packet_model_test.cpp).
TEST(PacketCli, CompareWithFlowModel) {
  const auto f = fresh_dir("pkt-cmp-flow"), p = fresh_dir("pkt-cmp-packet");
  ASSERT_EQ(run_cli("run " + kQuickstart + kSmall + " -q -o " + f.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run " + kQuickstart + " --set network.model=packet" + kSmall + " -q -o " +
                    p.string())
                .exit_code,
            0);
  const auto jf = nlohmann::json::parse(read_file(f / "report.json"));
  const auto jp = nlohmann::json::parse(read_file(p / "report.json"));
  const double mf = jf["summary"]["makespan"]["value"], mp = jp["summary"]["makespan"]["value"];
  EXPECT_NEAR(mp / mf, 1.0, 0.02);
  const auto r = run_cli("compare " + (f / "report.json").string() + " " + (p / "report.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("makespan"), std::string::npos);
}

// Links that change during the run, through the CLI. The two-phase OCS scenario: each
// phase is one 256 MiB flow per circuit over 3 store-and-forward hops (GPU link, circuit,
// GPU link; two block switches), B = 400 Gb/s, so a phase takes S/B + 2 M/B + L with
// S/B = 5,368,709,120 ps, M/B = 81,920 ps, L = 2 x 150 + 2 x 300 + 500 ns = 1.4 us; the
// phase-2 flows find no circuit until the 10 ms reconfiguration is over. Makespan =
// 2 x 5,370,272,960 ps + 10 ms; the flow model's is 2 x (S/B + L) + 10 ms.
TEST(PacketCli, OcsReconfigurationShowsInTheMakespan) {
  const auto dir = fresh_dir("pkt-ocs");
  const std::string ocs = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/two_phase_reconfiguration.json";
  const auto r = run_cli("run " + ocs + " --set network.model=packet -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_file(dir / "report.json"));
  const double makespan = j["summary"]["makespan"]["value"];
  const double phase = (5'368'709'120.0 + 2 * 81'920 + 1'400'000) * 1e-12;
  EXPECT_NEAR(makespan, 2 * phase + 10e-3, 1e-12);
  EXPECT_EQ(j["packet"]["drops"]["value"], 0);
}

// A link that fails and is repaired during a 64 MiB ring all-reduce on a star of 8: the
// flows through it wait (PFC holds the rest back), and the makespan lands within 2% of
// the flow model's, which has the same outage.
TEST(PacketCli, FailureDuringAllReduceAgreesWithTheFlowModel) {
  const auto f = fresh_dir("pkt-fail-flow"), p = fresh_dir("pkt-fail-packet");
  std::ofstream(f / "s.json") << R"({"topology": {"kind": "star", "gpus": 8,
      "link": {"bandwidth": "100 Gbps", "latency": "1 us"}},
    "failures": {"events": [{"link": ["gpu0", "switch"], "at": "100 us", "duration": "300 us"}]},
    "workload": {"kind": "all_reduce", "size": "64 MiB"}})";
  const std::string s = (f / "s.json").string();
  ASSERT_EQ(run_cli("run " + s + " -q -o " + f.string()).exit_code, 0);
  const auto r = run_cli("run " + s + " --set network.model=packet -q -o " + p.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto jf = nlohmann::json::parse(read_file(f / "report.json"));
  const auto jp = nlohmann::json::parse(read_file(p / "report.json"));
  const double mf = jf["summary"]["makespan"]["value"], mp = jp["summary"]["makespan"]["value"];
  EXPECT_NEAR(mp / mf, 1.0, 0.02);
  EXPECT_GT(mf, 300e-6 + 14 * 8.0 * (1 << 20) / 12.5e9);  // the outage shows in both
}

// The shipped incast scenario: PFC pauses all 8 senders, nothing is dropped, and the
// 16 MB drain through the receiver's port in N·S/B = 1.28 ms (+ 2.3 us of path).
TEST(PacketCli, IncastScenarioPausesAndDoesNotDrop) {
  const auto dir = fresh_dir("pkt-incast");
  const auto r = run_cli("run " + std::string(ROSHNI_SOURCE_DIR) +
                         "/scenarios/packet/incast_lossless.json -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pauses, 0 drops"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(read_file(dir / "report.json"));
  EXPECT_EQ(j["summary"]["packet_drops"]["value"], 0);
  EXPECT_GT(j["summary"]["packet_pauses"]["value"].get<int>(), 0);
  EXPECT_GE(j["summary"]["queue_max"]["value"].get<int>(), 256 * 1024);  // xoff
  const double expected = 1.28e-3 + 2.3e-6;
  EXPECT_NEAR(j["summary"]["makespan"]["value"].get<double>(), expected, 0.02 * expected);
  // Every sender's port was paused: one row per sender link, with pauses.
  int paused = 0;
  for (const auto& row : j["packet"]["ports"]["rows"]) paused += row[5].get<int>() > 0;
  EXPECT_EQ(paused, 8);
}

// A torus routed dimension by dimension has cyclic buffer dependencies: under lossless
// PFC its shipped all-to-distance trace deadlocks (as real fabrics without virtual
// channels do). The run says so and exits 3. (Lossy mode finishes, within 0.2% of the
// flow model's makespan, but takes seconds: docs/models/packet-model.md.)
TEST(PacketCli, TorusPfcDeadlockIsReported) {
  const std::string torus = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/topologies/torus_4x4x8.json";
  const auto dir = fresh_dir("pkt-torus");
  const auto r = run_cli("run " + torus + " --set network.model=packet -q -o " + dir.string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("PFC deadlock"), std::string::npos) << r.err;
  // DCQCN's timers lapse when their flow cannot send, so they do not keep a deadlocked
  // run going for ever.
  const auto cc = run_cli("run " + torus + " --set network.model=packet "
                          "--set network.packet.congestion_control=dcqcn -q -o " + dir.string());
  EXPECT_EQ(cc.exit_code, 3);
  EXPECT_NE(cc.err.find("PFC deadlock"), std::string::npos) << cc.err;
}

struct BadPacket {
  std::string name;
  std::string packet;   // the "network.packet" object
  std::string pointer;  // expected JSON pointer
  std::string keyword;  // a phrase the message must contain
};
std::ostream& operator<<(std::ostream& os, const BadPacket& c) { return os << c.name; }

// clang-format off
const std::vector<BadPacket> kBad = {
    {"MtuLargerThanBuffer", R"({"mtu": "9000 B", "buffer": "8 KiB"})", "/network/packet/mtu",
     "the MTU (9000 B) is larger than the per-port buffer (8192 B)"},
    {"ZeroBuffer", R"({"buffer": "0 B"})", "/network/packet/buffer", "must be greater than zero"},
    {"FractionalBytes", R"({"mtu": "1.5 B"})", "/network/packet/mtu", "whole number of bytes"},
    {"XonAboveXoff", R"({"pfc": {"xoff": "100 KiB", "xon": "200 KiB"}})",
     "/network/packet/pfc/xon", "thresholds out of order: xon (204800 B) must be below xoff (102400 B)"},
    {"XoffWithoutHeadroom", R"({"buffer": "64 KiB", "pfc": {"xoff": "63 KiB", "xon": "1 KiB"}})",
     "/network/packet/pfc/xoff", "leaves less than one MTU"},
    {"EcnAboveBuffer", R"({"buffer": "64 KiB", "ecn_threshold": "1 MiB"})",
     "/network/packet/ecn_threshold", "must be below the buffer"},
    {"UnknownCongestionControl", R"({"congestion_control": "dcqnc"})",
     "/network/packet/congestion_control",
     "unknown congestion control 'dcqnc', did you mean 'dcqcn'?"},
    {"UnknownMode", R"({"mode": "lossles"})", "/network/packet/mode", "did you mean 'lossless'?"},
    {"UnknownSwitching", R"({"switching": "cut-through"})", "/network/packet/switching",
     "did you mean 'cut_through'?"},
    {"UnknownLoadBalance", R"({"load_balance": "spary"})", "/network/packet/load_balance",
     "did you mean 'spray'?"},
    {"UnknownKey", R"({"mtu_size": "4 KiB"})", "/network/packet/mtu_size", "unknown key 'mtu_size'"},
    {"ZeroTimeout", R"({"retransmit_timeout": "0 us"})", "/network/packet/retransmit_timeout",
     "greater than zero"},
    {"BadDcqcnGain", R"({"dcqcn": {"g": 2}})", "/network/packet/dcqcn/g", "between 0 and 1"},
};
// clang-format on

class PacketBadInput : public ::testing::TestWithParam<BadPacket> {};

TEST_P(PacketBadInput, NamesTheValue) {
  const auto& c = GetParam();
  const auto dir = fresh_dir("pkt-bad-" + c.name);
  std::ofstream(dir / "s.json")
      << R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "100 Gbps"}},
    "network": {"model": "packet", "packet": )" + c.packet + R"(},
    "workload": {"kind": "all_reduce", "size": "1 MiB"}})";
  const auto r = run_cli("validate " + (dir / "s.json").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("s.json:" + c.pointer + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(c.keyword), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Rows, PacketBadInput, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace roshni
