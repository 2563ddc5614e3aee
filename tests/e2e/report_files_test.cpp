// What `roshni run` writes next to report.json (flows.csv, links.csv, trace.json), and
// the `check` and `compare` commands as a user calls them: output, errors, exit codes.
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"
#include "report/trace_schema.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::string kBaseline =
    std::string(ROSHNI_SOURCE_DIR) + "/tests/regression/quickstart/baseline.json";

/// CSV text without quoted fields (ours, for the quickstart) to rows of fields.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty() || line.back() != '\r') << "a record must end in CRLF: " << line;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream l(line);
    std::string f;
    while (std::getline(l, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

// The quickstart's tables hold what report.json holds: 112 flows (2N(N-1), N = 8) and
// 16 directed links, row for row, with units in the header names.
TEST(ReportFiles, RunWritesTablesAndTraceNextToTheReport) {
  const auto dir = fresh_dir("files");
  const auto r = run_cli("run " + kQuickstart + " -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tables          " + dir.string() + "/links.csv, " + dir.string() +
                       "/flows.csv"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("trace           " + dir.string() + "/trace.json\n"), std::string::npos)
      << r.out;
  const json report = json::parse(read_file(dir / "report.json"));

  const auto flows = csv_rows(read_file(dir / "flows.csv"));
  ASSERT_EQ(flows.size(), 1u + 112u);
  EXPECT_EQ(flows[0], (std::vector<std::string>{"id", "src", "dst", "size_bytes", "start_ps",
                                                "end_ps", "kind"}));
  for (size_t i = 0; i < 112; ++i) {
    const auto& row = report["flows"]["rows"][i];
    EXPECT_EQ(flows[i + 1][0], row[0].get<std::string>());
    EXPECT_EQ(flows[i + 1][1], row[1].get<std::string>());
    EXPECT_EQ(flows[i + 1][2], row[2].get<std::string>());
    EXPECT_EQ(flows[i + 1][3], "134217728");  // S/N = 2^27 B
    EXPECT_EQ(flows[i + 1][4], std::to_string(row[4].get<int64_t>()));
    EXPECT_EQ(flows[i + 1][5], std::to_string(row[5].get<int64_t>()));
    EXPECT_EQ(flows[i + 1][6], "flow");
  }

  const auto links = csv_rows(read_file(dir / "links.csv"));
  ASSERT_EQ(links.size(), 1u + 16u);
  EXPECT_EQ(links[0], (std::vector<std::string>{"link", "from", "to", "capacity_bytes_per_s",
                                                "latency_ps", "bytes", "utilisation", "length_m",
                                                "part", "role"}));
  for (size_t i = 0; i < 16; ++i) {
    const auto& row = report["links"]["rows"][i];
    EXPECT_EQ(links[i + 1][0], std::to_string(i));
    EXPECT_EQ(links[i + 1][1], row[1].get<std::string>());
    EXPECT_EQ(links[i + 1][3], "50000000000");  // 400 Gb/s
    EXPECT_EQ(links[i + 1][4], "150000");       // 150 ns
    EXPECT_EQ(links[i + 1][5], "1879048192");   // 14 chunks of 2^27 B
    EXPECT_DOUBLE_EQ(std::stod(links[i + 1][6]), row[6].get<double>());
  }
}

// trace.json of the quickstart follows the format's rules (trace_schema.h). Each GPU
// has one track with its 2(N-1) = 14 flows back to back, each slice 600 ns + 2^27 B /
// 5e10 B/s = 2684.95456 us long, the k-th starting at k x 2684.95456 us; its counter
// goes to 1 at 0 and back to 0 at the makespan, 37589.36384 us (a flow ends exactly when
// the GPU's next one starts, so the count never changes in between).
TEST(ReportFiles, TraceOfTheQuickstartFollowsTheFormat) {
  const auto dir = fresh_dir("trace");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + dir.string()).exit_code, 0);
  const json trace = json::parse(read_file(dir / "trace.json"));
  const auto errors = testing::trace_schema_errors(trace);
  EXPECT_TRUE(errors.empty()) << errors.front();

  std::map<int64_t, std::string> track;
  std::map<int64_t, std::vector<json>> slices;
  std::map<std::string, std::vector<json>> counters;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") track[e["tid"]] = e["args"]["name"];
    if (e["ph"] == "X") slices[e["tid"]].push_back(e);
    if (e["ph"] == "C" && e["pid"] == 1) counters[e["name"]].push_back(e);
    if (e["ph"] == "C" && e["pid"] == 2) counters["cluster: " + e["name"].get<std::string>()].push_back(e);
  }
  // The cluster's fabric utilisation: every GPU sends to its ring neighbour, so all 16
  // directed links run at full rate while the 14 steps transmit (100 %), and none after.
  const auto fabric = counters["cluster: fabric utilisation"];
  counters.erase("cluster: fabric utilisation");
  ASSERT_GE(fabric.size(), 2u);
  EXPECT_EQ(fabric.front()["args"]["percent"], 100);
  EXPECT_EQ(fabric.back()["args"]["percent"], 0);
  EXPECT_EQ(fabric.back()["ts"].get<double>(), 37589.36384);
  ASSERT_EQ(track.size(), 8u);
  ASSERT_EQ(slices.size(), 8u);
  const double step = 2684.95456;
  for (const auto& [tid, list] : slices) {
    ASSERT_EQ(list.size(), 14u) << track[tid];
    for (size_t k = 0; k < list.size(); ++k) {
      EXPECT_EQ(list[k]["args"]["src"], track[tid]);
      EXPECT_NEAR(list[k]["ts"].get<double>(), k * step, 1e-6) << track[tid] << " " << k;
      EXPECT_EQ(list[k]["dur"].get<double>(), step) << track[tid] << " " << k;
    }
  }
  ASSERT_EQ(counters.size(), 8u);
  for (const auto& [gpu, list] : counters) {
    ASSERT_EQ(list.size(), 2u) << gpu;
    EXPECT_EQ(list[0]["ts"], 0);
    EXPECT_EQ(list[0]["args"]["flows in flight"], 1);
    EXPECT_EQ(list[1]["ts"].get<double>(), 37589.36384);
    EXPECT_EQ(list[1]["args"]["flows in flight"], 0);
  }
  EXPECT_EQ(trace["otherData"]["flows_left_out"], 0);
}

