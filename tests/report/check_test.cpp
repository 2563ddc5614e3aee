#include "roshni/report/check.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "roshni/core/error.h"
#include "roshni/core/text.h"

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

// ---- Issue 17.8: gates ----

// Patterns: a dotted name or a prefix ending in "*"; "NAME=TOL" with TOL as --tolerance.
TEST(CheckGate, ParsesPatternsAndToleranceFor) {
  EXPECT_TRUE(pattern_matches("makespan", "makespan"));
  EXPECT_FALSE(pattern_matches("makespan", "makespan_ps"));
  EXPECT_TRUE(pattern_matches("makespan*", "makespan_ps"));
  EXPECT_TRUE(pattern_matches("busiest_link.*", "busiest_link.utilisation"));
  EXPECT_FALSE(pattern_matches("busiest_link.*", "busiest_link"));
  EXPECT_TRUE(pattern_matches("*", "anything"));
  EXPECT_EQ(pattern_error("energy*"), "");
  EXPECT_NE(pattern_error(""), "");
  EXPECT_NE(pattern_error("a*b"), "");
  EXPECT_NE(pattern_error("**"), "");
  const auto t = parse_tolerance_for("busiest_link.utilisation=2%");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->first, "busiest_link.utilisation");
  EXPECT_EQ(t->second, 0.02);
  EXPECT_EQ(parse_tolerance_for("power.*=0.5")->second, 0.5);
  for (const char* bad : {"makespan", "=1%", "a*b=1%", "makespan=fast", "makespan=-1%",
                          "makespan="}) {
    EXPECT_FALSE(parse_tolerance_for(bad).has_value()) << bad;
  }
}

// Default tolerance 1%; makespan +1.5%, busiest_link.utilisation +2%, energy +1.5%,
// energy_cost +3% (0.5 -> 0.515, 10 -> 10.3, hand-computed). With makespan=2%,
// busiest_link.*=3% and energy*=2%: makespan (1.5 <= 2), utilisation (2 <= 3) and energy
// (1.5 <= 2) pass, energy_cost (3 > 2) fails. Adding energy_cost=5% (exact beats the
// prefix) passes it too; "e*=10%" loses to the longer "energy*" for both.
TEST(CheckGate, PerFigureTolerancesMostSpecificWins) {
  const std::vector<Figure> base = {{"makespan", 100, "s"},
                                    {"busiest_link.utilisation", 0.5, "1"},
                                    {"energy", 1000, "J"},
                                    {"energy_cost", 10, "USD"}};
  const std::vector<Figure> now = {{"makespan", 101.5, "s"},
                                   {"busiest_link.utilisation", 0.51, "1"},
                                   {"energy", 1015, "J"},
                                   {"energy_cost", 10.3, "USD"}};
  GateOptions o;
  o.tolerance = 0.01;
  EXPECT_EQ(gate_figures(now, base, o).failed(), 4u);  // all past 1%
  o.tolerance_for = {{"makespan", 0.02}, {"busiest_link.*", 0.03}, {"e*", 0.10}, {"energy*", 0.02}};
  GateResult r = gate_figures(now, base, o);
  ASSERT_EQ(r.figures.size(), 4u);
  EXPECT_EQ(r.figures[0].status, FigureStatus::pass);
  EXPECT_EQ(r.figures[0].tolerance, 0.02);
  EXPECT_EQ(r.figures[1].status, FigureStatus::pass);
  EXPECT_EQ(r.figures[1].tolerance, 0.03);
  EXPECT_EQ(r.figures[2].status, FigureStatus::pass);
  EXPECT_EQ(r.figures[2].tolerance, 0.02);
  EXPECT_EQ(r.figures[3].status, FigureStatus::fail);
  EXPECT_EQ(r.figures[3].tolerance, 0.02);
  EXPECT_EQ(r.failed(), 1u);
  EXPECT_FALSE(r.passed());
  o.tolerance_for.push_back({"energy_cost", 0.05});
  r = gate_figures(now, base, o);
  EXPECT_EQ(r.figures[3].tolerance, 0.05);
  EXPECT_TRUE(r.passed());
  // The exact name beats a prefix as long as itself: "makespan*" names makespan too, but
  // makespan keeps its own 2% (given before or after); makespan_ps gets the prefix's.
  for (const bool exact_first : {true, false}) {
    GateOptions p;
    p.tolerance_for = {{"makespan", 0.02}, {"makespan*", 0.001}};
    if (!exact_first) std::swap(p.tolerance_for[0], p.tolerance_for[1]);
    const auto g = gate_figures({{"makespan", 101.5, "s"}, {"makespan_ps", 1, "ps"}},
                                {{"makespan", 100, "s"}, {"makespan_ps", 1, "ps"}}, p);
    EXPECT_EQ(g.figures[0].tolerance, 0.02) << exact_first;
    EXPECT_EQ(g.figures[1].tolerance, 0.001) << exact_first;
    EXPECT_TRUE(g.passed()) << exact_first;
  }
}

