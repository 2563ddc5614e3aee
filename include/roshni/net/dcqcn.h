/// DCQCN's reaction point: the sender's rate control (Y. Zhu et al., "Congestion Control
/// for Large-Scale RDMA Deployments", SIGCOMM 2015, section 3), as the packet model runs
/// it for every flow, on its own so that it can be tested alone. Rates are bytes/s.
///
///   start, at line rate R:   R_C = R_T = R;  α = 1;  i = 0
///   on a CNP:                R_T = R_C;  R_C = max(R_min, R_C·(1 − α/2));
///                            α = (1 − g)·α + g;  i = 0;  the period timer restarts
///   each period (timer):     α = (1 − g)·α   (a whole period has passed without a CNP:
///                                             the timer restarts at every CNP);
///                            i = i + 1;
///                            i <= F (fast recovery):  R_C = (R_T + R_C)/2
///                            i >  F (additive):       R_T = min(R, R_T + R_AI);
///                                                     R_C = min(R, (R_T + R_C)/2)
///
/// One timer drives both α's decay and the rate increase (the paper has two of the same
/// 55 us period); the byte counter and hyper increase are left out
/// (docs/models/packet-model.md).
#pragma once

#include <algorithm>
#include <cstdint>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::net {

/// DCQCN's constants (Zhu et al., SIGCOMM 2015, section 3 and table 1 defaults).
struct DcqcnParams {
  double g = 1.0 / 256;                    // alpha's gain
  SimTime period = SimTime::ps(55'000'000);  // rate-increase and alpha timer (55 us)
  SimTime cnp_interval = SimTime::ps(50'000'000);  // receiver: at most one CNP per flow per 50 us
  uint32_t fast_recovery_steps = 5;        // F
  DataRate additive_increase = gbps(0.04);  // R_AI, 40 Mb/s
  DataRate min_rate = gbps(0.1);           // floor of the current rate
};

/// One sender's state; the caller runs the timer (calls period() every `period` after
/// start or the last CNP, whichever is later) and paces packets at rate().
class DcqcnReactionPoint {
 public:
  void start(double line_rate) {
    line_ = rc_ = rt_ = line_rate;
    alpha_ = 1.0;
    stage_ = 0;
  }

  void cnp(const DcqcnParams& d) {
    rt_ = rc_;
    rc_ = std::max(d.min_rate.si(), rc_ * (1 - alpha_ / 2));
    alpha_ = (1 - d.g) * alpha_ + d.g;
    stage_ = 0;
  }

  void period(const DcqcnParams& d) {
    alpha_ *= 1 - d.g;
    ++stage_;
    if (stage_ > d.fast_recovery_steps) rt_ = std::min(line_, rt_ + d.additive_increase.si());
    rc_ = std::min(line_, (rt_ + rc_) / 2);
  }

  double rate() const { return rc_; }         // R_C, the current rate
  double target() const { return rt_; }       // R_T
  double alpha() const { return alpha_; }
  uint32_t stage() const { return stage_; }   // periods since the last CNP (or the start)

 private:
  double rc_ = 0, rt_ = 0, alpha_ = 1, line_ = 0;
  uint32_t stage_ = 0;
};

}  // namespace roshni::net