// The tables and the trace are as deterministic as the report: the same bytes for the
// same scenario and seed, whatever the log level.
TEST(ReportFiles, SameRunSameBytes) {
  const auto a = fresh_dir("same-a"), b = fresh_dir("same-b");
  ASSERT_EQ(run_cli("run " + kQuickstart + " --seed 3 -q -o " + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run " + kQuickstart + " --seed 3 -vv -o " + b.string()).exit_code, 0);
  for (const char* f : {"report.json", "report.html", "flows.csv", "links.csv", "trace.json"}) {
    EXPECT_FALSE(read_file(a / f).empty()) << f;
    EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
  }
}

// -q prints nothing; --no-trace writes no trace and removes one left by an earlier run
// (it would not match the new report); per_flow = false also drops flows.csv.
TEST(ReportFiles, QuietNoTraceAndNoPerFlowTables) {
  const auto dir = fresh_dir("no-trace");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -o " + dir.string()).exit_code, 0);
  ASSERT_TRUE(fs::exists(dir / "trace.json"));
  const auto q = run_cli("run " + kQuickstart + " -q --no-trace --set report.per_flow=false -o " +
                         dir.string());
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "");
  EXPECT_EQ(q.err, "");
  EXPECT_FALSE(fs::exists(dir / "trace.json"));
  EXPECT_FALSE(fs::exists(dir / "flows.csv"));
  EXPECT_TRUE(fs::exists(dir / "links.csv"));
  const auto loud = run_cli("run " + kQuickstart + " --no-trace --set report.per_flow=false -o " +
                            dir.string());
  EXPECT_EQ(loud.out.find("trace.json"), std::string::npos) << loud.out;
  EXPECT_NE(loud.out.find("no flows.csv: report.per_flow is false"), std::string::npos)
      << loud.out;
}

// Past 100,000 flows report.json keeps no per-flow table unless asked (issue 19, item 4):
// an all-to-all over 317 GPUs is 317 x 316 = 100,172 flows. flows.csv has every row
// (a header and 100,172 rows), the summary and the terminal say where they are.
TEST(ReportFiles, LargeRunsKeepPerFlowRowsInFlowsCsvOnly) {
  const auto dir = fresh_dir("flow-rows");
  const std::string scenario = (dir / "a2a.json").string();
  {
    std::ofstream(scenario) << R"({"topology": {"kind": "star", "gpus": 317, "link": {"bandwidth": "400 Gbps"}},
                                   "workload": {"kind": "all_to_all", "size": "317 MB"}})";
  }
  const auto r = run_cli("run " + scenario + " --no-trace -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("per-flow rows only there"), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_FALSE(report.contains("flows"));
  EXPECT_EQ(report["summary"]["flow_rows"], "flows.csv");
  const std::string csv = read_file(dir / "out" / "flows.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 100'173);
  // Asked for, the table is back.
  const auto asked = run_cli("run " + scenario + " -q --no-trace --set report.per_flow=true -o " +
                             (dir / "out").string());
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  const auto full = nlohmann::json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(full["flows"]["rows"].size(), 100'172u);
  EXPECT_FALSE(full["summary"].contains("flow_rows"));
}

// check's errors: a missing file and malformed JSON name the file (exit 1); a baseline
// of another schema version names both versions (exit 1); a tolerance that is not a
// number or a percentage and a missing --baseline are usage errors (exit 2).
TEST(ReportFiles, CheckErrorsAndExitCodes) {
  const auto dir = fresh_dir("check-errors");
  const std::string missing = (dir / "missing.json").string();
  auto r = run_cli("check " + missing + " --baseline " + kBaseline);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: " + missing + ":/: cannot read the file (missing or unreadable)\n");

  std::ofstream(dir / "bad.json") << "{\"schema\": \"roshni.report/1\",\n \"summary\": {,}}";
  r = run_cli("check " + (dir / "bad.json").string() + " --baseline " + kBaseline);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + (dir / "bad.json").string() +
                       ":/: malformed JSON: parse error at line 2, column 14"),
            std::string::npos)
      << r.err;

  std::string old = read_file(kBaseline);
  old.replace(old.find("roshni.report/1"), 15, "roshni.report/0");
  std::ofstream(dir / "old.json") << old;
  r = run_cli("check " + kBaseline + " --baseline " + (dir / "old.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + (dir / "old.json").string() +
                       ":/schema: the baseline's schema is \"roshni.report/0\" but " + kBaseline +
                       " has \"roshni.report/1\""),
            std::string::npos)
      << r.err;

  EXPECT_EQ(run_cli("check " + kBaseline + " --baseline " + kBaseline + " --tolerance fast")
                .exit_code,
            2);
  EXPECT_EQ(run_cli("check " + kBaseline + " --baseline " + kBaseline + " --tolerance -1%")
                .exit_code,
            2);
  EXPECT_EQ(run_cli("check " + kBaseline).exit_code, 2);
  // "1%" and "0.01" both work; a report always passes against itself at tolerance 0.
  EXPECT_EQ(run_cli("check " + kBaseline + " --baseline " + kBaseline + " --tolerance 1%")
                .exit_code,
            0);
  EXPECT_EQ(run_cli("check " + kBaseline + " --baseline " + kBaseline + " --tolerance 0.01")
                .exit_code,
            0);
  r = run_cli("check " + kBaseline + " --baseline " + kBaseline + " -q");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

// compare of the quickstart's baseline report and the quickstart scenario itself (run
// in memory): the same run, so all 13 ratios are 1. Columns are labelled by file name
// ("baseline", "quickstart").
TEST(ReportFiles, CompareReportsAndScenarios) {
  auto r = run_cli("compare " + kBaseline + " " + kQuickstart);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ratios are to the first run, baseline\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("37.5894 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("49.9888 GB/s"), std::string::npos) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);  // the note
  std::getline(lines, line);  // the header
  size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_EQ(line.substr(line.size() - 6), "1.0000") << line;
  }
  EXPECT_EQ(rows, 13u);

  // A 16-GPU quickstart in markdown and csv: makespan 30 (600 ns + 2^26 B / 5e10 B/s)
  // = 40.2833184 ms against 37.58936384 ms, ratio 1.07167.
  const auto dir = fresh_dir("compare");
  ASSERT_EQ(run_cli("run " + kQuickstart + " --set topology.gpus=16 -q --no-trace -o " +
                    (dir / "q16").string())
                .exit_code,
            0);
  const std::string q16 = (dir / "q16" / "report.json").string();
  r = run_cli("compare " + kQuickstart + " " + q16 + " --format markdown");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| figure | quickstart | q16 | ratio |\n|:---|---:|---:|---:|\n"
                       "| makespan | 37.5894 ms | 40.2833 ms | 1.0717 |\n"),
            std::string::npos)
      << r.out;
  r = run_cli("compare " + kQuickstart + " " + q16 + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find("\r\n")), "figure,unit,quickstart,q16,q16/quickstart");

  EXPECT_EQ(run_cli("compare " + kQuickstart + " --format pdf").exit_code, 2);
  EXPECT_EQ(run_cli("compare").exit_code, 2);
  EXPECT_EQ(run_cli("compare " + (dir / "none.json").string()).exit_code, 1);
}


