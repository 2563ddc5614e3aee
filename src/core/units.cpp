#include "roshni/core/units.h"

#include <array>
#include <cmath>

namespace roshni {
namespace {

struct Prefix {
  double factor;
  const char* name;
};

// Picks the largest prefix not above |v| and prints up to 4 significant figures
// after it, trimming trailing zeros: 1.2e-6 s -> "1.2 us".
std::string with_prefix(double v, const char* unit, const Prefix* prefixes, size_t n) {
  if (v == 0.0 || !std::isfinite(v)) return fmt::format("{} {}", v, unit);
  const double mag = std::fabs(v);
  const Prefix* chosen = &prefixes[n - 1];
  for (size_t i = 0; i < n; ++i) {
    if (mag >= prefixes[i].factor * 0.9999999) {
      chosen = &prefixes[i];
      break;
    }
  }
  const double scaled = v / chosen->factor;
  // Past the largest prefix (or below the smallest), fixed notation would print hundreds
  // of digits: 4 significant figures in exponent form instead.
  if (std::fabs(scaled) >= 1e6 || std::fabs(scaled) < 1e-4) {
    return fmt::format("{:.4g} {}{}", scaled, chosen->name, unit);
  }
  std::string num = fmt::format("{:.4f}", scaled);
  while (num.back() == '0') num.pop_back();
  if (num.back() == '.') num.pop_back();
  return fmt::format("{} {}{}", num, chosen->name, unit);
}

constexpr std::array<Prefix, 9> kSi = {{{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"},
                                        {1e6, "M"}, {1e3, "k"}, {1.0, ""}, {1e-3, "m"},
                                        {1e-6, "u"}}};
constexpr std::array<Prefix, 7> kSmall = {{{1e3, "k"}, {1.0, ""}, {1e-3, "m"}, {1e-6, "u"},
                                           {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}}};
constexpr std::array<Prefix, 7> kBinary = {{{1152921504606846976.0, "Ei"},
                                            {1125899906842624.0, "Pi"},
                                            {1099511627776.0, "Ti"},
                                            {1073741824.0, "Gi"},
                                            {1048576.0, "Mi"},
                                            {1024.0, "Ki"},
                                            {1.0, ""}}};

}  // namespace

std::string to_string(DataSize v) {
  return with_prefix(v.si(), "B", kBinary.data(), kBinary.size());
}
std::string to_string(DataRate v) {
  return with_prefix(to_bits_per_second(v), "b/s", kSi.data(), kSi.size());
}
std::string to_string(Duration v) {
  const double s = v.si();
  if (std::fabs(s) >= 86400.0) return with_prefix(s / 86400.0, "d", kSi.data() + 6, 1);
  if (std::fabs(s) >= 3600.0) return with_prefix(s / 3600.0, "h", kSi.data() + 6, 1);
  return with_prefix(s, "s", kSmall.data() + 1, kSmall.size() - 2);
}
std::string to_string(Length v) { return with_prefix(v.si(), "m", kSmall.data(), kSmall.size()); }
std::string to_string(Power v) { return with_prefix(v.si(), "W", kSi.data(), kSi.size()); }
std::string to_string(Energy v) { return with_prefix(v.si(), "J", kSi.data(), kSi.size()); }
std::string to_string(EnergyPerBit v) {
  return with_prefix(v.si(), "J/bit", kSmall.data(), kSmall.size());
}
std::string to_string(FlopRate v) { return with_prefix(v.si(), "FLOP/s", kSi.data(), 7); }

std::string to_string(TemperatureDelta v) {
  return with_prefix(v.si(), "K", kSmall.data() + 1, 3);
}
std::string to_string(HeatCapacity v) { return with_prefix(v.si(), "J/K", kSi.data(), kSi.size()); }
std::string to_string(ThermalConductance v) {
  return with_prefix(v.si(), "W/K", kSi.data(), kSi.size());
}
std::string to_string(Temperature v) {
  std::string num = fmt::format("{:.2f}", v.celsius());
  while (num.back() == '0') num.pop_back();
  if (num.back() == '.') num.pop_back();
  return num + " degC";
}

}  // namespace roshni
