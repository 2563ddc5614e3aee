// From scenario text to a validated Scenario: the topology and flows that a valid star
// and a valid explicit scenario produce, the defaults, trace files, and a sample of the
// errors (the full table of bad inputs runs through the CLI in e2e/bad_input_test.cpp).
#include "roshni/scenario/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "roshni/core/error.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;
using testing::memory;


LoadOptions in_memory(std::map<std::string, std::string> files = {}) {
  LoadOptions o;
  o.reader = memory(std::move(files));
  return o;
}


NodeId node(const topo::Topology& t, std::string_view name) {
  const auto id = t.find_node(name);
  EXPECT_TRUE(id.has_value()) << name;
  return id.value_or(NodeId(0));
}

// Four GPUs on a star of 100 Gb/s (12.5e9 B/s) links with 1 us latency and a 200 ns
// switch: 5 nodes (gpu0..gpu3 then the switch), 4 duplex links = 8 directed. A ring
// all-reduce over 4 ranks has 2(N-1) = 6 steps of N = 4 flows: 24 flows of S/N = 1 MiB
// each, every one routed over 2 links (gpu -> switch -> gpu).
TEST(Loader, StarAllReduce) {
  const Scenario s = load_scenario_text(R"({
    "name": "star4", "seed": 9,
    "topology": {"kind": "star", "gpus": 4,
                 "link": {"bandwidth": "100 Gbps", "latency": "1 us"},
                 "switch_latency": "200 ns"},
    "workload": {"kind": "all_reduce", "size": "4 MiB"}
  })",
                                        "star4.json", in_memory());
  EXPECT_EQ(s.name, "star4");
  EXPECT_EQ(s.file, "star4.json");
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.network_model, "flow");
  const topo::Topology& t = s.topology;
  ASSERT_EQ(t.node_count(), 5u);
  EXPECT_EQ(t.link_count(), 8u);
  EXPECT_EQ(t.gpus().size(), 4u);
  EXPECT_EQ(t.node_name(NodeId(0)), "gpu0");
  const NodeId sw = node(t, "switch");  // the default switch name
  EXPECT_EQ(t.node_kind(sw), topo::NodeKind::switch_);
  EXPECT_EQ(t.forwarding_latency(sw).ps(), 200'000);
  for (uint32_t l = 0; l < t.link_count(); ++l) {
    EXPECT_EQ(t.link_capacity(LinkId(l)).si(), 12.5e9);
    EXPECT_EQ(t.link_latency(LinkId(l)).ps(), 1'000'000);
  }
  ASSERT_EQ(s.flows.size(), 24u);
  for (uint32_t f = 0; f < 24; ++f) {
    EXPECT_EQ(s.flows.flow_size(FlowId(f)).si(), 1048576.0);
    EXPECT_EQ(s.paths.of(FlowId(f)).size(), 2u);
  }
  EXPECT_EQ(s.workload.kind, "all_reduce");
  EXPECT_EQ(s.workload.algorithm, "ring");
  EXPECT_EQ(s.workload.ranks, 4u);
  EXPECT_EQ(s.workload.size.si(), 4194304.0);
  EXPECT_FALSE(s.report.per_flow.has_value());  // rows in flows.csv, and report.json up to a count
  EXPECT_TRUE(s.report.flow_rows_in_json(s.flows.size()));
}

// Defaults: name from the file name, seed 1, zero latencies, the "flow" model, ranks =
// all GPUs in id order, LoadOptions::seed replacing the scenario's seed.
TEST(Loader, Defaults) {
  const std::string text = R"({
    "topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
    "workload": {"kind": "all_reduce", "size": "2 KiB"}
  })";
  const Scenario s = load_scenario_text(text, "dir/my-run.json", in_memory());
  EXPECT_EQ(s.name, "my-run");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.network_model, "flow");
  EXPECT_EQ(s.topology.link_latency(LinkId(0)).ps(), 0);
  EXPECT_EQ(s.topology.forwarding_latency(node(s.topology, "switch")).ps(), 0);
  // 2 ranks: 2 steps of 2 flows.
  EXPECT_EQ(s.flows.size(), 4u);
  EXPECT_EQ(s.workload.ranks, 2u);
  auto o = in_memory();
  o.seed = 77;
  EXPECT_EQ(load_scenario_text(text, "x.json", o).seed, 77u);
}

