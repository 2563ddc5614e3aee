/// Small text helpers shared by every layer that reports names back to the user.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace roshni {

/// Levenshtein distance between two strings (insert, delete, substitute cost 1).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, or "" when none is close enough to
/// be a plausible typo (distance greater than max(2, |word|/3)). Ties go to the first.
std::string nearest(std::string_view word, std::span<const std::string> candidates);

/// ", did you mean 'x'?" when a near candidate exists, else "" — for error messages.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

/// "'a', 'b' or 'c'" — for listing valid choices in error messages.
std::string quoted_list(std::span<const std::string> items);

/// The text with quotes, backslashes and control characters escaped and anything past
/// `max_chars` cut (never inside a UTF-8 sequence) with "...", so that a message quoting
/// user input stays one readable line.
std::string escape_text(std::string_view text, size_t max_chars = 60);
/// escape_text in double quotes.
std::string quote_text(std::string_view text);

/// `text` with &, <, >, " and ' escaped for XML text and attributes; tab, CR and LF as
/// character references; other control characters (not allowed in XML 1.0) as "\u00XX".
/// For GraphML (`roshni topo --graphml`) and JUnit (`roshni check --format junit`).
std::string xml_escape(std::string_view text);

}  // namespace roshni
