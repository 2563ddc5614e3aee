#include "roshni/report/readable_units.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

namespace roshni::report {
namespace {

/// |v| rounded to four significant digits, so that 999.96 J picks kJ ("1 kJ").
double rounded4(double v) { return std::fabs(std::strtod(fmt::format("{:.3e}", v).c_str(), nullptr)); }

constexpr std::array<std::pair<double, const char*>, 11> kSi = {
    {{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""},
     {1e-3, "m"}, {1e-6, "\xC2\xB5"}, {1e-9, "n"}, {1e-12, "p"}}};

DisplayScale si(double m, std::string_view unit, double lowest = 1e-12) {
  if (m == 0 || !std::isfinite(m)) return {1, std::string(unit)};
  for (const auto& [f, p] : kSi) {
    if (f >= lowest && m >= f) return {f, p + std::string(unit)};
  }
  return {lowest, std::string(kSi.back().second) + std::string(unit)};
}

/// k M bn tn words for money and counts: nothing below a million.
DisplayScale words(double m, std::string_view unit) {
  constexpr std::array<std::pair<double, const char*>, 3> kWords = {
      {{1e12, "tn"}, {1e9, "bn"}, {1e6, "M"}}};
  for (const auto& [f, w] : kWords) {
    if (m >= f) return {f, unit.empty() ? std::string(w) : fmt::format("{} {}", w, unit)};
  }
  return {1, std::string(unit)};
}

bool is_currency(std::string_view unit) {
  if (unit.size() != 3) return false;
  for (char c : unit) {
    if (!std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

DisplayScale time_scale(double seconds) {
  if (seconds >= 86400) return {86400, "days"};
  if (seconds >= 3600) return {3600, "h"};
  if (seconds >= 60) return {60, "min"};
  return si(seconds, "s");
}

DisplayScale mass_scale(double grams) {
  if (grams >= 1e12) return {1e12, "Mt"};
  if (grams >= 1e6) return {1e6, "t"};
  return si(grams, "g");
}

DisplayScale binary_bytes(double m) {
  constexpr std::array<const char*, 7> kBinary = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double f = 1;
  size_t i = 0;
  while (i + 1 < kBinary.size() && m >= f * 1024) {
    f *= 1024;
    ++i;
  }
  return {f, kBinary[i]};
}

std::string with_separators(double whole) {
  std::string digits = fmt::format("{:.0f}", std::fabs(whole));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (whole < 0 ? "-" : "") + out;
}

}  // namespace

bool is_share_name(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot != std::string_view::npos) name = name.substr(dot + 1);
  for (std::string_view word : {"share", "utilisation", "utilization", "mfu", "hfu",
                                "efficiency", "fraction"}) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

DisplayScale display_scale(double magnitude, std::string_view unit, std::string_view name) {
  const double m = rounded4(magnitude);
  // Units converted to a base first: the scale's factor is then in the given unit.
  const auto converted = [](DisplayScale s, double base_per_unit) {
    s.factor /= base_per_unit;
    return s;
  };
  if (unit == "s") return time_scale(m);
  if (unit == "ps") return converted(time_scale(rounded4(m * 1e-12)), 1e-12);
  if (unit == "B") return binary_bytes(m);
  if (unit == "kWh") return converted(si(rounded4(m * 1e3), "Wh"), 1e3);
  if (unit == "Wh") return si(m, "Wh");
  if (unit == "kg") return converted(mass_scale(rounded4(m * 1e3)), 1e3);
  if (unit == "t") return converted(mass_scale(rounded4(m * 1e6)), 1e6);
  if (unit == "degC") return {1, "\xC2\xB0" "C"};
  if (unit == "1") return is_share_name(name) ? DisplayScale{0.01, "%"} : words(m, "");
  if (unit == "1/s") {
    DisplayScale s = words(m, "");
    s.symbol += "/s";
    return s;
  }
  if (is_currency(unit)) return words(m, unit);
  for (std::string_view u : {"J", "W", "B/s", "bit", "bit/s", "FLOP", "FLOP/s", "J/bit", "m",
                             "Hz"}) {
    if (unit == u) return si(m, unit);
  }
  return {1, std::string(unit)};
}

std::string format_in(double value, const DisplayScale& scale) {
  const double x = value / scale.factor;
  std::string num;
  if (!std::isfinite(x)) {
    num = fmt::format("{}", x);
  } else if (scale.factor == 1 && x == std::floor(x) && std::fabs(x) < 1e6) {
    num = with_separators(x);  // a whole count: exactly
  } else {
    const double r = std::strtod(fmt::format("{:.3e}", x).c_str(), nullptr);
    num = std::fabs(r) >= 1e3 && std::fabs(r) < 1e15 ? with_separators(r)
                                                     : fmt::format("{:.4g}", r);
  }
  if (num == "-0") num = "0";
  if (scale.symbol.empty()) return num;
  return num + (scale.symbol == "%" ? " %" : " " + scale.symbol);
}

std::string readable_figure(double value, std::string_view unit, std::string_view name) {
  return format_in(value, display_scale(std::fabs(value), unit, name));
}

}  // namespace roshni::report
