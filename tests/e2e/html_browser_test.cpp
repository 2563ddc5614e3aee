// report.html and `compare --format html` as a browser sees them: loaded in headless
// Chromium (Debian package `chromium`, installed by tools/setup-browser.sh), with no
// console message, and with every chart an SVG element that the browser lays out.
// Skipped (GTEST_SKIP, which ctest reports as skipped) when no chromium is installed.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";

/// The browser: ROSHNI_CHROMIUM if set ("none" to skip these tests), else the Debian one.
std::string chromium_path() {
  if (const char* env = std::getenv("ROSHNI_CHROMIUM")) {
    return std::string(env) == "none" ? "" : env;
  }
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

struct Loaded {
  int exit_code = -1;
  std::string dom, log;
};

/// Loads `file` in headless Chromium (no network, a throwaway profile) and returns the
/// DOM after the page ran, and Chromium's log, where console messages appear as
/// "INFO:CONSOLE...".
Loaded load(const std::string& chromium, const fs::path& file, const fs::path& dir) {
  const fs::path profile = dir / "profile";
  fs::create_directories(profile);
  const std::string cmd =
      "timeout 120 " + chromium +
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-component-update --disable-sync --no-first-run --enable-logging=stderr"
      " --v=0 --user-data-dir=" + profile.string() + " --dump-dom 'file://" + file.string() +
      "' >" + (dir / "dom").string() + " 2>" + (dir / "log").string();
  const int status = std::system(cmd.c_str());
  Loaded l;
  l.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  l.dom = read_file(dir / "dom");
  l.log = read_file(dir / "log");
  return l;
}

std::string console_lines(const std::string& log) {
  std::string out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(":CONSOLE") != std::string::npos) out += line + "\n";
  }
  return out;
}

/// A script appended to a copy of the page: measures, in the browser, how many charts
/// are SVG elements with a laid-out size, and counts the marks of each chart. The
/// result goes into an attribute of <body>, which --dump-dom prints.
constexpr const char* kProbe = R"(<script>
const charts = document.querySelectorAll('svg.chart');
let drawn = 0;
for (const c of charts) {
  const b = c.getBBox();
  if (c.namespaceURI === 'http://www.w3.org/2000/svg' && b.width > 0 && b.height > 0) ++drawn;
}
const count = (sel) => document.querySelectorAll(sel).length;
document.body.setAttribute('data-probe', [
  'charts=' + charts.length, 'drawn=' + drawn,
  'top=' + count('#chart-top-links rect'), 'cells=' + count('#chart-link-heatmap rect.cell'),
  'spans=' + count('#chart-timeline rect.span'), 'phases=' + count('#chart-timeline rect.phase'),
  'lines=' + count('polyline.series'), 'sections=' + count('section')].join(' '));
</script>
)";

std::string probe(const std::string& chromium, const fs::path& page, const fs::path& dir) {
  std::string html = read_file(page);
  html.insert(html.rfind("</body>"), kProbe);
  const fs::path probed = dir / "probed.html";
  std::ofstream(probed) << html;
  const Loaded l = load(chromium, probed, dir);
  EXPECT_EQ(l.exit_code, 0) << l.log;
  std::smatch m;
  const std::regex attr("data-probe=\"([^\"]*)\"");
  return std::regex_search(l.dom, m, attr) ? m[1].str() : "no probe result";
}

// The check itself bites: a page with a script error and a console.error is reported.
TEST(HtmlInBrowser, ConsoleCheckSeesErrors) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-console");
  std::ofstream(dir / "bad.html")
      << "<!DOCTYPE html><html><body><script>console.error('boom'); nope();</script></body></html>";
  const Loaded l = load(chromium, dir / "bad.html", dir);
  EXPECT_NE(console_lines(l.log).find("boom"), std::string::npos) << l.log;
  EXPECT_NE(console_lines(l.log).find("nope is not defined"), std::string::npos) << l.log;
}

// The quickstart (ring all-reduce, 8 GPUs on one switch, 2(N-1) = 14 steps) in the
// browser: no console message; the four charts are SVG with a size; the top-links chart
// has a bar for each of the 16 directed links (each carries 14 x 128 MiB); the heatmap
// a cell per directed link (16); the timeline a merged bar per GPU (8: a GPU's steps
// follow each other after 0.6 us, far less than half a pixel, 37.6 ms / 800 / 2) and
// phase lanes of 1 collective + 14 steps = 15.
TEST(HtmlInBrowser, RunReportRendersItsCharts) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-run");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + (dir / "q").string()).exit_code, 0);
  const fs::path page = dir / "q" / "report.html";
  const Loaded l = load(chromium, page, dir);
  ASSERT_EQ(l.exit_code, 0) << l.log;
  EXPECT_EQ(console_lines(l.log), "");
  for (const char* id : {"id=\"summary\"", "id=\"links\"", "id=\"timeline\"",
                         "id=\"chart-top-links\"", "id=\"chart-utilisation-histogram\"",
                         "id=\"chart-link-heatmap\"", "id=\"chart-timeline\""}) {
    EXPECT_NE(l.dom.find(id), std::string::npos) << id;
  }
  EXPECT_EQ(probe(chromium, page, dir),
            "charts=4 drawn=4 top=16 cells=16 spans=8 phases=15 lines=0 sections=3");
}

// compare --format html: one bar chart per headline figure present (makespan, bus
// bandwidth, payload, busiest-link utilisation: 4) and the table; no console message.
TEST(HtmlInBrowser, CompareHtmlRendersItsCharts) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-compare");
  const auto r = run_cli("compare " + kQuickstart + " " + kQuickstart + " --format html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ofstream(dir / "compare.html") << r.out;
  const Loaded l = load(chromium, dir / "compare.html", dir);
  ASSERT_EQ(l.exit_code, 0) << l.log;
  EXPECT_EQ(console_lines(l.log), "");
  EXPECT_EQ(probe(chromium, dir / "compare.html", dir),
            "charts=4 drawn=4 top=0 cells=0 spans=0 phases=0 lines=0 sections=2");
}

// sweep.html of 3 GPU counts x 2 link rates: a plot for each of makespan, bus bandwidth
// and busiest-link utilisation (the quickstart has no link_power), 2 lines in each (one
// per link rate): 3 charts, 6 lines; no console message.
TEST(HtmlInBrowser, SweepHtmlRendersItsPlots) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-sweep");
  const auto r = run_cli("sweep " + kQuickstart + " -q --axis topology.gpus=4,8,16 --axis "
                         "'topology.link.bandwidth=200 Gbps,400 Gbps' -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Loaded l = load(chromium, dir / "sweep.html", dir);
  ASSERT_EQ(l.exit_code, 0) << l.log;
  EXPECT_EQ(console_lines(l.log), "");
  EXPECT_EQ(probe(chromium, dir / "sweep.html", dir),
            "charts=3 drawn=3 top=0 cells=0 spans=0 phases=0 lines=6 sections=2");
}

}  // namespace
}  // namespace roshni
