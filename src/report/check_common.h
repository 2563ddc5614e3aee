/// How `roshni check` and its gates (check.cpp, gate.cpp, gate_output.cpp) judge and
/// write a figure. Private to report/.
#pragma once

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace roshni::report {

/// Shortest round-trip text of a figure, as the report wrote it.
inline std::string number(double v) { return fmt::format("{}", v); }

/// Whether `now` is within `tolerance` of `base`: relative, or absolute when `base` is 0.
inline bool within(double base, double now, double tolerance) {
  const double diff = std::fabs(now - base);
  return base == 0 ? diff <= tolerance : diff <= tolerance * std::fabs(base);
}

/// A tolerance for people: "1%", "0.0001%", "0".
inline std::string shown_tolerance(double t) {
  return t == 0 ? std::string("0") : fmt::format("{:g}%", 100 * t);
}

}  // namespace roshni::report
