#include "roshni/core/sim_time.h"

#include <algorithm>
#include <cmath>

namespace roshni {

SimTime to_sim_time_ceil(Duration d) {
  const double ps = d.si() * 1e12;
  if (!(ps > 0.0)) return SimTime::zero();  // also maps NaN to zero; callers validate
  if (ps >= 9.2e18) return SimTime::max();
  // Binary noise is forgiven up to one part in 10^9, but never more than 10^-3 ps: a
  // relative tolerance alone would be 0.5 ps at 0.5 ms and round to nearest above it.
  // Past ~8e12 ps (8 s) a double's own spacing is over 10^-3 ps, so what it holds there
  // is whole picoseconds and the ceiling is exact.
  const double nearest = std::round(ps);
  const double tolerance = std::min(1e-9 * nearest, 1e-3);
  if (std::fabs(ps - nearest) <= tolerance) return SimTime::ps(static_cast<int64_t>(nearest));
  return SimTime::ps(static_cast<int64_t>(std::ceil(ps)));
}

std::string to_string(SimTime t) { return to_string(t.duration()); }

}  // namespace roshni
