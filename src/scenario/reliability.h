/// The scenario's "reliability" section: what failing parts cost the job over its whole
/// run (docs/models/reliability.md). Reads the failure rates of configs/reliability.json
/// (and the scenario's own "rates"), and turns the cluster's inventory and topology into
/// the exposures power::reliability() sums: which parts, how many, how each fails, and how
/// many GPUs a failure strands until it is repaired. Private to scenario/.
#pragma once

#include <string>

#include "roshni/scenario/document.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Reads `section` (the scenario's "/reliability") into power.reliability. Requires the
/// power setup (an "energy" section): its inventory is what fails. A link part the
/// scenario derives from a catalog part ("base") fails like its base unless it has rates
/// of its own (`parts`: the scenario's link parts).
void read_reliability(const JsonNode& section, const Document& doc, const std::string& catalog_dir,
                      const topo::Topology& t, const hw::Catalog& parts, PowerSetup& power);

}  // namespace roshni::scenario
