// The "chakra" workload (issue 24, items 1, 2 and 4): MLCommons Chakra execution traces,
// one protobuf file per rank, read into tasks, flows and Roshni's collectives. The traces
// are built inline (tests/chakra_et.h) so that what each test checks is on the page; the
// expected graphs are drawn by hand from the mapping rules in docs/workloads.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "chakra_et.h"
#include "roshni/coll/collective.h"
#include "roshni/coll/registry.h"
#include "roshni/scenario/chakra.h"
#include "roshni/scenario/loader.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

namespace et = roshni::testing::chakra;
using testing::error_of;
using testing::memory;

const std::string kStar4 =
    R"("topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1 Gbps"}})";

/// A scenario on the 4-GPU star reading run/x.<r>.et for r < ranks.
Scenario load(const std::vector<std::string>& files, const std::string& extra = "",
              size_t max_flows = 0) {
  std::map<std::string, std::string> m;
  for (size_t r = 0; r < files.size(); ++r) m["run/x." + std::to_string(r) + ".et"] = files[r];
  LoadOptions o;
  o.reader = memory(m);
  if (max_flows > 0) o.max_flows = max_flows;
  return load_scenario_text("{" + kStar4 + R"(, "workload": {"kind": "chakra", "prefix": "x.", "ranks": )" +
                                std::to_string(files.size()) + extra + "}}",
                            "run/s.json", o);
}

ScenarioError error(const std::vector<std::string>& files, const std::string& extra = "",
                    size_t max_flows = 0) {
  return error_of([&] { load(files, extra, max_flows); });
}

std::vector<uint32_t> deps_of(const Scenario& s, uint32_t f) {
  std::vector<uint32_t> out;
  for (const FlowId d : s.flows.deps(FlowId(f))) out.push_back(d.value());
  std::sort(out.begin(), out.end());
  return out;
}

NodeId gpu(const Scenario& s, uint32_t i) { return s.topology.gpus()[i]; }

// Rank 0 computes 5 us (node 1) then sends 1000 B to rank 1 (node 2, after 1); rank 1
// receives it (node 7) and computes 3 us after it (node 8). Drawn by hand: task(5 us on
// gpu0) -> flow(1000 B gpu0->gpu1) -> task(3 us on gpu1), in the order of the first
// nodes' (id, rank): 1, 2, 8.
TEST(ChakraWorkload, ComputeSendRecvCompute) {
  const auto s = load({et::file({et::comp(1, 5), et::send(2, 1, 1000, {1})}),
                       et::file({et::recv(7, 0, 1000), et::comp(8, 3, {7})})});
  ASSERT_EQ(s.flows.size(), 3u);
  EXPECT_TRUE(s.flows.is_task(FlowId(0)));
  EXPECT_EQ(s.flows.task_time(FlowId(0)), SimTime::ps(5'000'000));
  EXPECT_EQ(s.flows.src(FlowId(0)), gpu(s, 0));
  EXPECT_FALSE(s.flows.is_task(FlowId(1)));
  EXPECT_EQ(s.flows.src(FlowId(1)), gpu(s, 0));
  EXPECT_EQ(s.flows.dst(FlowId(1)), gpu(s, 1));
  EXPECT_EQ(s.flows.flow_size(FlowId(1)).si(), 1000.0);
  EXPECT_EQ(deps_of(s, 1), std::vector<uint32_t>{0});
  EXPECT_EQ(s.flows.task_time(FlowId(2)), SimTime::ps(3'000'000));
  EXPECT_EQ(s.flows.src(FlowId(2)), gpu(s, 1));
  EXPECT_EQ(deps_of(s, 2), std::vector<uint32_t>{1});
  EXPECT_EQ(s.workload.kind, "chakra");
  EXPECT_EQ(s.workload.ranks, 2u);
}