// gpu0 - sw0 - gpu1, and a direct gpu0 - gpu1 link of asymmetric bandwidth. Three flows:
// "a" (routed: the direct link is the 1-hop shortest path), "b" after "a" starting no
// sooner than 5 us and pinned through the switch, and "c" after both "a" and "b".
TEST(Loader, ExplicitTopologyWithInlineTrace) {
  const Scenario s = load_scenario_text(R"({
    "schema": 1,
    "topology": {"kind": "explicit",
      "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
                {"name": "sw0", "kind": "switch", "latency": "300 ns"}],
      "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "400 Gbps", "latency": "100 ns"},
                {"a": "sw0", "b": "gpu1", "bandwidth": "400 Gbps"},
                {"a": "gpu0", "b": "gpu1", "bandwidth": "100 Gbps", "reverse_bandwidth": "50 Gbps"}]},
    "workload": {"kind": "flow_trace", "flows": [
      {"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 MB"},
      {"id": "b", "src": "gpu0", "dst": "gpu1", "size": "2 MB", "after": ["a"],
       "start": "5 us", "path": ["gpu0", "sw0", "gpu1"]},
      {"id": "c", "src": "gpu1", "dst": "gpu0", "size": "3 MB", "after": ["b", "a"]}]},
    "report": {"per_flow": false}
  })",
                                        "explicit.json", in_memory());
  const topo::Topology& t = s.topology;
  ASSERT_EQ(t.node_count(), 3u);
  EXPECT_EQ(t.gpus().size(), 2u);
  EXPECT_EQ(t.forwarding_latency(node(t, "sw0")).ps(), 300'000);
  ASSERT_EQ(t.link_count(), 6u);
  // Link 2 (third physical link, a->b direction) is gpu0->gpu1 at 100 Gb/s; its reverse
  // carries 50 Gb/s.
  EXPECT_EQ(t.link_capacity(LinkId(4)).si(), 12.5e9);
  EXPECT_EQ(t.link_capacity(LinkId(5)).si(), 6.25e9);
  EXPECT_EQ(t.link_latency(LinkId(0)).ps(), 100'000);

  ASSERT_EQ(s.flows.size(), 3u);
  EXPECT_EQ(s.flows.label(FlowId(1)), "b");
  EXPECT_EQ(s.flows.earliest_start(FlowId(1)).ps(), 5'000'000);
  ASSERT_EQ(s.flows.deps(FlowId(2)).size(), 2u);
  EXPECT_EQ(s.flows.deps(FlowId(2))[0], FlowId(1));
  EXPECT_EQ(s.flows.deps(FlowId(2))[1], FlowId(0));
  EXPECT_EQ(s.paths.of(FlowId(0)).size(), 1u);  // direct link
  ASSERT_EQ(s.paths.of(FlowId(1)).size(), 2u);  // pinned through sw0
  EXPECT_EQ(t.link_to(s.paths.of(FlowId(1))[0]), node(t, "sw0"));
  EXPECT_EQ(s.workload.kind, "flow_trace");
  EXPECT_EQ(s.workload.ranks, 2u);       // two distinct endpoints
  EXPECT_EQ(s.workload.size.si(), 6e6);  // 1 + 2 + 3 MB
  EXPECT_EQ(s.report.per_flow, std::optional<bool>(false));
}

// A trace in its own file, named relative to the scenario that names it; an error
// inside the trace names the trace file and a pointer within it.
TEST(Loader, TraceFileRelativeToScenarioAndItsErrors) {
  const std::string scenario = R"({
    "topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
    "workload": {"kind": "flow_trace", "file": "traces/t.json"}
  })";
  const Scenario s = load_scenario_text(scenario, "runs/s.json",
                                        in_memory({{"runs/traces/t.json",
                                                    R"({"description": "two flows", "flows": [
            {"id": "x", "src": "gpu0", "dst": "gpu1", "size": "1 KB"},
            {"id": "y", "src": "gpu1", "dst": "gpu0", "size": "1 KB", "after": ["x"]}]})"}}));
  EXPECT_EQ(s.flows.size(), 2u);

  const auto e = error_of([&] {
    load_scenario_text(
        scenario, "runs/s.json",
        in_memory({{"runs/traces/t.json",
                    R"({"flows": [{"id": "x", "src": "gpu0", "dst": "gpu7", "size": "1 KB"}]})"}}));
  });
  EXPECT_EQ(e.file(), "runs/traces/t.json");
  EXPECT_EQ(e.pointer(), "/flows/0/dst");
  EXPECT_NE(e.message().find("unknown node 'gpu7'"), std::string::npos) << e.what();
}

