// Where the per-flow rows go (docs/reports.md, "Per-flow rows"): report.json holds them
// up to a count unless report.per_flow says otherwise, and says where they went when it
// does not. The tiny run has 4 entries (3 transfers, 1 compute step).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "roshni/report/csv.h"
#include "roshni/report/report.h"
#include "tiny_run.h"

namespace roshni::report {
namespace {

nlohmann::json report_of(const testing::TinyRun& t) {
  return nlohmann::json::parse(report_json(t.s, t.r, summarize(t.s, t.r)));
}

TEST(FlowRows, ReportJsonKeepsThemUpToTheCountUnlessAsked) {
  testing::TinyRun t = testing::tiny_run();
  // Unset, at the count (4 entries, 4 allowed): the table, and no pointer elsewhere.
  t.s.report.json_rows_at_most = 4;
  nlohmann::json j = report_of(t);
  ASSERT_TRUE(j.contains("flows"));
  EXPECT_EQ(j["flows"]["rows"].size(), 4u);
  EXPECT_FALSE(j["summary"].contains("flow_rows"));
  EXPECT_TRUE(t.s.report.flows_csv());

  // One past the count: no table in report.json; the summary says the rows are in flows.csv.
  t.s.report.json_rows_at_most = 3;
  j = report_of(t);
  EXPECT_FALSE(j.contains("flows"));
  EXPECT_EQ(j["summary"]["flow_rows"], "flows.csv");
  EXPECT_TRUE(t.s.report.flows_csv());

  // Asked for: the table whatever the count.
  t.s.report.per_flow = true;
  j = report_of(t);
  EXPECT_EQ(j["flows"]["rows"].size(), 4u);
  EXPECT_FALSE(j["summary"].contains("flow_rows"));

  // Turned off: rows nowhere, and the summary says so.
  t.s.report.per_flow = false;
  t.s.report.json_rows_at_most = 100;
  j = report_of(t);
  EXPECT_FALSE(j.contains("flows"));
  EXPECT_EQ(j["summary"]["flow_rows"], "none");
  EXPECT_FALSE(t.s.report.flows_csv());
}

// flows.csv is written in pieces of about 1 MiB, each of whole rows, that add up to the
// same text as the one-string form: 40,000 extra rows of ~40 B are more than one piece.
TEST(FlowRows, FlowsCsvComesInPiecesOfWholeRows) {
  testing::TinyRun t = testing::tiny_run();
  const NodeId g0 = t.s.flows.src(FlowId(0)), g1 = t.s.flows.dst(FlowId(0));
  for (uint32_t i = 0; i < 40'000; ++i) {
    t.s.flows.add("x" + std::to_string(i), g0, g1, bytes(1000));
    t.r.start.push_back(SimTime::ps(i));
    t.r.end.push_back(SimTime::ps(2 * i + 1));
  }
  std::vector<std::string> pieces;
  write_flows_csv(t.s, t.r, [&](std::string_view p) { pieces.emplace_back(p); });
  ASSERT_GE(pieces.size(), 2u);
  std::string joined;
  for (const std::string& p : pieces) {
    EXPECT_LE(p.size(), (size_t{1} << 20) + 4096);
    ASSERT_GE(p.size(), 2u);
    EXPECT_EQ(p.substr(p.size() - 2), "\r\n");
    joined += p;
  }
  EXPECT_EQ(joined, flows_csv(t.s, t.r));
  EXPECT_LE(pieces.size(), joined.size() / (size_t{1} << 20) + 1);  // full pieces, not many small
  EXPECT_EQ(std::count(joined.begin(), joined.end(), '\n'), 1 + 4 + 40'000);
}

}  // namespace
}  // namespace roshni::report
