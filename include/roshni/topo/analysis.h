/// What a built topology answers about itself, before anything runs on it: what it is
/// made of (counts, cables by length), whether it can be built (ports against radix),
/// how far apart its GPUs are (diameter) and what it carries between two halves
/// (bisection, by max-flow). Read-only queries; no routing and no simulation.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/units.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

// ---- Counts -------------------------------------------------------------------------

/// Cable length classes, upper bounds inclusive. Lengths of 0 mean "not placed".
enum class CableBucket : uint8_t {
  up_to_1m, up_to_3m, up_to_5m, up_to_10m, up_to_30m, up_to_100m, over_100m, unplaced
};
inline constexpr size_t kCableBucketCount = 8;
CableBucket cable_bucket(Length length);
/// "<=1m", "<=3m", ..., ">100m", "unplaced".
std::string_view to_string(CableBucket b);

/// A kind of non-GPU node as the bill of materials counts it.
struct NodeClass {
  NodeKind kind = NodeKind::switch_;
  uint8_t tier = 0;
  std::string role;  // node_role(): the kind's name when the generator gave none
  auto operator<=>(const NodeClass&) const = default;
};

/// Every map is ordered, so iterating a TopologyCounts is deterministic.
struct TopologyCounts {
  uint32_t gpus = 0;
  std::map<NodeClass, uint32_t> switches;          // every non-GPU node (switches and OCS)
  uint32_t physical_links = 0;                     // duplex links (directed links / 2)
  std::map<std::string, uint32_t> links_by_role;   // physical links; "" = no role given
  std::array<uint32_t, kCableBucketCount> cables{};  // physical links, by CableBucket
};
TopologyCounts count_parts(const Topology& t);

// ---- Ports --------------------------------------------------------------------------

/// Ports a node uses: one per physical link at it (parallel links each take a port).
struct PortUse {
  NodeId node;
  std::string name;
  uint32_t used = 0;
  uint32_t radix = 0;  // 0 = not limited
};
/// Every non-GPU node, in id order.
std::vector<PortUse> port_usage(const Topology& t);
/// Every node (GPU or not) with a radix that uses more ports than it has, in id order;
/// the scenario layer turns each into an error naming the node.
std::vector<PortUse> over_radix(const Topology& t);

// ---- Diameter -----------------------------------------------------------------------

/// The largest, over pairs of GPUs, of the fewest hops between them (paths may cross any
/// node). Exact when `lower == upper`; otherwise the work budget ran out first and the
/// true diameter lies in [lower, upper] — both bounds are certified, not estimates.
struct Diameter {
  static constexpr uint32_t kInfinite = std::numeric_limits<uint32_t>::max();
  uint32_t lower = 0, upper = 0;  // hops; both kInfinite when some GPU cannot reach another
  uint32_t searches = 0;          // breadth-first searches run
  bool exact() const { return lower == upper; }
  bool connected() const { return lower != kInfinite; }
};

struct DiameterOptions {
  /// Work budget in adjacency entries scanned (one breadth-first search scans every
  /// directed link once): 1e9 is a second or two. The first five searches always run.
  uint64_t max_link_scans = 1'000'000'000;
};

/// iFUB (Crescenzi, Grossi, Habib, Lanzi, Marino, "On computing the diameter of
/// real-world undirected graphs", TCS 514, 2013), restricted to GPU end points: a
/// 4-sweep picks a central node u and a lower bound; then GPUs are searched from in
/// decreasing distance from u until the lower bound reaches 2 × (the next level), which
/// bounds every pair not yet searched from. GPUs whose links all go to one switch are
/// covered by one search from that switch. On Clos and fat-tree fabrics u is a spine or
/// core and the answer comes after five searches (65,536 GPUs: a few ms); a dragonfly
/// needs about one search per router; vertex-transitive graphs (tori) may need one per
/// GPU, and past the budget get a bound pair (40×40×40 torus: [60, 96] in ~2 s). Any
/// graph with (GPUs + 5) × directed links within the budget gets the exact answer.
Diameter gpu_diameter(const Topology& t, const DiameterOptions& options = {});

// ---- Bisection ----------------------------------------------------------------------

/// Max-flow from one set of GPUs to another, each link direction an edge of its own
/// capacity (a super-source feeds `from`, a super-sink drains `to`, both unlimited).
/// Capacities are rounded to whole bytes/s (see analysis.cpp for why integers).
DataRate max_flow(const Topology& t, std::span<const NodeId> from, std::span<const NodeId> to);

struct BisectionOptions {
  uint32_t random_partitions = 4;  // K random balanced partitions, besides the two fixed ones
  uint64_t seed = 1;               // for the random ones (sim::RandomStream)
};

/// One balanced partition of the GPUs and the max-flow from its half A to its half B.
struct BisectionCut {
  std::string partition;  // "id-halves", "even-odd", "random-1", ...
  DataRate flow;          // bytes/s, A to B
};

/// Bisection bandwidth as the minimum max-flow over a few balanced partitions of the
/// GPUs (computed by push-relabel max-flow in Boost.Graph, not by formula):
///   id-halves   A = the first half of gpus(), B = the second;
///   even-odd    A = even positions of gpus(), B = odd;
///   random-k    A = a uniformly random half (Fisher–Yates with the seeded stream).
/// With N odd, A has N/2 (rounded down) GPUs and B the rest (id-halves, random), or A
/// the even positions and B the odd (even-odd).
/// The true bisection bandwidth is the minimum over ALL balanced partitions, which is
/// NP-hard (minimum bisection, Garey, Johnson & Stockmeyer 1976); this is therefore an
/// UPPER bound on it. It equals the true value for the symmetric fabrics we generate
/// whenever one of the partitions tried is a worst cut — for fat-trees and Clos built
/// pod by pod (or leaf by leaf) in id order, id-halves is.
struct Bisection {
  std::vector<BisectionCut> cuts;  // in the order above
  DataRate bandwidth;              // the minimum over `cuts`; 0 with fewer than 2 GPUs
};
Bisection bisection_bandwidth(const Topology& t, const BisectionOptions& options = {});

}  // namespace roshni::topo
