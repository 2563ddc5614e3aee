// Issue 16.4: the files of `roshni run -o DIR` are one unit. A run writes them into a
// private staging directory and renames them into DIR together with a marker
// (.roshni-run.json) naming each file with its size and inode; it removes only files an
// earlier run's marker names; a failed, interrupted or concurrent run never leaves a
// temporary file or half a set. (include/roshni/report/run_output.h states the promise.)
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::fresh_dir;
using testing::read_file;
using testing::run_cli;

const std::string kQuickstart = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::vector<std::string> kOutputNames = {"report.json", "report.html",    "links.csv",
                                               "flows.csv",   "trace.json",     "components.csv",
                                               "racks.csv"};

/// Names in `dir` that start with "." other than the marker: temporary files.
std::vector<std::string> hidden_leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with(".") && n != ".roshni-run.json") out.push_back(n);
  }
  return out;
}

/// The marker's run id when `dir` holds exactly one run's complete set: every file the
/// marker names is there with the marker's size and inode, and every other output name
/// in `dir` is in `others` (files the test put there itself). nullopt otherwise.
std::optional<std::string> consistent_run(const fs::path& dir,
                                          const std::set<std::string>& others = {}) {
  if (!fs::exists(dir / ".roshni-run.json")) return std::nullopt;
  const json m = json::parse(read_file(dir / ".roshni-run.json"));
  std::set<std::string> listed;
  for (const auto& f : m["files"]) {
    const std::string name = f["name"];
    struct stat st {};
    if (::lstat((dir / name).c_str(), &st) != 0) return std::nullopt;
    if (static_cast<uint64_t>(st.st_ino) != f["inode"].get<uint64_t>()) return std::nullopt;
    if (static_cast<uint64_t>(st.st_size) != f["bytes"].get<uint64_t>()) return std::nullopt;
    listed.insert(name);
  }
  for (const auto& n : kOutputNames) {
    if (fs::exists(dir / n) && !listed.count(n) && !others.count(n)) return std::nullopt;
  }
  return m["run_id"].get<std::string>();
}

/// Starts `roshni ARGS...` with its output thrown away; returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string bin = ROSHNI_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

// per_flow false and --no-trace: a flows.csv and a trace.json that no run wrote (the
// user's own) stay, with a warning; the same names written by an earlier run go; one
// the user replaced after that run (same size, another inode) stays.
TEST(OutputDir, OnlyFilesOfEarlierRunsAreRemoved) {
  const auto dir = fresh_dir("out-own-files");
  std::ofstream(dir / "flows.csv") << "my own flows\n";
  std::ofstream(dir / "trace.json") << "{\"mine\": true}\n";
  const std::string lean =
      "run " + kQuickstart + " --no-trace --set report.per_flow=false -o " + dir.string();
  auto r = run_cli(lean);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "flows.csv"), "my own flows\n");
  EXPECT_EQ(read_file(dir / "trace.json"), "{\"mine\": true}\n");
  EXPECT_NE(r.err.find("flows.csv is not from this run"), std::string::npos) << r.err;
  EXPECT_TRUE(consistent_run(dir, {"flows.csv", "trace.json"}).has_value());

  fs::remove(dir / "flows.csv");
  fs::remove(dir / "trace.json");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + dir.string()).exit_code, 0);
  ASSERT_TRUE(fs::exists(dir / "flows.csv"));
  r = run_cli(lean);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "flows.csv"));
  EXPECT_FALSE(fs::exists(dir / "trace.json"));
  EXPECT_TRUE(consistent_run(dir).has_value());

  // Edited as an editor saves: a new file of the same size renamed over the old name,
  // so only the inode tells it from the run's own.
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + dir.string()).exit_code, 0);
  std::string edited = read_file(dir / "flows.csv");
  edited[0] = '#';
  std::ofstream(dir / "edited.tmp") << edited;
  fs::rename(dir / "edited.tmp", dir / "flows.csv");
  ASSERT_EQ(run_cli(lean).exit_code, 0);
  EXPECT_EQ(read_file(dir / "flows.csv"), edited);
  EXPECT_FALSE(fs::exists(dir / "trace.json"));
}

