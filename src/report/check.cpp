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
#include "report/text_table.h"

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

/// RFC 6901: "~" is written "~0" and "/" is written "~1" inside a pointer token.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void collect(const Json& node, const std::string& name, const std::string& pointer,
             const std::string& file, std::vector<Figure>& out) {
  for (const auto& [key, child] : node.items()) {
    if (!child.is_object()) continue;  // names and other annotations are not figures
    const std::string child_name = name.empty() ? key : name + "." + key;
    const std::string child_pointer = pointer + "/" + pointer_token(key);
    if (!child.contains("value")) {
      collect(child, child_name, child_pointer, file, out);
      continue;
    }
    // A figure without its unit was skipped, so a gate on it checked nothing (issue 17.8).
    if (!child.contains("unit")) {
      throw ScenarioError(file, child_pointer,
                          "a figure needs a \"unit\" beside its \"value\" (\"1\" for a plain number)");
    }
    const Json& value = child["value"];
    if (!value.is_number()) {
      throw ScenarioError(file, child_pointer + "/value",
                          fmt::format("expected a number, got {}", value.dump()));
    }
    const Json& unit = child["unit"];
    if (!unit.is_string()) {
      throw ScenarioError(file, child_pointer + "/unit",
                          fmt::format("expected a unit as a string, got {}", unit.dump()));
    }
    std::optional<int64_t> exact;
    if (value.is_number_integer() && !(value.is_number_unsigned() &&
                                       value.get<uint64_t>() > uint64_t{INT64_MAX})) {
      exact = value.get<int64_t>();
    }
    out.push_back({child_name, value.get<double>(), unit.get<std::string>(), exact});
  }
}

/// Builds the DOM of a report from the parser's events, as nlohmann's own builder does,
/// but (1) skips the top-level "links" and "flows" tables (a report can hold millions of
/// rows), (2) refuses containers nested deeper than kMaxReportDepth before the tree gets
/// deep enough to overflow a recursive walk, and (3) knows the JSON pointer of the value
/// being read, so an error names it. Throws ScenarioError.
class ReportReader {
 public:
  ReportReader(const std::string& file, bool tables) : file_(file), tables_(tables) {}