// Control dependencies are dependencies too (a node waits for the end of each); with
// "ctrl_deps": "ignore" only data dependencies count.
TEST(ChakraWorkload, ControlDependenciesCountUnlessIgnored) {
  et::pb::Node b = et::comp(2, 1);
  b.add_ctrl_deps(1);
  const std::vector<std::string> files = {et::file({et::comp(1, 1), b})};
  EXPECT_EQ(deps_of(load(files), 1), std::vector<uint32_t>{0});
  EXPECT_TRUE(deps_of(load(files, R"(, "ctrl_deps": "ignore")"), 1).empty());
}

// One ALL_REDUCE of 1 MB on each of 4 ranks (no pg_name: all ranks) is one ring
// all-reduce over the 4 GPUs: 2 p (p - 1) = 24 flows; the compute node after it on
// rank 2 waits for the collective's last flows.
TEST(ChakraWorkload, CollectiveOverAllRanksIsOneRingAllReduce) {
  std::vector<std::string> files;
  for (int r = 0; r < 4; ++r) {
    std::vector<et::pb::Node> n = {et::coll(10, et::pb::ALL_REDUCE, 1000000)};
    if (r == 2) n.push_back(et::comp(11, 2, {10}));
    files.push_back(et::file(n));
  }
  const auto s = load(files);
  ASSERT_EQ(s.flows.size(), 25u);
  EXPECT_EQ(s.flows.task_count(), 1u);
  // The ring's 24 flows carry 2 (p - 1)/p x 1 MB each way in all: 2 x 3/4 x 1e6 x 4 = 6e6 B.
  EXPECT_DOUBLE_EQ(s.flows.total_size().si(), 6e6);
  EXPECT_FALSE(deps_of(s, 24).empty());
}

// Groups from JSON: "dp0" = ranks 0 and 2, "dp1" = 1 and 3. Each rank's first collective
// of its group is matched with the other member's: two ring all-reduces of 2 ranks,
// 2 x 2 x 1 = 4 flows each, 8 in all, and every flow stays within its group.
TEST(ChakraWorkload, ProcessGroupsFromJson) {
  std::vector<std::string> files;
  for (int r = 0; r < 4; ++r) files.push_back(et::file({et::coll(5, et::pb::ALL_REDUCE, 1000, r % 2 ? "dp1" : "dp0")}));
  const auto s = load(files, R"(, "groups": {"dp0": [0, 2], "dp1": [1, 3]})");
  ASSERT_EQ(s.flows.size(), 8u);
  for (uint32_t f = 0; f < 8; ++f) {
    const auto a = s.flows.src(FlowId(f)).value(), b = s.flows.dst(FlowId(f)).value();
    const auto ia = std::find(s.topology.gpus().begin(), s.topology.gpus().end(), NodeId(a)) - s.topology.gpus().begin();
    const auto ib = std::find(s.topology.gpus().begin(), s.topology.gpus().end(), NodeId(b)) - s.topology.gpus().begin();
    EXPECT_EQ(ia % 2, ib % 2) << s.flows.label(FlowId(f));
  }
  // Without the groups, "dp0" means all ranks, and ranks 1 and 3 have no "dp0" node.
  const auto e = error(files);
  EXPECT_NE(e.message().find("has no node in rank 1"), std::string::npos) << e.what();
}

// Groups from the trace's metadata: attribute "pg_ranks:<name>" with the ranks.
TEST(ChakraWorkload, ProcessGroupsFromMetadata) {
  et::pb::GlobalMetadata m;
  m.set_version("1.0.0");
  auto* a = m.add_attr();
  a->set_name("pg_ranks:tp");
  a->mutable_int64_list()->add_values(1);
  a->mutable_int64_list()->add_values(2);
  const std::string head = et::framed(m);
  const auto s = load({head, head + et::framed(et::coll(1, et::pb::ALL_GATHER, 2000, "tp")),
                       head + et::framed(et::coll(1, et::pb::ALL_GATHER, 2000, "tp"))});
  // A ring all-gather of 2 ranks: p (p - 1) = 2 flows of 2000 / 2 = 1000 B.
  ASSERT_EQ(s.flows.size(), 2u);
  EXPECT_EQ(s.flows.total_size().si(), 2000.0);
}

