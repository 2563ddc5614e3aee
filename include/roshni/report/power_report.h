/// The energy, heat and money of a run in report.json's "power" section, the
/// components.csv and racks.csv tables and the summary lines. Only for scenarios whose
/// power setup is enabled (an "energy", "thermal" or "facility" section).
#pragma once

#include <string>

#include "roshni/report/json_writer.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"

namespace roshni::report {

void write_power_json(JsonWriter& w, const scenario::Scenario& s, const scenario::PowerOutcome& p);
/// The headline energy, heat and money figures, written inside report.json's "summary"
/// (so `check`, `compare` and `sweep` see them).
void write_power_summary(JsonWriter& w, const scenario::Scenario& s,
                         const scenario::PowerOutcome& p);

/// components.csv: component, class, part, rack, static_energy_J, dynamic_energy_J,
/// energy_J, average_power_W.
std::string components_csv(const scenario::Scenario& s, const scenario::PowerOutcome& p);
/// racks.csv: rack, components, average_power_W, peak_power_W, cooling_limit_W,
/// max_coolant_C, max_gpu_C (the last two only with the rc model; empty otherwise).
std::string racks_csv(const scenario::Scenario& s, const scenario::PowerOutcome& p);

std::string power_summary(const scenario::Scenario& s, const scenario::PowerOutcome& p);

}  // namespace roshni::report
