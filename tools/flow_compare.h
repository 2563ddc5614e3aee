/// Per-flow comparison of two runs of the same flows: Roshni's flows.csv against another
/// simulator's times (bench/simgrid/roshni_simgrid writes "id,start_s,end_s"). For
/// tools/compare_flows.cpp and its tests; not part of the simulator's libraries.
///
/// A file is CSV (RFC 4180: quoted fields, CRLF or LF) with a header naming its columns;
/// what is read is "id" and the end time, "end_ps" (integer picoseconds, Roshni) or
/// "end_s" (seconds). Rows are flows in flow order; the two files must list the same ids
/// in the same order. Differences are relative to the second file (the reference):
/// |a - b| / b, and 0 where both are 0.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace roshni::tools {

struct FlowEnds {
  std::vector<std::string> id;
  std::vector<double> end_s;
};

/// The records of a CSV text, each a list of fields (quotes removed).
inline std::vector<std::vector<std::string>> csv_records(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) row.push_back(std::move(field));
      if (!row.empty()) rows.push_back(std::move(row));
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quoted field");
  if (any || !field.empty()) row.push_back(std::move(field));
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

/// Reads the ids and end times of a flows file (see the header comment); `name` is for
/// messages.
inline FlowEnds read_flow_ends(std::string_view text, const std::string& name) {
  const auto rows = csv_records(text);
  if (rows.empty()) throw std::runtime_error(name + ": empty file");
  const auto& head = rows[0];
  size_t id = head.size(), end = head.size();
  double scale = 1;
  for (size_t c = 0; c < head.size(); ++c) {
    if (head[c] == "id") id = c;
    if (head[c] == "end_ps") end = c, scale = 1e-12;
    if (head[c] == "end_s") end = c, scale = 1;
  }
  if (id == head.size() || end == head.size()) {
    throw std::runtime_error(name + ": the header has no \"id\" and \"end_ps\" or \"end_s\" column");
  }
  FlowEnds out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != head.size()) {
      throw std::runtime_error(name + ": record " + std::to_string(r + 1) + " has " +
                               std::to_string(row.size()) + " fields, the header " +
                               std::to_string(head.size()));
    }
    char* stop = nullptr;
    const double v = std::strtod(row[end].c_str(), &stop);
    if (row[end].empty() || *stop != '\0' || !std::isfinite(v)) {
      throw std::runtime_error(name + ": record " + std::to_string(r + 1) + ": end time \"" +
                               row[end] + "\" is not a number");
    }
    out.id.push_back(row[id]);
    out.end_s.push_back(v * scale);
  }
  return out;
}

struct FlowComparison {
  size_t flows = 0;
  double makespan_a = 0, makespan_b = 0;  // seconds: the latest end in each file
  double makespan_rel = 0;                // |a - b| / b
  double worst_rel = 0;                   // the largest per-flow |a - b| / b
  std::string worst_id;                   // the flow that has it ("" when all agree)
  double worst_abs_s = 0;                 // the largest per-flow |a - b|, seconds
};

inline double relative_difference(double a, double b) {
  if (a == b) return 0;
  return std::fabs(a - b) / std::fabs(b);
}

/// Compares `a` (Roshni) with `b` (the reference); throws std::runtime_error when the
/// files do not list the same flows in the same order.
inline FlowComparison compare_flow_ends(const FlowEnds& a, const FlowEnds& b) {
  if (a.id.size() != b.id.size()) {
    throw std::runtime_error("the files list " + std::to_string(a.id.size()) + " and " +
                             std::to_string(b.id.size()) + " flows");
  }
  FlowComparison c;
  c.flows = a.id.size();
  for (size_t i = 0; i < a.id.size(); ++i) {
    if (a.id[i] != b.id[i]) {
      throw std::runtime_error("flow " + std::to_string(i + 1) + " is \"" + a.id[i] +
                               "\" in one file and \"" + b.id[i] + "\" in the other");
    }
    c.makespan_a = std::max(c.makespan_a, a.end_s[i]);
    c.makespan_b = std::max(c.makespan_b, b.end_s[i]);
    const double rel = relative_difference(a.end_s[i], b.end_s[i]);
    if (rel > c.worst_rel) {
      c.worst_rel = rel;
      c.worst_id = a.id[i];
    }
    c.worst_abs_s = std::max(c.worst_abs_s, std::fabs(a.end_s[i] - b.end_s[i]));
  }
  c.makespan_rel = relative_difference(c.makespan_a, c.makespan_b);
  return c;
}

}  // namespace roshni::tools
