// One data-parallel replica standing for all (workload.simulate "one_replica",
// docs/models/scale.md). The independent reference is the same iteration with every
// replica simulated ("all_replicas"): on fabrics where the replicas are copies of one
// another and do not share a link (a star; a non-blocking fat-tree with D-mod-K routing,
// whose up links are fixed by the destination), the two runs must agree — iteration to
// the picosecond, energy and link bytes to rounding — and the traffic totals the report
// gives must be the whole cluster's.
#include <string>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/power/inventory.h"
#include "roshni/report/report.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;

const std::string kStar =
    R"("topology": {"kind": "star", "gpus": 32, "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
        "switch_latency": "300 ns"})";
// 8 leaves of 4 GPUs, 4 spines; domains of 4 (one per leaf): TP inside the domain, every
// DP and PP hop crosses the spines.
const std::string kFatTree =
    R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 32, "routing": "dmodk",
        "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns",
        "scale_up": {"domain_size": 4, "bandwidth": "450 GB/s", "link_latency": "20 ns"}})";
// 4 leaves of 8 GPUs (two domains each): a DP ring's hops alternate between staying
// under a leaf and crossing the spines.
const std::string kFatTree16 =
    R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 16, "gpus": 32, "routing": "dmodk",
        "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns",
        "scale_up": {"domain_size": 4, "bandwidth": "450 GB/s", "link_latency": "20 ns"}})";
const std::string kModel =
    R"("layers": 8, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
       "global_batch": 32, "micro_batch": 1)";
const std::string kEnergy =
    R"("energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g",
                  "links": {"static_power": "3 W", "energy_per_bit": "2 pJ/bit"}})";

std::string scenario(const std::string& topology, const std::string& plan, const std::string& simulate,
                     const std::string& model = kModel) {
  return "{" + topology + R"(, "workload": {"kind": "training", "accelerator": "h100-sxm",
      "model": {)" + model + R"(}, "parallelism": {)" + plan + R"(}, "simulate": ")" + simulate +
         R"("}, )" + kEnergy + "}";
}

struct Both {
  Scenario all, one;
  RunOutcome all_run, one_run;
};

Both run_both(const std::string& topology, const std::string& plan) {
  Both b{load_scenario_text(scenario(topology, plan, "all_replicas"), "all.json"),
         load_scenario_text(scenario(topology, plan, "one_replica"), "one.json"), {}, {}};
  b.all_run = simulate(b.all);
  b.one_run = simulate(b.one);
  EXPECT_TRUE(b.all_run.net.unfinished.empty());
  EXPECT_TRUE(b.one_run.net.unfinished.empty());
  return b;
}

double class_energy(const RunOutcome& r, power::ComponentClass c) {
  return r.power->energy.by_class[static_cast<size_t>(c)].energy.si();
}

/// `peak_tolerance`: the peak of dynamic power is d times the simulated replica's, exact
/// when every ring hop crosses the same kinds of links; where hops differ (some stay under
/// a leaf) the replicas' link power at one instant mixes hops, and the fold's peak is off
/// by the hops' difference in energy per byte (docs/models/scale.md).
void expect_same_cluster(const Both& b, uint32_t data, double peak_tolerance = 1e-9) {
  // The iteration: to the picosecond, give or take the rounding of each transfer's end up
  // to a whole picosecond (the folded chain's transfers are other flows than the
  // expanded ring's longest chain, so their roundings add up differently).
  EXPECT_NEAR(static_cast<double>(b.one_run.net.makespan.ps()),
              static_cast<double>(b.all_run.net.makespan.ps()), 4.0);
  // One replica's flows, about 1/d of the whole.
  EXPECT_LT(b.one.flows.size() * (data - 1), b.all.flows.size());
  // Energy by class and in total (exact integrals of the same activity; rounding aside).
  for (const auto c : {power::ComponentClass::gpu, power::ComponentClass::switch_,
                       power::ComponentClass::link, power::ComponentClass::host}) {
    EXPECT_NEAR(class_energy(b.one_run, c), class_energy(b.all_run, c),
                1e-9 * class_energy(b.all_run, c) + 1e-12)
        << power::to_string(c);
  }
  EXPECT_NEAR(b.one_run.power->energy.total.si(), b.all_run.power->energy.total.si(),
              1e-9 * b.all_run.power->energy.total.si());
  EXPECT_NEAR(b.one_run.power->energy.peak.si(), b.all_run.power->energy.peak.si(),
              peak_tolerance * b.all_run.power->energy.peak.si());
  const auto gpu_peak = [](const RunOutcome& r) {
    return r.power->energy.by_class[static_cast<size_t>(power::ComponentClass::gpu)].peak.si();
  };
  EXPECT_NEAR(gpu_peak(b.one_run), gpu_peak(b.all_run), 1e-9 * gpu_peak(b.all_run));
  // Every GPU computes for as long as it does when every replica runs.
  ASSERT_EQ(b.one_run.net.busy_ps.size(), b.all_run.net.busy_ps.size());
  for (size_t n = 0; n < b.all_run.net.busy_ps.size(); ++n) {
    EXPECT_EQ(b.one_run.net.busy_ps[n], b.all_run.net.busy_ps[n]) << "node " << n;
    EXPECT_NEAR(b.one_run.net.work_s[n], b.all_run.net.work_s[n], 1e-12) << "node " << n;
  }
  // Every link carries what it carries when every replica runs.
  ASSERT_EQ(b.one_run.net.link_bytes.size(), b.all_run.net.link_bytes.size());
  for (size_t l = 0; l < b.all_run.net.link_bytes.size(); ++l) {
    const double want = b.all_run.net.link_bytes[l].si();
    EXPECT_NEAR(b.one_run.net.link_bytes[l].si(), want, 1e-9 * want + 1e-6) << "link " << l;
  }
  // The report's traffic is the whole cluster's, not the simulated replica's.
  for (size_t k = 0; k < work::kTrafficNames.size(); ++k) {
    const auto& one = b.one.training->traffic[k];
    const auto& all = b.all.training->traffic[k];
    EXPECT_EQ(one.collectives, all.collectives) << work::kTrafficNames[k];
    EXPECT_EQ(one.flows, all.flows) << work::kTrafficNames[k];
    EXPECT_NEAR(one.bytes.si(), all.bytes.si(), 1e-9 * all.bytes.si()) << work::kTrafficNames[k];
  }
  EXPECT_NEAR(report::summarize(b.one, b.one_run.net).payload.si(),
              report::summarize(b.all, b.all_run.net).payload.si(), 1e-9 * b.all.flows.total_size().si());
  EXPECT_EQ(b.one.training->replicas_per_simulated, data);
  EXPECT_EQ(b.all.training->replicas_per_simulated, 1u);
}

