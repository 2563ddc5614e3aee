// Every topology generator, end to end through the `roshni` program: a scenario is
// written, run, and its report.json compared with a closed form derived by hand in the
// comment above each test. Then the example scenarios in scenarios/topologies/ (each
// description states its expected result), and bad generator parameters through
// `roshni validate`.
//
// Units used throughout: 400 Gb/s = 5e10 B/s, and 64 MiB = 2^26 B, so one 64 MiB flow
// alone on a 400 Gb/s path transmits for X = 2^26 / 5e10 s = 1,342,177.28 ns, a whole
// number of picoseconds. A lone flow on an idle path is delivered at
// start + X + path latency, path latency = its link latencies + the forwarding latency
// of every node it passes through (docs/models/flow-model.md). Every end time is
// rounded up to a whole picosecond once per rate change, so a flow may end up to 1 ps
// late per rate change; the slack passed to expect_ps says how many that can be.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/cli.h"

namespace roshni {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t kNs = 1000;               // picoseconds
constexpr int64_t kX64MiB = 1'342'177'280;  // 2^26 B / 5e10 B/s, in ps
const std::string kMiB64 = R"("size": "64 MiB")";

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

/// Runs `roshni run` on `scenario` (written to a fresh directory) and returns its
/// report; null (with a test failure) if the run did not succeed.
json run_scenario(const std::string& name, const std::string& scenario) {
  const auto dir = testing::fresh_dir("topo-" + name);
  write(dir / "s.json", scenario);
  const auto r =
      testing::run_cli("run " + (dir / "s.json").string() + " -q -o " + (dir / "out").string());
  if (r.exit_code != 0) {
    ADD_FAILURE() << name << ": exit " << r.exit_code << "\n" << r.err;
    return nullptr;
  }
  return json::parse(testing::read_file(dir / "out" / "report.json"));
}

json run_file(const fs::path& file) {
  const auto dir = testing::fresh_dir("topo-example-" + file.stem().string());
  const auto r = testing::run_cli("run " + file.string() + " -q -o " + dir.string());
  if (r.exit_code != 0) {
    ADD_FAILURE() << file << ": exit " << r.exit_code << "\n" << r.err;
    return nullptr;
  }
  return json::parse(testing::read_file(dir / "report.json"));
}

int64_t makespan_ps(const json& j) { return j["summary"]["makespan_ps"]["value"].get<int64_t>(); }

/// End of the flow with this id, in ps; -1 if there is none.
int64_t flow_end(const json& j, const std::string& id) {
  for (const auto& row : j["flows"]["rows"]) {
    if (row[0] == id) return row[5].get<int64_t>();
  }
  return -1;
}

/// Bytes carried per link direction that carried any, keyed "from->to".
std::map<std::string, double> busy_links(const json& j) {
  std::map<std::string, double> out;
  for (const auto& row : j["links"]["rows"]) {
    if (row[5].get<double>() > 0) {
      out[row[1].get<std::string>() + "->" + row[2].get<std::string>()] = row[5].get<double>();
    }
  }
  return out;
}

/// Latency of the link direction "from->to" in ps; -1 if there is none.
int64_t link_latency(const json& j, const std::string& from, const std::string& to) {
  for (const auto& row : j["links"]["rows"]) {
    if (row[1] == from && row[2] == to) return row[4].get<int64_t>();
  }
  return -1;
}

void expect_ps(int64_t actual, int64_t expected, int64_t slack_ps, const std::string& what) {
  EXPECT_GE(actual, expected) << what;
  EXPECT_LE(actual, expected + slack_ps) << what;
}

std::string flow(const std::string& id, const std::string& src, const std::string& dst,
                 const std::string& size = kMiB64) {
  return R"({"id": ")" + id + R"(", "src": ")" + src + R"(", "dst": ")" + dst + R"(", )" + size +
         "}";
}

std::string trace(const std::vector<std::string>& flows) {
  std::string s = R"("workload": {"kind": "flow_trace", "flows": [)";
  for (size_t i = 0; i < flows.size(); ++i) s += (i ? ", " : "") + flows[i];
  return s + "]}";
}

// ---- ring ----

// Ring all-reduce of S = 1 GiB over the N = 8 GPUs of a ring topology, in ring order:
// each step's send goes to the next GPU over one link (latency L = 100 ns, no node
// passed, so the 50 ns forwarding latency never counts) and no link direction carries
// two flows. Every step takes L + S/(N B) = 100 ns + 2^27 B / 5e10 B/s = 2,684,454,560
// ps, and the 2(N-1) = 14 steps follow one another: 14 x 2,684,454,560 ps. Each link
// i -> i+1 carries 14 chunks of S/N; the reverse directions carry nothing.
TEST(TopologyRuns, RingAllReduceOnRingCrossesOneLinkPerStep) {
  const json j = run_scenario("ring-allreduce", R"({
    "topology": {"kind": "ring", "gpus": 8, "link": {"bandwidth": "400 Gbps", "latency": "100 ns"},
                 "forwarding_latency": "50 ns"},
    "workload": {"kind": "all_reduce", "size": "1 GiB"}})");
  ASSERT_FALSE(j.is_null());
  expect_ps(makespan_ps(j), 14 * (100 * kNs + 2'684'354'560), 14, "makespan");
  const auto busy = busy_links(j);
  EXPECT_EQ(busy.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    const std::string name = "gpu" + std::to_string(i) + "->gpu" + std::to_string((i + 1) % 8);
    EXPECT_EQ(busy.count(name), 1u) << name;
    if (busy.count(name)) {
      EXPECT_DOUBLE_EQ(busy.at(name), 14.0 * (1 << 27)) << name;
    }
  }
}

// Ring routing goes the shorter way; a tie (exactly opposite) goes the + way. On a ring
// of 8 (l = 100 ns per link, f = 50 ns per GPU passed): gpu0 -> gpu4 is a tie, 4 hops
// via gpu1..gpu3: X + 4l + 3f; gpu0 -> gpu5 is 3 hops the - way via gpu7, gpu6:
// X + 3l + 2f. The two leave gpu0 on different links, so neither slows the other.
TEST(TopologyRuns, RingRoutesTheShorterWayTiesPositive) {
  const json j = run_scenario(
      "ring-flows",
      R"({"topology": {"kind": "ring", "gpus": 8, "link": {"bandwidth": "400 Gbps", "latency": "100 ns"},
          "forwarding_latency": "50 ns"}, )" +
          trace({flow("tie", "gpu0", "gpu4"), flow("back", "gpu0", "gpu5")}) + "}");
  ASSERT_FALSE(j.is_null());
  expect_ps(flow_end(j, "tie"), kX64MiB + 4 * 100 * kNs + 3 * 50 * kNs, 1, "tie");
  expect_ps(flow_end(j, "back"), kX64MiB + 3 * 100 * kNs + 2 * 50 * kNs, 1, "back");
  const auto busy = busy_links(j);
  EXPECT_EQ(busy.count("gpu3->gpu4"), 1u);
  EXPECT_EQ(busy.count("gpu6->gpu5"), 1u);
  EXPECT_EQ(busy.size(), 7u);
}