// Issue 16.6: a baseline nested 30,000 levels deep crashed `check` and `compare`
// (SIGSEGV); a figure of 1e999, past the largest double, ended them with exit 4. Both
// are invalid input now: exit 1, the file and the JSON pointer named.
TEST(ReportFiles, DeepOrOutOfRangeReportsAreInvalidInput) {
  const auto dir = fresh_dir("check-deep");
  const std::string deep = (dir / "deep.json").string();
  {
    std::ofstream f(deep);
    f << R"({"schema": "roshni.report/1", "summary": )";
    for (int i = 0; i < 30000; ++i) f << R"({"a": )";
    f << "1";
    for (int i = 0; i < 30000; ++i) f << "}";
    f << "}";
  }
  auto r = run_cli("check " + kBaseline + " --baseline " + deep);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("error: " + deep + ":/summary/a/a/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nested deeper than 64 levels"), std::string::npos) << r.err;
  r = run_cli("compare " + kBaseline + " " + deep);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("nested deeper than 64 levels"), std::string::npos) << r.err;

  std::string huge = read_file(kBaseline);
  const std::string makespan = R"("makespan": {"value": )";
  const size_t at = huge.find(makespan) + makespan.size();
  huge.replace(at, huge.find(',', at) - at, "1e999");
  const std::string big = (dir / "big.json").string();
  std::ofstream(big) << huge;
  r = run_cli("check " + kBaseline + " --baseline " + big);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("error: " + big + ":/summary/makespan/value: the number 1e999 is out of "
                       "the range of a double"),
            std::string::npos)
      << r.err;
}

