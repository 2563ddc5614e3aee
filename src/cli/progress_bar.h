/// The progress line `roshni run` draws on stderr for a run longer than a second:
/// the share of the bytes delivered (as a bar), simulated time, events, rate re-solves
/// and their rate per second, and an estimate of the time left from the bytes delivered.
/// Drawn only on a terminal and without --quiet, at most ten times a second, and erased
/// when the run ends, so it never reaches a file or a pipe. ROSHNI_PROGRESS=always draws
/// it anyway from the first call (for tests of exactly that).
/// Private to the CLI.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "roshni/core/sim_time.h"
#include "roshni/net/run_contract.h"

namespace roshni::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool quiet) {
    const char* env = std::getenv("ROSHNI_PROGRESS");
    forced_ = env != nullptr && std::string(env) == "always";
    enabled_ = !quiet && (forced_ || isatty(STDERR_FILENO) == 1);
  }
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool enabled() const { return enabled_; }

  void update(const net::RunProgress& p) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (!forced_ && (elapsed < 1.0 || now - last_ < std::chrono::milliseconds(100))) return;
    last_ = now;
    // Work done: bytes delivered (a run of compute steps alone: steps done).
    const double done = p.bytes > 0   ? p.bytes_delivered / p.bytes
                        : p.flows > 0 ? static_cast<double>(p.delivered) / p.flows
                                      : 0.0;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(done * kWidth);
    std::string eta = "?";
    if (done > 0) eta = fmt::format("{:.0f} s", elapsed * (1 - done) / done);
    fmt::print(stderr,
               "\r\033[K[{}{}] {:5.1f}% bytes  simulated {}  {} events  {} solves ({:.0f}/s)  "
               "{:.0f} s, ETA {}",
               std::string(filled, '#'), std::string(kWidth - filled, '.'), 100 * done,
               to_string(p.now), p.events, p.rate_solves,
               elapsed > 0 ? static_cast<double>(p.rate_solves) / elapsed : 0.0, elapsed, eta);
    std::fflush(stderr);
    drawn_ = true;
  }

  /// Erases the line if one was drawn.
  void finish() {
    if (drawn_) {
      fmt::print(stderr, "\r\033[K");
      std::fflush(stderr);
      drawn_ = false;
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
  bool enabled_ = false, forced_ = false, drawn_ = false;
};

}  // namespace roshni::cli
