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
  double tariff = 0;          // currency units per kWh from the grid
  std::string currency = "USD";
  double per_usd = 1.0;       // currency units per USD (1 when the currency is USD)
  double carbon_kg_per_joule = 0;  // the grid's
  /// On-site (or contracted) solar: either a fixed share of energy, or capacity with an
  /// hourly capacity factor profile (24 values in [0, 1], hour 0 = midnight). The grid's
  /// own solar is in its tariff and carbon intensity, not here.
  std::optional<double> solar_share;
  Power solar_capacity;
  std::array<double, 24> solar_profile{};
  double solar_lcoe = 0;                 // currency units per kWh of solar generated
  double solar_carbon_kg_per_joule = 0;  // lifecycle, per joule generated
  /// A battery behind the solar plant (capacity form only): it stores what the load does
  /// not use by day and gives it back after dark. 0 energy = none.
  Energy battery_energy;
  Power battery_power;                   // charge and discharge limit
  double battery_efficiency = 1.0;       // round trip, charged on the way in
  Power grid_allocation;        // 0 = not given
  /// How often the workload runs back to back in a campaign (a training run's
  /// iterations); 1 = once. Used to scale the cost and carbon of one run.
  double repeats = 1.0;
};

/// What on-site solar supplies a steady load: the share of the load's energy it covers
/// (directly or through the battery), and what the plant generates on average (billed at
/// the LCOE whether used or curtailed: the plant costs what it costs).
struct SolarSupply {
  double share = 0;           // of the load's energy, in [0, 1]
  double battery_share = 0;   // the part of `share` that came through the battery
  Power generation;           // mean over the day; for a fixed share, share x load
  double curtailed = 0;       // share of generation neither used nor stored (nor lost)
};

struct FacilityResult {
  Energy it_energy, facility_energy;  // facility = IT x PUE
  Power it_average, facility_average, facility_peak;
  double solar_share = 0;        // of facility energy
  double battery_share = 0;      // of facility energy, through the battery
  double solar_curtailed = 0;    // of solar generation
  Energy grid_energy;            // facility energy not from solar
  Energy solar_generated;        // what the plant generated while the run lasted
  double grid_cost = 0, solar_cost = 0;  // of one run, in the tariff's currency
  double cost = 0, cost_usd = 0;  // of one run, in the tariff's currency and in USD
  double campaign_cost = 0, campaign_cost_usd = 0;  // x repeats
  Duration campaign_time;        // run time x repeats
  Energy campaign_energy;        // facility energy x repeats
  double annual_energy_kwh = 0;  // running continuously at the run's average for a year
  double annual_cost = 0, annual_cost_usd = 0;
  double co2_kg = 0, campaign_co2_kg = 0, annual_co2_tonnes = 0;
  double grid_allocation_share = 0;  // facility peak / grid allocation (0 if none given)
};

/// On-site solar under a load that draws `demand` around the clock: a fixed share, or
/// from capacity S, hourly capacity factors cf_h and the battery, the steady daily cycle
/// (docs/models/facility.md).
SolarSupply solar_supply(const Facility& f, Power demand);

FacilityResult facility_costs(const Facility& f, const EnergyResult& e);

}  // namespace roshni::power
