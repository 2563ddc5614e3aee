/// A built topology together with the router that knows its structure. Generators
/// return one; the router refers to the topology, so the two live and move together
/// (always behind a unique_ptr, so the topology's address never changes).
#pragma once

#include <memory>

#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

struct Fabric {
  Topology topology;
  std::unique_ptr<Router> router;
  virtual ~Fabric() = default;
};

}  // namespace roshni::topo
