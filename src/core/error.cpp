#include "roshni/core/error.h"

#include <cstdio>
#include <cstdlib>

namespace roshni {
namespace {

/// A pointer for a one-line message: control characters escaped, and at most about
/// 2 x kKeep bytes, its middle cut out ("/summary/aaa.../zzz/value"). 64 levels of
/// 100-character keys, each "/" written "~1", made a 13 KB line (found by the report
/// fuzzer); ScenarioError::pointer() keeps the pointer whole.
std::string shown_pointer(const std::string& raw) {
  // A key may hold any character, a newline too ("g\nerator"): control characters are
  // escaped as in quoted input, so the message stays one line (found by the report fuzzer).
  std::string pointer;
  pointer.reserve(raw.size());
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      pointer += fmt::format("\\u{:04x}", u);
    } else {
      pointer += c;
    }
  }
  constexpr size_t kKeep = 240;
  if (pointer.size() <= 2 * kKeep + 3) return pointer;
  // Cut only between UTF-8 sequences (continuation bytes are 10xxxxxx).
  const auto lead = [&](size_t i) {
    while (i > 0 && (static_cast<unsigned char>(pointer[i]) & 0xC0) == 0x80) --i;
    return i;
  };
  const size_t head = lead(kKeep);
  const size_t tail = lead(pointer.size() - kKeep);
  return pointer.substr(0, head) + "..." + pointer.substr(tail);
}

std::string render(const std::string& file, const std::string& pointer,
                   const std::string& message) {
  std::string where = file;
  if (!pointer.empty() || !file.empty()) {
    where += ":" + (pointer.empty() ? std::string("/") : shown_pointer(pointer));
  }
  return where.empty() ? message : where + ": " + message;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, std::string pointer, std::string message)
    : std::runtime_error(render(file, pointer, message)),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      message_(std::move(message)) {}

NonFiniteFigure::NonFiniteFigure(std::string figure, double value)
    : ScenarioError("", "",
                    fmt::format("the derived figure {} came out as {}: the scenario's inputs are "
                                "each in range, but together too large or too small for it (look "
                                "at its largest sizes, powers, prices and smallest rates)",
                                figure, value)),
      figure_(std::move(figure)) {}

void assertion_failed(const char* file, int line, const char* cond,
                      const std::string& message) {
  std::fprintf(stderr, "roshni: internal error (a bug, please report it)\n  %s:%d: %s\n  %s\n",
               file, line, cond, message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace roshni
