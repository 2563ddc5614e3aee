// Topology analysis: counts, ports, GPU diameter (iFUB, Crescenzi et al. TCS 2013) and
// bisection bandwidth by max-flow (push-relabel, Goldberg & Tarjan JACM 1988, as
// implemented by Boost.Graph).
#include "roshni/topo/analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <fmt/format.h>

#include "roshni/core/error.h"
#include "roshni/sim/random.h"

namespace roshni::topo {

// ---- Counts -------------------------------------------------------------------------

CableBucket cable_bucket(Length length) {
  const double m = length.si();
  if (m == 0.0) return CableBucket::unplaced;
  if (m <= 1.0) return CableBucket::up_to_1m;
  if (m <= 3.0) return CableBucket::up_to_3m;
  if (m <= 5.0) return CableBucket::up_to_5m;
  if (m <= 10.0) return CableBucket::up_to_10m;
  if (m <= 30.0) return CableBucket::up_to_30m;
  if (m <= 100.0) return CableBucket::up_to_100m;
  return CableBucket::over_100m;
}

std::string_view to_string(CableBucket b) {
  switch (b) {
    case CableBucket::up_to_1m: return "<=1m";
    case CableBucket::up_to_3m: return "<=3m";
    case CableBucket::up_to_5m: return "<=5m";
    case CableBucket::up_to_10m: return "<=10m";
    case CableBucket::up_to_30m: return "<=30m";
    case CableBucket::up_to_100m: return "<=100m";
    case CableBucket::over_100m: return ">100m";
    case CableBucket::unplaced: return "unplaced";
  }
  return "?";
}

TopologyCounts count_parts(const Topology& t) {
  TopologyCounts c;
  c.gpus = static_cast<uint32_t>(t.gpus().size());
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    if (t.node_kind(id) == NodeKind::gpu) continue;
    ++c.switches[NodeClass{t.node_kind(id), t.node_tier(id), std::string(t.node_role(id))}];
  }
  c.physical_links = static_cast<uint32_t>(t.link_count() / 2);
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    ++c.links_by_role[std::string(t.link_role(LinkId(l)))];
    ++c.cables[static_cast<size_t>(cable_bucket(t.link_length(LinkId(l))))];
  }
  return c;
}

// ---- Ports --------------------------------------------------------------------------

namespace {
PortUse port_use(const Topology& t, NodeId n) {
  // Each physical link at n contributes exactly one outgoing direction.
  return PortUse{n, t.node_name(n), static_cast<uint32_t>(t.out_links(n).size()),
                 t.node_radix(n)};
}
}  // namespace

std::vector<PortUse> port_usage(const Topology& t) {
  std::vector<PortUse> out;
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    if (t.node_kind(NodeId(n)) != NodeKind::gpu) out.push_back(port_use(t, NodeId(n)));
  }
  return out;
}

std::vector<PortUse> over_radix(const Topology& t) {
  std::vector<PortUse> out;
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    if (t.node_radix(id) != 0 && t.out_links(id).size() > t.node_radix(id)) {
      out.push_back(port_use(t, id));
    }
  }
  return out;
}

// ---- Diameter -----------------------------------------------------------------------

namespace {

constexpr uint32_t kUnreached = std::numeric_limits<uint32_t>::max();

// Breadth-first search over a flat copy of the adjacency (neighbour ids only), which is
// all a hop count needs and far kinder to the cache than following LinkIds.
class HopSearch {
 public:
  explicit HopSearch(const Topology& t)
      : is_gpu_(t.node_count(), 0), offset_(t.node_count() + 1, 0),
        dist_(t.node_count(), kUnreached), parent_(t.node_count(), kUnreached),
        order_(t.node_count()) {
    for (NodeId g : t.gpus()) is_gpu_[g.value()] = 1;
    gpu_count_ = static_cast<uint32_t>(t.gpus().size());
    for (uint32_t n = 0; n < t.node_count(); ++n) {
      offset_[n + 1] = offset_[n] + static_cast<uint32_t>(t.out_links(NodeId(n)).size());
    }
    peer_.reserve(t.link_count());
    for (uint32_t n = 0; n < t.node_count(); ++n) {
      for (LinkId l : t.out_links(NodeId(n))) peer_.push_back(t.link_to(l).value());
    }
  }

