/// Shared by the scenario tests: an in-memory file set (so a test says exactly which
/// files exist) and a helper that expects a ScenarioError.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "roshni/core/error.h"
#include "roshni/scenario/document.h"

namespace roshni::scenario::testing {

inline FileReader memory(std::map<std::string, std::string> files) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(files));
  return [shared](const std::string& path) -> std::optional<std::string> {
    const auto it = shared->find(path);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

/// Runs `f`, which must throw a ScenarioError, and returns it.
template <class F>
ScenarioError error_of(F&& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ScenarioError";
  return ScenarioError("", "", "");
}

}  // namespace roshni::scenario::testing
