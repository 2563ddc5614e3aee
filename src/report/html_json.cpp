// report.json's sections as HTML (json_section): tables and charts chosen from the shape
// of the JSON alone, so the report's optional sections need no code of their own.
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

using Json = nlohmann::ordered_json;

bool is_figure(const Json& j) {
  return j.is_object() && j.contains("value") && j["value"].is_number() && j.contains("unit") &&
         j["unit"].is_string();
}

/// A report table: {"columns": [...], "rows": [[...], ...]}, with "units" and other
/// members (figures, notes) beside them.
bool is_table(const Json& j) {
  return j.is_object() && j.contains("columns") && j["columns"].is_array() && j.contains("rows") &&
         j["rows"].is_array();
}

bool is_scalar(const Json& j) { return j.is_primitive() || is_figure(j); }

/// A scalar as a person reads it: text as it is, yes/no, a figure or number rounded in
/// readable units (readable_units.h); an array of scalars joined; never JSON text.
std::string scalar_text(const Json& j, std::string_view name = {}) {
  if (j.is_string()) return j.get<std::string>().empty() ? "-" : j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  if (j.is_number()) return readable_figure(j.get<double>(), "1", name);
  if (is_figure(j)) {
    return readable_figure(j["value"].get<double>(), j["unit"].get<std::string>(), name);
  }
  if (j.is_array()) {
    if (j.empty()) return "none";
    std::string out;
    for (const auto& e : j) out += (out.empty() ? "" : "; ") + scalar_text(e, name);
    return out;
  }
  return "-";
}

/// An object of scalars (or figures): one row of a member table.
bool is_row_object(const Json& j) {
  if (!j.is_object() || j.empty()) return false;
  for (const auto& [k, v] : j.items()) {
    if (!is_scalar(v)) return false;
  }
  return true;
}