  struct Result {
    uint32_t eccentricity = 0;  // largest distance to a reached GPU
    uint32_t farthest = 0;      // the last GPU reached at that distance
    uint32_t gpus_reached = 0;
  };

  // Distances from `root` to every node; stops once every GPU has been reached.
  Result run(uint32_t root) {
    std::fill(dist_.begin(), dist_.end(), kUnreached);
    Result r;
    dist_[root] = 0;
    parent_[root] = kUnreached;
    order_[0] = root;
    size_t head = 0, tail = 1;
    if (is_gpu_[root]) {
      r.farthest = root;
      r.gpus_reached = 1;
    }
    while (head < tail && r.gpus_reached < gpu_count_) {
      const uint32_t v = order_[head++];
      const uint32_t next = dist_[v] + 1;
      scans_ += offset_[v + 1] - offset_[v];
      for (uint32_t i = offset_[v]; i < offset_[v + 1]; ++i) {
        const uint32_t w = peer_[i];
        if (dist_[w] != kUnreached) continue;
        dist_[w] = next;
        parent_[w] = v;
        order_[tail++] = w;
        if (is_gpu_[w]) {
          ++r.gpus_reached;
          r.eccentricity = next;
          r.farthest = w;
        }
      }
    }
    ++searches_;
    return r;
  }

  // The node `steps` hops back from `v` along the last search's tree.
  uint32_t walk_back(uint32_t v, uint32_t steps) const {
    for (; steps > 0; --steps) v = parent_[v];
    return v;
  }

  uint32_t distance(uint32_t v) const { return dist_[v]; }
  bool is_gpu(uint32_t v) const { return is_gpu_[v] != 0; }
  uint32_t gpu_count() const { return gpu_count_; }
  uint64_t scans() const { return scans_; }
  uint64_t cost_of_one() const { return peer_.size(); }
  uint32_t searches() const { return searches_; }

 private:
  std::vector<uint8_t> is_gpu_;
  uint32_t gpu_count_ = 0;
  std::vector<uint32_t> offset_, peer_;
  std::vector<uint32_t> dist_, parent_, order_;
  uint64_t scans_ = 0;
  uint32_t searches_ = 0;
};

}  // namespace

