// Datasheet arithmetic for link parts.
#include "roshni/hw/link_part.h"

#include <gtest/gtest.h>

namespace roshni::hw {
namespace {

LinkPart fibre_dr() {
  LinkPart p;
  p.name = "dr8";
  p.medium = Medium::optical;
  p.form = LinkForm::pluggable_dsp;
  p.lanes = 8;
  p.lane_rate = gbps(100);
  p.rate = gbps(800);
  p.reach = metres(500);
  p.serdes = nanoseconds(20);
  p.fec = nanoseconds(100);
  p.dsp = nanoseconds(100);
  p.propagation_per_metre = nanoseconds(4.9);
  p.static_power = watts(17);
  p.powered = true;
  // IEEE 802.3 DR-class lane: launch -0.8 dBm, sensitivity -4.4 dBm, 0.4 dB/km,
  // 2 connectors of 0.5 dB, 0.6 dB margin (the catalog's figures).
  p.optics = OpticalBudget{-0.8, -4.4, 0.4, 0.5, 2, 0.6};
  return p;
}

// 30 m of fibre at 4.9 ns/m is 147 ns of propagation; the link adds 20 + 100 + 100 ns of
// SerDes, FEC and DSP: 367 ns, exactly 367,000 ps.
TEST(LinkPart, LatencyIsPartsPlusPropagation) {
  EXPECT_EQ(link_latency(fibre_dr(), metres(30)).ps(), 367'000);
  EXPECT_EQ(link_latency(fibre_dr(), metres(0)).ps(), 220'000);
}

// An 800G part is 8 lanes of 100G; its 17 W per end at 800 Gb/s is 21.25 pJ/bit.
TEST(LinkPart, PowerAndEnergyPerBitAgree) {
  const LinkPart p = fibre_dr();
  EXPECT_DOUBLE_EQ(p.lanes * p.lane_rate.si(), p.rate.si());
  EXPECT_DOUBLE_EQ(port_power(p).si(), 17.0);
  EXPECT_NEAR(port_power(p).si() / to_bits_per_second(p.rate) * 1e12, 21.25, 1e-12);
  LinkPart dac = p;
  dac.powered = false;
  EXPECT_EQ(port_power(dac).si(), 0.0);
}

// Budget: received = -0.8 - 0.4 x km - 2 x 0.5; needed = -4.4 + 0.6 = -3.8 dBm.
// At 500 m: -0.8 - 0.2 - 1.0 = -2.0 dBm, 1.8 dB to spare. One OCS pass of 2 dB makes it
// -4.0 dBm: 0.2 dB short. The length that just closes it without an OCS: loss 3.0 dB
// leaves 3.0 - 1.0 (connectors) = 2.0 dB of fibre = 5 km.
TEST(LinkPart, OpticalBudgetPassesAndFailsWhereTheArithmeticSays) {
  const LinkPart p = fibre_dr();
  const BudgetCheck at500 = optical_budget(p, metres(500));
  EXPECT_NEAR(at500.received_dbm, -2.0, 1e-12);
  EXPECT_NEAR(at500.required_dbm, -3.8, 1e-12);
  EXPECT_TRUE(at500.ok());
  const BudgetCheck through_ocs = optical_budget(p, metres(500), 1, 2.0);
  EXPECT_FALSE(through_ocs.ok());
  EXPECT_NEAR(through_ocs.shortfall_db(), 0.2, 1e-12);
  EXPECT_TRUE(optical_budget(p, metres(5000)).ok());     // exactly at the limit
  EXPECT_FALSE(optical_budget(p, metres(5010)).ok());    // 4 mdB short
}

TEST(LinkForm, SpellingsRoundTrip) {
  for (auto f : {LinkForm::dac, LinkForm::backplane, LinkForm::aec, LinkForm::lpo,
                 LinkForm::pluggable_dsp, LinkForm::cpo, LinkForm::optical_io}) {
    EXPECT_EQ(link_form_from(to_string(f)), f);
  }
  EXPECT_FALSE(link_form_from("smoke-signals").has_value());
}

}  // namespace
}  // namespace roshni::hw
