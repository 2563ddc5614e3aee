#include "roshni/report/json_writer.h"

#include <cmath>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::report {

void JsonWriter::newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& l = stack_.back();
  if (!l.empty) out_ += l.compact ? ", " : ",";
  if (!l.compact) newline();
  l.empty = false;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  const bool compact = !stack_.empty() && stack_.back().compact;
  stack_.push_back({compact, true});
  return *this;
}

JsonWriter& JsonWriter::begin_compact_object() {
  before_value();
  out_ += '{';
  stack_.push_back({true, true});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  const Level l = stack_.back();
  stack_.pop_back();
  if (!l.empty && !l.compact) newline();
  out_ += '}';
  if (stack_.empty()) out_ += '\n';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  const bool compact = !stack_.empty() && stack_.back().compact;
  stack_.push_back({compact, true});
  return *this;
}

JsonWriter& JsonWriter::begin_row() {
  before_value();
  out_ += '[';
  stack_.push_back({true, true});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  const Level l = stack_.back();
  stack_.pop_back();
  if (!l.empty && !l.compact) newline();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  escape(out_, k);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  escape(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(double d) {
  if (!std::isfinite(d)) [[unlikely]] throw NonFiniteFigure(last_keys(), d);
  before_value();
  // Whole numbers print without a fraction ("3"), others in shortest round-trip form.
  fmt::format_to(std::back_inserter(out_), "{}", d);
  return *this;
}

std::string JsonWriter::last_keys() const {
  // Only on failure: the keys are read back from the text written so far, so that the
  // hot path keeps no record of them. `"energy": {"value": ` gives "energy/value".
  std::string path;
  size_t end = out_.size();
  for (int found = 0; found < 2;) {
    const size_t colon = out_.rfind("\": ", end);
    if (colon == std::string::npos || colon == 0) break;
    const size_t open = out_.rfind('"', colon - 1);
    if (open == std::string::npos) break;
    path = out_.substr(open + 1, colon - open - 1) + (path.empty() ? "" : "/" + path);
    ++found;
    end = open == 0 ? 0 : open - 1;
    if (open == 0) break;
  }
  return "'" + path + "'";
}

JsonWriter& JsonWriter::value(int64_t i) {
  before_value();
  fmt::format_to(std::back_inserter(out_), "{}", i);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t u) {
  before_value();
  fmt::format_to(std::back_inserter(out_), "{}", u);
  return *this;
}

JsonWriter& JsonWriter::fixed_point(int64_t units, int decimals) {
  ROSHNI_ASSERT(decimals >= 0 && decimals <= 18, "fixed_point: {} decimals", decimals);
  before_value();
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  // Magnitude as unsigned, so that INT64_MIN has one too.
  const uint64_t mag = units < 0 ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  if (units < 0) out_ += '-';
  fmt::format_to(std::back_inserter(out_), "{}", mag / scale);
  uint64_t frac = mag % scale;
  if (frac == 0) return *this;
  int digits = decimals;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  fmt::format_to(std::back_inserter(out_), ".{:0{}}", frac, digits);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

void JsonWriter::escape(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace roshni::report
