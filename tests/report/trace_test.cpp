#include "roshni/report/trace.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/tiny_run.h"
#include "report/trace_schema.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"

namespace roshni::report {
namespace {

using nlohmann::json;

std::vector<json> events_of(const json& trace, std::string_view ph) {
  std::vector<json> out;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == ph) out.push_back(e);
  }
  return out;
}

std::map<int64_t, std::string> thread_names(const json& trace) {
  std::map<int64_t, std::string> out;
  for (const auto& e : events_of(trace, "M")) {
    if (e["name"] == "thread_name") out[e["tid"].get<int64_t>()] = e["args"]["name"];
  }
  return out;
}

// The tiny run (tiny_run.h) in full. Lanes, by interval partitioning in start order:
// "a" (0..2 us) opens gpu0's lane 1; "b" (1..3.5 us) overlaps it, so opens lane 2
// ("gpu0 #2"); "c" (2..2.5 us) starts as "a" ends and reuses lane 1. "k" is alone on
// gpu1. Thread ids follow node order: gpu0 -> 1, gpu0 #2 -> 2, gpu1 -> 3.
// Flows in flight from gpu0: 1 at 0, 2 at 1 us, still 2 at 2 us ("a" ends as "c"
// starts: no event), 1 at 2.5 us, 0 at 3.5 us; gpu1 sends nothing (compute steps do not
// count), so it has no counter.
TEST(Trace, TracksSlicesAndCountersOfATinyRun) {
  const auto t = testing::tiny_run();
  const Trace trace = trace_json(t.s, t.r);
  EXPECT_EQ(trace.written, 4u);
  EXPECT_EQ(trace.left_out, 0u);
  const json j = json::parse(trace.json);
  const auto errors = testing::trace_schema_errors(j);
  EXPECT_TRUE(errors.empty()) << errors.front();

  EXPECT_EQ(thread_names(j), (std::map<int64_t, std::string>{{1, "gpu0"}, {2, "gpu0 #2"},
                                                              {3, "gpu1"}}));
  struct Slice {
    std::string name, cat;
    double ts, dur;
    int64_t tid;
  };
  const std::vector<Slice> expected = {{"a", "flow", 0, 2, 1},
                                       {"k", "compute", 0.5, 0.75, 3},
                                       {"b,\"q\"", "flow", 1, 2.5, 2},
                                       {"c", "flow", 2, 0.5, 1}};
  const auto slices = events_of(j, "X");
  ASSERT_EQ(slices.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(slices[i]["name"], expected[i].name) << i;
    EXPECT_EQ(slices[i]["cat"], expected[i].cat) << i;
    EXPECT_EQ(slices[i]["ts"].get<double>(), expected[i].ts) << i;
    EXPECT_EQ(slices[i]["dur"].get<double>(), expected[i].dur) << i;
    EXPECT_EQ(slices[i]["tid"], expected[i].tid) << i;
    EXPECT_EQ(slices[i]["pid"], 1) << i;
  }
  EXPECT_EQ(slices[0]["args"]["src"], "gpu0");
  EXPECT_EQ(slices[0]["args"]["dst"], "gpu1");
  EXPECT_EQ(slices[0]["args"]["bytes"], 1000);
  EXPECT_EQ(slices[1]["args"]["node"], "gpu1");

  const std::vector<std::pair<double, int>> in_flight = {{0, 1}, {1, 2}, {2.5, 1}, {3.5, 0}};
  const auto counters = events_of(j, "C");
  ASSERT_EQ(counters.size(), in_flight.size());
  for (size_t i = 0; i < in_flight.size(); ++i) {
    EXPECT_EQ(counters[i]["name"], "gpu0");
    EXPECT_EQ(counters[i]["ts"].get<double>(), in_flight[i].first) << i;
    EXPECT_EQ(counters[i]["args"]["flows in flight"], in_flight[i].second) << i;
  }
  EXPECT_TRUE(events_of(j, "i").empty());
  EXPECT_EQ(j["otherData"]["flows_left_out"], 0);
  // No slices of one track overlap without nesting (here: none overlap at all).
  std::map<int64_t, double> track_end;
  for (const auto& e : slices) {
    const int64_t tid = e["tid"];
    EXPECT_LE(track_end[tid], e["ts"].get<double>()) << e.dump();
    track_end[tid] = e["ts"].get<double>() + e["dur"].get<double>();
  }
}

