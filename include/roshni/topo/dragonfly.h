/// Dragonfly (Kim, Dally, Scott & Abts, "Technology-Driven, Highly-Scalable Dragonfly
/// Topology", ISCA 2008): g groups of a routers; each router has p terminals (GPUs), a
/// local link to every other router of its group and h global links to other groups.
/// Routed from its structure: minimal (local, global, local) or Valiant (via a random
/// intermediate group). Not UGAL: that needs queue or load state the Router seam lacks.
#pragma once

#include <memory>
#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

/// Which group each global port of a group leads to. Both give every pair of groups the
/// same number of global links (one when g = a*h + 1), with global port k of a group on
/// router k / h. Names after Hastings et al., "Comparing Global Link Arrangements for
/// Dragonfly Networks", IEEE Cluster 2015.
enum class GlobalArrangement : uint8_t {
  absolute,  // group i's port k goes to group k if k < i, else k + 1 (modulo g - 1 copies)
  relative,  // group i's port k goes to group (i + k + 1) mod g (modulo g - 1 copies)
};

enum class DragonflyRouting : uint8_t {
  minimal,  // at most local, global, local router-to-router hops (Kim et al. §4.1)
  valiant,  // minimal to a random intermediate group, then minimal to the destination
};

/// Counts and sizes. Physical numbers have no defaults: they come from the catalog.
struct DragonflyParams {
  uint32_t p = 2;  // terminals (GPUs) per router
  uint32_t a = 4;  // routers per group
  uint32_t h = 2;  // global links per router
  uint32_t g = 9;  // groups, at most a*h + 1 (defaults: the balanced p = 2 dragonfly)
  GlobalArrangement arrangement = GlobalArrangement::absolute;
  DragonflyRouting routing = DragonflyRouting::minimal;
  std::string gpu_prefix = "gpu";        // gpu<group>_<router>_<terminal>
  std::string router_prefix = "router";  // router<group>_<router>
  DataRate terminal_bandwidth;           // GPU to router, each direction
  DataRate local_bandwidth;              // within a group
  DataRate global_bandwidth;             // between groups
  SimTime terminal_latency, local_latency, global_latency;
  SimTime router_latency;  // port to port
};

/// The balanced dragonfly of Kim et al. §3.1 for p terminals per router: a = 2p routers
/// per group, h = p global links per router, and the largest group count, g = a*h + 1
/// (one global link between every pair of groups). p = 8 gives a = 16, h = 8, g = 129
/// and 16,512 GPUs. The physical numbers are left for the caller to fill in.
DragonflyParams balanced_dragonfly(uint32_t p);

/// "" if the parameters describe a buildable dragonfly, else what is wrong, beginning
/// with the parameter's name ("g: ...").
std::string check(const DragonflyParams& p);

/// Counts implied by the parameters (all exact).
struct DragonflyShape {
  uint32_t gpus = 0;            // p * a * g
  uint32_t routers = 0;         // a * g
  uint32_t local_links = 0;     // g * a(a-1)/2
  uint32_t links_per_pair = 0;  // global links between each pair of groups: floor(a*h/(g-1))
  uint32_t global_links = 0;    // g(g-1)/2 * links_per_pair (= g*a*h/2 when balanced)
  uint32_t router_radix = 0;    // p + (a-1) + h ports, of which some global may be idle
};
/// Requires check(p) to be empty.
DragonflyShape dragonfly_shape(const DragonflyParams& p);

struct DragonflyFabric : Fabric {
  DragonflyShape shape;
};

/// Builds the dragonfly with the router `p.routing` names; requires check(p) to be
/// empty. Node order: GPUs (group-major, then router, then terminal: GPU (G, r, t) is
/// node (G*a + r)*p + t), then routers (router (G, r) is node p*a*g + G*a + r). Links:
/// terminal links ("terminal"), then local ("local"), then global ("global").
std::unique_ptr<DragonflyFabric> make_dragonfly(const DragonflyParams& p);

}  // namespace roshni::topo
