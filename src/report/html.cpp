// HTML pages with inline SVG charts. Everything here is deterministic text: no dates,
// no random ids, numbers through fmt with fixed precision, so the same run gives the
// same report.html bytes.
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

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kWidth = 960;  // every chart's width in px
constexpr std::array<const char*, 8> kPalette = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/// At most `n` code points of `s`, with "…" when cut (never inside a UTF-8 sequence).
std::string shorten(const std::string& s, size_t n) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && points++ == n) {
      return s.substr(0, i) + "\xE2\x80\xA6";
    }
  }
  return s;
}

/// Free text cut to `n` code points, with a note of its whole length when cut.
std::string bounded(const std::string& s, size_t n) {
  size_t points = 0;
  for (const char c : s) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (points <= n) return s;
  return shorten(s, n) + fmt::format(" (truncated: {} characters in all)", points);
}

/// A coordinate with at most 2 decimals, trailing zeros trimmed ("12.5", "3").
std::string px(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

/// 1, 2 or 5 times a power of ten, the smallest such step giving at most `ticks` steps.
double nice_step(double range, int ticks) {
  if (!(range > 0)) return 1;
  const double raw = range / ticks;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

/// Utilisation 0..1 to a colour from light to dark blue (linear in RGB).
std::string heat_colour(double u) {
  u = std::clamp(u, 0.0, 1.0);
  const auto mix = [u](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * u)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0xde, 0x08), mix(0xeb, 0x30), mix(0xf7, 0x6b));
}

/// `unit`: what every value and axis label of the chart is written in ("MJ", "%").
/// `attributes`: more attributes of the <svg> element, written as given (escaped by the
/// caller), each with a leading space.
std::string svg_open(const std::string& id, int height, const std::string& label,
                     const std::string& unit, const std::string& attributes = {}) {
  return fmt::format(
      "<svg class=\"chart\" id=\"{}\" data-unit=\"{}\"{} xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
      html_escape(id), html_escape(unit), attributes, kWidth, height, kWidth, height,
      html_escape(label));
}

std::string svg_text(double x, double y, const std::string& text, const char* anchor = "start",
                     const char* cls = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", px(x), px(y),
                     anchor, *cls ? fmt::format(" class=\"{}\"", cls) : "", html_escape(text));
}

