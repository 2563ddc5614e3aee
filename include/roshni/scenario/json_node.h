/// A view of one value inside a JSON document that knows where it is: the file it came
/// from and its JSON pointer. Every accessor that finds the value wrong throws a
/// ScenarioError naming that file and pointer, so every message is precise for free.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roshni/core/error.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/unit_parse.h"
#include "roshni/core/units.h"

namespace roshni::scenario {

/// Maps a JSON pointer to the file its value came from (after `extends` merging and
/// --set overrides, values of one document can come from several files).
using FileOf = std::function<std::string(const std::string& pointer)>;

class JsonNode {
 public:
  JsonNode(const nlohmann::json& value, std::string pointer, const FileOf* file_of);

  const nlohmann::json& raw() const { return *v_; }
  const std::string& pointer() const { return pointer_; }
  std::string file() const;
  [[noreturn]] void fail(const std::string& message) const;

  // Objects.
  bool is_object() const { return v_->is_object(); }
  bool has(std::string_view key) const;
  /// The member `key`; missing is an error that says what was expected there.
  JsonNode at(std::string_view key, std::string_view expected) const;
  std::optional<JsonNode> get(std::string_view key) const;
  /// Requires an object whose keys are all in `allowed`; an unknown key is an error that
  /// suggests the nearest allowed one and lists them all.
  void expect_keys(std::initializer_list<std::string_view> allowed) const;

  // Arrays.
  size_t size() const;  // requires an array
  JsonNode operator[](size_t i) const;

  // Scalars. Each checks the JSON type and says what it expected when wrong.
  std::string as_string() const;
  /// A name that is printed to terminals and used in file names (a scenario, node, role or
  /// flow name): a string of at most kMaxNameBytes bytes without control characters.
  /// `what` says which name ("a node name") in the message.
  std::string as_name(std::string_view what, bool allow_empty = false) const;
  static constexpr size_t kMaxNameBytes = 200;
  bool as_bool() const;
  /// A plain JSON number in [min, max] (a price, an exchange rate, a ratio); `what` says
  /// what it is ("an exchange rate") in the message.
  double as_number(double min, double max, std::string_view what) const;
  /// An integer within [min, max]; 8.5, "8" and 1e30 are errors.
  int64_t as_int(int64_t min, int64_t max) const;
  /// A quantity with a unit ("400 Gbps"); `positive` forbids 0, negatives always fail.
  DataSize as_data_size() const;          // > 0
  DataRate as_data_rate() const;          // > 0
  Duration as_duration(bool allow_zero) const;  // >= 0 or > 0
  Length as_length() const;               // >= 0
  Power as_power() const;                 // >= 0
  Energy as_energy() const;               // >= 0
  EnergyPerBit as_energy_per_bit() const; // >= 0
  Temperature as_temperature() const;     // > 0 K ("35 degC", "308 K")
  TemperatureDelta as_temperature_delta(bool allow_zero) const;
  HeatCapacity as_heat_capacity() const;  // > 0
  ThermalConductance as_thermal_conductance(bool allow_zero) const;
  /// A percentage ("20 %") as a fraction in [0, max] (max 1 unless more makes sense).
  double as_fraction(double max = 1.0) const;
  /// Any quantity of `kind`, in SI, >= 0 (or > 0 without allow_zero).
  double as_quantity(QuantityKind kind, bool allow_zero) const { return quantity(kind, allow_zero); }
  FlopRate as_flop_rate() const;          // > 0
  /// A duration converted to simulated time (rounded up to whole picoseconds).
  SimTime as_sim_time(bool allow_zero) const;

 private:
  double quantity(QuantityKind kind, bool allow_zero) const;

  const nlohmann::json* v_;
  std::string pointer_;
  const FileOf* file_of_;
};

}  // namespace roshni::scenario
