// Figures of report.json (a value and an SI unit) as a person reads them: about four
// significant digits and a prefix or a larger unit, "2.771 MJ", "3.4 MW", "42.62 days",
// "17.36 %". Only for what people read (report.html, compare --format html); report.json
// and the CSV files keep every value exact.
#pragma once

#include <string>
#include <string_view>

namespace roshni::report {

/// The unit a value is shown in: value / factor, then " " and `symbol` ("MJ", "days",
/// "%", "M USD"; empty for a bare count).
struct DisplayScale {
  double factor = 1;
  std::string symbol;
};

/// The scale for showing values of `unit` up to |magnitude|: the largest SI prefix not
/// above it for J, W, B/s, bit, FLOP, J/bit, m, Hz, 1/s, kWh (as Wh) and kg (as g, then
/// t); KiB, MiB, ... for B; ps to s, then min, h, days for s and ps; k, M, bn, tn for
/// money (USD and any currency code) and counts; kt, Mt for t; "%" for a `1` figure
/// whose `name` says it is a share (share, utilisation, mfu, hfu, efficiency,
/// fraction); °C for degC. Any other unit is shown as it is.
DisplayScale display_scale(double magnitude, std::string_view unit, std::string_view name = {});

/// `value` in `scale`: four significant digits ("2.771 MJ"); whole counts below a
/// million exactly, with thousands separators ("12,600").
std::string format_in(double value, const DisplayScale& scale);

/// format_in(value, display_scale(|value|, unit, name)).
std::string readable_figure(double value, std::string_view unit, std::string_view name = {});

/// Whether a figure named `name` (its last dotted part) with unit "1" is a share.
bool is_share_name(std::string_view name);

}  // namespace roshni::report
