#include "roshni/report/run_output.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "roshni/report/check.h"

namespace roshni::report {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// What the signal handler knows, set before a signal can need it. Only one RunOutput
// stages at a time (one run per process).
constexpr size_t kPathMax = 4096;
char g_staging[kPathMax];  // the staging directory, NUL-terminated
enum : int { kIdle = 0, kStaging = 1, kCommitting = 2 };
volatile std::sig_atomic_t g_state = kIdle;
volatile std::sig_atomic_t g_pending = 0;  // a signal that came during the renames
constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[kSignals.size()];
bool g_installed[kSignals.size()];

/// Async-signal-safe: unlink() and rmdir() of fixed names, no allocation.
void remove_staging_now() {
  char path[kPathMax + 64];
  const size_t n = std::strlen(g_staging);
  const auto unlink_name = [&](std::string_view name) {
    if (n + 1 + name.size() >= sizeof path) return;
    std::memcpy(path, g_staging, n);
    path[n] = '/';
    std::memcpy(path + n + 1, name.data(), name.size());
    path[n + 1 + name.size()] = '\0';
    ::unlink(path);
  };
  for (const auto name : kRunOutputNames) unlink_name(name);
  unlink_name(kRunMarker);
  ::rmdir(g_staging);
}

extern "C" void on_signal(int sig) {
  if (g_state == kCommitting) {
    g_pending = sig;  // the renames finish, then commit() raises it again
    return;
  }
  const int saved_errno = errno;
  if (g_state == kStaging) remove_staging_now();
  // Die of the signal as if it had not been caught: the parent sees WIFSIGNALED, and a
  // shell reports 128 + the signal's number.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);  // delivered as the handler returns
  errno = saved_errno;
}

void install_handlers() {
  for (size_t i = 0; i < kSignals.size(); ++i) {
    g_installed[i] = false;
    struct sigaction old {};
    if (::sigaction(kSignals[i], nullptr, &old) != 0) continue;
    if (old.sa_handler == SIG_IGN) continue;  // nohup, a background job: stays ignored
    struct sigaction act {};
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    for (int s : kSignals) sigaddset(&act.sa_mask, s);  // one handler at a time
    act.sa_flags = SA_RESTART;
    if (::sigaction(kSignals[i], &act, &g_previous[i]) == 0) g_installed[i] = true;
  }
}

void restore_handlers() {
  for (size_t i = 0; i < kSignals.size(); ++i) {
    if (g_installed[i]) ::sigaction(kSignals[i], &g_previous[i], nullptr);
    g_installed[i] = false;
  }
}

bool known_output(std::string_view name) {
  return std::find(kRunOutputNames.begin(), kRunOutputNames.end(), name) !=
         kRunOutputNames.end();
}

std::string new_run_id() {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::random_device rd;
  return fmt::format("{:x}-{}-{:08x}", ns, ::getpid(), rd());
}

/// Holds an flock on a directory for as long as it lives.
class DirLock {
 public:
  DirLock(const std::string& dir, int op) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY)) {
    if (fd_ < 0) {
      throw std::runtime_error(
          fmt::format("cannot open the directory '{}': {}", dir, std::strerror(errno)));
    }
    while (::flock(fd_, op) != 0) {
      if (errno == EINTR) continue;
      // A file system without locks (some network mounts): the renames still happen,
      // but concurrent runs are no longer ordered.
      break;
    }
  }
  ~DirLock() { ::close(fd_); }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_;
};

struct MarkedFile {
  std::string name;
  uint64_t bytes = 0, inode = 0;
};

/// The files an earlier run's marker names (only known output names); none when there
/// is no marker or it is not one of ours.
std::vector<MarkedFile> read_marker(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<MarkedFile> out;
  try {
    const Json j = parse_report(ss.str(), path.string());
    if (!j.is_object() || j.value("schema", "") != "roshni.run/1") return {};
    for (const auto& f : j.at("files")) {
      MarkedFile m{f.at("name").get<std::string>(), f.at("bytes").get<uint64_t>(),
                   f.at("inode").get<uint64_t>()};
      if (known_output(m.name)) out.push_back(std::move(m));
    }
  } catch (const std::exception&) {
    return {};  // unreadable: nothing is removed on its word
  }
  return out;
}

}  // namespace

RunOutput::RunOutput(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("cannot create directory '{}': {}", dir_, ec.message()));
  }
  std::string templ = (fs::path(dir_) / ".roshni-staging.XXXXXX").string();
  if (templ.size() + 1 + 32 > kPathMax) {
    throw std::runtime_error(fmt::format("the output directory's path is too long: '{}'", dir_));
  }
  // The signals wait while the staging directory is made and its handlers installed: a
  // SIGTERM between mkdtemp and install_handlers once left the directory behind (seen
  // on a loaded machine by OutputDir.SignalsLeaveTheEarlierSetAndNoTemporaryFiles).
  sigset_t block, previous_mask;
  sigemptyset(&block);
  for (int s : kSignals) sigaddset(&block, s);
  ::pthread_sigmask(SIG_BLOCK, &block, &previous_mask);
  if (::mkdtemp(templ.data()) == nullptr) {
    const int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    throw std::runtime_error(
        fmt::format("cannot create a directory in '{}': {}", dir_, std::strerror(err)));
  }
  staging_ = templ;
  std::memcpy(g_staging, staging_.c_str(), staging_.size() + 1);
  g_pending = 0;
  g_state = kStaging;
  install_handlers();
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);  // a waiting signal lands now
}

