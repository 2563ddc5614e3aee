#include "roshni/report/trace.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/tiny_run.h"
#include "report/trace_schema.h"

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
