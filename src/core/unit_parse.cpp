#include "roshni/core/unit_parse.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "roshni/core/text.h"

// Exactness: a decimal prefix is applied by shifting the decimal exponent of the text
// ("1.2 us" is read as the decimal 1.2e-6) and converting once with std::from_chars,
// which rounds correctly; only the factors that are not powers of ten (2^10n, 1/8 for
// bits, 60 s, 3600 s for Wh) are multiplied afterwards, and those are exact or add at
// most one rounding. So "400 Gbps", "1 GiB" and "0.1 Gbps" come out exact.

namespace roshni {
namespace {

constexpr double kKi = 1024.0;
constexpr double kMi = kKi * 1024.0;
constexpr double kGi = kMi * 1024.0;
constexpr double kTi = kGi * 1024.0;
constexpr double kPi = kTi * 1024.0;
// The per-bit factors come from units.h so that the 8 lives only there.
constexpr double kPerBit = bits(1.0).si();                 // bytes in one bit
constexpr double kPerBitRate = bits_per_second(1.0).si();  // bytes/s in one bit/s
constexpr double kPerBitEnergy = joules_per_bit(1.0).si();

/// One accepted spelling: value_si = number * 10^dec_exp * factor.
struct Unit {
  std::string_view name;
  QuantityKind kind;
  int dec_exp;
  double factor;
  double offset = 0.0;  // added after scaling: degrees Celsius to kelvin
};

using K = QuantityKind;

// Listed in the order suggestions should prefer on ties (the common spelling first).
constexpr Unit kUnits[] = {
    // Data size: bytes, SI and binary prefixes; bits (SI only).
    {"B", K::data_size, 0, 1.0},
    {"byte", K::data_size, 0, 1.0},
    {"bytes", K::data_size, 0, 1.0},
    {"kB", K::data_size, 3, 1.0},
    {"KB", K::data_size, 3, 1.0},
    {"MB", K::data_size, 6, 1.0},
    {"GB", K::data_size, 9, 1.0},
    {"TB", K::data_size, 12, 1.0},
    {"PB", K::data_size, 15, 1.0},
    {"KiB", K::data_size, 0, kKi},
    {"MiB", K::data_size, 0, kMi},
    {"GiB", K::data_size, 0, kGi},
    {"TiB", K::data_size, 0, kTi},
    {"PiB", K::data_size, 0, kPi},
    {"bit", K::data_size, 0, kPerBit},
    {"bits", K::data_size, 0, kPerBit},
    {"b", K::data_size, 0, kPerBit},
    {"kb", K::data_size, 3, kPerBit},
    {"Kb", K::data_size, 3, kPerBit},
    {"Mb", K::data_size, 6, kPerBit},
    {"Gb", K::data_size, 9, kPerBit},
    {"Tb", K::data_size, 12, kPerBit},
    // Data rate: bits per second (SI), bytes per second (SI and binary).
    {"bps", K::data_rate, 0, kPerBitRate},
    {"b/s", K::data_rate, 0, kPerBitRate},
    {"kbps", K::data_rate, 3, kPerBitRate},
    {"Kbps", K::data_rate, 3, kPerBitRate},
    {"Mbps", K::data_rate, 6, kPerBitRate},
    {"Gbps", K::data_rate, 9, kPerBitRate},
    {"Tbps", K::data_rate, 12, kPerBitRate},
    {"kb/s", K::data_rate, 3, kPerBitRate},
    {"Kb/s", K::data_rate, 3, kPerBitRate},
    {"Mb/s", K::data_rate, 6, kPerBitRate},
    {"Gb/s", K::data_rate, 9, kPerBitRate},
    {"Tb/s", K::data_rate, 12, kPerBitRate},
    {"B/s", K::data_rate, 0, 1.0},
    {"kB/s", K::data_rate, 3, 1.0},
    {"KB/s", K::data_rate, 3, 1.0},
    {"MB/s", K::data_rate, 6, 1.0},
    {"GB/s", K::data_rate, 9, 1.0},
    {"TB/s", K::data_rate, 12, 1.0},
    {"KiB/s", K::data_rate, 0, kKi},
    {"MiB/s", K::data_rate, 0, kMi},
    {"GiB/s", K::data_rate, 0, kGi},
    {"TiB/s", K::data_rate, 0, kTi},
    // Duration.
    {"s", K::duration, 0, 1.0},
    {"ps", K::duration, -12, 1.0},
    {"ns", K::duration, -9, 1.0},
    {"us", K::duration, -6, 1.0},
    {"\u00b5s", K::duration, -6, 1.0},  // micro sign
    {"\u03bcs", K::duration, -6, 1.0},  // Greek small mu, which looks the same
    {"ms", K::duration, -3, 1.0},
    {"min", K::duration, 0, 60.0},
    {"h", K::duration, 0, 3600.0},
    {"d", K::duration, 0, 86400.0},
    {"day", K::duration, 0, 86400.0},
    {"days", K::duration, 0, 86400.0},
    // Length.
    {"m", K::length, 0, 1.0},
    {"mm", K::length, -3, 1.0},
    {"cm", K::length, -2, 1.0},
    {"km", K::length, 3, 1.0},
    // Power.
    {"W", K::power, 0, 1.0},
    {"mW", K::power, -3, 1.0},
    {"kW", K::power, 3, 1.0},
    {"MW", K::power, 6, 1.0},
    {"GW", K::power, 9, 1.0},
    // Energy; a watt-hour is 3600 J.
    {"J", K::energy, 0, 1.0},
    {"pJ", K::energy, -12, 1.0},
    {"nJ", K::energy, -9, 1.0},
    {"uJ", K::energy, -6, 1.0},
    {"mJ", K::energy, -3, 1.0},
    {"kJ", K::energy, 3, 1.0},
    {"MJ", K::energy, 6, 1.0},
    {"Wh", K::energy, 0, 3600.0},
    {"kWh", K::energy, 3, 3600.0},
    {"MWh", K::energy, 6, 3600.0},
    {"GWh", K::energy, 9, 3600.0},
    // Energy per bit.
    {"pJ/bit", K::energy_per_bit, -12, kPerBitEnergy},
    {"fJ/bit", K::energy_per_bit, -15, kPerBitEnergy},
    {"nJ/bit", K::energy_per_bit, -9, kPerBitEnergy},
    {"pJ/b", K::energy_per_bit, -12, kPerBitEnergy},
    {"fJ/b", K::energy_per_bit, -15, kPerBitEnergy},
    {"nJ/b", K::energy_per_bit, -9, kPerBitEnergy},
    // Temperature: kelvin, or degrees Celsius on the kelvin scale (+273.15).
    {"K", K::temperature, 0, 1.0},
    {"degC", K::temperature, 0, 1.0, Temperature::kZeroCelsius},
    {"\u00b0C", K::temperature, 0, 1.0, Temperature::kZeroCelsius},
    {"K", K::temperature_delta, 0, 1.0},
    {"mK", K::temperature_delta, -3, 1.0},
    // Heat capacity and thermal conductance (or any power per kelvin).
    {"J/K", K::heat_capacity, 0, 1.0},
    {"kJ/K", K::heat_capacity, 3, 1.0},
    {"MJ/K", K::heat_capacity, 6, 1.0},
    {"W/K", K::thermal_conductance, 0, 1.0},
    {"mW/K", K::thermal_conductance, -3, 1.0},
    {"kW/K", K::thermal_conductance, 3, 1.0},
    // Fractions.
    {"%", K::fraction, -2, 1.0},
    {"%/K", K::fraction_per_kelvin, -2, 1.0},
    // Carbon intensity of electricity: kilograms of CO2 per joule inside.
    {"gCO2/kWh", K::carbon_intensity, -3, 1.0 / 3.6e6},
    {"kgCO2/kWh", K::carbon_intensity, 0, 1.0 / 3.6e6},
    {"kgCO2/MWh", K::carbon_intensity, -3, 1.0 / 3.6e6},
    {"tCO2/MWh", K::carbon_intensity, 0, 1.0 / 3.6e6},
    // Compute rate: floating-point operations per second, SI prefixes.
    {"FLOP/s", K::flop_rate, 0, 1.0},
    {"GFLOP/s", K::flop_rate, 9, 1.0},
    {"TFLOP/s", K::flop_rate, 12, 1.0},
    {"PFLOP/s", K::flop_rate, 15, 1.0},
    {"EFLOP/s", K::flop_rate, 18, 1.0},
};

/// The spelling `name` of `kind` if there is one ("K" is both a temperature and a
/// temperature difference), else the first unit of that spelling, else null.
const Unit* find_unit(std::string_view name, QuantityKind kind) {
  const Unit* any = nullptr;
  for (const Unit& u : kUnits) {
    if (u.name != name) continue;
    if (u.kind == kind) return &u;
    if (any == nullptr) any = &u;
  }
  return any;
}

std::vector<std::string> unit_names(QuantityKind kind) {
  std::vector<std::string> out;
  for (const Unit& u : kUnits) {
    if (u.kind == kind) out.emplace_back(u.name);
  }
  return out;
}



char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// ", did you mean 'x'?". A unit that differs only in case is the likeliest intent
/// ("GIB" is "GiB", not "GB", though both are one edit away), unless case is exactly what
/// tells two units apart ("gb" could be Gb or GB); then the nearest by edit distance.
std::string suggest(std::string_view unit, const std::vector<std::string>& names) {
  const std::string* match = nullptr;
  int matches = 0;
  for (const auto& n : names) {
    if (n.size() != unit.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) same = lower(n[i]) == lower(unit[i]);
    if (same) {
      match = &n;
      ++matches;
    }
  }
  if (matches == 1) return ", did you mean '" + *match + "'?";
  return did_you_mean(unit, names);
}

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// The pieces of "-1.5e3": sign, the mantissa digits with their point, the exponent.
struct Number {
  bool negative = false;
  std::string_view mantissa;  // "1.5"
  int64_t exponent = 0;       // 3, saturated far beyond any double's range
  size_t end = 0;             // index just past the number
};

std::optional<Number> scan_number(std::string_view s) {
  Number n;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) n.negative = s[i++] == '-';
  const size_t m0 = i;
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  n.mantissa = s.substr(m0, i - m0);
  // An exponent only if digits follow; "5 e" would be a unit named "e".
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    bool neg = false;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) neg = s[j++] == '-';
    if (j < s.size() && is_digit(s[j])) {
      int64_t e = 0;
      while (j < s.size() && is_digit(s[j])) {
        if (e < 1'000'000) e = e * 10 + (s[j] - '0');
        ++j;
      }
      n.exponent = neg ? -e : e;
      i = j;
    }
  }
  n.end = i;
  return n;
}

