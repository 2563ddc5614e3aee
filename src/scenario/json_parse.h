/// Strict JSON text to a DOM, for scenarios and flow traces. Unlike nlohmann::json::parse
/// it refuses a key given twice in one object (the second would silently win) and nesting
/// deeper than kMaxJsonDepth (every later walk of the tree is recursive), and its errors
/// are ScenarioErrors that name the file with a line and column. Private to scenario/.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace roshni::scenario {

inline constexpr size_t kMaxJsonDepth = 64;

/// Parses `text`; `file` names it in errors. Throws ScenarioError.
nlohmann::json parse_json(std::string_view text, const std::string& file);

/// Receives a streamed element: its index in its array, and the value (to keep or drop).
using JsonElementSink = std::function<void(size_t index, nlohmann::json&& value)>;

/// parse_json, except that when the root is an object, the elements of its member `key`
/// (an array) go to `sink` one by one as soon as each is complete, and are not kept: that
/// array is empty in the tree returned. A flow trace of millions of flows is read this way
/// without its DOM (flow_trace.cpp). Whatever `sink` throws ends the parse.
nlohmann::json parse_json_streaming(std::string_view text, const std::string& file,
                                    std::string_view key, const JsonElementSink& sink);

/// Parses `text` if it is a complete, valid JSON value within the depth limit.
bool try_parse_json(std::string_view text, nlohmann::json& out);

}  // namespace roshni::scenario
