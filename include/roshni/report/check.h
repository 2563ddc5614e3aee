/// `roshni check`: does a report's summary still agree with a baseline report? Every
/// {"value", "unit"} figure under "summary" (at any depth, named by its dotted path,
/// "busiest_link.utilisation") is compared: relative change for a non-zero baseline,
/// absolute difference for a zero one. With `GateOptions`, figures get their own
/// tolerances, are left out or brought back by name patterns (engine counters are left
/// out by default), and the per-link and per-flow tables can be compared row by row.
/// Pure logic on parsed JSON; the CLI reads the files and chooses the exit code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace roshni::report {

/// One figure of a report's summary.
struct Figure {
  std::string name;  // dotted path under "summary": "makespan", "busiest_link.bytes"
  double value = 0;
  std::string unit;
  /// The value as the report wrote it when that is an integer (makespan_ps, counts):
  /// a double holds integers exactly only to 2^53, and tables copy these digit for digit.
  std::optional<int64_t> exact = std::nullopt;
};

/// Containers (objects and arrays) nested deeper than this are refused when a report is
/// read: the walks of the tree are recursive, and a real report is at most 6 deep.
inline constexpr size_t kMaxReportDepth = 64;

/// Reads a report.json for its summary: parses `path` but skips the per-link and
/// per-flow tables (a report can hold millions of rows). Throws ScenarioError naming
/// the file (and the line and column for malformed JSON; the JSON pointer for a number
/// past the range of a double or a container nested deeper than kMaxReportDepth). Keys
/// stay in document order, so figures keep the report's order.
/// With `tables` true the "links" and "flows" tables are kept (`check --tables`).
nlohmann::ordered_json read_report(const std::string& path, bool tables = false);

/// read_report's parser on text held in memory (`file` names it in errors).
nlohmann::ordered_json parse_report(std::string_view text, const std::string& file,
                                    bool tables = false);

/// True when `j` is an object whose "schema" is a string starting "roshni.report/".
bool is_report(const nlohmann::ordered_json& j);

/// The figures of `report`'s "summary", in document order. Throws ScenarioError
/// (`file`, JSON pointer) when the report has no summary object or a figure's value is
/// not a number or its unit not a string.
std::vector<Figure> summary_figures(const nlohmann::ordered_json& report,
                                    const std::string& file);

/// "1%" -> 0.01, "0.01" -> 0.01, "1e-9" -> 1e-9; nullopt for anything else, a negative
/// or a non-finite number.
std::optional<double> parse_tolerance(std::string_view text);

/// Throws ScenarioError at `baseline_file`:/schema unless both reports carry the same
/// "schema" (naming both), and at `report_file`:/schema if the report is not a roshni
/// report at all.
void require_same_schema(const nlohmann::ordered_json& report, const std::string& report_file,
                         const nlohmann::ordered_json& baseline,
                         const std::string& baseline_file);

/// A figure that moved past the tolerance, changed unit, or went missing.
struct Drift {
  std::string name;
  std::string unit;               // the baseline's
  double baseline = 0;
  std::optional<double> now;      // nullopt: the report no longer has this figure
  std::string now_unit;           // differs from `unit` when the unit changed
};

struct CheckResult {
  size_t compared = 0;                  // figures of the baseline
  std::vector<Drift> drifts;            // in the baseline's order
  std::vector<std::string> new_figures; // in the report, not in the baseline (not checked)
  bool passed() const { return drifts.empty(); }
};

/// Compares `now` with `baseline`: a figure passes when its unit is the same and
/// |now - base| <= tolerance x |base| (base != 0) or |now| <= tolerance (base == 0).
CheckResult check_figures(const std::vector<Figure>& now, const std::vector<Figure>& baseline,
                          double tolerance);

// ---- Gates: per-figure tolerances, include/exclude, tables (issue 17.8) ----

/// Figures that count the engine's own work, not a result of the modelled system: an
/// optimisation of the engine changes them while every result stays. Not gated unless
/// brought back by --include.
inline constexpr std::array<std::string_view, 2> kEngineCounters = {"events", "rate_solves"};

/// A pattern names figures: a dotted name as check prints it ("makespan",
/// "busiest_link.utilisation", "links.bytes" for a table's column), or a prefix ending in
/// one "*" ("energy*", "links.*", "*" for all). Returns why `pattern` is not one, or "".
std::string pattern_error(std::string_view pattern);

/// True when `pattern` (valid) names `name`.
bool pattern_matches(std::string_view pattern, std::string_view name);

/// "NAME=TOL" (TOL as parse_tolerance) -> {NAME, tolerance}; nullopt when either part is bad.
std::optional<std::pair<std::string, double>> parse_tolerance_for(std::string_view text);

struct GateOptions {
  double tolerance = 0;  // every figure's, unless a tolerance_for names it
  /// {pattern, tolerance}: the most specific pattern naming a figure wins (the exact name,
  /// else the longest prefix).
  std::vector<std::pair<std::string, double>> tolerance_for;
  /// Which figures are gated: the most specific pattern of the two lists naming a figure
  /// decides; a figure no pattern names is gated unless it is an engine counter.
  std::vector<std::string> include, exclude;
};

