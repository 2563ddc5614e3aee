// Dragonfly construction and routing, after Kim, Dally, Scott & Abts, ISCA 2008.
//
// Wiring. Group G has routers (G, 0..a-1); router (G, r) has terminals (G, r, 0..p-1),
// a local link to every other router of G (the "all-to-all" intra-group network of
// Kim et al. §3.1) and global ports h*r .. h*r + h-1 of its group. A group has a*h
// global ports, numbered k = 0 .. a*h-1, and g - 1 other groups to reach; each pair of
// groups gets m = floor(a*h / (g-1)) global links (m = 1 in the balanced dragonfly,
// g = a*h + 1), using ports k < m*(g-1); the rest stay idle. Port k = c*(g-1) + j is
// copy c of the link to the group at index j of the arrangement:
//   absolute: j-th other group in increasing order (group j if j < G, else j + 1);
//   relative: group (G + j + 1) mod g.
// Both are symmetric: if group G's port (c, j) reaches group H, H's port (c, j') with
// j' the index of G in H's list reaches G, so each physical link is added once.
//
// Routing (Kim et al. §4.1). Minimal: from the source router R_s, if the destination
// router R_d is in another group, go to the router R_a of the source group that holds
// the global link to the destination group (a local hop, unless R_a = R_s), cross it to
// R_b, then a local hop to R_d unless R_b = R_d: at most 3 router-to-router hops
// (local, global, local). With m > 1 parallel global links the flow hash picks one.
// Valiant: pick an intermediate group G_i (by the flow hash, uniformly among the g - 2
// groups other than the source's and destination's), route minimally from R_s to
// *any* router of G_i — landing wherever the global link lands — and then minimally to
// R_d: at most local, global, [local, global, local] = 5 router-to-router hops, 2 of
// them global. For two routers of the same group, Valiant goes through a random third
// router of that group instead (2 local hops): a detour through another group would
// cross the single global link to it and back. With too few groups or routers to
// choose from, Valiant falls back to minimal.
#include "roshni/topo/dragonfly.h"

#include <algorithm>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

constexpr uint64_t kMaxNodes = uint64_t{1} << 24;
constexpr uint64_t kMaxLinks = uint64_t{1} << 28;  // physical; ids count both directions
constexpr uint32_t kMaxPorts = 65535;              // p, a, h: keeps a*h and the radix in range

// The group at index j (0 .. g-2) of group `from`'s arrangement, and its inverse.
uint32_t arranged_peer(GlobalArrangement arr, uint32_t from, uint32_t j, uint32_t g) {
  if (arr == GlobalArrangement::absolute) return j < from ? j : j + 1;
  return (from + j + 1) % g;
}
uint32_t arranged_index(GlobalArrangement arr, uint32_t from, uint32_t to, uint32_t g) {
  if (arr == GlobalArrangement::absolute) return to < from ? to : to - 1;
  return (to + g - from - 1) % g;
}

class DragonflyRouter final : public Router {
 public:
  DragonflyRouter(const Topology& t, const DragonflyParams& p, uint32_t links_per_pair)
      : t_(t),
        p_(p.p),
        a_(p.a),
        g_(p.g),
        m_(links_per_pair),
        routing_(p.routing),
        arrangement_(p.arrangement),
        gpus_(p.p * p.a * p.g) {}

  bool route(NodeId src, NodeId dst, uint64_t hash, std::vector<LinkId>& out) override {
    ROSHNI_ASSERT(src != dst, "route from {} to itself", t_.node_name(src));
    const bool src_gpu = src.value() < gpus_, dst_gpu = dst.value() < gpus_;
    const uint32_t rs = src_gpu ? src.value() / p_ : src.value() - gpus_;
    const uint32_t rd = dst_gpu ? dst.value() / p_ : dst.value() - gpus_;
    if (src_gpu) out.push_back(terminal_up[src.value()]);
    if (rs != rd) {
      if (routing_ == DragonflyRouting::valiant) {
        valiant(rs, rd, hash, out);
      } else {
        minimal(rs, rd, hash, out);
      }
    }
    if (dst_gpu) out.push_back(t_.link_reverse(terminal_up[dst.value()]));
    return true;
  }

  // The structure, filled in by make_dragonfly.
  std::vector<LinkId> terminal_up;  // [gpu]: GPU -> its router
  std::vector<LinkId> local;        // [(G*a + r)*a + r2]: router (G,r) -> (G,r2); invalid if r = r2
  std::vector<LinkId> global;       // [(G*(g-1) + j)*m + c]: copy c from group G to its j-th peer

 private:
  uint32_t router_of(NodeId n) const { return n.value() - gpus_; }
  NodeId node_of(uint32_t router) const { return NodeId(gpus_ + router); }

  void local_hop(uint32_t from, uint32_t to, std::vector<LinkId>& out) const {
    if (from != to) out.push_back(local[static_cast<size_t>(from) * a_ + to % a_]);
  }

