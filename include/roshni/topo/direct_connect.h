/// A Jupiter-like direct-connect fabric (Poutievski et al., "Jupiter Evolving", SIGCOMM
/// 2022): aggregation blocks whose uplinks go, instead of to spine switches, to a layer
/// of optical circuit switches (OCS) that patch them block to block. A block is one
/// packet-switch node with its GPUs below it; each of its U uplink ports has one fibre
/// to an OCS (U / K ports on each of the K OCS devices). A *circuit* joins a port of
/// block a to a port of block b on one OCS and is, to the packet layer, a direct link.
///
/// Three choices make the fabric:
/// - the logical topology: how many circuits each block pair gets (a uniform mesh, a
///   map re-engineered to a traffic matrix, or given pair by pair);
/// - the routing: traffic between blocks a and b goes direct or through one transit
///   block t (a -> t -> b); the split over those paths (WCMP weights) is solved from a
///   block-level traffic matrix to keep the most-used circuit as low as possible
///   (wcmp_weights);
/// - the twin: the same blocks with their uplinks on packet spine switches instead
///   (layer spine), the design Jupiter replaced, for capex and power comparisons.
/// Not modelled: a block's inside (one node), OCS reconfiguration during a run (the `ocs`
/// kind does that), the circulators' and OCS's optical loss, hedging in the TE.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"