// Issue 16.9: what a command prints on stdout going to a full device (/dev/full) was
// lost with exit 0. The failed write is an error now: exit 4 and the reason on stderr.
TEST(ReportFiles, OutputToAFullDeviceIsAnError) {
  const auto dir = fresh_dir("dev-full");
  const std::vector<std::string> commands = {
      "compare " + kBaseline + " " + kBaseline,
      "check " + kBaseline + " --baseline " + kBaseline,
      "topo " + kQuickstart + " --no-bisection",
      "validate " + kQuickstart,
      "--help",
  };
  for (const auto& c : commands) {
    const std::string cmd = std::string(ROSHNI_BINARY) + " " + c + " >/dev/full 2>" +
                            (dir / "err").string();
    const int status = std::system(cmd.c_str());
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 4) << c;
    EXPECT_NE(read_file(dir / "err").find("cannot write the output to stdout: No space left"),
              std::string::npos)
        << c << ": " << read_file(dir / "err");
  }
}

// Issue 16.1: one run that cannot be read or run leaves its column empty and names
// itself on stderr; the others are still compared, and the exit code is the failure's.
// Before, the first bad run ended `compare` with no table at all.
TEST(ReportFiles, CompareGoesOnPastABadRun) {
  const auto dir = fresh_dir("compare-bad");
  const auto bad = dir / "bad.json";
  std::ofstream(bad) << R"({"topology": {"kind": "star", "gpus": 4,
      "link": {"bandwidth": "1e300 bps"}}, "workload": {"kind": "all_reduce", "size": "1 GiB"}})";
  const auto r = run_cli("compare " + kBaseline + " " + bad.string() + " " + kQuickstart);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + bad.string() + ":/topology/link/bandwidth: a data rate of at "
                       "most 10 Pb/s"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("its column is left empty"), std::string::npos) << r.err;
  // The two good runs are the quickstart: 37.5894 ms each (a ring all-reduce of 1 GiB on 8
  // GPUs: 14 (600 ns + 2^27 B / 5e10 B/s)), with the bad run's column "-" between them.
  const auto row = r.out.find("\nmakespan ");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row + 1, r.out.find('\n', row + 1) - row - 1);
  const auto first = line.find("37.5894 ms");
  ASSERT_NE(first, std::string::npos) << line;
  const auto second = line.find("37.5894 ms", first + 1);
  ASSERT_NE(second, std::string::npos) << line;
  EXPECT_NE(line.substr(first, second - first).find(" - "), std::string::npos) << line;
  // Every run bad: no table, exit 1.
  const auto all_bad = run_cli("compare " + bad.string() + " " + bad.string());
  EXPECT_EQ(all_bad.exit_code, 1);
  EXPECT_TRUE(all_bad.out.empty()) << all_bad.out;
}

