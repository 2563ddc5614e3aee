/// A streaming JSON writer that produces the same bytes for the same calls on every
/// machine: keys in the order written, numbers in the shortest text that reads back
/// to the same double ({fmt}'s Dragonbox), integers exactly. Streaming, because a run's
/// per-flow table can have millions of rows and a DOM of them would cost gigabytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace roshni::report {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// Writes the next key of the current object; follow it with a value or a begin_*.
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(double d);  // must be finite: JSON has no NaN or infinity
  JsonWriter& value(int64_t i);
  JsonWriter& value(uint64_t u);
  JsonWriter& value(int i) { return value(static_cast<int64_t>(i)); }
  JsonWriter& value(uint32_t u) { return value(static_cast<uint64_t>(u)); }
  JsonWriter& value(bool b);
  /// `units` / 10^`decimals` written exactly in decimal, trailing zeros dropped:
  /// (2684954560, 6) -> 2684.95456. For picoseconds shown as microseconds: exact for
  /// every int64, where a double holds only 15 to 17 significant digits (a day of
  /// simulated time is 8.64e16 ps).
  JsonWriter& fixed_point(int64_t units, int decimals);
  /// Arrays begun with begin_row() are written on one line: compact tables.
  JsonWriter& begin_row();

  /// Objects begun with begin_compact_object() are written on one line.
  JsonWriter& begin_compact_object();

  /// {"value": v, "unit": u}, on one line: how the report gives every figure.
  template <class T>
  JsonWriter& figure(std::string_view k, T v, std::string_view unit) {
    key(k).begin_compact_object().key("value").value(v).key("unit").value(unit).end_object();
    return *this;
  }

 private:
  void before_value();
  void newline();
  std::string last_keys() const;
  static void escape(std::string& out, std::string_view s);

  struct Level {
    bool compact;
    bool empty;
  };
  std::string& out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace roshni::report
