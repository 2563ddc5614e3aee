/// Self-contained HTML pages (report.html, `compare --format html`, sweep.html): one
/// file with its CSS inline and every chart drawn as inline SVG here in C++, so a page
/// needs no network, no script and no other file to be read. A page is data (sections
/// of tables and charts) rendered by one function; every piece of text is escaped.
/// Not a general HTML writer or a plotting library: four chart kinds, fixed styles.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "roshni/net/flow_model.h"
#include "roshni/report/compare.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

/// A table of text cells; cells of columns marked numeric are right-aligned.
struct HtmlTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // per column; missing entries: false
};

/// Horizontal bars, one per item, scaled to `max` (0: the largest value).
struct HtmlBar {
  std::string label;
  double value = 0;  // >= 0
  std::string text;  // drawn after the bar ("99.98% (1.75 GiB)")
};
struct HtmlBarChart {
  std::string id;  // the <svg> element's id ("chart-top-links")
  std::string title;
  std::vector<HtmlBar> bars;
  double max = 0;
};

/// Lines over categories (x values evenly spaced in the order given), one per series;
/// a missing point breaks its line.
struct HtmlSeries {
  std::string name;
  std::vector<std::optional<double>> y;  // one per x
};
struct HtmlLinePlot {
  std::string id;
  std::string title;
  std::string x_label, unit;  // unit of y, formatted by readable()
  std::vector<std::string> x;
  std::vector<HtmlSeries> series;
};

/// Markup made by the builders here (timeline and heatmap SVG, headings), escaped.
struct HtmlMarkup {
  std::string svg;
};

using HtmlBlock = std::variant<HtmlTable, HtmlBarChart, HtmlLinePlot, HtmlMarkup>;

struct HtmlSection {
  std::string id;     // the <section> element's id
  std::string title;
  std::string note;   // a paragraph under the title, may be empty
  std::vector<HtmlBlock> blocks;
};

struct HtmlPage {
  std::string title;
  std::string subtitle;
  std::vector<HtmlSection> sections;
};

/// `& < > " '` as entities: safe in element text and in quoted attributes.
std::string html_escape(std::string_view text);

/// The whole document, <!DOCTYPE html> to </html>.
std::string render_html(const HtmlPage& page);

/// A section from any JSON object of the report (data-driven; this is how the report's
/// optional sections appear without code of their own): every {"value", "unit"} figure
/// becomes a row of a figures table (dotted name, readable value); strings and bare
/// numbers become rows too; an object holding two or more figures of one unit also
/// becomes a bar chart of them (a breakdown: energy by component class); an object of
/// objects of scalars, or an array of objects of scalars, becomes a table with one row
/// per member (a bill of materials, links by part). `top_charts` false: no bar charts
/// for the figures directly in `object` (the summary's counts are not a breakdown).
HtmlSection json_section(std::string id, std::string title, const nlohmann::ordered_json& object,
                         bool top_charts = true);

/// Titles for the optional top-level report sections rendered by json_section, in the
/// order the page shows them; any other unknown top-level key follows, titled by its name.
struct OptionalSection {
  std::string_view key, title;
};
inline constexpr OptionalSection kOptionalSections[] = {
    {"energy", "Energy by component class"},
    {"thermal", "Heat"},
    {"facility", "Facility, cost and carbon"},
    {"bill_of_materials", "Bill of materials"},
};

/// report.html shows at most this many code points of the scenario's description and
/// of its name, then "… (truncated: N characters in all)": a page stays small whatever
/// the free text (report.json and the scenario file keep it whole).
inline constexpr size_t kMaxHtmlDescription = 2000;
inline constexpr size_t kMaxHtmlName = 200;

/// The sections of report.html for one finished run: summary (scenario, workload and
/// every figure of report["summary"]), links (top 20 by utilisation, histogram,
/// node-by-node heatmap up to 48 nodes), timeline (per sending node, collective and
/// step lanes), then the report's optional sections. `report` is report.json parsed
/// without its tables (parse_report_text).
HtmlPage run_page(const scenario::Scenario& s, const net::FlowRunResult& r,
                  const nlohmann::ordered_json& report);

/// report.json's text parsed without its "links" and "flows" tables.
nlohmann::ordered_json parse_report_text(const std::string& text);

/// report.html's text: run_page rendered.
std::string run_html(const scenario::Scenario& s, const net::FlowRunResult& r,
                     const std::string& report_text);

/// `roshni compare --format html`: the compare table with ratios to the first run, and
/// a bar chart per headline figure.
std::string compare_html(const std::vector<ComparedRun>& runs);

/// The timeline chart alone (for tests): one row per sending node, at most `max_rows`.
HtmlMarkup timeline_svg(const scenario::Scenario& s, const net::FlowRunResult& r,
                     size_t max_rows = 64);

}  // namespace roshni::report
