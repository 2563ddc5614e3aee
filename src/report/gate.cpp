// `roshni check`'s gates (issue 17.8): which figures and table cells a gate compares (--include,
// --exclude, per-figure tolerances) and the comparison itself; the outputs are in
// gate_output.cpp.
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

/// How closely `pattern` (valid) names `name`: 0 not at all; an exact name beats every
/// prefix of it, a longer prefix beats a shorter one.
size_t specificity(std::string_view pattern, std::string_view name) {
  if (!pattern_matches(pattern, name)) return 0;
  if (pattern.ends_with('*')) return 2 * (pattern.size() - 1) + 1;
  return 2 * name.size() + 2;
}

/// The tolerance of `name`: its most specific --tolerance-for, else the default.
double tolerance_of(const GateOptions& o, std::string_view name) {
  double tol = o.tolerance;
  size_t best = 0;
  for (const auto& [pattern, t] : o.tolerance_for) {
    const size_t s = specificity(pattern, name);
    if (s > best) {
      best = s;
      tol = t;
    }
  }
  return tol;
}

/// Why `name` is not gated ("engine counter", "--exclude P"), or nullopt when it is.
std::optional<std::string> excluded_by(const GateOptions& o, std::string_view name,
                                       bool engine_counter_rule) {
  size_t include = 0, exclude = 0;
  std::string exclude_pattern;
  for (const auto& p : o.include) include = std::max(include, specificity(p, name));
  for (const auto& p : o.exclude) {
    const size_t s = specificity(p, name);
    if (s > exclude) {
      exclude = s;
      exclude_pattern = p;
    }
  }
  if (exclude > include) return "--exclude " + exclude_pattern;
  if (include > 0) return std::nullopt;
  if (engine_counter_rule) {
    for (const auto counter : kEngineCounters) {
      if (name == counter) return std::string("engine counter");
    }
  }
  return std::nullopt;
}

/// How far past its tolerance a change is, in tolerances (1 = at the limit).
double excess(double base, double now, double tolerance) {
  const double diff = std::fabs(now - base);
  const double allowed = base == 0 ? tolerance : tolerance * std::fabs(base);
  return allowed > 0 ? diff / allowed : std::numeric_limits<double>::infinity();
}

struct TableLayout {
  const char* name;
  std::vector<std::string> key;  // the columns that make a row's key, joined by "->"
  std::vector<std::string> ids;  // identifiers, not compared ("link": its number)
};

const std::vector<TableLayout>& layouts() {
  static const std::vector<TableLayout> kLayouts = {
      {"links", {"from", "to"}, {"link"}},
      {"flows", {"id"}, {}},
  };
  return kLayouts;
}

/// A checked table of a report: its columns, units and rows.
struct Table {
  std::vector<std::string> columns, units;
  const Json* rows = nullptr;
  std::vector<std::string> keys;  // one per row, repeats numbered "KEY#2", ...
};

Table read_table(const Json& report, const TableLayout& layout, const std::string& file) {
  const std::string at = std::string("/") + layout.name;
  const Json& t = report[layout.name];
  const auto strings = [&](const char* member) {
    if (!t.is_object() || !t.contains(member) || !t[member].is_array()) {
      throw ScenarioError(file, at, fmt::format("a table needs a \"{}\" array", member));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < t[member].size(); ++i) {
      const Json& v = t[member][i];
      if (!v.is_string()) {
        throw ScenarioError(file, fmt::format("{}/{}/{}", at, member, i),
                            fmt::format("expected a string, got {}", escape_text(v.dump(), 60)));
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  };
  Table out;
  out.columns = strings("columns");
  out.units = strings("units");
  if (out.units.size() != out.columns.size()) {
    throw ScenarioError(file, at + "/units",
                        fmt::format("{} units for {} columns", out.units.size(),
                                    out.columns.size()));
  }
  if (!t.contains("rows") || !t["rows"].is_array()) {
    throw ScenarioError(file, at, "a table needs a \"rows\" array");
  }
  out.rows = &t["rows"];
  std::vector<size_t> key_at;
  for (const auto& k : layout.key) {
    const auto it = std::find(out.columns.begin(), out.columns.end(), k);
    if (it == out.columns.end()) {
      throw ScenarioError(file, at + "/columns",
                          fmt::format("no \"{}\" column: rows cannot be matched", k));
    }
    key_at.push_back(static_cast<size_t>(it - out.columns.begin()));
  }
  std::map<std::string, size_t> seen;
  for (size_t r = 0; r < out.rows->size(); ++r) {
    const Json& row = (*out.rows)[r];
    if (!row.is_array() || row.size() != out.columns.size()) {
      throw ScenarioError(file, fmt::format("{}/rows/{}", at, r),
                          fmt::format("a row needs {} cells, one per column", out.columns.size()));
    }
    std::string key;
    for (size_t i = 0; i < key_at.size(); ++i) {
      const Json& cell = row[key_at[i]];
      if (i > 0) key += "->";
      key += cell.is_string() ? cell.get<std::string>() : cell.dump();
    }
    const size_t n = ++seen[key];
    out.keys.push_back(n == 1 ? key : fmt::format("{}#{}", key, n));
  }
  return out;
}

/// The compared columns of a table: all but its key and identifiers.
std::vector<size_t> compared_columns(const Table& t, const TableLayout& layout) {
  std::vector<size_t> out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    const auto& name = t.columns[c];
    const bool key = std::find(layout.key.begin(), layout.key.end(), name) != layout.key.end();
    const bool id = std::find(layout.ids.begin(), layout.ids.end(), name) != layout.ids.end();
    if (!key && !id) out.push_back(c);
  }
  return out;
}

}  // namespace

