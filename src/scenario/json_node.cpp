#include "roshni/scenario/json_node.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "roshni/core/text.h"
#include "scenario/json_text.h"

namespace roshni::scenario {

// ---- json_text.h (spelling of values and pointers in messages) ----

namespace {

// Appends `key` spelled as a JSON pointer token (RFC 6901, and control characters as \u).
void append_token(std::string& out, std::string_view key) {
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  append_token(out, key);
  return out;
}

// One allocation per pointer: reading a flow trace builds about seven per flow.
std::string child_pointer(const std::string& pointer, std::string_view key) {
  std::string out;
  out.reserve(pointer.size() + 1 + key.size());
  out += pointer;
  out += '/';
  append_token(out, key);
  return out;
}

std::string child_pointer(const std::string& pointer, size_t index) {
  std::string out;
  out.reserve(pointer.size() + 21);
  out += pointer;
  out += '/';
  out += std::to_string(index);
  return out;
}

std::string suggest(std::string_view word, std::span<const std::string> candidates) {
  const auto lower = [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  };
  for (const auto& c : candidates) {
    if (c.size() == word.size() && c != word &&
        std::equal(c.begin(), c.end(), word.begin(),
                   [&](char x, char y) { return lower(x) == lower(y); })) {
      return ", did you mean '" + escape_text(c) + "'?";
    }
  }
  const std::string n = nearest(word, candidates);
  return n.empty() ? std::string() : ", did you mean '" + escape_text(n) + "'?";
}

std::string describe_value(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return quote_text(v.get_ref<const std::string&>());
    case nlohmann::json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return escape_text(v.dump());
    default:
      return "an unsupported value";
  }
}

// ---- JsonNode ----

JsonNode::JsonNode(const nlohmann::json& value, std::string pointer, const FileOf* file_of)
    : v_(&value), pointer_(std::move(pointer)), file_of_(file_of) {}

std::string JsonNode::file() const {
  return (file_of_ != nullptr && *file_of_) ? (*file_of_)(pointer_) : std::string();
}

void JsonNode::fail(const std::string& message) const {
  throw ScenarioError(file(), pointer_, message);
}

bool JsonNode::has(std::string_view key) const { return v_->is_object() && v_->contains(key); }

JsonNode JsonNode::at(std::string_view key, std::string_view expected) const {
  if (!v_->is_object()) fail(fmt::format("expected an object, got {}", describe_value(*v_)));
  const auto it = v_->find(key);
  if (it == v_->end()) fail(fmt::format("missing '{}': expected {}", escape_text(key), expected));
  return JsonNode(*it, child_pointer(pointer_, key), file_of_);
}

std::optional<JsonNode> JsonNode::get(std::string_view key) const {
  if (!v_->is_object()) fail(fmt::format("expected an object, got {}", describe_value(*v_)));
  const auto it = v_->find(key);
  if (it == v_->end()) return std::nullopt;
  return JsonNode(*it, child_pointer(pointer_, key), file_of_);
}

void JsonNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  if (!v_->is_object()) fail(fmt::format("expected an object, got {}", describe_value(*v_)));
  // The object's keys are sorted (std::map), so the first unknown one reported is the
  // same on every run.
  for (const auto& [key, value] : v_->items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::vector<std::string> names(allowed.begin(), allowed.end());
    const std::string hint = suggest(key, names);
    JsonNode(value, child_pointer(pointer_, key), file_of_)
        .fail(fmt::format("unknown key '{}'{}{}: {}", escape_text(key), hint,
                          hint.empty() ? "; allowed keys here" : " Allowed keys here",
                          quoted_list(names)));
  }
}

size_t JsonNode::size() const {
  if (!v_->is_array()) fail(fmt::format("expected an array, got {}", describe_value(*v_)));
  return v_->size();
}

JsonNode JsonNode::operator[](size_t i) const {
  if (!v_->is_array()) fail(fmt::format("expected an array, got {}", describe_value(*v_)));
  if (i >= v_->size()) {
    fail(fmt::format("index {} is past the end of an array of {}", i, v_->size()));
  }
  return JsonNode((*v_)[i], child_pointer(pointer_, i), file_of_);
}

std::string JsonNode::as_string() const {
  if (!v_->is_string()) fail(fmt::format("expected a string, got {}", describe_value(*v_)));
  return v_->get<std::string>();
}

std::string JsonNode::as_name(std::string_view what, bool allow_empty) const {
  std::string s = as_string();
  if (s.empty() && !allow_empty) fail(fmt::format("{} must not be empty", what));
  if (s.size() > kMaxNameBytes) {
    fail(fmt::format("{} of at most {} bytes is expected, got {} bytes: {}", what, kMaxNameBytes,
                     s.size(), quote_text(s)));  // quote_text shortens it
  }
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      fail(fmt::format("{} must not hold control characters (here U+{:04X}): {}", what,
                       static_cast<unsigned>(u), quote_text(s)));
    }
  }
  return s;
}

bool JsonNode::as_bool() const {
  if (!v_->is_boolean()) {
    fail(fmt::format("expected true or false, got {}", describe_value(*v_)));
  }
  return v_->get<bool>();
}

