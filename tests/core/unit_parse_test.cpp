// The units module: every unit family, decimal vs binary prefixes, bits vs bytes,
// exactness of decimal inputs, and the wording of each kind of error.
#include "roshni/core/unit_parse.h"

#include <gtest/gtest.h>

#include "roshni/core/sim_time.h"

namespace roshni {
namespace {

using K = QuantityKind;

double value(std::string_view text, QuantityKind kind) {
  auto r = parse_quantity(text, kind);
  if (auto* e = std::get_if<UnitError>(&r)) {
    ADD_FAILURE() << "parsing \"" << text << "\": " << e->message;
    return -1.0;
  }
  return std::get<double>(r);
}

std::string error(std::string_view text, QuantityKind kind) {
  auto r = parse_quantity(text, kind);
  if (auto* e = std::get_if<UnitError>(&r)) return e->message;
  ADD_FAILURE() << "\"" << text << "\" parsed as " << std::get<double>(r);
  return {};
}

// Rates are held in bytes/s. 400 Gb/s is 400e9 bits/s / 8 = 50e9 B/s exactly; 50 GB/s
// is the same rate said in bytes; the kilo prefix may be written k or K.
TEST(UnitParse, BitRatesAndByteRatesMeetInBytesPerSecond) {
  EXPECT_EQ(value("400 Gbps", K::data_rate), 50e9);
  EXPECT_EQ(value("400 Gb/s", K::data_rate), 50e9);
  EXPECT_EQ(value("50 GB/s", K::data_rate), 50e9);
  EXPECT_EQ(value("8 bps", K::data_rate), 1.0);
  EXPECT_EQ(value("8 b/s", K::data_rate), 1.0);
  EXPECT_EQ(value("8 kbps", K::data_rate), 1e3);
  EXPECT_EQ(value("8 Kbps", K::data_rate), 1e3);
  EXPECT_EQ(value("8 Kb/s", K::data_rate), 1e3);
  EXPECT_EQ(value("8 Mbps", K::data_rate), 1e6);
  EXPECT_EQ(value("8 Mb/s", K::data_rate), 1e6);
  EXPECT_EQ(value("1.6 Tbps", K::data_rate), 200e9);
  EXPECT_EQ(value("1 B/s", K::data_rate), 1.0);
  EXPECT_EQ(value("1 kB/s", K::data_rate), 1e3);
  EXPECT_EQ(value("1 KB/s", K::data_rate), 1e3);
  EXPECT_EQ(value("1 MB/s", K::data_rate), 1e6);
  EXPECT_EQ(value("1 TB/s", K::data_rate), 1e12);
  EXPECT_EQ(value("1 KiB/s", K::data_rate), 1024.0);
  EXPECT_EQ(value("1 MiB/s", K::data_rate), 1048576.0);
  EXPECT_EQ(value("1 GiB/s", K::data_rate), 1073741824.0);
  EXPECT_EQ(value("1 TiB/s", K::data_rate), 1099511627776.0);
  // 0.1 Gb/s = 1e8 bit/s = 1.25e7 B/s; exact because the prefix shifts the decimal
  // exponent instead of multiplying by an inexact 0.1.
  EXPECT_EQ(value("0.1 Gbps", K::data_rate), 12.5e6);
}

// Sizes: SI prefixes are powers of 1000, binary ones powers of 1024; b is a bit.
TEST(UnitParse, DataSizesSiBinaryAndBits) {
  EXPECT_EQ(value("1 GiB", K::data_size), 1073741824.0);
  EXPECT_EQ(value("1 GB", K::data_size), 1e9);
  EXPECT_EQ(value("3 B", K::data_size), 3.0);
  EXPECT_EQ(value("3 byte", K::data_size), 3.0);
  EXPECT_EQ(value("3 bytes", K::data_size), 3.0);
  EXPECT_EQ(value("2 kB", K::data_size), 2e3);
  EXPECT_EQ(value("2 KB", K::data_size), 2e3);
  EXPECT_EQ(value("2 MB", K::data_size), 2e6);
  EXPECT_EQ(value("2 TB", K::data_size), 2e12);
  EXPECT_EQ(value("2 PB", K::data_size), 2e15);
  EXPECT_EQ(value("1 KiB", K::data_size), 1024.0);
  EXPECT_EQ(value("1 MiB", K::data_size), 1048576.0);
  EXPECT_EQ(value("1 TiB", K::data_size), 1099511627776.0);
  EXPECT_EQ(value("1 PiB", K::data_size), 1125899906842624.0);
  EXPECT_EQ(value("1.5 KiB", K::data_size), 1536.0);
  EXPECT_EQ(value("16 bit", K::data_size), 2.0);
  EXPECT_EQ(value("16 bits", K::data_size), 2.0);
  EXPECT_EQ(value("16 b", K::data_size), 2.0);
  EXPECT_EQ(value("8 kb", K::data_size), 1e3);
  EXPECT_EQ(value("8 Kb", K::data_size), 1e3);
  EXPECT_EQ(value("8 Mb", K::data_size), 1e6);
  EXPECT_EQ(value("8 Gb", K::data_size), 1e9);
  EXPECT_EQ(value("8 Tb", K::data_size), 1e12);
}

// The number: sign, fraction, exponent, optional spaces (none, several, around).
TEST(UnitParse, NumberGrammar) {
  EXPECT_EQ(value("400Gbps", K::data_rate), 50e9);
  EXPECT_EQ(value("  400   Gbps ", K::data_rate), 50e9);
  EXPECT_EQ(value("4e2 Gbps", K::data_rate), 50e9);
  EXPECT_EQ(value("4E+2 Gbps", K::data_rate), 50e9);
  EXPECT_EQ(value("+1 GiB", K::data_size), 1073741824.0);
  EXPECT_EQ(value(".5 KiB", K::data_size), 512.0);
  EXPECT_EQ(value("1. KiB", K::data_size), 1024.0);
  // Negative values and zero parse; whether they are allowed is the caller's decision.
  EXPECT_EQ(value("-5 ns", K::duration), -5e-9);
  EXPECT_EQ(value("0 s", K::duration), 0.0);
  // Negative zero is plain zero, so a caller's "< 0" test does not need to care.
  EXPECT_FALSE(std::signbit(value("-0 s", K::duration)));
  // Too small to represent rounds to zero rather than failing.
  EXPECT_EQ(value("1e-400 s", K::duration), 0.0);
}

// 1.2 us is 1,200,000 ps; the conversion to picoseconds must not round 1.2e-6 s up to
// 1,200,001 ps because 1.2e-6 has no exact binary form.
TEST(UnitParse, DurationsAndExactPicoseconds) {
  const auto t = parse_as<Duration>("1.2 us", K::duration);
  ASSERT_TRUE(std::holds_alternative<Duration>(t));
  EXPECT_EQ(to_sim_time_ceil(std::get<Duration>(t)).ps(), 1'200'000);
  EXPECT_EQ(to_sim_time_ceil(Duration::from_si(value("150 ns", K::duration))).ps(), 150'000);
  EXPECT_EQ(to_sim_time_ceil(Duration::from_si(value("0.3 ns", K::duration))).ps(), 300);
  EXPECT_EQ(value("7 ps", K::duration), 7e-12);
  EXPECT_EQ(value("3 ns", K::duration), 3e-9);
  EXPECT_EQ(value("3 us", K::duration), 3e-6);
  EXPECT_EQ(value("3 \u00b5s", K::duration), 3e-6);  // micro sign
  EXPECT_EQ(value("3 \u03bcs", K::duration), 3e-6);  // Greek mu
  EXPECT_EQ(value("3 ms", K::duration), 3e-3);
  EXPECT_EQ(value("3 s", K::duration), 3.0);
  EXPECT_EQ(value("2 min", K::duration), 120.0);
  EXPECT_EQ(value("2 h", K::duration), 7200.0);
  EXPECT_EQ(value("2 d", K::duration), 172800.0);
  EXPECT_EQ(value("1 day", K::duration), 86400.0);
  EXPECT_EQ(value("2 days", K::duration), 172800.0);
}

TEST(UnitParse, LengthPowerEnergy) {
  EXPECT_EQ(value("5 mm", K::length), 5e-3);
  EXPECT_EQ(value("5 cm", K::length), 5e-2);
  EXPECT_EQ(value("5 m", K::length), 5.0);
  EXPECT_EQ(value("5 km", K::length), 5e3);
  EXPECT_EQ(value("15 mW", K::power), 15e-3);
  EXPECT_EQ(value("15 W", K::power), 15.0);
  EXPECT_EQ(value("15 kW", K::power), 15e3);
  EXPECT_EQ(value("15 MW", K::power), 15e6);
  EXPECT_EQ(value("1.5 GW", K::power), 1.5e9);
  EXPECT_EQ(value("2 pJ", K::energy), 2e-12);
  EXPECT_EQ(value("2 nJ", K::energy), 2e-9);
  EXPECT_EQ(value("2 uJ", K::energy), 2e-6);
  EXPECT_EQ(value("2 mJ", K::energy), 2e-3);
  EXPECT_EQ(value("2 J", K::energy), 2.0);
  EXPECT_EQ(value("2 kJ", K::energy), 2e3);
  EXPECT_EQ(value("2 MJ", K::energy), 2e6);
  // A watt-hour is 3600 J.
  EXPECT_EQ(value("1 Wh", K::energy), 3600.0);
  EXPECT_EQ(value("1 kWh", K::energy), 3.6e6);
  EXPECT_EQ(value("1 MWh", K::energy), 3.6e9);
  EXPECT_EQ(value("1 GWh", K::energy), 3.6e12);
}

// Energy per bit is held in J/bit; 5 pJ/bit is 5e-12 J/bit, and b means bit here too.
TEST(UnitParse, EnergyPerBit) {
  EXPECT_EQ(value("5 pJ/bit", K::energy_per_bit), 5e-12);
  EXPECT_EQ(value("5 pJ/b", K::energy_per_bit), 5e-12);
  EXPECT_EQ(value("300 fJ/bit", K::energy_per_bit), 300e-15);
  EXPECT_EQ(value("300 fJ/b", K::energy_per_bit), 300e-15);
  EXPECT_EQ(value("1 nJ/bit", K::energy_per_bit), 1e-9);
  EXPECT_EQ(value("1 nJ/b", K::energy_per_bit), 1e-9);
}

// Units are case-sensitive where case carries meaning: Gb is a gigabit, GB a gigabyte.
TEST(UnitParse, CaseDistinguishesBitsFromBytes) {
  EXPECT_EQ(value("1 Gb", K::data_size) * 8, value("1 GB", K::data_size));
  EXPECT_EQ(value("1 Gbps", K::data_rate) * 8, value("1 GB/s", K::data_rate));
}

TEST(UnitParse, MissingUnitSaysWhatWasExpected) {
  EXPECT_EQ(error("400", K::data_rate),
            "expected a data rate with a unit, like \"400 Gbps\", got \"400\"");
  EXPECT_EQ(error("1", K::data_size),
            "expected a data size with a unit, like \"1 GiB\", got \"1\"");
}

TEST(UnitParse, UnknownUnitSuggestsTheNearestOfTheSameKind) {
  EXPECT_EQ(error("400 Gbs", K::data_rate),
            "unknown unit 'Gbs' in \"400 Gbs\", did you mean 'Gbps'?");
  EXPECT_EQ(error("1 GIB", K::data_size), "unknown unit 'GIB' in \"1 GIB\", did you mean 'GiB'?");
  // Nothing close: say what was expected instead.
  EXPECT_EQ(error("3 parsecs", K::length),
            "unknown unit 'parsecs' in \"3 parsecs\"; expected a length like \"3 m\"");
}

TEST(UnitParse, UnitOfAnotherKindNamesBothKinds) {
  EXPECT_EQ(error("1 GiB", K::data_rate),
            "'GiB' is a data size; expected a data rate, like \"400 Gbps\"");
  EXPECT_EQ(error("400 Gbps", K::data_size),
            "'Gbps' is a data rate; expected a data size, like \"1 GiB\"");
  EXPECT_EQ(error("5 m", K::duration), "'m' is a length; expected a duration, like \"1.2 us\"");
  EXPECT_EQ(error("5 W", K::energy), "'W' is a power; expected an energy, like \"2 kWh\"");
}

TEST(UnitParse, NotANumber) {
  EXPECT_EQ(error("fast", K::data_rate), "expected a data rate like \"400 Gbps\", got \"fast\"");
  EXPECT_EQ(error("", K::data_rate), "expected a data rate like \"400 Gbps\", got \"\"");
  EXPECT_EQ(error("Gbps", K::data_rate), "expected a data rate like \"400 Gbps\", got \"Gbps\"");
  EXPECT_EQ(error("- 5 s", K::duration), "expected a duration like \"1.2 us\", got \"- 5 s\"");
  // A second number is not a unit.
  EXPECT_NE(error("1 2 GiB", K::data_size).find("unknown unit '2 GiB'"), std::string::npos);
}

// NaN and infinity are not numbers a scenario can mean; huge values overflow.
TEST(UnitParse, NanInfinityAndOverflow) {
  EXPECT_EQ(error("nan Gbps", K::data_rate),
            "expected a data rate like \"400 Gbps\", got \"nan Gbps\"");
  EXPECT_EQ(error("inf s", K::duration), "expected a duration like \"1.2 us\", got \"inf s\"");
  EXPECT_EQ(error("-inf s", K::duration), "expected a duration like \"1.2 us\", got \"-inf s\"");
  EXPECT_NE(error("1e400 GiB", K::data_size).find("out of range"), std::string::npos);
  // 1e300 fits a double, but 1e300 PiB does not.
  EXPECT_NE(error("1e300 PiB", K::data_size).find("out of range"), std::string::npos);
  EXPECT_NE(error("1e99999999999999999999 B", K::data_size).find("out of range"),
            std::string::npos);
}

// Messages quote what the user wrote on one line, however odd it is.
TEST(UnitParse, MessagesStayOnOneLine) {
  const std::string m = error("4\n00 Gbps", K::data_rate);
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  const std::string long_unit(500, 'x');
  EXPECT_LT(error("1 " + long_unit, K::data_size).size(), 300u);
}

TEST(UnitParse, DescribeAndExampleCoverEveryKind) {
  for (auto k : {K::data_size, K::data_rate, K::duration, K::length, K::power, K::energy,
                 K::energy_per_bit}) {
    // The example of each kind parses as that kind and is positive.
    EXPECT_GT(value(example(k), k), 0.0) << describe(k);
  }
}

}  // namespace
}  // namespace roshni
