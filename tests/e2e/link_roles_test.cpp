// Link utilisation by topology role, as `roshni run` writes it: the `role` column of
// links.csv and report.json's links table, report.json's `links_by_role`, one line per
// role in the terminal summary and a per-role table in report.html.
#include <cstdint>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

using nlohmann::json;
using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kScaleUp =
    std::string(ROSHNI_SOURCE_DIR) + "/scenarios/topologies/scale_up_nvl8.json";

// scenarios/topologies/scale_up_nvl8.json with 2 scale-up planes: a 2-tier fat-tree of
// radix k = 16 (8 GPU ports and 8 uplinks per leaf) under 16 GPUs, and 2 domains of 8.
// Physical links by role, from the closed form (docs/topologies.md):
//   host       one per GPU:                            16
//   leaf-spine leaves x uplinks = ceil(16/8) x 8:      16
//   scale-up   GPUs x planes = 16 x 2:                 32
// Ring all-reduce of S = 2^30 B over N = 16 ranks in id order: every ring hop carries
// 2(N-1) chunks of S/N, 30 x 2^26 = 2,013,265,920 B. The 14 hops inside a server each
// cross 2 directed scale-up links (gpu -> nvs -> gpu); the 2 hops between servers
// (gpu7 -> gpu8, gpu15 -> gpu0) each cross 2 host links (up and down) and 2 leaf-spine
// links (up to the spine and down). So
//   host bytes = leaf-spine bytes = 2 x 2 x 2,013,265,920 = 8,053,063,680 B
//   scale-up bytes = 14 x 2 x 2,013,265,920             = 56,371,445,760 B
// All host and leaf-spine links run at 400 Gb/s = 5e10 B/s. A host link carries a whole
// hop, so the busiest host link is one hop's bytes (2,013,265,920 B) over 5e10 B/s x the
// makespan T; the mean over the role's 32 directed links is the role's bytes /
// (32 x 5e10 x T) = that / 8, for host and leaf-spine alike. A leaf's 8 uplinks all go
// to the one spine (docs/topologies.md sizing: 1 spine taking 8 uplinks of each of the
// 2 leaves), and ECMP spreads a hop's 30 chunk flows over them: the busiest leaf-spine
// link carries between ceil(30/8) = 4 and 30 of them.
TEST(LinkRoles, TwoTierFatTreeWithScaleUpByRole) {
  const auto dir = fresh_dir("link-roles");
  const auto r = run_cli("run " + kScaleUp + " --set topology.scale_up.planes=2 -o " +
                         dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(read_file(dir / "report.json"));
  const double t = report["summary"]["makespan"]["value"].get<double>();
  ASSERT_GT(t, 0);

  // links.csv and report.json's links table: a `role` column, the same text.
  std::istringstream csv(read_file(dir / "links.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header,
            "link,from,to,capacity_bytes_per_s,latency_ps,bytes,utilisation,length_m,part,role\r");
  const auto& columns = report["links"]["columns"];
  ASSERT_EQ(columns.back(), "role");
  std::map<std::string, uint64_t> directed;
  std::string line;
  size_t row = 0;
  while (std::getline(csv, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string role = line.substr(line.rfind(',') + 1);
    ASSERT_LT(row, report["links"]["rows"].size());
    EXPECT_EQ(role, report["links"]["rows"][row].back().get<std::string>()) << line;
    ++directed[role];
    ++row;
  }
  EXPECT_EQ(directed, (std::map<std::string, uint64_t>{
                          {"host", 32}, {"leaf-spine", 32}, {"scale-up", 64}}));

  // report.json's links_by_role, one row per role in name order.
  const auto& by_role = report["links_by_role"];
  EXPECT_EQ(by_role["columns"], json::parse(R"(["role", "links", "bytes", "mean_utilisation",
                                                "max_utilisation"])"));
  EXPECT_EQ(by_role["units"], json::parse(R"(["", "1", "B", "1", "1"])"));
  const auto& rows = by_role["rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "host");
  EXPECT_EQ(rows[1][0], "leaf-spine");
  EXPECT_EQ(rows[2][0], "scale-up");
  EXPECT_EQ(rows[0][1].get<uint64_t>(), 16u);
  EXPECT_EQ(rows[1][1].get<uint64_t>(), 16u);
  EXPECT_EQ(rows[2][1].get<uint64_t>(), 32u);
  EXPECT_DOUBLE_EQ(rows[0][2].get<double>(), 8053063680.0);
  EXPECT_DOUBLE_EQ(rows[1][2].get<double>(), 8053063680.0);
  EXPECT_DOUBLE_EQ(rows[2][2].get<double>(), 56371445760.0);
  const double hop_max = 2013265920.0 / (5e10 * t);
  EXPECT_NEAR(rows[0][4].get<double>(), hop_max, 1e-12) << rows[0];
  EXPECT_GE(rows[1][4].get<double>(), hop_max * 4 / 30 - 1e-12) << rows[1];
  EXPECT_LE(rows[1][4].get<double>(), hop_max + 1e-12) << rows[1];
  for (size_t i : {0u, 1u}) {
    EXPECT_NEAR(rows[i][3].get<double>(), hop_max / 8, 1e-12) << rows[i];
  }
  // The scale-up links run at 450 GB/s / 2 planes each.
  EXPECT_NEAR(rows[2][3].get<double>(), 56371445760.0 / (64 * 2.25e11 * t), 1e-12);

  // The terminal: a heading and one line per role with its links.
  EXPECT_NE(r.out.find("  links by role"), std::string::npos) << r.out;
  for (const char* re : {R"(\n    host +16 links +7\.5 GiB +mean +[0-9.]+% +max +[0-9.]+%\n)",
                         R"(\n    leaf-spine +16 links +7\.5 GiB +mean)",
                         R"(\n    scale-up +32 links +52\.5 GiB +mean)"}) {
    EXPECT_TRUE(std::regex_search(r.out, std::regex(re))) << re << "\n" << r.out;
  }

  // report.html: the per-role table in the link section.
  const std::string html = read_file(dir / "report.html");
  EXPECT_NE(html.find("<th>role</th><th>links</th><th>carried</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>leaf-spine</td><td class=\"num\">16</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>scale-up</td><td class=\"num\">32</td>"), std::string::npos);
}

}  // namespace
}  // namespace roshni
