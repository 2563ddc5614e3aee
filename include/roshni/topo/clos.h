/// Folded-Clos fabrics with GPUs at the bottom — the family that covers leaf-spine
/// (2 tiers), fat-trees with pods and a core (3 tiers, the k-ary fat-tree of Al-Fares,
/// Loukissas & Vahdat, SIGCOMM 2008, as the non-oversubscribed special case),
/// rail-optimized fabrics (GPU r of every server on the leaf of rail r), and an optional
/// scale-up domain (NVLink/NVSwitch- or UB-like) that joins groups of GPUs below the
/// scale-out fabric. Built from switch radix and per-tier oversubscription, and routed
/// from its structure (ClosRouter), so 100k-GPU fabrics build and route in seconds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"

namespace roshni::topo {

/// How GPUs attach to leaves.
enum class GpuPlacement : uint8_t {
  consecutive,  // a leaf's down ports take consecutive GPUs (a server's GPUs share a leaf)
  rail,         // GPU r of each server goes to the leaf of rail r of the server's group
};

struct ScaleUpParams {
  uint32_t domain_size = 0;   // GPUs per domain (8, 72, 384, ...); 0 = no scale-up domain
  uint32_t planes = 1;        // switch chips per domain, each linked to every GPU in it
  DataRate bandwidth;         // per GPU, per direction, over all planes together
  SimTime link_latency;
  SimTime switch_latency;
};

struct ClosParams {
  uint32_t tiers = 2;                  // 2: leaf-spine; 3: leaf-aggregation-core with pods
  uint32_t radix = 0;                  // ports per switch, >= 2
  /// Down:up port ratio at the leaves and (3 tiers) the aggregation switches; 1 = full
  /// bisection. A tier with radix k and ratio r has k*r/(r+1) down ports and k/(r+1) up.
  double leaf_oversubscription = 1;
  double agg_oversubscription = 1;
  uint32_t gpus = 0;                   // 0: as many as the fabric can take
  GpuPlacement placement = GpuPlacement::consecutive;
  uint32_t gpus_per_server = 8;        // for rail placement: the number of rails
  DataRate link_bandwidth;             // every fabric link, each direction
  SimTime link_latency;
  SimTime switch_latency;
  ScaleUpParams scale_up;
};

/// The fabric's shape as derived from the parameters (all counts exact).
struct ClosShape {
  uint32_t leaf_down = 0, leaf_up = 0;   // ports per leaf
  uint32_t agg_down = 0, agg_up = 0;     // 3 tiers: per aggregation switch
  uint32_t leaves_per_pod = 0;           // 3 tiers; 2 tiers: all leaves are one pod
  uint64_t max_gpus = 0;                 // capacity at this radix and oversubscription
                                         // (64-bit: k·d_a·d passes 2^32 from radix 2,048)
  uint32_t gpus = 0, leaves = 0, pods = 0, spines = 0, cores = 0, domains = 0;
  /// Sized to the GPUs present: a spine (2 tiers) takes spine_lanes uplinks of every leaf
  /// (min(u, floor(k/leaves)); 1 in a full fabric and for 3 tiers); a core takes
  /// core_lanes of the u*u_a aggregation uplink indices of every pod (min(u*u_a,
  /// floor(k/pods)); 1 in a full fabric). One pod has no cores (core_lanes 0).
  uint32_t spine_lanes = 0, core_lanes = 0;
};

/// An empty string if the parameters describe a buildable fabric, else what is wrong,
/// beginning with the parameter's name (e.g. "radix: 63 leaves no whole number of...").
std::string check(const ClosParams& p);
/// Requires check(p) to be empty.
ClosShape clos_shape(const ClosParams& p);

struct ClosFabric : Fabric {
  ClosShape shape;
};

/// Builds the fabric; requires check(p) to be empty. Node order: GPUs (gpu0..), leaves,
/// spines or aggregation switches, cores, scale-up switches. Only the switches the GPUs
/// use are built (see ClosShape); the topology's sizing() says how each tier was sized.
std::unique_ptr<ClosFabric> make_clos(const ClosParams& p, MultipathPolicy policy);

}  // namespace roshni::topo