Diameter gpu_diameter(const Topology& t, const DiameterOptions& options) {
  Diameter d;
  const auto& gpus = t.gpus();
  if (gpus.size() < 2) return d;  // no pair: 0 hops
  HopSearch bfs(t);
  const uint32_t n_gpus = bfs.gpu_count();

  // ecc(w) below is w's GPU eccentricity: its largest distance to any GPU. For any node w
  // and GPUs x, y: d(x, y) <= d(x, w) + d(w, y) <= 2 ecc(w), so the diameter is at most
  // 2 ecc(w); and for a GPU w it is at least ecc(w).
  uint32_t lower = 0, upper = Diameter::kInfinite;
  std::vector<uint8_t> searched(t.node_count(), 0);
  auto search_gpu = [&](uint32_t g) {
    searched[g] = 1;
    const auto r = bfs.run(g);
    lower = std::max(lower, r.eccentricity);
    upper = std::min(upper, 2 * r.eccentricity);
    return r;
  };

  // 4-sweep (Crescenzi et al. 2013, section 4): two double sweeps, each from the middle
  // of the previous longest path, find a long GPU-to-GPU path and a central node u.
  auto r = search_gpu(gpus.front().value());
  if (r.gpus_reached < n_gpus) {
    d.lower = d.upper = Diameter::kInfinite;
    d.searches = bfs.searches();
    return d;
  }
  r = search_gpu(r.farthest);
  const uint32_t mid1 = bfs.walk_back(r.farthest, r.eccentricity - r.eccentricity / 2);
  r = bfs.run(mid1);
  upper = std::min(upper, 2 * r.eccentricity);
  r = search_gpu(r.farthest);
  const uint32_t u = bfs.walk_back(r.farthest, r.eccentricity - r.eccentricity / 2);
  r = bfs.run(u);
  const uint32_t ecc_u = r.eccentricity;
  upper = std::min(upper, 2 * ecc_u);

  // GPUs by their distance from u: level i holds GPUs i hops from u.
  std::vector<uint32_t> level_start(ecc_u + 2, 0);
  for (NodeId g : gpus) ++level_start[bfs.distance(g.value()) + 1];
  std::partial_sum(level_start.begin(), level_start.end(), level_start.begin());
  std::vector<uint32_t> by_level(n_gpus);
  {
    std::vector<uint32_t> fill(level_start.begin(), level_start.end() - 1);
    for (NodeId g : gpus) by_level[fill[bfs.distance(g.value())]++] = g.value();
  }

  // A GPU whose links all lead to one node r (a GPU under its leaf switch) is one hop
  // further than r from every other GPU: d(x, y) = 1 + d(r, y) for y != x, as every path
  // out of x starts with r. One search from r therefore gives the eccentricity of all
  // the GPUs hanging off r — on a Clos fabric, one search per leaf instead of one per GPU.
  std::vector<uint32_t> anchor(t.node_count(), kUnreached);
  for (NodeId g : gpus) {
    const auto links = t.out_links(g);
    const NodeId r = t.link_to(links.front());  // connected, so every GPU has a link
    if (std::all_of(links.begin(), links.end(), [&](LinkId l) { return t.link_to(l) == r; })) {
      anchor[g.value()] = r.value();
    }
  }
  std::vector<uint8_t> anchor_done(t.node_count(), 0);
  auto search_anchor = [&](uint32_t a) {
    anchor_done[a] = 1;
    const auto r = bfs.run(a);
    // For x hanging off a: ecc(x) = 1 + max over GPUs y != x of d(a, y). x is 1 from a,
    // so when some GPU is 2 or more from a that maximum is a's own; otherwise every GPU
    // is a itself (0) or a neighbour of a (1), and x is 2 from another neighbour, or 1
    // from a when a is the only other GPU.
    uint32_t ecc = 1 + r.eccentricity;
    if (r.eccentricity < 2) ecc = r.gpus_reached - bfs.is_gpu(a) >= 2 ? 2 : 1;
    lower = std::max(lower, ecc);
  };

  // iFUB: having the eccentricity of every GPU at levels above i, every pair with an
  // end there is covered, and a pair with both ends at level i or below is at most 2i
  // apart (through u). So diameter <= max(lower, 2i), and once lower >= 2i it is exact.
  for (uint32_t i = ecc_u; i >= 1 && lower < upper; --i) {
    upper = std::min(upper, std::max(lower, 2 * i));
    if (lower >= upper) break;
    for (uint32_t k = level_start[i]; k < level_start[i + 1] && lower < upper; ++k) {
      const uint32_t x = by_level[k];
      const uint32_t a = anchor[x];
      if (searched[x] || (a != kUnreached && anchor_done[a])) continue;
      if (bfs.scans() + bfs.cost_of_one() > options.max_link_scans) {
        d.lower = lower;
        d.upper = upper;
        d.searches = bfs.searches();
        return d;
      }
      if (a != kUnreached) {
        search_anchor(a);
      } else {
        search_gpu(x);
      }
    }
  }
  // Every level searched (or the bounds met): the lower bound is the diameter.
  d.lower = d.upper = lower;
  d.searches = bfs.searches();
  return d;
}

// ---- Bisection ----------------------------------------------------------------------

