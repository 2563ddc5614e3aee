#include "roshni/core/text.h"

#include <algorithm>

#include <fmt/format.h>
#include <vector>

namespace roshni {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const size_t subst = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({row[j - 1] + 1, up + 1, subst});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, std::span<const std::string> candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  size_t best = limit + 1;
  std::string choice;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      choice = c;
    }
  }
  return choice;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  const std::string n = nearest(word, candidates);
  return n.empty() ? std::string() : ", did you mean '" + n + "'?";
}

std::string quoted_list(std::span<const std::string> items) {
  // Items can come from the input (the peaks an accelerator of the scenario lists): each
  // is escaped and cut like any quoted input, and a long list is cut after 30 items, so
  // the message stays one line of bounded length (a key holding a newline made a
  // two-line error; found by the scenario fuzzer).
  constexpr size_t kMaxItems = 30;
  std::string out;
  const size_t shown = std::min(items.size(), kMaxItems);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += "'" + escape_text(items[i]) + "'";
  }
  if (shown < items.size()) out += fmt::format(" and {} more", items.size() - shown);
  return out;
}

std::string escape_text(std::string_view text, size_t max_chars) {
  std::string out;
  const bool cut = text.size() > max_chars;
  if (cut) {
    // Do not cut a UTF-8 sequence in half: end before the lead byte of the sequence
    // that would be split (continuation bytes are 10xxxxxx).
    size_t n = max_chars;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    text = text.substr(0, n);
  }
  out.reserve(text.size() + 2);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  return out;
}

std::string quote_text(std::string_view text) { return "\"" + escape_text(text) + "\""; }

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace roshni
