/// Blocks of GPUs whose uplinks meet in optical circuit switches (OCS), as in Google's
/// Jupiter fabric and TPU v4 pod (Poutievski et al., "Jupiter Evolving", SIGCOMM 2022;
/// Jouppi et al., ISCA 2023). Each block is a packet switch with its GPUs below it and
/// one uplink port on each of the OCS devices. An OCS patches light from port to port:
/// a *circuit* joins two blocks through one OCS and is, to the packet layer, a direct
/// link between them. Which blocks are joined by how many circuits is a configuration
/// (a "circuit map") that can change during a run; while an OCS moves its mirrors, the
/// circuits it is changing carry nothing for the reconfiguration time.
///
/// How it is represented: every circuit that exists in any configuration is a link
/// between two block switches (role "circuit"), up in the configurations that use it
/// and of capacity 0 otherwise. OCS devices are nodes (kind ocs) without links of their
/// own; their port use is checked here. Not modelled: the OCS's optical loss (the
/// physical layer's link budget) and its power (the energy model).
#pragma once

#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"

namespace roshni::topo {

/// `count` circuits between block `a` and block `b` (a != b).
struct CircuitDemand {
  uint32_t a = 0, b = 0, count = 1;
};

/// One configuration and when it takes effect: at time `at` (the first one at 0), when
/// the flows named in `after` have been delivered, or when every entry of a training
/// iteration of the kinds named in `after_training` ("backward", "pp", ...) has been
/// (both resolved by the scenario).
struct CircuitConfig {
  SimTime at;
  std::vector<std::string> after;
  std::vector<std::string> after_training;
  std::vector<CircuitDemand> circuits;
  bool by_time() const { return after.empty() && after_training.empty(); }
};

struct OcsParams {
  uint32_t blocks = 0;          // >= 2
  uint32_t gpus_per_block = 0;  // >= 1
  uint32_t ocs_count = 0;       // OCS devices = uplinks per block, >= 1
  uint32_t ocs_ports = 0;       // ports per OCS, >= blocks (one per block)
  SimTime reconfiguration_time;
  DataRate gpu_bandwidth;       // GPU to block switch, each direction
  SimTime gpu_latency;
  DataRate circuit_bandwidth;   // one circuit, each direction (the uplink port rate)
  SimTime circuit_latency;      // fibre both ways + the OCS's pass-through
  SimTime switch_latency;       // block switch, port to port
  std::vector<CircuitConfig> configs;  // at least one; configs[0] is in place at t = 0
};

/// "" if buildable, else what is wrong, beginning with the parameter's name
/// ("configs[1].circuits[0]: ..."). Checks that every configuration can be laid onto
/// the OCS devices: each circuit takes one port of each of its two blocks on one OCS,
/// and a block has one port per OCS; and that the maps given by time (`at`) are listed
/// in time order ("configs[2].at: ... is before ...").
std::string check(const OcsParams& p);

/// The changes to circuit links that a configuration change makes.
struct CircuitChange {
  std::vector<LinkId> torn_down;  // in the old map, not the new: down at the change
  std::vector<LinkId> set_up;     // in the new map, not the old: up after reconfiguration
};

struct OcsFabric : Fabric {
  std::vector<std::vector<LinkId>> config_links;  // per configuration: directed links up
  std::vector<CircuitChange> changes;             // changes[i]: from configs[i] to [i+1]
  DataRate circuit_bandwidth;
};

/// Requires check(p) to be empty. Node order: GPUs (block-major: gpu<b>_<i>), block
/// switches block<b>, OCS devices ocs<k>. Circuits are assigned to OCS devices greedily
/// in the order given (the first OCS on which both blocks have a free port). The
/// router is min-hop ECMP over the circuits of *all* configurations (for checking that
/// every flow can be routed in some configuration); at run time flows are routed when
/// they start, over the circuits up at that moment.
std::unique_ptr<OcsFabric> make_ocs(const OcsParams& p);

}  // namespace roshni::topo
