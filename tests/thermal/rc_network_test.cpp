#include "roshni/thermal/rc_network.h"

#include <cmath>

#include <gtest/gtest.h>

namespace roshni::thermal {
namespace {

// One node of capacity C joined by G to a coolant at T_c, heated from T_c by a step of
// P watts: C dT/dt = P - G (T - T_c), so T(t) = T_c + (P/G)(1 - exp(-t/tau)), tau = C/G.
// With C = 400 J/K, G = 20 W/K, P = 700 W: tau = 20 s, final rise P/G = 35 K.
TEST(RcNetwork, StepResponseMatchesTheClosedForm) {
  const double c = 400, g = 20, p = 700, tc = 308.15;
  RcNetwork net;
  const uint32_t n = net.add_node(joules_per_kelvin(c), Temperature::from_kelvin(tc));
  net.to_boundary(n, watts_per_kelvin(g), Temperature::from_kelvin(tc));
  const double dt = 0.01;  // tau / 2000
  net.prepare(seconds(dt));
  const double tau = c / g, rise = p / g;
  const std::vector<double> power{p};
  double t = 0;
  for (double at : {0.25 * tau, tau, 2 * tau, 5 * tau}) {
    const auto steps = static_cast<uint64_t>(std::llround((at - t) / dt));
    net.advance(power, steps);
    t += steps * dt;
    const double expected = rise * (1 - std::exp(-t / tau));
    const double got = net.temperature(n).kelvin() - tc;
    EXPECT_NEAR(got, expected, 0.005 * expected) << "at t = " << t << " s";
  }
  // The time constant itself: the rise crosses 1 - 1/e of P/G at t = tau (to 0.5%).
  RcNetwork again;
  const uint32_t m = again.add_node(joules_per_kelvin(c), Temperature::from_kelvin(tc));
  again.to_boundary(m, watts_per_kelvin(g), Temperature::from_kelvin(tc));
  again.prepare(seconds(dt));
  uint64_t k = 0;
  while (again.temperature(m).kelvin() - tc < rise * (1 - std::exp(-1.0))) {
    again.step(power);
    ++k;
  }
  EXPECT_NEAR(k * dt, tau, 0.005 * tau);
}

// Steady state of a chain: heat P enters node 1, flows through G1 to node 2 and through
// G2 to the boundary: T2 = T_b + P/G2, T1 = T2 + P/G1 (resistances in series).
TEST(RcNetwork, SteadyStateOfAChainIsSeriesResistance) {
  RcNetwork net;
  const Temperature tb = Temperature::from_celsius(30);
  const uint32_t a = net.add_node(joules_per_kelvin(300), tb);
  const uint32_t b = net.add_node(joules_per_kelvin(80000), tb);
  net.connect(a, b, watts_per_kelvin(20));
  net.to_boundary(b, watts_per_kelvin(4000), tb);
  net.settle_steady({700, 0});
  EXPECT_NEAR(net.temperature(b).kelvin(), tb.kelvin() + 700.0 / 4000, 1e-9);
  EXPECT_NEAR(net.temperature(a).kelvin(), tb.kelvin() + 700.0 / 4000 + 700.0 / 20, 1e-9);
  // And the transient ends there: backward Euler from the same state stays put.
  net.prepare(seconds(1));
  net.advance({700, 0}, 100);
  EXPECT_NEAR(net.temperature(a).kelvin(), tb.kelvin() + 700.0 / 4000 + 700.0 / 20, 1e-6);
}

// Backward Euler is stable for any step: a step 100x the time constant does not
// overshoot or oscillate; it lands on the steady state from below.
TEST(RcNetwork, LargeStepsStayStable) {
  RcNetwork net;
  const Temperature tb = Temperature::from_celsius(25);
  const uint32_t n = net.add_node(joules_per_kelvin(1), tb);
  net.to_boundary(n, watts_per_kelvin(10), tb);
  net.prepare(seconds(10));  // tau = 0.1 s
  double last = tb.kelvin();
  for (int i = 0; i < 5; ++i) {
    net.step({100});
    const double t = net.temperature(n).kelvin();
    EXPECT_GE(t, last - 1e-12);
    EXPECT_LE(t, tb.kelvin() + 10 + 1e-9);
    last = t;
  }
  EXPECT_NEAR(last, tb.kelvin() + 10, 1e-6);
}

}  // namespace
}  // namespace roshni::thermal