// Issue 17.13: `compare --set` applies the same overrides to every scenario compared (a
// report.json is a finished run: compared as it is, with a warning). Two scenarios at
// --set topology.gpus=16: makespan 30 (600 ns + 2^26 B / 5e10 B/s) = 40.2833184 ms
// each, where the file's 8 GPUs give 14 (600 ns + 2^27 B / 5e10 B/s) = 37.5894 ms. An
// error about a key the --set brings names --set, not the scenario file.
TEST(ReportFiles, CompareSetAppliesToEveryScenario) {
  const std::string two = "compare " + kQuickstart + " " + kQuickstart;
  auto r = run_cli(two + " --set topology.gpus=16 --set workload.size='1 GiB'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row = r.out.find("\nmakespan ");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row + 1, r.out.find('\n', row + 1) - row - 1);
  const auto first = line.find("40.2833 ms");
  ASSERT_NE(first, std::string::npos) << line;
  EXPECT_NE(line.find("40.2833 ms", first + 1), std::string::npos) << line;
  EXPECT_EQ(line.find("37.5894 ms"), std::string::npos) << line;

  // A report is compared as written; the scenario next to it takes the --set.
  r = run_cli("compare " + kBaseline + " " + kQuickstart + " --set topology.gpus=16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: " + kBaseline + " is a report: --set does not change it"),
            std::string::npos)
      << r.err;
  const auto mrow = r.out.find("\nmakespan ");
  ASSERT_NE(mrow, std::string::npos) << r.out;
  const std::string mline = r.out.substr(mrow + 1, r.out.find('\n', mrow + 1) - mrow - 1);
  EXPECT_NE(mline.find("37.5894 ms"), std::string::npos) << mline;
  EXPECT_NE(mline.find("40.2833 ms"), std::string::npos) << mline;

  r = run_cli(two + " --set topology.gpuz=16");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("error: --set:/topology/gpuz: unknown key 'gpuz', did you mean 'gpus'?"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(kQuickstart + ":/topology/gpuz"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(run_cli(two + " --set nonsense").exit_code, 1);
}

// Issue 17.9: report.json must not depend on how the scenario's path was typed. The same
// file named four ways from one working directory (absolute, relative, "./" relative, and
// through "sub/.."): the same bytes, its "file" the relative path.
TEST(ReportFiles, ReportDoesNotDependOnHowThePathIsTyped) {
  const auto dir = fresh_dir("typed-path");
  fs::create_directories(dir / "sub");
  fs::copy_file(kQuickstart, dir / "q.json");
  const fs::path rel = fs::relative(dir / "q.json", fs::current_path());
  const std::vector<std::string> typings = {
      (dir / "q.json").string(), rel.string(), "./" + rel.string(),
      (rel.parent_path() / "sub" / ".." / "q.json").string()};
  std::string first;
  for (size_t i = 0; i < typings.size(); ++i) {
    const auto out = dir / ("out" + std::to_string(i));
    ASSERT_EQ(run_cli("run " + typings[i] + " -q --no-trace -o " + out.string()).exit_code, 0)
        << typings[i];
    const std::string report = read_file(out / "report.json");
    if (i == 0) {
      first = report;
      EXPECT_EQ(json::parse(report)["scenario"]["file"], rel.generic_string());
    } else {
      EXPECT_EQ(report, first) << "typed as " << typings[i];
    }
  }
}

// Issue 17.8: a directory where a report is expected is invalid input with a hint (the
// report.json a run wrote into it), and a baseline figure without its unit is an error,
// not a figure silently left unchecked.
TEST(ReportFiles, DirectoriesAndUnitlessFiguresAreInvalidInput) {
  const auto dir = fresh_dir("check-dir");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q --no-trace -o " + (dir / "run").string()).exit_code, 0);
  auto r = run_cli("check " + (dir / "run").string() + " --baseline " + kBaseline);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("a directory, not a report; did you mean " + (dir / "run" / "report.json").string() + "?"),
            std::string::npos)
      << r.err;
  std::string text = read_file(kBaseline);
  const std::string unit = R"(, "unit": "s"})";
  const size_t at = text.find(R"("makespan": {"value": )");
  ASSERT_NE(at, std::string::npos);
  text.erase(text.find(unit, at), unit.size() - 1);  // keeps the closing brace
  const auto bad = dir / "unitless.json";
  std::ofstream(bad) << text;
  r = run_cli("check " + kBaseline + " --baseline " + bad.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(bad.string() + ":/summary/makespan: a figure needs a \"unit\""),
            std::string::npos)
      << r.err;
}

/// The quickstart baseline with `edit` applied, written to `dir`/`name`.
template <typename Edit>
std::string edited_baseline(const fs::path& dir, const std::string& name, Edit edit) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(read_file(kBaseline));
  edit(j);
  std::ofstream(dir / name) << j.dump(1);
  return (dir / name).string();
}

