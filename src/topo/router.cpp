#include "roshni/topo/router.h"

#include <algorithm>
#include <limits>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

constexpr uint32_t kUnreached = std::numeric_limits<uint32_t>::max();

__extension__ using u128 = unsigned __int128;  // GCC/Clang extension, for Lemire's reduction

uint64_t mix64(uint64_t z) {  // SplitMix64's finaliser: a good, cheap 64-bit mixer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Records each vertex's hop distance from the search root.
struct DistanceRecorder : boost::default_bfs_visitor {
  std::vector<uint32_t>* dist;
  template <class Edge, class G>
  void tree_edge(Edge e, const G& g) const {
    (*dist)[boost::target(e, g)] = (*dist)[boost::source(e, g)] + 1;
  }
};

}  // namespace

uint64_t flow_hash(uint64_t seed, uint32_t flow_index) {
  return mix64(seed * 0x9e3779b97f4a7c15ULL + flow_index + 1);
}

uint32_t ecmp_pick(uint64_t flow_hash, NodeId at, uint32_t n) {
  const uint64_t h = mix64(flow_hash ^ (0xd6e8feb86659fd93ULL * (at.value() + 1ULL)));
  return static_cast<uint32_t>((static_cast<u128>(h) * n) >> 64);  // Lemire 2019
}

// Vertices are node ids; each edge carries the id of the directed link it stands for.
struct ShortestPathRouter::Graph {
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                  boost::no_property, boost::property<boost::edge_index_t, uint32_t>>;
  G g;
};

namespace {

// Keeps the edges whose link is up (all of them without a filter).
template <class G>
struct LinkIsUp {
  const G* g = nullptr;
  const std::vector<uint8_t>* up = nullptr;
  template <class Edge>
  bool operator()(const Edge& e) const {
    return up == nullptr || (*up)[boost::get(boost::edge_index, *g, e)] != 0;
  }
};

}  // namespace

ShortestPathRouter::ShortestPathRouter(const Topology& t, MultipathPolicy policy)
    : t_(t), policy_(policy), g_(std::make_unique<Graph>()), distance_(t.node_count()) {
  g_->g = Graph::G(t.node_count());
  for (uint32_t l = 0; l < t.link_count(); ++l) {
    boost::add_edge(t.link_from(LinkId(l)).value(), t.link_to(LinkId(l)).value(), l, g_->g);
  }
}

ShortestPathRouter::~ShortestPathRouter() = default;

const std::vector<uint32_t>& ShortestPathRouter::distances_to(NodeId dst) {
  auto& dist = distance_[dst.value()];
  if (!dist.empty()) return dist;
  dist.assign(t_.node_count(), kUnreached);
  dist[dst.value()] = 0;
  // Searching the reversed graph from dst gives every node's distance *to* dst.
  using G = Graph::G;
  boost::filtered_graph<G, LinkIsUp<G>> usable(g_->g, LinkIsUp<G>{&g_->g, up_});
  auto reversed = boost::make_reverse_graph(usable);
  DistanceRecorder recorder;
  recorder.dist = &dist;
  std::vector<boost::default_color_type> colour(t_.node_count());
  boost::breadth_first_search(
      reversed, dst.value(),
      boost::visitor(recorder).color_map(boost::make_iterator_property_map(
          colour.begin(), boost::get(boost::vertex_index, reversed))));
  return dist;
}

void ShortestPathRouter::set_link_filter(const std::vector<uint8_t>* up) {
  up_ = up;
  invalidate();
}

void ShortestPathRouter::invalidate() {
  for (auto& d : distance_) std::vector<uint32_t>().swap(d);
}

bool ShortestPathRouter::route(NodeId src, NodeId dst, uint64_t hash, std::vector<LinkId>& out) {
  ROSHNI_ASSERT(src != dst, "route from {} to itself", t_.node_name(src));
  const auto& dist = distances_to(dst);
  if (dist[src.value()] == kUnreached) return false;
  for (NodeId at = src; at != dst;) {
    candidates_.clear();
    if (dist[at.value()] == 1) {
      // One hop from dst: the candidates are the links at -> dst. Found from dst's side
      // (links are duplex pairs), so a switch with thousands of ports next to the
      // destination does not scan them all; sorted, they are in at's adjacency order.
      for (LinkId l : t_.out_links(dst)) {
        const LinkId back = t_.link_reverse(l);
        if (t_.link_to(l) != at || (up_ != nullptr && (*up_)[back.value()] == 0)) continue;
        candidates_.push_back(back);
      }
      std::sort(candidates_.begin(), candidates_.end());
      if (policy_ == MultipathPolicy::first && candidates_.size() > 1) candidates_.resize(1);
    } else {
      for (LinkId l : t_.out_links(at)) {
        if (up_ != nullptr && (*up_)[l.value()] == 0) continue;
        if (dist[t_.link_to(l).value()] + 1 == dist[at.value()]) {
          candidates_.push_back(l);
          if (policy_ == MultipathPolicy::first) break;
        }
      }
    }
    ROSHNI_ASSERT(!candidates_.empty(), "no next hop at {} towards {}", t_.node_name(at),
                  t_.node_name(dst));
    const LinkId l = candidates_.size() == 1
                         ? candidates_[0]
                         : candidates_[ecmp_pick(hash, at, static_cast<uint32_t>(candidates_.size()))];
    out.push_back(l);
    at = t_.link_to(l);
  }
  return true;
}

}  // namespace roshni::topo