std::string render_table(const HtmlTable& t) {
  std::string out = "<div class=\"scroll\"><table>\n";
  if (std::any_of(t.columns.begin(), t.columns.end(), [](const auto& c) { return !c.empty(); })) {
    out += "<thead><tr>";
    for (const auto& c : t.columns) out += "<th>" + html_escape(c) + "</th>";
    out += "</tr></thead>\n";
  }
  out += "<tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (size_t c = 0; c < row.size(); ++c) {
      const bool num = c < t.numeric.size() && t.numeric[c];
      out += num ? "<td class=\"num\">" : "<td>";
      out += html_escape(row[c]) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string render_bars(const HtmlBarChart& c) {
  constexpr int kLabelEnd = 290, kBarStart = 300, kBarWidth = 480, kRow = 20, kTop = 28;
  const int height = kTop + static_cast<int>(c.bars.size()) * kRow + 8;
  double max = c.max;
  for (const auto& b : c.bars) max = std::max(max, b.value);
  std::string out = svg_open(c.id, height, c.title, c.unit);
  out += svg_text(0, 16, c.title, "start", "title");
  for (size_t i = 0; i < c.bars.size(); ++i) {
    const auto& b = c.bars[i];
    const double y = kTop + static_cast<double>(i) * kRow;
    const double w = max > 0 ? kBarWidth * std::max(0.0, b.value) / max : 0;
    out += "<g class=\"bar\"><title>" +
           html_escape(b.label + ": " + b.text + (b.tip.empty() ? "" : " " + b.tip)) +
           "</title>\n";
    out += svg_text(kLabelEnd, y + 14, shorten(b.label, 42), "end", "label");
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                       kBarStart, px(y + 3), px(std::max(w, b.value > 0 ? 1.0 : 0.0)), kRow - 6,
                       kPalette[0]);
    out += svg_text(kBarStart + w + 6, y + 14, b.text, "start", "value");
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

std::string render_lines(const HtmlLinePlot& p) {
  constexpr double kLeft = 90, kRight = 700, kTop = 30, kBottom = 280;
  constexpr int kHeight = 330;
  double lo = 0, hi = 0;
  bool any = false, positive = true;
  double min_y = 0, max_y = 0;
  for (const auto& s : p.series) {
    for (const auto& y : s.y) {
      if (!y) continue;
      min_y = any ? std::min(min_y, *y) : *y;
      max_y = any ? std::max(max_y, *y) : *y;
      lo = any ? std::min(lo, *y) : std::min(0.0, *y);
      hi = any ? std::max(hi, *y) : std::max(0.0, *y);
      positive = positive && *y > 0;
      any = true;
    }
  }
  // Decades on y: from the power of ten at or below the smallest value to the one at or
  // above the largest, a tick at each.
  const bool log_y = p.log_y && any && positive;
  if (log_y) {
    lo = std::floor(std::log10(min_y));
    hi = std::max(lo + 1, std::ceil(std::log10(max_y)));
  }
  if (hi <= lo) hi = lo + 1;
  const double step = log_y ? 1 : nice_step(hi - lo, 5);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  const size_t n = p.x.size();

  // x: categories evenly spaced, or numbers on a linear or logarithmic scale.
  const bool numeric = (p.x_scale == "linear" || p.x_scale == "log") && p.x_values.size() == n &&
                       n > 0;
  const bool log_x = numeric && p.x_scale == "log";
  const auto xnum = [&](double v) { return log_x ? std::log10(v) : v; };
  double x_lo = 0, x_hi = 1, x_step = 1;
  if (numeric) {
    x_lo = xnum(*std::min_element(p.x_values.begin(), p.x_values.end()));
    x_hi = xnum(*std::max_element(p.x_values.begin(), p.x_values.end()));
    if (log_x) {
      x_lo = std::floor(x_lo);
      x_hi = std::max(x_lo + 1, std::ceil(x_hi));
    } else {
      if (x_hi <= x_lo) x_hi = x_lo + 1;
      x_step = nice_step(x_hi - x_lo, 6);
      x_lo = std::floor(x_lo / x_step) * x_step;
      x_hi = std::ceil(x_hi / x_step) * x_step;
    }
  }
  const auto xat = [&](double v) {
    return kLeft + (kRight - kLeft) * (xnum(v) - x_lo) / (x_hi - x_lo);
  };
  const auto xpos = [&](size_t i) {
    if (numeric) return xat(p.x_values[i]);
    return n <= 1 ? (kLeft + kRight) / 2 : kLeft + (kRight - kLeft) * static_cast<double>(i) /
                                                        static_cast<double>(n - 1);
  };
  const auto ypos = [&](double v) {
    const double u = log_y ? std::log10(v) : v;
    return kBottom - (kBottom - kTop) * (u - lo) / (hi - lo);
  };

  // One scale for the whole axis (every tick in "ms", or every tick in "MJ").
  const DisplayScale scale = display_scale(
      log_y ? std::pow(10.0, hi) : std::max(std::fabs(lo), std::fabs(hi)), p.unit, p.figure);
  const std::string x_kind = numeric ? p.x_scale : "category";
  std::string out = svg_open(p.id, kHeight, p.title, scale.symbol,
                             fmt::format(" data-x-scale=\"{}\" data-y-scale=\"{}\"", x_kind,
                                         log_y ? "log" : "linear"));
  out += svg_text(0, 16, p.title, "start", "title");
  for (double v = lo; v <= hi + step * 1e-9; v += step) {
    // Log: v is the exponent, the tick the power of ten.
    const double tick = log_y ? std::pow(10.0, std::round(v)) : v;
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                       px(kLeft), px(ypos(tick)), px(kRight), px(ypos(tick)));
    out += svg_text(kLeft - 6, ypos(tick) + 4,
                    format_in(!log_y && std::fabs(v) < step * 1e-9 ? 0 : tick, scale), "end");
  }
  if (numeric) {
    // Ticks at round values (linear) or at each power of ten (log), written as numbers.
    for (double v = x_lo; v <= x_hi + x_step * 1e-9; v += x_step) {
      const double tick = log_x ? std::pow(10.0, std::round(v))
                                : (std::fabs(v) < x_step * 1e-9 ? 0.0 : v);
      const double x = xat(tick);
      out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                         px(x), px(kTop), px(x), px(kBottom));
      // A power of ten past 10^4 (or below 10^-3) as "1e5", the others as written.
      const int k = log_x ? static_cast<int>(std::round(v)) : 0;
      const std::string label = log_x && (k > 4 || k < -3) ? fmt::format("1e{}", k)
                                                           : fmt::format("{:g}", tick);
      out += svg_text(x, kBottom + 18, label, "middle", "x-tick");
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      out += svg_text(xpos(i), kBottom + 18, shorten(p.x[i], 16), "middle", "x-tick");
    }
  }
  out += svg_text((kLeft + kRight) / 2, kBottom + 38, p.x_label, "middle");
  for (size_t k = 0; k < p.series.size(); ++k) {
    const auto& s = p.series[k];
    const char* colour = kPalette[k % kPalette.size()];
    std::string points;
    const auto flush = [&]() {
      if (!points.empty()) {
        out += fmt::format("<polyline class=\"series\" fill=\"none\" stroke=\"{}\" "
                           "stroke-width=\"2\" points=\"{}\"/>\n",
                           colour, points);
      }
      points.clear();
    };
    for (size_t i = 0; i < n && i < s.y.size(); ++i) {
      if (!s.y[i]) {
        flush();
        continue;
      }
      if (!points.empty()) points += ' ';
      points += px(xpos(i)) + "," + px(ypos(*s.y[i]));
    }
    flush();
    for (size_t i = 0; i < n && i < s.y.size(); ++i) {
      if (!s.y[i]) continue;
      out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}</title>"
                         "</circle>\n",
                         px(xpos(i)), px(ypos(*s.y[i])), colour,
                         html_escape(s.name + " at " + p.x[i] + ": " +
                                     format_in(*s.y[i], scale)));
    }
    const double ly = kTop + 18.0 * static_cast<double>(k);
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>\n",
                       px(kRight + 20), px(ly - 4), colour);
    out += svg_text(kRight + 40, ly, shorten(s.name, 32));
  }
  out += "</svg>\n";
  return out;
}

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

