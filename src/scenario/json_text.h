/// How keys, JSON pointers and user values are spelled inside error messages: pointer
/// tokens escaped per RFC 6901, and everything the user typed kept on one short line
/// (control characters escaped, long text cut), because the CLI prints one line per error.
/// Private to scenario/.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/core/text.h"

namespace roshni::scenario {

using roshni::escape_text;  // core/text.h: user text kept on one short line
using roshni::quote_text;

/// One RFC 6901 reference token: '~' -> "~0", '/' -> "~1"; control characters are
/// escaped as in JSON so that a pointer never breaks a message's line.
std::string pointer_token(std::string_view key);

/// `pointer` + "/" + token of `key`.
std::string child_pointer(const std::string& pointer, std::string_view key);
std::string child_pointer(const std::string& pointer, size_t index);

/// ", did you mean 'x'?" or "": like roshni::did_you_mean, but a candidate that differs
/// only in letter case wins over nearer-looking ones ("GPU" suggests "gpu").
std::string suggest(std::string_view word, std::span<const std::string> candidates);

/// What a value is, for "expected X, got Y": "null", "true", "an object", "an array",
/// "400", "\"fast\"".
std::string describe_value(const nlohmann::json& v);

}  // namespace roshni::scenario
