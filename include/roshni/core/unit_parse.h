/// The units module: text such as "400 Gbps", "1 GiB", "1.2 us", "15 pJ/bit" into the
/// strong types of units.h. Every quantity in a scenario or catalog passes through here,
/// once, at the edge. Decimal (k, M, G: powers of 1000) and binary (Ki, Mi, Gi: powers of
/// 1024) prefixes; lower-case b is bits, upper-case B is bytes. The grammar, the
/// accepted unit spellings and examples are in docs/scenario-reference.md.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "roshni/core/units.h"

namespace roshni {

/// What a text was expected to be; selects the accepted units and the error wording.
enum class QuantityKind {
  data_size, data_rate, duration, length, power, energy, energy_per_bit,
  temperature,          // absolute: "300 K", "35 degC" (held in kelvin)
  temperature_delta,    // a difference: "5 K"
  heat_capacity,        // "2 kJ/K"
  thermal_conductance,  // "10 W/K"; also a power per kelvin: "0.5 mW/K"
  fraction,             // "20 %" (held as 0.2)
  fraction_per_kelvin,  // "0.5 %/K" (held as 0.005 per K)
  carbon_intensity,     // "310 gCO2/kWh" (held in kg per joule)
  flop_rate,  // floating-point operations per second ("989.4 TFLOP/s")
};

/// "a data size", "a data rate", ... for messages.
std::string_view describe(QuantityKind k);
/// An example of a valid text of this kind: "1 GiB", "400 Gbps", ...
std::string_view example(QuantityKind k);

/// The range a quantity of each kind may take in a scenario or the catalog, in SI units:
/// a non-zero value lies in [min_nonzero, max]. Wider than any real machine, narrow enough
/// that no derived figure (a sum over a million flows, a quotient by a rate) overflows.
/// The loader refuses a value outside it, naming the file and JSON pointer; the table is
/// in docs/scenario-reference.md ("Ranges").
struct QuantityRange {
  double min_nonzero;
  double max;
  std::string_view max_text;  // "1 EB", for messages
  std::string_view min_text = {};  // empty when any positive value is accepted
};
QuantityRange physical_range(QuantityKind k);

/// A parse failure: a message that says what was expected and what was found,
/// suitable to follow "file:/json/pointer: ".
struct UnitError {
  std::string message;
};

/// Parses `text` as a quantity of `kind`: a decimal number (optional sign, fraction,
/// exponent), optional spaces, a unit. Returns the value in SI base units, or why not.
/// Sign and range are not checked here (the caller knows whether 0 or <0 is allowed),
/// but NaN, infinity and a missing or unknown unit are errors.
std::variant<double, UnitError> parse_quantity(std::string_view text, QuantityKind kind);

template <class Q>
std::variant<Q, UnitError> parse_as(std::string_view text, QuantityKind kind) {
  auto r = parse_quantity(text, kind);
  if (auto* e = std::get_if<UnitError>(&r)) return *e;
  return Q::from_si(std::get<double>(r));
}

}  // namespace roshni