// Issue 17.8: per-figure tolerances and engine counters. The edited report: makespan
// x1.015 (+1.5%), events 232 -> 200, rate_solves 14 -> 10 (an engine optimisation). At
// --tolerance 1% makespan fails (1 of the 11 gated figures: 13 less the 2 engine
// counters); makespan=2% passes it; at tolerance 0 with makespan=2% everything else is
// equal and the counters are not gated: exit 0; --include events brings it back: exit 5.
TEST(ReportFiles, CheckPerFigureTolerancesAndEngineCounters) {
  const auto dir = fresh_dir("check-gates");
  const std::string now = edited_baseline(dir, "now.json", [](auto& j) {
    auto& s = j["summary"];
    s["makespan"]["value"] = s["makespan"]["value"].template get<double>() * 1.015;
    s["events"]["value"] = 200;
    s["rate_solves"]["value"] = 10;
  });
  const std::string args = "check " + now + " --baseline " + kBaseline;
  auto r = run_cli(args + " --tolerance 1%");
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("1 of 11 figures moved beyond the tolerance of 1%"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("not gated: engine counters: events, rate_solves"), std::string::npos)
      << r.out;
  r = run_cli(args + " --tolerance 1% --tolerance-for makespan=2%");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("all 11 figures within their tolerances (default 1%)"), std::string::npos)
      << r.out;
  r = run_cli(args + " --tolerance-for makespan=0.02");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_cli(args + " --tolerance-for makespan=0.02 --include events");
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("events"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("makespan "), std::string::npos) << r.out;
  // Excluding makespan (and its twin by prefix) passes at tolerance 0.
  EXPECT_EQ(run_cli(args + " --exclude 'makespan*'").exit_code, 0);
  EXPECT_EQ(run_cli(args + " --exclude '*' --include makespan").exit_code, 5);
}

// Every bad option is a clear error: malformed NAME=TOL, a "*" inside a name, an unknown
// format and the same name twice are usage errors (2); a name that matches no figure is
// invalid input (1) naming the option.
TEST(ReportFiles, CheckGateOptionErrors) {
  const std::string args = "check " + kBaseline + " --baseline " + kBaseline;
  for (const char* bad : {" --tolerance-for makespan", " --tolerance-for makespan=fast",
                          " --tolerance-for 'a*b=1%'", " --include 'a*b'", " --exclude ''",
                          " --format xml", " --tolerance-for makespan=1% --tolerance-for makespan=2%",
                          " --include makespan --exclude makespan"}) {
    const auto r = run_cli(args + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << bad;
  }
  auto r = run_cli(args + " --tolerance-for makespn=1%");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("error: --tolerance-for makespn: names no figure"), std::string::npos)
      << r.err;
  r = run_cli(args + " --exclude links.bytes");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("only with --tables"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli(args + " --exclude links.bytes --tables").exit_code, 0);
}

