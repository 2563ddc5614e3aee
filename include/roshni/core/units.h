/// Physical quantities as distinct types: a data size cannot be added to a rate.
/// Values are held in SI base units (bytes, bytes/s, seconds, watts, joules, metres);
/// parsing text such as "400 Gbps" lives in scenario/, formatting lives here.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace roshni {

/// The one place the factor 8 lives: everything else converts through these names.
inline constexpr double kBitsPerByte = 8.0;

/// A double in SI base units, tagged with what it measures.
template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  static constexpr Quantity from_si(double v) { return Quantity(v); }
  constexpr double si() const { return v_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }
  constexpr Quantity& operator+=(Quantity o) { v_ += o.v_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v_ -= o.v_; return *this; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  constexpr explicit Quantity(double v) : v_(v) {}
  double v_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double k, Quantity<Tag> q) { return q * k; }

struct DataSizeTag {};
struct DataRateTag {};
struct DurationTag {};
struct LengthTag {};
struct PowerTag {};
struct EnergyTag {};
struct EnergyPerBitTag {};
struct TemperatureDeltaTag {};
struct HeatCapacityTag {};
struct ThermalConductanceTag {};
struct FlopRateTag {};

using DataSize = Quantity<DataSizeTag>;          // bytes
using DataRate = Quantity<DataRateTag>;          // bytes per second
using Duration = Quantity<DurationTag>;          // seconds (a span; event time is SimTime)
using Length = Quantity<LengthTag>;              // metres
using Power = Quantity<PowerTag>;                // watts
using Energy = Quantity<EnergyTag>;              // joules
using EnergyPerBit = Quantity<EnergyPerBitTag>;  // joules per bit
using TemperatureDelta = Quantity<TemperatureDeltaTag>;          // kelvin, a difference
using HeatCapacity = Quantity<HeatCapacityTag>;                  // joules per kelvin
using ThermalConductance = Quantity<ThermalConductanceTag>;      // watts per kelvin

/// An absolute temperature, held in kelvin. Not a Quantity: two temperatures do not add,
/// their difference is a TemperatureDelta, and degrees Celsius are an offset scale.
class Temperature {
 public:
  constexpr Temperature() = default;
  static constexpr Temperature from_kelvin(double k) { return Temperature(k); }
  static constexpr Temperature from_celsius(double c) { return Temperature(c + kZeroCelsius); }
  constexpr double kelvin() const { return k_; }
  constexpr double celsius() const { return k_ - kZeroCelsius; }
  constexpr Temperature operator+(TemperatureDelta d) const { return Temperature(k_ + d.si()); }
  constexpr Temperature operator-(TemperatureDelta d) const { return Temperature(k_ - d.si()); }
  constexpr TemperatureDelta operator-(Temperature o) const {
    return TemperatureDelta::from_si(k_ - o.k_);
  }
  constexpr auto operator<=>(const Temperature&) const = default;
  static constexpr double kZeroCelsius = 273.15;  // 0 degC in kelvin (SI brochure, 2019)

 private:
  constexpr explicit Temperature(double k) : k_(k) {}
  double k_ = 0.0;
};
using FlopRate = Quantity<FlopRateTag>;          // floating-point operations per second

// Named constructors: the unit is in the name, never in a comment.
constexpr DataSize bytes(double b) { return DataSize::from_si(b); }
constexpr DataSize bits(double b) { return DataSize::from_si(b / kBitsPerByte); }
constexpr DataRate bytes_per_second(double b) { return DataRate::from_si(b); }
constexpr DataRate bits_per_second(double b) { return DataRate::from_si(b / kBitsPerByte); }
constexpr DataRate gbps(double g) { return bits_per_second(g * 1e9); }
constexpr Duration seconds(double s) { return Duration::from_si(s); }
constexpr Duration nanoseconds(double ns) { return Duration::from_si(ns * 1e-9); }
constexpr Length metres(double m) { return Length::from_si(m); }
constexpr Power watts(double w) { return Power::from_si(w); }
constexpr Energy joules(double j) { return Energy::from_si(j); }
constexpr EnergyPerBit joules_per_bit(double j) { return EnergyPerBit::from_si(j); }
constexpr TemperatureDelta kelvins(double k) { return TemperatureDelta::from_si(k); }
constexpr HeatCapacity joules_per_kelvin(double c) { return HeatCapacity::from_si(c); }
constexpr ThermalConductance watts_per_kelvin(double g) { return ThermalConductance::from_si(g); }
constexpr FlopRate flops_per_second(double f) { return FlopRate::from_si(f); }

constexpr double to_bits(DataSize s) { return s.si() * kBitsPerByte; }
constexpr double to_bits_per_second(DataRate r) { return r.si() * kBitsPerByte; }

// The cross-unit algebra that the models need, and no more.
constexpr Duration operator/(DataSize s, DataRate r) { return Duration::from_si(s.si() / r.si()); }
constexpr DataSize operator*(DataRate r, Duration t) { return DataSize::from_si(r.si() * t.si()); }
constexpr DataSize operator*(Duration t, DataRate r) { return r * t; }
constexpr Energy operator*(Power p, Duration t) { return Energy::from_si(p.si() * t.si()); }
constexpr Energy operator*(EnergyPerBit e, DataSize s) { return Energy::from_si(e.si() * to_bits(s)); }
constexpr Power operator*(EnergyPerBit e, DataRate r) {
  return Power::from_si(e.si() * to_bits_per_second(r));
}
constexpr Energy operator*(Duration t, Power p) { return p * t; }
constexpr Power operator/(Energy e, Duration t) { return Power::from_si(e.si() / t.si()); }
/// Heat flow through a conductance: P = G * dT.
constexpr Power operator*(ThermalConductance g, TemperatureDelta d) {
  return Power::from_si(g.si() * d.si());
}
/// Steady-state rise: dT = P / G.
constexpr TemperatureDelta operator/(Power p, ThermalConductance g) {
  return TemperatureDelta::from_si(p.si() / g.si());
}
/// Time constant of a lumped RC node: tau = C / G.
constexpr Duration operator/(HeatCapacity c, ThermalConductance g) {
  return Duration::from_si(c.si() / g.si());
}

/// Human-readable text with an SI or binary prefix: "1 GiB", "400 Gb/s", "1.2 us".
std::string to_string(DataSize v);
std::string to_string(DataRate v);
std::string to_string(Duration v);
std::string to_string(Length v);
std::string to_string(Power v);
std::string to_string(Energy v);
std::string to_string(EnergyPerBit v);
std::string to_string(TemperatureDelta v);
std::string to_string(HeatCapacity v);
std::string to_string(ThermalConductance v);
std::string to_string(Temperature v);  // "87 degC"
std::string to_string(FlopRate v);

}  // namespace roshni

template <class Tag>
struct fmt::formatter<roshni::Quantity<Tag>> : fmt::formatter<std::string> {
  template <class Ctx>
  auto format(roshni::Quantity<Tag> q, Ctx& ctx) const {
    return fmt::formatter<std::string>::format(roshni::to_string(q), ctx);
  }
};

template <>
struct fmt::formatter<roshni::Temperature> : fmt::formatter<std::string> {
  template <class Ctx>
  auto format(roshni::Temperature t, Ctx& ctx) const {
    return fmt::formatter<std::string>::format(roshni::to_string(t), ctx);
  }
};
