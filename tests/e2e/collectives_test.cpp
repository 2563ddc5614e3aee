// Collectives through the `roshni` program: the examples in scenarios/collectives/ run
// and give the makespan their descriptions derive, the report's bus bandwidth is
// nccl-tests' (doc/PERFORMANCE.md), and what the auto rule picked is in the report.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kExamples = fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "collectives";

json run_file(const fs::path& file, const std::string& extra = "") {
  const auto dir = testing::fresh_dir("coll-" + file.stem().string());
  const auto r = testing::run_cli("run " + file.string() + " -q -o " + dir.string() + " " + extra);
  if (r.exit_code != 0) {
    ADD_FAILURE() << file << ": exit " << r.exit_code << "\n" << r.err;
    return nullptr;
  }
  return json::parse(testing::read_file(dir / "report.json"));
}

double value(const json& j, const char* section, const char* key) {
  return j[section][key]["value"].get<double>();
}

// alpha = 600 ns, B = 5e10 B/s on the star examples; the other numbers are in each
// file's description, derived there.
constexpr double kGiB = 1073741824.0;

struct Example {
  double makespan;        // s, by the closed form in the description
  double size;            // B, the workload's size (nccl-tests' S)
  double busbw_factor;    // nccl-tests: 2(n-1)/n all-reduce, (n-1)/n AG/RS/A2A, 1 bcast
  std::string algorithm;  // what ran
};

// Each example: makespan within 1e-6 of its closed form; algbw = S/t and busbw = algbw
// x the kind's factor, as nccl-tests computes them.
TEST(CollectiveExamples, EveryExampleMatchesItsDescription) {
  const double a = 600e-9, b = 5e10;
  const std::map<std::string, Example> expected = {
      {"all_gather_ring_star.json", {7 * (a + kGiB / 8 / b), kGiB, 7.0 / 8, "ring"}},
      {"hierarchical_all_reduce_rails.json",
       {14 * (340e-9 + kGiB / 8 / 4.5e11) + 6 * (a + kGiB / 32 / b), kGiB, 2 * 31.0 / 32,
        "hierarchical"}},
      {"broadcast_pipelined_chain.json", {22 * (a + kGiB / 16 / b), kGiB, 1, "ring"}},
      {"all_to_all_direct_star.json",
       {a + 15.0 / 16 * kGiB / 4 / b, kGiB / 4, 15.0 / 16, "direct"}},
      {"small_all_reduce_auto.json",
       {8 * a + 2 * 15.0 / 16 * 262144 / b, 262144, 2 * 15.0 / 16, "rhd"}},
      {"torus_multi_dimensional.json",
       {6 * (3e-7 + (kGiB + kGiB / 4 + kGiB / 16) / 4 / b), kGiB, 2 * 63.0 / 64,
        "multi_dimensional"}},
      // 2k(K-1) alpha + (p-1)/p n/(k B), k = 3, K = 4, alpha = 100 ns (docs/collectives.md)
      {"torus_bidirectional_multi_dimensional.json",
       {18 * 1e-7 + 63.0 / 64 * kGiB / (3 * b), kGiB, 2 * 63.0 / 64,
        "bidirectional_multi_dimensional"}},
      // 2(p-1)(alpha + n/(p B)), alpha = 2 x 20 + 300 ns, B = 450 GB/s
      {"h100_node_all_reduce.json", {14 * (340e-9 + kGiB / 8 / 4.5e11), kGiB, 2 * 7.0 / 8, "ring"}},
  };
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    const std::string name = entry.path().filename().string();
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << name << " has no expected result here";
    const Example& e = it->second;
    const json j = run_file(entry.path());
    ASSERT_FALSE(j.is_null()) << name;
    const double t = value(j, "summary", "makespan");
    EXPECT_NEAR(t, e.makespan, 1e-6 * e.makespan) << name;
    EXPECT_EQ(j["workload"]["algorithm"], e.algorithm) << name;
    EXPECT_DOUBLE_EQ(value(j, "workload", "size"), e.size) << name;
    const double algbw = e.size / t;
    EXPECT_NEAR(value(j, "summary", "algorithm_bandwidth"), algbw, 1e-9 * algbw) << name;
    EXPECT_NEAR(value(j, "summary", "bus_bandwidth"), algbw * e.busbw_factor, 1e-9 * algbw) << name;
  }
  EXPECT_EQ(seen, expected.size());
}

// The all-gather example through the CLI, figure by figure: S = 1 GiB is the gathered
// output (nccl-tests' size for all-gather, not the 128 MiB each rank sends), t =
// 7 (600 ns + 2^30/8/5e10 s) = 18.79468192 ms, algbw = S/t = 57.130 GB/s and busbw =
// algbw x 7/8 = 49.989 GB/s: just under the 50 GB/s link, the bandwidth-optimal bound.
TEST(CollectiveExamples, BusBandwidthIsNcclTests) {
  const json j = run_file(kExamples / "all_gather_ring_star.json");
  ASSERT_FALSE(j.is_null());
  const double t = 7 * (600e-9 + kGiB / 8 / 5e10);
  EXPECT_NEAR(value(j, "summary", "makespan"), t, 1e-12);
  EXPECT_NEAR(value(j, "summary", "algorithm_bandwidth"), kGiB / t, 1e3);
  EXPECT_NEAR(value(j, "summary", "bus_bandwidth"), kGiB / t * 7 / 8, 1e3);
  EXPECT_NEAR(value(j, "summary", "bus_bandwidth"), 49.989e9, 1e6);
  EXPECT_EQ(j["summary"]["bus_bandwidth"]["unit"], "B/s");
  EXPECT_EQ(j["workload"]["kind"], "all_gather");
  EXPECT_EQ(value(j, "workload", "ranks"), 8);
  EXPECT_FALSE(j["workload"].contains("selected_by"));  // named, not picked
}