TEST(ReplicaFold, OneReplicaIsTheWholeIterationOnAStar) {
  expect_same_cluster(run_both(kStar, R"("data": 4, "tensor": 4, "pipeline": 2)"), 4);
}

// ZeRO-1 and ZeRO-3 fold the reduce-scatter and the all-gathers (the parameters'
// gathers before every step, and the updated shards' after the optimizer).
TEST(ReplicaFold, ShardedOptimizerStatesFoldToo) {
  expect_same_cluster(run_both(kStar, R"("data": 4, "tensor": 4, "pipeline": 2, "sharding": "zero1")"), 4);
  expect_same_cluster(run_both(kStar, R"("data": 4, "tensor": 4, "pipeline": 2, "sharding": "zero3")"), 4);
}

TEST(ReplicaFold, OneReplicaIsTheWholeIterationOnAFatTreeWithDmodK) {
  expect_same_cluster(run_both(kFatTree, R"("data": 4, "tensor": 4, "pipeline": 2)"), 4);
  expect_same_cluster(run_both(kFatTree, R"("data": 8, "tensor": 4, "pipeline": 1)"), 8);
}

TEST(ReplicaFold, RingHopsOfDifferentLengthsFollowTheCriticalPath) {
  // Measured: the peak 0.12 % high (49,757.8 W against 49,698.0 W).
  expect_same_cluster(run_both(kFatTree16, R"("data": 8, "tensor": 4, "pipeline": 1)"), 8, 0.005);
}

// With ECMP the replicas' flows hash onto shared spine links; one replica does not see
// those collisions (1.5-2.0 % low at 1,024-4,096 GPUs, docs/models/scale.md), so plain
// "one_replica" is refused there and names the way out; "one_replica_lower_bound" runs and
// says so (report and terminal); with D-mod-K the run says it too (leaf up links can be
// shared); only a star, where replicas share no link, needs no caveat.
TEST(ReplicaFold, HashedRoutingIsRefusedUnlessALowerBoundIsAskedFor) {
  std::string ecmp = kFatTree;
  ecmp.replace(ecmp.find("\"dmodk\""), 7, "\"ecmp\"");
  const std::string plan = R"("data": 8, "tensor": 4, "pipeline": 1)";
  const ScenarioError refused =
      error_of([&] { load_scenario_text(scenario(ecmp, plan, "one_replica"), "t.json"); });
  EXPECT_EQ(refused.pointer(), "/workload/simulate") << refused.message();
  EXPECT_NE(refused.message().find("depends on the flow's hash"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("one_replica_lower_bound"), std::string::npos) << refused.message();
  std::string first = kFatTree;
  first.replace(first.find("\"dmodk\""), 7, "\"first\"");
  EXPECT_NE(error_of([&] { load_scenario_text(scenario(first, plan, "one_replica"), "t.json"); })
                .message()
                .find("same first up links"),
            std::string::npos);

  const Scenario hashed = load_scenario_text(scenario(ecmp, plan, "one_replica_lower_bound"), "t.json");
  EXPECT_EQ(hashed.fold.replicas, 8u);
  EXPECT_NE(hashed.fold.caveat.find("lower bound"), std::string::npos) << hashed.fold.caveat;
  const auto r = net::run_flow_model(hashed.topology, hashed.flows, hashed.paths, hashed.run_options);
  const std::string json = report::report_json(hashed, r, report::summarize(hashed, r));
  EXPECT_NE(json.find("\"replicas_caveat\""), std::string::npos);
  // D-mod-K: alike paths, but leaf up links can still be shared between replicas.
  const std::string dmodk = load_scenario_text(scenario(kFatTree, plan, "one_replica"), "t.json").fold.caveat;
  EXPECT_NE(dmodk.find("lower bound"), std::string::npos) << dmodk;
  EXPECT_TRUE(load_scenario_text(scenario(kStar, R"("data": 4, "tensor": 4, "pipeline": 2)", "one_replica"),
                                 "t.json").fold.caveat.empty());
}

// ECMP where no replica's path has a choice (both replicas under one leaf: every pair
// goes GPU -> leaf -> GPU) is accepted as plain "one_replica", and exact.
TEST(ReplicaFold, EcmpWithoutAChoiceOfPathIsAcceptedAndExact) {
  const std::string one_leaf =
      R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 16, "gpus": 8, "routing": "ecmp",
          "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns",
          "scale_up": {"domain_size": 4, "bandwidth": "450 GB/s", "link_latency": "20 ns"}})";
  const Both b = run_both(one_leaf, R"("data": 2, "tensor": 4, "pipeline": 1)");
  expect_same_cluster(b, 2);
  EXPECT_NE(b.one.fold.caveat.find("no replica's path depends on the flow's hash"), std::string::npos)
      << b.one.fold.caveat;
}

