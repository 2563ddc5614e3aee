// report.html and `compare --format html` as a browser sees them: loaded in headless
// Chromium (Debian package `chromium`, installed by tools/setup-browser.sh), with no
// console message, and with every chart an SVG element that the browser lays out.
// Skipped (GTEST_SKIP, which ctest reports as skipped) when no chromium is installed.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

// compare --format html of a run with itself: every figure is equal, so no chart
// (issue 17.12: equal figures are a table, not charts); the sections "Figures that
// differ" (none) and "Equal in every run"; no console message.
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
            "charts=0 drawn=0 top=0 cells=0 spans=0 phases=0 lines=0 sections=2");
}

/// A script for the page's text as the browser shows it (innerText: what a person
/// reads, tags and tooltips left out): for each section named, "raw" when its text holds
/// a { or [ (JSON dumped into a cell); for each chart, its id, its data-unit, and "mixed"
/// when a bar's value is not written in that unit.
constexpr const char* kTextProbe = R"(<script>
const out = [];
for (const id of ['energy', 'thermal', 'facility', 'bill_of_materials']) {
  const s = document.getElementById(id);
  if (!s) { out.push(id + ':absent'); continue; }
  out.push(id + ':' + (/[{[]/.test(s.innerText) ? 'raw' : 'clean'));
}
for (const c of document.querySelectorAll('svg.chart')) {
  const unit = c.getAttribute('data-unit');
  let mixed = unit === null || unit === '';
  for (const v of c.querySelectorAll('text.value')) {
    if (unit !== '1' && !v.textContent.endsWith(' ' + unit)) mixed = true;
  }
  out.push(c.id + '[' + unit + ']' + (mixed ? 'mixed' : ''));
}
document.body.setAttribute('data-text', out.join(' '));
document.body.setAttribute('data-shown', document.body.innerText.replace(/\s+/g, ' '));
</script>
)";

struct Shown {
  std::string probe, text;  // kTextProbe's result; the page's visible text
};

Shown shown(const std::string& chromium, const fs::path& page, const fs::path& dir) {
  std::string html = read_file(page);
  html.insert(html.rfind("</body>"), kTextProbe);
  const fs::path probed = dir / "text-probed.html";
  std::ofstream(probed) << html;
  const Loaded l = load(chromium, probed, dir);
  EXPECT_EQ(l.exit_code, 0) << l.log;
  EXPECT_EQ(console_lines(l.log), "");
  Shown out;
  std::smatch m;
  if (std::regex_search(l.dom, m, std::regex("data-text=\"([^\"]*)\""))) out.probe = m[1].str();
  if (std::regex_search(l.dom, m, std::regex("data-shown=\"([^\"]*)\""))) out.text = m[1].str();
  return out;
}

// Issue 17.11 and 17.10, in the browser: the power sections of
// scenarios/energy/throttle_poor_cooling.json (8 H100s, one switch, a facility) show no
// JSON text, and each chart is in one unit: the link charts in % and links, energy by
// class in kJ (the GPUs' ~11.4 kJ is the largest), the bill of materials in USD (two
// priced rows: the GPUs' and the NICs' catalog prices), the timeline in s (a 2.7 s run). The energy total, in
// report.json to the joule's last digit (between 10 and 100 kJ here), reads with four
// significant figures in kJ; its unrounded digits are not shown.
TEST(HtmlInBrowser, PowerSectionsShowReadableTablesAndOneUnitCharts) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-power");
  const std::string scenario =
      std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/throttle_poor_cooling.json";
  ASSERT_EQ(run_cli("run " + scenario + " -q --no-trace -o " + (dir / "p").string()).exit_code, 0);
  const std::string report = read_file(dir / "p" / "report.json");
  const double total = nlohmann::json::parse(report)["energy"]["total"]["value"].get<double>();
  ASSERT_GT(total, 1e4);
  ASSERT_LT(total, 1e5);
  char readable[32], digits[32];
  std::snprintf(readable, sizeof readable, "%.2f kJ", total / 1e3);  // 4 significant figures
  std::snprintf(digits, sizeof digits, "%.0f", std::floor(total));    // the joules, unrounded
  const Shown s = shown(chromium, dir / "p" / "report.html", dir);
  EXPECT_EQ(s.probe,
            "energy:clean thermal:clean facility:clean bill_of_materials:clean "
            "chart-top-links[%] chart-utilisation-histogram[links] chart-link-heatmap[%] "
            "chart-timeline[s] chart-energy-by-class-energy[kJ] "
            "chart-bill-of-materials-unit-price[USD]");
  EXPECT_NE(s.text.find(readable), std::string::npos) << readable;
  EXPECT_EQ(s.text.find(digits), std::string::npos) << digits;
  EXPECT_NE(s.text.find("220,000 USD"), std::string::npos);  // 8 x 27,500 USD priced
}

