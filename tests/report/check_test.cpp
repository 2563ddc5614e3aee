#include "roshni/report/check.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "roshni/core/error.h"

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

// "1%" and "0.01" are the same tolerance; spaces are allowed around the number and the
// percent sign; negatives, non-numbers and trailing junk are refused.
TEST(Check, ParsesTolerances) {
  EXPECT_EQ(parse_tolerance("1%"), 0.01);
  EXPECT_EQ(parse_tolerance("0.01"), 0.01);
  EXPECT_EQ(parse_tolerance(" 2.5 % "), 0.025);
  EXPECT_EQ(parse_tolerance("1e-9"), 1e-9);
  EXPECT_EQ(parse_tolerance("0"), 0.0);
  for (const char* bad : {"", "%", "-1%", "x", "1%%", "1 2", "inf", "nan", "0.01x"}) {
    EXPECT_FALSE(parse_tolerance(bad).has_value()) << bad;
  }
}

// Every {"value", "unit"} under "summary", at any depth, in document order, named by
// its dotted path; strings and objects of other shapes are not figures.
TEST(Check, FindsFiguresAtAnyDepth) {
  const Json report = Json::parse(R"({"schema": "roshni.report/1", "summary": {
    "makespan": {"value": 0.5, "unit": "s"},
    "busiest_link": {"name": "gpu0->sw0", "bytes": {"value": 10, "unit": "B"},
                     "deeper": {"utilisation": {"value": 0.25, "unit": "1"}}},
    "by_part": {"dac": {"links": 3, "power": 1.5, "unit": "W"}},
    "events": {"value": 7, "unit": "1"}}})");
  const auto f = summary_figures(report, "r.json");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].name, "makespan");
  EXPECT_EQ(f[0].value, 0.5);
  EXPECT_EQ(f[0].unit, "s");
  EXPECT_EQ(f[1].name, "busiest_link.bytes");
  EXPECT_EQ(f[2].name, "busiest_link.deeper.utilisation");
  EXPECT_EQ(f[2].value, 0.25);
  EXPECT_EQ(f[3].name, "events");
}

TEST(Check, BadFiguresNameFileAndPointer) {
  try {
    summary_figures(Json::parse(R"({"summary": {"a/b": {"x": {"value": "1 s", "unit": "s"}}}})"),
                    "r.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "r.json:/summary/a~1b/x/value: expected a number, got \"1 s\"");
  }
  EXPECT_THROW(summary_figures(Json::parse(R"({"schema": "roshni.report/1"})"), "r.json"),
               ScenarioError);
  EXPECT_THROW(summary_figures(Json::parse(R"({"summary": {"a": {"value": 1, "unit": 2}}})"),
                               "r.json"),
               ScenarioError);
}

// Tolerance 1%: 100 -> 100.9 passes (0.9%), 100 -> 101.5 fails (+1.5%); 0 -> 0.005
// passes (absolute 0.005 <= 0.01), 0 -> 0.02 fails; a unit change fails whatever the
// value; a missing figure fails; a figure only in the report is listed, not failed.
TEST(Check, RelativeForNonZeroAbsoluteForZeroBaselines) {
  const std::vector<Figure> base = {{"a", 100, "s"}, {"b", 100, "s"}, {"z1", 0, "1"},
                                    {"z2", 0, "1"},  {"u", 5, "B"},   {"gone", 1, "1"}};
  const std::vector<Figure> now = {{"a", 100.9, "s"}, {"b", 101.5, "s"}, {"z1", 0.005, "1"},
                                   {"z2", 0.02, "1"}, {"u", 5, "MB"},    {"extra", 3, "1"}};
  const CheckResult r = check_figures(now, base, 0.01);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.compared, 6u);
  ASSERT_EQ(r.drifts.size(), 4u);
  EXPECT_EQ(r.drifts[0].name, "b");
  EXPECT_EQ(r.drifts[1].name, "z2");
  EXPECT_EQ(r.drifts[2].name, "u");
  EXPECT_EQ(r.drifts[2].now_unit, "MB");
  EXPECT_EQ(r.drifts[3].name, "gone");
  EXPECT_FALSE(r.drifts[3].now.has_value());
  EXPECT_EQ(r.new_figures, std::vector<std::string>{"extra"});

  // Tolerance 0 means equal; the same figures always pass.
  EXPECT_TRUE(check_figures(base, base, 0).passed());
  EXPECT_FALSE(check_figures({{"a", std::nextafter(100.0, 200.0), "s"}}, {{"a", 100, "s"}}, 0)
                   .passed());
}

