// The loader's "library" key (coll/library.h, configs/libraries.json): the catalog's
// figures reach the flows, the tuner's choice is reported, rings get one channel per
// NIC across nodes, and nvls finds its switch. Bad values are rows of
// e2e/bad_input_test.cpp.
#include <gtest/gtest.h>

#include <set>

#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {
namespace {

// The repository's catalog (configs/), read from disk.
Scenario load(const std::string& workload, const std::string& topology) {
  return load_scenario_text(R"({"topology": )" + topology + R"(, "workload": )" + workload + "}",
                            "lib.json");
}

// An H100-like node: 8 GPUs on one NVSwitch, 450 GB/s per direction, no wire latency.
const std::string kNode = R"({"kind": "star", "gpus": 8, "scale_up": true,
    "link": {"bandwidth": "450 GB/s", "latency": "0 ns"}})";
// Two such nodes (NVLink domains of 8), GPU j of each on rail leaf j with a 400 Gb/s NIC.
const std::string kTwoNodes = R"({"kind": "rail_optimized", "tiers": 2, "radix": 16, "gpus": 16,
    "gpus_per_server": 8, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
    "switch_latency": "300 ns", "scale_up": {"domain_size": 8, "bandwidth": "450 GB/s"}})";

// The catalog's LL figures reach the flows: a ring all-reduce of 8 MiB under LL carries
// each 1 MiB piece as 1 MiB / (0.5 payload x 0.824 NVLink efficiency) = 2,545,177 bytes
// (rounded up), and every flow has NVLink's LL step latency, 0.6 us, the first step's
// also the 6.6 us launch (NCCL tuning.cc, configs/libraries.json).
TEST(LibraryWorkload, CatalogFiguresReachTheFlows) {
  const Scenario s = load(R"({"kind": "all_reduce", "algorithm": "ring", "size": "8 MiB",
                              "library": {"name": "nccl", "protocol": "LL"}})",
                          kNode);
  EXPECT_EQ(s.workload.library, "nccl");
  EXPECT_EQ(s.workload.protocol, "LL");
  ASSERT_EQ(s.flows.size(), 2u * 8 * 7);
  EXPECT_DOUBLE_EQ(s.flows.flow_size(FlowId(0)).si(), std::ceil(1048576 / (0.5 * 0.824)));
  EXPECT_EQ(s.flows.extra_latency(FlowId(0)).ps(), 6'600'000 + 600'000);  // step 0
  EXPECT_EQ(s.flows.extra_latency(FlowId(8)).ps(), 600'000);              // step 1
  // Without a library: the ideal ring, n/p on the wire and no extra latency.
  const Scenario ideal = load(R"({"kind": "all_reduce", "algorithm": "ring", "size": "8 MiB"})",
                              kNode);
  EXPECT_DOUBLE_EQ(ideal.flows.flow_size(FlowId(0)).si(), 1048576);
  EXPECT_EQ(ideal.flows.extra_latency(FlowId(0)).ps(), 0);
  EXPECT_EQ(ideal.workload.library, "");
}

// auto with a library: the tuner weighs the rule's pick, the ring and nvls under every
// protocol and reports what it weighed; 8 B goes to ring/LL and 1 GiB to nvls/Simple,
// as NCCL chooses on an H100 node (NVIDIA/nccl-tests#309). An override of the NVLS
// efficiency to 40 % makes the ring (Simple) faster at 1 GiB: 2(p-1)/p n / (B 0.824) =
// 5.09 ms against NVLS's n (1 + 1/8) / (B 0.824 x 0.40) = 8.14 ms.
TEST(LibraryWorkload, TunerChoosesAndSaysWhy) {
  const Scenario small = load(R"({"kind": "all_reduce", "size": "8 B", "library": "nccl"})", kNode);
  EXPECT_EQ(small.workload.algorithm, "ring");
  EXPECT_EQ(small.workload.protocol, "LL");
  EXPECT_NE(small.workload.selected_by.find("least predicted time: ring/LL"), std::string::npos)
      << small.workload.selected_by;
  EXPECT_NE(small.workload.selected_by.find("nvls/Simple"), std::string::npos);
  const Scenario big = load(R"({"kind": "all_reduce", "size": "1 GiB", "library": "nccl"})", kNode);
  EXPECT_EQ(big.workload.algorithm, "nvls");
  EXPECT_EQ(big.workload.protocol, "Simple");
  EXPECT_EQ(big.workload.chunks, 64u);  // ceil(1 GiB / 128 KiB), at most 64
  const Scenario slow_nvls = load(R"({"kind": "all_reduce", "size": "1 GiB",
                                      "library": {"name": "nccl", "nvls_efficiency": "40 %"}})",
                                  kNode);
  EXPECT_EQ(slow_nvls.workload.algorithm, "ring");
  EXPECT_EQ(slow_nvls.workload.protocol, "Simple");
}

