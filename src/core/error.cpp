#include "roshni/core/error.h"

#include <cstdio>
#include <cstdlib>

namespace roshni {
namespace {

std::string render(const std::string& file, const std::string& pointer,
                   const std::string& message) {
  std::string where = file;
  if (!pointer.empty() || !file.empty()) {
    where += ":" + (pointer.empty() ? std::string("/") : pointer);
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
