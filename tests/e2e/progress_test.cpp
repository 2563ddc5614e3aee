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

// A ring all-reduce over N = 256 GPUs: 2N(N-1) = 130,560 flows, each a start and a
// delivery event, plus N (as the 8-GPU quickstart's 2 x 112 + 8 = 232): 261,376 events.
// The engine calls back at the first timestamp end after every 65,536 events (a
// timestamp here holds at most 2N = 512 events): after ~65.5k, ~131k and ~197k events,
// and the next would be past 262,144 > 261,376. So 3 lines, then one erase.
TEST(Progress, DrawnEveryChunkOfEventsErasedAndChangesNoFile) {
  const auto a = fresh_dir("progress-on"), b = fresh_dir("progress-off");
  const std::string run = "run " + kQuickstart + " --set topology.gpus=256 --no-trace -o ";
  ::setenv("ROSHNI_PROGRESS", "always", 1);  // inherited by the program run_cli starts
  const auto on = run_cli(run + a.string());
  const auto quiet = run_cli("-q " + run + fresh_dir("progress-quiet").string());
  ::unsetenv("ROSHNI_PROGRESS");
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(count(on.err, "\r\033[K["), 3u) << on.err;
  EXPECT_NE(on.err.find("ETA"), std::string::npos) << on.err;
  EXPECT_NE(on.err.find(" events "), std::string::npos) << on.err;
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