std::string expected_phrase(QuantityKind kind) {
  return fmt::format("expected {} like \"{}\"", describe(kind), example(kind));
}

}  // namespace

std::string_view describe(QuantityKind k) {
  switch (k) {
    case K::data_size:
      return "a data size";
    case K::data_rate:
      return "a data rate";
    case K::duration:
      return "a duration";
    case K::length:
      return "a length";
    case K::power:
      return "a power";
    case K::energy:
      return "an energy";
    case K::energy_per_bit:
      return "an energy per bit";
    case K::temperature:
      return "a temperature";
    case K::temperature_delta:
      return "a temperature difference";
    case K::heat_capacity:
      return "a heat capacity";
    case K::thermal_conductance:
      return "a thermal conductance";
    case K::fraction:
      return "a percentage";
    case K::fraction_per_kelvin:
      return "a percentage per kelvin";
    case K::carbon_intensity:
      return "a carbon intensity";
    case K::flop_rate:
      return "a compute rate";
  }
  return "a quantity";
}

std::string_view example(QuantityKind k) {
  switch (k) {
    case K::data_size:
      return "1 GiB";
    case K::data_rate:
      return "400 Gbps";
    case K::duration:
      return "1.2 us";
    case K::length:
      return "3 m";
    case K::power:
      return "15 W";
    case K::energy:
      return "2 kWh";
    case K::energy_per_bit:
      return "5 pJ/bit";
    case K::temperature:
      return "35 degC";
    case K::temperature_delta:
      return "5 K";
    case K::heat_capacity:
      return "2 kJ/K";
    case K::thermal_conductance:
      return "10 W/K";
    case K::fraction:
      return "20 %";
    case K::fraction_per_kelvin:
      return "0.5 %/K";
    case K::carbon_intensity:
      return "310 gCO2/kWh";
    case K::flop_rate:
      return "989.4 TFLOP/s";
  }
  return "1";
}

