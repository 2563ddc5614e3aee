// Tori and twisted tori of GPUs, and their routing.
//
// Plain torus (k-ary n-cube, Dally & Towles, "Principles and Practices of Interconnection
// Networks", 2004): node c = (c_0, ..., c_{n-1}), 0 <= c_i < k_i, linked to
// c ± e_i (mod k_i). A dimension of size 2 has one link per pair (c_i = 0 and 1 are each
// other's + and - neighbour), a dimension of size 1 none. Per dimension that is N links
// when k_i > 2, N/2 when k_i = 2, 0 when k_i = 1.
//
// Twisted torus. Camara, Moreto, Vallejo, Beivide, Miguel-Alonso, Martinez, Navaridas,
// "Twisted Torus Topologies for Enhanced Interconnection Networks", IEEE TPDS 21(12),
// 2010: a mixed-radix torus whose sides are a and 2a is not edge-symmetric (the long
// rings carry more traffic); twisting the wrap-around links of the SHORT dimension(s) by
// a along the long dimension(s) restores edge symmetry and shortens distances. Their
// rectangular twisted torus RTT(a) is 2a x a with node (x, a-1) linked to (x+a mod 2a, 0).
// TPU v4 (Jouppi et al., "TPU v4: An Optically Reconfigurable Supercomputer for Machine
// Learning with Hardware Support for Embeddings", ISCA 2023, arXiv 2304.01433) offers
// twisted tori, set up in its optical circuit switches, on 3D slices K x K x 2K and K x 2K x 2K (Google Cloud's wording: AxBxC with 2A=2B=C or
// 2A=B=C, each a multiple of 4), reporting 1.63x (4x4x8) and 1.31x (4x8x8) all-to-all
// throughput over the untwisted torus. The wiring implemented here, for sizes K (short)
// and 2K (long):
//   - a long dimension's links, wrap-around included, are those of a plain torus;
//   - a short dimension i's inner links are plain; its wrap-around link goes from
//     c_i = K-1 to c_i = 0 *and K further along every long dimension* (mod 2K).
// In lattice terms the twisted torus is Z^n modulo the lattice L spanned by 2K e_l for
// every long l and K e_i - K (sum of e_l over long l) for every short i. Swapping any
// two coordinates maps L to itself (for K x 2K x 2K: 2(K e_x - K e_y - K e_z) plus
// 2K e_y + 2K e_z = 2K e_x), so every dimension plays the same role: the graph is
// edge-symmetric, which is Camara et al.'s point. (Twisting the long wrap-arounds by K/2
// along a short dimension instead would not be: the long step would then have order 4K,
// the short one K.) Every dimension carries N links.
//
// Routing. Both graphs are Cayley graphs of abelian groups (steps commute), so a path
// is a vector v of signed steps per dimension, of length |v|_1, reaching dst iff
// v = dst - src modulo the lattice. Plain torus: v_i is the shorter way round ring i
// (dimension-order routing). Twisted: for a short dimension the
// only useful choices are r_i = (dst_i - src_i) mod K and r_i - K (any other differs
// from one of them by a multiple of 2K, which changes nothing elsewhere and costs at
// least as much); each choice of the latter adds K to every long dimension's offset.
// So at most 2^(number of short dims) <= 4 candidates; for each, the long dimensions
// go the shorter way round their 2K rings; the shortest candidate is the minimal path
// (tests compare with breadth-first search). It is walked in dimension order.
#include "roshni/topo/torus.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

constexpr uint64_t kMaxGpus = uint64_t{1} << 24;  // ids and 2n links per GPU fit uint32

std::string shape_text(const std::vector<uint32_t>& dims) {
  return fmt::format("{}", fmt::join(dims, "x"));
}

// The twist size K if `dims` is a shape twisting is defined for, else 0.
uint32_t twist_size(const std::vector<uint32_t>& dims) {
  if (dims.size() != 2 && dims.size() != 3) return 0;
  uint32_t k = std::numeric_limits<uint32_t>::max();
  for (uint32_t d : dims) k = std::min(k, d);
  if (k < 2) return 0;
  size_t longs = 0;
  for (uint32_t d : dims) {
    if (d == 2 * k) {
      ++longs;
    } else if (d != k) {
      return 0;
    }
  }
  // K x 2K; K x K x 2K or K x 2K x 2K. (2K x 2K x 2K has no short side: not twisted.)
  return longs >= 1 && longs < dims.size() ? k : 0;
}

int32_t ring_offset(int64_t delta, int64_t k) {  // shorter way round, ties positive
  int64_t u = ((delta % k) + k) % k;
  if (2 * u > k) u -= k;
  return static_cast<int32_t>(u);
}

}  // namespace

