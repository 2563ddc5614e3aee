// Whole runs of the `roshni` program: exit codes, report contents against closed forms,
// and byte-identical reports for the same scenario and seed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";

// Ring all-reduce of S = 1 GiB over N = 8 GPUs on a star of 400 Gb/s links (150 ns each)
// and a 300 ns switch: 2(N-1)(L + S/(N B)), L = 2 x 150 ns + 300 ns = 600 ns,
// S/(N B) = 2^30 / 8 / 5e10 s = 2.68435456 ms, so 14 x 2.68495456 ms = 37.58936384 ms.
TEST(Cli, QuickstartMatchesClosedFormAndWritesReport) {
  const auto dir = fresh_dir("quickstart");
  const auto r = run_cli(kQuickstart + " -o " + dir.string());  // no subcommand: usage error
  EXPECT_EQ(r.exit_code, 2);
  const auto ok = run_cli("run " + kQuickstart + " -o " + dir.string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("makespan"), std::string::npos);
  EXPECT_NE(ok.out.find("report.json"), std::string::npos);
  const auto j = nlohmann::json::parse(read_file(dir / "report.json"));
  EXPECT_EQ(j["schema"], "roshni.report/1");
  const double expected = 14 * (600e-9 + 1073741824.0 / 8 / 50e9);
  EXPECT_NEAR(j["summary"]["makespan"]["value"].get<double>(), expected, 1e-3 * expected);
  EXPECT_EQ(j["summary"]["makespan"]["unit"], "s");
  EXPECT_EQ(j["summary"]["flows"]["value"], 2 * 7 * 8);
  // nccl-tests busbw for all-reduce: S/t x 2(N-1)/N, about 1.75 x 28.6 GB/s here.
  const double busbw = 1073741824.0 / expected * 14 / 8;
  EXPECT_NEAR(j["summary"]["bus_bandwidth"]["value"].get<double>(), busbw, 1e-3 * busbw);
  // Every link direction carried 14 chunks of S/8 (each GPU's uplink 14 sends, each
  // downlink 14 receives).
  for (const auto& row : j["links"]["rows"]) {
    EXPECT_NEAR(row[5].get<double>(), 14 * 1073741824.0 / 8, 1.0);
  }
  EXPECT_EQ(j["flows"]["rows"].size(), 112u);
  EXPECT_FALSE(std::filesystem::exists(dir / ".report.json.tmp"));
}

