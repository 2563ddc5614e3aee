/// Plain-text tables for the terminal: columns padded to their widest cell, two spaces
/// apart, the first `left` columns left-aligned (names) and the others right-aligned
/// (numbers).
/// Private to report/.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace roshni::report {

/// Display width of UTF-8 text: code points, not bytes (labels may hold "µ" or "→").
inline size_t display_width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

/// `rows[0]` is the header; every row has the same number of cells.
inline std::string aligned_table(const std::vector<std::vector<std::string>>& rows,
                                 size_t left = 1) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - display_width(row[c]), ' ');
      if (c > 0) line += "  ";
      line += c < left ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace roshni::report