enum class FigureStatus { pass, fail, new_figure, missing, excluded };

/// "pass", "fail", "new", "missing", "excluded".
std::string_view to_string(FigureStatus s);

/// One figure of the baseline or the report, and what the gate made of it.
struct FigureCheck {
  std::string name;
  std::string unit;                // the baseline's; the report's for a new figure
  std::optional<double> baseline;  // nullopt: a new figure
  std::optional<double> now;       // nullopt: missing from the report
  std::string now_unit;            // the report's
  std::optional<int64_t> baseline_exact, now_exact;  // integers as written (Figure::exact)
  double tolerance = 0;
  FigureStatus status = FigureStatus::pass;
  std::string reason;              // excluded: "engine counter" or "--exclude PATTERN"
};

/// A value of a table row that moved past its tolerance, changed or went missing.
struct CellDrift {
  std::string row;                 // the row's key: "gpu0->leaf0", "allreduce/rs0/r0"
  std::string field;               // "links.bytes"
  std::string unit;
  nlohmann::ordered_json baseline, now;  // null when the column is missing on that side
  double tolerance = 0;
  double excess = 0;               // |change| / (tolerance x |base|), or / tolerance for a
                                   // zero baseline; infinite for a missing or changed text
};

/// One column of a compared table.
struct TableField {
  std::string name;                // "links.bytes"
  std::string unit;
  double tolerance = 0;
  bool excluded = false;
  std::string reason;              // "--exclude PATTERN"
  size_t failed = 0;               // rows past the tolerance
};

/// A table ("links" or "flows") compared row by row, rows matched by key: a link by
/// "from->to", a flow by its id; the n-th repeat of a key (parallel links) is "KEY#n".
struct TableCheck {
  std::string name;
  std::string note;                // why it was not compared ("not in the baseline"), or ""
  bool missing = false;            // in the baseline, not in the report: fails
  size_t rows = 0;                 // rows in both
  std::vector<std::string> missing_rows;  // in the baseline only, baseline order
  std::vector<std::string> new_rows;      // in the report only, report order
  std::vector<TableField> fields;
  std::vector<CellDrift> drifts;   // worst first (largest excess; then table order)
  bool passed() const { return !missing && missing_rows.empty() && new_rows.empty() && drifts.empty(); }
};

struct GateResult {
  std::vector<FigureCheck> figures;  // the baseline's order, then new figures in the report's
  std::vector<TableCheck> tables;    // with --tables: links, flows
  size_t gated() const;              // figures neither new nor excluded
  size_t failed() const;             // figures fail or missing
  bool passed() const;               // no figure failed, every table passed
};

/// Gates `now` against `baseline` (see GateOptions). A figure passes when its unit is
/// the same and |now - base| <= tol x |base| (base != 0) or |now| <= tol (base == 0).
GateResult gate_figures(const std::vector<Figure>& now, const std::vector<Figure>& baseline,
                        const GateOptions& options);

/// The "links" and "flows" tables of two reports read with their tables, compared row by
/// row with the same rules (numbers within their tolerance, text equal). Throws
/// ScenarioError (`file`, pointer) for a table that is not {"columns", "units", "rows"}.
std::vector<TableCheck> gate_tables(const nlohmann::ordered_json& report,
                                    const std::string& report_file,
                                    const nlohmann::ordered_json& baseline,
                                    const std::string& baseline_file,
                                    const GateOptions& options);

/// Throws ScenarioError naming the option ("--tolerance-for makespn") when a pattern of
/// `options` names no figure or table column of `result` (a typo would gate nothing).
void require_patterns_used(const GateOptions& options, const GateResult& result, bool tables);

/// Output of a gate. `tolerance` is the --tolerance as typed.
struct GateText {
  std::string report_file, baseline_file, tolerance;
  size_t max_rows = 20;  // table drifts printed, then "and N more"
};
/// The terminal text: a failure's table (figure, unit, baseline, now, change, tolerance
/// when per-figure tolerances are given), or one line for a pass (nothing with `quiet`);
/// the figures not gated and why; with tables, each table's verdict and worst offenders.
std::string format_gate_text(const GateResult& result, const GateOptions& options,
                             const GateText& text, bool quiet);
/// An object: status, the figures (name, unit, baseline, value, change, relative_change,
/// tolerance, status), and with tables their verdicts and every drift.
std::string format_gate_json(const GateResult& result, const GateOptions& options,
                             const GateText& text);
/// JUnit XML: <testsuite name="roshni check"> with a <testcase> per gated figure (and per
/// compared table column, and per table for its rows), <failure> for those that failed.
std::string format_gate_junit(const GateResult& result, const GateText& text);


/// "+99.98%", "-0.5%", or for a zero baseline the absolute change ("abs +3").
std::string format_change(double baseline, double now);

/// The table printed when figures moved: figure, unit, baseline, now, change.
std::string format_drifts(const CheckResult& result);

}  // namespace roshni::report