double JsonNode::as_number(double min, double max, std::string_view what) const {
  if (!v_->is_number()) {
    fail(fmt::format("expected {}: a number from {} to {}, got {}", what, min, max,
                     describe_value(*v_)));
  }
  const double d = v_->get<double>();
  if (!(d >= min && d <= max)) {
    fail(fmt::format("expected {} from {} to {}, got {}", what, min, max, describe_value(*v_)));
  }
  return d;
}

int64_t JsonNode::as_int(int64_t min, int64_t max) const {
  const auto wrong = [&] {
    fail(fmt::format("expected an integer from {} to {}, got {}", min, max, describe_value(*v_)));
  };
  if (v_->is_number_unsigned()) {
    const uint64_t u = v_->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) wrong();
    const auto i = static_cast<int64_t>(u);
    if (i < min || i > max) wrong();
    return i;
  }
  if (v_->is_number_integer()) {
    const int64_t i = v_->get<int64_t>();
    if (i < min || i > max) wrong();
    return i;
  }
  if (v_->is_number_float()) {
    // 8.0 or 1e3 name an integer exactly; 8.5 does not. The cast is undefined outside
    // int64's range [-2^63, 2^63), so that is tested first, then [min, max] exactly.
    constexpr double kTwo63 = 9223372036854775808.0;
    const double d = v_->get<double>();
    if (d != std::floor(d) || d < -kTwo63 || d >= kTwo63) wrong();
    const auto i = static_cast<int64_t>(d);
    if (i < min || i > max) wrong();
    return i;
  }
  wrong();
  return 0;  // not reached
}

double JsonNode::quantity(QuantityKind kind, bool allow_zero) const {
  if (v_->is_number()) {
    fail(fmt::format("expected {} with a unit, like \"{}\", got {}", describe(kind), example(kind),
                     describe_value(*v_)));
  }
  if (!v_->is_string()) {
    fail(fmt::format("expected {} like \"{}\", got {}", describe(kind), example(kind),
                     describe_value(*v_)));
  }
  const auto& text = v_->get_ref<const std::string&>();
  auto r = parse_quantity(text, kind);
  if (auto* e = std::get_if<UnitError>(&r)) fail(e->message);
  const double v = std::get<double>(r);
  if (v < 0.0) {
    fail(fmt::format("{} must not be negative, got {}", describe(kind), quote_text(text)));
  }
  if (v == 0.0 && !allow_zero) {
    fail(fmt::format("{} must be greater than zero, got {}", describe(kind), quote_text(text)));
  }
  const QuantityRange range = physical_range(kind);
  if (v > range.max) {
    fail(fmt::format("{} of at most {} is expected here, got {}", describe(kind), range.max_text,
                     quote_text(text)));
  }
  if (v != 0.0 && v < range.min_nonzero) {
    fail(fmt::format("{} of at least {} is expected here{}, got {}", describe(kind), range.min_text,
                     allow_zero ? " (or 0)" : "", quote_text(text)));
  }
  return v;
}

DataSize JsonNode::as_data_size() const {
  return DataSize::from_si(quantity(QuantityKind::data_size, false));
}
DataRate JsonNode::as_data_rate() const {
  return DataRate::from_si(quantity(QuantityKind::data_rate, false));
}
Duration JsonNode::as_duration(bool allow_zero) const {
  return Duration::from_si(quantity(QuantityKind::duration, allow_zero));
}
Length JsonNode::as_length() const { return Length::from_si(quantity(QuantityKind::length, true)); }
Power JsonNode::as_power() const { return Power::from_si(quantity(QuantityKind::power, true)); }
Energy JsonNode::as_energy() const { return Energy::from_si(quantity(QuantityKind::energy, true)); }
EnergyPerBit JsonNode::as_energy_per_bit() const {
  return EnergyPerBit::from_si(quantity(QuantityKind::energy_per_bit, true));
}
FlopRate JsonNode::as_flop_rate() const {
  return FlopRate::from_si(quantity(QuantityKind::flop_rate, false));
}

Temperature JsonNode::as_temperature() const {
  return Temperature::from_kelvin(quantity(QuantityKind::temperature, false));
}
TemperatureDelta JsonNode::as_temperature_delta(bool allow_zero) const {
  return TemperatureDelta::from_si(quantity(QuantityKind::temperature_delta, allow_zero));
}
HeatCapacity JsonNode::as_heat_capacity() const {
  return HeatCapacity::from_si(quantity(QuantityKind::heat_capacity, false));
}
ThermalConductance JsonNode::as_thermal_conductance(bool allow_zero) const {
  return ThermalConductance::from_si(quantity(QuantityKind::thermal_conductance, allow_zero));
}
double JsonNode::as_fraction(double max) const {
  const double v = quantity(QuantityKind::fraction, true);
  if (v > max + 1e-12) {
    fail(fmt::format("a percentage of at most {} % is expected here, got {}", max * 100,
                     describe_value(*v_)));
  }
  return v;
}

SimTime JsonNode::as_sim_time(bool allow_zero) const {
  // A cap far below SimTime's 106 days, so that the models can add a few of these (a
  // start time plus a path's latencies) without leaving int64.
  constexpr double kMaxSeconds = 1e6;
  const Duration d = as_duration(allow_zero);
  if (d.si() > kMaxSeconds) {
    fail(fmt::format("{} is beyond what the simulator can represent; at most 1e6 s (11.6 days)",
                     describe_value(*v_)));
  }
  return to_sim_time_ceil(d);
}

}  // namespace roshni::scenario
