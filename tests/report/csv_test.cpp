#include "roshni/report/csv.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/tiny_run.h"
#include "roshni/core/error.h"

namespace roshni::report {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find("\r\n", at);
    if (end == std::string::npos) {
      out.push_back(text.substr(at) + "<no CRLF>");
      break;
    }
    out.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  return out;
}

// RFC 4180 section 2: a field with a comma, quote, CR or LF is quoted and its quotes
// doubled; other fields are written bare.
// Issue 16.1: a non-finite number in a table is an error naming its column, not an
// abort (the third field of the second row here).
TEST(Csv, ANonFiniteFieldIsAnErrorNamingItsColumn) {
  std::string out;
  CsvWriter w(out);
  w.field("a").field("b").field("c").end_row();
  w.field(1.0).field(2.0);
  try {
    w.field(-std::numeric_limits<double>::infinity());
    FAIL() << "no error for -infinity";
  } catch (const NonFiniteFigure& e) {
    EXPECT_EQ(e.figure(), "in column 3 of a table");
  }
}

TEST(Csv, QuotesOnlyWhatRfc4180Requires) {
  std::string out;
  CsvWriter w(out);
  w.field("plain").field("a,b").field("say \"hi\"").field("two\nlines").field("cr\r").end_row();
  w.field(int64_t{-3}).field(uint64_t{18446744073709551615ULL}).field(0.1).field(3.0).field("")
      .end_row();
  EXPECT_EQ(out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n"
            "-3,18446744073709551615,0.1,3,\r\n");
}

// flows.csv of the tiny run (tiny_run.h): header with units in the names, one row per
// entry in id order, the label with a comma and quotes quoted; the compute step has
// src = dst = its node and size 0.
TEST(Csv, FlowsTableOfATinyRun) {
  const auto t = testing::tiny_run();
  EXPECT_EQ(lines(flows_csv(t.s, t.r)),
            (std::vector<std::string>{"id,src,dst,size_bytes,start_ps,end_ps,kind",
                                      "a,gpu0,gpu1,1000,0,2000000,flow",
                                      "\"b,\"\"q\"\"\",gpu0,gpu1,2000,1000000,3500000,flow",
                                      "c,gpu0,gpu1,500,2000000,2500000,flow",
                                      "k,gpu1,gpu1,0,500000,1250000,compute"}));
}

// links.csv: capacity 100 Gb/s = 12.5e9 B/s, latency 1000 ps. Links 0 and 3 carried
// 3500 B in a makespan of 3.5 us: utilisation 3500 / (12.5e9 x 3.5e-6) = 0.08; the
// others 0. No placement, no catalog, no generator: length 0, part and role empty.
TEST(Csv, LinksTableOfATinyRun) {
  const auto t = testing::tiny_run();
  const auto rows = lines(links_csv(t.s, t.r));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            "link,from,to,capacity_bytes_per_s,latency_ps,bytes,utilisation,length_m,part,role");
  EXPECT_EQ(rows[2], "1,sw0,gpu0,12500000000,1000,0,0,0,,");
  EXPECT_EQ(rows[3], "2,gpu1,sw0,12500000000,1000,0,0,0,,");
  for (const size_t i : {1u, 4u}) {
    const std::string prefix =
        i == 1 ? "0,gpu0,sw0,12500000000,1000,3500," : "3,sw0,gpu1,12500000000,1000,3500,";
    ASSERT_EQ(rows[i].substr(0, prefix.size()), prefix) << rows[i];
    const std::string rest = rows[i].substr(prefix.size());  // "utilisation,0,,"
    EXPECT_DOUBLE_EQ(std::stod(rest.substr(0, rest.find(','))), 0.08) << rows[i];
    EXPECT_EQ(rest.substr(rest.find(',')), ",0,,") << rows[i];
  }
}

}  // namespace
}  // namespace roshni::report