  // From router `r` to the global link towards group `to`, across it; returns the
  // router it lands on.
  uint32_t cross_to_group(uint32_t r, uint32_t to, uint64_t hash, std::vector<LinkId>& out) const {
    const uint32_t from = r / a_;
    const uint32_t c = m_ == 1 ? 0 : ecmp_pick(hash, node_of(r), m_);
    const size_t j = arranged_index(arrangement_, from, to, g_);
    const LinkId gl = global[(static_cast<size_t>(from) * (g_ - 1) + j) * m_ + c];
    local_hop(r, router_of(t_.link_from(gl)), out);
    out.push_back(gl);
    return router_of(t_.link_to(gl));
  }

  void minimal(uint32_t rs, uint32_t rd, uint64_t hash, std::vector<LinkId>& out) const {
    const uint32_t gd = rd / a_;
    if (rs / a_ != gd) rs = cross_to_group(rs, gd, hash, out);
    local_hop(rs, rd, out);
  }

  void valiant(uint32_t rs, uint32_t rd, uint64_t hash, std::vector<LinkId>& out) const {
    const uint32_t gs = rs / a_, gd = rd / a_;
    // The intermediate is drawn from a hash derived from the flow's, so that it is
    // independent of the parallel-link choice ecmp_pick makes at the same router.
    const uint64_t detour = flow_hash(hash, 1);
    if (gs == gd) {
      if (a_ < 3) return minimal(rs, rd, hash, out);
      // A third router of the group: index among the a - 2 others, skipping rs and rd.
      uint32_t i = ecmp_pick(detour, node_of(rs), a_ - 2);
      const uint32_t lo = std::min(rs % a_, rd % a_), hi = std::max(rs % a_, rd % a_);
      if (i >= lo) ++i;
      if (i >= hi) ++i;
      const uint32_t ri = gs * a_ + i;
      local_hop(rs, ri, out);
      local_hop(ri, rd, out);
      return;
    }
    if (g_ < 3) return minimal(rs, rd, hash, out);
    uint32_t gi = ecmp_pick(detour, node_of(rs), g_ - 2);
    const uint32_t lo = std::min(gs, gd), hi = std::max(gs, gd);
    if (gi >= lo) ++gi;
    if (gi >= hi) ++gi;
    const uint32_t landed = cross_to_group(rs, gi, hash, out);
    minimal(landed, rd, hash, out);
  }

 private:
  const Topology& t_;
  uint32_t p_, a_, g_, m_;
  DragonflyRouting routing_;
  GlobalArrangement arrangement_;
  uint32_t gpus_;
};

}  // namespace

DragonflyParams balanced_dragonfly(uint32_t p) {
  DragonflyParams d;
  d.p = p;
  d.a = 2 * p;
  d.h = p;
  d.g = d.a * d.h + 1;
  return d;
}

std::string check(const DragonflyParams& p) {
  if (p.p < 1) return "p: must be at least 1 (terminals per router)";
  if (p.a < 1) return "a: must be at least 1 (routers per group)";
  if (p.h < 1) return "h: must be at least 1 (global links per router)";
  if (p.g < 1) return "g: must be at least 1 (groups)";
  if (p.p > kMaxPorts) return fmt::format("p: must be at most {}, got {}", kMaxPorts, p.p);
  if (p.a > kMaxPorts) return fmt::format("a: must be at most {}, got {}", kMaxPorts, p.a);
  if (p.h > kMaxPorts) return fmt::format("h: must be at most {}, got {}", kMaxPorts, p.h);
  const uint64_t ports = uint64_t{p.a} * p.h;
  if (p.g > ports + 1) {
    return fmt::format(
        "g: {} groups need {} global ports per group to reach every other group, but a "
        "group has a*h = {}*{} = {}; at most a*h + 1 = {} groups",
        p.g, p.g - 1, p.a, p.h, ports, ports + 1);
  }
  if (uint64_t{p.p} * p.a * p.g + uint64_t{p.a} * p.g > kMaxNodes) {
    return fmt::format(
        "g: a dragonfly of {} GPUs and {} routers is larger than the {} nodes "
        "allowed",
        uint64_t{p.p} * p.a * p.g, uint64_t{p.a} * p.g, kMaxNodes);
  }
  const uint64_t locals = uint64_t{p.g} * (uint64_t{p.a} * (p.a - 1) / 2);
  if (locals > kMaxLinks) {
    return fmt::format("a: {} local links are more than the {} allowed", locals, kMaxLinks);
  }
  const uint64_t globals = p.g > 1 ? uint64_t{p.g} * (p.g - 1) / 2 * (ports / (p.g - 1)) : 0;
  if (globals > kMaxLinks) {
    return fmt::format("h: {} global links are more than the {} allowed", globals, kMaxLinks);
  }
  if (!(p.terminal_bandwidth.si() > 0)) return "terminal_bandwidth: must be positive";
  if (p.a > 1 && !(p.local_bandwidth.si() > 0)) return "local_bandwidth: must be positive";
  if (p.g > 1 && !(p.global_bandwidth.si() > 0)) return "global_bandwidth: must be positive";
  if (p.terminal_latency < SimTime::zero()) return "terminal_latency: must not be negative";
  if (p.local_latency < SimTime::zero()) return "local_latency: must not be negative";
  if (p.global_latency < SimTime::zero()) return "global_latency: must not be negative";
  if (p.router_latency < SimTime::zero()) return "router_latency: must not be negative";
  return {};
}