// Placement: rank r on the GPU 'placement' names.
TEST(ChakraWorkload, Placement) {
  const auto s = load({et::file({et::send(1, 1, 8)}), et::file({et::recv(1, 0, 8)})},
                      R"(, "placement": [3, "gpu1"])");
  ASSERT_EQ(s.flows.size(), 1u);
  EXPECT_EQ(s.flows.src(FlowId(0)), gpu(s, 3));
  EXPECT_EQ(s.flows.dst(FlowId(0)), gpu(s, 1));
}

// Roofline: 2e12 FLOP at 1000 TFLOP/s = 2 ms; 3e9 B at 1 TB/s = 3 ms: the longer, 3 ms.
TEST(ChakraWorkload, RooflineComputeTime) {
  et::pb::Node n = et::comp(1, 7);
  et::attr(n, "num_ops", 2'000'000'000'000);
  et::attr(n, "tensor_size", 3'000'000'000);
  const auto s = load({et::file({n})}, R"(, "roofline": {"flops": "1000 TFLOP/s", "memory": "1 TB/s"})");
  EXPECT_EQ(s.flows.task_time(FlowId(0)), SimTime::ps(3'000'000'000));
  // Without "roofline", the recorded 7 us.
  EXPECT_EQ(load({et::file({n})}).flows.task_time(FlowId(0)), SimTime::ps(7'000'000));
}

// Data-parallel rescaling. Recorded: 2 replicas of 2 ranks (m = 2); each rank computes
// 1 us, all-reduces 1000 B in its replica's tensor group, then 4000 B in its
// data-parallel group (ranks at the same place in every replica).
std::vector<std::string> two_replicas() {
  std::vector<std::string> files;
  for (int r = 0; r < 4; ++r) {
    files.push_back(et::file({et::comp(1, 1), et::coll(2, et::pb::ALL_REDUCE, 1000, "tp" + std::to_string(r / 2), {1}),
                              et::coll(3, et::pb::ALL_REDUCE, 4000, "dp" + std::to_string(r % 2), {2})}));
  }
  return files;
}

Scenario rescaled(uint32_t to) {
  std::map<std::string, std::string> m;
  const auto files = two_replicas();
  for (size_t r = 0; r < files.size(); ++r) m["run/x." + std::to_string(r) + ".et"] = files[r];
  LoadOptions o;
  o.reader = memory(m);
  return load_scenario_text(
      R"({"topology": {"kind": "star", "gpus": 8, "link": {"bandwidth": "1 Gbps"}},
          "workload": {"kind": "chakra", "prefix": "x.", "ranks": 4,
            "groups": {"tp0": [0, 1], "tp1": [2, 3], "dp0": [0, 2], "dp1": [1, 3]},
            "data_parallel": {"from": 2, "to": )" + std::to_string(to) + "}}}",
      "run/s.json", o);
}

// To 4 replicas (8 ranks): 8 tasks; 4 tensor all-reduces, rings of 2: 2 p (p - 1) = 4 flows
// of 1000 / 2 = 500 B each; 2 data-parallel all-reduces over 4 ranks: 2 x 4 x 3 = 24 flows
// of 4000 / 4 = 1000 B each. 8 + 16 + 48 = 72 entries, 16 x 500 + 48 x 1000 = 56,000 B,
// and every data-parallel flow joins two ranks at the same place in their replicas.
TEST(ChakraRescale, GrowsDataParallelGroups) {
  const auto s = rescaled(4);
  EXPECT_EQ(s.workload.ranks, 8u);
  ASSERT_EQ(s.flows.size(), 72u);
  EXPECT_EQ(s.flows.task_count(), 8u);
  EXPECT_DOUBLE_EQ(s.flows.total_size().si(), 56000.0);
  const auto& g = s.topology.gpus();
  const auto rank = [&](NodeId n) { return std::find(g.begin(), g.end(), n) - g.begin(); };
  int dp = 0;
  for (uint32_t f = 0; f < s.flows.size(); ++f) {
    if (s.flows.is_task(FlowId(f)) || s.flows.flow_size(FlowId(f)).si() != 1000.0) continue;
    ++dp;
    EXPECT_EQ(rank(s.flows.src(FlowId(f))) % 2, rank(s.flows.dst(FlowId(f))) % 2) << s.flows.label(FlowId(f));
  }
  EXPECT_EQ(dp, 48);
}

// To 1 replica (2 ranks): 2 tasks, one tensor ring of 2 (4 flows of 500 B), and the data-
// parallel groups shrink to one rank each: a zero-time meeting task each. 8 entries.
TEST(ChakraRescale, ShrinksToOneReplica) {
  const auto s = rescaled(1);
  ASSERT_EQ(s.flows.size(), 8u);
  EXPECT_EQ(s.flows.task_count(), 4u);
  EXPECT_DOUBLE_EQ(s.flows.total_size().si(), 2000.0);
}

// A group that spans replicas but is not data-parallel cannot be rescaled.
TEST(ChakraRescale, RefusesOtherCrossReplicaGroups) {
  const auto e2 = error_of([&] {
    std::map<std::string, std::string> m;
    const auto files = two_replicas();
    for (size_t r = 0; r < files.size(); ++r) m["run/x." + std::to_string(r) + ".et"] = files[r];
    LoadOptions o;
    o.reader = memory(m);
    load_scenario_text(
        R"({"topology": {"kind": "star", "gpus": 8, "link": {"bandwidth": "1 Gbps"}},
            "workload": {"kind": "chakra", "prefix": "x.", "ranks": 4,
              "groups": {"tp0": [0, 3], "tp1": [1, 2], "dp0": [0, 2], "dp1": [1, 3]},
              "data_parallel": {"from": 2, "to": 4}}})",
        "run/s.json", o);
  });
  EXPECT_NE(e2.message().find("spans data-parallel replicas but is not a data-parallel group"),
            std::string::npos) << e2.what();
}

