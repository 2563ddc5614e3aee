/// The site around the cluster and what its energy costs: PUE, the electricity tariff
/// in a currency (and USD through an exchange rate), the grid's carbon intensity, the
/// share of energy from solar (fixed, or from on-site capacity and a daily profile),
/// and the grid power set aside (the cooling limit per rack is the heat model's:
/// thermal::ThermalParams). Plain data from configs/facilities.json
/// and the scenario; facility_costs() is the arithmetic a planner does, written once.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "roshni/core/units.h"
#include "roshni/power/accounting.h"

namespace roshni::power {

struct Facility {
  std::string name;           // catalog entry, or "" when given in the scenario only
  double pue = 1.0;           // total facility power / IT power, >= 1
  double tariff = 0;          // currency units per kWh
  std::string currency = "USD";
  double per_usd = 1.0;       // currency units per USD (1 when the currency is USD)
  double carbon_kg_per_joule = 0;
  /// Solar: either a fixed share of energy, or on-site capacity with an hourly capacity
  /// factor profile (24 values in [0, 1], hour 0 = midnight).
  std::optional<double> solar_share;
  Power solar_capacity;
  std::array<double, 24> solar_profile{};
  Power grid_allocation;        // 0 = not given
  /// How often the workload runs back to back in a campaign (a training run's
  /// iterations); 1 = once. Used to scale the cost and carbon of one run.
  double repeats = 1.0;
};

struct FacilityResult {
  Energy it_energy, facility_energy;  // facility = IT x PUE
  Power it_average, facility_average, facility_peak;
  double solar_share = 0;        // of facility energy
  Energy grid_energy;            // facility energy not from solar
  double cost = 0, cost_usd = 0;  // of one run, in the tariff's currency and in USD
  double campaign_cost = 0, campaign_cost_usd = 0;  // x repeats
  Duration campaign_time;        // run time x repeats
  Energy campaign_energy;        // facility energy x repeats
  double annual_energy_kwh = 0;  // running continuously at the run's average for a year
  double annual_cost = 0, annual_cost_usd = 0;
  double co2_kg = 0, campaign_co2_kg = 0, annual_co2_tonnes = 0;
  double grid_allocation_share = 0;  // facility peak / grid allocation (0 if none given)
};

/// The solar share of a load that draws `demand` around the clock, from on-site
/// capacity and its hourly profile: sum_h min(D, S cf_h) / (24 D).
double solar_share_of(const Facility& f, Power demand);

FacilityResult facility_costs(const Facility& f, const EnergyResult& e);

}  // namespace roshni::power
