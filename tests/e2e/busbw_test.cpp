// `roshni busbw` as a user calls it: nccl-tests' columns, one row per size of the sweep,
// busbw equal to the ring's closed form at every size, and clear errors.
#include <cmath>
#include <sstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/cli.h"

namespace roshni {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kDir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/";
const std::string kH100 = kDir + "collectives/h100_node_all_reduce.json";

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// The table's data rows (lines not starting with '#'), split into words.
std::vector<std::vector<std::string>> data_rows(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') rows.push_back(words(line));
  }
  return rows;
}

std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream l(line);
    for (std::string f; std::getline(l, f, ',');) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

// The H100 node (8 GPUs on one NVSwitch: 450 GB/s per direction, alpha = 2 x 20 ns +
// 300 ns = 340 ns), ring all-reduce. A ring step sends a piece of ceil(n/8) bytes (whole
// bytes, docs/collectives.md), one flow per GPU uplink and downlink:
//   t = 14 (alpha + ceil(n/8)/B),  busbw = n/t x 2(p-1)/p = n/t x 14/8.
double h100_ring_busbw(double n) {
  const double t = 14 * (340e-9 + std::ceil(n / 8) / 4.5e11);
  return n / t * 14 / 8;
}

// --min 8 B --max 1 MiB --factor 4: 8, 32, ..., 524288 B (x4 up to 1 MiB): 9 rows.
TEST(Busbw, NcclTestsColumnsOneRowPerSizeAndTheRingClosedForm) {
  const auto dir = fresh_dir("busbw-h100");
  const auto b = run_cli("busbw " + kH100 + " --min '8 B' --max '1 MiB' --factor 4 -j 2 -o " +
                         dir.string());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  for (const char* col : {"size", "count", "type", "redop", "root", "time", "algbw", "busbw",
                          "(B)", "(elements)", "(us)", "(GB/s)"}) {
    EXPECT_NE(b.out.find(col), std::string::npos) << col << "\n" << b.out;
  }
  const auto rows = data_rows(b.out);
  ASSERT_EQ(rows.size(), 9u) << b.out;
  double size = 8;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 8u);
    EXPECT_EQ(std::stod(row[0]), size);
    EXPECT_EQ(std::stod(row[1]), size / 4);  // floats
    EXPECT_EQ(row[2], "float");
    EXPECT_EQ(row[3], "sum");
    EXPECT_EQ(row[4], "-1");
    // busbw in GB/s to 2 decimals, as nccl-tests prints it
    EXPECT_NEAR(std::stod(row[7]), h100_ring_busbw(size) / 1e9,
                0.005 + 5e-3 * h100_ring_busbw(size) / 1e9)
        << size;
    size *= 4;
  }
  const auto csv = csv_rows(read_file(dir / "busbw.csv"));
  ASSERT_EQ(csv.size(), 10u);
  EXPECT_EQ(csv[0], (std::vector<std::string>{"size_bytes", "count", "type", "redop", "root",
                                              "time_us", "algbw_GBps", "busbw_GBps",
                                              "makespan_ps", "algorithm", "protocol"}));
  for (size_t i = 1; i < csv.size(); ++i) {
    const double n = std::stod(csv[i][0]);
    const double expected = h100_ring_busbw(n) / 1e9;
    EXPECT_NEAR(std::stod(csv[i][7]), expected, 5e-3 * expected) << n;
    EXPECT_NEAR(std::stod(csv[i][5]) * 1e6, std::stod(csv[i][8]), 1) << n;  // us vs ps
    EXPECT_NEAR(std::stod(csv[i][6]) * 14 / 8, std::stod(csv[i][7]), 1e-9 * expected);
  }
  const std::string html = read_file(dir / "busbw.html");
  EXPECT_NE(html.find("data-x-scale=\"log\""), std::string::npos);
  EXPECT_NE(html.find("data-y-scale=\"log\""), std::string::npos);
}