std::string pattern_error(std::string_view pattern) {
  if (pattern.empty()) return "an empty pattern names no figure";
  const size_t star = pattern.find('*');
  if (star != std::string_view::npos && star + 1 != pattern.size()) {
    return "a \"*\" may only end a pattern (a prefix: \"energy*\", \"links.*\")";
  }
  return "";
}

bool pattern_matches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with('*')) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

std::optional<std::pair<std::string, double>> parse_tolerance_for(std::string_view text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string name(text.substr(0, eq));
  if (!pattern_error(name).empty()) return std::nullopt;
  const auto tol = parse_tolerance(text.substr(eq + 1));
  if (!tol) return std::nullopt;
  return std::make_pair(name, *tol);
}

std::string_view to_string(FigureStatus s) {
  switch (s) {
    case FigureStatus::pass: return "pass";
    case FigureStatus::fail: return "fail";
    case FigureStatus::new_figure: return "new";
    case FigureStatus::missing: return "missing";
    case FigureStatus::excluded: return "excluded";
  }
  return "?";
}

size_t GateResult::gated() const {
  size_t n = 0;
  for (const auto& f : figures) {
    n += f.status != FigureStatus::new_figure && f.status != FigureStatus::excluded;
  }
  return n;
}

size_t GateResult::failed() const {
  size_t n = 0;
  for (const auto& f : figures) {
    n += f.status == FigureStatus::fail || f.status == FigureStatus::missing;
  }
  return n;
}

bool GateResult::passed() const {
  if (failed() > 0) return false;
  for (const auto& t : tables) {
    if (!t.passed()) return false;
  }
  return true;
}

GateResult gate_figures(const std::vector<Figure>& now, const std::vector<Figure>& baseline,
                        const GateOptions& options) {
  std::unordered_map<std::string, const Figure*> by_name;  // lookup only, never iterated
  for (const Figure& f : now) by_name.emplace(f.name, &f);
  std::unordered_map<std::string, bool> in_baseline;
  GateResult out;
  for (const Figure& b : baseline) {
    in_baseline.emplace(b.name, true);
    FigureCheck c;
    c.name = b.name;
    c.unit = b.unit;
    c.baseline = b.value;
    c.baseline_exact = b.exact;
    c.tolerance = tolerance_of(options, b.name);
    const auto it = by_name.find(b.name);
    if (it != by_name.end()) {
      c.now = it->second->value;
      c.now_exact = it->second->exact;
      c.now_unit = it->second->unit;
    }
    if (auto why = excluded_by(options, b.name, true)) {
      c.status = FigureStatus::excluded;
      c.reason = std::move(*why);
    } else if (!c.now) {
      c.status = FigureStatus::missing;
    } else {
      c.status = c.now_unit == c.unit && within(b.value, *c.now, c.tolerance)
                     ? FigureStatus::pass
                     : FigureStatus::fail;
    }
    out.figures.push_back(std::move(c));
  }
  for (const Figure& f : now) {
    if (in_baseline.contains(f.name)) continue;
    in_baseline.emplace(f.name, true);  // a repeated name is listed once
    FigureCheck c;
    c.name = f.name;
    c.unit = f.unit;
    c.now = f.value;
    c.now_exact = f.exact;
    c.now_unit = f.unit;
    c.tolerance = tolerance_of(options, f.name);
    c.status = FigureStatus::new_figure;
    out.figures.push_back(std::move(c));
  }
  return out;
}