// ---- errors: file, rank and node named ----

TEST(ChakraWorkload, Errors) {
  const std::string ok = et::file({et::comp(1, 1)});
  auto e = error({ok.substr(0, ok.size() - 2)});
  EXPECT_EQ(e.file(), "run/x.0.et");
  EXPECT_EQ(e.pointer(), "message 1");
  EXPECT_NE(e.message().find("rank 0: the file ends inside a message"), std::string::npos) << e.what();

  e = error({et::meta() + "\xff\xff\xff\xff\xff\xff"});
  EXPECT_NE(e.message().find("malformed message length"), std::string::npos) << e.what();

  e = error({et::meta() + "\x02\xff\xff"});
  EXPECT_NE(e.message().find("malformed Node message"), std::string::npos) << e.what();

  e = error({et::file({et::comp(1, 1, {9})})});
  EXPECT_EQ(e.pointer(), "node 1");
  EXPECT_NE(e.message().find("depends on node 9, which is not in the file"), std::string::npos) << e.what();

  e = error({et::file({et::comp(1, 1, {2}), et::comp(2, 1, {1})})});
  EXPECT_NE(e.message().find("dependency cycle: rank 0 node"), std::string::npos) << e.what();

  e = error({et::file({et::node(4, et::pb::INVALID_NODE)})});
  EXPECT_EQ(e.pointer(), "node 4");
  EXPECT_NE(e.message().find("unknown node type INVALID_NODE"), std::string::npos) << e.what();

  e = error({et::file({et::comp(1, 1)}, "2.0.0")});
  EXPECT_EQ(e.pointer(), "metadata");
  EXPECT_NE(e.message().find("version \"2.0.0\" is not one this reader knows"), std::string::npos) << e.what();

  e = error({et::file({et::coll(3, et::pb::GATHER, 8)}), et::file({et::coll(3, et::pb::GATHER, 8)})});
  EXPECT_NE(e.message().find("comm_type GATHER is not supported"), std::string::npos) << e.what();

  e = error({et::file({et::send(1, 1, 8)}), et::file({})});
  EXPECT_NE(e.message().find("has no matching recv in rank 1"), std::string::npos) << e.what();

  e = error({et::file({et::send(1, 1, 100)}), et::file({et::recv(1, 0, 50)})});
  EXPECT_NE(e.message().find("recv of 50 B is smaller than its matching send of 100 B"), std::string::npos) << e.what();

  e = error({et::file({et::comp(1, 1), et::comp(1, 2)})});
  EXPECT_NE(e.message().find("node id 1 appears twice"), std::string::npos) << e.what();

  e = error({""});
  EXPECT_NE(e.message().find("the file is empty"), std::string::npos) << e.what();

  // A missing file is an error at 'prefix'.
  e = error_of([&] {
    LoadOptions o;
    o.reader = memory({{"run/x.0.et", ok}});
    load_scenario_text("{" + kStar4 + R"(, "workload": {"kind": "chakra", "prefix": "x.", "ranks": 2}})",
                       "run/s.json", o);
  });
  EXPECT_EQ(e.pointer(), "/workload/prefix");
  EXPECT_NE(e.message().find("cannot read rank 1's trace"), std::string::npos) << e.what();

  // More trace files than 'ranks': rank count mismatch, at 'ranks'.
  e = error_of([&] {
    LoadOptions o;
    o.reader = memory({{"run/x.0.et", ok}, {"run/x.1.et", ok}});
    load_scenario_text("{" + kStar4 + R"(, "workload": {"kind": "chakra", "prefix": "x.", "ranks": 1}})",
                       "run/s.json", o);
  });
  EXPECT_EQ(e.pointer(), "/workload/ranks");
  EXPECT_NE(e.message().find("there is also a trace"), std::string::npos) << e.what();

  // The flow limit.
  e = error({et::file({et::comp(1, 1), et::comp(2, 1), et::comp(3, 1)})}, "", 2);
  EXPECT_NE(e.message().find("the limit"), std::string::npos) << e.what();
}