// --format json and junit: the makespan +1.5% report at 1%. JSON: status fail, makespan
// fail with relative change 0.015 (to rounding), events excluded. JUnit: 11 test cases
// (the gated figures), 1 failure.
TEST(ReportFiles, CheckJsonAndJunitOutput) {
  const auto dir = fresh_dir("check-formats");
  const std::string now = edited_baseline(dir, "now.json", [](auto& j) {
    auto& m = j["summary"]["makespan"]["value"];
    m = m.template get<double>() * 1.015;
  });
  const std::string args = "check " + now + " --baseline " + kBaseline + " --tolerance 1%";
  auto r = run_cli(args + " --format json");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["gated"], 11);
  EXPECT_EQ(j["figures"].size(), 13u);
  EXPECT_EQ(j["figures"][0]["name"], "makespan");
  EXPECT_EQ(j["figures"][0]["status"], "fail");
  EXPECT_NEAR(j["figures"][0]["relative_change"].get<double>(), 0.015, 1e-12);
  EXPECT_EQ(j["figures"][1]["status"], "pass");
  // makespan_ps as the report wrote it: an integer, digit for digit.
  EXPECT_TRUE(j["figures"][1]["baseline"].is_number_integer());
  EXPECT_EQ(j["figures"][1]["baseline"], 37589363840);
  for (const auto& f : j["figures"]) {
    if (f["name"] == "events" || f["name"] == "rate_solves") EXPECT_EQ(f["status"], "excluded");
  }
  r = run_cli(args + " --format junit -q");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_TRUE(r.out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"roshni check\" tests=\"11\" failures=\"1\""))
      << r.out;
  size_t cases = 0, failures = 0;
  for (size_t at = r.out.find("<testcase "); at != std::string::npos;
       at = r.out.find("<testcase ", at + 1)) {
    ++cases;
  }
  for (size_t at = r.out.find("<failure "); at != std::string::npos;
       at = r.out.find("<failure ", at + 1)) {
    ++failures;
  }
  EXPECT_EQ(cases, 11u);
  EXPECT_EQ(failures, 1u);
  EXPECT_TRUE(r.out.ends_with("</testsuite>\n")) << r.out;
  // A pass is exit 0 with status pass.
  r = run_cli("check " + kBaseline + " --baseline " + kBaseline + " --format json");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(json::parse(r.out)["status"], "pass");
}

// --tables: the baseline with link 0's bytes doubled and the last flow dropped. Without
// --tables the summary is the same: exit 0. With it: exit 5, link gpu0->leaf0's bytes
// +100% and the flow missing from the report, by their keys.
TEST(ReportFiles, CheckComparesTablesOnRequest) {
  const auto dir = fresh_dir("check-tables");
  const json base = json::parse(read_file(kBaseline));
  const std::string last_flow = base["flows"]["rows"].back()[0];
  const std::string now = edited_baseline(dir, "now.json", [](auto& j) {
    auto& row = j["links"]["rows"][0];
    row[5] = row[5].template get<int64_t>() * 2;
    j["flows"]["rows"].erase(j["flows"]["rows"].size() - 1);
  });
  const std::string args = "check " + now + " --baseline " + kBaseline;
  EXPECT_EQ(run_cli(args).exit_code, 0);
  auto r = run_cli(args + " --tables");
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("table links: 16 rows in both; 0 missing from the report; 0 new in the "
                       "report\n  1 value moved beyond their tolerance, worst first:\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("gpu0->leaf0  links.bytes  B     1879048192  3758096384   +100%"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("table flows: 111 rows in both; 1 missing from the report (" + last_flow +
                       "); 0 new in the report\n"),
            std::string::npos)
      << r.out;
  // The row's change allowed: links.bytes at 100%, flows left out by prefix.
  r = run_cli(args + " --tables --tolerance-for links.bytes=100% --exclude 'flows.*'");
  EXPECT_EQ(r.exit_code, 5) << r.out;  // a missing row fails whatever its columns
  r = run_cli(args + " --tables --tolerance-for links.bytes=100% --format json");
  const json j = json::parse(r.out);
  EXPECT_EQ(j["tables"][0]["status"], "pass");
  EXPECT_EQ(j["tables"][1]["missing_rows"], json::array({last_flow}));
  // The baseline against itself passes with its tables.
  EXPECT_EQ(run_cli("check " + kBaseline + " --baseline " + kBaseline + " --tables").exit_code, 0);
}

}  // namespace
}  // namespace roshni
