// A gate's result for people (text), for tools (JSON) and for CI (JUnit XML).
#include "roshni/report/check.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "report/check_common.h"
#include "report/text_table.h"

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

namespace {

/// A table cell for a person: numbers in full precision, text as it is, "missing" for null.
std::string shown_cell(const Json& v) {
  if (v.is_null()) return "missing";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return number(v.get<double>());
  return v.dump();
}

std::string cell_change(const CellDrift& d) {
  if (d.baseline.is_number() && d.now.is_number()) {
    return format_change(d.baseline.get<double>(), d.now.get<double>());
  }
  return "-";
}

/// "a, b, c" of at most `max` items, then "and N more".
std::string capped_list(const std::vector<std::string>& items, size_t max) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max) out += fmt::format(" and {} more", items.size() - max);
  return out;
}

std::string figure_change(const FigureCheck& f) {
  if (!f.now || !f.baseline) return "-";
  if (f.now_unit != f.unit) return fmt::format("unit {} -> {}", f.unit, f.now_unit);
  return format_change(*f.baseline, *f.now);
}

}  // namespace

std::string format_gate_text(const GateResult& result, const GateOptions& options,
                             const GateText& text, bool quiet) {
  std::string out;
  const bool own = !options.tolerance_for.empty();
  const std::string tolerance =
      own ? fmt::format("their tolerances (default {})", text.tolerance) : text.tolerance;
  if (result.failed() > 0) {
    out += fmt::format("{}: {} of {} figures moved beyond {} against {}\n", text.report_file,
                       result.failed(), result.gated(),
                       own ? tolerance : "the tolerance of " + tolerance, text.baseline_file);
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"figure", "unit", "baseline", "now", "change"});
    if (own) rows.back().push_back("tolerance");
    for (const FigureCheck& f : result.figures) {
      if (f.status != FigureStatus::fail && f.status != FigureStatus::missing) continue;
      if (!f.now) {
        rows.push_back({f.name, f.unit, number(*f.baseline), "missing", "-"});
      } else if (f.now_unit != f.unit) {
        rows.push_back({f.name, f.unit, number(*f.baseline), number(*f.now) + " " + f.now_unit,
                        figure_change(f)});
      } else {
        rows.push_back({f.name, f.unit, number(*f.baseline), number(*f.now), figure_change(f)});
      }
      if (own) rows.back().push_back(shown_tolerance(f.tolerance));
    }
    out += aligned_table(rows, 2);
  } else if (!quiet) {
    out += fmt::format("{}: all {} figures within {} of {}\n", text.report_file, result.gated(),
                       tolerance, text.baseline_file);
  }
  if (!quiet) {
    std::vector<std::string> fresh, engine, excluded;
    for (const FigureCheck& f : result.figures) {
      if (f.status == FigureStatus::new_figure) fresh.push_back(f.name);
      if (f.status == FigureStatus::excluded) {
        (f.reason == "engine counter" ? engine : excluded).push_back(
            f.reason == "engine counter" ? f.name : f.name + " (" + f.reason + ")");
      }
    }
    if (!fresh.empty()) {
      out += fmt::format("  not in the baseline, so not checked: {}\n", fmt::join(fresh, ", "));
    }
    if (!engine.empty()) {
      out += fmt::format("  not gated: engine counters: {} (--include NAME gates one)\n",
                         fmt::join(engine, ", "));
    }
    if (!excluded.empty()) {
      out += fmt::format("  not gated: {}\n", fmt::join(excluded, ", "));
    }
  }
  for (const TableCheck& t : result.tables) {
    if (quiet && t.passed()) continue;
    if (!t.note.empty()) {
      out += fmt::format("table {}: {}\n", t.name, t.note);
      continue;
    }
    out += fmt::format("table {}: {} rows in both", t.name, t.rows);
    if (t.passed()) {
      out += ", every value within its tolerance\n";
      continue;
    }
    out += fmt::format("; {} missing from the report{}; {} new in the report{}\n",
                       t.missing_rows.size(),
                       t.missing_rows.empty() ? "" : " (" + capped_list(t.missing_rows, text.max_rows) + ")",
                       t.new_rows.size(),
                       t.new_rows.empty() ? "" : " (" + capped_list(t.new_rows, text.max_rows) + ")");
    if (t.drifts.empty()) continue;
    out += fmt::format("  {} {} moved beyond their tolerance, worst first:\n", t.drifts.size(),
                       t.drifts.size() == 1 ? "value" : "values");
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"row", "field", "unit", "baseline", "now", "change", "tolerance"});
    for (size_t i = 0; i < t.drifts.size() && i < text.max_rows; ++i) {
      const CellDrift& d = t.drifts[i];
      rows.push_back({d.row, d.field, d.unit, shown_cell(d.baseline), shown_cell(d.now),
                      cell_change(d), shown_tolerance(d.tolerance)});
    }
    std::string table = aligned_table(rows, 3);
    for (size_t at = 0; at < table.size();) {  // indented under the table's line
      const size_t nl = table.find('\n', at);
      out += "  " + table.substr(at, nl - at + 1);
      at = nl == std::string::npos ? table.size() : nl + 1;
    }
    if (t.drifts.size() > text.max_rows) {
      out += fmt::format("  and {} more\n", t.drifts.size() - text.max_rows);
    }
  }
  return out;
}