QuantityRange physical_range(QuantityKind k) {
  // Each bound is far outside any machine Roshni models (the largest figures in configs/
  // and scenarios/ are a 2,000 MW allocation, 115 Tb/s of switch capacity and 2 PB of
  // storage) and far inside what a double and the sums the models make of a million such
  // values can hold. The lower bounds are on a non-zero value: below them a rate, a
  // conductance or a heat capacity turns its quotients into overflow.
  switch (k) {
    case K::data_size:
      return {0, 1e18, "1 EB (1e18 B)"};
    case K::data_rate:
      return {1.0 / kBitsPerByte, 1.25e15, "10 Pb/s (1e16 bps)", "1 b/s"};
    case K::duration:
      return {0, 1e10, "1e10 s (317 years)"};
    case K::length:
      return {0, 1e7, "1e7 m (10,000 km)"};
    case K::power:
      return {0, 1e11, "100 GW"};
    case K::energy:
      return {0, 1e18, "1e18 J (278 TWh)"};
    case K::energy_per_bit:
      return {0, 1e-6, "1e6 pJ/bit (1 uJ/bit)"};
    case K::temperature:
      return {1, 1000, "1000 K", "1 K"};
    case K::temperature_delta:
      return {0, 1000, "1000 K"};
    case K::heat_capacity:
      return {1e-6, 1e13, "1e13 J/K", "1e-6 J/K"};
    case K::thermal_conductance:
      return {1e-6, 1e10, "1e10 W/K", "1e-6 W/K"};
    case K::fraction:
      return {0, 1e6, "1e8 %"};  // callers bound it further (as_fraction's max)
    case K::fraction_per_kelvin:
      return {0, 1, "100 %/K"};
    case K::carbon_intensity:
      return {0, 10.0 / 3.6e6, "10 kgCO2/kWh"};
    case K::flop_rate:
      return {1, 1e21, "1e21 FLOP/s", "1 FLOP/s"};
  }
  return {0, 0, "0"};
}