// A flow may wait for a flow listed after it; a cycle is reported at the first
// flow's "after" and names every flow on it, in waiting order.
TEST(Loader, ForwardDependenciesAndCycles) {
  const std::string topology =
      R"("topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}})";
  const Scenario s =
      load_scenario_text("{" + topology + R"(, "workload": {"kind": "flow_trace", "flows": [
      {"id": "late", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["early"]},
      {"id": "early", "src": "gpu1", "dst": "gpu0", "size": "1 KB"}]}})",
                         "fwd.json", in_memory());
  EXPECT_EQ(s.flows.deps(FlowId(0))[0], FlowId(1));

  const auto e = error_of([&] {
    load_scenario_text("{" + topology + R"(, "workload": {"kind": "flow_trace", "flows": [
      {"id": "p", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["q"]},
      {"id": "q", "src": "gpu1", "dst": "gpu0", "size": "1 KB", "after": ["r"]},
      {"id": "r", "src": "gpu1", "dst": "gpu0", "size": "1 KB", "after": ["p"]}]}})",
                       "cyc.json", in_memory());
  });
  EXPECT_EQ(e.pointer(), "/workload/flows/0/after");
  EXPECT_NE(e.message().find("dependency cycle: 'p' -> 'q' -> 'r' -> 'p'"), std::string::npos)
      << e.what();
}

// A trace file is read as a stream (issue 19.3): one over the flow limit is refused as
// soon as the count passes it, before the parser reaches the rest of the file. Here the
// limit is 2 and the file breaks off after its third flow: the error is the limit at the
// third flow, not the syntax error further down.
TEST(Loader, TraceFileOverTheFlowLimitIsRefusedAsSoonAsTheCountPassesIt) {
  auto o = in_memory({{"t.json", R"({"flows": [
      {"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB"},
      {"id": "b", "src": "gpu0", "dst": "gpu1", "size": "1 KB"},
      {"id": "c", "src": "gpu0", "dst": "gpu1", "size": "1 KB"},
      {"id": )"}});
  o.max_flows = 2;
  const auto e = error_of([&] {
    load_scenario_text(R"({"topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
                           "workload": {"kind": "flow_trace", "file": "t.json"}})",
                       "s.json", o);
  });
  EXPECT_EQ(e.file(), "t.json");
  EXPECT_EQ(e.pointer(), "/flows");
  EXPECT_NE(e.message().find("at least 3 flows, more than the limit of 2"), std::string::npos)
      << e.what();
}

// Dependencies on earlier flows are looked up first at the distance back of the last one
// found (a ring's step waits for the piece sent N flows earlier). Here the distances
// change from flow to flow, so the guess is right for some and wrong for others, and
// every dependency must still name its own flow: c waits for a (2 back, the guess says
// 1: b), d for b (2 back, as guessed), e for c then a (2 back as guessed, then 4).
TEST(Loader, TraceDependenciesAtChangingDistancesResolveToTheirFlows) {
  const auto o = in_memory({{"t.json", R"({"flows": [
      {"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB"},
      {"id": "b", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["a"]},
      {"id": "c", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["a"]},
      {"id": "d", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["b"]},
      {"id": "e", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["c", "a"]}]})"}});
  const Scenario s =
      load_scenario_text(R"({"topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
                             "workload": {"kind": "flow_trace", "file": "t.json"}})",
                         "s.json", o);
  const auto deps = [&](uint32_t f) {
    const auto d = s.flows.deps(FlowId(f));
    std::vector<uint32_t> out;
    for (const FlowId x : d) out.push_back(x.value());
    return out;
  };
  EXPECT_EQ(deps(0), std::vector<uint32_t>{});
  EXPECT_EQ(deps(1), std::vector<uint32_t>{0});
  EXPECT_EQ(deps(2), std::vector<uint32_t>{0});
  EXPECT_EQ(deps(3), std::vector<uint32_t>{1});
  EXPECT_EQ(deps(4), (std::vector<uint32_t>{2, 0}));
}

