#include "roshni/report/json_writer.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "roshni/core/error.h"

namespace roshni::report {
namespace {

// The writer's output parses back (nlohmann_json as the independent reader) to the
// values written, keeps key order, and lays tables out one row per line.
TEST(JsonWriter, WritesParseableDeterministicText) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("schema").value("roshni.report/1");
  w.figure("makespan", 0.0375899, "s");
  w.key("rows").begin_array();
  w.begin_row().value("a\"b").value(int64_t{-3}).value(1.5).value(true).end_array();
  w.begin_row().value("tab\there").value(uint64_t{18446744073709551615ULL}).value(1e300).value(false).end_array();
  w.end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();

  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], "roshni.report/1");
  EXPECT_EQ(j["makespan"]["value"].get<double>(), 0.0375899);
  EXPECT_EQ(j["makespan"]["unit"], "s");
  EXPECT_EQ(j["rows"][0][0], "a\"b");
  EXPECT_EQ(j["rows"][0][1], -3);
  EXPECT_EQ(j["rows"][1][0], "tab\there");
  EXPECT_EQ(j["rows"][1][1].get<uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(j["rows"][1][2].get<double>(), 1e300);
  EXPECT_TRUE(j["empty"].empty());
  // Key order as written (nlohmann's default object would sort them; check the text).
  EXPECT_LT(out.find("\"schema\""), out.find("\"makespan\""));
  EXPECT_NE(out.find("[\"a\\\"b\", -3, 1.5, true]"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
}

// Issue 16.1: a derived figure that overflowed is refused where it would be written,
// naming it, instead of aborting on an assert (or writing "inf", which is not JSON).
TEST(JsonWriter, ANonFiniteFigureIsAnErrorNamingIt) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("energy").begin_object();
  w.figure("it_energy", 1.0, "J");
  try {
    w.figure("facility_cost", std::numeric_limits<double>::infinity(), "USD");
    FAIL() << "no error for infinity";
  } catch (const NonFiniteFigure& e) {
    EXPECT_EQ(e.figure(), "'facility_cost/value'");
    EXPECT_NE(std::string(e.what()).find("came out as inf"), std::string::npos) << e.what();
  }
  std::string out2;
  JsonWriter w2(out2);
  EXPECT_THROW(w2.begin_row().value(std::nan("")), NonFiniteFigure);
}

// Doubles print in the shortest form that reads back exactly: 0.1 is "0.1", not
// "0.10000000000000001"; whole numbers have no fraction.
TEST(JsonWriter, PrintsShortestRoundTripNumbers) {
  std::string out;
  JsonWriter w(out);
  w.begin_row().value(0.1).value(3.0).value(2.5e-12).end_array();
  EXPECT_EQ(out, "[0.1, 3, 2.5e-12]");
}

// fixed_point writes units / 10^decimals exactly, whole values bare and trailing zeros
// dropped; 9223372036854775807 ps (the largest SimTime) has 19 digits, more than a
// double holds, and still comes out exact.
TEST(JsonWriter, WritesFixedPointExactly) {
  std::string out;
  JsonWriter w(out);
  w.begin_row()
      .fixed_point(2684954560, 6)
      .fixed_point(37589363840, 6)
      .fixed_point(5000000, 6)
      .fixed_point(0, 6)
      .fixed_point(7, 6)
      .fixed_point(-1500000, 6)
      .fixed_point(42, 0)
      .fixed_point(9223372036854775807, 6)
      .end_array();
  EXPECT_EQ(out, "[2684.95456, 37589.36384, 5, 0, 0.000007, -1.5, 42, 9223372036854.775807]");
}

}  // namespace
}  // namespace roshni::report
