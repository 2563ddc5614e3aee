// Size limits (issue 16.7; docs/scenario-reference.md#size-limits): a topology or a
// workload too large to build is refused before it is built, with exit 1, the file and
// JSON pointer, and the closed-form count or memory estimate. Each case used to end in
// bad_alloc, an overflowed message, or minutes of work before refusing; now the refusal
// costs only the parse (each prints its time; speed is not asserted here).
// Also issue 16.2: a packet path rerouted during the run past 65,534 hops is exit 1.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "e2e/cli.h"

namespace roshni {
namespace {

struct Refusal {
  int exit_code;
  std::string line;  // the first line printed on stderr
};

Refusal run(const std::string& name, const std::string& scenario, const std::string& command) {
  const auto dir = testing::fresh_dir("limits-" + name);
  const auto path = dir / "s.json";
  std::ofstream(path) << scenario;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string out = command == "run" ? " -o " + (dir / "out").string() : "";
  const auto r = testing::run_cli(command + " " + path.string() + " -q" + out);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ %s ] refused in %.3f s\n", name.c_str(), s);
  EXPECT_TRUE(r.out.empty()) << r.out;
  const std::string line = r.err.substr(0, r.err.find('\n'));
  // "error: FILE:POINTER: message"
  EXPECT_TRUE(line.starts_with("error: " + path.string() + ":")) << line;
  return {r.exit_code, line.substr(std::min(line.size(), 7 + path.string().size()))};
}

const std::string kLink = R"("link": {"bandwidth": "400 Gbps", "latency": "100 ns"})";
const std::string kAllReduce = R"("workload": {"kind": "all_reduce", "size": "1 MiB"})";

// A 2-tier fat-tree of radix k = 65,536 (r = 1: d = u = k/2) takes k·d = 2^31 =
// 2,147,483,648 GPUs, its default `gpus`: more than the 2^24 a topology may have.
// It used to build them, 2^31 GPUs and k/2 spines, and end in bad_alloc (24 GB).
TEST(Limits, FatTreeRadix65536DefaultIsRefusedWithItsCapacity) {
  const auto r = run("ft2", R"({"topology": {"kind": "fat_tree", "tiers": 2, "radix": 65536, )" +
                                kLink + "}, " + kAllReduce + "}",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/topology: ")) << r.line;
  EXPECT_NE(r.line.find("2147483648 GPUs"), std::string::npos) << r.line;
}

// 3 tiers at radix k = 65,536: the capacity k·d_a·d = k³/4 = 2^46 = 70,368,744,177,664
// GPUs overflowed 32 bits to 0 ("takes at most 0").
TEST(Limits, FatTreeRadix65536ThreeTierCapacityIsExact) {
  const auto r = run("ft3", R"({"topology": {"kind": "fat_tree", "tiers": 3, "radix": 65536, )" +
                                kLink + "}, " + kAllReduce + "}",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_NE(r.line.find("70368744177664 GPUs"), std::string::npos) << r.line;
}

// With 2^24 GPUs given, the same fabric used to say they do not fit in "at most 0". It
// fits (2^24 <= 2^46) but is too large to build: 2^24 / d = 512 leaves in one pod, each
// with u = 32,768 uplinks (2^24 leaf-agg links), u = 32,768 aggregation switches, and the
// u·u_a = 2^30 cores with 2^30 agg-core links: far over the memory limit.
TEST(Limits, FatTreeRadix65536ThreeTierWithGpusIsRefusedByEstimate) {
  const auto r = run("ft3g",
                     R"({"topology": {"kind": "fat_tree", "tiers": 3, "radix": 65536, "gpus": 16777216, )" +
                         kLink + "}, " + kAllReduce + "}",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_EQ(r.line.find("at most 0"), std::string::npos) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/topology: ")) << r.line;
  EXPECT_NE(r.line.find("more than the limit of 16.0 GiB"), std::string::npos) << r.line;
}

// An OCS of B = 65,536 blocks of G = 65,536 GPUs: B·G = 2^32 = 4,294,967,296 GPUs, which
// wrapped a 32-bit count and was not refused.
TEST(Limits, OcsOf65536By65536IsRefused) {
  const auto r = run("ocs",
                     R"({"topology": {"kind": "ocs", "blocks": 65536, "gpus_per_block": 65536, )" +
                         kLink + R"(, "uplink": {"bandwidth": "400 Gbps"},
                         "ocs": {"count": 1, "ports": 65536, "reconfiguration_time": "10 ms"},
                         "circuits": [{"map": [{"a": 0, "b": 1}]}]}, )" +
                         kAllReduce + "}",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/topology: ")) << r.line;
  EXPECT_NE(r.line.find("4294967296 GPUs"), std::string::npos) << r.line;
}

// A star of p = 2^24 GPUs with an all-to-all: direct and pairwise make p(p-1) flows,
// hierarchical with domains of d makes p(d-1) + p(p/d-1), least at d = 2^12:
// 2^24 · 2 · 4,095 = 137,405,399,040 flows, far over 2^25. Refused before the star (2^24
// GPUs) is built; it used to be built first, minutes and 7.6 GB.
TEST(Limits, AllToAllOver2To24GpusIsRefusedBeforeTheTopology) {
  const auto r = run("a2a",
                     R"({"topology": {"kind": "star", "gpus": 16777216, )" + kLink +
                         R"(}, "workload": {"kind": "all_to_all", "size": "1 GiB"}})",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/workload: ")) << r.line;
  EXPECT_NE(r.line.find("at least 137405399040 flows"), std::string::npos) << r.line;
  EXPECT_NE(r.line.find("before the topology is built"), std::string::npos) << r.line;
}

// Named, the algorithm's own count: a ring all-reduce over p ranks with c chunks is
// 2p(p-1)·c flows; p = 4,096, c = 2: 2 · 4,096 · 4,095 · 2 = 67,092,480 > 2^25.
TEST(Limits, NamedAlgorithmIsCountedBeforeTheTopology) {
  const auto r = run("ring",
                     R"({"topology": {"kind": "star", "gpus": 4096, )" + kLink +
                         R"(}, "workload": {"kind": "all_reduce", "algorithm": "ring", "chunks": 2, "size": "1 GiB"}})",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_NE(r.line.find("at least 67092480 flows (ring)"), std::string::npos) << r.line;
}

// A 256 x 256 x 256 torus: N = 2^24 GPUs (in range) and 3N links (each size > 2):
// N·400 B + 3N·400 B = 2^24 · 1,600 B = 25 GiB by the estimate, over 16 GiB.
TEST(Limits, TorusOverTheMemoryLimitIsRefusedWithTheEstimate) {
  const auto r = run("torus",
                     R"({"topology": {"kind": "torus", "dims": [256, 256, 256], )" + kLink +
                         "}, " + kAllReduce + "}",
                     "validate");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/topology: ")) << r.line;
  EXPECT_NE(r.line.find("about 25.0 GiB"), std::string::npos) << r.line;
  EXPECT_NE(r.line.find("16777216 nodes and 50331648 links"), std::string::npos) << r.line;
}

// Issue 16.2: a ring of N = 65,536 GPUs, the link gpu0-gpu1 down from time 0 for good. The
// flow gpu0 -> gpu1 (planned: 1 link) starts at 1 us and is rerouted the long way round,
// N - 1 = 65,535 links: more than a packet's 16-bit hop index carries. It used to abort
// on an assertion; now the run stops with exit 1 naming the flow and the path's length.
TEST(Limits, PacketRerouteLongerThan65534HopsIsAnError) {
  const auto r = run("reroute",
                     R"({"topology": {"kind": "ring", "gpus": 65536, )" + kLink + R"(},
                         "network": {"model": "packet"},
                         "failures": {"events": [{"at": "0 s", "link": ["gpu0", "gpu1"]}]},
                         "workload": {"kind": "flow_trace", "flows": [
                           {"id": "f", "src": "gpu0", "dst": "gpu1", "size": "4 KiB", "start": "1 us"}]}})",
                     "run");
  EXPECT_EQ(r.exit_code, 1) << r.line;
  EXPECT_TRUE(r.line.starts_with(":/network/model: ")) << r.line;
  EXPECT_NE(r.line.find("'f'"), std::string::npos) << r.line;
  EXPECT_NE(r.line.find("65535 links"), std::string::npos) << r.line;
}

}  // namespace
}  // namespace roshni
