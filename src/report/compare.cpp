#include "roshni/report/compare.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "roshni/core/units.h"
#include "roshni/report/csv.h"
#include "roshni/report/html.h"
#include "roshni/report/readable_units.h"
#include "report/text_table.h"

namespace roshni::report {
namespace {

/// The figures people compare designs by, first in the table.
constexpr std::array<std::string_view, 4> kHeadline = {"makespan", "bus_bandwidth",
                                                       "payload_bytes",
                                                       "busiest_link.utilisation"};

/// Up to 4 decimals after the largest decimal prefix not above |v|, zeros trimmed.
std::string decimal_prefixed(double v, std::string_view unit) {
  static constexpr std::array<std::pair<double, const char*>, 6> kPrefixes = {
      {{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1.0, ""}}};
  double factor = 1.0;
  const char* prefix = "";
  for (const auto& [f, p] : kPrefixes) {
    if (std::fabs(v) >= f * 0.9999999) {
      factor = f;
      prefix = p;
      break;
    }
  }
  if (std::fabs(v / factor) >= 1e6) return fmt::format("{:.4g} {}{}", v / factor, prefix, unit);
  std::string num = fmt::format("{:.4f}", v / factor);
  while (num.back() == '0') num.pop_back();
  if (num.back() == '.') num.pop_back();
  return fmt::format("{} {}{}", num, prefix, unit);
}

/// ratio of `now` to `first`, or nullopt when it has no meaning.
std::optional<double> ratio(const Figure* first, const Figure* now) {
  if (first == nullptr || now == nullptr || first->unit != now->unit) return std::nullopt;
  if (first->value == 0) return now->value == 0 ? std::optional(1.0) : std::nullopt;
  return now->value / first->value;
}

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

bool parse_table_format(std::string_view text, TableFormat& out) {
  if (text == "terminal") {
    out = TableFormat::terminal;
  } else if (text == "markdown") {
    out = TableFormat::markdown;
  } else if (text == "csv") {
    out = TableFormat::csv;
  } else if (text == "html") {
    out = TableFormat::html;
  } else {
    return false;
  }
  return true;
}

std::vector<std::string> run_labels(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> labels;
  for (const std::string& p : paths) {
    const fs::path path(p);
    std::string label = path.stem().string();
    if (path.filename() == "report.json" && path.has_parent_path()) {
      label = path.parent_path().filename().string();
    }
    labels.push_back(label.empty() ? p : label);
  }
  std::unordered_set<std::string> seen;
  for (const auto& l : labels) {
    if (!seen.insert(l).second) return paths;  // ambiguous: fall back to the paths
  }
  return labels;
}

std::vector<std::string> compared_figures(const std::vector<ComparedRun>& runs) {
  std::vector<std::string> names;
  std::unordered_set<std::string> listed;  // lookup only
  for (std::string_view h : kHeadline) {
    for (const auto& run : runs) {
      bool found = false;
      for (const Figure& f : run.figures) found = found || f.name == h;
      if (found) {
        names.emplace_back(h);
        listed.emplace(h);
        break;
      }
    }
  }
  for (const auto& run : runs) {
    for (const Figure& f : run.figures) {
      if (listed.insert(f.name).second) names.push_back(f.name);
    }
  }
  return names;
}

std::string readable(double value, std::string_view unit, std::string_view name) {
  if (unit == "s") return to_string(seconds(value));
  if (unit == "B") return to_string(bytes(value));
  if (unit == "B/s") return decimal_prefixed(value, "B/s");
  if (unit == "ps") return fmt::format("{} ps", value);
  if (unit == "1") {
    if (is_share_name(name)) return readable_figure(value, unit, name);  // "17.37 %"
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
    return fmt::format("{:.6g}", value);
  }
  // Energy, power, money, mass, ...: a prefix or a larger unit, never "2.5098e+06 J"
  // (issue 17.10).
  return readable_figure(value, unit, name);
}

std::optional<double> figure_ratio(const Figure* first, const Figure* now) {
  return ratio(first, now);
}

std::vector<std::string> compare_notes(const std::vector<ComparedRun>& runs) {
  std::vector<std::string> out;
  for (const ComparedRun& run : runs) {
    for (const Figure& f : run.figures) {
      if (f.name != "capital_unpriced_items" || !(f.value > 0)) continue;
      out.push_back(fmt::format(
          "{}: {:.0f} items have no price, so its capital_priced leaves them out; the capital "
          "figures are not comparable until every part is priced (energy.prices)",
          run.label, f.value));
    }
  }
  return out;
}

std::string compare_table(const std::vector<ComparedRun>& runs, TableFormat format) {
  if (format == TableFormat::html) return compare_html(runs);
  const std::vector<std::string> names = compared_figures(runs);
  // figure name -> that run's figure, per run.
  std::vector<std::unordered_map<std::string, const Figure*>> lookup(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const Figure& f : runs[r].figures) lookup[r].emplace(f.name, &f);
  }
  const auto figure_of = [&lookup](size_t r, const std::string& name) -> const Figure* {
    const auto it = lookup[r].find(name);
    return it == lookup[r].end() ? nullptr : it->second;
  };

