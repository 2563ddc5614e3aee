/// The two kinds of failure. ScenarioError: the user's input is wrong; it names the
/// file and JSON pointer and is caught only by the CLI, which prints it and exits
/// non-zero. ROSHNI_ASSERT: our own invariant broke; it prints file:line and aborts.
/// (After gem5's fatal/panic split.) A simulated failure is a result, not an error.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace roshni {

class ScenarioError : public std::runtime_error {
 public:
  /// `file` may be empty for input that has no file (a --set override names itself);
  /// `pointer` is an RFC 6901 JSON pointer such as "/topology/links/3/bandwidth".
  ScenarioError(std::string file, std::string pointer, std::string message);

  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_, pointer_, message_;
};

/// A figure derived from inputs that each passed their range is not a finite number (a
/// sum or quotient overflowed): thrown where a report or table would write it, instead of
/// writing "inf". A ScenarioError, so the CLI exits 1; where the scenario's file is
/// known it is rethrown with it.
class NonFiniteFigure : public ScenarioError {
 public:
  NonFiniteFigure(std::string figure, double value);
  const std::string& figure() const { return figure_; }

 private:
  std::string figure_;
};

/// A run that cannot go on: simulated time reached its end (2^63 - 1 ps, about 106 days)
/// where the loader could not foresee it (rates that fell during the run). Thrown by the
/// network models; turned into a ScenarioError where the scenario's file is known.
class TimeExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void assertion_failed(const char* file, int line, const char* cond,
                                   const std::string& message);

}  // namespace roshni

#define ROSHNI_ASSERT(cond, ...)                                                        \
  do {                                                                                  \
    if (!(cond)) [[unlikely]]                                                           \
      ::roshni::assertion_failed(__FILE__, __LINE__, #cond, ::fmt::format(__VA_ARGS__)); \
  } while (0)

/// Checks that cost time in the hot path; compiled away unless ROSHNI_DEBUG_CHECKS.
#ifdef ROSHNI_DEBUG_CHECKS
#define ROSHNI_DEBUG_ASSERT(cond, ...) ROSHNI_ASSERT(cond, __VA_ARGS__)
#else
#define ROSHNI_DEBUG_ASSERT(cond, ...) \
  do {                                 \
  } while (0)
#endif