// A pattern that names nothing is an error naming the option; a table column's name
// without --tables says so.
TEST(CheckGate, PatternsThatNameNothingAreErrors) {
  const std::vector<Figure> base = {{"makespan", 1, "s"}, {"busiest_link.bytes", 2, "B"}};
  const std::vector<Figure> now = {{"makespan", 1, "s"}, {"energy", 3, "J"}};
  GateOptions o;
  o.tolerance_for = {{"makespan", 0.1}, {"busiest_link.*", 0.1}};
  o.include = {"energy"};  // a figure of the report only still counts
  EXPECT_NO_THROW(require_patterns_used(o, gate_figures(now, base, o), false));
  o.tolerance_for.push_back({"makespn", 0.1});
  try {
    require_patterns_used(o, gate_figures(now, base, o), false);
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("--tolerance-for makespn: names no figure"),
              std::string::npos)
        << e.what();
  }
  o.tolerance_for.pop_back();
  o.exclude = {"links.bytes"};
  try {
    require_patterns_used(o, gate_figures(now, base, o), false);
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("--exclude links.bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("only with --tables"), std::string::npos) << e.what();
  }
  o.exclude = {"nothing*"};
  EXPECT_THROW(require_patterns_used(o, gate_figures(now, base, o), false), ScenarioError);
}

// An optimisation of the engine: events 232 -> 200 and rate_solves 14 -> 10, every
// result equal. At tolerance 0 the gate passes (engine counters are not gated by
// default) and says so; --include events gates it again (fails: 200 != 232).
// Include/exclude: the most specific pattern decides ("*" excluded, "makespan" included:
// only makespan gated).
TEST(CheckGate, EngineCountersAreNotGatedByDefault) {
  const std::vector<Figure> base = {{"makespan", 1, "s"}, {"events", 232, "1"},
                                    {"rate_solves", 14, "1"}, {"flows", 112, "1"}};
  const std::vector<Figure> now = {{"makespan", 1, "s"}, {"events", 200, "1"},
                                   {"rate_solves", 10, "1"}, {"flows", 112, "1"}};
  GateOptions o;
  GateResult r = gate_figures(now, base, o);
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.gated(), 2u);
  EXPECT_EQ(r.figures[1].status, FigureStatus::excluded);
  EXPECT_EQ(r.figures[1].reason, "engine counter");
  EXPECT_EQ(r.figures[2].status, FigureStatus::excluded);
  const std::string text = format_gate_text(r, o, {"r.json", "b.json", "0"}, false);
  EXPECT_EQ(text,
            "r.json: all 2 figures within 0 of b.json\n"
            "  not gated: engine counters: events, rate_solves (--include NAME gates one)\n");

  o.include = {"events"};
  r = gate_figures(now, base, o);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.gated(), 3u);
  EXPECT_EQ(r.figures[1].status, FigureStatus::fail);
  EXPECT_EQ(r.figures[2].status, FigureStatus::excluded);

  o.include = {"makespan"};
  o.exclude = {"*"};
  r = gate_figures(now, base, o);
  EXPECT_EQ(r.gated(), 1u);
  EXPECT_EQ(r.figures[0].status, FigureStatus::pass);
  EXPECT_EQ(r.figures[3].status, FigureStatus::excluded);
  EXPECT_EQ(r.figures[3].reason, "--exclude *");
  o.include = {"*"};  // brings the counters back; "*" in both lists: equal, so
  o.exclude = {"flows"};  // the exact "flows" wins for flows only
  r = gate_figures(now, base, o);
  EXPECT_EQ(r.gated(), 3u);
  EXPECT_EQ(r.figures[3].status, FigureStatus::excluded);
  EXPECT_EQ(r.failed(), 2u);  // events and rate_solves
}

