/// The "energy", "thermal" and "facility" sections of a scenario, with the catalog
/// entries they name (configs/accelerators.json, switches.json, facilities.json) and the
/// model defaults (configs/models.json): from them, the power inventory of the cluster,
/// the heat model's parameters, the site and the priced bill of materials. Private to
/// scenario/; documented in docs/scenario-reference.md.
#pragma once

#include <string>
#include <vector>

#include "roshni/hw/catalog.h"
#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// Reads the three sections (any may be absent; none present leaves `out` disabled).
/// `node_rack` and `rack_names` say where each node sits; `catalog` has the link parts and
/// `link_loss_db` each optical link's loss (PhysicalSummary; empty without a physical
/// section, when every laser is taken at its catalog launch);
/// `training_accelerator` (a training workload's, or "") is the default accelerator.
void read_power(const Document& doc, const std::string& catalog_dir, const topo::Topology& t,
                const hw::Catalog& catalog, const std::vector<double>& link_loss_db,
                const std::vector<uint32_t>& node_rack,
                const std::vector<std::string>& rack_names,
                const std::string& training_accelerator, PowerSetup& out);

}  // namespace roshni::scenario