// ---- the round trip: write_chakra, then read back ----

namespace fs = std::filesystem;

/// Entry by entry: label, ends, size, task time, extra latency and dependencies.
void expect_same(const net::FlowSet& a, const net::FlowSet& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.task_count(), b.task_count());
  for (uint32_t i = 0; i < a.size(); ++i) {
    const FlowId f(i);
    EXPECT_EQ(a.label(f), b.label(f)) << i;
    EXPECT_EQ(a.src(f), b.src(f)) << a.label(f);
    EXPECT_EQ(a.dst(f), b.dst(f)) << a.label(f);
    EXPECT_EQ(a.is_task(f), b.is_task(f)) << a.label(f);
    EXPECT_EQ(a.flow_size(f).si(), b.flow_size(f).si()) << a.label(f);
    if (a.is_task(f)) {
      EXPECT_EQ(a.task_time(f), b.task_time(f)) << a.label(f);
    }
    EXPECT_EQ(a.extra_latency(f), b.extra_latency(f)) << a.label(f);
    std::vector<FlowId> da(a.deps(f).begin(), a.deps(f).end()), db(b.deps(f).begin(), b.deps(f).end());
    std::sort(da.begin(), da.end());
    std::sort(db.begin(), db.end());
    EXPECT_EQ(da, db) << a.label(f);
  }
}