namespace {

// The max-flow network: one vertex per node plus a super-source and a super-sink, one
// edge per link direction with a zero-capacity partner for the residual graph (as
// Boost's push-relabel requires), and an edge source->g and g->sink for every GPU, whose
// capacity a partition switches on or off — so the graph is built once per topology.
//
// Capacities are integers, in units of `quantum_` bytes/s (1 B/s unless the total
// capacity would not fit in 62 bits). Push-relabel on doubles tests excesses with > 0,
// so a rounding residue (0.3 - 0.1 - 0.2 is not 0 in binary) leaves a node
// active for pointless pushes, and its termination proof assumes exact arithmetic; on
// integers the result is exact and the same everywhere. Rounding a rate such as 5e10
// B/s to whole bytes/s loses nothing; an odd rate loses under 0.5 B/s per link.
//
// "Unlimited" source and sink edges get the GPU's total outgoing (incoming) capacity:
// by flow conservation no more could cross them, so the max-flow is the same as with
// infinite ones and no sum can overflow.
class FlowNetwork {
 public:
  explicit FlowNetwork(const Topology& t) {
    double total = 0;
    for (uint32_t l = 0; l < t.link_count(); ++l) total += t.link_capacity(LinkId(l)).si();
    quantum_ = 1.0;
    while (total / quantum_ >= 0x1p62) quantum_ *= 2.0;

    const auto n = static_cast<uint32_t>(t.node_count());
    source_ = n;
    sink_ = n + 1;
    std::vector<int64_t> out_cap(n, 0), in_cap(n, 0);
    for (uint32_t l = 0; l < t.link_count(); ++l) {
      const LinkId id(l);
      const auto c = static_cast<int64_t>(std::llround(t.link_capacity(id).si() / quantum_));
      add(t.link_from(id).value(), t.link_to(id).value(), c);
      out_cap[t.link_from(id).value()] += c;
      in_cap[t.link_to(id).value()] += c;
    }
    for (NodeId gpu : t.gpus()) {
      from_source_.push_back(add(source_, gpu.value(), 0));
      to_sink_.push_back(add(gpu.value(), sink_, 0));
      source_cap_.push_back(out_cap[gpu.value()]);
      sink_cap_.push_back(in_cap[gpu.value()]);
    }
    freeze(n + 2);
  }

  // side[i] for the i-th GPU of gpus(): 'A' (fed by the source), 'B' (drained by the
  // sink) or anything else (neither).
  DataRate solve(const std::vector<char>& side) {
    for (size_t i = 0; i < side.size(); ++i) {
      capacity_[from_source_[i]] = side[i] == 'A' ? source_cap_[i] : 0;
      capacity_[to_sink_[i]] = side[i] == 'B' ? sink_cap_[i] : 0;
    }
    const auto index = boost::get(boost::edge_index, g_);
    const int64_t flow = boost::push_relabel_max_flow(
        g_, source_, sink_, boost::make_iterator_property_map(capacity_.begin(), index),
        boost::make_iterator_property_map(residual_.begin(), index),
        boost::make_iterator_property_map(reverse_.begin(), index),
        boost::get(boost::vertex_index, g_));
    return bytes_per_second(static_cast<double>(flow) * quantum_);
  }

 private:
  // Compressed sparse rows: one array of targets, no allocation per edge (an
  // adjacency_list with edge properties allocates each edge's properties on the heap).
  using Graph = boost::compressed_sparse_row_graph<boost::directedS>;
  using Edge = boost::graph_traits<Graph>::edge_descriptor;

  // Adds an arc and its zero-capacity partner; returns the arc's index in arc order.
  uint32_t add(uint32_t from, uint32_t to, int64_t capacity) {
    const auto a = static_cast<uint32_t>(arcs_.size());
    arcs_.emplace_back(from, to);
    arc_capacity_.push_back(capacity);
    arcs_.emplace_back(to, from);
    arc_capacity_.push_back(0);
    return a;
  }

