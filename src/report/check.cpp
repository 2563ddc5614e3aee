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

}  // namespace roshni::report
