// tools/flow_compare.h: the comparison of Roshni's flows.csv with another simulator's
// per-flow times (the SimGrid harness, bench/simgrid/), tested without SimGrid: the
// reference files here are written by hand from closed forms.
#include "../../tools/flow_compare.h"

#include <gtest/gtest.h>

#include "roshni/report/csv.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"
#include "report/tiny_run.h"

namespace roshni::tools {
namespace {

// Three GPUs on a star, links 100 Gb/s = 12.5e9 B/s and 1 us, switch 0.5 us, so a path
// gpuA -> switch -> gpuB has latency L = 1 + 0.5 + 1 = 2.5 us.
//   f0 gpu0 -> gpu2 and f1 gpu1 -> gpu2, 1.25 MB each from 0: they share switch->gpu2 at
//   6.25e9 B/s each, so both end sending at 1.25e6 / 6.25e9 = 200 us, delivered 202.5 us.
//   f2 gpu2 -> gpu0, 625 kB after f0: alone from 202.5 us, 625e3 / 12.5e9 = 50 us, then
//   L: delivered at 255 us, the makespan.
const char* kClosedFormScenario = R"({
  "schema": 1, "name": "closed-form",
  "topology": {"kind": "star", "gpus": 3, "switch_latency": "500 ns",
               "link": {"bandwidth": "100 Gbps", "latency": "1 us"}},
  "workload": {"kind": "flow_trace", "flows": [
    {"id": "f0", "src": "gpu0", "dst": "gpu2", "size": "1250000 B"},
    {"id": "f1", "src": "gpu1", "dst": "gpu2", "size": "1250000 B"},
    {"id": "f2", "src": "gpu2", "dst": "gpu0", "size": "625000 B", "after": ["f0"]}]}
})";

std::string roshni_flows_csv() {
  const auto s = scenario::load_scenario_text(kClosedFormScenario, "closed-form.json");
  const auto run = scenario::simulate(s);
  return report::flows_csv(s, run.net);
}

TEST(FlowCompare, RoshniMatchesTheClosedFormAsAReference) {
  const auto a = read_flow_ends(roshni_flows_csv(), "flows.csv");
  const auto b = read_flow_ends("id,start_s,end_s\nf0,0,202.5e-6\nf1,0,202.5e-6\n"
                                "f2,202.5e-6,255e-6\n",
                                "reference.csv");
  const auto c = compare_flow_ends(a, b);
  EXPECT_EQ(c.flows, 3u);
  EXPECT_NEAR(c.makespan_b, 255e-6, 1e-18);
  EXPECT_NEAR(c.makespan_a, 255e-6, 2e-12);  // each end rounded up to a picosecond
  EXPECT_LT(c.makespan_rel, 1e-8);
  EXPECT_LT(c.worst_rel, 1e-8);
  EXPECT_LT(c.worst_abs_s, 2e-12);
}

TEST(FlowCompare, NamesTheWorstFlowAndItsDifference) {
  const auto a = read_flow_ends(roshni_flows_csv(), "flows.csv");
  // The reference says f2 ends at 250 us: 5 us off, 5 / 250 = 0.02 relative, and the
  // makespans (255 and 250 us) differ by the same. f1 ends 2.5 us late: 2.5 / 200 =
  // 0.0125, smaller, so f2 is the worst.
  const auto b = read_flow_ends("id,start_s,end_s\r\nf0,0,202.5e-6\r\n\"f1\",0,200e-6\r\n"
                                "f2,202.5e-6,250e-6\r\n",
                                "reference.csv");
  const auto c = compare_flow_ends(a, b);
  EXPECT_NEAR(c.makespan_rel, 0.02, 1e-8);
  EXPECT_NEAR(c.worst_rel, 0.02, 1e-8);
  EXPECT_EQ(c.worst_id, "f2");
  EXPECT_NEAR(c.worst_abs_s, 5e-6, 1e-11);
}

TEST(FlowCompare, ReadsRoshniQuotedIdsAndPicoseconds) {
  // tiny_run.h: ends 2, 3.5, 2.5 and 1.25 us; the second id holds a comma and quotes.
  const auto t = testing::tiny_run();
  const auto a = read_flow_ends(report::flows_csv(t.s, t.r), "flows.csv");
  ASSERT_EQ(a.id.size(), 4u);
  EXPECT_EQ(a.id[1], "b,\"q\"");
  EXPECT_NEAR(a.end_s[1], 3.5e-6, 1e-18);
  const auto b = read_flow_ends("id,end_s\na,2e-6\n\"b,\"\"q\"\"\",3.5e-6\nc,2.5e-6\nk,1.25e-6\n",
                                "reference.csv");
  const auto c = compare_flow_ends(a, b);
  EXPECT_LT(c.worst_rel, 1e-15);
  EXPECT_NEAR(c.makespan_a, 3.5e-6, 1e-18);
}

TEST(FlowCompare, RefusesFilesThatDoNotListTheSameFlows) {
  const auto a = read_flow_ends("id,end_s\nx,1\ny,2\n", "a.csv");
  EXPECT_THROW(compare_flow_ends(a, read_flow_ends("id,end_s\nx,1\n", "b.csv")),
               std::runtime_error);
  EXPECT_THROW(compare_flow_ends(a, read_flow_ends("id,end_s\ny,2\nx,1\n", "b.csv")),
               std::runtime_error);
  EXPECT_THROW(read_flow_ends("id,start_s\nx,1\n", "b.csv"), std::runtime_error);
  EXPECT_THROW(read_flow_ends("id,end_s\nx,one\n", "b.csv"), std::runtime_error);
  EXPECT_THROW(read_flow_ends("id,end_s\nx\n", "b.csv"), std::runtime_error);
}

}  // namespace
}  // namespace roshni::tools