// A write that fails part-way (here trace.json, 413 KB at 32 GPUs, past a 250 KiB file
// size limit that report.json, 186 KB, is within) leaves the earlier run's set exactly
// as it was and no temporary file; exit 4 names the file. The limit is RLIMIT_FSIZE
// with SIGXFSZ ignored, so write() fails with EFBIG, as it would with ENOSPC.
TEST(OutputDir, AFailedWriteLeavesTheEarlierSetAndNoTemporaryFiles) {
  const auto dir = fresh_dir("out-failed-write");
  ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + dir.string()).exit_code, 0);
  const auto before = consistent_run(dir);
  ASSERT_TRUE(before.has_value());
  const std::string report = read_file(dir / "report.json");
  const std::string cmd = "bash -c 'ulimit -f 250; trap \"\" XFSZ; exec " +
                          std::string(ROSHNI_BINARY) + " run " + kQuickstart +
                          " -q --set topology.gpus=32 -o " + dir.string() + "' 2>" +
                          (dir.parent_path() / "failed-write.err").string();
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 4);
  const std::string err = read_file(dir.parent_path() / "failed-write.err");
  EXPECT_NE(err.find("error writing"), std::string::npos) << err;
  EXPECT_NE(err.find("trace.json"), std::string::npos) << err;
  EXPECT_EQ(hidden_leftovers(dir), std::vector<std::string>{});
  EXPECT_EQ(consistent_run(dir), before);
  EXPECT_EQ(read_file(dir / "report.json"), report);
}

// SIGTERM and SIGINT while a run writes its files (256 GPUs: about 40 MB, a large part
// of a second of writing; the signal is sent as soon as a temporary entry appears in DIR): the
// process dies of the signal (a shell reports 143 or 130), no temporary file is left
// and the earlier run's set is untouched.
TEST(OutputDir, SignalsLeaveTheEarlierSetAndNoTemporaryFiles) {
  for (const int sig : {SIGTERM, SIGINT}) {
    const auto dir = fresh_dir("out-signal-" + std::to_string(sig));
    ASSERT_EQ(run_cli("run " + kQuickstart + " -q -o " + dir.string()).exit_code, 0);
    const auto before = consistent_run(dir);
    ASSERT_TRUE(before.has_value());
    const std::string report = read_file(dir / "report.json");
    const pid_t pid =
        spawn({"run", kQuickstart, "-q", "--set", "topology.gpus=256", "-o", dir.string()});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (hidden_leftovers(dir).empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_FALSE(hidden_leftovers(dir).empty()) << "the run never started writing";
    ::kill(pid, sig);
    const int status = wait_status(pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
    EXPECT_EQ(hidden_leftovers(dir), std::vector<std::string>{}) << "signal " << sig;
    // Mostly the signal lands while the files are staged, and the earlier set stays. On a
    // loaded machine it can land in the final renames, which finish first (milliseconds):
    // then the directory holds the new run's whole set. A half set is never right.
    const auto after = consistent_run(dir);
    ASSERT_TRUE(after.has_value()) << "signal " << sig << ": not one run's whole set";
    if (after != before) continue;
    EXPECT_EQ(read_file(dir / "report.json"), report) << "signal " << sig;
  }
}

// Two runs into one directory at once (3 rounds): both succeed, and the directory holds
// one of them whole. Which one is told by the marker, and report.json (the scenario's
// name), links.csv (one row per directed link: 2 x 8 = 16 or 2 x 4 = 8, plus a header),
// flows.csv and trace.json (only the first run writes them) all agree with it.
TEST(OutputDir, ConcurrentRunsLeaveOneWholeSet) {
  const auto dir = fresh_dir("out-concurrent");
  for (int round = 0; round < 3; ++round) {
    const pid_t a = spawn({"run", kQuickstart, "-q", "--set", "name=alpha", "-o", dir.string()});
    const pid_t b = spawn({"run", kQuickstart, "-q", "--set", "name=beta", "--set",
                           "topology.gpus=4", "--set", "report.per_flow=false", "--no-trace",
                           "-o", dir.string()});
    const int sa = wait_status(a), sb = wait_status(b);
    ASSERT_TRUE(WIFEXITED(sa) && WEXITSTATUS(sa) == 0) << sa;
    ASSERT_TRUE(WIFEXITED(sb) && WEXITSTATUS(sb) == 0) << sb;
    EXPECT_EQ(hidden_leftovers(dir), std::vector<std::string>{});
    ASSERT_TRUE(consistent_run(dir).has_value()) << "round " << round;
    const json marker = json::parse(read_file(dir / ".roshni-run.json"));
    const std::string name = marker["scenario"]["name"];
    ASSERT_TRUE(name == "alpha" || name == "beta") << name;
    const json report = json::parse(read_file(dir / "report.json"));
    EXPECT_EQ(report["scenario"]["name"], name);
    const std::string links = read_file(dir / "links.csv");
    const size_t rows = static_cast<size_t>(std::count(links.begin(), links.end(), '\n'));
    EXPECT_EQ(rows, name == "alpha" ? 17u : 9u);
    EXPECT_EQ(fs::exists(dir / "flows.csv"), name == "alpha");
    EXPECT_EQ(fs::exists(dir / "trace.json"), name == "alpha");
  }
}

}  // namespace
}  // namespace roshni