// JSON: one object per figure with name, unit, baseline, value, change (absolute),
// relative_change (null for a zero baseline), tolerance and status; overall status.
// makespan 100 -> 101.5 at 1%: relative 1.5/100 = 0.015, fail; z 0 -> 0.005: change
// 0.005, relative null, pass (0.005 <= 0.01); gone: missing; events: excluded; extra: new.
TEST(CheckGate, JsonHasEveryFigureAndItsStatus) {
  const std::vector<Figure> base = {{"makespan", 100, "s"}, {"z", 0, "1"}, {"gone", 1, "1"},
                                    {"events", 5, "1"}};
  const std::vector<Figure> now = {{"makespan", 101.5, "s"}, {"z", 0.005, "1"},
                                   {"events", 6, "1"}, {"extra", 3, "B"}};
  GateOptions o;
  o.tolerance = 0.01;
  const GateResult r = gate_figures(now, base, o);
  const Json j = Json::parse(format_gate_json(r, o, {"r.json", "b.json", "1%"}));
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["report"], "r.json");
  EXPECT_EQ(j["baseline"], "b.json");
  EXPECT_EQ(j["tolerance"], 0.01);
  EXPECT_EQ(j["gated"], 3);
  EXPECT_EQ(j["failed"], 2);
  const Json& f = j["figures"];
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0]["name"], "makespan");
  EXPECT_EQ(f[0]["unit"], "s");
  EXPECT_EQ(f[0]["baseline"], 100.0);
  EXPECT_EQ(f[0]["value"], 101.5);
  EXPECT_EQ(f[0]["change"], 1.5);
  EXPECT_EQ(f[0]["relative_change"], 0.015);
  EXPECT_EQ(f[0]["tolerance"], 0.01);
  EXPECT_EQ(f[0]["status"], "fail");
  EXPECT_EQ(f[1]["status"], "pass");
  EXPECT_EQ(f[1]["change"], 0.005);
  EXPECT_TRUE(f[1]["relative_change"].is_null());
  EXPECT_EQ(f[2]["status"], "missing");
  EXPECT_TRUE(f[2]["value"].is_null());
  EXPECT_EQ(f[3]["status"], "excluded");
  EXPECT_EQ(f[3]["reason"], "engine counter");
  EXPECT_EQ(f[4]["name"], "extra");
  EXPECT_EQ(f[4]["status"], "new");
  EXPECT_TRUE(f[4]["baseline"].is_null());
  EXPECT_FALSE(j.contains("tables"));
  EXPECT_EQ(Json::parse(format_gate_json(gate_figures(base, base, o), o, {"a", "b", "1%"}))["status"],
            "pass");
}

/// A minimal XML well-formedness walk: tags balance, attribute values are quoted and hold
/// no raw '<', and every '&' starts an entity. Returns the element names opened, in order.
std::vector<std::string> xml_elements(const std::string& xml) {
  std::vector<std::string> opened, stack;
  const auto entity_ok = [&](size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"}) {
      if (xml.compare(at, std::strlen(e), e) == 0) return true;
    }
    return false;
  };
  size_t i = 0;
  if (xml.starts_with("<?xml")) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      EXPECT_TRUE(entity_ok(i)) << "raw & at " << i;
      ++i;
      continue;
    }
    if (xml[i] != '<') {
      EXPECT_NE(xml[i], '>') << "raw > in text at " << i;
      ++i;
      continue;
    }
    size_t j = i + 1;
    const bool closing = xml[j] == '/';
    if (closing) ++j;
    size_t name_end = j;
    while (name_end < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[name_end])) ||
                                     xml[name_end] == '-' || xml[name_end] == '_')) {
      ++name_end;
    }
    const std::string name = xml.substr(j, name_end - j);
    EXPECT_FALSE(name.empty()) << "tag without a name at " << i;
    size_t k = name_end;
    bool in_value = false;
    while (k < xml.size() && (in_value || xml[k] != '>')) {
      if (xml[k] == '"') in_value = !in_value;
      if (in_value && xml[k] == '<') ADD_FAILURE() << "raw < in an attribute at " << k;
      if (in_value && xml[k] == '&') EXPECT_TRUE(entity_ok(k)) << "raw & in attribute at " << k;
      ++k;
    }
    if (k >= xml.size()) {
      ADD_FAILURE() << "unterminated tag at " << i;
      break;
    }
    const bool self_closing = xml[k - 1] == '/';
    if (closing) {
      EXPECT_FALSE(stack.empty());
      if (!stack.empty()) {
        EXPECT_EQ(stack.back(), name);
        stack.pop_back();
      }
    } else {
      opened.push_back(name);
      if (!self_closing) stack.push_back(name);
    }
    i = k + 1;
  }
  EXPECT_TRUE(stack.empty()) << "unclosed elements";
  return opened;
}