// ---- fat_tree ----

// k = 4 three-tier fat-tree (radix 4, no oversubscription): 2 GPUs per leaf, 2 leaves
// and 2 aggregation switches per pod, 4 pods, 4 cores, 16 GPUs. Link l = 150 ns,
// switch s = 200 ns, B = 400 Gb/s. Ring all-reduce of S = 1 GiB over gpu0..gpu15, in
// id order. Rank i sends to i+1 over
//   i even:           the shared leaf            2 links, 1 switch:  d2 = 2l + s
//   i = 1 (mod 4):    the other leaf of the pod   4 links, 3 switches: d4 = 4l + 3s
//   i = 3 (mod 4):    the next pod via a core     6 links, 5 switches: d6 = 6l + 5s
// Whatever ECMP picks, no directed link carries two ranks' flows: each leaf sends one
// flow up and receives one from above, each pod one flow out and one in. And a rank's
// next send starts only after the previous rank's send has arrived, at least
// X = S/(N B) = 2^26 B / 5e10 B/s = 1,342,177,280 ps after its own previous send began,
// so a rank never sends two at once. So each flow runs alone at B and takes
// d_r = X + latency_r, and ring all-reduce's chain of dependencies (rank r's step s waits
// for what rank r-1 sent in step s-1) makes the last flow of rank r end at the sum of
// d over the 2(N-1) = 30 ranks r, r-1, ..., r-29 (mod 16): every rank once plus 14
// consecutive ones again, = 2 sum(d) - d_a - d_b for a consecutive pair (a, b). The
// largest is with the cheapest pair, one d2 and one d4:
//   2 (8 d2 + 4 d4 + 4 d6) - d2 - d4 = 15 d2 + 7 d4 + 8 d6 = 30 X + 106 l + 76 s.
// The routing choice does not matter: "first" gives the same.
TEST(TopologyRuns, FatTreeK4RingAllReduceFollowsThePipelinedClosedForm) {
  const int64_t x = 1'342'177'280, l = 150 * kNs, s = 200 * kNs;
  const int64_t expected = 30 * x + 106 * l + 76 * s;
  for (const std::string routing : {"ecmp", "first"}) {
    const std::string topology = R"({"kind": "fat_tree", "tiers": 3, "radix": 4, "routing": ")" +
                                 routing + R"(", "switch_latency": "200 ns",
        "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}})";
    const json j = run_scenario("fat-tree-k4-" + routing, R"({"topology": )" + topology + R"(,
        "workload": {"kind": "all_reduce", "size": "1 GiB"}})");
    ASSERT_FALSE(j.is_null());
    expect_ps(makespan_ps(j), expected, 30, routing);
    EXPECT_EQ(j["flows"]["rows"].size(), 2u * 15 * 16);
  }
}

// Same k = 4 fat-tree, three flows on disjoint links: gpu0 -> gpu15 crosses from pod 0
// to pod 3 (GPU, leaf, aggregation, core, aggregation, leaf, GPU: 6 links and 5
// switches): X + 6l + 5s; gpu4 -> gpu6 crosses leaves inside pod 1 (4 links, 3
// switches): X + 4l + 3s; gpu8 -> gpu9 share a leaf: X + 2l + s. 12 link directions
// carry one flow each.
TEST(TopologyRuns, FatTreeFlowsPayOneLatencyPerLinkAndSwitch) {
  const json j =
      run_scenario("fat-tree-k4-flows",
                   R"({"topology": {"kind": "fat_tree", "tiers": 3, "radix": 4,
          "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "200 ns"}, )" +
                       trace({flow("pods", "gpu0", "gpu15"), flow("leaves", "gpu4", "gpu6"),
                              flow("leaf", "gpu8", "gpu9")}) +
                       "}");
  ASSERT_FALSE(j.is_null());
  const int64_t l = 150 * kNs, s = 200 * kNs;
  expect_ps(flow_end(j, "pods"), kX64MiB + 6 * l + 5 * s, 1, "pods");
  expect_ps(flow_end(j, "leaves"), kX64MiB + 4 * l + 3 * s, 1, "leaves");
  expect_ps(flow_end(j, "leaf"), kX64MiB + 2 * l + s, 1, "leaf");
  const auto busy = busy_links(j);
  EXPECT_EQ(busy.size(), 12u);
  EXPECT_EQ(busy.count("gpu0->leaf0"), 1u);
  EXPECT_EQ(busy.count("leaf7->gpu15"), 1u);
}