  if (format == TableFormat::csv) {
    std::string out;
    CsvWriter w(out);
    w.field("figure").field("unit");
    for (size_t r = 0; r < runs.size(); ++r) {
      w.field(runs[r].label);
      if (r > 0) w.field(runs[r].label + "/" + runs[0].label);
    }
    w.end_row();
    for (const std::string& name : names) {
      std::string unit;
      for (size_t r = 0; r < runs.size() && unit.empty(); ++r) {
        if (const Figure* f = figure_of(r, name)) unit = f->unit;
      }
      w.field(name).field(unit);
      for (size_t r = 0; r < runs.size(); ++r) {
        const Figure* f = figure_of(r, name);
        if (f == nullptr) {
          w.field("");
        } else if (f->unit != unit) {
          w.field(fmt::format("{} {}", f->value, f->unit));  // say so rather than mislead
        } else {
          w.field(f->value);
        }
        if (r > 0) {
          const auto q = ratio(figure_of(0, name), f);
          if (q) {
            w.field(*q);
          } else {
            w.field("");
          }
        }
      }
      w.end_row();
    }
    return out;
  }

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"figure"};
  for (size_t r = 0; r < runs.size(); ++r) {
    header.push_back(runs[r].label);
    if (r > 0) header.push_back("ratio");
  }
  rows.push_back(header);
  for (const std::string& name : names) {
    std::vector<std::string> row{name};
    for (size_t r = 0; r < runs.size(); ++r) {
      const Figure* f = figure_of(r, name);
      row.push_back(f == nullptr ? "-" : readable(f->value, f->unit, name));
      if (r > 0) {
        const auto q = ratio(figure_of(0, name), f);
        row.push_back(q ? fmt::format("{:.4f}", *q) : "-");
      }
    }
    rows.push_back(row);
  }

  std::string out;
  const std::vector<std::string> notes = compare_notes(runs);
  if (format == TableFormat::terminal) {
    if (runs.size() > 1) out += fmt::format("ratios are to the first run, {}\n", runs[0].label);
    out += aligned_table(rows);
    for (const std::string& n : notes) out += "note: " + n + "\n";
    return out;
  }
  // Markdown (GitHub-flavoured pipe table): names left-aligned, numbers right-aligned.
  for (size_t i = 0; i < rows.size(); ++i) {
    out += '|';
    for (const std::string& cell : rows[i]) out += " " + markdown_cell(cell) + " |";
    out += '\n';
    if (i == 0) {
      out += "|:---|";
      for (size_t c = 1; c < rows[i].size(); ++c) out += "---:|";
      out += '\n';
    }
  }
  if (!notes.empty()) out += '\n';
  for (const std::string& n : notes) out += "> **Note:** " + markdown_cell(n) + "\n";
  return out;
}

}  // namespace roshni::report