// The photonic blocks (all-CPO leaf-spine, photonic model, as energy_test.cpp's
// PhotonicBlocksWithLasersSetByTheLinkBudget): a table with a header per column, shares
// in %, energy per bit in pJ/bit, and a chart of energy by block in one unit.
TEST(HtmlInBrowser, PhotonicBlocksAreATable) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-photonic");
  std::ofstream(dir / "s.json") << R"({"extends": ")" << ROSHNI_SOURCE_DIR
                                << R"(/scenarios/physical/all_cpo.json", "energy": {"model": )"
                                << R"("photonic", "accelerator": "h100-sxm", "switches": )"
                                << R"("th5-51t-64x800g"}})";
  ASSERT_EQ(run_cli("run " + (dir / "s.json").string() + " -q --no-trace -o " +
                    (dir / "p").string()).exit_code, 0);
  const Shown s = shown(chromium, dir / "p" / "report.html", dir);
  EXPECT_NE(s.probe.find("energy:clean"), std::string::npos) << s.probe;
  EXPECT_EQ(s.probe.find("mixed"), std::string::npos) << s.probe;
  EXPECT_NE(s.probe.find("chart-energy-photonic-blocks-energy["), std::string::npos) << s.probe;
  EXPECT_NE(s.text.find("block energy share energy per bit"), std::string::npos) << s.text;
  EXPECT_NE(s.text.find(" %"), std::string::npos);
  EXPECT_NE(s.text.find("pJ/bit"), std::string::npos);
}

// Issue 17.12 in the browser: the same workload under poor and good cooling
// (scenarios/energy/throttle_*_cooling.json): the poorly cooled GPUs throttle, so the
// makespan and the energy differ and are charted; the payload is equal (a ring
// all-reduce of 4 GiB on 8 GPUs: each GPU sends 2(N-1)/N x 4 GiB = 7 GiB, 8 x 7 = 56 GiB
// in both): in the "Equal in every run" table, in no chart.
TEST(HtmlInBrowser, CompareHtmlChartsWhatDiffers) {
  const std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (tools/setup-browser.sh)";
  const auto dir = fresh_dir("html-compare-differ");
  const std::string base = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/";
  const auto r = run_cli("compare " + base + "throttle_poor_cooling.json " + base +
                         "throttle_good_cooling.json --format html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ofstream(dir / "compare.html") << r.out;
  const Shown s = shown(chromium, dir / "compare.html", dir);
  EXPECT_NE(s.probe.find("chart-compare-makespan[s]"), std::string::npos) << s.probe;
  EXPECT_NE(s.probe.find("chart-compare-energy["), std::string::npos) << s.probe;
  EXPECT_EQ(s.probe.find("mixed"), std::string::npos) << s.probe;
  EXPECT_EQ(s.probe.find("chart-compare-payload-bytes"), std::string::npos) << s.probe;
  const size_t equal = s.text.find("Equal in every run");
  ASSERT_NE(equal, std::string::npos) << s.text;
  EXPECT_NE(s.text.find("payload_bytes 56 GiB", equal), std::string::npos) << s.text;
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
