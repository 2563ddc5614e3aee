#include "roshni/core/units.h"

#include <gtest/gtest.h>

#include "roshni/core/sim_time.h"
#include "roshni/core/text.h"

namespace roshni {
namespace {

// 1 GiB over 400 Gb/s: 2^30 B * 8 b/B / 4e11 b/s = 0.02147483648 s exactly.
TEST(Units, BytesOverRateIsSeconds) {
  const Duration t = bytes(1073741824.0) / gbps(400);
  EXPECT_DOUBLE_EQ(t.si(), 0.02147483648);
  EXPECT_EQ(to_sim_time_ceil(t).ps(), 21'474'836'480);
}

// 15 pJ/bit at 400 Gb/s is 15e-12 * 4e11 = 6 W.
TEST(Units, EnergyPerBitTimesRateIsPower) {
  EXPECT_DOUBLE_EQ((joules_per_bit(15e-12) * gbps(400)).si(), 6.0);
  EXPECT_DOUBLE_EQ((watts(25) * seconds(2)).si(), 50.0);
}

TEST(SimTime, RoundsUpButForgivesBinaryNoise) {
  // 1.2 us is not representable in binary; it still maps to exactly 1,200,000 ps.
  EXPECT_EQ(to_sim_time_ceil(seconds(1.2e-6)).ps(), 1'200'000);
  // A genuine fraction of a picosecond rounds up: a completion never fires early.
  EXPECT_EQ(to_sim_time_ceil(seconds(10.5e-12)).ps(), 11);
  EXPECT_EQ(to_sim_time_ceil(seconds(0)).ps(), 0);
  EXPECT_EQ(to_sim_time_ceil(seconds(-1)).ps(), 0);
  EXPECT_EQ(to_sim_time_ceil(seconds(1e12)), SimTime::max());
}

// Issue 15.4: a ceiling at every magnitude. 0.4 ps past a whole picosecond is a real
// fraction (not binary noise) at 0.5 ms and at 1 s too: it rounds up, never to nearest.
TEST(SimTime, IsACeilingAboveHalfAMillisecond) {
  EXPECT_EQ(to_sim_time_ceil(seconds(500'000'000.4e-12)).ps(), 500'000'001);
  EXPECT_EQ(to_sim_time_ceil(seconds(1.0000000000004)).ps(), 1'000'000'000'001);
  EXPECT_EQ(to_sim_time_ceil(seconds(0.5e-3)).ps(), 500'000'000);  // still exact
  // 2^30 B at 400 Gb/s, computed as bytes / rate (binary noise included): exact.
  EXPECT_EQ(to_sim_time_ceil(bytes(3.0 * 1073741824.0) / gbps(400)).ps(), 64'424'509'440);
}

TEST(Units, FormatsWithPrefixes) {
  EXPECT_EQ(fmt::format("{}", gbps(400)), "400 Gb/s");
  EXPECT_EQ(fmt::format("{}", bytes(1073741824.0)), "1 GiB");
  EXPECT_EQ(fmt::format("{}", bytes(1536)), "1.5 KiB");
  EXPECT_EQ(fmt::format("{}", seconds(1.2e-6)), "1.2 us");
  EXPECT_EQ(fmt::format("{}", SimTime::ps(21'474'836'480)), "21.4748 ms");
  EXPECT_EQ(fmt::format("{}", watts(25)), "25 W");
  EXPECT_EQ(fmt::format("{}", joules_per_bit(15e-12)), "15 pJ/bit");
}

// Issue 16.9: past the largest prefix, and below the smallest, a figure in a message
// is 4 significant figures with an exponent, not 300 digits ("{:.4f}" of 1e282 EJ).
TEST(Units, FormatsFiguresBeyondThePrefixesShortly) {
  EXPECT_EQ(fmt::format("{}", joules(1e300)), "1e+282 EJ");
  EXPECT_EQ(fmt::format("{}", watts(2.5e30)), "2.5e+12 EW");
  EXPECT_EQ(fmt::format("{}", bytes(1e300)), "8.674e+281 EiB");  // 1e300 / 2^60
  EXPECT_EQ(fmt::format("{}", seconds(1e-30)), "1e-18 ps");  // durations stop at ps
}

TEST(Text, SuggestsNearestName) {
  const std::vector<std::string> keys{"bandwidth", "latency", "reverse_bandwidth"};
  EXPECT_EQ(nearest("bandwdith", keys), "bandwidth");
  EXPECT_EQ(nearest("latncy", keys), "latency");
  EXPECT_EQ(nearest("colour", keys), "");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(quoted_list(keys), "'bandwidth', 'latency' or 'reverse_bandwidth'");
  // Items from the input are escaped; a long list ends "and N more" (issue 16, a fuzz
  // finding: a newline in a listed name made a two-line error).
  const std::vector<std::string> odd{"a\nb"};
  EXPECT_EQ(quoted_list(odd), "'a\\nb'");
  std::vector<std::string> many;
  for (int i = 0; i < 32; ++i) many.push_back("k" + std::to_string(i));
  const std::string l = quoted_list(many);
  EXPECT_NE(l.find("'k29' and 2 more"), std::string::npos) << l;
  EXPECT_EQ(l.find("k30"), std::string::npos) << l;
}

}  // namespace
}  // namespace roshni
