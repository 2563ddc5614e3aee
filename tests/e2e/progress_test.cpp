// The progress line of `roshni run`: drawn on stderr only (a terminal, or
// ROSHNI_PROGRESS=always), never with -q, erased at the end, and no output byte changes.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "e2e/cli.h"

namespace roshni {
namespace {

using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A ring all-reduce over N = 256 GPUs: 2N(N-1) = 130,560 flows in 2(N-1) = 510 steps.
// Events: N = 256 starts at 0; then per step one end-of-transmission event (the step's N
// flows end together) and, one latency later, N deliveries (which start the next step's
// flows): 256 + 510 x 257 = 131,326 events (as the 8-GPU quickstart's 8 + 14 x 9 = 134),
// and 510 rate solves, far fewer than the 4,096 that also call back. The engine calls
// back at the end of the first timestamp after every 65,536 events: after step j's
// deliveries 256 + 257 j events have run, first >= 65,536 at j = 255 (65,791 events);
// the next call would be due at 65,791 + 65,536 = 131,327 > 131,326. So 1 line, then
// one erase.
TEST(Progress, DrawnEveryChunkOfEventsErasedAndChangesNoFile) {
  const auto a = fresh_dir("progress-on"), b = fresh_dir("progress-off");
  const std::string run = "run " + kQuickstart + " --set topology.gpus=256 --no-trace -o ";
  ::setenv("ROSHNI_PROGRESS", "always", 1);  // inherited by the program run_cli starts
  const auto on = run_cli(run + a.string());
  const auto quiet = run_cli("-q " + run + fresh_dir("progress-quiet").string());
  ::unsetenv("ROSHNI_PROGRESS");
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(count(on.err, "\r\033[K["), 1u) << on.err;
  EXPECT_NE(on.err.find("ETA"), std::string::npos) << on.err;
  EXPECT_NE(on.err.find(" events "), std::string::npos) << on.err;
  EXPECT_NE(on.err.find("% bytes"), std::string::npos) << on.err;
  EXPECT_NE(on.err.find(" solves ("), std::string::npos) << on.err;
  EXPECT_TRUE(on.err.ends_with("\r\033[K")) << on.err;

  const auto off = run_cli(run + b.string());  // stderr is a file: no progress line
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.err, "");
  for (const char* f : {"report.json", "report.html", "links.csv", "flows.csv"}) {
    EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
  }
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
}

}  // namespace
}  // namespace roshni