// 2-tier leaf-spine, radix 8 at 3:1: a leaf has 8 x 3/4 = 6 GPU ports and 8/4 = 2
// uplinks, so 12 GPUs fill 2 leaves, whose 2 x 2 uplinks one spine takes (sized to the
// leaves: t = min(2, floor(8/2)) = 2 uplinks of each leaf, ceil(2/2) = 1 spine, two
// parallel links per leaf): 12 + 2 x 2 = 16 links, 32 directions. gpu0..gpu5 (leaf0) each send 64 MiB to gpu6..gpu11 (leaf1). With
// "routing": "first" all 6 take spine0 and share leaf0 -> spine0: B/6 each, so all end
// at 6X + 4l + 3s. With ECMP the 6 flows spread over the 2 uplinks somehow: at best 3
// per uplink (3X + latency), at worst all 6 on one.
TEST(TopologyRuns, LeafSpineOversubscriptionSharesTheUplinks) {
  const std::string topo = R"("kind": "fat_tree", "tiers": 2, "radix": 8, "oversubscription": 3,
      "gpus": 12, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "200 ns")";
  std::vector<std::string> flows;
  for (int i = 0; i < 6; ++i) {
    flows.push_back(
        flow("f" + std::to_string(i), "gpu" + std::to_string(i), "gpu" + std::to_string(6 + i)));
  }
  const int64_t lat = 4 * 150 * kNs + 3 * 200 * kNs;
  const json first =
      run_scenario("leaf-spine-first",
                   R"({"topology": {)" + topo + R"(, "routing": "first"}, )" + trace(flows) + "}");
  ASSERT_FALSE(first.is_null());
  EXPECT_EQ(first["links"]["rows"].size(), 32u);
  for (int i = 0; i < 6; ++i) {
    expect_ps(flow_end(first, "f" + std::to_string(i)), 6 * kX64MiB + lat, 2, "first");
  }
  EXPECT_DOUBLE_EQ(busy_links(first).at("leaf0->spine0"), 6.0 * (1 << 26));
  const json ecmp =
      run_scenario("leaf-spine-ecmp", R"({"topology": {)" + topo + "}, " + trace(flows) + "}");
  ASSERT_FALSE(ecmp.is_null());
  EXPECT_GE(makespan_ps(ecmp), 3 * kX64MiB + lat);
  EXPECT_LE(makespan_ps(ecmp), 6 * kX64MiB + lat + 6);
}

// ---- rail_optimized and scale_up ----

// Rail-optimized, 2 tiers of radix 16 (8 GPU ports, 8 uplinks per leaf), 2 servers of 8
// GPUs: GPU r of each server is on the leaf of rail r, leaf r. gpu0 -> gpu8 (rail 0 of
// servers 0 and 1) stays on leaf0: X + 2l + s; gpu1 -> gpu10 goes from rail 1 to rail
// 2, leaf1 -> a spine -> leaf2: X + 4l + 3s.
TEST(TopologyRuns, RailOptimizedKeepsARailOnOneLeaf) {
  const json j = run_scenario(
      "rail",
      R"({"topology": {"kind": "rail_optimized", "tiers": 2, "radix": 16, "gpus": 16,
          "gpus_per_server": 8, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
          "switch_latency": "200 ns"}, )" +
          trace({flow("same_rail", "gpu0", "gpu8"), flow("cross_rail", "gpu1", "gpu10")}) + "}");
  ASSERT_FALSE(j.is_null());
  const int64_t l = 150 * kNs, s = 200 * kNs;
  expect_ps(flow_end(j, "same_rail"), kX64MiB + 2 * l + s, 1, "same rail");
  expect_ps(flow_end(j, "cross_rail"), kX64MiB + 4 * l + 3 * s, 1, "cross rail");
  const auto busy = busy_links(j);
  EXPECT_EQ(busy.count("leaf0->gpu8"), 1u);
  EXPECT_EQ(busy.count("leaf2->gpu10"), 1u);
  EXPECT_EQ(busy.size(), 6u);
}

// A 2-tier fat-tree (radix 8: 4 GPUs per leaf) with scale-up domains of 8 GPUs, one
// plane of 450 GB/s per GPU per direction, 20 ns links and a 300 ns switch. gpu0 -> gpu1
// (one domain) takes GPU, NVSwitch, GPU: 2^26 B / 4.5e11 B/s = 149,130,808.9 ps, rounded
// up to 149,130,809, + 2 x 20 ns + 300 ns. gpu2 -> gpu10 (domains 0 and 1; leaves 0
// and 2) takes the NICs: X + 4l + 3s.
TEST(TopologyRuns, ScaleUpDomainCarriesTrafficInsideIt) {
  const json j =
      run_scenario("scale-up",
                   R"({"topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 16,
          "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "200 ns",
          "scale_up": {"domain_size": 8, "bandwidth": "450 GB/s", "link_latency": "20 ns",
                       "switch_latency": "300 ns"}}, )" +
                       trace({flow("nvlink", "gpu0", "gpu1"), flow("nic", "gpu2", "gpu10")}) + "}");
  ASSERT_FALSE(j.is_null());
  expect_ps(flow_end(j, "nvlink"), 149'130'809 + 2 * 20 * kNs + 300 * kNs, 1, "nvlink");
  expect_ps(flow_end(j, "nic"), kX64MiB + 4 * 150 * kNs + 3 * 200 * kNs, 1, "nic");
  const auto busy = busy_links(j);
  EXPECT_EQ(busy.count("gpu0->nvs0_0"), 1u);
  EXPECT_EQ(busy.count("nvs0_0->gpu1"), 1u);
}

// ---- torus ----