DragonflyShape dragonfly_shape(const DragonflyParams& p) {
  DragonflyShape s;
  s.routers = p.a * p.g;
  s.gpus = p.p * s.routers;
  s.local_links = p.g * (p.a * (p.a - 1) / 2);
  s.links_per_pair = p.g > 1 ? p.a * p.h / (p.g - 1) : 0;
  s.global_links = p.g * (p.g - 1) / 2 * s.links_per_pair;
  s.router_radix = p.p + (p.a - 1) + p.h;
  return s;
}

std::unique_ptr<DragonflyFabric> make_dragonfly(const DragonflyParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_dragonfly on unchecked parameters: {}", check(p));
  const DragonflyShape s = dragonfly_shape(p);
  const uint32_t a = p.a, g = p.g, m = s.links_per_pair;

  auto fabric = std::make_unique<DragonflyFabric>();
  auto router = std::make_unique<DragonflyRouter>(fabric->topology, p, m);
  DragonflyRouter& r = *router;

  TopologyBuilder b;
  for (uint32_t grp = 0; grp < g; ++grp) {
    for (uint32_t rr = 0; rr < a; ++rr) {
      for (uint32_t t = 0; t < p.p; ++t) {
        b.add_node(fmt::format("{}{}_{}_{}", p.gpu_prefix, grp, rr, t), NodeKind::gpu);
      }
    }
  }
  const NodeAttrs router_attrs{1, s.router_radix, "router"};
  for (uint32_t grp = 0; grp < g; ++grp) {
    for (uint32_t rr = 0; rr < a; ++rr) {
      b.add_node(fmt::format("{}{}_{}", p.router_prefix, grp, rr), NodeKind::switch_,
                 p.router_latency, router_attrs);
    }
  }
  const auto router_node = [&](uint32_t index) { return NodeId(s.gpus + index); };

  const LinkAttrs terminal{Length(), "terminal"}, local{Length(), "local"},
      global{Length(), "global"};
  r.terminal_up.resize(s.gpus);
  for (uint32_t i = 0; i < s.gpus; ++i) {
    r.terminal_up[i] = b.add_link(NodeId(i), router_node(i / p.p), p.terminal_bandwidth,
                                  p.terminal_bandwidth, p.terminal_latency, terminal);
  }
  r.local.assign(static_cast<size_t>(s.routers) * a, LinkId::invalid());
  for (uint32_t grp = 0; grp < g; ++grp) {
    for (uint32_t i = 0; i < a; ++i) {
      for (uint32_t j = i + 1; j < a; ++j) {
        const uint32_t ri = grp * a + i, rj = grp * a + j;
        const LinkId l = b.add_link(router_node(ri), router_node(rj), p.local_bandwidth,
                                    p.local_bandwidth, p.local_latency, local);
        r.local[static_cast<size_t>(ri) * a + j] = l;
        r.local[static_cast<size_t>(rj) * a + i] = LinkId(l.value() ^ 1u);
      }
    }
  }
  if (g > 1) {
    r.global.assign(static_cast<size_t>(g) * (g - 1) * m, LinkId::invalid());
    for (uint32_t grp = 0; grp < g; ++grp) {
      for (uint32_t c = 0; c < m; ++c) {
        for (uint32_t j = 0; j + 1 < g; ++j) {
          const uint32_t other = arranged_peer(p.arrangement, grp, j, g);
          if (other < grp) continue;  // added from the other end
          const uint32_t back = arranged_index(p.arrangement, other, grp, g);
          const uint32_t k = c * (g - 1) + j, k_back = c * (g - 1) + back;  // port numbers
          const uint32_t from = grp * a + k / p.h, to = other * a + k_back / p.h;
          const LinkId l = b.add_link(router_node(from), router_node(to), p.global_bandwidth,
                                      p.global_bandwidth, p.global_latency, global);
          r.global[(static_cast<size_t>(grp) * (g - 1) + j) * m + c] = l;
          r.global[(static_cast<size_t>(other) * (g - 1) + back) * m + c] = LinkId(l.value() ^ 1u);
        }
      }
    }
  }
  fabric->topology = std::move(b).build();
  fabric->shape = s;
  fabric->router = std::move(router);
  return fabric;
}

}  // namespace roshni::topo
