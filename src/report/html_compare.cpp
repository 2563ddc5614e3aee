// `roshni compare --format html`: the page comparing runs' figures.
#include "roshni/report/html.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "roshni/report/check.h"
#include "roshni/report/readable_units.h"
#include "roshni/report/report.h"
#include "report/html_widgets.h"

namespace roshni::report {

namespace {

/// The kinds compare groups differing figures by, in page order.
struct FigureKind {
  const char* id;
  const char* title;
};
constexpr std::array<FigureKind, 8> kKinds = {{{"time", "Time"},
                                               {"energy", "Energy"},
                                               {"power", "Power"},
                                               {"money", "Money"},
                                               {"carbon", "Carbon"},
                                               {"heat", "Heat"},
                                               {"traffic", "Traffic"},
                                               {"other", "Other"}}};

size_t kind_of(const Figure& f) {
  const auto has = [&f](std::string_view w) { return f.name.find(w) != std::string::npos; };
  const std::string& u = f.unit;
  if (u == "degC" || has("temperature") || has("thrott") || has("rack") || has("cooling")) return 5;
  if (u == "s" || u == "ps") return 0;
  if (u == "J" || u == "kWh" || u == "Wh" || u == "J/bit") return 1;
  if (u == "W") return 2;
  if ((u.size() == 3 && std::all_of(u.begin(), u.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); })) ||
      u.find("/kWh") != std::string::npos) {
    return 3;
  }
  if (u == "t" || u == "kg" || has("co2")) return 4;
  if (u == "B" || u == "B/s" || has("utilisation") || has("bandwidth") || has("link")) return 6;
  return 7;
}

}  // namespace

std::string compare_html(const std::vector<ComparedRun>& runs) {
  HtmlPage page;
  page.title = "Roshni compare";
  std::string names;
  for (const auto& run : runs) names += (names.empty() ? "" : ", ") + run.label;
  page.subtitle = fmt::format("{} runs: {}; ratios are to the first, {}", runs.size(), names,
                              runs.empty() ? "" : runs[0].label);
  if (const auto notes = compare_notes(runs); !notes.empty()) {
    HtmlSection warn{"notes", "Read this first", "", {}};
    for (const auto& n : notes) warn.note += (warn.note.empty() ? "" : " ") + n + ".";
    page.sections.push_back(std::move(warn));
  }
  const std::vector<std::string> figures = compared_figures(runs);
  const auto figure_of = [&runs](size_t r, const std::string& name) -> const Figure* {
    for (const Figure& f : runs[r].figures) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  // A figure is equal when every run has it, in one unit, with the same value (runs
  // are deterministic: equal inputs give equal bits).
  std::vector<std::string> differ, equal;
  for (const auto& name : figures) {
    const Figure* first = figure_of(0, name);
    bool same = first != nullptr;
    for (size_t r = 1; r < runs.size() && same; ++r) {
      const Figure* f = figure_of(r, name);
      same = f != nullptr && f->unit == first->unit && f->value == first->value;
    }
    (same ? equal : differ).push_back(name);
  }

  std::array<HtmlSection, kKinds.size()> kinds;
  for (size_t k = 0; k < kKinds.size(); ++k) kinds[k] = {kKinds[k].id, kKinds[k].title, "", {}};
  for (const auto& name : differ) {
    const Figure* any = nullptr;
    bool one_unit = true;
    for (size_t r = 0; r < runs.size(); ++r) {
      const Figure* f = figure_of(r, name);
      if (f == nullptr) continue;
      if (any == nullptr) any = f;
      one_unit = one_unit && f->unit == any->unit;
    }
    if (any == nullptr || !one_unit) continue;  // unlike units: the table says so, no axis
    std::vector<std::pair<std::string, double>> items;
    std::vector<std::string> tips;
    for (size_t r = 0; r < runs.size(); ++r) {
      const Figure* f = figure_of(r, name);
      if (f == nullptr) continue;
      std::string label = runs[r].label;
      if (r > 0) {
        const auto q = figure_ratio(figure_of(0, name), f);
        label += q ? fmt::format(" (\u00d7{:.4f})", *q) : " (-)";
      }
      items.emplace_back(label, f->value);
    }
    HtmlBarChart c = unit_chart("compare-" + name, name, items, any->unit, name);
    if (c.unit.empty()) c.unit = "1";
    kinds[kind_of(*any)].blocks.emplace_back(std::move(c));
  }
  for (auto& k : kinds) {
    if (k.blocks.empty()) continue;
    k.note = "Figures that differ between the runs, one chart per figure, every bar of a chart "
             "in one unit; the bar's label gives its ratio to the first run.";
    page.sections.push_back(std::move(k));
  }

  HtmlSection table{"differ", "Figures that differ", "", {}};
  HtmlTable t;
  t.columns = {"figure"};
  t.numeric = {false};
  for (size_t r = 0; r < runs.size(); ++r) {
    t.columns.push_back(runs[r].label);
    t.numeric.push_back(true);
    if (r > 0) {
      t.columns.push_back("ratio");
      t.numeric.push_back(true);
    }
  }
  for (const auto& name : differ) {
    std::vector<std::string> row{name};
    for (size_t r = 0; r < runs.size(); ++r) {
      const Figure* f = figure_of(r, name);
      row.push_back(f == nullptr ? "-" : readable_figure(f->value, f->unit, name));
      if (r > 0) {
        const auto q = figure_ratio(figure_of(0, name), f);
        row.push_back(q ? fmt::format("{:.4f}", *q) : "-");
      }
    }
    t.rows.push_back(std::move(row));
  }
  if (differ.empty()) {
    table.note = "None: every figure is equal in every run.";
  } else {
    table.blocks.emplace_back(std::move(t));
  }
  page.sections.push_back(std::move(table));

  HtmlSection same{"equal", "Equal in every run", "", {}};
  HtmlTable e;
  e.columns = {"figure", "value"};
  e.numeric = {false, true};
  for (const auto& name : equal) {
    const Figure* f = figure_of(0, name);
    e.rows.push_back({name, readable_figure(f->value, f->unit, name)});
  }
  if (equal.empty()) {
    same.note = "None.";
  } else {
    same.blocks.emplace_back(std::move(e));
  }
  page.sections.push_back(std::move(same));
  return render_html(page);
}

}  // namespace roshni::report