// One ring per NIC across nodes: a ring all-reduce over two nodes of 8 gets 8 channels,
// and channel k's ring leaves each node from a different GPU (so a different NIC), and
// enters the other node on the same rail (local rank) it left from. Without the library
// every channel leaves through GPU 7 and GPU 15.
TEST(LibraryWorkload, RingsTakeOneNicEachAcrossNodes) {
  const auto crossings = [](const Scenario& s) {
    std::set<std::pair<uint32_t, uint32_t>> out;  // (src GPU, dst GPU) of node-crossing flows
    for (uint32_t f = 0; f < s.flows.size(); ++f) {
      const uint32_t a = s.flows.src(FlowId(f)).value(), b = s.flows.dst(FlowId(f)).value();
      if (a / 8 != b / 8) out.insert({a, b});
    }
    return out;
  };
  const Scenario s = load(R"({"kind": "all_reduce", "algorithm": "ring", "size": "1 GiB",
                              "library": "nccl"})",
                          kTwoNodes);
  EXPECT_EQ(s.workload.channels, 8u);
  const auto with = crossings(s);
  std::set<uint32_t> leaving;
  size_t same_rail = 0;
  for (const auto& [a, b] : with) {
    leaving.insert(a);
    same_rail += a % 8 == b % 8 ? 1 : 0;
  }
  EXPECT_EQ(leaving.size(), 16u);  // every GPU of both nodes leaves once
  EXPECT_EQ(same_rail, 8u);        // node 0 -> 1 on the rail; the way back wraps
  const Scenario ideal = load(R"({"kind": "all_reduce", "algorithm": "ring", "size": "1 GiB",
                                  "channels": 8})",
                              kTwoNodes);
  const auto without = crossings(ideal);
  EXPECT_EQ(without, (std::set<std::pair<uint32_t, uint32_t>>{{7, 8}, {15, 0}}));
}

// NVLS-Tree on two nodes: each node's NVSwitch reduces its 8 ranks; with inter "sharp"
// the rail leaf j (every rail's two GPUs hang off it) all-reduces rail j's shard. The
// in-network flows are pinned to the one link between a GPU and its switch.
TEST(LibraryWorkload, NvlsTreeFindsNodeSwitchesAndRailSwitches) {
  const Scenario s = load(R"({"kind": "all_reduce", "algorithm": "nvls_tree", "inter": "sharp",
                              "size": "1 GiB", "chunks": 1, "library": "nccl"})",
                          kTwoNodes);
  EXPECT_EQ(s.workload.algorithm, "nvls_tree");
  EXPECT_EQ(s.workload.inter, "sharp");
  std::set<std::string> switches;
  for (uint32_t f = 0; f < s.flows.size(); ++f) {
    for (NodeId n : {s.flows.src(FlowId(f)), s.flows.dst(FlowId(f))}) {
      if (s.topology.node_kind(n) != topo::NodeKind::gpu) switches.insert(std::string(s.topology.node_role(n)));
    }
    if (s.topology.node_kind(s.flows.dst(FlowId(f))) != topo::NodeKind::gpu) {
      EXPECT_EQ(s.flows.pinned_path(FlowId(f)).size(), 1u);
    }
  }
  EXPECT_EQ(switches, (std::set<std::string>{"leaf", "scale-up"}));  // the Clos generator's roles
  // 4p NVLS transfers + d rails x 2G SHARP transfers = 64 + 32.
  EXPECT_EQ(s.flows.size(), 96u);
}

// A path over links of role "pcie" is a PCIe hop: NCCL's PCI hop latency (Simple 5.7 us)
// and the PCIe share of the link (NCCL's 24 of 31.5 GB/s for Gen4 x16: 76 %). Two GPUs
// under one PCIe switch, a ring all-reduce of 2 MiB under Simple: each of the 2(p-1) = 2
// steps carries n/p = 1 MiB as 1,048,576 / 0.76 = 1,379,706 bytes (rounded up); the first
// flows pay 8.4 + 5.7 us.
TEST(LibraryWorkload, PcieLinksArePcieHops) {
  const std::string pcie = R"({"kind": "explicit",
      "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
                {"name": "plx", "kind": "switch"}],
      "links": [{"a": "gpu0", "b": "plx", "bandwidth": "32 GB/s", "role": "pcie"},
                {"a": "plx", "b": "gpu1", "bandwidth": "32 GB/s", "role": "pcie"}]})";
  const Scenario s = load(R"({"kind": "all_reduce", "algorithm": "ring", "size": "2 MiB",
                              "library": {"name": "nccl", "protocol": "Simple"}})",
                          pcie);
  ASSERT_EQ(s.flows.size(), 4u);
  EXPECT_DOUBLE_EQ(s.flows.flow_size(FlowId(0)).si(), std::ceil(1048576 / 0.76));
  EXPECT_EQ(s.flows.extra_latency(FlowId(0)).ps(), 8'400'000 + 5'700'000);
}

// nvls finds the NVSwitch under the ranks; reduce reads its root.
TEST(LibraryWorkload, NvlsSwitchAndReduceRoot) {
  const Scenario s = load(R"({"kind": "all_reduce", "algorithm": "nvls", "size": "1 MiB",
                              "chunks": 1})",
                          kNode);
  ASSERT_EQ(s.flows.size(), 16u);
  EXPECT_EQ(s.topology.node_role(s.flows.dst(FlowId(0))), "nvswitch");
  EXPECT_EQ(s.topology.node_role(s.flows.src(FlowId(8))), "nvswitch");
  const Scenario r = load(R"({"kind": "reduce", "size": "1 MiB", "root": "gpu3"})", kNode);
  EXPECT_EQ(r.workload.algorithm, "ring");
  ASSERT_EQ(r.flows.size(), 7u);
  EXPECT_EQ(r.topology.node_name(r.flows.dst(FlowId(6))), "gpu3");
}

}  // namespace
}  // namespace roshni::scenario