TEST(Cli, SameScenarioAndSeedGiveIdenticalBytes) {
  const auto a = fresh_dir("det-a"), b = fresh_dir("det-b");
  ASSERT_EQ(run_cli("run " + kQuickstart + " --seed 7 -q -o " + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run " + kQuickstart + " --seed 7 -q -o " + b.string()).exit_code, 0);
  const std::string ra = read_file(a / "report.json"), rb = read_file(b / "report.json");
  EXPECT_FALSE(ra.empty());
  EXPECT_EQ(ra, rb);
  // The log level changes what is printed, never the result.
  const auto c = fresh_dir("det-c");
  ASSERT_EQ(run_cli("run " + kQuickstart + " --seed 7 -vv -o " + c.string()).exit_code, 0);
  EXPECT_EQ(read_file(c / "report.json"), ra);
}

// --set changes the scenario: 16 GPUs give 2 x 15 x (600 ns + 2^30/16/5e10 s).
TEST(Cli, SetOverridesAField) {
  const auto dir = fresh_dir("set");
  const auto r = run_cli("run " + kQuickstart + " --set topology.gpus=16 -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_file(dir / "report.json"));
  const double expected = 30 * (600e-9 + 1073741824.0 / 16 / 50e9);
  EXPECT_NEAR(j["summary"]["makespan"]["value"].get<double>(), expected, 1e-3 * expected);
}

TEST(Cli, ValidateAndHelp) {
  const auto v = run_cli("validate " + kQuickstart);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("valid"), std::string::npos);
  const auto h = run_cli("--help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("run"), std::string::npos);
  EXPECT_NE(h.out.find("validate"), std::string::npos);
  EXPECT_EQ(run_cli("run").exit_code, 2);
  EXPECT_EQ(run_cli("frobnicate x.json").exit_code, 2);
  EXPECT_EQ(run_cli("run " + kQuickstart + " --seed -3").exit_code, 2);
}


// Issue 16.9: every one of the 2^64 seeds is a seed of its own (2^63 + 5 is not clamped
// to 2^63 - 1), one past them is a usage error (exit 2), and `sweep -j 0` says the range
// in a short line (it printed a 309-digit bound).
TEST(Cli, SeedsAboveTwoToTheSixtyThreeAreKeptAndJobsHaveAShortRange) {
  const auto dir = fresh_dir("big-seed");
  const auto ok = run_cli("run " + kQuickstart + " -q --no-trace --seed 9223372036854775813 -o " +
                          dir.string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto j = nlohmann::json::parse(read_file(dir / "report.json"));
  EXPECT_EQ(j["scenario"]["seed"].get<uint64_t>(), 9223372036854775813ull);
  EXPECT_EQ(run_cli("run " + kQuickstart + " --seed 18446744073709551616 -o " + dir.string())
                .exit_code,
            2);
  EXPECT_EQ(run_cli("run " + kQuickstart + " --seed -1 -o " + dir.string()).exit_code, 2);
  const auto j0 = run_cli("sweep " + kQuickstart + " --axis topology.gpus=4 -j 0 -o " + dir.string());
  EXPECT_EQ(j0.exit_code, 2);
  EXPECT_NE(j0.err.find("1 to 4096"), std::string::npos) << j0.err;
  EXPECT_LT(j0.err.size(), 200u) << j0.err;
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// `roshni topo` on the quickstart: 8 GPUs on one switch; diameter 2 hops; bisection =
// 4 GPUs' links = 4 x 400 Gb/s = 1.6 Tb/s per direction. --dot writes the graph.
TEST(Cli, TopoDescribesTheCluster) {
  const auto dir = testing::fresh_dir("topo");
  const auto r = testing::run_cli("topo " + kQuickstart + " --dot " + (dir / "q.dot").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("GPUs          8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("diameter      2 hops"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bisection     1.6 Tb/s"), std::string::npos) << r.out;
  const std::string dot = testing::read_file(dir / "q.dot");
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '\n') > 10, true);
  EXPECT_NE(dot.find("\"gpu0\" -- \"leaf0\""), std::string::npos);
}

// Issue 17.1: `roshni topo` says how a Clos fabric's tiers were sized to its GPUs. A
// 3-tier k = 8 fat-tree with 32 GPUs: 4 GPUs per leaf, 8 leaves, 4 leaves per pod, so 2 of
// 8 pods and 2 x 4 aggregation switches; U = 4 x 4 = 16 uplink indices per pod, a core
// takes t = floor(8/2) = 4 of them (2 x 4 = 8 ports), so 16/4 = 4 cores (a full fabric:
// k^2/4 = 16).
TEST(Cli, TopoSaysHowTheTiersAreSizedToTheGpus) {
  const auto dir = testing::fresh_dir("topo-sizing");
  const auto file = dir / "ft.json";
  std::ofstream(file) << R"({"topology": {"kind": "fat_tree", "tiers": 3, "radix": 8, "gpus": 32,
      "link": {"bandwidth": "400 Gbps"}}, "workload": {"kind": "all_reduce", "size": "1 MiB"}})";
  const auto r = testing::run_cli("topo " + file.string() + " --no-bisection");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("core                4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sizing        sized to the GPUs: 8 leaves in 2 pods of 8 possible; 8 "
                       "aggregation switches (4 per pod); 4 cores, each taking 4 of the 16 "
                       "aggregation uplink indices of every pod (8 of 8 ports; a full fabric "
                       "has 16 cores)"),
            std::string::npos)
      << r.out;
}

