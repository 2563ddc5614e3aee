/// Strict JSON text to a DOM, for scenarios and flow traces. Unlike nlohmann::json::parse
/// it refuses a key given twice in one object (the second would silently win) and nesting
/// deeper than kMaxJsonDepth (every later walk of the tree is recursive), and its errors
/// are ScenarioErrors that name the file with a line and column. Private to scenario/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace roshni::scenario {

inline constexpr size_t kMaxJsonDepth = 64;

/// Parses `text`; `file` names it in errors. Throws ScenarioError.
nlohmann::json parse_json(std::string_view text, const std::string& file);

/// Parses `text` if it is a complete, valid JSON value within the depth limit.
bool try_parse_json(std::string_view text, nlohmann::json& out);

}  // namespace roshni::scenario