std::string chart_id(const std::string& text) {
  std::string id = "chart-" + text;
  for (char& ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '-';
  }
  return id;
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

/// Bars of one figure kind, all written in one scale chosen from the largest.
HtmlBarChart unit_chart(const std::string& id, const std::string& title,
                        const std::vector<std::pair<std::string, double>>& items,
                        std::string_view unit, std::string_view name) {
  double largest = 0;
  for (const auto& [label, v] : items) largest = std::max(largest, std::fabs(v));
  const DisplayScale scale = display_scale(largest, unit, name);
  HtmlBarChart c;
  c.id = chart_id(id);
  c.unit = scale.symbol.empty() ? std::string(unit) : scale.symbol;
  c.title = fmt::format("{} ({})", title, c.unit);
  for (const auto& [label, v] : items) c.bars.push_back({label, std::max(0.0, v), format_in(v, scale), ""});
  return c;
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

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_html(const HtmlPage& page) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"roshni " + std::string(kVersion) + "\">\n"
      "<title>" + html_escape(page.title) + "</title>\n"
      "<style>\n"
      "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:14px;color:#222;"
      "margin:24px auto;max-width:1000px;padding:0 16px}\n"
      "h1{font-size:22px;margin-bottom:2px}h2{font-size:18px;border-bottom:1px solid #ccc;"
      "padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:16px 0 6px}\n"
      ".subtitle{color:#555;margin-top:0}.note{color:#555}\n"
      "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;"
      "padding:3px 8px;text-align:left}th{background:#f3f3f3}td.num{text-align:right;"
      "font-variant-numeric:tabular-nums}\n"
      "td:first-child,td.num{white-space:nowrap}.scroll{overflow-x:auto}\n"
      "svg.chart{display:block;margin:12px 0;font-size:12px;max-width:100%;height:auto}\n"
      "svg text.title{font-size:13px;font-weight:bold}svg line.grid{stroke:#e4e4e4}\n"
      "svg line.axis{stroke:#888}\n"
      "nav a{margin-right:12px}\n"
      "</style>\n</head>\n<body>\n";
  out += "<h1>" + html_escape(page.title) + "</h1>\n";
  if (!page.subtitle.empty()) out += "<p class=\"subtitle\">" + html_escape(page.subtitle) + "</p>\n";
  if (page.sections.size() > 1) {
    out += "<nav>";
    for (const auto& s : page.sections) {
      out += "<a href=\"#" + html_escape(s.id) + "\">" + html_escape(s.title) + "</a>";
    }
    out += "</nav>\n";
  }
  for (const auto& s : page.sections) {
    out += "<section id=\"" + html_escape(s.id) + "\">\n<h2>" + html_escape(s.title) + "</h2>\n";
    if (!s.note.empty()) out += "<p class=\"note\">" + html_escape(s.note) + "</p>\n";
    for (const auto& b : s.blocks) {
      if (const auto* t = std::get_if<HtmlTable>(&b)) out += render_table(*t);
      if (const auto* c = std::get_if<HtmlBarChart>(&b)) out += render_bars(*c);
      if (const auto* l = std::get_if<HtmlLinePlot>(&b)) out += render_lines(*l);
      if (const auto* v = std::get_if<HtmlMarkup>(&b)) out += v->svg;
    }
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

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

namespace {

HtmlSection summary_section(const scenario::Scenario& s, const Json& report) {
  HtmlTable run;
  run.columns = {"", ""};
  run.rows.push_back({"scenario", bounded(s.name, kMaxHtmlName)});
  if (!s.description.empty()) {
    run.rows.push_back({"description", bounded(s.description, kMaxHtmlDescription)});
  }
  run.rows.push_back({"file", report_path(s.file)});
  run.rows.push_back({"seed", std::to_string(s.seed)});
  run.rows.push_back({"network model", s.network_model});
  run.rows.push_back({"GPUs / nodes / links",
                      fmt::format("{} / {} / {}", s.topology.gpus().size(),
                                  s.topology.node_count(), s.topology.link_count() / 2)});
  std::string workload = s.workload.kind;
  if (!s.workload.algorithm.empty()) workload += ", algorithm " + s.workload.algorithm;
  if (!s.workload.selected_by.empty()) workload += " (" + s.workload.selected_by + ")";
  run.rows.push_back({"workload", workload});
  run.rows.push_back({"ranks", std::to_string(s.workload.ranks)});
  run.rows.push_back({"size", readable_figure(s.workload.size.si(), "B")});
  HtmlSection out = report.contains("summary")
                        ? json_section("summary", "Summary", report["summary"], false)
                        : HtmlSection{"summary", "Summary", "", {}};
  out.blocks.insert(out.blocks.begin(), std::move(run));
  return out;
}

HtmlSection links_section(const scenario::Scenario& s, const net::FlowRunResult& r) {
  const auto& topo = s.topology;
  const double t = r.makespan.duration().si();
  const auto util = [&](uint32_t l) {
    const double cap = topo.link_capacity(LinkId(l)).si();
    return t > 0 && cap > 0 ? r.link_bytes[l].si() / (cap * t) : 0.0;
  };
  HtmlSection sec{"links", "Link utilisation",
                  "Utilisation of a directed link is the bytes it carried over its capacity "
                  "times the makespan (links.csv has every link).",
                  {}};
  // By topology role (report.json's links_by_role), when the topology gives roles.
  const auto by_role = link_use_by_role(s, r);
  if (std::any_of(by_role.begin(), by_role.end(), [](const RoleUse& u) { return !u.role.empty(); })) {
    HtmlTable roles;
    roles.columns = {"role", "links", "carried", "mean utilisation", "max utilisation"};
    roles.numeric = {false, true, true, true, true};
    for (const RoleUse& u : by_role) {
      roles.rows.push_back({u.role.empty() ? "(none)" : u.role, std::to_string(u.links),
                            readable_figure(u.bytes.si(), "B"),
                            fmt::format("{:.2f} %", 100 * u.mean_utilisation),
                            fmt::format("{:.2f} %", 100 * u.max_utilisation)});
    }
    sec.blocks.emplace_back(std::move(roles));
  }
  std::vector<uint32_t> order;
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    if (r.link_bytes[l].si() > 0) order.push_back(l);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return util(a) > util(b); });
  constexpr size_t kTop = 20;
  HtmlBarChart top;
  top.id = "chart-top-links";
  top.title = fmt::format("Busiest directed links: top {} of {} that carried traffic",
                          std::min(kTop, order.size()), order.size());
  top.unit = "%";
  top.max = 1.0;
  for (size_t i = 0; i < order.size() && i < kTop; ++i) {
    const uint32_t l = order[i];
    top.bars.push_back({topo.link_name(LinkId(l)), util(l),
                        fmt::format("{:.2f} %", 100 * util(l)),
                        "(" + readable_figure(r.link_bytes[l].si(), "B") + " carried)"});
  }
  sec.blocks.emplace_back(std::move(top));

  HtmlBarChart hist;
  hist.id = "chart-utilisation-histogram";
  hist.title = fmt::format("Directed links by utilisation ({} links)", topo.link_count());
  hist.unit = "links";
  std::array<uint64_t, 11> bins{};  // idle, then [0,10%), ..., [90%, 100%]
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    if (r.link_bytes[l].si() <= 0) {
      ++bins[0];
    } else {
      ++bins[1 + std::min<size_t>(9, static_cast<size_t>(util(l) * 10))];
    }
  }
  for (size_t b = 0; b < bins.size(); ++b) {
    const std::string label =
        b == 0 ? "idle" : fmt::format("{}-{}%", (b - 1) * 10, b * 10);
    hist.bars.push_back({label, static_cast<double>(bins[b]), std::to_string(bins[b]) + " links"});
  }
  sec.blocks.emplace_back(std::move(hist));

  // Node-by-node heatmap of the busiest link from row to column, small fabrics only.
  constexpr size_t kMaxHeatmapNodes = 48;
  std::vector<uint32_t> nodes;
  std::vector<int> index(topo.node_count(), -1);
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    for (NodeId n : {topo.link_from(LinkId(l)), topo.link_to(LinkId(l))}) {
      if (index[n.value()] < 0) {
        index[n.value()] = 0;
        nodes.push_back(n.value());
      }
    }
  }
  std::sort(nodes.begin(), nodes.end());
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = static_cast<int>(i);
  if (nodes.size() > kMaxHeatmapNodes) {
    sec.note += fmt::format(" The node-by-node heatmap is drawn for fabrics of up to {} nodes; "
                            "this one has {}.",
                            kMaxHeatmapNodes, nodes.size());
    return sec;
  }
  const size_t n = nodes.size();
  std::vector<double> cell(n * n, -1);  // -1: no link
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    const size_t i = index[topo.link_from(LinkId(l)).value()];
    const size_t j = index[topo.link_to(LinkId(l)).value()];
    cell[i * n + j] = std::max(cell[i * n + j], util(l));
  }
  const double size = std::min(16.0, 560.0 / std::max<size_t>(n, 1));
  const double left = 120, top_y = 110;
  const int height = static_cast<int>(top_y + size * static_cast<double>(n) + 40);
  std::string svg = svg_open("chart-link-heatmap", height, "link utilisation heatmap", "%");
  svg += svg_text(0, 16, "Utilisation of the link from row to column (darkest: 100%)", "start",
                  "title");
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = topo.node_name(NodeId(nodes[i]));
    const double y = top_y + size * static_cast<double>(i);
    svg += svg_text(left - 4, y + size * 0.75, shorten(name, 16), "end");
    const double x = left + size * static_cast<double>(i) + size * 0.7;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" transform=\"rotate(-60 {} {})\">{}</text>\n",
                       px(x), px(top_y - 4), px(x), px(top_y - 4), html_escape(shorten(name, 16)));
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double u = cell[i * n + j];
      if (u < 0) continue;
      svg += fmt::format(
          "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "stroke=\"#fff\"><title>{}</title></rect>\n",
          px(left + size * static_cast<double>(j)), px(top_y + size * static_cast<double>(i)),
          px(size), px(size), heat_colour(u),
          html_escape(fmt::format("{} -> {}: {:.2f}%", topo.node_name(NodeId(nodes[i])),
                                  topo.node_name(NodeId(nodes[j])), 100 * u)));
    }
  }
  const double ly = top_y + size * static_cast<double>(n) + 14;
  for (int k = 0; k <= 10; ++k) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{}\"/>\n",
                       px(left + 16 * k), px(ly), heat_colour(k / 10.0));
  }
  svg += svg_text(left - 4, ly + 9, "0%", "end");
  svg += svg_text(left + 16 * 11 + 4, ly + 9, "100%");
  svg += "</svg>\n";
  sec.blocks.emplace_back(HtmlMarkup{std::move(svg)});
  return sec;
}

}  // namespace