// With room for 2 entries the trace keeps the first two by start time ("a" at 0 and
// "k" at 0.5 us), leaves out "b" and "c", and says so three ways: a process label, a
// global instant event and otherData.
TEST(Trace, BoundedTraceSaysHowManyWereLeftOut) {
  const auto t = testing::tiny_run();
  TraceOptions o;
  o.max_flows = 2;
  const Trace trace = trace_json(t.s, t.r, o);
  EXPECT_EQ(trace.written, 2u);
  EXPECT_EQ(trace.left_out, 2u);
  const json j = json::parse(trace.json);
  const auto errors = testing::trace_schema_errors(j);
  EXPECT_TRUE(errors.empty()) << errors.front();
  const auto slices = events_of(j, "X");
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(slices[0]["name"], "a");
  EXPECT_EQ(slices[1]["name"], "k");
  const std::string note = "the trace holds the first 2 of 4 flows by start time; 2 left out";
  bool labelled = false;
  for (const auto& m : events_of(j, "M")) {
    if (m["name"] == "process_labels") labelled = m["args"]["labels"] == note;
  }
  EXPECT_TRUE(labelled);
  const auto instants = events_of(j, "i");
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_EQ(instants[0]["name"], note);
  EXPECT_EQ(instants[0]["args"]["left_out"], 2);
  EXPECT_EQ(j["otherData"]["flows"], 4);
  EXPECT_EQ(j["otherData"]["flows_written"], 2);
  EXPECT_EQ(j["otherData"]["flows_left_out"], 2);
  // Counters follow the written flows only: "a" alone, 1 at 0 and 0 at 2 us.
  const auto counters = events_of(j, "C");
  ASSERT_EQ(counters.size(), 2u);
  EXPECT_EQ(counters[1]["ts"].get<double>(), 2.0);
  EXPECT_EQ(counters[1]["args"]["flows in flight"], 0);
}

// Same run, same bytes; and the schema check itself rejects what it should.
TEST(Trace, DeterministicAndTheSchemaCheckBites) {
  const auto t = testing::tiny_run();
  EXPECT_EQ(trace_json(t.s, t.r).json, trace_json(t.s, t.r).json);
  json bad = json::parse(trace_json(t.s, t.r).json);
  for (auto& e : bad["traceEvents"]) {
    if (e["ph"] == "X") {
      e["dur"] = -1;
      break;
    }
  }
  EXPECT_EQ(testing::trace_schema_errors(bad).size(), 1u);
  EXPECT_FALSE(testing::trace_schema_errors(json::parse(R"({"traceEvents": [
    {"name": "x", "cat": "c", "ph": "X", "ts": "0", "pid": 1, "tid": 1, "args": {}}]})"))
                   .empty());
  EXPECT_FALSE(testing::trace_schema_errors(json::parse(R"([])")).empty());
}

}  // namespace
}  // namespace roshni::report

namespace roshni::report {
namespace {

// Counter tracks of the cluster. Two GPUs on one switch, 400 Gb/s (50 GB/s) links, one
// 1 MB flow gpu0 -> gpu1 from 0 to its end: it crosses 2 of the 4 directed links at
// 50 GB/s, so the fabric's mean utilisation is 2 x 50 / (4 x 50) = 50 % while it
// transmits and 0 % after. The IT power is the inventory's static power, plus, while
// the flow runs, the per-bit power of what it crosses: the bare links draw nothing per
// bit, the switch it enters draws its per-bit share (below).
TEST(Trace, ClusterCountersFollowTheRunsActivity) {
  const std::string text = R"({
    "topology": {"kind": "star", "gpus": 2, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 MB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}})";
  scenario::LoadOptions o;
  o.catalog_dir = ROSHNI_SOURCE_DIR "/configs";
  const auto s = scenario::load_scenario_text(text, "c.json", o);
  const auto run = scenario::simulate(s, {}, /*record_activity=*/true);
  const auto j = nlohmann::json::parse(trace_json(s, run.net).json);
  EXPECT_TRUE(testing::trace_schema_errors(j).empty());
  std::vector<double> util, power;
  for (const auto& e : j["traceEvents"]) {
    if (e["pid"] != 2 || e["ph"] != "C") continue;
    if (e["name"] == "fabric utilisation") util.push_back(e["args"]["percent"]);
    if (e["name"] == "IT power") power.push_back(e["args"]["W"]);
  }
  ASSERT_GE(util.size(), 2u);
  EXPECT_DOUBLE_EQ(util.front(), 50.0);
  EXPECT_DOUBLE_EQ(util.back(), 0.0);
  ASSERT_EQ(power.size(), util.size());
  // After the run nothing is dynamic: the last sample is the static power alone.
  double static_w = 0;
  for (const auto& c : s.power.inventory.components) static_w += c.static_power.si();
  EXPECT_GT(static_w, 2 * 140.0);
  EXPECT_DOUBLE_EQ(power.back(), static_w);
  // While the flow runs, the switch's per-bit share is drawn on top: 15 % of 913 W over
  // 51.2 Tb/s per bit switched, at 400 Gb/s: 913 x 0.15 x 400 / 51200 W.
  EXPECT_NEAR(power.front() - static_w, 913 * 0.15 * 400 / 51200, 1e-9);
}

}  // namespace
}  // namespace roshni::report
