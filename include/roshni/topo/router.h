/// Routing: the path a flow takes. `Router` is the seam (one implementation per
/// topology family that can route from its structure); `ShortestPathRouter` is the
/// generic one for any graph: minimum hop count, with equal-cost multipath (ECMP)
/// chosen per flow by a deterministic, seedable hash, or always the first link.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

class Router {
 public:
  virtual ~Router() = default;
  /// Appends the links of the path from `src` to `dst` (src != dst) to `out`; the flow's
  /// `flow_hash` chooses among equal-cost options. Returns false, appending nothing,
  /// when `dst` cannot be reached.
  virtual bool route(NodeId src, NodeId dst, uint64_t flow_hash, std::vector<LinkId>& out) = 0;
};

/// A flow's ECMP hash: a function of the run's seed and the flow's index only, so the
/// same scenario and seed give the same paths everywhere, and another seed reshuffles
/// them (hash collisions, and the throughput they cost, are real and seed-dependent).
uint64_t flow_hash(uint64_t seed, uint32_t flow_index);

/// Picks one of `n` equal-cost next hops for a flow at node `at`: a fresh mix of the
/// flow hash and the node, so choices at successive switches are independent, as with
/// switches that hash the same header with different per-switch seeds.
uint32_t ecmp_pick(uint64_t flow_hash, NodeId at, uint32_t n);

enum class MultipathPolicy : uint8_t {
  first,  // always the first equal-cost link (in the order links were added)
  ecmp,   // one equal-cost link per flow, by its hash
  /// Clos fabrics only: the up link chosen by the destination, D-mod-K (Zahavi,
  /// "D-Mod-K Routing Providing Non-Blocking Traffic for Shift Permutations on Real Life
  /// Fat Trees", 2010; the fat-tree routing of InfiniBand subnet managers): at the leaf
  /// up link d mod u1, at the aggregation (d / u1) mod u2, for destination GPU d.
  dmodk,
};

/// Minimum-hop routing on any topology. For each destination it runs one breadth-first
/// search (Boost.Graph) backwards from the destination and keeps every node's hop
/// distance; a route walks from the source, at each node taking a link to a neighbour
/// one hop closer (the first such, or one chosen by ECMP). Distances are cached per
/// destination — memory grows with nodes x distinct destinations, so this router suits
/// explicit and mid-sized topologies; generated families route from their structure.
class ShortestPathRouter final : public Router {
 public:
  explicit ShortestPathRouter(const Topology& t, MultipathPolicy policy = MultipathPolicy::first);
  ~ShortestPathRouter() override;
  ShortestPathRouter(const ShortestPathRouter&) = delete;
  ShortestPathRouter& operator=(const ShortestPathRouter&) = delete;

  bool route(NodeId src, NodeId dst, uint64_t flow_hash, std::vector<LinkId>& out) override;
  /// The same with flow hash 0 (for callers that route one path per pair).
  bool route(NodeId src, NodeId dst, std::vector<LinkId>& out) { return route(src, dst, 0, out); }

  /// Route only over directed links l with (*up)[l] != 0 (failed links and circuits
  /// not configured are 0); nullptr routes over all links. The caller owns `up` and
  /// calls invalidate() after changing it.
  void set_link_filter(const std::vector<uint8_t>* up);
  /// Forgets cached distances (after the link filter's contents changed).
  void invalidate();

 private:
  const std::vector<uint32_t>& distances_to(NodeId dst);

  struct Graph;
  const Topology& t_;
  MultipathPolicy policy_;
  std::unique_ptr<Graph> g_;
  const std::vector<uint8_t>* up_ = nullptr;
  std::vector<std::vector<uint32_t>> distance_;  // [dst][node]; empty until first needed
  std::vector<LinkId> candidates_;               // scratch
};

}  // namespace roshni::topo