HtmlMarkup timeline_svg(const scenario::Scenario& s, const net::FlowRunResult& r, size_t max_rows) {
  const auto& flows = s.flows;
  const auto& topo = s.topology;
  const int64_t span = std::max<int64_t>(1, r.makespan.ps());
  constexpr double kLeft = 130, kPlot = 800, kRow = 16, kTop = 30;
  const double ps_per_px = static_cast<double>(span) / kPlot;
  const auto xpos = [&](int64_t t) { return kLeft + kPlot * static_cast<double>(t) / span; };

  // Lanes of label groups: "allreduce/rs3/r5" is collective "allreduce", step
  // "allreduce/rs3". A group spans its flows' first start to last end.
  struct Group {
    int64_t start, end;
    uint64_t count;
  };
  constexpr size_t kMaxGroups = 400;
  std::array<std::unordered_map<std::string, size_t>, 2> lookup;  // lookup only
  std::array<std::vector<std::pair<std::string, Group>>, 2> groups;
  std::array<bool, 2> too_many{false, false};
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const std::string& label = flows.label(FlowId(i));
    const auto first = label.find('/');
    const auto last = label.rfind('/');
    if (first == std::string::npos) continue;
    for (int lane = 0; lane < 2; ++lane) {
      if (too_many[lane]) continue;
      std::string key = label.substr(0, lane == 0 ? first : last);
      auto [it, inserted] = lookup[lane].try_emplace(key, groups[lane].size());
      if (inserted) {
        if (groups[lane].size() == kMaxGroups) {
          too_many[lane] = true;
          continue;
        }
        groups[lane].push_back({key, {r.start[i].ps(), r.end[i].ps(), 0}});
      }
      Group& g = groups[lane][it->second].second;
      g.start = std::min(g.start, r.start[i].ps());
      g.end = std::max(g.end, r.end[i].ps());
      ++g.count;
    }
  }
  const bool step_lane = !groups[1].empty() && !too_many[1] &&
                         !(groups[1].size() == groups[0].size());
  const int lanes = (groups[0].empty() || too_many[0] ? 0 : 1) + (step_lane ? 1 : 0);

  // Rows: sending nodes (and nodes with compute steps) in id order.
  std::vector<int> row_of(topo.node_count(), -1);
  for (uint32_t i = 0; i < flows.size(); ++i) row_of[flows.src(FlowId(i)).value()] = 0;
  std::vector<uint32_t> rows;
  size_t senders = 0;
  for (uint32_t n = 0; n < topo.node_count(); ++n) {
    if (row_of[n] < 0) continue;
    ++senders;
    if (rows.size() < max_rows) {
      row_of[n] = static_cast<int>(rows.size());
      rows.push_back(n);
    } else {
      row_of[n] = -1;
    }
  }
  // Per row and kind (0 flow, 1 compute), intervals merged when less than half a pixel
  // apart: at most one rectangle per pixel column, whatever the number of flows.
  std::vector<std::array<std::vector<std::pair<int64_t, int64_t>>, 2>> spans(rows.size());
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const int row = row_of[flows.src(FlowId(i)).value()];
    if (row < 0) continue;
    spans[row][flows.is_compute(FlowId(i)) ? 1 : 0].emplace_back(r.start[i].ps(), r.end[i].ps());
  }

  const double rows_top = kTop + lanes * (kRow + 4) + 6;
  const int height = static_cast<int>(rows_top + kRow * static_cast<double>(rows.size()) + 44);
  // The time axis in one unit, from the span ("ms" for every tick of a 37.6 ms run).
  const DisplayScale scale = display_scale(static_cast<double>(span), "ps");
  std::string svg = svg_open("chart-timeline", height, "timeline", scale.symbol);
  svg += svg_text(0, 16,
                  fmt::format("Timeline: {} of {} sending nodes, 0 to {}", rows.size(), senders,
                              format_in(static_cast<double>(r.makespan.ps()), scale)),
                  "start", "title");
  int lane_row = 0;
  for (int lane = 0; lane < 2; ++lane) {
    if (lane == 0 && (groups[0].empty() || too_many[0])) continue;
    if (lane == 1 && !step_lane) continue;
    const double y = kTop + lane_row++ * (kRow + 4);
    svg += svg_text(kLeft - 6, y + 12, lane == 0 ? "collective" : "step", "end");
    std::vector<std::pair<std::string, Group>> g = groups[lane];
    std::stable_sort(g.begin(), g.end(),
                     [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    for (size_t k = 0; k < g.size(); ++k) {
      const auto& [name, grp] = g[k];
      svg += fmt::format(
          "<rect class=\"phase\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"0.75\"><title>{}</title></rect>\n",
          px(xpos(grp.start)), px(y), px(std::max(1.0, xpos(grp.end) - xpos(grp.start))),
          kRow, k % 2 == 0 ? "#6a5acd" : "#a79ee8",
          html_escape(fmt::format("{}: {} entries, {} to {}", name, grp.count,
                                  to_string(SimTime::ps(grp.start)),
                                  to_string(SimTime::ps(grp.end)))));
    }
  }
  for (size_t row = 0; row < rows.size(); ++row) {
    const double y = rows_top + kRow * static_cast<double>(row);
    const std::string& name = topo.node_name(NodeId(rows[row]));
    svg += svg_text(kLeft - 6, y + 12, shorten(name, 18), "end");
    for (int kind = 0; kind < 2; ++kind) {
      auto& v = spans[row][kind];
      std::sort(v.begin(), v.end());
      size_t i = 0;
      while (i < v.size()) {
        int64_t a = v[i].first, b = v[i].second;
        uint64_t count = 1;
        while (++i < v.size() && static_cast<double>(v[i].first - b) < ps_per_px / 2) {
          b = std::max(b, v[i].second);
          ++count;
        }
        svg += fmt::format(
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
            "<title>{}</title></rect>\n",
            kind == 0 ? "span" : "span compute", px(xpos(a)),
            px(y + (kind == 0 ? 2 : kRow / 2)), px(std::max(1.0, xpos(b) - xpos(a))),
            px(kind == 0 ? kRow - 4 : kRow / 2 - 2), kind == 0 ? "#3b7dd8" : "#e8a33d",
            html_escape(fmt::format("{}: {} {} from {} to {}", name, count,
                                    kind == 0 ? (count == 1 ? "flow" : "flows")
                                              : (count == 1 ? "compute step" : "compute steps"),
                                    to_string(SimTime::ps(a)),
                                    to_string(SimTime::ps(b)))));
      }
    }
  }
  // Time axis.
  const double axis_y = rows_top + kRow * static_cast<double>(rows.size()) + 4;
  svg += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(kLeft),
                     px(axis_y), px(kLeft + kPlot), px(axis_y));
  const double step = nice_step(static_cast<double>(span), 8);
  for (double t = 0; t <= static_cast<double>(span) * (1 + 1e-9); t += step) {
    const double x = xpos(static_cast<int64_t>(std::llround(t)));
    svg += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(x),
                       px(axis_y), px(x), px(axis_y + 4));
    svg += svg_text(x, axis_y + 17, format_in(std::round(t), scale), "middle");
  }
  const double ly = axis_y + 32;
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"8\" fill=\"#3b7dd8\"/>\n",
                     px(kLeft), px(ly - 8));
  svg += svg_text(kLeft + 16, ly, "sending (start of transfer to delivery)");
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"8\" fill=\"#e8a33d\"/>\n",
                     px(kLeft + 300), px(ly - 8));
  svg += svg_text(kLeft + 316, ly, "compute step");
  svg += "</svg>\n";
  return {std::move(svg)};
}

