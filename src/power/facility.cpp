// The planner's arithmetic (see HARDWARE-FACTS.md's worked example: IT power x PUE,
// x hours, x tariff). Facility power is IT power x PUE (The Green Grid, "PUE: a
// comprehensive examination of the metric", White Paper 49, 2012): cooling and power
// distribution scale with the IT load. Carbon counts only the energy not covered by
// solar: grid energy x grid intensity (solar's own lifecycle emissions are left out).
#include "roshni/power/facility.h"

#include <algorithm>

namespace roshni::power {

namespace {
constexpr double kJoulesPerKwh = 3.6e6;
constexpr double kSecondsPerYear = 365.0 * 86400.0;  // 8,760 h
}  // namespace

double solar_share_of(const Facility& f, Power demand) {
  if (f.solar_share) return *f.solar_share;
  if (demand.si() <= 0 || f.solar_capacity.si() <= 0) return 0.0;
  double covered = 0;
  for (double cf : f.solar_profile) covered += std::min(demand.si(), f.solar_capacity.si() * cf);
  return covered / (24.0 * demand.si());
}

FacilityResult facility_costs(const Facility& f, const EnergyResult& e) {
  FacilityResult r;
  r.it_energy = e.total;
  r.facility_energy = e.total * f.pue;
  r.it_average = e.average;
  r.facility_average = e.average * f.pue;
  r.facility_peak = e.peak * f.pue;
  r.solar_share = solar_share_of(f, r.facility_average);
  r.grid_energy = r.facility_energy * (1.0 - r.solar_share);
  const double kwh = r.facility_energy.si() / kJoulesPerKwh;
  r.cost = kwh * f.tariff;
  r.cost_usd = r.cost / f.per_usd;
  r.campaign_cost = r.cost * f.repeats;
  r.campaign_cost_usd = r.cost_usd * f.repeats;
  r.campaign_time = e.run_time * f.repeats;
  r.campaign_energy = r.facility_energy * f.repeats;
  r.annual_energy_kwh = r.facility_average.si() * kSecondsPerYear / kJoulesPerKwh;
  r.annual_cost = r.annual_energy_kwh * f.tariff;
  r.annual_cost_usd = r.annual_cost / f.per_usd;
  r.co2_kg = r.grid_energy.si() * f.carbon_kg_per_joule;
  r.campaign_co2_kg = r.co2_kg * f.repeats;
  r.annual_co2_tonnes =
      r.facility_average.si() * kSecondsPerYear * (1.0 - r.solar_share) * f.carbon_kg_per_joule / 1e3;
  if (f.grid_allocation.si() > 0) r.grid_allocation_share = r.facility_peak / f.grid_allocation;
  return r;
}

}  // namespace roshni::power