// 4x4x8 torus, l = 100 ns, f = 50 ns per GPU passed. Dimension-order routing, each
// dimension the shorter way, a tie (half way round) the + way. gpu0_0_0 -> gpu2_1_3:
// x +2 (a tie in a ring of 4), y +1, z +3: 6 hops in the order x x y z z z, X + 6l + 5f.
// gpu0_0_0 -> gpu0_0_5: z +5 = -3 round a ring of 8, through the wrap-around link to
// gpu0_0_7 and on to gpu0_0_6, gpu0_0_5: X + 3l + 2f. Disjoint links.
TEST(TopologyRuns, TorusDimensionOrderPath) {
  const json j = run_scenario(
      "torus-dor",
      R"({"topology": {"kind": "torus", "dims": [4, 4, 8],
          "link": {"bandwidth": "400 Gbps", "latency": "100 ns"}, "forwarding_latency": "50 ns"}, )" +
          trace({flow("a", "gpu0_0_0", "gpu2_1_3"), flow("b", "gpu0_0_0", "gpu0_0_5")}) + "}");
  ASSERT_FALSE(j.is_null());
  expect_ps(flow_end(j, "a"), kX64MiB + 6 * 100 * kNs + 5 * 50 * kNs, 1, "a");
  expect_ps(flow_end(j, "b"), kX64MiB + 3 * 100 * kNs + 2 * 50 * kNs, 1, "b");
  const auto busy = busy_links(j);
  const std::vector<std::string> path = {
      "gpu0_0_0->gpu1_0_0", "gpu1_0_0->gpu2_0_0", "gpu2_0_0->gpu2_1_0",
      "gpu2_1_0->gpu2_1_1", "gpu2_1_1->gpu2_1_2", "gpu2_1_2->gpu2_1_3",
      "gpu0_0_0->gpu0_0_7", "gpu0_0_7->gpu0_0_6", "gpu0_0_6->gpu0_0_5"};
  EXPECT_EQ(busy.size(), path.size());
  for (const auto& p : path) EXPECT_EQ(busy.count(p), 1u) << p;
}

/// A naive reference for the routes of a K x K x 2K torus (x, y of size K, z of 2K),
/// plain or twisted, from gpu0_0_0 to every other GPU, written from the rules torus.h
/// and torus.cpp state:
///  - plain: each dimension the shorter way round, a tie the + way;
///  - twisted: the x and y offsets are r or r - K (r = the coordinate, 0 <= r < K), and
///    each one taken as r - K crosses that dimension's twisted wrap-around backwards,
///    which moves K along z, so z still has to go (z + K * negatives) the shorter way
///    round 2K; of the 4 candidates (x, y), (x-K, y), (x, y-K), (x-K, y-K) the one with
///    fewest hops, a tie to the earliest.
/// Both graphs are Cayley graphs (the route depends only on the difference of the
/// coordinates modulo the wrap-around), and every GPU has one link in each of the 6
/// directions, so in an all-to-all the links of one direction each carry as many flows
/// as the routes from one GPU take steps in that direction.
struct RouteCensus {
  std::array<int64_t, 6> steps{};  // per direction: +x, -x, +y, -y, +z, -z
  int64_t total_hops = 0;          // from one GPU to all others
  int busiest = 0;                 // index into steps of the largest
  int longest_on_busiest = 0;      // hops of the longest route that steps in `busiest`
};

int shorter_way(int delta, int k) {
  int u = ((delta % k) + k) % k;
  return 2 * u > k ? u - k : u;
}

RouteCensus census(int k, bool twisted) {
  std::vector<std::array<int, 3>> routes;
  for (int x = 0; x < k; ++x) {
    for (int y = 0; y < k; ++y) {
      for (int z = 0; z < 2 * k; ++z) {
        if (x == 0 && y == 0 && z == 0) continue;
        std::array<int, 3> best{shorter_way(x, k), shorter_way(y, k), shorter_way(z, 2 * k)};
        if (twisted) {
          int best_hops = 1 << 30;
          for (int mask = 0; mask < 4; ++mask) {
            const int a = mask & 1 ? x - k : x, b = mask & 2 ? y - k : y;
            const int negatives = (mask & 1) + (mask >> 1 & 1);
            const int c = shorter_way(z + k * negatives, 2 * k);
            const int hops = std::abs(a) + std::abs(b) + std::abs(c);
            if (hops < best_hops) {
              best_hops = hops;
              best = {a, b, c};
            }
          }
        }
        routes.push_back(best);
      }
    }
  }
  RouteCensus c;
  for (const auto& r : routes) {
    for (int d = 0; d < 3; ++d) c.steps[2 * d + (r[d] < 0)] += std::abs(r[d]);
    c.total_hops += std::abs(r[0]) + std::abs(r[1]) + std::abs(r[2]);
  }
  for (int i = 1; i < 6; ++i) {
    if (c.steps[i] > c.steps[c.busiest]) c.busiest = i;
  }
  for (const auto& r : routes) {
    const int d = c.busiest / 2;
    const bool uses = c.busiest % 2 ? r[d] < 0 : r[d] > 0;
    if (uses) {
      c.longest_on_busiest =
          std::max(c.longest_on_busiest, std::abs(r[0]) + std::abs(r[1]) + std::abs(r[2]));
    }
  }
  return c;
}