std::vector<TableCheck> gate_tables(const Json& report, const std::string& report_file,
                                    const Json& baseline, const std::string& baseline_file,
                                    const GateOptions& options) {
  std::vector<TableCheck> out;
  for (const TableLayout& layout : layouts()) {
    TableCheck tc;
    tc.name = layout.name;
    const bool in_base = baseline.is_object() && baseline.contains(layout.name);
    const bool in_now = report.is_object() && report.contains(layout.name);
    std::optional<Table> base, now;
    if (in_base) base = read_table(baseline, layout, baseline_file);
    if (in_now) now = read_table(report, layout, report_file);
    const Table* shape = base ? &*base : now ? &*now : nullptr;
    if (shape != nullptr) {
      for (size_t c : compared_columns(*shape, layout)) {
        TableField f;
        f.name = std::string(layout.name) + "." + shape->columns[c];
        f.unit = shape->units[c];
        f.tolerance = tolerance_of(options, f.name);
        if (auto why = excluded_by(options, f.name, false)) {
          f.excluded = true;
          f.reason = std::move(*why);
        }
        tc.fields.push_back(std::move(f));
      }
    }
    if (!base && !now) {
      tc.note = "in neither report";
    } else if (!base) {
      tc.note = "not in the baseline, not compared";
    } else if (!now) {
      tc.missing = true;
      tc.note = "missing from the report";
    } else {
      std::unordered_map<std::string, size_t> now_row;  // lookup only
      for (size_t r = 0; r < now->keys.size(); ++r) now_row.emplace(now->keys[r], r);
      std::unordered_map<std::string, size_t> now_column;  // lookup only
      for (size_t c = 0; c < now->columns.size(); ++c) now_column.emplace(now->columns[c], c);
      const auto columns = compared_columns(*base, layout);
      std::unordered_map<std::string, bool> base_keys;
      for (size_t r = 0; r < base->keys.size(); ++r) {
        const std::string& key = base->keys[r];
        base_keys.emplace(key, true);
        const auto found = now_row.find(key);
        if (found == now_row.end()) {
          tc.missing_rows.push_back(key);
          continue;
        }
        ++tc.rows;
        const Json& brow = (*base->rows)[r];
        const Json& nrow = (*now->rows)[found->second];
        for (size_t i = 0; i < columns.size(); ++i) {
          TableField& field = tc.fields[i];
          if (field.excluded) continue;
          const size_t c = columns[i];
          const Json& b = brow[c];
          const auto nc = now_column.find(base->columns[c]);
          const Json n = nc == now_column.end() ? Json(nullptr) : nrow[nc->second];
          if (b == n) continue;
          double over = std::numeric_limits<double>::infinity();
          if (b.is_number() && n.is_number()) {
            const double bv = b.get<double>(), nv = n.get<double>();
            if (within(bv, nv, field.tolerance)) continue;
            over = excess(bv, nv, field.tolerance);
          }
          ++field.failed;
          tc.drifts.push_back({key, field.name, field.unit, b, n, field.tolerance, over});
        }
      }
      for (const auto& key : now->keys) {
        if (!base_keys.contains(key)) tc.new_rows.push_back(key);
      }
      std::stable_sort(tc.drifts.begin(), tc.drifts.end(),
                       [](const CellDrift& a, const CellDrift& b) { return a.excess > b.excess; });
    }
    out.push_back(std::move(tc));
  }
  return out;
}

void require_patterns_used(const GateOptions& options, const GateResult& result, bool tables) {
  const auto used = [&](std::string_view pattern) {
    for (const auto& f : result.figures) {
      if (pattern_matches(pattern, f.name)) return true;
    }
    for (const auto& t : result.tables) {
      for (const auto& f : t.fields) {
        if (pattern_matches(pattern, f.name)) return true;
      }
    }
    return false;
  };
  const auto require = [&](std::string_view option, const std::string& pattern,
                           const std::string& shown) {
    if (used(pattern)) return;
    const bool table = pattern.starts_with("links.") || pattern.starts_with("flows.");
    throw ScenarioError(
        "", "",
        fmt::format("{} {}: names no figure of the report or the baseline ({}; figures are "
                    "named as check prints them, e.g. makespan, busiest_link.utilisation)",
                    option, escape_text(shown, 120),
                    table && !tables ? "a table's columns are compared only with --tables"
                                     : "a typo would gate nothing"));
  };
  for (const auto& [p, t] : options.tolerance_for) require("--tolerance-for", p, p);
  for (const auto& p : options.include) require("--include", p, p);
  for (const auto& p : options.exclude) require("--exclude", p, p);
}

}  // namespace roshni::report
