// The loader's collective workloads: how the keys reach coll::Collective, the defaults
// (auto, every GPU, the topology's scale-up domain), and the facts the auto rule sees.
// Bad inputs are in e2e/bad_input_test.cpp.
#include <gtest/gtest.h>

#include "roshni/scenario/loader.h"

namespace roshni::scenario {
namespace {

LoadOptions in_memory() {
  LoadOptions o;
  o.reader = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  return o;
}

Scenario load(const std::string& workload, const std::string& topology = "") {
  const std::string t =
      topology.empty()
          ? R"({"kind": "star", "gpus": 8, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
               "switch_latency": "300 ns"})"
          : topology;
  return load_scenario_text(R"({"topology": )" + t + R"(, "workload": )" + workload + "}", "c.json",
                            in_memory());
}

// Clos fabric of 32 GPUs in NVLink domains of 8 (two leaves of 16, radix 32).
const std::string kScaleUp = R"({"kind": "fat_tree", "tiers": 2, "radix": 32, "gpus": 32,
    "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns",
    "scale_up": {"domain_size": 8, "bandwidth": "450 GB/s"}})";

// p2p: one flow from src to dst, 2 ranks. Broadcast: root by name, the chain starts
// there (gpu5 -> gpu6 -> gpu7 -> gpu0 ...), 7 flows.
TEST(CollectiveWorkload, P2pAndBroadcastRoot) {
  const Scenario p = load(R"({"kind": "p2p", "src": "gpu2", "dst": "gpu6", "size": "1 MiB"})");
  ASSERT_EQ(p.flows.size(), 1u);
  EXPECT_EQ(p.topology.node_name(p.flows.src(FlowId(0))), "gpu2");
  EXPECT_EQ(p.topology.node_name(p.flows.dst(FlowId(0))), "gpu6");
  EXPECT_EQ(p.workload.ranks, 2u);
  EXPECT_EQ(p.workload.algorithm, "direct");
  const Scenario b =
      load(R"({"kind": "broadcast", "algorithm": "ring", "root": "gpu5", "size": "1 MiB"})");
  ASSERT_EQ(b.flows.size(), 7u);
  EXPECT_EQ(b.topology.node_name(b.flows.src(FlowId(0))), "gpu5");
  EXPECT_EQ(b.topology.node_name(b.flows.dst(FlowId(0))), "gpu6");
  EXPECT_EQ(b.topology.node_name(b.flows.dst(FlowId(2))), "gpu0");
}

// Auto on a fabric with NVLink domains of 8 under the ranks: hierarchical, with
// domain_size from the topology; listing the ranks out of domain order removes the
// fact (gpu0, gpu8, ... are not consecutive runs of one domain) and auto takes the ring.
TEST(CollectiveWorkload, AutoSeesScaleUpDomains) {
  const Scenario h = load(R"({"kind": "all_reduce", "size": "1 GiB"})", kScaleUp);
  EXPECT_EQ(h.workload.algorithm, "hierarchical");
  EXPECT_EQ(h.workload.inter, "ring");
  EXPECT_TRUE(h.workload.selected_by.starts_with("auto: scale-up domains of 8"))
      << h.workload.selected_by;
  // 4 domains x 2 x 8 x 7 intra + 8 rails x 2 x 4 x 3 inter = 448 + 192.
  EXPECT_EQ(h.flows.size(), 640u);
  std::string ranks = "[";
  for (int i = 0; i < 32; ++i)
    ranks += (i ? ", \"gpu" : "\"gpu") + std::to_string(i % 4 * 8 + i / 4) + "\"";
  ranks += "]";
  const Scenario r =
      load(R"({"kind": "all_reduce", "size": "1 GiB", "ranks": )" + ranks + "}", kScaleUp);
  EXPECT_EQ(r.workload.algorithm, "ring");
  // Named hierarchical takes the topology's domain size and auto's inter choice.
  const Scenario n =
      load(R"({"kind": "all_to_all", "algorithm": "hierarchical", "size": "1 GiB"})", kScaleUp);
  EXPECT_EQ(n.workload.selected_by, "");
  EXPECT_EQ(n.flows.size(), 32u * 7 + 32u * 3);
}

// A reduction rate of "0 B/s" is free (no compute steps); a positive one adds one per
// reduced transfer (ring reduce-scatter over 8: 56). Chunks and channels multiply.
TEST(CollectiveWorkload, OptionsReachTheFlows) {
  EXPECT_EQ(load(R"({"kind": "reduce_scatter", "size": "1 MiB", "reduction_rate": "0 B/s"})")
                .flows.task_count(),
            0u);
  const Scenario s = load(
      R"({"kind": "reduce_scatter", "size": "1 MiB", "reduction_rate": "100 GB/s",
          "chunks": 2, "channels": 3})");
  EXPECT_EQ(s.flows.task_count(), 6u * 56);
  EXPECT_EQ(s.flows.size(), 6u * 56 * 2);
  EXPECT_EQ(s.workload.chunks, 2u);
  EXPECT_EQ(s.workload.channels, 3u);
  const Scenario m = load(
      R"({"kind": "all_reduce", "algorithm": "multi_dimensional", "dims": [2, 4], "size": "1 MiB"})");
  EXPECT_EQ(m.flows.size(), 2u * 8 * (1 + 3));
}

}  // namespace
}  // namespace roshni::scenario