// JUnit XML: one <testsuite name="roshni check">, one <testcase> per gated figure (3:
// the excluded engine counter and the new figure are not test cases), a <failure> for
// each figure past its tolerance (2: the odd name, moved 1 -> 2, and the missing one),
// every name escaped.
TEST(CheckGate, JunitHasATestcasePerGatedFigureAndEscapes) {
  const std::string odd = "a&b<c>\"d\"";
  const std::vector<Figure> base = {{"makespan", 1, "s"}, {odd, 1, "1"}, {"gone", 1, "1"},
                                    {"events", 1, "1"}};
  const std::vector<Figure> now = {{"makespan", 1, "s"}, {odd, 2, "1"}, {"events", 2, "1"},
                                   {"new<", 1, "1"}};
  const GateResult r = gate_figures(now, base, GateOptions{});
  const std::string xml = format_gate_junit(r, {"r&.json", "b.json", "0"});
  const auto elements = xml_elements(xml);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "testsuite"), 1);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "testcase"), 3);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "failure"), 2);
  EXPECT_NE(xml.find("<testsuite name=\"roshni check\" tests=\"3\" failures=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"a&amp;b&lt;c&gt;&quot;d&quot;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("value=\"r&amp;.json\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find(odd), std::string::npos) << xml;
  EXPECT_EQ(xml_escape("x\ny\x01'"), "x&#10;y\\u0001&apos;");
  // A pass: 3 test cases, no failure.
  const auto pass = xml_elements(format_gate_junit(gate_figures(base, base, {}), {"a", "b", "0"}));
  EXPECT_EQ(std::count(pass.begin(), pass.end(), "failure"), 0);
}

/// A report with its tables, as read_report(path, true) gives it.
Json table_report(const char* links_rows, const char* flows_rows) {
  std::string text = R"({"schema": "roshni.report/1", "summary": {"makespan": {"value": 1, "unit": "s"}},
    "links": {"columns": ["link", "from", "to", "capacity", "latency", "bytes", "utilisation", "length", "part"],
              "units": ["", "", "", "B/s", "ps", "B", "1", "m", ""], "rows": )";
  text += links_rows;
  text += "}";
  if (flows_rows != nullptr) {
    text += R"(, "flows": {"columns": ["id", "src", "dst", "size", "start", "end", "kind"],
                "units": ["", "", "", "B", "ps", "ps", ""], "rows": )";
    text += flows_rows;
    text += "}";
  }
  text += "}";
  return parse_report(text, "t.json", true);
}

// Tables compared row by row at 1%, rows matched by "from->to" (the second parallel a->b
// is "a->b#2") and flow id. b->a: bytes 1000 -> 1100 (+10%: 10 tolerances past) and
// part dac -> aoc (text: worst); a->b#2: utilisation 0.8 -> 0.84 (+5%: 5 tolerances);
// a->b: bytes +0.5% passes; the link number is an identifier, not compared (row 2 is
// numbered 7 in the report). b->c is missing from the report, c->d new. The flows table
// of the baseline is missing from the report: it fails too.
TEST(CheckGate, TablesAreComparedRowByRow) {
  const Json base = table_report(R"([[0, "a", "b", 100, 5, 1000, 0.5, 0, "dac"],
      [1, "b", "a", 100, 5, 1000, 0.5, 0, "dac"], [2, "a", "b", 100, 5, 2000, 0.8, 0, "dac"],
      [3, "b", "c", 100, 5, 10, 0.1, 0, "dac"]])",
                                 R"([["f1", "a", "b", 100, 0, 50, "flow"]])");
  const Json now = table_report(R"([[0, "a", "b", 100, 5, 1005, 0.5, 0, "dac"],
      [1, "b", "a", 100, 5, 1100, 0.5, 0, "aoc"], [7, "a", "b", 100, 5, 2000, 0.84, 0, "dac"],
      [4, "c", "d", 100, 5, 10, 0.1, 0, "dac"]])",
                                nullptr);
  GateOptions o;
  o.tolerance = 0.01;
  auto tables = gate_tables(now, "r.json", base, "b.json", o);
  ASSERT_EQ(tables.size(), 2u);
  const TableCheck& links = tables[0];
  EXPECT_EQ(links.name, "links");
  EXPECT_EQ(links.rows, 3u);
  EXPECT_EQ(links.missing_rows, std::vector<std::string>{"b->c"});
  EXPECT_EQ(links.new_rows, std::vector<std::string>{"c->d"});
  ASSERT_EQ(links.fields.size(), 6u);  // capacity, latency, bytes, utilisation, length, part
  EXPECT_EQ(links.fields[0].name, "links.capacity");
  ASSERT_EQ(links.drifts.size(), 3u);
  EXPECT_EQ(links.drifts[0].row, "b->a");
  EXPECT_EQ(links.drifts[0].field, "links.part");
  EXPECT_EQ(links.drifts[1].row, "b->a");
  EXPECT_EQ(links.drifts[1].field, "links.bytes");
  EXPECT_NEAR(links.drifts[1].excess, 10.0, 1e-9);
  EXPECT_EQ(links.drifts[2].row, "a->b#2");
  EXPECT_EQ(links.drifts[2].field, "links.utilisation");
  EXPECT_NEAR(links.drifts[2].excess, 5.0, 1e-9);
  EXPECT_FALSE(links.passed());
  EXPECT_TRUE(tables[1].missing);
  EXPECT_FALSE(tables[1].passed());

  GateResult r = gate_figures({{"makespan", 1, "s"}}, {{"makespan", 1, "s"}}, o);
  r.tables = tables;
  EXPECT_FALSE(r.passed());
  GateText text{"r.json", "b.json", "1%"};
  text.max_rows = 1;
  const std::string out = format_gate_text(r, o, text, true);
  EXPECT_NE(out.find("table links: 3 rows in both; 1 missing from the report (b->c); 1 new in "
                     "the report (c->d)\n"
                     "  3 values moved beyond their tolerance, worst first:\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  b->a  links.part  "), std::string::npos) << out;
  EXPECT_NE(out.find("  and 2 more\n"), std::string::npos) << out;
  EXPECT_NE(out.find("table flows: missing from the report\n"), std::string::npos) << out;
  const auto junit = xml_elements(format_gate_junit(r, text));
  // makespan + links.rows + 6 link columns + flows (missing) = 9, failures: rows, part,
  // bytes, utilisation, flows = 5.
  EXPECT_EQ(std::count(junit.begin(), junit.end(), "testcase"), 9);
  EXPECT_EQ(std::count(junit.begin(), junit.end(), "failure"), 5);
  const Json j = Json::parse(format_gate_json(r, o, text));
  EXPECT_EQ(j["tables"][0]["drifts"].size(), 3u);
  EXPECT_EQ(j["tables"][0]["drifts"][1]["relative_change"], 0.1);
  EXPECT_EQ(j["tables"][1]["status"], "fail");

  // Per-column tolerance and exclusion: links.bytes at 20% and links.part left out
  // leave the utilisation only.
  o.tolerance_for = {{"links.bytes", 0.2}};
  o.exclude = {"links.part"};
  tables = gate_tables(now, "r.json", base, "b.json", o);
  ASSERT_EQ(tables[0].drifts.size(), 1u);
  EXPECT_EQ(tables[0].drifts[0].field, "links.utilisation");
  r.tables = tables;
  EXPECT_NO_THROW(require_patterns_used(o, r, true));

  // A report against itself passes, tables and all.
  EXPECT_TRUE(gate_tables(base, "b.json", base, "b.json", GateOptions{})[0].passed());
  EXPECT_TRUE(gate_tables(base, "b.json", base, "b.json", GateOptions{})[1].passed());
}

// read_report(path, true) keeps the tables that check --tables compares; a table of the
// wrong shape is an error naming its pointer.
TEST(CheckGate, TablesAreReadOnRequestAndValidated) {
  const char* text = R"({"schema": "roshni.report/1", "summary": {},
    "links": {"columns": ["link", "from", "to"], "units": ["", "", ""], "rows": [[0, "a", "b"]]}})";
  EXPECT_TRUE(parse_report(text, "t.json", true).contains("links"));
  EXPECT_FALSE(parse_report(text, "t.json").contains("links"));
  const Json bad = parse_report(R"({"links": {"columns": ["link", "from", "to"],
      "units": ["", "", ""], "rows": [[0, "a"]]}})", "t.json", true);
  try {
    gate_tables(bad, "t.json", bad, "t.json", GateOptions{});
    FAIL() << "expected an error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.pointer(), "/links/rows/0");
  }
  const Json keyless = parse_report(R"({"flows": {"columns": ["size"], "units": ["B"],
      "rows": [[1]]}})", "t.json", true);
  EXPECT_THROW(gate_tables(keyless, "t.json", keyless, "t.json", GateOptions{}), ScenarioError);
}

}  // namespace
}  // namespace roshni::report
