// The building blocks of every HTML page: the page itself, tables, bar and line charts
// and the SVG helpers the pages' own charts use. Everything here is deterministic text:
// no dates, no random ids, numbers through fmt with fixed precision, so the same run
// gives the same report.html bytes.
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

constexpr int kWidth = 960;  // every chart's width in px
constexpr std::array<const char*, 8> kPalette = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};

}  // namespace

std::string shorten(const std::string& s, size_t n) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && points++ == n) {
      return s.substr(0, i) + "\xE2\x80\xA6";
    }
  }
  return s;
}

std::string bounded(const std::string& s, size_t n) {
  size_t points = 0;
  for (const char c : s) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (points <= n) return s;
  return shorten(s, n) + fmt::format(" (truncated: {} characters in all)", points);
}

std::string px(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

double nice_step(double range, int ticks) {
  if (!(range > 0)) return 1;
  const double raw = range / ticks;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

std::string heat_colour(double u) {
  u = std::clamp(u, 0.0, 1.0);
  const auto mix = [u](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * u)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0xde, 0x08), mix(0xeb, 0x30), mix(0xf7, 0x6b));
}

std::string svg_open(const std::string& id, int height, const std::string& label,
                     const std::string& unit, const std::string& attributes) {
  return fmt::format(
      "<svg class=\"chart\" id=\"{}\" data-unit=\"{}\"{} xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
      html_escape(id), html_escape(unit), attributes, kWidth, height, kWidth, height,
      html_escape(label));
}

std::string svg_text(double x, double y, const std::string& text, const char* anchor,
                     const char* cls) {
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

  // One scale for the whole axis (every tick in "ms", or every tick in "MJ"). A log axis
  // spans decades: its scale is the middle decade's, so that neither end's labels read as
  // 1e-5 of a large unit (0.1 s to 10,000 s stay in s rather than 2.8e-05 h to 2.8 h).
  const DisplayScale scale = display_scale(
      log_y ? std::pow(10.0, std::floor((lo + hi) / 2)) : std::max(std::fabs(lo), std::fabs(hi)),
      p.unit, p.figure);
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

std::string chart_id(const std::string& text) {
  std::string id = "chart-" + text;
  for (char& ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '-';
  }
  return id;
}

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

std::string line_plot_svg(const HtmlLinePlot& p) {
  std::string svg = render_lines(p);
  const size_t open_end = svg.find('>') + 1;
  svg.insert(open_end,
             "\n<style>svg{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:12px;"
             "fill:#222}text.title{font-size:13px;font-weight:bold}line.grid{stroke:#e4e4e4}"
             "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg;
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

}  // namespace roshni::report