Scenario round_trip(const std::string& scenario, const std::string& name, uint32_t ranks) {
  const fs::path dir = fs::temp_directory_path() / ("roshni-chakra-rt-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto original = load_scenario_text(scenario, (dir / "a.json").string());
  const auto e = write_chakra(original.flows, original.topology, (dir / "t.").string(), "a.json");
  EXPECT_EQ(e.files, original.topology.gpus().size());
  const nlohmann::json topo = nlohmann::json::parse(scenario).at("topology");
  const auto back = load_scenario_text(
      R"({"topology": )" + topo.dump() + R"(, "workload": {"kind": "chakra", "prefix": "t.", "ranks": )" +
          std::to_string(ranks) + "}}",
      (dir / "b.json").string());
  expect_same(original.flows, back.flows);
  return back;
}

// A ring all-reduce with a library's per-step latency (extra latency on flows) and
// reduction compute steps (tasks): the same entries, in the same order, after the trip.
TEST(ChakraRoundTrip, RingAllReduceWithTasksAndExtraLatency) {
  round_trip(R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "100 Gbps"}},
                 "workload": {"kind": "all_reduce", "size": "1 MiB", "algorithm": "ring",
                              "chunks": 2, "reduction_rate": "100 GB/s", "library": "nccl"}})",
             "ring", 4);
}

// A training iteration (tensor and pipeline parallel, data-parallel buckets).
TEST(ChakraRoundTrip, TrainingIteration) {
  round_trip(R"({"topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 16,
                   "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}},
                 "workload": {"kind": "training",
                   "model": {"layers": 4, "hidden": 1024, "heads": 8, "vocabulary": 32000,
                             "sequence": 1024, "global_batch": 16, "micro_batch": 2},
                   "parallelism": {"data": 2, "tensor": 4, "pipeline": 2, "bucket": "16 MB"},
                   "accelerator": "h100-sxm", "efficiency": 0.7}})",
             "training", 16);
}

// ---- a published trace: Chakra's own feeder test trace ----

// tests/data/chakra/chakra.0.et.gz is tests/data/chakra.0.et of github.com/mlcommons/chakra
// (Apache-2.0; see tests/data/chakra/README.md): one rank of a PyTorch run, converted.
// Facts about it counted independently of Roshni (a Python reading of the protobuf wire
// format, tests/data/chakra/README.md): 3,664 nodes, 3,643 COMP_NODEs and 21
// COMM_COLL_NODEs, 14 of them host-side (is_cpu_op, no comm_type); 1,277 control
// dependencies name nodes not in the file (PyTorch's parent operators), so it is read with
// "ctrl_deps": "ignore". Every node becomes one task (a collective over a group of one
// rank moves nothing): 3,664 entries, no flow; the tasks' durations sum to the recorded
// duration_micros of the 3,657 nodes that are not GPU-side collectives, 345,080 us.
TEST(ChakraPublishedTrace, FeederTestTraceReads) {
  const fs::path dir = fs::temp_directory_path() / ("roshni-chakra-pub-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path gz = fs::path(ROSHNI_SOURCE_DIR) / "tests" / "data" / "chakra" / "chakra.0.et.gz";
  ASSERT_EQ(std::system(("gzip -dc '" + gz.string() + "' > '" + (dir / "chakra.0.et").string() + "'").c_str()), 0);
  const auto s = load_scenario_text(
      R"({"topology": {"kind": "star", "gpus": 1, "link": {"bandwidth": "100 Gbps"}},
          "workload": {"kind": "chakra", "prefix": "chakra.", "ranks": 1, "ctrl_deps": "ignore"}})",
      (dir / "s.json").string());
  EXPECT_EQ(s.flows.size(), 3664u);
  EXPECT_EQ(s.flows.task_count(), 3664u);
  int64_t total = 0;
  for (uint32_t f = 0; f < s.flows.size(); ++f) total += s.flows.task_time(FlowId(f)).ps();
  EXPECT_EQ(total, int64_t{345080} * 1000000);
  // Read as the schema says (control dependencies count), it names the missing parent.
  const auto e = error_of([&] {
    load_scenario_text(
        R"({"topology": {"kind": "star", "gpus": 1, "link": {"bandwidth": "100 Gbps"}},
            "workload": {"kind": "chakra", "prefix": "chakra.", "ranks": 1}})",
        (dir / "s.json").string());
  });
  EXPECT_NE(e.message().find("\"ctrl_deps\": \"ignore\""), std::string::npos) << e.what();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace roshni::scenario
