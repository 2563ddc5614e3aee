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

#include "roshni/net/run_contract.h"
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
  std::string text;  // drawn after the bar, in the chart's unit ("99.98 %", "2.771 MJ")
  std::string tip;   // more for the tooltip only ("(1.75 GiB carried)"), may be empty
};
/// One unit for every bar: `unit` is what each bar's text is written in ("MJ", "%"),
/// written on the <svg> as data-unit. Builders make the texts with one DisplayScale
/// (readable_units.h) for the whole chart, so bars of unlike figures never share one.
struct HtmlBarChart {
  std::string id;  // the <svg> element's id ("chart-top-links")
  std::string title;
  std::string unit;
  std::vector<HtmlBar> bars;
  double max = 0;
};

/// Lines over x values, one per series; a missing point breaks its line. x is drawn as
/// categories (evenly spaced in the order given, each labelled with its text) unless
/// `x_scale` says "linear" or "log": then each point sits at its number in `x_values`,
/// with ticks at round values (linear) or at powers of ten (log). `log_y` draws y in
/// decades (every y must be > 0, else y stays linear). The <svg> carries data-x-scale
/// ("category", "linear", "log") and data-y-scale ("linear", "log").
struct HtmlSeries {
  std::string name;
  std::vector<std::optional<double>> y;  // one per x
};
struct HtmlLinePlot {
  std::string id;
  std::string title;
  std::string x_label, unit;  // unit of y (report.json's), drawn in one DisplayScale
  std::string figure;         // the figure's name: a share of unit "1" is drawn in %
  std::vector<std::string> x;
  std::vector<HtmlSeries> series;
  std::string x_scale = "category";  // "category", "linear" or "log"
  std::vector<double> x_values;      // linear and log: the number of each x (log: all > 0)
  bool log_y = false;
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

/// One line plot as a standalone SVG file (the page's chart styles inline, on white), for
/// figures outside a page: bench/csv_plot draws docs/images/ with it.
std::string line_plot_svg(const HtmlLinePlot& p);

/// A section from any JSON object of the report (data-driven; this is how the report's
/// optional sections appear without code of their own), every number rounded for
/// reading in readable units (readable_units.h) and never JSON text:
/// - a {"value", "unit"} figure, a string, a number, or an array of those is a row of
///   the section's figures table (dotted name, readable value; arrays joined by "; ");
/// - a report table {"columns", "units", "rows"} (photonic blocks, the bill of
///   materials) is a table with a header per column, each number in its column's unit
///   (from "units", else from the column's name: energy J, power W, price and total in
///   the currency of a money figure beside it); its other members are figures;
/// - an object of objects of scalars (by_class, links_by_part), or an array of such
///   objects, is a table with one row per member, units from the column names checked
///   against the row's "unit"/"units";
/// - with `charts`: each such table gives one bar chart, of its first column that has a
///   unit (energy by class in J, energy by photonic block, priced total by item), and an
///   object whose members are all figures of one unit gives one (a breakdown). Figures
///   side by side at the top of a section are never charted together (PUE and repeats
///   are not a breakdown), and no chart has two units: a count column is not charted.
HtmlSection json_section(std::string id, std::string title, const nlohmann::ordered_json& object,
                         bool charts = true);

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
HtmlPage run_page(const scenario::Scenario& s, const net::RunResult& r,
                  const nlohmann::ordered_json& report);

/// report.json's text parsed without its "links" and "flows" tables.
nlohmann::ordered_json parse_report_text(const std::string& text);

/// report.html's text: run_page rendered.
std::string run_html(const scenario::Scenario& s, const net::RunResult& r,
                     const std::string& report_text);

/// `roshni compare --format html`: a section per kind of figure (time, energy, power,
/// money, carbon, heat, traffic, other) with a bar chart (one bar per run, one unit) for
/// every figure that differs between the runs; a table of the differing figures with
/// ratios to the first run; a compact table of the figures equal in every run.
std::string compare_html(const std::vector<ComparedRun>& runs);

/// The timeline chart alone (for tests): one row per sending node, at most `max_rows`.
HtmlMarkup timeline_svg(const scenario::Scenario& s, const net::RunResult& r,
                     size_t max_rows = 64);

}  // namespace roshni::report