  // Sorts the arcs by source (a stable counting sort), builds the graph from them in
  // that order so that edge index = sorted position, and re-labels every arc index.
  void freeze(uint32_t vertices) {
    const size_t m = arcs_.size();
    std::vector<uint32_t> start(vertices + 1, 0);
    for (const auto& a : arcs_) ++start[a.first + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<uint32_t> position(m);
    std::vector<std::pair<uint32_t, uint32_t>> sorted(m);
    for (size_t i = 0; i < m; ++i) {
      position[i] = start[arcs_[i].first]++;
      sorted[position[i]] = arcs_[i];
    }
    g_ = Graph(boost::edges_are_sorted, sorted.begin(), sorted.end(), vertices);
    capacity_.assign(m, 0);
    residual_.assign(m, 0);
    reverse_.resize(m);
    for (size_t i = 0; i < m; ++i) {
      capacity_[position[i]] = arc_capacity_[i];
      const size_t partner = i ^ 1;  // arcs were added in pairs
      reverse_[position[i]] = Edge(arcs_[partner].first, position[partner]);
    }
    for (auto& e : from_source_) e = position[e];
    for (auto& e : to_sink_) e = position[e];
    arcs_.clear();
    arcs_.shrink_to_fit();
    arc_capacity_.clear();
    arc_capacity_.shrink_to_fit();
  }

  double quantum_ = 1.0;
  uint32_t source_ = 0, sink_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> arcs_;  // while building
  std::vector<int64_t> arc_capacity_;                // while building
  Graph g_;
  std::vector<int64_t> capacity_, residual_;  // by edge index
  std::vector<Edge> reverse_;                 // by edge index
  std::vector<uint32_t> from_source_, to_sink_;  // edge indices, one per GPU
  std::vector<int64_t> source_cap_, sink_cap_;
};

}  // namespace

DataRate max_flow(const Topology& t, std::span<const NodeId> from, std::span<const NodeId> to) {
  std::vector<uint32_t> position(t.node_count(), kUnreached);
  for (size_t i = 0; i < t.gpus().size(); ++i) position[t.gpus()[i].value()] = static_cast<uint32_t>(i);
  std::vector<char> side(t.gpus().size(), '-');
  for (NodeId n : from) {
    ROSHNI_ASSERT(position[n.value()] != kUnreached, "max_flow from {}: not a GPU", t.node_name(n));
    side[position[n.value()]] = 'A';
  }
  for (NodeId n : to) {
    ROSHNI_ASSERT(position[n.value()] != kUnreached, "max_flow to {}: not a GPU", t.node_name(n));
    ROSHNI_ASSERT(side[position[n.value()]] != 'A', "{} is on both sides", t.node_name(n));
    side[position[n.value()]] = 'B';
  }
  FlowNetwork net(t);
  return net.solve(side);
}

Bisection bisection_bandwidth(const Topology& t, const BisectionOptions& options) {
  Bisection b;
  const size_t n = t.gpus().size();
  if (n < 2) return b;
  FlowNetwork net(t);
  std::vector<char> side(n);

  for (size_t i = 0; i < n; ++i) side[i] = i < n / 2 ? 'A' : 'B';
  b.cuts.push_back({"id-halves", net.solve(side)});
  for (size_t i = 0; i < n; ++i) side[i] = i % 2 == 0 ? 'A' : 'B';
  b.cuts.push_back({"even-odd", net.solve(side)});

  sim::RandomStream rng(options.seed);
  std::vector<uint32_t> order(n);
  for (uint32_t k = 1; k <= options.random_partitions; ++k) {
    std::iota(order.begin(), order.end(), 0u);
    for (size_t i = n - 1; i > 0; --i) {  // Fisher-Yates, our own so it is the same everywhere
      std::swap(order[i], order[rng.uniform_below(i + 1)]);
    }
    for (size_t i = 0; i < n; ++i) side[order[i]] = i < n / 2 ? 'A' : 'B';
    b.cuts.push_back({fmt::format("random-{}", k), net.solve(side)});
  }

  b.bandwidth = b.cuts.front().flow;
  for (const auto& c : b.cuts) b.bandwidth = std::min(b.bandwidth, c.flow);
  return b;
}

}  // namespace roshni::topo