std::variant<double, UnitError> parse_quantity(std::string_view text, QuantityKind kind) {
  std::string_view s = text;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);

  const auto number = scan_number(s);
  if (!number) {
    return UnitError{fmt::format("{}, got {}", expected_phrase(kind), quote_text(text))};
  }
  std::string_view unit = s.substr(number->end);
  while (!unit.empty() && is_space(unit.front())) unit.remove_prefix(1);
  if (unit.empty()) {
    return UnitError{fmt::format("expected {} with a unit, like \"{}\", got {}", describe(kind),
                                 example(kind), quote_text(text))};
  }

  const Unit* u = find_unit(unit, kind);
  if (u == nullptr) {
    const auto names = unit_names(kind);
    const std::string hint = suggest(unit, names);
    return UnitError{fmt::format("unknown unit '{}' in {}{}", escape_text(unit), quote_text(text),
                                 hint.empty() ? "; " + expected_phrase(kind) : hint)};
  }
  if (u->kind != kind) {
    return UnitError{fmt::format("'{}' is {}; expected {}, like \"{}\"", u->name, describe(u->kind),
                                 describe(kind), example(kind))};
  }

  // Rewrite as "<mantissa>e<exponent + prefix>" and convert once (see the top of the file).
  const int64_t exp10 = number->exponent + u->dec_exp;
  const std::string decimal = fmt::format("{}e{}", number->mantissa, exp10);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Too small to represent is zero (the caller decides whether zero is allowed);
    // too large is an error. from_chars does not say which, the exponent does.
    const bool tiny = exp10 < 0;
    if (!tiny) {
      return UnitError{fmt::format("{} is out of range; {}", quote_text(text), expected_phrase(kind))};
    }
    v = 0.0;
  } else if (ec != std::errc() || end != decimal.data() + decimal.size()) {
    return UnitError{fmt::format("{}, got {}", expected_phrase(kind), quote_text(text))};
  }
  v *= u->factor;
  if (!std::isfinite(v)) {
    return UnitError{fmt::format("{} is out of range; {}", quote_text(text), expected_phrase(kind))};
  }
  if (number->negative) v = -v;
  v += u->offset;  // after the sign: "-10 degC" is 263.15 K
  if (v == 0.0) return 0.0;  // no negative zero
  return v;
}

}  // namespace roshni
