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

// compare --format html: a run of twice the makespan has ratio 2 in the table and in its
// bar's label (the bar's value text is in the chart's unit only, "1 s"); a figure the
// first run lacks has no ratio ("-").
TEST(Html, CompareHasRatiosToTheFirst) {
  const std::vector<ComparedRun> runs = {
      {"a", {{"makespan", 0.5, "s"}, {"flows", 4, "1"}}},
      {"b<", {{"makespan", 1.0, "s"}, {"flows", 4, "1"}, {"extra", 3, "1"}}}};
  const std::string html = compare_html(runs);
  EXPECT_NE(html.find("id=\"chart-compare-makespan\""), std::string::npos);
  EXPECT_NE(html.find("b&lt; (×2.0000)</text>"), std::string::npos) << html;
  EXPECT_NE(html.find("class=\"value\">1 s</text>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td class=\"num\">2.0000</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>extra</td><td class=\"num\">-</td><td class=\"num\">3</td>"
                      "<td class=\"num\">-</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("b&lt;"), std::string::npos);
  EXPECT_EQ(html.find("b<"), std::string::npos);
}


/// The text of the element with id `id` (its tags dropped), up to its closing tag.
std::string section_text(const std::string& html, const std::string& id) {
  const size_t start = html.find("<section id=\"" + id + "\">");
  if (start == std::string::npos) return "";
  const size_t end = html.find("</section>", start);
  std::string out;
  bool tag = false;
  for (size_t i = start; i < end; ++i) {
    if (html[i] == '<') tag = true;
    if (!tag) out += html[i];
    if (html[i] == '>') tag = false;
  }
  return out;
}

/// Each <svg class="chart"> of `html`: its data-unit attribute (or "?" when it has
/// none) and the text of its bars' values.
struct ChartSeen {
  std::string id, unit;
  std::vector<std::string> labels, values;
};
std::vector<ChartSeen> charts_of(const std::string& html) {
  std::vector<ChartSeen> out;
  for (size_t at = html.find("<svg class=\"chart\""); at != std::string::npos;
       at = html.find("<svg class=\"chart\"", at + 1)) {
    const size_t end = html.find("</svg>", at);
    const std::string svg = html.substr(at, end - at);
    ChartSeen c;
    const auto attr = [&](const std::string& name) -> std::string {
      const size_t a = svg.find(name + "=\"");
      if (a == std::string::npos || a > svg.find('>')) return "?";
      const size_t b = a + name.size() + 2;
      return svg.substr(b, svg.find('"', b) - b);
    };
    c.id = attr("id");
    c.unit = attr("data-unit");
    for (size_t g = svg.find("<g class=\"bar\">"); g != std::string::npos;
         g = svg.find("<g class=\"bar\">", g + 1)) {
      const std::string bar = svg.substr(g, svg.find("</g>", g) - g);
      const auto text_of = [&](const std::string& cls) {
        const size_t t = bar.find("class=\"" + cls + "\">");
        if (t == std::string::npos) return std::string("?");
        const size_t b = t + cls.size() + 9;
        return bar.substr(b, bar.find("</text>", b) - b);
      };
      c.labels.push_back(text_of("label"));
      c.values.push_back(text_of("value"));
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Issue 17.11 and 17.10: the power sections as report.json has them (power_report.cpp:
// by_class rows with "units": "J, W", photonic blocks and the bill of materials as
// {"columns", "units", "rows"} tables, facility figures of many units). The page shows
// no JSON text, rounds for reading (2,771,320 J is "2.771 MJ"; 1,523,103.0178 J is
// "1.523 MJ"; a share of 0.2016818 is "20.17 %"; 70,560,000 USD is "70.56 M USD") and
// never the unrounded number.
TEST(Html, PowerSectionsAreDesignedTablesInReadableUnits) {
  auto t = testing::tiny_run();
  Json report = parse_report_text(report_json(t.s, t.r, summarize(t.s, t.r)));
  report["energy"] = Json::parse(R"({
    "model": "photonic", "total": {"value": 2771320, "unit": "J"},
    "network_share": {"value": 0.16466865935216043, "unit": "1"},
    "by_class": {
      "gpu": {"count": 2016, "energy": 1523103.0177932999, "average_power": 1502577.3361196986,
              "peak_power": 2419200, "units": "J, W"},
      "optics": {"count": 4032, "energy": 40032.49949614062, "average_power": 39493.01245445195,
                 "peak_power": 40073.87410736623, "units": "J, W"}},
    "photonic_blocks": {"engines": {"value": 4032, "unit": "1"},
      "columns": ["block", "energy", "share", "energy_per_bit"], "units": ["", "J", "1", "J/bit"],
      "rows": [["laser", 887.2647650311914, 0.022163611470643475, 1.3208806020096086e-11],
               ["driver", 8073.827415828023, 0.2016818214562493, 1.2019593742309483e-10]]}})");
  report["bill_of_materials"] = Json::parse(R"({
    "priced": {"value": 74103500, "unit": "USD"}, "unpriced_items": {"value": 12600, "unit": "1"},
    "notes": [], "columns": ["item", "part", "count", "unit_price", "total", "estimate"],
    "rows": [["gpu", "gb200-gpu", 2016, 35000, 70560000, true],
             ["nic", "nic", 2016, "", "", false]]})");
  const std::string html = render_html(run_page(t.s, t.r, report));
  const std::string energy = section_text(html, "energy");
  const std::string bom = section_text(html, "bill_of_materials");
  for (const auto* text : {&energy, &bom}) {
    EXPECT_EQ(text->find('{'), std::string::npos) << *text;
    EXPECT_EQ(text->find('['), std::string::npos) << *text;
  }
  EXPECT_NE(energy.find("2.771 MJ"), std::string::npos) << energy;
  EXPECT_EQ(energy.find("2771320"), std::string::npos) << energy;
  EXPECT_NE(energy.find("16.47 %"), std::string::npos) << energy;
  EXPECT_NE(energy.find("1.523 MJ"), std::string::npos) << energy;
  EXPECT_EQ(energy.find("1523103"), std::string::npos) << energy;
  EXPECT_NE(energy.find("20.17 %"), std::string::npos) << energy;
  EXPECT_NE(energy.find("120.2 pJ/bit"), std::string::npos) << energy;  // 1.20196e-10
  EXPECT_NE(bom.find("70.56 M USD"), std::string::npos) << bom;
  EXPECT_NE(bom.find("74.1 M USD"), std::string::npos) << bom;
  EXPECT_NE(bom.find("35,000 USD"), std::string::npos) << bom;
  EXPECT_EQ(bom.find("70560000"), std::string::npos) << bom;
}

// Issue 17.11: a chart never mixes units. The facility's figures of unit "1" (PUE 1.6,
// 3,633,046 repeats, a solar share) are not a breakdown: no chart holds two of them.
// Every chart says its unit (data-unit) and every bar's value is written in it.
TEST(Html, EveryChartHasOneUnit) {
  auto t = testing::tiny_run();
  Json report = parse_report_text(report_json(t.s, t.r, summarize(t.s, t.r)));
  report["facility"] = Json::parse(R"({
    "pue": {"value": 1.6, "unit": "1"}, "repeats": {"value": 3633046, "unit": "1"},
    "solar_share": {"value": 0.35, "unit": "1"},
    "energy_cost": {"value": 18.62, "unit": "PKR"},
    "annual_energy_cost": {"value": 579364887.5, "unit": "PKR"}})");
  report["energy"] = Json::parse(R"({"by_class": {
      "gpu": {"count": 8, "energy": 11444.89, "average_power": 4234.98, "peak_power": 5600, "units": "J, W"},
      "nic": {"count": 8, "energy": 540.49, "average_power": 200, "peak_power": 200, "units": "J, W"}}})");
  const std::string html = render_html(run_page(t.s, t.r, report));
  const auto charts = charts_of(html);
  ASSERT_FALSE(charts.empty());
  bool energy_chart = false;
  for (const auto& c : charts) {
    EXPECT_NE(c.unit, "?") << c.id << " has no unit";
    EXPECT_NE(c.unit, "") << c.id;
    for (const auto& v : c.values) EXPECT_TRUE(ends_with(v, " " + c.unit)) << c.id << ": " << v;
    const bool pue = std::find(c.labels.begin(), c.labels.end(), "pue") != c.labels.end();
    const bool repeats = std::find(c.labels.begin(), c.labels.end(), "repeats") != c.labels.end();
    EXPECT_FALSE(pue || repeats) << c.id;
    EXPECT_EQ(c.id.find("facility"), std::string::npos) << c.id;  // per run next to per year
    // The GPUs' 11,444.89 J and the NICs' 540.49 J on one axis in kJ: 11.44 and 0.5405.
    if (c.id == "chart-energy-by-class-energy") {
      energy_chart = true;
      EXPECT_EQ(c.unit, "kJ");
      EXPECT_EQ(c.values, (std::vector<std::string>{"11.44 kJ", "0.5405 kJ"}));
    }
  }
  EXPECT_TRUE(energy_chart);
}

// Issue 17.12: compare charts what differs (energy x1.5, network power x2.95), grouped
// by kind, each chart in one unit; figures equal in every run (payload, flows) are in a
// compact table and in no chart.
TEST(Html, CompareChartsWhatDiffersAndTablesWhatIsEqual) {
  const std::vector<ComparedRun> runs = {
      {"copper", {{"makespan", 0.5, "s"}, {"payload_bytes", 4294967296, "B"}, {"flows", 4, "1"},
                  {"energy", 2771320, "J"}, {"link_power", 1000, "W"}}},
      {"cpo", {{"makespan", 0.5, "s"}, {"payload_bytes", 4294967296, "B"}, {"flows", 4, "1"},
               {"energy", 4156980, "J"}, {"link_power", 2950, "W"}}}};
  const std::string html = compare_html(runs);
  const auto charts = charts_of(html);
  std::vector<std::string> ids;
  for (const auto& c : charts) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"chart-compare-energy", "chart-compare-link-power"}));
  ASSERT_EQ(charts.size(), 2u);
  // 2,771,320 J and 4,156,980 J (x1.5) on one MJ axis.
  EXPECT_EQ(charts[0].unit, "MJ");
  EXPECT_EQ(charts[0].values, (std::vector<std::string>{"2.771 MJ", "4.157 MJ"}));
  EXPECT_EQ(charts[1].unit, "kW");
  EXPECT_EQ(charts[1].values, (std::vector<std::string>{"1 kW", "2.95 kW"}));
  EXPECT_NE(html.find("<section id=\"energy\">"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"power\">"), std::string::npos);
  EXPECT_EQ(html.find("<section id=\"time\">"), std::string::npos);  // makespan is equal
  const std::string equal = section_text(html, "equal");
  for (const char* f : {"makespan", "payload_bytes", "flows", "4 GiB"}) {
    EXPECT_NE(equal.find(f), std::string::npos) << f << " in " << equal;
  }
  EXPECT_EQ(equal.find("energy"), std::string::npos) << equal;
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