// The streamed trace file keeps every check that needs the whole list, at pointers into
// the file: a flow waiting for one listed later, an unknown id (with a suggestion), a
// dependency listed twice through a later flow, a cycle, and a flow with no route.
TEST(Loader, StreamedTraceFileErrorsPointIntoTheFile) {
  const std::string scenario = R"({"topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
                                   "workload": {"kind": "flow_trace", "file": "t.json"}})";
  const auto load = [&](const std::string& flows) {
    return load_scenario_text(scenario, "s.json", in_memory({{"t.json", "{\"flows\": [" + flows + "]}"}}));
  };
  const std::string b = R"({"id": "bee", "src": "gpu1", "dst": "gpu0", "size": "1 KB"})";
  const Scenario s = load(R"({"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["bee"]},)" + b);
  EXPECT_EQ(s.flows.deps(FlowId(0))[0], FlowId(1));
  const auto unknown = error_of([&] {
    load(R"({"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["x", "bea"]},)" + b);
  });
  EXPECT_EQ(unknown.file(), "t.json");
  EXPECT_EQ(unknown.pointer(), "/flows/0/after/0");
  EXPECT_NE(unknown.message().find("unknown flow 'x'"), std::string::npos) << unknown.what();
  const auto twice = error_of([&] {
    load(R"({"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["bee", "bee"]},)" + b);
  });
  EXPECT_EQ(twice.pointer(), "/flows/0/after");
  EXPECT_NE(twice.message().find("flow 'bee' is listed twice"), std::string::npos) << twice.what();
  const auto cycle = error_of([&] {
    load(R"({"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 KB", "after": ["bee"]},
            {"id": "bee", "src": "gpu1", "dst": "gpu0", "size": "1 KB", "after": ["a"]})");
  });
  EXPECT_EQ(cycle.file(), "t.json");
  EXPECT_EQ(cycle.pointer(), "/flows/0/after");
  EXPECT_NE(cycle.message().find("dependency cycle: 'a' -> 'bee' -> 'a'"), std::string::npos)
      << cycle.what();
}

TEST(Loader, OverridesApplyBeforeValidation) {
  const std::string text = R"({
    "topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
    "workload": {"kind": "all_reduce", "size": "2 KiB"}
  })";
  auto o = in_memory();
  o.overrides = {"topology.gpus=3", "workload.size=3 KiB"};
  const Scenario s = load_scenario_text(text, "o.json", o);
  EXPECT_EQ(s.topology.gpus().size(), 3u);
  EXPECT_EQ(s.flows.flow_size(FlowId(0)).si(), 1024.0);
  // A bad value set on the command line is blamed on --set, not on the file.
  o.overrides = {"topology.link.bandwidth=0 Gbps"};
  const auto e = error_of([&] { load_scenario_text(text, "o.json", o); });
  EXPECT_EQ(e.file(), "--set");
  EXPECT_EQ(e.pointer(), "/topology/link/bandwidth");
  EXPECT_NE(e.message().find("greater than zero"), std::string::npos);
}

// Counts are JSON integers; an integral float (4.0, 4e0) names the same integer, while
// 4.5, "4" and 1e30 (beyond the 1..2^24 GPUs a star allows) do not.
TEST(Loader, IntegersMayBeWrittenAsIntegralFloats) {
  const auto with_gpus = [](const std::string& gpus) {
    return R"({"topology": {"kind": "star", "gpus": )" + gpus +
           R"(, "link": {"bandwidth": "1 Gbps"}}, "workload": {"kind": "all_reduce", "size": "1 KiB"}})";
  };
  EXPECT_EQ(load_scenario_text(with_gpus("4.0"), "f.json", in_memory()).topology.gpus().size(), 4u);
  EXPECT_EQ(load_scenario_text(with_gpus("4e0"), "f.json", in_memory()).topology.gpus().size(), 4u);
  for (const char* bad : {"4.5", "\"4\"", "1e30", "-1e300", "0", "16777217", "true", "null"}) {
    const auto e = error_of([&] { load_scenario_text(with_gpus(bad), "f.json", in_memory()); });
    EXPECT_EQ(e.pointer(), "/topology/gpus") << bad;
    EXPECT_NE(e.message().find("expected an integer from 1 to 16777216"), std::string::npos)
        << e.what();
  }
}

// 2N(N-1) flows for N ranks: 3 ranks make 12 flows, over a limit of 10.
TEST(Loader, FlowLimit) {
  auto o = in_memory();
  o.max_flows = 10;
  const auto e = error_of([&] {
    load_scenario_text(R"({"topology": {"kind": "star", "gpus": 3, "link": {"bandwidth": "1 Gbps"}},
                           "workload": {"kind": "all_reduce", "size": "3 KiB"}})",
                       "big.json", o);
  });
  EXPECT_NE(e.message().find("12 flows, more than the limit of 10"), std::string::npos) << e.what();
}