RunOutput::~RunOutput() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  g_state = kIdle;
  restore_handlers();
}

void RunOutput::add(std::string_view name, const std::string& text) {
  add(name, [&](const std::function<void(std::string_view)>& sink) { sink(text); });
}

void RunOutput::add(std::string_view name,
                    const std::function<void(const std::function<void(std::string_view)>&)>& fill) {
  if (!known_output(name)) {
    throw std::logic_error(fmt::format("'{}' is not a run output", name));
  }
  const fs::path path = fs::path(staging_) / name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
  uint64_t written = 0;
  fill([&](std::string_view piece) {
    f.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    written += piece.size();
  });
  f.flush();
  if (!f) {
    throw std::runtime_error(fmt::format("error writing '{}' ({} bytes): {}", path.string(),
                                         written, std::strerror(errno)));
  }
  names_.emplace_back(name);
}

CommitResult RunOutput::commit(const RunIdentity& id) {
  CommitResult result;
  result.run_id = new_run_id();
  // The marker, staged with the files: each named with its size and inode number (which
  // a rename within the directory keeps).
  Json marker = Json::object();
  marker["schema"] = "roshni.run/1";
  marker["run_id"] = result.run_id;
  marker["scenario"] = {{"file", id.scenario}, {"name", id.name}, {"seed", id.seed},
                        {"set", id.overrides}};
  marker["files"] = Json::array();
  for (const auto& name : names_) {
    struct stat st {};
    const std::string path = staging_ + "/" + name;
    if (::stat(path.c_str(), &st) != 0) {
      throw std::runtime_error(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
    }
    marker["files"].push_back({{"name", name},
                               {"bytes", static_cast<uint64_t>(st.st_size)},
                               {"inode", static_cast<uint64_t>(st.st_ino)}});
  }
  {
    std::ofstream f(fs::path(staging_) / kRunMarker, std::ios::binary | std::ios::trunc);
    f << marker.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    f.flush();
    if (!f) throw std::runtime_error(fmt::format("cannot write '{}/{}'", staging_, kRunMarker));
  }

  // One commit at a time per directory. Waiting here, a signal still cleans up and kills.
  const DirLock lock(dir_, LOCK_EX);
  const fs::path dir(dir_);
  std::vector<std::string> finals = names_;
  finals.emplace_back(kRunMarker);
  for (const auto& name : finals) {
    struct stat st {};
    const fs::path p = dir / name;
    if (::lstat(p.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      throw std::runtime_error(fmt::format(
          "cannot write '{}': it is a {}, and a run replaces only regular files", p.string(),
          S_ISDIR(st.st_mode) ? "directory" : S_ISLNK(st.st_mode) ? "symlink" : "special file"));
    }
  }
  const auto earlier = read_marker(dir / kRunMarker);

  g_state = kCommitting;  // from here a signal waits until the renames are done
  const auto rename_in = [&](const std::string& name) {
    const fs::path from = fs::path(staging_) / name, to = dir / name;
    if (::rename(from.c_str(), to.c_str()) != 0) {
      g_state = kStaging;
      throw std::runtime_error(fmt::format("cannot rename '{}' to '{}': {}", from.string(),
                                           to.string(), std::strerror(errno)));
    }
  };
  for (const auto& name : names_) rename_in(name);
  // What an earlier run wrote and this one did not, if it is still that run's file.
  for (const auto& m : earlier) {
    if (std::find(names_.begin(), names_.end(), m.name) != names_.end()) continue;
    const fs::path p = dir / m.name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(st.st_ino) == m.inode &&
        static_cast<uint64_t>(st.st_size) == m.bytes && ::unlink(p.c_str()) == 0) {
      result.removed.push_back(m.name);
    }
  }
  rename_in(std::string(kRunMarker));
  ::rmdir(staging_.c_str());
  committed_ = true;
  g_state = kIdle;
  for (const auto name : kRunOutputNames) {
    const std::string n(name);
    if (std::find(names_.begin(), names_.end(), n) != names_.end()) continue;
    struct stat st {};
    if (::lstat((dir / n).c_str(), &st) == 0) result.kept.push_back(n);
  }
  if (const int sig = g_pending) {
    g_pending = 0;
    ::raise(sig);  // the handler, now idle, lets the signal kill the process
  }
  return result;
}

}  // namespace roshni::report
