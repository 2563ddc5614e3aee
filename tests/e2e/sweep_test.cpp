// `roshni sweep` as a user calls it: the grid's rows in a fixed order with the ring
// all-reduce closed form at every point, the same bytes whatever the number of threads
// or MPI ranks, and clear errors for bad axes.
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/cli.h"
#include "roshni/core/error.h"
#include "roshni/report/sweep.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::string kAxes = " --axis topology.gpus=4,8,16 --axis 'topology.link.bandwidth=200 Gbps,400 Gbps'";

std::vector<std::vector<std::string>> rows_of(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
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

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Points in order, first axis slowest: (4, 200G), (4, 400G), (8, 200G), ... Values are
// split at commas outside brackets and quotes.
TEST(SweepAxes, PointsInAFixedOrderAndValuesSplitOutsideBrackets) {
  const auto axes = report::parse_axes({"a=1,2,3", "b.c=[1,2],\"x,y\""}, {});
  ASSERT_EQ(axes.size(), 2u);
  EXPECT_EQ(axes[1].values, (std::vector<std::string>{"[1,2]", "\"x,y\""}));
  EXPECT_EQ(report::point_count(axes), 6u);
  EXPECT_EQ(report::point_values(axes, 0), (std::vector<std::string>{"1", "[1,2]"}));
  EXPECT_EQ(report::point_values(axes, 1), (std::vector<std::string>{"1", "\"x,y\""}));
  EXPECT_EQ(report::point_values(axes, 5), (std::vector<std::string>{"3", "\"x,y\""}));
}

// An axis is numeric when every value is a number with one unit text (or none); log
// when all are positive and the largest is more than kLogSpan = 100 times the smallest.
TEST(SweepAxes, NumericWhenEveryValueIsANumberInOneUnit) {
  auto a = report::numeric_axis({"4", "8", " 16 "});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->values, (std::vector<double>{4, 8, 16}));
  EXPECT_EQ(a->unit, "");
  EXPECT_FALSE(a->log);
  a = report::numeric_axis({"200 Gbps", "400 Gbps", "800 Gbps"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->values, (std::vector<double>{200, 400, 800}));
  EXPECT_EQ(a->unit, "Gbps");
  EXPECT_FALSE(report::numeric_axis({"1 KiB", "1 GiB"}));   // two units: categories
  EXPECT_FALSE(report::numeric_axis({"ring", "tree"}));
  EXPECT_FALSE(report::numeric_axis({"[1,2]", "[3,4]"}));
  EXPECT_FALSE(report::numeric_axis({"1", "100"})->log);   // exactly two decades
  EXPECT_TRUE(report::numeric_axis({"1", "101"})->log);
  EXPECT_FALSE(report::numeric_axis({"0", "1000"})->log);  // 0 has no logarithm
  EXPECT_TRUE(report::log_scale({8.4e-6, 35e-3}));
  EXPECT_FALSE(report::log_scale({-1, 1000}));
}

// The ring all-reduce closed form at each point (quickstart: S = 1 GiB, per-hop latency
// L = 2 x 150 ns + 300 ns = 0.6 us): T = 2(N-1)(L + S/(N B)), B = 25e9 or 50e9 B/s.
//   N=4, 200G: 6 (0.6e-6 + 2^30/(4 x 25e9)) = 0.06442810944 s
//   N=16, 400G: 30 (0.6e-6 + 2^30/(16 x 50e9)) = 0.0402833184 s
// and bus bandwidth is the link rate less the latency share: B x t_bw / t.
TEST(Sweep, GridRowsFollowTheClosedForm) {
  const auto dir = fresh_dir("sweep-local");
  const auto r = run_cli("sweep " + kQuickstart + kAxes + " -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("quickstart: 6 points, 6 ok"), std::string::npos) << r.out;
  const auto rows = rows_of(read_file(dir / "sweep.csv"));
  ASSERT_EQ(rows.size(), 7u);
  const auto& h = rows[0];
  EXPECT_EQ(std::vector<std::string>(h.begin(), h.begin() + 6),
            (std::vector<std::string>{"point", "topology.gpus", "topology.link.bandwidth",
                                      "status", "message", "makespan_s"}));
  const size_t t = column(h, "makespan_s");
  const size_t busbw = column(h, "bus_bandwidth_bytes_per_s");
  column(h, "busiest_link.bytes");  // a figure named after its unit gets no suffix
  const double gib = 1073741824.0;
  for (size_t p = 0; p < 6; ++p) {
    const double n = p < 2 ? 4 : p < 4 ? 8 : 16;
    const double b = p % 2 == 0 ? 25e9 : 50e9;
    EXPECT_EQ(rows[1 + p][0], std::to_string(p));
    EXPECT_EQ(rows[1 + p][1], p < 2 ? "4" : p < 4 ? "8" : "16");
    EXPECT_EQ(rows[1 + p][2], p % 2 == 0 ? "200 Gbps" : "400 Gbps");
    EXPECT_EQ(rows[1 + p][3], "ok");
    const double expect = 2 * (n - 1) * (0.6e-6 + gib / (n * b));
    EXPECT_NEAR(std::stod(rows[1 + p][t]), expect, 1e-12) << "point " << p;
    EXPECT_NEAR(std::stod(rows[1 + p][busbw]), 2 * (n - 1) / n * gib / expect, 1e-3);
  }
  const std::string html = read_file(dir / "sweep.html");
  EXPECT_NE(html.find("id=\"plot-makespan\""), std::string::npos);
  EXPECT_NE(html.find("id=\"plot-bus-bandwidth\""), std::string::npos);
  // Two lines (one per bandwidth) of three points in each plot.
  EXPECT_NE(html.find("topology.link.bandwidth=200 Gbps"), std::string::npos);
}

/// The <svg> element of sweep.html with this id, up to its end.
std::string svg_of(const std::string& html, const std::string& id) {
  const auto at = html.rfind("<svg", html.find("id=\"" + id + "\""));
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</svg>", at) - at);
}

/// The x tick labels of a plot (class "x-tick"), in order.
std::vector<std::string> x_ticks(const std::string& svg) {
  std::vector<std::string> out;
  const std::regex re("class=\"x-tick\">([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

/// The x positions of a plot's points (circles), in order.
std::vector<double> point_xs(const std::string& svg) {
  std::vector<double> out;
  const std::regex re("<circle cx=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stod((*it)[1]));
  }
  return out;
}

// Issue 17.13: sweep.html's axes by what the values are. The plot area runs from x = 90
// to 700 (render_lines).
//  - Sizes 1e3, 1e6, 1e9 B span 6 decades (> 2): a log x axis with a tick at each power
//    of ten from 10^3 to 10^9 (past 10^4 written "1e5"), 1e6 in the middle (x = 395). The ring's makespan
//    14 (0.6 us + S/(8 x 5e10 B/s)) goes from 8.435 us to 35.0084 ms, x4150: log y.
//  - Algorithm names: categories evenly spaced (90, 395, 700), labelled with the names;
//    the makespans (ring 37.589 ms, rhd and tree of the same order) stay on a linear y.
//  - GPU counts 4, 8, 16 (x4, under 2 decades): linear x, 8 a third of the way from 4 to
//    16, ticks at round steps (nice_step(12, 6) = 2: 4, 6, ..., 16).
TEST(Sweep, AxesAreLogLinearOrCategorical) {
  const auto dir = fresh_dir("sweep-axes");
  auto r = run_cli("sweep " + kQuickstart +
                   " -q --axis 'workload.size=1000 B,1000000 B,1000000000 B' -o " +
                   (dir / "log").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string svg = svg_of(read_file(dir / "log" / "sweep.html"), "plot-makespan");
  EXPECT_NE(svg.find("data-x-scale=\"log\" data-y-scale=\"log\""), std::string::npos) << svg;
  EXPECT_EQ(x_ticks(svg), (std::vector<std::string>{"1000", "10000", "1e5", "1e6", "1e7", "1e8",
                                                    "1e9"}));
  EXPECT_EQ(point_xs(svg), (std::vector<double>{90, 395, 700}));
  EXPECT_NE(svg.find(">workload.size (B)</text>"), std::string::npos) << svg;

  r = run_cli("sweep " + kQuickstart + " -q --axis workload.algorithm=ring,rhd,tree -o " +
              (dir / "category").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  svg = svg_of(read_file(dir / "category" / "sweep.html"), "plot-makespan");
  EXPECT_NE(svg.find("data-x-scale=\"category\" data-y-scale=\"linear\""), std::string::npos)
      << svg;
  EXPECT_EQ(x_ticks(svg), (std::vector<std::string>{"ring", "rhd", "tree"}));
  EXPECT_EQ(point_xs(svg), (std::vector<double>{90, 395, 700}));

  r = run_cli("sweep " + kQuickstart + " -q --axis topology.gpus=4,8,16 -o " +
              (dir / "linear").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  svg = svg_of(read_file(dir / "linear" / "sweep.html"), "plot-makespan");
  EXPECT_NE(svg.find("data-x-scale=\"linear\""), std::string::npos) << svg;
  EXPECT_EQ(x_ticks(svg),
            (std::vector<std::string>{"4", "6", "8", "10", "12", "14", "16"}));
  const auto xs = point_xs(svg);
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_NEAR(xs[1] - xs[0], (xs[2] - xs[0]) / 3, 0.01);
}

// The rows do not depend on how many points run at once.
TEST(Sweep, SameBytesWhateverTheThreads) {
  const auto a = fresh_dir("sweep-j1"), b = fresh_dir("sweep-j3");
  ASSERT_EQ(run_cli("sweep " + kQuickstart + kAxes + " -q -j 1 -o " + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli("sweep " + kQuickstart + kAxes + " -q -j 3 -o " + b.string()).exit_code, 0);
  EXPECT_EQ(read_file(a / "sweep.csv"), read_file(b / "sweep.csv"));
  EXPECT_EQ(read_file(a / "sweep.html"), read_file(b / "sweep.html"));
}

// Under Open MPI with 2 ranks (points 0, 2, 4 on rank 0; 1, 3, 5 on rank 1; rank 0
// gathers) the CSV is byte for byte the local one.
TEST(Sweep, MpiRunGivesTheLocalCsv) {
#ifndef ROSHNI_HAVE_MPI
  GTEST_SKIP() << "roshni was built without MPI (ROSHNI_MPI off)";
#else
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
  const auto local = fresh_dir("sweep-local-ref"), mpi = fresh_dir("sweep-mpi");
  ASSERT_EQ(run_cli("sweep " + kQuickstart + kAxes + " -q -o " + local.string()).exit_code, 0);
  const std::string cmd = "mpirun --allow-run-as-root --oversubscribe -n 2 " +
                          std::string(ROSHNI_BINARY) + " sweep " + kQuickstart + kAxes +
                          " -o " + mpi.string() + " >" + (mpi / "out").string() + " 2>" +
                          (mpi / "err").string();
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(mpi / "err");
  EXPECT_NE(read_file(mpi / "out").find("6 points, 6 ok (2 MPI ranks)"), std::string::npos)
      << read_file(mpi / "out");
  const std::string csv = read_file(local / "sweep.csv");
  EXPECT_FALSE(csv.empty());
  EXPECT_EQ(read_file(mpi / "sweep.csv"), csv);
#endif
}

// Bad axes: each a clear error (exit 1) naming --axis and what is wrong; no --axis at
// all is a usage error (exit 2).
TEST(Sweep, BadAxesAreClearErrors) {
  const auto dir = fresh_dir("sweep-bad");
  const std::string out = " -o " + dir.string();
  struct Case {
    std::string axes, message;
  };
  const std::vector<Case> cases = {
      {"--axis topology.gpuz=4,8",
       "error: --axis:/topology/gpuz: unknown key 'gpuz', did you mean 'gpus'?"},
      {"--axis topology.gpus=", "error: --axis:/topology/gpus: the axis \"topology.gpus\" has no "
                                "values; give them as topology.gpus=V1,V2,...\n"},
      {"--axis topology.gpus", "error: --axis:/: expected PATH=V1,V2,... (like "
                               "topology.gpus=8,16), got \"topology.gpus\"\n"},
      {"--axis topology.gpus=4,,8",
       "error: --axis:/topology/gpus: value 2 of the axis \"topology.gpus\" is empty\n"},
      {"--axis topology.gpus=4,4", "error: --axis:/topology/gpus: the axis \"topology.gpus\" "
                                   "has the value \"4\" twice\n"},
      {"--axis topology.gpus=4 --axis /topology/gpus=8",
       "error: --axis:/topology/gpus: the axis \"/topology/gpus\" is given twice"},
      {"--axis topology.gpus=4,8 --set topology.gpus=2",
       "error: --axis:/topology/gpus: \"topology.gpus\" is both an axis and set with --set"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli("sweep " + kQuickstart + " " + c.axes + out);
    EXPECT_EQ(r.exit_code, 1) << c.axes;
    EXPECT_EQ(r.err.substr(0, c.message.size()), c.message) << c.axes << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(dir / "sweep.csv"));
  EXPECT_EQ(run_cli("sweep " + kQuickstart + out).exit_code, 2);
}

// A value the scenario refuses at one point: that row says why, the others run, and the
// exit code is 1 after both files are written.
TEST(Sweep, AnInvalidPointIsARowAndAnError) {
  const auto dir = fresh_dir("sweep-invalid");
  const auto r = run_cli("sweep " + kQuickstart + " --axis topology.gpus=4,fast -o " +
                         dir.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: point 1 (topology.gpus=fast): "), std::string::npos) << r.err;
  const auto rows = rows_of(read_file(dir / "sweep.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][2], "ok");
  EXPECT_EQ(rows[2][2], "invalid");
  EXPECT_TRUE(fs::exists(dir / "sweep.html"));
}

// Issue 16.9: the same bad value at the first point as at the second: a row of its
// own, not a refused sweep (before, point 0 was loaded to check the axes and its error
// ended the sweep with no sweep.csv).
TEST(Sweep, AnInvalidFirstPointIsARowToo) {
  const auto dir = fresh_dir("sweep-invalid-first");
  const auto r = run_cli("sweep " + kQuickstart + " --axis topology.gpus=fast,4 -o " +
                         dir.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: point 0 (topology.gpus=fast): "), std::string::npos) << r.err;
  const auto rows = rows_of(read_file(dir / "sweep.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][2], "invalid");
  EXPECT_EQ(rows[2][2], "ok");
  // No point that loads: the sweep is refused as a whole, with the first point's error.
  const auto none = run_cli("sweep " + kQuickstart + " --axis topology.gpus=fast,slow -o " +
                            (dir / "none").string());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("error: --axis:/topology/gpus: "), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(dir / "none" / "sweep.csv"));
}

// Issue 16.9: makespan_ps is an integer in report.json and must be the same digits in
// sweep.csv. A 1 PB all-reduce on 4 GPUs runs 6 (600 ns + 1e15 / (4 x 5e10) s) = 30,000 s,
// 3.0e16 ps: past 2^53, where a double has no unit digit and fmt's shortest form is
// "3.00000000036e+16". The reference is `roshni run`'s report.json of the same point.
TEST(Sweep, MakespanPsIsTheReportsInteger) {
  const auto dir = fresh_dir("sweep-ps");
  const std::string set = " --set 'workload.size=1 PB' --set topology.gpus=4";
  ASSERT_EQ(run_cli("run " + kQuickstart + set + " -q --no-trace -o " + (dir / "run").string())
                .exit_code,
            0);
  const std::string report = read_file(dir / "run" / "report.json");
  const auto at = report.find("\"makespan_ps\": {\"value\": ");
  ASSERT_NE(at, std::string::npos);
  const auto from = at + std::string("\"makespan_ps\": {\"value\": ").size();
  const std::string ps = report.substr(from, report.find(',', from) - from);
  EXPECT_EQ(ps.size(), 17u) << ps;  // 3.0e16: 17 digits
  const auto r = run_cli("sweep " + kQuickstart + set +
                         " --axis 'topology.link.bandwidth=400 Gbps,800 Gbps' -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = rows_of(read_file(dir / "sweep.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][column(rows[0], "makespan_ps")], ps);
}

}  // namespace
}  // namespace roshni