std::string all_to_all_4x4x8(bool twisted) {
  std::vector<std::string> names;
  for (int x = 0; x < 4; ++x) {
    for (int y = 0; y < 4; ++y) {
      for (int z = 0; z < 8; ++z) {
        names.push_back("gpu" + std::to_string(x) + "_" + std::to_string(y) + "_" +
                        std::to_string(z));
      }
    }
  }
  std::string flows;
  int id = 0;
  for (const auto& s : names) {
    for (const auto& d : names) {
      if (s == d) continue;
      if (!flows.empty()) flows += ",";
      flows += flow("f" + std::to_string(id++), s, d, R"("size": "1 MiB")");
    }
  }
  return std::string(R"({"topology": {"kind": "torus", "dims": [4, 4, 8], "twisted": )") +
         (twisted ? "true" : "false") +
         R"(, "link": {"bandwidth": "50 GB/s", "latency": "100 ns"}, "forwarding_latency": "50 ns"},
      "workload": {"kind": "flow_trace", "flows": [)" +
         flows + R"(]}, "report": {"per_flow": false}})";
}

// All-to-all of S = 1 MiB between the 128 GPUs of a 4x4x8 torus, plain and twisted
// (l = 100 ns, f = 50 ns, B = 50 GB/s per link direction; X = S/B = 20,971,520 ps).
// Max-min fairness with every flow starting at 0: a link direction carrying n flows
// gives each at most B/n, and the busiest direction's n_max flows get exactly B/n_max
// until they all end together at n_max X (no link ever carries more, so no flow is
// ever slower); every other flow ends no later. The makespan is n_max X plus the
// latency of the longest route through a busiest link.
//  - Plain (by hand): z is the ring of 8; from one GPU, 16 destinations (any x, y) are
//    at each z offset, and offsets +1..+4 (the half-way tie goes +) step +z, so a +z
//    link carries 16 (1+2+3+4) = 160 flows; the diameter route (2, 2, 4), 8 hops, steps
//    +z: makespan = 160 X + 8l + 7f. Total hops from one GPU: the x and y rings of 4
//    give 32 (0+1+2+1) each, the z ring 16 (0+1+2+3+4+3+2+1): 512.
//  - Twisted: counted by the reference above, 104 flows on each +y link, the longest
//    route through one 6 hops (the twisted diameter, e.g. (2, 2, 2)), and 440 hops from
//    one GPU: makespan = 104 X + 6l + 5f.
// Jouppi et al. (ISCA 2023) measured the twisted 4x4x8 at 1.63x the all-to-all
// throughput of the plain one; here it is 160/104 = 1.54x (plain torus routing sends
// every half-way tie the + way, so the +z links are the plain torus's bottleneck).
TEST(TopologyRuns, TwistedTorusAllToAllIsFasterThanPlain) {
  const int64_t x = 20'971'520, l = 100 * kNs, f = 50 * kNs;
  const RouteCensus plain = census(4, false), twist = census(4, true);
  ASSERT_EQ(plain.busiest, 4);  // +z
  ASSERT_EQ(plain.steps[4], 160);
  ASSERT_EQ(plain.longest_on_busiest, 8);
  ASSERT_EQ(plain.total_hops, 512);
  ASSERT_EQ(twist.steps[twist.busiest], 104);
  ASSERT_EQ(twist.longest_on_busiest, 6);
  ASSERT_EQ(twist.total_hops, 440);

  const json p = run_scenario("torus-a2a-plain", all_to_all_4x4x8(false));
  const json t = run_scenario("torus-a2a-twisted", all_to_all_4x4x8(true));
  ASSERT_FALSE(p.is_null());
  ASSERT_FALSE(t.is_null());
  const int64_t plain_ps = makespan_ps(p), twisted_ps = makespan_ps(t);
  EXPECT_LT(twisted_ps, plain_ps) << "the twisted torus should finish first (TPU v4, ISCA 2023)";
  expect_ps(plain_ps, plain.steps[plain.busiest] * x + 8 * l + 7 * f, 8, "plain");
  expect_ps(twisted_ps, twist.steps[twist.busiest] * x + 6 * l + 5 * f, 8, "twisted");
  // Every flow takes a minimal route: bytes on links = S x 128 x hops from one GPU.
  EXPECT_DOUBLE_EQ(p["summary"]["link_bytes"]["value"].get<double>(), 1048576.0 * 128 * 512);
  EXPECT_DOUBLE_EQ(t["summary"]["link_bytes"]["value"].get<double>(), 1048576.0 * 128 * 440);
}

// ---- dragonfly ----

// The balanced dragonfly for p = 2 (a = 4 routers per group, h = 2, g = 9). With the
// absolute arrangement, group 0's global port k goes to group k + 1 and sits on router
// k / h: the port to group 8 is k = 7, on router 3; group 8 reaches group 0 through
// its port 0, on router 0. So gpu0_0_0 -> gpu8_1_0 goes terminal link, router0_0,
// local link, router0_3, global link, router8_0, local link, router8_1, terminal link:
// 3 router-to-router hops and 2 terminal links, 4 routers passed. Terminal 400 Gb/s
// 100 ns, local 800 Gb/s 120 ns, global 200 Gb/s 300 ns, routers 200 ns: the global
// link is the slowest, S / 2.5e10 B/s = 2 X, so the flow ends at
// 2X + 2 x 100 + 2 x 120 + 300 + 4 x 200 ns.
TEST(TopologyRuns, DragonflyMinimalRouteIsLocalGlobalLocal) {
  const json j = run_scenario("dragonfly",
                              R"({"topology": {"kind": "dragonfly", "balanced": 2,
          "terminal_link": {"bandwidth": "400 Gbps", "latency": "100 ns"},
          "local_link": {"bandwidth": "800 Gbps", "latency": "120 ns"},
          "global_link": {"bandwidth": "200 Gbps", "latency": "300 ns"}, "router_latency": "200 ns"}, )" +
                                  trace({flow("f", "gpu0_0_0", "gpu8_1_0")}) + "}");
  ASSERT_FALSE(j.is_null());
  expect_ps(flow_end(j, "f"), 2 * kX64MiB + (2 * 100 + 2 * 120 + 300 + 4 * 200) * kNs, 1, "f");
  const auto busy = busy_links(j);
  const std::vector<std::string> path = {"gpu0_0_0->router0_0", "router0_0->router0_3",
                                         "router0_3->router8_0", "router8_0->router8_1",
                                         "router8_1->gpu8_1_0"};
  EXPECT_EQ(busy.size(), path.size());
  for (const auto& p : path) EXPECT_EQ(busy.count(p), 1u) << p;
}

// ---- full_mesh ----