  Json take() { return std::move(root_); }

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return put(Json(v)); }
  bool string(Json::string_t& v) { return put(Json(std::move(v))); }
  bool binary(Json::binary_t& v) { return put(Json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(Json::object(), false); }
  bool start_array(std::size_t) { return open(Json::array(), true); }
  bool key(Json::string_t& k) {
    frames_.back().key = k;
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool parse_error(std::size_t, const std::string& token, const Json::exception& e) {
    if (e.id == 406) {  // nlohmann: "number overflow", a number past the range of a double
      const std::string shown = token.size() > 40 ? token.substr(0, 40) + "..." : token;
      throw ScenarioError(file_, pointer(),
                          fmt::format("the number {} is out of the range of a double "
                                      "(magnitude at most 1.8e308)",
                                      shown));
    }
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." without
    // the library's tag.
    std::string what = e.what();
    if (const auto tag_end = what.find("] "); tag_end != std::string::npos) {
      what = what.substr(tag_end + 2);
    }
    // The message quotes the token last read, which may be a long string holding control
    // characters: escape it and cut it, so the error stays one short line.
    throw ScenarioError(file_, "", "malformed JSON: " + escape_text(what, 240));
  }

 private:
  struct Frame {
    Json* node = nullptr;  // null inside a skipped table
    bool array = false;
    size_t index = 0;      // arrays: the element being read
    std::string key;       // objects: the member being read
  };

  /// The pointer of the value being read: where the next put() or open() lands.
  std::string pointer() const {
    std::string out;
    for (const Frame& f : frames_) {
      // A key of megabytes would make a message of megabytes: long ones are cut.
      const std::string token = f.array ? std::to_string(f.index) : pointer_token(f.key);
      out += "/" + (token.size() > 100 ? token.substr(0, 100) + "..." : token);
    }
    return out;
  }

  /// Where the value being read goes: null when it is dropped (a skipped table).
  Json* slot(Json&& value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.node == nullptr) return nullptr;
    if (f.array) {
      f.node->push_back(std::move(value));
      return &f.node->back();
    }
    if (!tables_ && frames_.size() == 1 && (f.key == "links" || f.key == "flows")) return nullptr;
    Json& member = (*f.node)[f.key];
    member = std::move(value);
    return &member;
  }

  void next() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  bool put(Json&& value) {
    slot(std::move(value));
    next();
    return true;
  }

  bool open(Json&& container, bool array) {
    if (frames_.size() >= kMaxReportDepth) {
      throw ScenarioError(file_, pointer(),
                          fmt::format("nested deeper than {} levels of objects and arrays (a "
                                      "report is at most a few levels deep)",
                                      kMaxReportDepth));
    }
    // Pointers into the tree stay valid: only the innermost open container grows.
    Json* node = slot(std::move(container));
    frames_.push_back({node, array, 0, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    next();
    return true;
  }

  const std::string& file_;
  bool tables_ = false;
  Json root_;
  std::vector<Frame> frames_;
};

std::string schema_of(const Json& j) {
  if (!j.is_object() || !j.contains("schema")) return "";
  const Json& s = j["schema"];
  return s.is_string() ? s.get<std::string>() : s.dump();
}

/// A report's schema for a message: quoted, escaped and cut like any quoted input (a
/// 4 KB schema made a 4 KB error; found by the report fuzzer).
std::string shown_schema(const Json& j) {
  if (!j.is_object() || !j.contains("schema")) return "no \"schema\"";
  return quote_text(schema_of(j));
}

/// Shortest round-trip text of a figure, as the report wrote it.
std::string number(double v) { return fmt::format("{}", v); }

}  // namespace

Json read_report(const std::string& path, bool tables) {
  // Regular files only: a FIFO would block for ever, a device fill the memory.
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(st)) {
    // `roshni run -o DIR` writes DIR/report.json: the likely meaning of a directory here.
    const auto inside = std::filesystem::path(path) / "report.json";
    throw ScenarioError(path, "", std::filesystem::is_regular_file(inside, ec)
                                      ? fmt::format("a directory, not a report; did you mean {}?",
                                                    inside.string())
                                      : "a directory, not a report (give the report.json a run "
                                        "wrote into it)");
  }
  if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
    throw ScenarioError(path, "", "cannot read the file: not a regular file (a directory, FIFO "
                                  "or device is never read as a report)");
  }
  if (std::filesystem::exists(st) && std::filesystem::file_size(path, ec) > (uintmax_t{1} << 32)) {
    throw ScenarioError(path, "", "cannot read the file: over the 4 GiB limit for a report");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", "cannot read the file (missing or unreadable)");
  ReportReader reader(path, tables);
  Json::sax_parse(in, &reader);
  return reader.take();
}

Json parse_report(std::string_view text, const std::string& file, bool tables) {
  ReportReader reader(file, tables);
  Json::sax_parse(text, &reader);
  return reader.take();
}

bool is_report(const Json& j) {
  return j.is_object() && j.contains("schema") && j["schema"].is_string() &&
         j["schema"].get<std::string>().starts_with("roshni.report/");
}

std::vector<Figure> summary_figures(const Json& report, const std::string& file) {
  if (!report.is_object() || !report.contains("summary") || !report["summary"].is_object()) {
    throw ScenarioError(file, "/summary", "a report needs a \"summary\" object");
  }
  std::vector<Figure> out;
  collect(report["summary"], "", "/summary", file, out);
  return out;
}

std::optional<double> parse_tolerance(std::string_view text) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  double scale = 1.0;
  if (!text.empty() && text.back() == '%') {
    scale = 0.01;
    text = trim(text.substr(0, text.size() - 1));
  }
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  return v * scale;
}