// The default sweep, 8 B to 8 GiB by x2: 2^3 .. 2^33, 31 sizes; at 8 GiB the ring is
// bandwidth-bound and busbw is within 0.5 % of the closed form (449.99 GB/s).
// With the NCCL library the tuner picks per size, and busbw.csv says what ran: on the
// validation H100 node ring/LL at 8 B and 1 MiB, NVLS/Simple at 2 MiB and 1 GiB (NCCL's
// own choice on HGX H100, NVIDIA/nccl-tests#309).
TEST(Busbw, CsvSaysWhichAlgorithmAndProtocolRanAtEachSize) {
  const auto dir = fresh_dir("busbw-library");
  const auto r = run_cli("busbw " + kDir + "validation/nccl_dgx_h100.json --min '8 B' --max '1 GiB' "
                         "--factor 2 -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::pair<std::string, std::string>> by_size;
  for (const auto& row : csv_rows(read_file(dir / "busbw.csv"))) {
    if (row.size() == 11) by_size[row[0]] = {row[9], row[10]};
  }
  EXPECT_EQ(by_size["8"], (std::pair<std::string, std::string>{"ring", "LL"}));
  EXPECT_EQ(by_size["1048576"], (std::pair<std::string, std::string>{"ring", "LL"}));
  EXPECT_EQ(by_size["2097152"], (std::pair<std::string, std::string>{"nvls", "Simple"}));
  EXPECT_EQ(by_size["1073741824"], (std::pair<std::string, std::string>{"nvls", "Simple"}));
}

TEST(Busbw, DefaultSweepIs8BTo8GiB) {
  const auto dir = fresh_dir("busbw-default");
  const auto r = run_cli("busbw " + kH100 + " -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = data_rows(r.out);
  ASSERT_EQ(rows.size(), 31u) << r.out;
  EXPECT_EQ(rows.front()[0], "8");
  EXPECT_EQ(rows.back()[0], "8589934592");
  EXPECT_NEAR(std::stod(rows.back()[7]), h100_ring_busbw(8589934592.0) / 1e9,
              5e-3 * h100_ring_busbw(8589934592.0) / 1e9);
}

// all_gather over 8 ranks: nccl-tests' count is per rank (size / 4 / 8) and a size below
// one float per rank (32 B) cannot run: 8 and 16 B are skipped, with the reason; a size
// is rounded down to whole floats per rank (40 B -> 32 B is not in this sweep).
TEST(Busbw, SizesBelowOneFloatPerRankAreSkippedWithTheReason) {
  const auto dir = fresh_dir("busbw-ag");
  const auto r = run_cli("busbw " + kDir + "collectives/all_gather_ring_star.json --min 8 " +
                         "--max '64 B' -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = data_rows(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0][0], "32");
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_EQ(rows[0][3], "none");
  EXPECT_EQ(rows[1][1], "2");
  EXPECT_NE(r.out.find("# 8 B: skipped: less than one 4-byte float per rank"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("# 16 B: skipped"), std::string::npos);
  EXPECT_EQ(csv_rows(read_file(dir / "busbw.csv")).size(), 3u);
}

// A size not a multiple of 4 p is rounded down as nccl-tests does: 100 B over 8 ranks is
// 3 floats per rank, 96 B. Broadcast's root column is the root's rank index.
TEST(Busbw, RoundsDownToWholeFloatsAndPrintsTheRoot) {
  const auto ag = run_cli("busbw " + kDir + "collectives/all_gather_ring_star.json --min 100 " +
                          "--max 100 -o " + fresh_dir("busbw-round").string());
  ASSERT_EQ(ag.exit_code, 0) << ag.err;
  ASSERT_EQ(data_rows(ag.out).size(), 1u);
  EXPECT_EQ(data_rows(ag.out)[0][0], "96");
  EXPECT_EQ(data_rows(ag.out)[0][1], "3");
  const auto bc = run_cli("busbw " + kDir + "collectives/broadcast_pipelined_chain.json " +
                          "--set workload.root=gpu3 --min '1 KiB' --max '1 KiB' -o " +
                          fresh_dir("busbw-bcast").string());
  ASSERT_EQ(bc.exit_code, 0) << bc.err;
  ASSERT_EQ(data_rows(bc.out).size(), 1u);
  EXPECT_EQ(data_rows(bc.out)[0][3], "none");
  EXPECT_EQ(data_rows(bc.out)[0][4], "3");
}

// Not a collective: exit 1, the file and /workload/kind named. Bad sizes: exit 2.
TEST(Busbw, ErrorsNameTheFileAndThePointer) {
  const auto out = " -o " + fresh_dir("busbw-errors").string();
  for (const std::string& file :
       {kDir + "training/llama3_70b.json", kDir + "topologies/full_mesh_8.json"}) {
    const auto r = run_cli("busbw " + file + out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(file + ":/workload/kind"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("one collective"), std::string::npos) << r.err;
  }
  const auto set = run_cli("busbw " + kH100 + " --set 'workload.size=1 MiB'" + out);
  EXPECT_EQ(set.exit_code, 1);
  EXPECT_NE(set.err.find("/workload/size"), std::string::npos) << set.err;
  for (const char* arg : {"--min 'eight B'", "--max '0 B'", "--min '1.5 B'",
                          "--min '1 GiB' --max '1 MiB'", "--factor 1"}) {
    const std::string args = arg;
    const auto r = run_cli("busbw " + kH100 + " " + args + out);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find(args.substr(0, 5)), std::string::npos) << args << ": " << r.err;
  }
  const auto missing = run_cli("busbw " + kDir + "no_such.json" + out);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no_such.json"), std::string::npos);
}

}  // namespace
}  // namespace roshni
