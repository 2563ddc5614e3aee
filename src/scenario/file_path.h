/// File names inside scenarios are relative to the file that wrote them. Pure string
/// work (no disk access), so that an in-memory FileReader sees the same names.
/// Private to scenario/.
#pragma once

#include <string>

namespace roshni::scenario {

/// `relative` seen from directory `dir` ("" is the current directory), lexically
/// normalised ("a/./b/../c.json" is "a/c.json"); an absolute path stays as it is.
std::string resolve_relative(const std::string& dir, const std::string& relative);

}  // namespace roshni::scenario
