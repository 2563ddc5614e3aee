#include "roshni/topo/router.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>

#include "roshni/core/error.h"

namespace roshni::topo {

// Vertices are node ids; each edge carries the id of the directed link it stands for.
struct ShortestPathRouter::Graph {
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                  boost::no_property, boost::property<boost::edge_index_t, uint32_t>>;
  G g;
};

namespace {

// Records, for every vertex first reached by the backward search, the link it uses to
// step towards the search root. A vertex is discovered once, through the first edge in
// adjacency order, so ties between equal-length paths resolve deterministically.
template <class G>
struct NextHopRecorder : boost::default_bfs_visitor {
  std::vector<LinkId>* next;
  template <class Edge>
  void tree_edge(Edge e, const G& g) const {
    // In the reversed graph an edge u->v is the link v->u: v's next hop is that link.
    const auto v = boost::target(e, g);
    (*next)[v] = LinkId(boost::get(boost::edge_index, g, e));
  }
};

}  // namespace

ShortestPathRouter::ShortestPathRouter(const Topology& t)
    : t_(t), g_(std::make_unique<Graph>()), next_link_(t.node_count()) {
  g_->g = Graph::G(t.node_count());
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    for (LinkId l : t.out_links(NodeId(n))) {
      boost::add_edge(n, t.link_to(l).value(), l.value(), g_->g);
    }
  }
}

ShortestPathRouter::~ShortestPathRouter() = default;

const std::vector<LinkId>& ShortestPathRouter::tree_towards(NodeId dst) {
  auto& next = next_link_[dst.value()];
  if (!next.empty()) return next;
  next.assign(t_.node_count(), LinkId::invalid());
  auto reversed = boost::make_reverse_graph(g_->g);
  using RG = decltype(reversed);
  NextHopRecorder<RG> recorder;
  recorder.next = &next;
  std::vector<boost::default_color_type> colour(t_.node_count());
  boost::breadth_first_search(
      reversed, dst.value(),
      boost::visitor(recorder).color_map(boost::make_iterator_property_map(
          colour.begin(), boost::get(boost::vertex_index, reversed))));
  return next;
}

bool ShortestPathRouter::route(NodeId src, NodeId dst, std::vector<LinkId>& out) {
  ROSHNI_ASSERT(src != dst, "route from {} to itself", t_.node_name(src));
  const auto& next = tree_towards(dst);
  if (!next[src.value()].valid()) return false;
  // Switches do not forward through GPUs in a star, but an explicit topology may route
  // through any node; the BFS tree already made that choice.
  for (NodeId at = src; at != dst;) {
    const LinkId l = next[at.value()];
    out.push_back(l);
    at = t_.link_to(l);
  }
  return true;
}

}  // namespace roshni::topo
