#include "roshni/core/sim_time.h"

#include <cmath>

namespace roshni {

SimTime to_sim_time_ceil(Duration d) {
  const double ps = d.si() * 1e12;
  if (!(ps > 0.0)) return SimTime::zero();  // also maps NaN to zero; callers validate
  if (ps >= 9.2e18) return SimTime::max();
  const double nearest = std::round(ps);
  if (std::fabs(ps - nearest) <= 1e-9 * nearest) return SimTime::ps(static_cast<int64_t>(nearest));
  return SimTime::ps(static_cast<int64_t>(std::ceil(ps)));
}

std::string to_string(SimTime t) { return to_string(t.duration()); }

}  // namespace roshni
