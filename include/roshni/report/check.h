/// `roshni check`: does a report's summary still agree with a baseline report? Every
/// {"value", "unit"} figure under "summary" (at any depth, named by its dotted path,
/// "busiest_link.utilisation") is compared: relative change for a non-zero baseline,
/// absolute difference for a zero one. Pure logic on parsed JSON; the CLI reads the
/// files and chooses the exit code. Not a comparison of tables or of text.
#pragma once

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
nlohmann::ordered_json read_report(const std::string& path);

/// read_report's parser on text held in memory (`file` names it in errors).
nlohmann::ordered_json parse_report(std::string_view text, const std::string& file);

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

/// "+99.98%", "-0.5%", or for a zero baseline the absolute change ("abs +3").
std::string format_change(double baseline, double now);

/// The table printed when figures moved: figure, unit, baseline, now, change.
std::string format_drifts(const CheckResult& result);

}  // namespace roshni::report
