/// Two switchless topologies of N GPUs and their routers: the full mesh (a direct link
/// between every pair, as inside an 8-GPU AMD Infinity Fabric or Gaudi box) and the
/// bidirectional ring. Not a 2D mesh (a torus without wrap-around: not built here).
#pragma once

#include <memory>
#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

/// N GPUs, each pair joined by its own duplex link. Physical numbers have no defaults:
/// they come from the catalog.
struct FullMeshParams {
  uint32_t gpus = 8;               // >= 2, <= 2048 (N(N-1)/2 links)
  std::string gpu_prefix = "gpu";  // gpu0 .. gpu{N-1}
  DataRate link_bandwidth;         // each link, each direction, > 0
  SimTime link_latency;            // >= 0
};

/// N GPUs in a cycle, gpu i linked to gpu i+1 (mod N); with N = 2, one link.
struct RingParams {
  uint32_t gpus = 8;               // >= 2
  std::string gpu_prefix = "gpu";  // gpu0 .. gpu{N-1}
  DataRate link_bandwidth;         // each link, each direction, > 0
  SimTime link_latency;            // >= 0
  SimTime forwarding_latency;      // a GPU passing traffic on round the ring, >= 0
};

/// "" if the parameters are buildable, else what is wrong, beginning with the
/// parameter's name ("gpus: ...").
std::string check(const FullMeshParams& p);
std::string check(const RingParams& p);

using DirectFabric = Fabric;

/// Requires check(p) to be empty. Node i is gpu<i>. Links in order (0,1), (0,2), ...,
/// (0,N-1), (1,2), ...: the link of pair i < j is physical link i(2N-i-1)/2 + j-i-1, role
/// "mesh". The router takes that one link: every route is one hop.
std::unique_ptr<DirectFabric> make_full_mesh(const FullMeshParams& p);

/// Requires check(p) to be empty. Node i is gpu<i>; physical link i joins gpu i to
/// gpu i+1 (mod N), role "ring". The router goes the shorter way round, a tie (even N,
/// exactly opposite) the positive way (increasing index): min(|i-j|, N-|i-j|) hops.
std::unique_ptr<DirectFabric> make_ring(const RingParams& p);

}  // namespace roshni::topo
