/// The files of one `roshni run -o DIR`, written as one unit. Every file is first written
/// into a fresh private staging directory inside DIR (.roshni-staging.XXXXXX, made by
/// mkdtemp, so concurrent runs never share a temporary name); only when all are written
/// are they renamed into DIR, under an exclusive flock(2) on DIR, followed by a marker,
/// DIR/.roshni-run.json, that names the run (an id, the scenario, --set, the seed) and
/// every file it wrote with its size and inode number. A later run removes a file it does
/// not write itself only when the earlier run's marker names it and the file is still
/// the one that run wrote (same inode and size): a user's own flows.csv is never removed.
///
/// The guarantee: when runs into one DIR have ended, DIR holds the complete set of exactly
/// one of them (the last to reach the renames) and its marker; each file's inode and size
/// match the marker. A reader that holds a shared flock on DIR sees the same. A run that
/// fails (an exception, a full disk) or is stopped by SIGINT, SIGTERM or SIGHUP removes its
/// staging directory and leaves DIR as it was; a signal that arrives during the renames
/// (milliseconds) lets them finish first. Then the process dies of the signal, so a shell
/// reports 130, 143 or 129. Only SIGKILL or a power loss during the renames can leave a mix
/// of two runs' files, which the marker's inode numbers then show.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace roshni::report {

/// The marker a run leaves in its output directory.
inline constexpr std::string_view kRunMarker = ".roshni-run.json";

/// Every name `roshni run` may write into its output directory: the only names a later
/// run ever removes (whatever an earlier marker says).
inline constexpr std::array<std::string_view, 7> kRunOutputNames = {
    "report.json", "report.html", "links.csv", "flows.csv",
    "trace.json",  "components.csv", "racks.csv"};

/// What the marker records about the run besides its files.
struct RunIdentity {
  std::string scenario;                // the scenario file as given
  std::string name;                    // the scenario's name
  std::vector<std::string> overrides;  // the --set arguments, in order
  uint64_t seed = 0;
};

/// What a commit did with files of earlier runs.
struct CommitResult {
  std::string run_id;
  std::vector<std::string> removed;  // named by the earlier marker, not written by this run
  std::vector<std::string> kept;     // output names this run did not write and no marker named
};

class RunOutput {
 public:
  /// Creates `dir` (and its parents) and the staging directory inside it, and installs
  /// the SIGINT, SIGTERM and SIGHUP handlers that remove it (a signal that was ignored
  /// stays ignored). Throws std::runtime_error naming the path on failure.
  explicit RunOutput(std::string dir);
  /// Removes the staging directory unless committed; restores the signal handlers.
  ~RunOutput();
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  /// Writes one output, one of kRunOutputNames, into the staging directory. Throws
  /// std::runtime_error naming the file on failure (the destructor then cleans up).
  void add(std::string_view name, const std::string& text);
  /// The same for a file too large to hold in memory at once: `fill` is called with a
  /// sink and hands it the text in pieces, in order.
  void add(std::string_view name,
           const std::function<void(const std::function<void(std::string_view)>&)>& fill);

  /// Moves the staged files into the directory as described above. Throws
  /// std::runtime_error before any rename when one of the final names is something other
  /// than a regular file (a directory, a symlink, a FIFO: never replaced).
  CommitResult commit(const RunIdentity& id);

  const std::string& dir() const { return dir_; }
  const std::string& staging() const { return staging_; }

 private:
  std::string dir_, staging_;
  std::vector<std::string> names_;  // written so far, in order
  bool committed_ = false;
};

}  // namespace roshni::report