HtmlPage run_page(const scenario::Scenario& s, const net::FlowRunResult& r, const Json& report) {
  HtmlPage page;
  page.title = "Roshni report: " + bounded(s.name, kMaxHtmlName);
  page.subtitle = fmt::format("{} · seed {} · roshni {} · {} flows, makespan {}", report_path(s.file), s.seed,
                              kVersion, s.flows.size(), to_string(r.makespan));
  page.sections.push_back(summary_section(s, report));
  page.sections.push_back(links_section(s, r));
  constexpr size_t kMaxRows = 64;
  HtmlSection timeline{"timeline", "Timeline",
                       "Each row is a node that sends: a bar from the start of a transfer to "
                       "the delivery of its last byte, merged where flows follow each other "
                       "within half a pixel (hover for counts). The top lanes span each "
                       "collective and each of its steps, from their flows' labels. trace.json "
                       "has every flow.",
                       {}};
  timeline.blocks.emplace_back(timeline_svg(s, r, kMaxRows));
  page.sections.push_back(std::move(timeline));
  // The report's optional sections: the known ones in their order, then any other.
  const auto core = {"schema",  "generator", "scenario",      "workload",
                     "summary", "links",     "links_by_role", "flows"};
  for (const auto& o : kOptionalSections) {
    const std::string key(o.key);
    if (report.contains(key)) page.sections.push_back(json_section(key, std::string(o.title), report[key]));
  }
  for (const auto& [key, value] : report.items()) {
    if (std::find(std::begin(core), std::end(core), key) != std::end(core)) continue;
    bool known = false;
    for (const auto& o : kOptionalSections) known = known || o.key == key;
    if (!known) page.sections.push_back(json_section(key, key, value));
  }
  return page;
}

std::string run_html(const scenario::Scenario& s, const net::FlowRunResult& r,
                     const std::string& report_text) {
  return render_html(run_page(s, r, parse_report_text(report_text)));
}

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
