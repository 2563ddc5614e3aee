// The planner's arithmetic (see HARDWARE-FACTS.md's worked example: IT power x PUE,
// x hours, x tariff). Facility power is IT power x PUE (The Green Grid, "PUE: a
// comprehensive examination of the metric", White Paper 49, 2012): cooling and power
// distribution scale with the IT load. Energy from the grid is billed at the tariff and
// emits at the grid's intensity; on-site solar is billed at its levelised cost (LCOE) for
// every kWh the plant generates, used or curtailed, and emits its lifecycle intensity.
#include "roshni/power/facility.h"

#include <algorithm>
#include <cmath>

namespace roshni::power {

namespace {
constexpr double kJoulesPerKwh = 3.6e6;
constexpr double kSecondsPerYear = 365.0 * 86400.0;  // 8,760 h
constexpr double kSecondsPerHour = 3600.0;
constexpr int kMaxDays = 400;  // a battery's daily cycle settles in far fewer
}  // namespace

SolarSupply solar_supply(const Facility& f, Power demand) {
  SolarSupply out;
  const double load = demand.si();
  if (f.solar_share) {
    out.share = *f.solar_share;
    out.generation = demand * out.share;
    return out;
  }
  const double capacity = f.solar_capacity.si();
  if (load <= 0 || capacity <= 0) return out;
  double mean_cf = 0;
  for (double cf : f.solar_profile) mean_cf += cf / 24.0;
  out.generation = watts(capacity * mean_cf);

  // Hour by hour: the sun serves the load first; what is left charges the battery (up to
  // its power and free room, losing 1 - efficiency on the way in); after that the battery
  // serves what the sun does not (up to its power and what it holds). Days repeat from an
  // empty battery until the charge at dawn repeats: the steady daily cycle.
  const double room = f.battery_energy.si();
  const double rate = f.battery_power.si();
  const double eta = f.battery_efficiency;
  double stored = 0, direct = 0, from_battery = 0;
  for (int day = 0; day < kMaxDays; ++day) {
    const double at_dawn = stored;
    direct = 0;
    from_battery = 0;
    for (double cf : f.solar_profile) {
      const double sun = capacity * cf;
      const double used = std::min(load, sun);
      direct += used;
      if (room > 0) {
        const double charge = std::min({sun - used, rate, (room - stored) / (eta * kSecondsPerHour)});
        stored += charge * eta * kSecondsPerHour;
        const double discharge = std::min({load - used, rate, stored / kSecondsPerHour});
        stored -= discharge * kSecondsPerHour;
        from_battery += discharge;
      }
    }
    if (room <= 0 || std::fabs(stored - at_dawn) <= 1e-12 * room) break;
  }
  out.share = (direct + from_battery) / (24.0 * load);
  out.battery_share = from_battery / (24.0 * load);
  // Of what the plant generates: used directly, or stored (of which 1 - eta is lost and
  // the rest given back); the remainder is curtailed.
  const double generated = 24.0 * capacity * mean_cf;
  const double stored_in = eta > 0 ? from_battery / eta : 0;
  out.curtailed = generated > 0 ? std::max(0.0, generated - direct - stored_in) / generated : 0;
  return out;
}

FacilityResult facility_costs(const Facility& f, const EnergyResult& e) {
  FacilityResult r;
  r.it_energy = e.total;
  r.facility_energy = e.total * f.pue;
  r.it_average = e.average;
  r.facility_average = e.average * f.pue;
  r.facility_peak = e.peak * f.pue;
  const SolarSupply sun = solar_supply(f, r.facility_average);
  r.solar_share = sun.share;
  r.battery_share = sun.battery_share;
  r.solar_curtailed = sun.curtailed;
  r.grid_energy = r.facility_energy * (1.0 - r.solar_share);
  // A fixed share generates exactly what it covers; a plant generates its mean output for
  // as long as the run lasts (the run stands for a steady load around the clock).
  r.solar_generated = f.solar_share ? r.facility_energy * r.solar_share : sun.generation * e.run_time;
  r.grid_cost = r.grid_energy.si() / kJoulesPerKwh * f.tariff;
  r.solar_cost = r.solar_generated.si() / kJoulesPerKwh * f.solar_lcoe;
  r.cost = r.grid_cost + r.solar_cost;
  r.cost_usd = r.cost / f.per_usd;
  r.campaign_cost = r.cost * f.repeats;
  r.campaign_cost_usd = r.cost_usd * f.repeats;
  r.campaign_time = e.run_time * f.repeats;
  r.campaign_energy = r.facility_energy * f.repeats;
  // A year at the run's mean facility power, with the same supply.
  const double year_j = r.facility_average.si() * kSecondsPerYear;
  const double year_solar_j =
      f.solar_share ? year_j * r.solar_share : sun.generation.si() * kSecondsPerYear;
  r.annual_energy_kwh = year_j / kJoulesPerKwh;
  r.annual_cost = (year_j * (1.0 - r.solar_share) * f.tariff + year_solar_j * f.solar_lcoe) /
                  kJoulesPerKwh;
  r.annual_cost_usd = r.annual_cost / f.per_usd;
  r.co2_kg = r.grid_energy.si() * f.carbon_kg_per_joule +
             r.solar_generated.si() * f.solar_carbon_kg_per_joule;
  r.campaign_co2_kg = r.co2_kg * f.repeats;
  r.annual_co2_tonnes = (year_j * (1.0 - r.solar_share) * f.carbon_kg_per_joule +
                         year_solar_j * f.solar_carbon_kg_per_joule) / 1e3;
  if (f.grid_allocation.si() > 0) r.grid_allocation_share = r.facility_peak / f.grid_allocation;
  return r;
}

}  // namespace roshni::power