// What auto picked is in the report: on the rail fabric with NVLink domains of 8,
// hierarchical with a ring between the domains, and why; on the star with a 256 KiB
// buffer, rhd. Naming the algorithm instead leaves no "selected_by".
TEST(CollectiveExamples, ReportSaysWhatAutoPicked) {
  const json h = run_file(kExamples / "hierarchical_all_reduce_rails.json");
  ASSERT_FALSE(h.is_null());
  EXPECT_EQ(h["workload"]["algorithm"], "hierarchical");
  EXPECT_EQ(h["workload"]["inter"], "ring");
  const std::string why = h["workload"]["selected_by"];
  EXPECT_TRUE(why.starts_with("auto: scale-up domains of 8 ranks")) << why;
  const json s = run_file(kExamples / "small_all_reduce_auto.json");
  ASSERT_FALSE(s.is_null());
  EXPECT_EQ(s["workload"]["algorithm"], "rhd");
  EXPECT_NE(s["workload"]["selected_by"].get<std::string>().find("latency-bound"),
            std::string::npos);
  const json r =
      run_file(kExamples / "small_all_reduce_auto.json", "--set workload.algorithm=ring");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["workload"]["algorithm"], "ring");
  EXPECT_FALSE(r["workload"].contains("selected_by"));
  // The ring is the slower choice at this size: 2(p-1)(alpha + n/(pB)) = 27.8304 us.
  EXPECT_NEAR(value(r, "summary", "makespan"), 30 * (600e-9 + 262144.0 / 16 / 5e10), 1e-12);
}

// The terminal summary says what the auto rule chose and why, on one line: on the
// star with 256 KiB over 16 ranks a ring step's piece n/p = 16384 B is within
// alpha B = 600 ns x 5e10 B/s = 30000 B (the description's arithmetic), so rhd, run
// with the default 1 chunk and 1 channel; the hierarchical pick names the algorithm
// between the domains. A named algorithm prints no such line.
TEST(CollectiveExamples, SummarySaysWhatAutoChoseAndWhy) {
  const auto dir = testing::fresh_dir("coll-auto-summary");
  const auto s = testing::run_cli("run " + (kExamples / "small_all_reduce_auto.json").string() +
                                  " -o " + dir.string());
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("\n  auto rule       rhd, 1 chunk, 1 channel; why: latency-bound: a "
                       "ring step's piece n/p = 16384 B <= alpha B = 30000 B, so rhd\n"),
            std::string::npos)
      << s.out;
  const auto c = testing::run_cli("run " + (kExamples / "small_all_reduce_auto.json").string() +
                                  " --set workload.chunks=4 --set workload.channels=2 -o " +
                                  dir.string());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("\n  auto rule       rhd, 4 chunks, 2 channels; why: latency-bound"),
            std::string::npos)
      << c.out;
  const auto h = testing::run_cli(
      "run " + (kExamples / "hierarchical_all_reduce_rails.json").string() + " -o " + dir.string());
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("\n  auto rule       hierarchical (ring between domains), 1 chunk, 1 "
                       "channel; why: scale-up domains of 8 ranks"),
            std::string::npos)
      << h.out;
  const auto n = testing::run_cli("run " + (kExamples / "small_all_reduce_auto.json").string() +
                                  " --set workload.algorithm=ring -o " + dir.string());
  ASSERT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(n.out.find("auto rule"), std::string::npos) << n.out;
}

// Options reach the run from the scenario: 4 chunks and 2 channels of the all-gather
// make 4 x 2 x 56 flows, reported as such, and a reduction rate adds compute steps.
TEST(CollectiveExamples, OptionsFromTheScenario) {
  const json j = run_file(kExamples / "all_gather_ring_star.json",
                          "--set workload.chunks=4 --set workload.channels=2");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(value(j, "summary", "flows"), 4 * 2 * 56);
  EXPECT_EQ(value(j, "workload", "chunks"), 4);
  EXPECT_EQ(value(j, "workload", "channels"), 2);
  // Ring all-gather in C chunks: (p-1 + C-1) alpha + (p-1)/p n beta (the anti-diagonal
  // argument of the ring all-reduce test, tests/coll/closed_form_test.cpp).
  const double t = 10 * 600e-9 + 7.0 / 8 * kGiB / 5e10;
  EXPECT_NEAR(value(j, "summary", "makespan"), t, 1e-6 * t);
  const json rs =
      run_file(kExamples / "all_gather_ring_star.json",
               "--set workload.kind=reduce_scatter --set 'workload.reduction_rate=1 TB/s'");
  ASSERT_FALSE(rs.is_null());
  EXPECT_EQ(value(rs, "summary", "flows"), 56 + 56);  // each of the 56 transfers reduced
  // (p-1)(alpha + n beta/p) + (p-1) (n/p)/R
  const double t_rs = 7 * (600e-9 + kGiB / 8 / 5e10) + 7 * kGiB / 8 / 1e12;
  EXPECT_NEAR(value(rs, "summary", "makespan"), t_rs, 1e-6 * t_rs);
}

}  // namespace
}  // namespace roshni
