// Figures as people read them (issue 17.10): four significant digits and a prefix or a
// larger unit. Every expectation is the value divided by hand.
#include "roshni/report/readable_units.h"

#include <gtest/gtest.h>

namespace roshni::report {
namespace {

TEST(ReadableUnits, SiPrefixesWithFourSignificantDigits) {
  EXPECT_EQ(readable_figure(2771320, "J"), "2.771 MJ");        // 2,771,320 / 1e6
  EXPECT_EQ(readable_figure(3.4e6, "W"), "3.4 MW");
  EXPECT_EQ(readable_figure(540.492451914, "J"), "540.5 J");
  EXPECT_EQ(readable_figure(999.96, "J"), "1 kJ");             // rounds to 1000 J: kJ
  EXPECT_EQ(readable_figure(1.16935477290636e-10, "J/bit"), "116.9 pJ/bit");
  EXPECT_EQ(readable_figure(49988826626.5, "B/s"), "49.99 GB/s");
  EXPECT_EQ(readable_figure(0, "W"), "0 W");
  EXPECT_EQ(readable_figure(-1500, "W"), "-1.5 kW");
}

TEST(ReadableUnits, TimeInSecondsThenMinutesHoursDays) {
  EXPECT_EQ(readable_figure(0.03758936384, "s"), "37.59 ms");
  EXPECT_EQ(readable_figure(90, "s"), "1.5 min");
  EXPECT_EQ(readable_figure(5400, "s"), "1.5 h");
  EXPECT_EQ(readable_figure(3682674.557, "s"), "42.62 days");  // / 86,400 = 42.623
  EXPECT_EQ(readable_figure(570326863703, "ps"), "570.3 ms");
}

TEST(ReadableUnits, BytesInBinaryPrefixes) {
  EXPECT_EQ(readable_figure(4294967296, "B"), "4 GiB");
  EXPECT_EQ(readable_figure(512, "B"), "512 B");
  EXPECT_EQ(readable_figure(1536, "B"), "1.5 KiB");
}

TEST(ReadableUnits, MoneyCountsMassAndShares) {
  EXPECT_EQ(readable_figure(74103500, "USD"), "74.1 M USD");
  EXPECT_EQ(readable_figure(2300023.97, "PKR"), "2.3 M PKR");
  EXPECT_EQ(readable_figure(27500, "USD"), "27,500 USD");  // below a million: whole
  EXPECT_EQ(readable_figure(0.0007014214987, "USD"), "0.0007014 USD");
  EXPECT_EQ(readable_figure(12600, "1"), "12,600");
  EXPECT_EQ(readable_figure(2735712, "1"), "2.736 M");
  EXPECT_EQ(readable_figure(1.6, "1", "pue"), "1.6");
  EXPECT_EQ(readable_figure(0.1646686, "1", "network_share"), "16.47 %");
  EXPECT_EQ(readable_figure(0.999776532530964, "1", "busiest_link.utilisation"), "99.98 %");
  EXPECT_EQ(readable_figure(5042.0727, "t"), "5,042 t");
  EXPECT_EQ(readable_figure(1.76114147700859e-06, "t"), "1.761 g");  // x 1e6 g
  EXPECT_EQ(readable_figure(0.16206713, "kg"), "162.1 g");
  EXPECT_EQ(readable_figure(25211700.936, "kWh"), "25.21 GWh");       // x 1e3 Wh
  EXPECT_EQ(readable_figure(55.55339713847019, "degC"), "55.55 \xC2\xB0" "C");
  EXPECT_EQ(readable_figure(22.98, "PKR/kWh"), "22.98 PKR/kWh");
}

// One scale for several values (a chart's axis): all in the largest one's unit.
TEST(ReadableUnits, OneScaleForSeveralValues) {
  const DisplayScale s = display_scale(2771320, "J");
  EXPECT_EQ(s.symbol, "MJ");
  EXPECT_EQ(format_in(2771320, s), "2.771 MJ");
  EXPECT_EQ(format_in(13043.3, s), "0.01304 MJ");
}

}  // namespace
}  // namespace roshni::report
