/// The registry of topology generators a scenario can name in "topology": {"kind": ...}.
/// Each entry reads its own parameters from the scenario (so its errors point at the
/// right JSON path) and builds a topo::Fabric: the topology and the router that knows
/// its structure. Built-ins are listed in one place, topologies.cpp; docs/topologies.md
/// documents each one's parameters.
#pragma once

#include <optional>

#include "roshni/topo/placement.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "roshni/scenario/document.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/fabric.h"
#include "scenario/limits.h"

namespace roshni::scenario {

/// Sees a topology's size before it is built; throws ScenarioError to refuse it. Also
/// carries where the catalog is, for generators that name catalog parts (an OCS).
struct BeforeBuild {
  std::function<void(const SizeEstimate&)> check;
  std::string catalog_dir;            // configs/ (switches.json ...); "" = none given
  const FileReader* reader = nullptr;  // reads catalog files; nullptr = none given
  void operator()(const SizeEstimate& size) const { check(size); }
};

struct TopologyGenerator {
  std::string_view name;     // the "kind", spelled as in scenarios
  std::string_view summary;  // one line, with its source
  /// Reads the topology object `spec` (its "kind" already checked) and builds it.
  /// Throws ScenarioError naming the offending field. Once the parameters are read and
  /// checked, and before anything is built, calls `before` with the closed-form size of
  /// what it will build (limits.h), which may refuse it.
  std::unique_ptr<topo::Fabric> (*build)(const JsonNode& spec, const BeforeBuild& before);
};

std::span<const TopologyGenerator> topology_generators();

/// The generator named by `kind` (a JSON string node); an unknown name fails with the
/// nearest known name suggested and the list of all of them.
const TopologyGenerator& find_topology_generator(const JsonNode& kind);

/// Applies the optional "placement" section of a topology object: places racks on a
/// floor, gives every cable a length, and (if asked) adds its propagation delay.
std::optional<topo::Placement> apply_placement(const JsonNode& spec, topo::Fabric& fabric);

/// Places the fabric on the default floor (topo::FloorParams{}) and sets cable lengths.
topo::Placement apply_default_placement(topo::Fabric& fabric);

/// Fails, naming the first switch whose links use more ports than its radix.
void check_radix(const JsonNode& spec, const topo::Topology& t);

}  // namespace roshni::scenario