// Every error message is one line, even when the input puts newlines in names.
TEST(Loader, MessagesAreOneLine) {
  const auto e = error_of([&] {
    load_scenario_text(R"({"topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "1 Gbps"}},
                           "workload": {"kind": "flow_trace", "flows": [
                             {"id": "a", "src": "gpu\n0", "dst": "gpu1", "size": "1 KB"}]},
                           "bad\nkey": 1})",
                       "nl.json", in_memory());
  });
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
}

// An OCS never has more circuits lit than it has ports, however its maps follow each
// other: four maps a millisecond apart, each needing both ports of every block, with a
// 10 ms reconfiguration (each map is replaced before its circuits could light). The
// capacity steps are replayed by the rule of CapacityStep (a link carries its set
// capacity while no outage covers it): at every instant each block has at most 2 lit
// circuits (one per OCS), every lit circuit is in the latest map, and at the end exactly
// the last map's circuits are lit (4 circuits of 2 directed links each), from 13 ms.
TEST(Loader, OcsNeverLightsMoreCircuitsThanPorts) {
  const Scenario s = load_scenario_text(R"({
    "topology": {"kind": "ocs", "blocks": 4, "gpus_per_block": 1,
      "link": {"bandwidth": "400 Gbps"}, "uplink": {"bandwidth": "400 Gbps"},
      "ocs": {"count": 2, "ports": 8, "reconfiguration_time": "10 ms"},
      "circuits": [
        {"map": [{"a": 0, "b": 1, "count": 2}, {"a": 2, "b": 3, "count": 2}]},
        {"at": "1 ms", "map": [{"a": 0, "b": 2, "count": 2}, {"a": 1, "b": 3, "count": 2}]},
        {"at": "2 ms", "map": [{"a": 0, "b": 3, "count": 2}, {"a": 1, "b": 2, "count": 2}]},
        {"at": "3 ms", "map": [{"a": 0, "b": 1, "count": 1}, {"a": 2, "b": 3, "count": 1},
                               {"a": 0, "b": 2, "count": 1}, {"a": 1, "b": 3, "count": 1}]}]},
    "workload": {"kind": "flow_trace", "flows": [
      {"id": "x", "src": "gpu0_0", "dst": "gpu1_0", "size": "1 MB"}]}
  })",
                                        "ocs.json", in_memory());
  const topo::Topology& t = s.topology;
  const size_t links = t.link_count();
  std::vector<double> set(links);
  std::vector<int> outages(links, 0);
  for (uint32_t l = 0; l < links; ++l) set[l] = t.link_capacity(LinkId(l)).si();
  for (const auto& [l, c] : s.run_options.initial_capacities) set[l.value()] = c.si();
  std::vector<const net::CapacityStep*> steps;
  for (const auto& step : s.run_options.steps) {
    ASSERT_TRUE(step.after.empty());
    steps.push_back(&step);
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const auto* a, const auto* b) { return a->at < b->at; });
  const auto lit = [&](uint32_t l) {
    return t.link_role(LinkId(l)) == "circuit" && outages[l] == 0 && set[l] > 0;
  };
  const auto check = [&](SimTime at) {
    for (uint32_t b = 0; b < 4; ++b) {
      const NodeId block = *t.find_node("block" + std::to_string(b));
      int n = 0;
      for (LinkId l : t.out_links(block)) n += lit(l.value());
      EXPECT_LE(n, 2) << "block" << b << " at " << to_string(at);
    }
  };
  check(SimTime::zero());
  for (size_t i = 0; i < steps.size(); ++i) {
    for (const auto& [l, c] : steps[i]->capacities) set[l.value()] = c.si();
    for (LinkId l : steps[i]->outages_begin) ++outages[l.value()];
    for (LinkId l : steps[i]->outages_end) {
      ASSERT_GT(outages[l.value()], 0);
      --outages[l.value()];
    }
    if (i + 1 == steps.size() || steps[i + 1]->at != steps[i]->at) check(steps[i]->at);
  }
  EXPECT_EQ(steps.back()->at, SimTime::ps(13'000'000'000));
  int total = 0;
  for (uint32_t l = 0; l < links; ++l) total += lit(l);
  EXPECT_EQ(total, 8);
  for (const auto& [a, b] : {std::pair{0, 1}, std::pair{2, 3}, std::pair{0, 2}, std::pair{1, 3}}) {
    int n = 0;
    for (LinkId l : t.out_links(*t.find_node("block" + std::to_string(a)))) {
      n += lit(l.value()) && t.link_to(l) == *t.find_node("block" + std::to_string(b));
    }
    EXPECT_EQ(n, 1) << a << "-" << b;
  }
}

}  // namespace
}  // namespace roshni::scenario