// The drift table: one row per drift with baseline and now in full precision, the
// change in percent (absolute for a zero baseline), and what happened to the unit.
// Columns are as wide as their widest cell ("missing", "unit B -> MB"), two spaces
// apart; names and units left-aligned, numbers right-aligned.
TEST(Check, FormatsTheDrifts) {
  EXPECT_EQ(format_change(37.58936384, 75.17032768), "+99.98%");
  EXPECT_EQ(format_change(200, 100), "-50%");
  EXPECT_EQ(format_change(0, 3), "abs +3");
  const CheckResult r = check_figures({{"makespan", 0.075, "s"}, {"u", 1, "MB"}},
                                      {{"makespan", 0.0375, "s"}, {"u", 1, "B"}, {"gone", 2, "1"}},
                                      0.01);
  EXPECT_EQ(format_drifts(r),
            "figure    unit  baseline      now        change\n"
            "makespan  s       0.0375    0.075         +100%\n"
            "u         B            1     1 MB  unit B -> MB\n"
            "gone      1            2  missing             -\n");
}

// Same schema passes; a different version names both; a file that is not a report is
// refused at its own /schema.
TEST(Check, SchemasMustMatch) {
  const Json v1 = Json::parse(R"({"schema": "roshni.report/1", "summary": {}})");
  const Json v2 = Json::parse(R"({"schema": "roshni.report/2", "summary": {}})");
  const Json scenario = Json::parse(R"({"schema": 1, "topology": {}})");
  EXPECT_NO_THROW(require_same_schema(v1, "now.json", v1, "base.json"));
  try {
    require_same_schema(v1, "now.json", v2, "base.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "base.json");
    EXPECT_EQ(e.pointer(), "/schema");
    EXPECT_NE(e.message().find("\"roshni.report/2\""), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("\"roshni.report/1\""), std::string::npos) << e.what();
  }
  try {
    require_same_schema(scenario, "s.json", v1, "base.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "s.json");
    EXPECT_EQ(e.pointer(), "/schema");
  }
  EXPECT_TRUE(is_report(v1));
  EXPECT_FALSE(is_report(scenario));
}

// read_report keeps the summary and drops the per-link and per-flow tables; a missing
// file and malformed JSON are errors that name the file (and line and column).
TEST(Check, ReadsReportsWithoutTheirTables) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("roshni-check-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto write = [&dir](const char* name, const char* text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const std::string ok = write("ok.json", R"({"schema": "roshni.report/1",
    "summary": {"makespan": {"value": 1, "unit": "s"}},
    "links": {"rows": [[0, "a", "b"]]}, "flows": {"rows": [[1]]}})");
  const Json j = read_report(ok);
  EXPECT_TRUE(j.contains("summary"));
  EXPECT_FALSE(j.contains("links"));
  EXPECT_FALSE(j.contains("flows"));
  EXPECT_EQ(j.begin().key(), "schema");  // document order kept

  const std::string bad = write("bad.json", "{\n  \"schema\": \"roshni.report/1\",\n  }");
  try {
    read_report(bad);
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), bad);
    EXPECT_NE(e.message().find("malformed JSON: parse error at line 3, column 3"),
              std::string::npos)
        << e.what();
  }
  try {
    read_report((dir / "missing.json").string());
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(e.message().find("cannot read"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}


// Issue 16.6: a report nested 30,000 levels deep crashed `check` (the recursive walks of
// the tree overflowed the stack). Reading stops at kMaxReportDepth levels: the error names
// the file and the pointer of the first container past the limit, here /summary/a/a/...
// with kMaxReportDepth - 1 "a"s (the root is level 1, "summary" level 2).
TEST(Check, DeepReportsAreRefusedNotCrashed) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("roshni-check-deep-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "deep.json";
  {
    std::ofstream f(path);
    f << R"({"schema": "roshni.report/1", "summary": )";
    for (int i = 0; i < 30000; ++i) f << R"({"a": )";
    f << "1";
    for (int i = 0; i < 30000; ++i) f << "}";
    f << "}";
  }
  std::string expected_pointer = "/summary";
  for (size_t i = 0; i + 1 < kMaxReportDepth; ++i) expected_pointer += "/a";
  try {
    read_report(path.string());
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.pointer(), expected_pointer);
    EXPECT_NE(e.message().find("nested deeper than"), std::string::npos) << e.what();
  }
  // At the limit itself the report is read: the root, "summary" and 62 levels of "a".
  {
    std::ofstream f(path, std::ios::trunc);
    f << R"({"schema": "roshni.report/1", "summary": )";
    for (size_t i = 2; i < kMaxReportDepth; ++i) f << R"({"a": )";
    f << "1";
    for (size_t i = 2; i < kMaxReportDepth; ++i) f << "}";
    f << "}";
  }
  EXPECT_NO_THROW(read_report(path.string()));
  // An array nested as deep: the pointer counts array indices.
  const std::string arrays = std::string(30000, '[') + std::string(30000, ']');
  try {
    parse_report(arrays, "arrays.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "arrays.json");
    std::string zeros;
    for (size_t i = 0; i < kMaxReportDepth; ++i) zeros += "/0";  // 64 open arrays
    EXPECT_EQ(e.pointer(), zeros);
  }
  fs::remove_all(dir);
}

// Issue 16.6: a number past the largest double (1.8e308) in a baseline ended `check` with
// an unexpected failure (exit 4). It is an input error naming the file and the pointer of
// the number, in objects, in arrays and in the skipped tables alike.
TEST(Check, NumbersPastTheDoubleRangeNameTheirPointer) {
  const auto pointer_of = [](const std::string& text) -> std::string {
    try {
      parse_report(text, "base.json");
    } catch (const ScenarioError& e) {
      EXPECT_EQ(e.file(), "base.json");
      EXPECT_NE(e.message().find("out of the range of a double"), std::string::npos) << e.what();
      return e.pointer();
    }
    return "(no error)";
  };
  EXPECT_EQ(pointer_of(R"({"schema": "roshni.report/1", "summary": {"makespan": {"value": 1e999, "unit": "s"}}})"),
            "/summary/makespan/value");
  EXPECT_EQ(pointer_of(R"({"summary": {"x": [1, 2, [3, -1e400]]}})"), "/summary/x/2/1");
  EXPECT_EQ(pointer_of(R"({"links": {"rows": [[0, 1], [2, 1e309]]}})"), "/links/rows/1/1");
  EXPECT_EQ(pointer_of("1" + std::string(400, '0')), "");
  // A number written with 400 digits is shown shortened in the message.
  try {
    parse_report(R"({"a": 1)" + std::string(400, '0') + "}", "base.json");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_LT(e.message().size(), 200u) << e.what();
  }
  // The largest double itself is a number like any other.
  EXPECT_NO_THROW(parse_report(R"({"a": 1.7976931348623157e308})", "base.json"));
}

// Found by the report fuzzer (issue 16): 60 levels of 90-character keys made of '/'
// (each written "~1" in a pointer, so 181 bytes a level) put a 10,900-byte pointer into a
// one-line error. The message cuts the middle of the pointer (about 480 bytes kept);
// pointer() keeps it whole for callers.
TEST(Check, LongPointersAreCutInMessages) {
  const std::string key(90, '/');
  std::string text = R"({"schema": "roshni.report/1", "summary": )";
  for (int i = 0; i < 60; ++i) text += "{\"" + key + "\": ";
  text += R"({"value": "x", "unit": "s"})";
  for (int i = 0; i < 60; ++i) text += "}";
  text += "}";
  try {
    summary_figures(parse_report(text, "r.json"), "r.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.pointer().size(), std::string("/summary").size() + 60 * 181 + std::string("/value").size());
    EXPECT_LT(std::string(e.what()).size(), 700u) << e.what();
    EXPECT_NE(std::string(e.what()).find("~1..."), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/value: expected a number"), std::string::npos) << e.what();
  }
}

// Found by the report fuzzer (issue 16): a key holding a newline ("g\nerator") put the
// newline into the pointer of a one-line error. Messages escape it; pointer() keeps it.
TEST(Check, ControlCharactersInPointersAreEscapedInMessages) {
  const std::string text = R"({"schema": "roshni.report/1", "summary": {"g\nx": {"value": 1e999, "unit": "s"}}})";
  try {
    parse_report(text, "r.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.pointer(), "/summary/g\nx/value");
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("r.json:/summary/g\\u000ax/value: "), std::string::npos) << what;
  }
}

// Found by the third report fuzz campaign (issue 16): a 4 KB "schema" was printed whole
// in "not a roshni report". It is quoted and cut like any input now.
TEST(Check, LongSchemasAreCutInMessages) {
  const auto good = parse_report(R"({"schema": "roshni.report/1", "summary": {}})", "a.json");
  const auto bad = parse_report(R"({"schema": ")" + std::string(4000, ',') + R"("})", "b.json");
  try {
    require_same_schema(bad, "b.json", good, "a.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a roshni report"), std::string::npos);
  }
}

// The parser's message quotes the token it last read; a 5 KB string with a control
// character in it made a 5 KB error line (found by CI's report fuzz run, 19 executions).
TEST(Check, MalformedJsonMessagesAreOneShortLine) {
  const std::string text = "{\"schema\": \"" + std::string(5000, 'x') + "\x0f\"}";
  try {
    parse_report(text, "c.json");
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 600u) << what.substr(0, 600);
    EXPECT_EQ(what.find('\n'), std::string::npos);
    EXPECT_EQ(what.find('\x0f'), std::string::npos);
    EXPECT_NE(what.find("malformed JSON"), std::string::npos);
    EXPECT_NE(what.find("line 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace roshni::report
