/// Minimum-hop routing. For each destination it runs one breadth-first search (Boost.Graph)
/// backwards from the destination and keeps, for every node, the first link on a
/// shortest path towards it; a route is then read off by walking those links. Ties go to
/// the link added first, so routes are deterministic. Trees are cached per destination,
/// so routing every flow costs one BFS per distinct destination, never all-pairs tables.
#pragma once

#include <memory>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

class ShortestPathRouter {
 public:
  explicit ShortestPathRouter(const Topology& t);
  ~ShortestPathRouter();
  ShortestPathRouter(const ShortestPathRouter&) = delete;
  ShortestPathRouter& operator=(const ShortestPathRouter&) = delete;

  /// Appends the links of a minimum-hop path from `src` to `dst` to `out`.
  /// Returns false (and appends nothing) when `dst` cannot be reached. src != dst.
  bool route(NodeId src, NodeId dst, std::vector<LinkId>& out);

 private:
  const std::vector<LinkId>& tree_towards(NodeId dst);

  struct Graph;
  const Topology& t_;
  std::unique_ptr<Graph> g_;
  std::vector<std::vector<LinkId>> next_link_;  // [dst][node]; empty until first needed
};

}  // namespace roshni::topo