void require_same_schema(const Json& report, const std::string& report_file,
                         const Json& baseline, const std::string& baseline_file) {
  if (!is_report(report)) {
    throw ScenarioError(report_file, "/schema",
                        fmt::format("not a roshni report: expected \"roshni.report/...\", got {}",
                                    shown_schema(report)));
  }
  if (!is_report(baseline)) {
    throw ScenarioError(baseline_file, "/schema",
                        fmt::format("not a roshni report: expected \"roshni.report/...\", got {}",
                                    shown_schema(baseline)));
  }
  const std::string now = schema_of(report), base = schema_of(baseline);
  if (now != base) {
    throw ScenarioError(
        baseline_file, "/schema",
        fmt::format("the baseline's schema is {} but {} has {}; figures of different "
                    "schema versions are not compared (regenerate the baseline)",
                    quote_text(base), report_file, quote_text(now)));
  }
}

CheckResult check_figures(const std::vector<Figure>& now, const std::vector<Figure>& baseline,
                          double tolerance) {
  std::unordered_map<std::string, const Figure*> by_name;  // lookup only, never iterated
  for (const Figure& f : now) by_name.emplace(f.name, &f);
  std::unordered_map<std::string, bool> in_baseline;
  CheckResult out;
  out.compared = baseline.size();
  for (const Figure& b : baseline) {
    in_baseline.emplace(b.name, true);
    const auto it = by_name.find(b.name);
    if (it == by_name.end()) {
      out.drifts.push_back({b.name, b.unit, b.value, std::nullopt, ""});
      continue;
    }
    const Figure& n = *it->second;
    const double diff = std::fabs(n.value - b.value);
    const bool within = b.value == 0 ? diff <= tolerance : diff <= tolerance * std::fabs(b.value);
    if (n.unit != b.unit || !within) {
      out.drifts.push_back({b.name, b.unit, b.value, n.value, n.unit});
    }
  }
  for (const Figure& f : now) {
    if (!in_baseline.contains(f.name)) out.new_figures.push_back(f.name);
  }
  return out;
}

std::string format_change(double baseline, double now) {
  if (baseline == 0) return fmt::format("abs {:+.6g}", now - baseline);
  return fmt::format("{:+.4g}%", 100.0 * (now - baseline) / std::fabs(baseline));
}

std::string format_drifts(const CheckResult& result) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"figure", "unit", "baseline", "now", "change"});
  for (const Drift& d : result.drifts) {
    if (!d.now) {
      rows.push_back({d.name, d.unit, number(d.baseline), "missing", "-"});
    } else if (d.now_unit != d.unit) {
      rows.push_back({d.name, d.unit, number(d.baseline), number(*d.now) + " " + d.now_unit,
                      fmt::format("unit {} -> {}", d.unit, d.now_unit)});
    } else {
      rows.push_back(
          {d.name, d.unit, number(d.baseline), number(*d.now), format_change(d.baseline, *d.now)});
    }
  }
  return aligned_table(rows, 2);
}

// ---- Gates (issue 17.8) ----

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

bool within(double base, double now, double tolerance) {
  const double diff = std::fabs(now - base);
  return base == 0 ? diff <= tolerance : diff <= tolerance * std::fabs(base);
}

/// How far past its tolerance a change is, in tolerances (1 = at the limit).
double excess(double base, double now, double tolerance) {
  const double diff = std::fabs(now - base);
  const double allowed = base == 0 ? tolerance : tolerance * std::fabs(base);
  return allowed > 0 ? diff / allowed : std::numeric_limits<double>::infinity();
}

/// A tolerance for people: "1%", "0.0001%", "0".
std::string shown_tolerance(double t) {
  return t == 0 ? std::string("0") : fmt::format("{:g}%", 100 * t);
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
