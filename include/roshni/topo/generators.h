/// Topologies built from a few parameters instead of an explicit list. The slice has
/// one, "star"; the topology library (fat-tree, torus, ...) adds the rest here.
#pragma once

#include <memory>
#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

/// N GPUs, each joined to one central packet switch by its own duplex link.
struct StarParams {
  uint32_t gpus = 0;                     // >= 1
  std::string gpu_prefix = "gpu";        // names gpu0 .. gpu{N-1}
  std::string switch_name = "switch";
  DataRate link_bandwidth;               // each direction, > 0
  SimTime link_latency;                  // each link, >= 0
  SimTime switch_latency;                // port to port, >= 0
  /// The switch is a scale-up (NVSwitch-like) switch: links get role "scale-up" and the
  /// switch role "nvswitch", so a library counts the hops as NVLink (coll/library.h).
  bool scale_up = false;
};
Topology make_star(const StarParams& p);

/// Routes a make_star topology from its structure: GPU i's link to the switch and the
/// switch's link to GPU j, found in O(1) with no per-destination state (a generic
/// shortest-path router caches a distance per node and destination: 4 GB at 32,768 GPUs).
std::unique_ptr<Router> make_star_router(const Topology& star);

}  // namespace roshni::topo