struct Refused {
  std::string name, topology, plan, model, keyword;
};

TEST(ReplicaFold, RefusedWhereReplicasAreNotCopies) {
  const std::string torus =
      R"("topology": {"kind": "torus", "dims": [4, 8], "link": {"bandwidth": "400 Gbps"}})";
  const std::string oversubscribed =
      R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "oversubscription": 3, "gpus": 32,
          "link": {"bandwidth": "400 Gbps"}})";
  // 24 GPUs on leaves of 4: with TP 3, replica 0's TP group (GPUs 0-2) sits on one leaf
  // and replica 1's (3-5) across two, so their TP rings differ.
  const std::string uneven =
      R"("topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 24,
          "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}, "switch_latency": "300 ns"})";
  const std::string moe = kModel + R"(, "experts": 8, "top_k": 2)";
  const std::string twelve_heads =
      R"("layers": 8, "hidden": 1536, "heads": 12, "ffn": 6144, "vocabulary": 1000, "sequence": 512,
         "global_batch": 32, "micro_batch": 1)";
  for (const Refused& r : {
           Refused{"torus", torus, R"("data": 4, "tensor": 4, "pipeline": 2)", kModel, "the topology is a torus"},
           Refused{"oversubscribed", oversubscribed, R"("data": 4, "tensor": 4, "pipeline": 2)", kModel,
                   "oversubscribed"},
           Refused{"expert", kStar, R"("data": 4, "tensor": 4, "pipeline": 2, "expert": 2)", moe,
                   "expert parallelism 2 spans data-parallel replicas"},
           Refused{"hierarchical", kFatTree, R"("data": 8, "tensor": 2, "pipeline": 2)", kModel,
                   "share scale-up domains"},
           Refused{"uneven", uneven, R"("data": 8, "tensor": 3, "pipeline": 1)", twelve_heads,
                   "does not treat the data-parallel replicas alike"},
       }) {
    const ScenarioError e = error_of(
        [&] { load_scenario_text(scenario(r.topology, r.plan, "one_replica", r.model), "t.json"); });
    EXPECT_EQ(e.pointer(), "/workload/simulate") << r.name << ": " << e.message();
    EXPECT_NE(e.message().find(r.keyword), std::string::npos) << r.name << ": " << e.message();
  }
}

// A plan over the flow limit is told that one replica could stand for all.
TEST(ReplicaFold, TheFlowLimitNamesTheFoldAndAppliesToSimulatedFlows) {
  LoadOptions o;
  o.max_flows = 10'000;  // the plan: 18,208 flows and steps in all, 2,276 for one replica
  const std::string plan = R"("data": 8, "tensor": 4, "pipeline": 1)";
  const ScenarioError e =
      error_of([&] { load_scenario_text(scenario(kFatTree, plan, "all_replicas"), "t.json", o); });
  EXPECT_NE(e.message().find("\"simulate\": \"one_replica\""), std::string::npos) << e.message();
  const Scenario s = load_scenario_text(scenario(kFatTree, plan, "one_replica"), "t.json", o);
  EXPECT_LE(s.flows.size(), o.max_flows);
  // Where the fold would be refused, the message does not suggest it.
  std::string torus = R"("topology": {"kind": "torus", "dims": [4, 8], "link": {"bandwidth": "400 Gbps"}})";
  const ScenarioError t =
      error_of([&] { load_scenario_text(scenario(torus, plan, "all_replicas"), "t.json", o); });
  EXPECT_NE(t.message().find("layers_per_step"), std::string::npos) << t.message();
  EXPECT_EQ(t.message().find("one_replica"), std::string::npos) << t.message();
}

}  // namespace
}  // namespace roshni::scenario
