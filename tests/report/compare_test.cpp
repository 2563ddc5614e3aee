#include "roshni/report/compare.h"

#include <gtest/gtest.h>

namespace roshni::report {
namespace {

// Two runs of one ring all-reduce, the second on links of half the bandwidth: its
// makespan is (nearly) twice, its bandwidth half. Run "b" lacks bus_bandwidth; run "a"
// lacks "extra". Ratios are b / a.
std::vector<ComparedRun> two_runs() {
  return {{"a",
           {{"events", 232, "1"},
            {"makespan", 0.0375, "s"},
            {"payload_bytes", 15032385536, "B"},
            {"bus_bandwidth", 5e10, "B/s"},
            {"busiest_link.utilisation", 0.5, "1"}}},
          {"b",
           {{"makespan", 0.075, "s"},
            {"payload_bytes", 15032385536, "B"},
            {"busiest_link.utilisation", 0.25, "1"},
            {"events", 232, "1"},
            {"extra", 0, "1"}}}};
}

// The headline figures first, then the rest in the order the runs first give them.
TEST(Compare, OrdersHeadlineFiguresFirst) {
  EXPECT_EQ(compared_figures(two_runs()),
            (std::vector<std::string>{"makespan", "bus_bandwidth", "payload_bytes",
                                      "busiest_link.utilisation", "events", "extra"}));
}

// Columns as wide as their widest cell, two spaces apart; "-" where a run lacks the
// figure or a ratio has no meaning (no first value, or a zero one).
TEST(Compare, TerminalTable) {
  EXPECT_EQ(compare_table(two_runs(), TableFormat::terminal),
            "ratios are to the first run, a\n"
            "figure                          a       b   ratio\n"
            "makespan                  37.5 ms   75 ms  2.0000\n"
            "bus_bandwidth             50 GB/s       -       -\n"
            "payload_bytes              14 GiB  14 GiB  1.0000\n"
            "busiest_link.utilisation     50 %    25 %  0.5000\n"
            "events                        232     232  1.0000\n"
            "extra                           -       0       -\n");
}

TEST(Compare, MarkdownTable) {
  EXPECT_EQ(compare_table(two_runs(), TableFormat::markdown),
            "| figure | a | b | ratio |\n"
            "|:---|---:|---:|---:|\n"
            "| makespan | 37.5 ms | 75 ms | 2.0000 |\n"
            "| bus_bandwidth | 50 GB/s | - | - |\n"
            "| payload_bytes | 14 GiB | 14 GiB | 1.0000 |\n"
            "| busiest_link.utilisation | 50 % | 25 % | 0.5000 |\n"
            "| events | 232 | 232 | 1.0000 |\n"
            "| extra | - | 0 | - |\n");
}

// CSV: raw SI numbers (shortest round-trip), the unit, full-precision ratios, empty
// cells for what a run lacks; RFC 4180 line ends.
TEST(Compare, CsvTable) {
  EXPECT_EQ(compare_table(two_runs(), TableFormat::csv),
            "figure,unit,a,b,b/a\r\n"
            "makespan,s,0.0375,0.075,2\r\n"
            "bus_bandwidth,B/s,50000000000,,\r\n"
            "payload_bytes,B,15032385536,15032385536,1\r\n"
            "busiest_link.utilisation,1,0.5,0.25,0.5\r\n"
            "events,1,232,232,1\r\n"
            "extra,1,,0,\r\n");
}

// Labels: the file name without .json, the directory of a report.json, and the paths
// themselves when two labels would be equal.
TEST(Compare, LabelsRuns) {
  EXPECT_EQ(run_labels({"scenarios/quickstart.json", "out/q200/report.json"}),
            (std::vector<std::string>{"quickstart", "q200"}));
  EXPECT_EQ(run_labels({"x/a.json", "y/a.json"}),
            (std::vector<std::string>{"x/a.json", "y/a.json"}));
}

TEST(Compare, ReadableUnits) {
  EXPECT_EQ(readable(0.03758936384, "s"), "37.5894 ms");
  EXPECT_EQ(readable(49988826626.548195, "B/s"), "49.9888 GB/s");
  EXPECT_EQ(readable(1879048192, "B"), "1.75 GiB");
  EXPECT_EQ(readable(37589363840, "ps"), "37589363840 ps");
  EXPECT_EQ(readable(112, "1"), "112");
  EXPECT_EQ(readable(0.999776532530964, "1"), "0.999777");
  EXPECT_EQ(readable(12.5, "W"), "12.5 W");
  TableFormat f{};
  EXPECT_TRUE(parse_table_format("markdown", f));
  EXPECT_EQ(f, TableFormat::markdown);
  EXPECT_TRUE(parse_table_format("html", f));
  EXPECT_EQ(f, TableFormat::html);
  EXPECT_FALSE(parse_table_format("pdf", f));
}

// Issue 17.10: energy, power, money and mass read with a prefix or a larger unit, not
// "2.5098e+06 J": 2,509,800 J is 2.51 MJ, 3,389,340 W is 3.389 MW, 8.038e7 USD is 80.38 M
// USD, 976.818 t is 976.8 t; shares in %, counts exact.
TEST(Compare, PlannerFiguresAreReadable) {
  EXPECT_EQ(readable(2509800, "J", "energy"), "2.51 MJ");
  EXPECT_EQ(readable(3389340, "W", "peak_power"), "3.389 MW");
  EXPECT_EQ(readable(8.03834e7, "USD", "capital_priced"), "80.38 M USD");
  EXPECT_EQ(readable(976.818, "t", "campaign_co2"), "976.8 t");
  EXPECT_EQ(readable(0.263212, "1", "solar_share"), "26.32 %");
  EXPECT_EQ(readable(2735712, "1", "flows"), "2735712");
}

// Issue 17.5: a variant with unpriced parts looks cheapest. A run whose bill leaves items
// out says so under the table (terminal, markdown) and atop the html page; a run with
// every part priced adds nothing.
TEST(Compare, UnpricedCapitalIsNoted) {
  const std::vector<ComparedRun> runs = {
      {"copper", {{"capital_priced", 1e6, "USD"}, {"capital_unpriced_items", 0, "1"}}},
      {"cpo", {{"capital_priced", 4e5, "USD"}, {"capital_unpriced_items", 128, "1"}}}};
  const auto notes = compare_notes(runs);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("cpo: 128 items have no price"), std::string::npos) << notes[0];
  const std::string terminal = compare_table(runs, TableFormat::terminal);
  EXPECT_NE(terminal.find("note: cpo: 128 items"), std::string::npos) << terminal;
  EXPECT_EQ(terminal.find("note: copper"), std::string::npos) << terminal;
  EXPECT_NE(compare_table(runs, TableFormat::markdown).find("> **Note:** cpo: 128 items"),
            std::string::npos);
  EXPECT_NE(compare_table(runs, TableFormat::html).find("Read this first"), std::string::npos);
  EXPECT_TRUE(compare_notes({runs[0]}).empty());
  EXPECT_EQ(compare_table({runs[0]}, TableFormat::terminal).find("note:"), std::string::npos);
}

}  // namespace
}  // namespace roshni::report