// Issue 16.3: outputs never replace what is not a regular file. --dot to a symlink writes
// its target and leaves the link; --dot to a FIFO writes into the FIFO (read here from a
// descriptor opened before, so that nothing blocks), which stays a FIFO.
TEST(Cli, OutputsFollowSymlinksAndWriteThroughFifos) {
  namespace fs = std::filesystem;
  const auto dir = testing::fresh_dir("topo-special");
  const fs::path target = dir / "real.dot", link = dir / "link.dot", fifo = dir / "pipe.dot";
  fs::create_symlink(target, link);
  auto r = testing::run_cli("topo " + kQuickstart + " --no-bisection --dot " + link.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_NE(testing::read_file(target).find("\"gpu0\" -- \"leaf0\""), std::string::npos);

  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // a reader that never blocks
  ASSERT_GE(fd, 0);
  r = testing::run_cli("topo " + kQuickstart + " --no-bisection --dot " + fifo.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  std::string got(1 << 16, '\0');
  const ssize_t n = ::read(fd, got.data(), got.size());
  ::close(fd);
  ASSERT_GT(n, 0);
  got.resize(static_cast<size_t>(n));
  EXPECT_NE(got.find("\"gpu0\" -- \"leaf0\""), std::string::npos);
  // A directory is refused, not replaced.
  fs::create_directory(dir / "d.dot");
  r = testing::run_cli("topo " + kQuickstart + " --no-bisection --dot " + (dir / "d.dot").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
}


// Issue 16.5: FIFOs and devices are never read as input (a FIFO blocked for ever,
// /dev/zero filled the memory): the scenario, a file it extends, a flow trace, and the
// reports of `check` and `compare` are refused with exit 1 and the reason. Each command
// runs under `timeout 20`, so a regression fails (exit 124) instead of hanging.
TEST(Cli, FifosAndDevicesAreNotReadAsInput) {
  namespace fs = std::filesystem;
  const auto dir = testing::fresh_dir("fifo-input");
  const fs::path fifo = dir / "pipe.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(dir / "extends.json") << R"({"extends": "pipe.json"})";
  std::ofstream(dir / "trace.json")
      << R"({"topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "400 Gbps"}},
            "workload": {"kind": "flow_trace", "file": "pipe.json"}})";
  const std::string good = dir.string() + "/good";
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q --no-trace -o " + good).exit_code, 0);
  const std::vector<std::string> commands = {
      "validate " + fifo.string(),
      "validate " + (dir / "extends.json").string(),
      "validate " + (dir / "trace.json").string(),
      "validate /dev/zero",
      "check " + fifo.string() + " --baseline " + good + "/report.json",
      "compare " + good + "/report.json " + fifo.string(),
  };
  for (const std::string& c : commands) {
    const std::string cmd = "timeout 20 " + std::string(ROSHNI_BINARY) + " " + c + " >" +
                            (dir / "out").string() + " 2>" + (dir / "err").string();
    const int status = std::system(cmd.c_str());
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1) << c;
    EXPECT_NE(read_file(dir / "err").find("not a regular file"), std::string::npos)
        << c << ": " << read_file(dir / "err");
  }
}

// Issue 17.14: a derived scenario that changes the workload's kind must not inherit the
// base's workload keys. Merged, the base's ring all-reduce gives the p2p workload an
// 'algorithm' it does not take (refused); with "replace": ["workload"] the derived
// workload is taken whole. A replace path the file does not set is an error, and a --set
// key unknown under a base's object names --set (it did already; kept by this test).
TEST(Extends, ReplaceTakesAnObjectWholeInsteadOfMergingIt) {
  const auto dir = testing::fresh_dir("extends-replace");
  std::ofstream(dir / "base.json") << R"({"topology": {"kind": "star", "gpus": 4,
      "link": {"bandwidth": "400 Gbps"}},
      "workload": {"kind": "all_reduce", "algorithm": "ring", "size": "1 GiB"}})";
  const std::string p2p = R"("workload": {"kind": "p2p", "size": "1 MiB", "src": "gpu0", "dst": "gpu1"})";
  std::ofstream(dir / "merged.json") << R"({"extends": "base.json", )" << p2p << "}";
  std::ofstream(dir / "replaced.json")
      << R"({"extends": {"file": "base.json", "replace": ["workload"]}, )" << p2p << "}";
  std::ofstream(dir / "typo.json")
      << R"({"extends": {"file": "base.json", "replace": ["workloads"]}, )" << p2p << "}";

  auto r = testing::run_cli("validate " + (dir / "merged.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/workload/algorithm"), std::string::npos) << r.err;
  r = testing::run_cli("validate " + (dir / "replaced.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 flows"), std::string::npos) << r.out;  // one p2p flow, no ring
  r = testing::run_cli("validate " + (dir / "typo.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("typo.json:/extends/replace/0: \"workloads\" is not set in this file"),
            std::string::npos)
      << r.err;
  r = testing::run_cli("validate " + (dir / "replaced.json").string() + " --set topology.gpuz=8");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("error: --set:/topology/gpuz: unknown key 'gpuz'", 0), 0u) << r.err;
}

}  // namespace
}  // namespace roshni
