/// Simulated time: an integer count of picoseconds. Exact, totally ordered, and the
/// same on every machine; 2^63 ps is about 106 days of simulated time.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "roshni/core/units.h"

namespace roshni {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime ps(int64_t p) { return SimTime(p); }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }
  constexpr int64_t ps() const { return ps_; }
  constexpr Duration duration() const { return seconds(static_cast<double>(ps_) * 1e-12); }

  /// Saturates at max(): a transfer squeezed to a near-zero rate ends "never" (at
  /// SimTime::max()), not at a wrapped-around negative time.
  constexpr SimTime operator+(SimTime o) const {
    int64_t sum = 0;
    if (__builtin_add_overflow(ps_, o.ps_, &sum)) return max();
    return SimTime(sum);
  }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ps_ - o.ps_); }
  constexpr SimTime& operator+=(SimTime o) { return *this = *this + o; }
  constexpr auto operator<=>(const SimTime&) const = default;

 private:
  constexpr explicit SimTime(int64_t p) : ps_(p) {}
  int64_t ps_ = 0;
};

/// Converts a span in seconds to picoseconds, rounding UP so that an event computed
/// from it (a transfer's last byte, say) never fires early. A value within one part in
/// 10^9 (and within 10^-3 ps) of a whole picosecond counts as that picosecond, so that
/// "1.2 us" is exactly 1,200,000 ps despite binary floating point. Saturates at
/// SimTime::max().
SimTime to_sim_time_ceil(Duration d);

/// "21.474836 ms"-style text of a time, for logs and summaries.
std::string to_string(SimTime t);

}  // namespace roshni

template <>
struct fmt::formatter<roshni::SimTime> : fmt::formatter<std::string> {
  template <class Ctx>
  auto format(roshni::SimTime t, Ctx& ctx) const {
    return fmt::formatter<std::string>::format(roshni::to_string(t), ctx);
  }
};