// All-to-all of 64 MiB on a full mesh of N = 8 (400 Gb/s, L = 100 ns): each of the 56
// ordered pairs has its own link direction, so every flow runs alone and all end at
// X + L; every link direction carries exactly 64 MiB.
TEST(TopologyRuns, FullMeshAllToAllNeedsOneLinkTime) {
  std::vector<std::string> flows;
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 8; ++k) {
      if (i != k) {
        flows.push_back(flow(std::to_string(i) + "-" + std::to_string(k), "gpu" + std::to_string(i),
                             "gpu" + std::to_string(k)));
      }
    }
  }
  const json j = run_scenario(
      "full-mesh",
      R"({"topology": {"kind": "full_mesh", "gpus": 8, "link": {"bandwidth": "400 Gbps", "latency": "100 ns"}}, )" +
          trace(flows) + "}");
  ASSERT_FALSE(j.is_null());
  ASSERT_EQ(j["flows"]["rows"].size(), 56u);
  for (const auto& row : j["flows"]["rows"]) {
    expect_ps(row[5].get<int64_t>(), kX64MiB + 100 * kNs, 1, row[0].get<std::string>());
  }
  ASSERT_EQ(j["links"]["rows"].size(), 56u);  // 28 links, 2 directions
  for (const auto& row : j["links"]["rows"]) EXPECT_DOUBLE_EQ(row[5].get<double>(), 1 << 26);
}

// ---- placement ----