namespace roshni::report {
namespace {

// bench/csv_plot: a log-log plot as a file of its own. x from 64 to 256 spans decades
// 10^1..10^3 (ticks at 10, 100, 1000); y from 0.3 to 70 s spans 10^-1..10^2 (4 ticks).
TEST(Html, LinePlotAsAStandaloneSvgFile) {
  HtmlLinePlot p;
  p.id = "chart-growth";
  p.title = "Wall time";
  p.x_label = "flows";
  p.unit = "s";
  p.x = {"64", "128", "256"};
  p.x_values = {64, 128, 256};
  p.x_scale = "log";
  p.log_y = true;
  p.series = {{"roshni", {0.3, 4.0, 70.0}}, {"simgrid", {2.0, std::nullopt, 60.0}}};
  const std::string svg = line_plot_svg(p);
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("data-x-scale=\"log\" data-y-scale=\"log\""), std::string::npos);
  EXPECT_EQ(count(svg, "<style>"), 1u);
  EXPECT_EQ(count(svg, "class=\"x-tick\""), 3u);
  // roshni one line of 3 points; simgrid's missing middle point breaks it into 2 pieces.
  EXPECT_EQ(count(svg, "<polyline"), 3u);
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

// A log axis over many decades takes its unit from the middle decade: y from 0.26 s to
// 3,368 s spans 10^-1..10^4 s, middle decade 10^1 s, so every tick is in seconds (by the
// largest tick, 10^4 s, they would be in hours: 2.8e-05 h to 2.8 h).
TEST(Html, LogAxisOverManyDecadesKeepsTheMiddleDecadesUnit) {
  HtmlLinePlot p;
  p.id = "chart-growth";
  p.title = "Wall time";
  p.x_label = "flows";
  p.unit = "s";
  p.x = {"4032", "16256", "65280"};
  p.x_values = {4032, 16256, 65280};
  p.x_scale = "log";
  p.log_y = true;
  p.series = {{"roshni", {0.26, 3.57, 68.7}}, {"simgrid", {6.92, 279.35, 3367.54}}};
  const std::string svg = line_plot_svg(p);
  EXPECT_NE(svg.find("data-unit=\"s\""), std::string::npos);
  EXPECT_EQ(svg.find(" h</text>"), std::string::npos);
  EXPECT_EQ(count(svg, " s</text>"), 6u);  // ticks 0.1, 1, 10, 100, 1000, 10000 s
}

}  // namespace
}  // namespace roshni::report