namespace roshni::topo {

/// A block-level matrix: m[a][b] for blocks a, b (square, N x N).
using BlockMatrix = std::vector<std::vector<uint32_t>>;
using TrafficMatrix = std::vector<std::vector<double>>;

enum class DirectConnectLayer : uint8_t { ocs, spine };
enum class CircuitRule : uint8_t { uniform, traffic, given };

struct DirectConnectParams {
  uint32_t blocks = 0;          // N >= 2
  uint32_t gpus_per_block = 0;  // >= 1
  uint32_t uplinks = 0;         // U: uplink ports per block, >= 1
  DataRate uplink_bandwidth;    // one uplink port (one circuit), each direction
  SimTime uplink_latency;       // one circuit (fibre both ways + OCS) or block-spine link
  DataRate gpu_bandwidth;       // GPU to block switch
  SimTime gpu_latency;
  SimTime switch_latency;       // a block (or spine) switch, port to port
  DirectConnectLayer layer = DirectConnectLayer::ocs;
  uint32_t devices = 0;         // K: OCS devices (layer ocs) or spine switches (spine)
  uint32_t device_ports = 0;    // usable ports of one OCS / spine
  SimTime reconfiguration_time; // the OCS part's (reported with rule traffic)
  CircuitRule rule = CircuitRule::uniform;
  BlockMatrix circuits;         // rule given: symmetric, zero diagonal
  /// Block-level demand (any unit; only ratios matter), diagonal ignored. Empty:
  /// uniform (every ordered pair 1). Drives the WCMP weights and, with rule traffic,
  /// the circuit map.
  TrafficMatrix traffic;
  uint32_t wcmp_steps = 64;     // quanta each pair's demand is placed in, >= 1
};

/// "" if buildable, else what is wrong, beginning with the parameter's name as the
/// scenario spells it ("uplinks: ...", "circuits[2][0]: ...", "traffic: ...").
std::string check(const DirectConnectParams& p);

/// The uniform mesh: with U = q (N - 1) + r, every pair gets q circuits and r more go
/// to a deterministic r-regular set of pairs (a circulant: offsets 1 .. r/2 around the
/// ring of blocks, plus the diameter i <-> i + N/2 when r is odd and N even; when r and
/// N are both odd, N r is odd, and a near-perfect matching along offset (N-1)/2 leaves
/// block (N+1)/2 one port unused). So every pair gets floor or ceil of U / (N - 1).
BlockMatrix uniform_circuits(uint32_t blocks, uint32_t uplinks);

/// Topology engineering: circuits in proportion to demand. d(a,b) = T[a][b] + T[b][a];
/// D(a) = sum over b of d(a,b). If U >= N - 1 every pair first gets 1 circuit (R = U -
/// (N - 1) ports left per block), else none (R = U). Pair (a,b) then gets
/// floor(x) more, x = R min(d(a,b)/D(a), d(a,b)/D(b)) (0 when d = 0), which no block
/// can overspend; then, pairs taken by largest fractional part of x (ties: lower a,
/// then lower b), one more each where both blocks still have a free port. Ports still
/// free then go in rounds: one more circuit to each pair with demand and a free port at
/// both ends, in order of d(a,b) / (c(a,b) + 1), largest first, until a round adds none.
BlockMatrix engineer_circuits(const TrafficMatrix& traffic, uint32_t uplinks);

/// The WCMP split for one ordered block pair: quanta (out of wcmp_steps) on the direct
/// path and on the path through each transit block.
struct PairSplit {
  uint32_t direct = 0;
  std::vector<uint32_t> via;  // per transit block t (size N; 0 for t = a, b)
};

/// Solved WCMP weights and what they give on the traffic matrix.
struct WcmpSolution {
  std::vector<std::vector<PairSplit>> split;  // [a][b]; empty via for pairs without demand
  double max_utilisation = 0;   // busiest circuit direction: load / (circuits x 1), demand units
  double direct_share = 0;      // traffic on direct paths / all inter-block traffic
  double mean_path_length = 0;  // block-to-block hops, traffic-weighted (1 direct, 2 transit)
};

/// Progressive filling (water-filling): each ordered pair's demand is cut into `steps`
/// equal quanta; in rounds, pairs in order (a, then b) place one quantum each on the
/// path whose busiest circuit direction would be least utilised after it (utilisation =
/// load / circuits). Ties go to the direct path, then the lower transit block. Exact
/// for uniform traffic on a uniform mesh (every quantum ties, so all go direct); for a
/// single hot pair it keeps the paths level, the LP optimum to within a quantum; a
/// heuristic, not an LP optimum, in general. Pairs without a direct
/// circuit use transits only. Requires every pair with demand to have a path.
WcmpSolution wcmp_weights(const BlockMatrix& circuits, const TrafficMatrix& traffic,
                          uint32_t steps);

/// What the fabric is made of, by closed form (docs/topologies.md#direct_connect).
struct DirectConnectParts {
  uint64_t gpus = 0;
  uint32_t blocks = 0;
  uint64_t uplink_ports = 0;     // N U: each with a transceiver and a fibre
  uint32_t devices = 0;          // OCS devices, or spine switches
  uint32_t ports_per_device = 0; // cabled: N U / K
  uint64_t circuits = 0;         // layer ocs: block-to-block circuits (each 2 OCS ports)
  uint64_t fibres = 0;           // block (and spine) port to the layer: N U
  uint64_t transceivers = 0;     // N U with OCS (the OCS is passive); 2 N U with spines
};
/// `circuits`: the map (layer ocs; empty: circuits not counted).
DirectConnectParts direct_connect_parts(const DirectConnectParams& p, const BlockMatrix& circuits);

/// Capex and power of the fabric's switching and optics, from per-part figures. Each
/// block is counted as a non-blocking two-tier folded Clos of radix-R switches serving
/// U uplinks and U downlinks: 4U/R leaves + 2U/R middles = 6U/R switches (rounded up);
/// a spine is one radix-R switch. Optics: one transceiver per uplink port and per spine
/// port; an OCS port needs none. Hosts, in-block links and cables are left out (equal
/// in both designs, or not priced).
struct BillFigures {
  uint32_t switch_radix = 0;
  double switch_price = 0, switch_power = 0;  // USD, W per switch
  double optic_price = 0, optic_power = 0;    // per transceiver
  double ocs_price = 0, ocs_power = 0;        // per OCS device
};
struct FabricBill {
  uint64_t switches = 0, transceivers = 0, ocs = 0;
  double capex = 0;  // USD
  double power = 0;  // W
};
FabricBill fabric_bill(const DirectConnectParams& p, const DirectConnectParts& parts,
                       const BillFigures& f);

struct DirectConnectFabric : Fabric {
  DirectConnectParts parts;
  BlockMatrix circuits;          // the map built (layer ocs)
  WcmpSolution wcmp;             // layer ocs
  /// Rule traffic: circuits the engineered map sets up beyond the uniform map's (as many
  /// are torn down or left dark); the OCSes re-patch them in parallel, in one
  /// reconfiguration time of the part.
  uint64_t circuits_changed = 0;
};

/// Requires check(p) to be empty. Node order: GPUs gpu<b>_<i> (block-major), block
/// switches block<b> (role "block"), then OCS devices ocs<k> (kind ocs, no links: a
/// circuit is a block-to-block link, role "circuit") or spines spine<k> (role "spine",
/// U/K parallel links from each block, role "block-spine"). Circuit links are added
/// pair by pair (a < b). check() lays the map on the OCS devices (U / K ports of each
/// block on each): in rounds, the i-th circuit of every pair in round i, each on the OCS
/// where its two blocks have used the fewest ports, or, when no OCS has a port for both,
/// after a Kempe-chain exchange (as in edge colouring) moves circuits along a path of
/// blocks between two OCSes to free one; a map it cannot lay is refused. Routing, layer ocs: a flow between blocks picks its path by its
/// hash with the WCMP weights, then one of the parallel circuits per hop by ECMP;
/// layer spine: minimum-hop ECMP.
std::unique_ptr<DirectConnectFabric> make_direct_connect(const DirectConnectParams& p);

}  // namespace roshni::topo