std::string spaced(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

/// A column's unit from its name, for rows and tables that do not give one per column
/// (by_class rows say "J, W"; bill-of-materials columns none).
std::string unit_from_name(std::string_view col) {
  if (col.find("per_bit") != std::string_view::npos) return "J/bit";
  if (col.find("energy") != std::string_view::npos) return "J";
  if (col.find("power") != std::string_view::npos) return "W";
  if (col.find("bytes") != std::string_view::npos) return "B";
  if (col.find("temperature") != std::string_view::npos) return "degC";
  if (col.find("time") != std::string_view::npos) return "s";
  return "";
}

/// Whether values of `unit` make a chart's axis (counts do not; shares, drawn in %, do).
bool chartable(std::string_view unit, std::string_view name) {
  return !unit.empty() && (unit != "1" || is_share_name(name));
}

/// What a member table's rows are called: "by_class" -> "class", "links_by_part" -> "part".
std::string row_kind(const std::string& name) {
  const std::string key = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
  const auto by = key.find("by_");
  return by == std::string::npos ? "name" : key.substr(by + 3);
}

/// A table with one row per member of `j` (an object or array of row objects), each
/// number in readable units; and a chart of its first column in a unit (energy by class).
void member_table(const Json& j, const std::string& name, const std::string& section,
                  bool charts, std::vector<HtmlBlock>& blocks) {
  HtmlTable t;
  const bool named = j.is_object();
  const std::string kind = row_kind(name);
  if (named) t.columns.push_back(spaced(kind));
  std::vector<std::string> keys;
  for (const auto& [row_name, row] : j.items()) {
    for (const auto& [k, v] : row.items()) {
      if (k == "unit" || k == "units") continue;  // they go into the cells
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  for (const auto& k : keys) t.columns.push_back(spaced(k));
  t.numeric.assign(t.columns.size(), true);
  if (named) t.numeric[0] = false;
  std::vector<std::string> col_unit(keys.size());
  std::vector<std::vector<std::pair<std::string, double>>> col_values(keys.size());
  for (const auto& [row_name, row] : j.items()) {
    std::vector<std::string> declared;  // the row's "unit" or "units" ("J, W")
    for (const char* u : {"unit", "units"}) {
      if (!row.contains(u) || !row[u].is_string()) continue;
      std::string text = row[u].get<std::string>();
      for (size_t at = 0; at <= text.size();) {
        const size_t comma = std::min(text.find(',', at), text.size());
        std::string one = text.substr(at, comma - at);
        one.erase(0, one.find_first_not_of(' '));
        if (!one.empty()) declared.push_back(one);
        at = comma + 1;
      }
    }
    std::vector<std::string> cells;
    const std::string label = named ? row_name : std::to_string(t.rows.size() + 1);
    if (named) cells.push_back(row_name);
    for (size_t c = 0; c < keys.size(); ++c) {
      if (!row.contains(keys[c])) {
        cells.emplace_back("-");
        continue;
      }
      const Json& v = row[keys[c]];
      std::string unit;
      double value = 0;
      if (is_figure(v)) {
        unit = v["unit"].get<std::string>();
        value = v["value"].get<double>();
      } else if (v.is_number()) {
        const std::string guess = unit_from_name(keys[c]);
        if (!guess.empty() && (declared.empty() ||
                               std::find(declared.begin(), declared.end(), guess) != declared.end())) {
          unit = guess;
        }
        value = v.get<double>();
      } else {
        t.numeric[c + (named ? 1 : 0)] = false;
        cells.push_back(scalar_text(v, keys[c]));
        continue;
      }
      if (col_unit[c].empty()) col_unit[c] = unit;
      if (unit == col_unit[c]) col_values[c].emplace_back(label, value);
      cells.push_back(readable_figure(value, unit.empty() ? "1" : unit, keys[c]));
    }
    t.rows.push_back(std::move(cells));
  }
  blocks.emplace_back(HtmlMarkup{"<h3>" + html_escape(spaced(name)) + "</h3>\n"});
  blocks.emplace_back(std::move(t));
  if (!charts || !named) return;
  for (size_t c = 0; c < keys.size(); ++c) {
    if (!chartable(col_unit[c], keys[c]) || col_values[c].size() < 2) continue;
    blocks.emplace_back(unit_chart(section + "-" + name + "-" + keys[c],
                                   spaced(keys[c]) + " by " + spaced(kind), col_values[c],
                                   col_unit[c], keys[c]));
    break;  // one chart per table: its first column in a unit
  }
}

void walk(const Json& object, const std::string& prefix, HtmlTable& figures,
          std::vector<HtmlBlock>& blocks, const std::string& id, bool charts);

/// A report table ({"columns", "units", "rows"}): its other members as figures, then a
/// table with a header per column and every number in its column's unit; and a chart
/// of its first column in a unit (photonic energy by block, priced total by item).
void report_table(const Json& j, const std::string& name, HtmlTable& figures,
                  std::vector<HtmlBlock>& blocks, const std::string& section, bool charts) {
  Json rest = Json::object();
  std::string currency;  // of a money figure beside the table: its price columns' unit
  for (const auto& [k, v] : j.items()) {
    if (k == "columns" || k == "units" || k == "rows") continue;
    rest[k] = v;
    if (is_figure(v) && currency.empty()) {
      const std::string u = v["unit"].get<std::string>();
      if (u.size() == 3 && std::all_of(u.begin(), u.end(), [](char ch) { return std::isupper(static_cast<unsigned char>(ch)); })) {
        currency = u;
      }
    }
  }
  walk(rest, name, figures, blocks, section, false);
  const Json& cols = j["columns"];
  std::vector<std::string> names, units;
  for (size_t c = 0; c < cols.size(); ++c) {
    names.push_back(cols[c].is_string() ? cols[c].get<std::string>() : "");
    std::string u;
    if (j.contains("units") && j["units"].is_array() && c < j["units"].size() &&
        j["units"][c].is_string()) {
      u = j["units"][c].get<std::string>();
    } else {
      u = unit_from_name(names[c]);
      for (const char* money : {"price", "total", "cost"}) {
        if (u.empty() && names[c].find(money) != std::string::npos) u = currency;
      }
    }
    units.push_back(u);
  }
  HtmlTable t;
  for (const auto& n : names) t.columns.push_back(spaced(n));
  t.numeric.assign(names.size(), false);
  std::vector<std::string> labels;
  for (const auto& row : j["rows"]) {
    if (!row.is_array()) continue;
    std::vector<std::string> cells;
    for (size_t c = 0; c < names.size(); ++c) {
      if (c >= row.size()) {
        cells.emplace_back("-");
      } else if (row[c].is_number()) {
        t.numeric[c] = true;
        cells.push_back(readable_figure(row[c].get<double>(), units[c].empty() ? "1" : units[c], names[c]));
      } else {
        cells.push_back(scalar_text(row[c], names[c]));
      }
    }
    labels.push_back(cells.empty() ? "" : cells[0]);
    t.rows.push_back(std::move(cells));
  }
  if (!name.empty()) blocks.emplace_back(HtmlMarkup{"<h3>" + html_escape(spaced(name)) + "</h3>\n"});
  const bool repeated = [&] {
    auto sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
  }();
  const size_t rows = t.rows.size();
  if (repeated && names.size() > 1) {
    for (size_t r = 0; r < rows; ++r) labels[r] += " \xC2\xB7 " + t.rows[r][1];
  }
  blocks.emplace_back(std::move(t));
  if (!charts) return;
  for (size_t c = 1; c < names.size(); ++c) {
    if (!chartable(units[c], names[c])) continue;
    std::vector<std::pair<std::string, double>> items;
    size_t r = 0;
    for (const auto& row : j["rows"]) {
      if (!row.is_array()) continue;
      if (c < row.size() && row[c].is_number()) items.emplace_back(labels[r], row[c].get<double>());
      ++r;
    }
    if (items.size() < 2) continue;
    const std::string what = names.empty() ? "row" : names[0];
    blocks.emplace_back(unit_chart(section + (name.empty() ? "" : "-" + name) + "-" + names[c],
                                   spaced(names[c]) + " by " + spaced(what), items, units[c],
                                   names[c]));
    break;
  }
}

/// Figures and scalars of `object` into `figures` (dotted names, readable values);
/// tables and rows into blocks of their own. A figure is never charted beside its
/// siblings at the top of a section (PUE, repeats and a share are not a breakdown); an
/// object whose members are all figures of one unit is (energy by class).
void walk(const Json& object, const std::string& prefix, HtmlTable& figures,
          std::vector<HtmlBlock>& blocks, const std::string& id, bool charts) {
  for (const auto& [key, child] : object.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (is_scalar(child) || (child.is_array() && std::all_of(child.begin(), child.end(),
                                                              [](const Json& e) { return e.is_primitive(); }))) {
      figures.rows.push_back({name, scalar_text(child, name)});
    } else if (is_table(child)) {
      report_table(child, name, figures, blocks, id, charts);
    } else if (!child.empty() && std::all_of(child.begin(), child.end(), is_row_object) &&
               !std::all_of(child.begin(), child.end(), is_figure)) {
      member_table(child, name, id, charts, blocks);
    } else if (child.is_object() && !child.empty() &&
               std::all_of(child.begin(), child.end(), is_figure)) {
      // A breakdown: rows of the figures table, and a chart when they share a unit.
      std::vector<std::pair<std::string, double>> items;
      const std::string unit = child.begin()->at("unit").get<std::string>();
      bool one_unit = true;
      for (const auto& [k, f] : child.items()) {
        figures.rows.push_back({name + "." + k, scalar_text(f, k)});
        one_unit = one_unit && f["unit"] == unit;
        items.emplace_back(k, f["value"].get<double>());
      }
      if (charts && one_unit && items.size() >= 2 && chartable(unit, key)) {
        blocks.emplace_back(unit_chart(id + "-" + name + "-" + unit, spaced(name), items, unit, key));
      }
    } else if (child.is_object()) {
      walk(child, name, figures, blocks, id, charts);
    } else {  // an array of objects and more: each element by its index
      for (size_t i = 0; i < child.size(); ++i) {
        Json one = Json::object();
        one[std::to_string(i + 1)] = child[i];
        walk(one, name, figures, blocks, id, charts);
      }
    }
  }
}


}  // namespace

HtmlSection json_section(std::string id, std::string title, const Json& object,
                         bool charts) {
  HtmlSection s;
  s.id = std::move(id);
  s.title = std::move(title);
  HtmlTable figures;
  figures.columns = {"figure", "value"};
  figures.numeric = {false, true};
  std::vector<HtmlBlock> blocks;
  if (is_table(object)) {
    report_table(object, "", figures, blocks, s.id, charts);
  } else if (object.is_object()) {
    walk(object, "", figures, blocks, s.id, charts);
  } else {
    figures.rows.push_back({s.id, scalar_text(object, s.id)});
  }
  if (!figures.rows.empty()) s.blocks.emplace_back(std::move(figures));
  for (auto& b : blocks) s.blocks.push_back(std::move(b));
  return s;
}

Json parse_report_text(const std::string& text) {
  // Cut the top-level "links" and "flows" members out of the text with a scan that only
  // tracks strings and nesting (a report of millions of flows is hundreds of MB: a full
  // JSON parse of it would take seconds), then parse what is left.
  std::string kept;
  kept.reserve(4096);
  int depth = 0;
  bool in_string = false;
  size_t member_start = std::string::npos;  // at depth 1: where the current member began
  bool first_kept = true;
  const auto flush_member = [&](size_t end) {
    if (member_start == std::string::npos) return;
    std::string_view m(text.data() + member_start, end - member_start);
    size_t k = m.find_first_not_of(" \t\r\n");
    const bool table = k != std::string_view::npos &&
                       (m.substr(k).starts_with("\"links\"") || m.substr(k).starts_with("\"flows\""));
    if (!table) {
      if (!first_kept) kept += ',';
      kept += m;
      first_kept = false;
    }
    member_start = std::string::npos;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        if (depth == 1 && member_start == std::string::npos) member_start = i;
        break;
      case '{':
      case '[':
        if (depth == 0) kept += c;
        ++depth;
        break;
      case '}':
      case ']':
        --depth;
        if (depth == 0) {
          flush_member(i);
          kept += c;
        }
        break;
      case ',':
        if (depth == 1) flush_member(i);
        break;
      default:
        break;
    }
  }
  return Json::parse(kept);
}
}  // namespace roshni::report