std::string check(const TorusParams& p) {
  if (p.dims.empty()) return "dims: must list at least one dimension size, e.g. [4, 4, 8]";
  uint64_t n = 1;
  for (size_t i = 0; i < p.dims.size(); ++i) {
    if (p.dims[i] == 0) return fmt::format("dims[{}]: must be at least 1, got 0", i);
    n *= p.dims[i];
    if (n > kMaxGpus) {
      return fmt::format("dims: {} GPUs is more than the {} a torus may have", shape_text(p.dims),
                         kMaxGpus);
    }
  }
  if (n < 2)
    return fmt::format("dims: a torus needs at least 2 GPUs, {} has 1", shape_text(p.dims));
  if (p.twisted && twist_size(p.dims) == 0) {
    return fmt::format(
        "twisted: a twisted torus is defined for shapes K x 2K, K x K x 2K and K x 2K x 2K "
        "(K >= 2, any order; Camara et al. 2010, TPU v4), not {}",
        shape_text(p.dims));
  }
  if (!(p.link_bandwidth.si() > 0)) return "link_bandwidth: must be positive";
  if (p.link_latency < SimTime::zero()) return "link_latency: must not be negative";
  if (p.forwarding_latency < SimTime::zero()) return "forwarding_latency: must not be negative";
  return {};
}

std::vector<uint32_t> torus_coords(const std::vector<uint32_t>& dims, NodeId n) {
  std::vector<uint32_t> c(dims.size());
  uint32_t v = n.value();
  for (size_t i = dims.size(); i-- > 0;) {
    c[i] = v % dims[i];
    v /= dims[i];
  }
  return c;
}

std::unique_ptr<TorusFabric> make_torus(const TorusParams& p) {
  auto fabric = std::make_unique<TorusFabric>();
  make_torus(p, {}, *fabric);
  return fabric;
}

void make_torus(const TorusParams& p, const TorusLayout& layout, TorusFabric& out) {
  ROSHNI_ASSERT(check(p).empty(), "make_torus on unchecked parameters: {}", check(p));
  const size_t nd = p.dims.size();
  uint32_t count = 1;
  for (uint32_t k : p.dims) count *= k;

  TorusFabric* fabric = &out;
  auto router = std::unique_ptr<TorusRouter>(new TorusRouter());
  TorusRouter& r = *router;
  r.topology_ = &fabric->topology;
  r.dims_ = p.dims;
  r.stride_.assign(nd, 1);
  for (size_t i = nd - 1; i-- > 0;) r.stride_[i] = r.stride_[i + 1] * p.dims[i + 1];
  r.twist_ = p.twisted ? twist_size(p.dims) : 0;
  r.short_dim_.assign(nd, 0);
  if (r.twist_ > 0) {
    for (size_t i = 0; i < nd; ++i) r.short_dim_[i] = p.dims[i] == r.twist_;
  }
  r.step_.assign(static_cast<size_t>(count) * nd * 2, LinkId::invalid());

  TopologyBuilder b;
  std::string name;
  for (uint32_t v = 0; v < count; ++v) {
    const auto c = torus_coords(p.dims, NodeId(v));
    name = layout.gpu_name ? layout.gpu_name(c) : fmt::format("{}{}", p.gpu_prefix, fmt::join(c, "_"));
    b.add_node(std::move(name), NodeKind::gpu, p.forwarding_latency);
  }
  if (layout.after_gpus) layout.after_gpus(b);

  const LinkAttrs inner{Length(), "torus"}, wrap{Length(), "torus-wrap"};
  const DataRate bw = p.link_bandwidth;
  for (uint32_t v = 0; v < count; ++v) {
    const auto c = torus_coords(p.dims, NodeId(v));
    for (size_t d = 0; d < nd; ++d) {
      const uint32_t k = p.dims[d];
      if (k == 1) continue;
      const bool plain_pair = k == 2 && !r.short_dim_[d];
      if (plain_pair && c[d] == 1) continue;  // the pair's one link was added from c_d = 0
      // The + neighbour: one step along d, wrapping, twisted if d is a short dimension.
      uint32_t to = v;
      const bool wraps = c[d] + 1 == k;
      if (!wraps) {
        to += r.stride_[d];
      } else {
        to -= (k - 1) * r.stride_[d];
        if (r.short_dim_[d]) {
          for (size_t l = 0; l < nd; ++l) {
            if (p.dims[l] != 2 * r.twist_) continue;
            const uint32_t cl = (c[l] + r.twist_) % p.dims[l];
            to = to - c[l] * r.stride_[l] + cl * r.stride_[l];
          }
        }
      }
      LinkId l;
      if (layout.link) {
        const TorusLayout::LinkStyle style = layout.link(c, d, wraps, torus_coords(p.dims, NodeId(to)));
        l = b.add_link(NodeId(v), NodeId(to), bw, bw, style.latency, {Length(), style.role});
      } else {
        l = b.add_link(NodeId(v), NodeId(to), bw, bw, p.link_latency, wraps ? wrap : inner);
      }
      const LinkId back = LinkId(l.value() ^ 1u);
      r.step_[(static_cast<size_t>(v) * nd + d) * 2 + 0] = l;
      r.step_[(static_cast<size_t>(to) * nd + d) * 2 + 1] = back;
      if (plain_pair) {  // in a ring of two, + and - reach the same neighbour
        r.step_[(static_cast<size_t>(v) * nd + d) * 2 + 1] = l;
        r.step_[(static_cast<size_t>(to) * nd + d) * 2 + 0] = back;
      }
    }
  }
  fabric->topology = std::move(b).build();
  fabric->router = std::move(router);
}

