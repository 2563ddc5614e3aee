// DCQCN's reaction point alone (dcqcn.h): the equations of Zhu et al., SIGCOMM 2015,
// section 3, step by step from a sender at line rate R. Rates are dyadic fractions of
// R = 12.5e9 B/s and g = 1/256 here, so every expected value is exact in doubles.
#include "roshni/net/dcqcn.h"

#include <cmath>

#include <gtest/gtest.h>

namespace roshni::net {
namespace {

constexpr double kR = 12.5e9;  // 100 Gb/s

// At line rate with α = 1, one CNP halves the rate: R_C = R (1 - 1/2) = R/2; the target
// keeps the rate before the cut (R_T = R), and α = (1 - g)·1 + g stays 1.
TEST(DcqcnReactionPoint, OneCnpAtLineRateHalvesTheRate) {
  DcqcnReactionPoint rp;
  rp.start(kR);
  EXPECT_EQ(rp.rate(), kR);
  EXPECT_EQ(rp.alpha(), 1.0);
  rp.cnp(DcqcnParams{});
  EXPECT_EQ(rp.rate(), kR / 2);
  EXPECT_EQ(rp.target(), kR);
  EXPECT_EQ(rp.alpha(), 1.0);
  EXPECT_EQ(rp.stage(), 0u);
}

// After the cut, fast recovery halves the distance to R_T each period: R_C = R - (R/2)/2^i
// for i = 1..F = 5 (3R/4, 7R/8, ..., 63R/64), and α decays every period: (1 - g)^i.
// From period F + 1 on, R_T = min(R, R + R_AI) = R (capped at line rate) and R_C goes
// on halving the distance: R - R/2^(i+1).
TEST(DcqcnReactionPoint, FastRecoveryThenAdditiveIncreaseCappedAtLineRate) {
  const DcqcnParams d;
  DcqcnReactionPoint rp;
  rp.start(kR);
  rp.cnp(d);
  for (uint32_t i = 1; i <= 8; ++i) {
    rp.period(d);
    EXPECT_EQ(rp.rate(), kR - kR / std::ldexp(1.0, static_cast<int>(i) + 1)) << "period " << i;
    EXPECT_EQ(rp.target(), kR) << "period " << i;
    EXPECT_DOUBLE_EQ(rp.alpha(), std::pow(1 - d.g, i)) << "period " << i;
    EXPECT_EQ(rp.stage(), i);
  }
}

// Below the line rate, additive increase raises the target by R_AI per period after F:
// cut at R with α = 1 (R_C = R/2, R_T = R), then a second CNP right away (α still 1):
// R_T = R/2, R_C = R/4, α = 1. After F = 5 periods R_C = R/2 - (R/4)/32 and R_T = R/2;
// period 6: R_T = R/2 + R_AI, R_C = (R_T + R_C)/2.
TEST(DcqcnReactionPoint, AdditiveIncreaseRaisesTheTargetAfterFastRecovery) {
  const DcqcnParams d;
  DcqcnReactionPoint rp;
  rp.start(kR);
  rp.cnp(d);
  rp.cnp(d);
  EXPECT_EQ(rp.rate(), kR / 4);
  EXPECT_EQ(rp.target(), kR / 2);
  for (int i = 0; i < 5; ++i) rp.period(d);
  const double rc5 = kR / 2 - kR / 4 / 32;
  EXPECT_EQ(rp.rate(), rc5);
  EXPECT_EQ(rp.target(), kR / 2);
  rp.period(d);
  const double rt6 = kR / 2 + d.additive_increase.si();
  EXPECT_EQ(rp.target(), rt6);
  EXPECT_EQ(rp.rate(), (rt6 + rc5) / 2);
}

// A cut never takes the rate below min_rate: from R = 0.15 Gb/s (18.75e6 B/s) one CNP
// would give 9.375e6 B/s, the floor is 0.1 Gb/s = 12.5e6 B/s.
TEST(DcqcnReactionPoint, CutStopsAtTheMinimumRate) {
  const DcqcnParams d;
  DcqcnReactionPoint rp;
  rp.start(18.75e6);
  rp.cnp(d);
  EXPECT_EQ(rp.rate(), 12.5e6);
}

}  // namespace
}  // namespace roshni::net
