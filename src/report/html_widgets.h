/// The widgets the HTML pages are made of (html.cpp): SVG helpers, the renderers of the
/// blocks of html.h, and short text for labels. Private to report/; the run page, the
/// compare page and json_section build on them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roshni/report/html.h"

namespace roshni::report {

/// At most `n` code points of `s`, with "…" when cut (never inside a UTF-8 sequence).
std::string shorten(const std::string& s, size_t n);

/// Free text cut to `n` code points, with a note of its whole length when cut.
std::string bounded(const std::string& s, size_t n);

/// A coordinate with at most 2 decimals, trailing zeros trimmed ("12.5", "3").
std::string px(double v);

/// 1, 2 or 5 times a power of ten, the smallest such step giving at most `ticks` steps.
double nice_step(double range, int ticks);

/// Utilisation 0..1 to a colour from light to dark blue (linear in RGB).
std::string heat_colour(double u);

/// The <svg> element that opens a chart `height` px tall, `label` its accessible name.
/// `unit`: what every value and axis label of the chart is written in ("MJ", "%").
/// `attributes`: more attributes of the <svg> element, written as given (escaped by the
/// caller), each with a leading space.
std::string svg_open(const std::string& id, int height, const std::string& label,
                     const std::string& unit, const std::string& attributes = {});

/// A <text> element at (x, y); `cls` its class, or "" for none.
std::string svg_text(double x, double y, const std::string& text, const char* anchor = "start",
                     const char* cls = "");

/// The markup of one block of a section (html.h).
std::string render_table(const HtmlTable& t);
std::string render_bars(const HtmlBarChart& c);
std::string render_lines(const HtmlLinePlot& p);

/// "chart-" + `text`, every character but letters, digits and '-' made '-'.
std::string chart_id(const std::string& text);

/// Bars of one figure kind, all written in one scale chosen from the largest.
HtmlBarChart unit_chart(const std::string& id, const std::string& title,
                        const std::vector<std::pair<std::string, double>>& items,
                        std::string_view unit, std::string_view name);

}  // namespace roshni::report
