/// `roshni compare`: the summary figures of several runs side by side, each with its
/// ratio to the first run's. Rows: makespan, bus bandwidth, payload and busiest-link
/// utilisation first, then every other figure in the order the runs first give it.
/// Pure formatting of figures already read (check.h reads reports; the CLI runs
/// scenarios); not a statistical comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/report/check.h"

namespace roshni::report {

struct ComparedRun {
  std::string label;             // column heading
  std::vector<Figure> figures;
};

enum class TableFormat { terminal, markdown, csv, html };

/// "terminal" | "markdown" | "csv" | "html"; false for anything else.
bool parse_table_format(std::string_view text, TableFormat& out);

/// Short column headings for the files compared: the file name without ".json", or the
/// name of its directory when the file is "report.json" ("out/a/report.json" -> "a");
/// the paths as given when two of those would be equal.
std::vector<std::string> run_labels(const std::vector<std::string>& paths);

/// The figure names in table order (see the header comment).
std::vector<std::string> compared_figures(const std::vector<ComparedRun>& runs);

/// The table. terminal and markdown show values with units in readable prefixes
/// ("37.5894 ms", "49.99 GB/s", "14 GiB") and ratios to 4 decimals; csv gives raw SI
/// numbers (shortest round-trip), a unit column and full-precision ratios. A figure a
/// run lacks is "-" (empty in csv), as is a ratio to a zero or missing first value.
/// html is a whole page (html.h: compare_html): charts of what differs, tables of the rest.
std::string compare_table(const std::vector<ComparedRun>& runs, TableFormat format);

/// What a reader of the comparison must know that the figures do not say, in run order:
/// a run whose bill of materials has unpriced items (`capital_unpriced_items` > 0) makes
/// `capital_priced` incomplete, so a variant with unpriced parts looks cheapest (issue
/// 17.5). Printed under the terminal and markdown tables and atop the html page.
std::vector<std::string> compare_notes(const std::vector<ComparedRun>& runs);

/// A figure in readable units: "s" and "B" through the core formatters, "B/s" in
/// decimal bytes per second ("49.99 GB/s", as nccl-tests prints bandwidth), counts
/// exactly ("232"), shares by `name` in % ("17.37 %"), and everything else through
/// readable_units.h ("2.51 MJ", "3.389 MW", "80.38 M USD", "976.8 t").
std::string readable(double value, std::string_view unit, std::string_view name = {});

/// `now`'s value over `first`'s: nullopt when either is missing, the units differ, or
/// `first` is 0 and `now` is not (1 when both are 0).
std::optional<double> figure_ratio(const Figure* first, const Figure* now);

}  // namespace roshni::report