// A star of 6 GPUs (l = 150 ns, switch 300 ns) placed with 2 GPUs per rack and 2 racks
// per row: rack 0 (row 0, x 0) holds gpu0, gpu1; rack 1 (row 0, x 0.6 m) gpu2, gpu3;
// rack 2 (row 1: x 0, y 2.4 m) gpu4, gpu5. The switch has 2 GPU links into each rack,
// a tie that goes to the lowest rack, 0. Cable lengths (placement.h: Manhattan
// distance + 2 x vertical_per_end + slack; slack alone inside one rack), with
// vertical_per_end 1.2 m and the default slack 1.5 m:
//   rack 0: 1.5 m;   rack 1: 0.6 + 2.4 + 1.5 = 4.5 m;   rack 2: 2.4 + 2.4 + 1.5 = 6.3 m,
// and at 4.9 ns per metre each link's latency grows by 7.35, 22.05 and 30.87 ns. So
// near (gpu0 -> gpu1) ends 2 x 7.35 = 14.7 ns later than without placement, and far
// (gpu2 -> gpu4) 22.05 + 30.87 = 52.92 ns later.
TEST(TopologyRuns, PlacementAddsPropagationOverCableLengths) {
  const std::string star = R"("kind": "star", "gpus": 6,
      "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns")";
  const std::string flows = trace({flow("near", "gpu0", "gpu1"), flow("far", "gpu2", "gpu4")});
  const json bare = run_scenario("star-bare", R"({"topology": {)" + star + "}, " + flows + "}");
  const json placed =
      run_scenario("star-placed", R"({"topology": {)" + star +
                                      R"(, "placement": {"gpus_per_rack": 2, "racks_per_row": 2,
                             "vertical_per_end": "1.2 m", "propagation": "4.9 ns"}}, )" +
                                      flows + "}");
  ASSERT_FALSE(bare.is_null());
  ASSERT_FALSE(placed.is_null());
  const int64_t base = kX64MiB + 2 * 150 * kNs + 300 * kNs;
  expect_ps(flow_end(bare, "near"), base, 1, "near, unplaced");
  expect_ps(flow_end(bare, "far"), base, 1, "far, unplaced");
  expect_ps(flow_end(placed, "near"), base + 14'700, 1, "near");
  expect_ps(flow_end(placed, "far"), base + 22'050 + 30'870, 1, "far");
  EXPECT_EQ(link_latency(placed, "gpu1", "switch"), 150 * kNs + 7'350);
  EXPECT_EQ(link_latency(placed, "gpu3", "switch"), 150 * kNs + 22'050);
  EXPECT_EQ(link_latency(placed, "switch", "gpu5"), 150 * kNs + 30'870);
}

// A TPU v4-like pod slice (scenarios/topologies/tpu_pod_4x4x8_twisted.json, whose
// description derives these): cube 0 failed, the twisted 4x4x8 slice on cubes 1 and 2;
// electrical links 120 ns, optical ones 120 + 150 ns, 100 ns per chip passed.
//   twist: slice (3,0,0) -> (0,0,4), one optical hop (the x wrap-around, twisted +4 in z):
//          X + 270 ns;  cross: (0,1,3) -> (0,1,4), one optical z hop: X + 270 ns;
//   inner: (0,0,0) -> (0,0,3), three electrical hops: X + 360 + 200 ns.
TEST(TopologyRuns, TpuPodSliceFlowsCrossTheOcsOnce) {
  const json j = run_file(fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "topologies" /
                          "tpu_pod_4x4x8_twisted.json");
  ASSERT_FALSE(j.is_null());
  expect_ps(flow_end(j, "twist"), kX64MiB + 270 * kNs, 1, "twist");
  expect_ps(flow_end(j, "cross"), kX64MiB + 270 * kNs, 1, "cross");
  expect_ps(flow_end(j, "inner"), kX64MiB + 560 * kNs, 1, "inner");
}

// The Jupiter-like fabric and its twin (scenarios/fabrics/, docs/jupiter.md): 224 flows,
// GPU i of block a to GPU i of block b, w_a w_b MiB, w = [4, 2, 1, 1, 1, 1, 1, 1].
// Payload: 4 MiB x sum over a != b of w_a w_b = 4 x ((sum w)^2 - sum w^2) = 4 x (144 -
// 26) = 472 MiB. Every byte crosses its two host links plus its block-level hops: the
// spine twin 2 (block-spine-block), the engineered map 1 (all direct), so link bytes are
// 4 x and 3 x the payload; the uniform mesh with WCMP lies between (1 + the transit
// share, which its flow hashes realise near the planned 41.6 %).
TEST(TopologyRuns, JupiterLikeFabricsCarryTheirBlockHops) {
  const fs::path dir = fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "fabrics";
  const double payload = 472.0 * 1048576;
  const auto link_bytes = [](const json& j) {
    return j["summary"]["link_bytes"]["value"].get<double>();
  };
  const json spine = run_file(dir / "jupiter_like_spine.json");
  const json engineered = run_file(dir / "jupiter_like_engineered.json");
  const json uniform = run_file(dir / "jupiter_like.json");
  ASSERT_FALSE(spine.is_null() || engineered.is_null() || uniform.is_null());
  EXPECT_DOUBLE_EQ(spine["summary"]["payload_bytes"]["value"].get<double>(), payload);
  EXPECT_DOUBLE_EQ(link_bytes(spine), 4 * payload);
  EXPECT_DOUBLE_EQ(link_bytes(engineered), 3 * payload);
  EXPECT_GT(link_bytes(uniform), 3.3 * payload);
  EXPECT_LT(link_bytes(uniform), 3.5 * payload);
}

// ---- the examples in scenarios/topologies/ ----

// Each example runs, and the result its description states (derived there) is what the
// run gives, to within 1 ps per step (at most 254 steps, in fat_tree_k8). Where a
// description gives only a bound (ECMP collisions, a pipelined ring over links of two
// speeds), the bound is checked.
TEST(TopologyExamples, EveryExampleRunsAndMatchesItsDescription) {
  const fs::path dir = fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "topologies";
  const int64_t x1g = 2'684'354'560;  // 2^27 B at 5e10 B/s: a 1 GiB ring chunk for N = 8
  // file -> {exact makespan or lower bound, exact?}
  const std::map<std::string, std::pair<int64_t, bool>> expected = {
      // The pipelined ring of FatTreeK4RingAllReduceFollowsThePipelinedClosedForm at k = 8
      // (N = 128; per pod 12 d2, 3 d4, 1 d6): 2 sum(d) - 2 d2 = 190 d2 + 48 d4 + 16 d6,
      // i.e. 254 chunks of 2^21 B at 5e10 B/s plus those latencies (l 220 ns, s 200 ns).
      {"fat_tree_k8.json",
       {int64_t{254} * 41'943'040 + (190 * 640 + 48 * 1480 + 16 * 2320) * kNs, true}},
      // 48 flows over 16 uplinks: at least 3 x S/B (256 MiB) + 4 links and 3 switches.
      {"leaf_spine_oversubscribed.json", {3 * 4 * kX64MiB + (4 * 220 + 3 * 200) * kNs, false}},
      {"rail_optimized_64.json", {14 * (x1g + 640 * kNs), true}},
      // 30 chunks of 64 MiB over gpu7's 400 Gb/s NIC.
      {"scale_up_nvl8.json", {30 * kX64MiB, false}},
      {"torus_4x4x8.json", {4 * kX64MiB + (8 * 120 + 7 * 100) * kNs, true}},
      {"twisted_torus_4x4x8.json", {2 * kX64MiB + (4 * 120 + 3 * 100) * kNs, true}},
      {"dragonfly_balanced_p2.json", {8 * kX64MiB + 1600 * kNs, true}},
      // 2^28 B at 64 GB/s = 4,194,304,000 ps.
      {"full_mesh_8.json", {4'194'304'000 + 100 * kNs, true}},
      // 2^27 B at 50 GB/s = x1g.
      {"ring_8.json", {14 * (x1g + 120 * kNs), true}},
      // the far flow: 2 x (120 + 22.05) + 200 ns.
      {"star_placed.json", {kX64MiB + 484'100, true}},
      {"explicit_two_leaves.json", {2 * kX64MiB + (4 * 220 + 3 * 200) * kNs, true}},
      // the 'inner' flow: 3 electrical hops of 120 ns, 2 chips passed at 100 ns.
      {"tpu_pod_4x4x8_twisted.json", {kX64MiB + (3 * 120 + 2 * 100) * kNs, true}},
  };
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    const std::string name = entry.path().filename().string();
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << name << " has no expected result here";
    const json j = run_file(entry.path());
    ASSERT_FALSE(j.is_null()) << name;
    const auto [value, exact] = it->second;
    if (exact) {
      expect_ps(makespan_ps(j), value, 300, name);
    } else {
      EXPECT_GE(makespan_ps(j), value) << name;
    }
  }
  EXPECT_EQ(seen, expected.size());
}

// ---- bad generator parameters ----

struct BadTopology {
  std::string name;
  std::string topology;  // the "topology" object
  std::string pointer;   // expected JSON pointer in "error: s.json:POINTER: ..."
  std::string keyword;   // a phrase the message must contain
};

std::ostream& operator<<(std::ostream& os, const BadTopology& c) { return os << c.name; }

const std::string kLink = R"("link": {"bandwidth": "400 Gbps"})";
const std::string kDragonflyLinks = R"("terminal_link": {"bandwidth": "400 Gbps"},
    "local_link": {"bandwidth": "400 Gbps"}, "global_link": {"bandwidth": "400 Gbps"})";

// clang-format off
const std::vector<BadTopology> kBad = {
    // radix 64 at 2:1 would need 64 x 2/3 down ports.
    {"OversubscriptionDoesNotSplitRadix",
     R"({"kind": "fat_tree", "tiers": 2, "radix": 64, "oversubscription": 2, )" + kLink + "}",
     "/topology/oversubscription", "does not split radix 64"},
    // An odd radix has no 1:1 split. The scenario wrote no oversubscription, so the
    // error points at the radix.
    {"OddRadix", R"({"kind": "fat_tree", "tiers": 3, "radix": 5, )" + kLink + "}",
     "/topology/radix", "oversubscription (leaf): 1 does not split radix 5"},
    {"RadixTooSmall", R"({"kind": "fat_tree", "tiers": 2, "radix": 1, )" + kLink + "}",
     "/topology/radix", "from 2 to 65536, got 1"},
    {"ZeroDimension", R"({"kind": "torus", "dims": [4, 0], )" + kLink + "}", "/topology/dims/1",
     "got 0"},
    {"UnknownGenerator", R"({"kind": "fat_tre", "radix": 4, )" + kLink + "}", "/topology/kind",
     "did you mean 'fat_tree'"},
    {"TwistedUnsupportedShape", R"({"kind": "torus", "dims": [4, 4, 4], "twisted": true, )" + kLink + "}",
     "/topology/twisted", "not 4x4x4"},
    {"DragonflyTooManyGroups",
     R"({"kind": "dragonfly", "p": 1, "a": 2, "h": 1, "g": 4, )" + kDragonflyLinks + "}",
     "/topology/g", "at most a*h + 1 = 3 groups"},
    {"SwitchOverItsRadix",
     R"({"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
         {"name": "gpu2", "kind": "gpu"}, {"name": "sw0", "kind": "switch", "radix": 2}],
         "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "400 Gbps"},
                   {"a": "gpu1", "b": "sw0", "bandwidth": "400 Gbps"},
                   {"a": "gpu2", "b": "sw0", "bandwidth": "400 Gbps"}]})",
     "/topology/nodes/3", "switch 'sw0' has 3 links but only 2 ports"},
    {"ScaleUpDomainDoesNotDivide",
     R"({"kind": "fat_tree", "tiers": 2, "radix": 4, "gpus": 8, )" + kLink +
         R"(, "scale_up": {"domain_size": 3, "bandwidth": "450 GB/s"}})",
     "/topology/scale_up/domain_size", "do not divide into domains of 3"},
    {"UnknownDragonflyRouting",
     R"({"kind": "dragonfly", "balanced": 2, "routing": "ugal", )" + kDragonflyLinks + "}",
     "/topology/routing", "unknown dragonfly routing 'ugal'"},
    // A whole-pod slice needs all 64 cubes; with one failed, 63 are healthy.
    {"TpuPodTooFewHealthyCubes",
     R"({"kind": "tpu_pod", "slice": [16, 16, 16], "failed_cubes": [5], "ocs": {"ports": 136}, )" + kLink + "}",
     "/topology/slice", "of which 63 are healthy"},
    {"TpuPodSliceNotWholeCubes",
     R"({"kind": "tpu_pod", "slice": [4, 4, 6], "ocs": {"ports": 136}, )" + kLink + "}",
     "/topology/slice/2", "multiple of the cube's 4"},
    {"TpuPodSliceOnAFailedCube",
     R"({"kind": "tpu_pod", "slice": [4, 4, 8], "failed_cubes": [3], "slice_cubes": [1, 3], "ocs": {"ports": 136}, )" + kLink + "}",
     "/topology/slice_cubes/1", "cube 3 is in failed_cubes"},
    {"TpuPodWrongOcsCount",
     R"({"kind": "tpu_pod", "slice": [4, 4, 8], "ocs": {"count": 47, "ports": 136}, )" + kLink + "}",
     "/topology/ocs/count", "48, not 47"},
};
// clang-format on

class BadTopologyParameters : public ::testing::TestWithParam<BadTopology> {};

// `roshni validate`: exit 1, and exactly one line on stderr, "error: FILE:POINTER: ...".
TEST_P(BadTopologyParameters, FailValidationWithOneLineAtThePointer) {
  const BadTopology& c = GetParam();
  const auto dir = testing::fresh_dir("bad-topo-" + c.name);
  write(dir / "s.json", R"({"topology": )" + c.topology +
                            R"(, "workload": {"kind": "all_reduce", "size": "1 MiB"}})");
  const auto r = testing::run_cli("validate " + (dir / "s.json").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not exactly one line:\n" << r.err;
  const std::string line = r.err.substr(0, r.err.find('\n'));
  const std::string where = "error: " + (dir / "s.json").string() + ":" + c.pointer + ": ";
  EXPECT_TRUE(line.starts_with(where)) << "expected it to start with \"" << where << "\":\n"
                                       << line;
  EXPECT_NE(line.find(c.keyword), std::string::npos) << "expected \"" << c.keyword << "\" in:\n"
                                                     << line;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Table, BadTopologyParameters, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// Found by the end-to-end review: a rail-optimized fabric whose GPUs round up to more
// leaves than a spine has ports is refused by check(), not built over radix; absurd
// placements and double-counted propagation are errors.
TEST(TopologyFixes, RailRoundingAndPlacementLimits) {
  namespace fs = std::filesystem;
  const auto dir = testing::fresh_dir("fixes");
  auto write = [&](const std::string& name, const std::string& topology) {
    const auto path = (dir / name).string();
    std::ofstream(path) << R"({"topology": )" << topology
                        << R"(, "workload": {"kind": "all_reduce", "algorithm": "ring", "size": "1 MiB"}})";
    return path;
  };
  // Radix 12, 1:1: 6 servers per leaf group; 72 GPUs = 9 servers -> 2 groups x 8 rails =
  // 16 leaves > 12 spine ports.
  auto r = testing::run_cli("validate " + write("rail.json", R"({"kind": "rail_optimized", "tiers": 2, "radix": 12, "gpus": 72, "gpus_per_server": 8, "link": {"bandwidth": "400 Gbps"}})"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/gpus: gpus: 72 GPUs need 16 leaves"), std::string::npos) << r.err;
  // (2 km: inside every length's range, 1e7 m, but past the placement's own 1 km.)
  r = testing::run_cli("validate " + write("far.json", R"({"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps"}, "placement": {"rack_pitch": "2 km"}})"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/placement/rack_pitch: expected at most 1 km"), std::string::npos) << r.err;
  r = testing::run_cli("validate " + write("slow.json", R"({"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps"}, "placement": {"propagation": "1e7 s"}})"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/placement/propagation: expected at most 1 us per metre"), std::string::npos) << r.err;
  r = testing::run_cli("validate " + std::string(ROSHNI_SOURCE_DIR) +
                       "/scenarios/physical/all_cpo.json --set 'topology.placement.propagation=4.9 ns'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("it would count the delay twice"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni
