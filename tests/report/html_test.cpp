// The HTML pages' structure, checked on the text (the browser test loads them in
// Chromium): escaping, the data-driven sections, the timeline's merged spans.
#include "roshni/report/html.h"

#include <string>

#include <gtest/gtest.h>

#include "report/tiny_run.h"
#include "roshni/report/report.h"

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Html, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(html_escape("gpu0->leaf0 µs"), "gpu0-&gt;leaf0 µs");
}

// An energy section as another layer may write it: a total, a breakdown by component
// class (3 figures in J: one bar chart of 3 bars, 6 > 3 > 1 scaled to the largest) and a
// bill of materials as an array of rows (a table of 2 rows, columns from the keys).
TEST(Html, JsonSectionTurnsFiguresBreakdownsAndRowsIntoBlocks) {
  const Json energy = Json::parse(R"({
    "total": {"value": 10, "unit": "J"},
    "by_class": {"gpu": {"value": 6, "unit": "J"}, "optics": {"value": 3, "unit": "J"},
                 "switch": {"value": 1, "unit": "J"}},
    "model": "static_plus_dynamic",
    "bom": [{"part": "osfp-800g", "count": 16, "price": {"value": 900, "unit": "USD"}},
            {"part": "<dac>", "count": 4}]
  })");
  const HtmlSection s = json_section("energy", "Energy", energy);
  ASSERT_EQ(s.blocks.size(), 4u);  // figures table, breakdown chart, bom heading + table
  const auto& figures = std::get<HtmlTable>(s.blocks[0]);
  ASSERT_EQ(figures.rows.size(), 5u);
  EXPECT_EQ(figures.rows[0], (std::vector<std::string>{"total", "10 J"}));
  EXPECT_EQ(figures.rows[1], (std::vector<std::string>{"by_class.gpu", "6 J"}));
  EXPECT_EQ(figures.rows[4], (std::vector<std::string>{"model", "static_plus_dynamic"}));
  const auto& bom = std::get<HtmlTable>(s.blocks[3]);
  EXPECT_EQ(bom.columns, (std::vector<std::string>{"part", "count", "price"}));
  ASSERT_EQ(bom.rows.size(), 2u);
  EXPECT_EQ(bom.rows[0], (std::vector<std::string>{"osfp-800g", "16", "900 USD"}));
  EXPECT_EQ(bom.rows[1], (std::vector<std::string>{"<dac>", "4", "-"}));
  const auto& chart = std::get<HtmlBarChart>(s.blocks[1]);
  EXPECT_EQ(chart.id, "chart-energy-by-class-J");
  ASSERT_EQ(chart.bars.size(), 3u);
  EXPECT_EQ(chart.bars[0].label, "gpu");
  EXPECT_EQ(chart.bars[0].value, 6);
  EXPECT_EQ(chart.bars[2].text, "1 J");

  // Rendered: the user text is escaped; the largest bar is the full 480 px, the
  // others 480 x 3/6 = 240 and 480 x 1/6 = 80.
  HtmlPage page{"t", "", {s}};
  const std::string html = render_html(page);
  EXPECT_NE(html.find("&lt;dac&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<dac>"), std::string::npos);
  EXPECT_NE(html.find("width=\"480\""), std::string::npos);
  EXPECT_NE(html.find("width=\"240\""), std::string::npos);
  EXPECT_NE(html.find("width=\"80\""), std::string::npos);
}

// A report's optional top-level sections appear on the run page without code of their
// own: "energy", "thermal", "cost" in that order with their titles, then any other.
TEST(Html, RunPageRendersTheReportsOptionalSections) {
  auto t = testing::tiny_run();
  Json report = parse_report_text(report_json(t.s, t.r, summarize(t.s, t.r)));
  report["zeta"] = Json::parse(R"({"x": {"value": 1, "unit": "1"}})");
  report["facility"] = Json::parse(R"({"energy_cost_usd": {"value": 5, "unit": "USD"}})");
  report["energy"] = Json::parse(R"({"total": {"value": 2, "unit": "J"}})");
  const HtmlPage page = run_page(t.s, t.r, report);
  std::vector<std::string> ids;
  for (const auto& s : page.sections) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"summary", "links", "timeline", "energy", "facility",
                                           "zeta"}));
  EXPECT_EQ(page.sections[3].title, "Energy by component class");
  EXPECT_EQ(page.sections[4].title, "Facility, cost and carbon");
}

// tiny_run: gpu0 sends a (0-2 us), b (1-3.5 us), c (2-2.5 us), which overlap: one bar of
// 3 flows; gpu1 has one compute step. Moving a to 0-1 us and b to 2-3.5 us leaves a gap
// of 1 us, far more than half a pixel (3.5 us / 800 / 2 = 2.2 ns): two bars, 1 and 2 flows.
TEST(Html, TimelineMergesSpansCloserThanHalfAPixel) {
  auto t = testing::tiny_run();
  std::string svg = timeline_svg(t.s, t.r).svg;
  EXPECT_EQ(count(svg, "class=\"span\""), 1u);
  EXPECT_EQ(count(svg, "class=\"span compute\""), 1u);
  EXPECT_NE(svg.find("gpu0: 3 flows"), std::string::npos) << svg;
  EXPECT_NE(svg.find("gpu1: 1 compute step"), std::string::npos) << svg;

  t.r.end[0] = SimTime::ps(1'000'000);
  t.r.start[1] = SimTime::ps(2'000'000);
  svg = timeline_svg(t.s, t.r).svg;
  EXPECT_EQ(count(svg, "class=\"span\""), 2u);
  EXPECT_NE(svg.find("gpu0: 1 flow "), std::string::npos) << svg;
  EXPECT_NE(svg.find("gpu0: 2 flows"), std::string::npos) << svg;
  // At most one row: gpu0 only.
  svg = timeline_svg(t.s, t.r, 1).svg;
  EXPECT_NE(svg.find("1 of 2 sending nodes"), std::string::npos) << svg;
  EXPECT_EQ(count(svg, "class=\"span compute\""), 0u);
}

// The same run gives the same bytes; a scenario name with markup is escaped everywhere.
TEST(Html, DeterministicAndEscaped) {
  auto t = testing::tiny_run();
  t.s.name = "<b>tiny</b>";
  const std::string text = report_json(t.s, t.r, summarize(t.s, t.r));
  const std::string a = run_html(t.s, t.r, text);
  EXPECT_EQ(a, run_html(t.s, t.r, text));
  EXPECT_EQ(a.find("<b>"), std::string::npos);
  EXPECT_NE(a.find("&lt;b&gt;tiny&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(count(a, "<svg class=\"chart\""), 4u);  // top links, histogram, heatmap, timeline
}

// The table-skipping scan: top-level "links" and "flows" go, wherever they stand; a
// nested "flows" (the summary's figure) stays; brackets, braces, commas and escaped
// quotes inside strings do not confuse it.
TEST(Html, ParseReportTextDropsOnlyTheTopLevelTables) {
  const Json j = parse_report_text(
      R"({"links": {"rows": [[1, "]},{"]]}, "a": "x}\"{,[", )"
      R"("summary": {"flows": {"value": 3, "unit": "1"}}, "flows": [[",", "\\"]], "z": [1, {"b": 2}]})");
  EXPECT_EQ(j.dump(), R"({"a":"x}\"{,[","summary":{"flows":{"value":3,"unit":"1"}},"z":[1,{"b":2}]})");
  EXPECT_EQ(parse_report_text(R"({"flows": []})").dump(), "{}");
}

// compare --format html: a run of twice the makespan has ratio 2 in the table and on its
// bar; a figure the first run lacks has no ratio ("-").
TEST(Html, CompareHasRatiosToTheFirst) {
  const std::vector<ComparedRun> runs = {
      {"a", {{"makespan", 0.5, "s"}, {"flows", 4, "1"}}},
      {"b<", {{"makespan", 1.0, "s"}, {"flows", 4, "1"}, {"extra", 3, "1"}}}};
  const std::string html = compare_html(runs);
  EXPECT_NE(html.find("id=\"chart-compare-makespan\""), std::string::npos);
  EXPECT_NE(html.find("1 s (×2.0000)"), std::string::npos) << html;
  EXPECT_NE(html.find("<td class=\"num\">2.0000</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>extra</td><td class=\"num\">-</td><td class=\"num\">3</td>"
                      "<td class=\"num\">-</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("b&lt;"), std::string::npos);
  EXPECT_EQ(html.find("b<"), std::string::npos);
}


// Issue 16.10: a 300 MB description made a 314 MB page. The page shows at most
// kMaxHtmlDescription code points of the description and kMaxHtmlName of the scenario's
// name, then a note of the whole length. With 600,000 "é" (2 bytes each) the page holds
// exactly kMaxHtmlDescription of them (no other text has an "é"), and it is longer than
// the page without a description by those 2 x 2000 bytes plus the row and the note
// (under 300 bytes).
TEST(Html, LongDescriptionsAndNamesAreCut) {
  auto t = testing::tiny_run();
  const std::string text = report_json(t.s, t.r, summarize(t.s, t.r));
  const std::string plain = run_html(t.s, t.r, text);
  std::string description;
  for (int i = 0; i < 600000; ++i) description += "\xC3\xA9";
  t.s.description = description;
  const std::string page = run_html(t.s, t.r, text);
  EXPECT_EQ(count(page, "\xC3\xA9"), kMaxHtmlDescription);
  EXPECT_NE(page.find("(truncated: 600000 characters in all)"), std::string::npos);
  EXPECT_GT(page.size(), plain.size() + 2 * kMaxHtmlDescription);
  EXPECT_LT(page.size(), plain.size() + 2 * kMaxHtmlDescription + 300);
  // A description within the bound is shown whole, with no note.
  t.s.description = std::string(kMaxHtmlDescription, 'd');
  const std::string whole = run_html(t.s, t.r, text);
  EXPECT_NE(whole.find(std::string(kMaxHtmlDescription, 'd')), std::string::npos);
  EXPECT_EQ(whole.find("truncated"), std::string::npos);

  t.s.description.clear();
  t.s.name = std::string(100000, 'n');
  const std::string named = run_html(t.s, t.r, text);
  EXPECT_NE(named.find(std::string(kMaxHtmlName, 'n')), std::string::npos);
  EXPECT_EQ(named.find(std::string(kMaxHtmlName + 1, 'n')), std::string::npos);
  EXPECT_LT(named.size(), plain.size() + 8 * kMaxHtmlName);
}

}  // namespace
}  // namespace roshni::report