void TorusRouter::offsets(NodeId src, NodeId dst, std::vector<int32_t>& v) const {
  const size_t nd = dims_.size();
  v.resize(nd);
  uint32_t s = src.value(), t = dst.value();
  for (size_t i = nd; i-- > 0;) {  // per-dimension differences, from row-major ids
    v[i] = static_cast<int32_t>(t % dims_[i]) - static_cast<int32_t>(s % dims_[i]);
    s /= dims_[i];
    t /= dims_[i];
  }
  if (twist_ == 0) {
    for (size_t i = 0; i < nd; ++i) v[i] = ring_offset(v[i], dims_[i]);
    return;
  }
  // Twisted: try r_i or r_i - K in each short dimension (see the top of this file).
  const int64_t k = twist_;
  int32_t best[3] = {0, 0, 0}, cand[3];
  int64_t best_cost = std::numeric_limits<int64_t>::max();
  uint32_t shorts = 0;
  for (size_t i = 0; i < nd; ++i) shorts += short_dim_[i];
  for (uint32_t mask = 0; mask < (1u << shorts); ++mask) {
    int64_t m = 0, cost = 0;  // m: multiples of K added along the short dimensions
    uint32_t bit = 0;
    for (size_t i = 0; i < nd; ++i) {
      if (!short_dim_[i]) continue;
      const int64_t r = ((v[i] % k) + k) % k;
      const int64_t vi = (mask >> bit++) & 1u ? r - k : r;
      m += (vi - v[i]) / k;
      cand[i] = static_cast<int32_t>(vi);
      cost += std::abs(vi);
    }
    for (size_t i = 0; i < nd; ++i) {
      if (short_dim_[i]) continue;
      cand[i] = ring_offset(v[i] - m * k, 2 * k);
      cost += std::abs(cand[i]);
    }
    if (cost < best_cost) {  // strict: ties keep the earliest candidate, deterministically
      best_cost = cost;
      for (size_t i = 0; i < nd; ++i) best[i] = cand[i];
    }
  }
  for (size_t i = 0; i < nd; ++i) v[i] = best[i];
}

uint32_t TorusRouter::hops(NodeId src, NodeId dst) const {
  std::vector<int32_t> v;
  offsets(src, dst, v);
  uint32_t h = 0;
  for (int32_t x : v) h += static_cast<uint32_t>(std::abs(x));
  return h;
}

bool TorusRouter::route(NodeId src, NodeId dst, uint64_t, std::vector<LinkId>& out) {
  ROSHNI_ASSERT(src != dst, "route from node {} to itself", src.value());
  const size_t nd = dims_.size();
  offsets(src, dst, scratch_);
  uint32_t at = src.value();
  for (size_t d = 0; d < nd; ++d) {
    const int32_t steps = scratch_[d];
    const size_t dir = steps < 0 ? 1 : 0;
    for (int32_t s = 0; s < std::abs(steps); ++s) {
      const LinkId l = step_[(static_cast<size_t>(at) * nd + d) * 2 + dir];
      ROSHNI_DEBUG_ASSERT(l.valid(), "no link from node {} along dimension {}", at, d);
      out.push_back(l);
      at = topology_->link_to(l).value();
    }
  }
  ROSHNI_DEBUG_ASSERT(at == dst.value(), "torus route ended at {}, not {}", at, dst.value());
  return true;
}

}  // namespace roshni::topo