namespace {

/// A figure's value for JSON: the integer as the report wrote it, else the double.
Json figure_value(const std::optional<double>& v, const std::optional<int64_t>& exact) {
  if (exact) return *exact;
  return v ? Json(*v) : Json(nullptr);
}

/// Relative change, or null for a zero or missing baseline.
Json relative_change(const Json& base, const Json& now) {
  if (!base.is_number() || !now.is_number()) return nullptr;
  const double b = base.get<double>();
  if (b == 0) return nullptr;
  return (now.get<double>() - b) / std::fabs(b);
}

Json absolute_change(const Json& base, const Json& now) {
  if (!base.is_number() || !now.is_number()) return nullptr;
  return now.get<double>() - base.get<double>();
}

}  // namespace

std::string format_gate_json(const GateResult& result, const GateOptions& options,
                             const GateText& text) {
  Json doc = Json::object();
  doc["schema"] = "roshni.check/1";
  doc["report"] = text.report_file;
  doc["baseline"] = text.baseline_file;
  doc["tolerance"] = options.tolerance;
  doc["status"] = result.passed() ? "pass" : "fail";
  doc["gated"] = result.gated();
  doc["failed"] = result.failed();
  Json figures = Json::array();
  for (const FigureCheck& f : result.figures) {
    Json j = Json::object();
    j["name"] = f.name;
    j["unit"] = f.unit;
    const Json b = figure_value(f.baseline, f.baseline_exact);
    const Json n = figure_value(f.now, f.now_exact);
    j["baseline"] = b;
    j["value"] = n;
    if (f.now && f.now_unit != f.unit) j["value_unit"] = f.now_unit;
    j["change"] = absolute_change(b, n);
    j["relative_change"] = relative_change(b, n);
    j["tolerance"] = f.tolerance;
    j["status"] = to_string(f.status);
    if (!f.reason.empty()) j["reason"] = f.reason;
    figures.push_back(std::move(j));
  }
  doc["figures"] = std::move(figures);
  if (!result.tables.empty()) {
    Json tables = Json::array();
    for (const TableCheck& t : result.tables) {
      Json j = Json::object();
      j["name"] = t.name;
      j["status"] = !t.note.empty() && !t.missing ? "not_compared" : t.passed() ? "pass" : "fail";
      if (!t.note.empty()) j["note"] = t.note;
      j["rows"] = t.rows;
      j["missing_rows"] = t.missing_rows;
      j["new_rows"] = t.new_rows;
      Json fields = Json::array();
      for (const TableField& f : t.fields) {
        Json fj = Json::object();
        fj["name"] = f.name;
        fj["unit"] = f.unit;
        fj["tolerance"] = f.tolerance;
        fj["status"] = f.excluded ? "excluded" : f.failed > 0 ? "fail" : "pass";
        if (f.excluded) fj["reason"] = f.reason;
        fj["failed_rows"] = f.failed;
        fields.push_back(std::move(fj));
      }
      j["fields"] = std::move(fields);
      Json drifts = Json::array();
      for (const CellDrift& d : t.drifts) {
        Json dj = Json::object();
        dj["row"] = d.row;
        dj["field"] = d.field;
        dj["unit"] = d.unit;
        dj["baseline"] = d.baseline;
        dj["value"] = d.now;
        dj["change"] = absolute_change(d.baseline, d.now);
        dj["relative_change"] = relative_change(d.baseline, d.now);
        dj["tolerance"] = d.tolerance;
        drifts.push_back(std::move(dj));
      }
      j["drifts"] = std::move(drifts);
      tables.push_back(std::move(j));
    }
    doc["tables"] = std::move(tables);
  }
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string format_gate_junit(const GateResult& result, const GateText& text) {
  struct Case {
    std::string classname, name, failure, detail;  // failure empty: passed
  };
  std::vector<Case> cases;
  for (const FigureCheck& f : result.figures) {
    if (f.status == FigureStatus::new_figure || f.status == FigureStatus::excluded) continue;
    Case c{"summary", f.name, "", ""};
    if (f.status == FigureStatus::missing) {
      c.failure = fmt::format("{}: missing from the report (baseline {} {})", f.name,
                              number(*f.baseline), f.unit);
    } else if (f.status == FigureStatus::fail) {
      c.failure = fmt::format("{}: {} {} -> {} {} ({}), tolerance {}", f.name,
                              number(*f.baseline), f.unit, number(*f.now), f.now_unit,
                              figure_change(f), shown_tolerance(f.tolerance));
    }
    cases.push_back(std::move(c));
  }
  for (const TableCheck& t : result.tables) {
    if (!t.note.empty() && !t.missing) continue;  // not compared
    Case rows{t.name, t.name + ".rows", "", ""};
    if (t.missing) {
      rows.failure = fmt::format("table {} is missing from the report", t.name);
    } else if (!t.missing_rows.empty() || !t.new_rows.empty()) {
      rows.failure = fmt::format("table {}: {} rows missing from the report, {} new", t.name,
                                 t.missing_rows.size(), t.new_rows.size());
      if (!t.missing_rows.empty()) {
        rows.detail += "missing: " + capped_list(t.missing_rows, text.max_rows) + "\n";
      }
      if (!t.new_rows.empty()) rows.detail += "new: " + capped_list(t.new_rows, text.max_rows) + "\n";
    }
    cases.push_back(std::move(rows));
    if (t.missing) continue;
    for (const TableField& f : t.fields) {
      if (f.excluded) continue;
      Case c{t.name, f.name, "", ""};
      if (f.failed > 0) {
        c.failure = fmt::format("{}: {} of {} rows beyond the tolerance of {}", f.name, f.failed,
                                t.rows, shown_tolerance(f.tolerance));
        size_t shown = 0;
        for (const CellDrift& d : t.drifts) {
          if (d.field != f.name) continue;
          if (shown++ == text.max_rows) {
            c.detail += fmt::format("and {} more\n", f.failed - text.max_rows);
            break;
          }
          c.detail += fmt::format("{}: {} -> {} ({})\n", d.row, shown_cell(d.baseline),
                                  shown_cell(d.now), cell_change(d));
        }
      }
      cases.push_back(std::move(c));
    }
  }
  size_t failures = 0;
  for (const Case& c : cases) failures += !c.failure.empty();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuite name=\"roshni check\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
                     "skipped=\"0\">\n",
                     cases.size(), failures);
  out += "  <properties>\n";
  out += fmt::format("    <property name=\"report\" value=\"{}\"/>\n", xml_escape(text.report_file));
  out += fmt::format("    <property name=\"baseline\" value=\"{}\"/>\n",
                     xml_escape(text.baseline_file));
  out += fmt::format("    <property name=\"tolerance\" value=\"{}\"/>\n", xml_escape(text.tolerance));
  out += "  </properties>\n";
  for (const Case& c : cases) {
    out += fmt::format("  <testcase classname=\"{}\" name=\"{}\"", xml_escape(c.classname),
                       xml_escape(c.name));
    if (c.failure.empty()) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n    <failure type=\"drift\" message=\"{}\">{}</failure>\n  </testcase>\n",
                       xml_escape(c.failure), xml_escape(c.detail.empty() ? c.failure : c.detail));
  }
  std::vector<std::string> not_gated;
  for (const FigureCheck& f : result.figures) {
    if (f.status == FigureStatus::excluded) not_gated.push_back(f.name + " (" + f.reason + ")");
    if (f.status == FigureStatus::new_figure) not_gated.push_back(f.name + " (not in the baseline)");
  }
  if (!not_gated.empty()) {
    out += fmt::format("  <system-out>not gated: {}</system-out>\n",
                       xml_escape(fmt::format("{}", fmt::join(not_gated, ", "))));
  }
  out += "</testsuite>\n";
  return out;
}


}  // namespace roshni::report
