// Folded-Clos construction and up/down routing. The wiring, for tiers = 3:
//
//            core q/t              uplink index q = j*agg_up + c of every pod's agg j
//           /    |     \           lands on core q/t: a core takes t indices, t links
//      agg (p,j) ...               from every pod (t = 1 in a full fabric: core (j,c))
//       |  \  /  |                 every leaf of pod p has one link to every agg (p, *)
//      leaf ... leaf               leaf_down GPUs each
//      |||      |||
//      GPUs     GPUs
//
// For tiers = 2 the spines play the aggregation role for one pod spanning all leaves;
// leaf uplink j lands on spine j/t. Every tier is sized to the GPUs present: with fewer
// leaves (pods) than a full fabric, a spine (core) takes t = floor(k / leaves (pods))
// uplinks of every leaf (pod), so no switch stands idle (docs/topologies.md, "Sizing").
// An up/down path climbs to the lowest tier from which the destination is reachable and
// descends; going up, each equal-cost choice is made by the flow's ECMP hash (or by the
// destination, D-mod-K, when asked); going down,
// the link is determined by the structure. This is the routing of Al-Fares et al. 2008
// (with hashing in place of their two-level tables), and what ECMP in real Clos does.
#include "roshni/topo/clos.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

// Down and up port counts of a switch of radix k with down:up ratio r, if whole.
bool split_ports(uint32_t k, double r, uint32_t& down, uint32_t& up) {
  const double d = k * r / (r + 1);
  const double u = k / (r + 1);
  if (std::fabs(d - std::round(d)) > 1e-9 || std::fabs(u - std::round(u)) > 1e-9) return false;
  down = static_cast<uint32_t>(std::lround(d));
  up = static_cast<uint32_t>(std::lround(u));
  return down >= 1 && up >= 1;
}

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// The most GPUs a fabric may default to (its capacity, when `gpus` is not given); as
// the other generators, 2^24.
constexpr uint64_t kMaxDefaultGpus = uint64_t{1} << 24;

class ClosRouter final : public Router {
 public:
  ClosRouter(const Topology& t, MultipathPolicy policy) : t_(t), policy_(policy) {}

  bool route(NodeId src, NodeId dst, uint64_t hash, std::vector<LinkId>& out) override {
    const uint32_t s = src.value(), d = dst.value();
    ROSHNI_ASSERT(s < gpu_up.size() && d < gpu_up.size() && s != d, "Clos routes GPU to GPU");
    if (!plane_up.empty() && gpu_domain[s] == gpu_domain[d]) {
      const uint32_t p = pick(hash, src, planes, d);
      out.push_back(plane_up[s * planes + p]);
      out.push_back(t_.link_reverse(plane_up[d * planes + p]));
      return true;
    }
    const uint32_t ls = gpu_leaf[s], ld = gpu_leaf[d];
    out.push_back(gpu_up[s]);
    if (ls != ld) {
      const uint32_t j = pick(hash, leaf_node[ls], leaf_up_count, d);
      const LinkId to_agg = leaf_up[ls * leaf_up_count + j];
      out.push_back(to_agg);
      if (leaf_pod[ls] != leaf_pod[ld]) {
        const NodeId agg = t_.link_to(to_agg);
        const uint32_t a = leaf_pod[ls] * leaf_up_count + j;  // aggregation switch index
        const uint32_t c = pick(hash, agg, agg_up_count, d / leaf_up_count);
        const LinkId to_core = agg_up[a * agg_up_count + c];
        out.push_back(to_core);
        // Down: core (j, c) -> aggregation j of the destination's pod -> its leaf.
        const uint32_t a_dst = leaf_pod[ld] * leaf_up_count + j;
        out.push_back(t_.link_reverse(agg_up[a_dst * agg_up_count + c]));
      }
      out.push_back(t_.link_reverse(leaf_up[ld * leaf_up_count + j]));
    }
    out.push_back(t_.link_reverse(gpu_up[d]));
    return true;
  }

  // The structure, filled in by make_clos.
  std::vector<LinkId> gpu_up;       // GPU -> its leaf
  std::vector<uint32_t> gpu_leaf;   // leaf index of each GPU
  std::vector<NodeId> leaf_node;
  std::vector<uint32_t> leaf_pod;
  std::vector<LinkId> leaf_up;      // [leaf][j]: leaf -> aggregation j of its pod (spine j)
  std::vector<LinkId> agg_up;       // [agg][c]: aggregation -> core (j, c)
  uint32_t leaf_up_count = 0, agg_up_count = 0;
  std::vector<uint32_t> gpu_domain;
  std::vector<LinkId> plane_up;     // [gpu][plane]: GPU -> scale-up switch of that plane
  uint32_t planes = 0;

 private:
  /// One of n up links: the first, by the flow's hash, or (D-mod-K) `key` mod n, where
  /// key is the destination GPU divided by the up links of the tiers below.
  uint32_t pick(uint64_t hash, NodeId at, uint32_t n, uint32_t key) const {
    if (policy_ == MultipathPolicy::first || n == 1) return 0;
    if (policy_ == MultipathPolicy::dmodk) return key % n;
    return ecmp_pick(hash, at, n);
  }
  const Topology& t_;
  MultipathPolicy policy_;
};

}  // namespace

std::string check(const ClosParams& p) {
  if (p.tiers != 2 && p.tiers != 3) return fmt::format("tiers: must be 2 or 3, got {}", p.tiers);
  if (p.radix < 2) return fmt::format("radix: must be at least 2, got {}", p.radix);
  if (!(p.leaf_oversubscription >= 1) || !std::isfinite(p.leaf_oversubscription)) {
    return fmt::format("leaf_oversubscription: must be a ratio >= 1, got {}",
                       p.leaf_oversubscription);
  }
  if (!(p.agg_oversubscription >= 1) || !std::isfinite(p.agg_oversubscription)) {
    return fmt::format("agg_oversubscription: must be a ratio >= 1, got {}",
                       p.agg_oversubscription);
  }
  uint32_t down = 0, up = 0;
  if (!split_ports(p.radix, p.leaf_oversubscription, down, up)) {
    return fmt::format(
        "leaf_oversubscription: {} does not split radix {} into whole down and up port counts "
        "(down = radix*r/(r+1) must be a whole number)",
        p.leaf_oversubscription, p.radix);
  }
  if (p.tiers == 3 && !split_ports(p.radix, p.agg_oversubscription, down, up)) {
    return fmt::format(
        "agg_oversubscription: {} does not split radix {} into whole down and up port counts",
        p.agg_oversubscription, p.radix);
  }
  if (p.placement == GpuPlacement::rail && p.gpus_per_server < 1) {
    return "gpus_per_server: must be at least 1";
  }
  if (!(p.link_bandwidth.si() > 0)) return "link.bandwidth: must be positive";
  const ClosShape s = clos_shape(p);
  if (p.gpus == 0 && s.max_gpus > kMaxDefaultGpus) {
    return fmt::format(
        "gpus: not given, so the fabric's capacity: {} GPUs (a {}-tier fabric of radix {} at "
        "these oversubscriptions), more than the {} (2^24) a fabric may have; give 'gpus'",
        s.max_gpus, p.tiers, p.radix, kMaxDefaultGpus);
  }
  if (p.gpus > s.max_gpus) {
    return fmt::format(
        "gpus: {} GPUs do not fit: a {}-tier fabric of radix {} at these oversubscriptions "
        "takes at most {}",
        p.gpus, p.tiers, p.radix, s.max_gpus);
  }
  // Rail placement rounds leaves up to whole groups of rails, which can need more
  // leaves (2 tiers) or pods (3 tiers) than the switches above have ports for.
  if (p.tiers == 2 && s.leaves > p.radix) {
    return fmt::format("gpus: {} GPUs need {} leaves, but a spine of radix {} joins at most {}",
                       s.gpus, s.leaves, p.radix, p.radix);
  }
  if (p.tiers == 3 && s.pods > p.radix) {
    return fmt::format("gpus: {} GPUs need {} pods, but a core of radix {} joins at most {}",
                       s.gpus, s.pods, p.radix, p.radix);
  }
  if (p.placement == GpuPlacement::rail && s.gpus % p.gpus_per_server != 0) {
    return fmt::format("gpus: {} is not a whole number of servers of {} GPUs", s.gpus,
                       p.gpus_per_server);
  }
  if (p.scale_up.domain_size > 0) {
    if (s.gpus % p.scale_up.domain_size != 0) {
      return fmt::format("scale_up.domain_size: {} GPUs do not divide into domains of {}", s.gpus,
                         p.scale_up.domain_size);
    }
    if (p.scale_up.planes < 1) return "scale_up.planes: must be at least 1";
    if (!(p.scale_up.bandwidth.si() > 0)) return "scale_up.bandwidth: must be positive";
  }
  return {};
}

ClosShape clos_shape(const ClosParams& p) {
  ClosShape s;
  split_ports(p.radix, p.leaf_oversubscription, s.leaf_down, s.leaf_up);
  if (p.tiers == 2) {
    // Every leaf has one link to each of leaf_up spines; a spine's radix bounds leaves.
    s.leaves_per_pod = p.radix;
    s.max_gpus = uint64_t{p.radix} * s.leaf_down;
  } else {
    split_ports(p.radix, p.agg_oversubscription, s.agg_down, s.agg_up);
    s.leaves_per_pod = s.agg_down;
    // A core has one link per pod, so at most `radix` pods.
    s.max_gpus = uint64_t{p.radix} * s.agg_down * s.leaf_down;
  }
  // check() refuses a default (the capacity) above kMaxDefaultGpus, so this fits.
  s.gpus = p.gpus > 0 ? p.gpus : static_cast<uint32_t>(std::min<uint64_t>(s.max_gpus, UINT32_MAX));
  const uint32_t servers_per_leaf = s.leaf_down;  // rail: one port per server per rail
  if (p.placement == GpuPlacement::rail) {
    const uint32_t servers = ceil_div(s.gpus, p.gpus_per_server);
    s.leaves = ceil_div(servers, servers_per_leaf) * p.gpus_per_server;
  } else {
    s.leaves = ceil_div(s.gpus, s.leaf_down);
  }
  // Sizing (docs/topologies.md): a spine takes t = min(u, floor(k/L)) uplinks of each of
  // the L leaves, so ceil(u/t) spines; a core takes t = min(U, floor(k/P)) of the
  // U = u*u_a uplink indices of each of the P pods, so ceil(U/t) cores; one pod, none.
  // (check() refuses more leaves or pods than k; max(1, ...) keeps the shape defined.)
  if (p.tiers == 2) {
    s.pods = 1;
    s.spine_lanes = std::max(1u, std::min(s.leaf_up, p.radix / std::max(1u, s.leaves)));
    s.spines = ceil_div(s.leaf_up, s.spine_lanes);
  } else {
    s.pods = ceil_div(s.leaves, s.leaves_per_pod);
    s.spines = s.pods * s.leaf_up;  // aggregation switches
    s.spine_lanes = 1;
    if (s.pods > 1) {
      const uint32_t indices = s.leaf_up * s.agg_up;
      s.core_lanes = std::max(1u, std::min(indices, p.radix / s.pods));
      s.cores = ceil_div(indices, s.core_lanes);
    }
  }
  if (p.scale_up.domain_size > 0) s.domains = s.gpus / p.scale_up.domain_size;
  return s;
}

std::unique_ptr<ClosFabric> make_clos(const ClosParams& p, MultipathPolicy policy) {
  ROSHNI_ASSERT(check(p).empty(), "make_clos on unchecked parameters: {}", check(p));
  const ClosShape s = clos_shape(p);
  TopologyBuilder b;
  const LinkAttrs host{Length(), "host"};
  const LinkAttrs leaf_link{Length(), p.tiers == 2 ? "leaf-spine" : "leaf-agg"};
  const LinkAttrs core_link{Length(), "agg-core"};

  std::vector<NodeId> gpu(s.gpus), leaf(s.leaves), spine(s.spines), core(s.cores);
  for (uint32_t i = 0; i < s.gpus; ++i) {
    gpu[i] = b.add_node(fmt::format("gpu{}", i), NodeKind::gpu);
  }
  for (uint32_t i = 0; i < s.leaves; ++i) {
    leaf[i] = b.add_node(fmt::format("leaf{}", i), NodeKind::switch_, p.switch_latency,
                         {1, p.radix, "leaf"});
  }
  for (uint32_t i = 0; i < s.spines; ++i) {
    const std::string name = p.tiers == 2 ? fmt::format("spine{}", i)
                                          : fmt::format("agg{}_{}", i / s.leaf_up, i % s.leaf_up);
    spine[i] = b.add_node(name, NodeKind::switch_, p.switch_latency,
                          {2, p.radix, p.tiers == 2 ? "spine" : "agg"});
  }
  for (uint32_t i = 0; i < s.cores; ++i) {
    core[i] = b.add_node(fmt::format("core{}", i), NodeKind::switch_, p.switch_latency,
                         {3, p.radix, "core"});
  }

  auto fabric = std::make_unique<ClosFabric>();
  auto router = std::make_unique<ClosRouter>(fabric->topology, policy);
  ClosRouter& r = *router;
  const DataRate bw = p.link_bandwidth;

  // GPUs to leaves.
  r.gpu_up.resize(s.gpus);
  r.gpu_leaf.resize(s.gpus);
  for (uint32_t g = 0; g < s.gpus; ++g) {
    uint32_t l;
    if (p.placement == GpuPlacement::rail) {
      const uint32_t server = g / p.gpus_per_server, rail = g % p.gpus_per_server;
      l = (server / s.leaf_down) * p.gpus_per_server + rail;
    } else {
      l = g / s.leaf_down;
    }
    r.gpu_leaf[g] = l;
    r.gpu_up[g] = b.add_link(gpu[g], leaf[l], bw, bw, p.link_latency, host);
  }
  // Leaves to spines (2 tiers) or to the aggregation switches of their pod (3 tiers).
  r.leaf_node = leaf;
  r.leaf_up_count = s.leaf_up;
  r.leaf_pod.resize(s.leaves);
  r.leaf_up.resize(static_cast<size_t>(s.leaves) * s.leaf_up);
  for (uint32_t l = 0; l < s.leaves; ++l) {
    const uint32_t pod = p.tiers == 2 ? 0 : l / s.leaves_per_pod;
    r.leaf_pod[l] = pod;
    for (uint32_t j = 0; j < s.leaf_up; ++j) {
      const uint32_t to = p.tiers == 2 ? j / s.spine_lanes : pod * s.leaf_up + j;
      r.leaf_up[l * s.leaf_up + j] =
          b.add_link(leaf[l], spine[to], bw, bw, p.link_latency, leaf_link);
    }
  }
  // Aggregation switch (pod, j), uplink c, to core (j*agg_up + c)/t: the same core for
  // the same (j, c) in every pod, so a flow comes down the index it went up.
  if (s.cores > 0) {
    r.agg_up_count = s.agg_up;
    r.agg_up.resize(static_cast<size_t>(s.spines) * s.agg_up);
    for (uint32_t a = 0; a < s.spines; ++a) {
      const uint32_t j = a % s.leaf_up;
      for (uint32_t c = 0; c < s.agg_up; ++c) {
        r.agg_up[a * s.agg_up + c] = b.add_link(spine[a], core[(j * s.agg_up + c) / s.core_lanes],
                                                bw, bw, p.link_latency, core_link);
      }
    }
  }
  // Scale-up domains: each plane's switch has one link to every GPU of its domain.
  if (p.scale_up.domain_size > 0) {
    const auto& su = p.scale_up;
    r.planes = su.planes;
    r.gpu_domain.resize(s.gpus);
    r.plane_up.resize(static_cast<size_t>(s.gpus) * su.planes);
    const DataRate per_plane = su.bandwidth / static_cast<double>(su.planes);
    const LinkAttrs su_link{Length(), "scale-up"};
    for (uint32_t d = 0; d < s.domains; ++d) {
      for (uint32_t pl = 0; pl < su.planes; ++pl) {
        const NodeId sw = b.add_node(fmt::format("nvs{}_{}", d, pl), NodeKind::switch_,
                                     su.switch_latency, {1, su.domain_size, "scale-up"});
        for (uint32_t k = 0; k < su.domain_size; ++k) {
          const uint32_t g = d * su.domain_size + k;
          r.gpu_domain[g] = d;
          r.plane_up[g * su.planes + pl] =
              b.add_link(gpu[g], sw, per_plane, per_plane, su.link_latency, su_link);
        }
      }
    }
  }
  if (p.tiers == 2) {
    b.set_sizing(fmt::format(
        "sized to the GPUs: {} leaves (a spine of radix {} joins at most {}); {} spines, each "
        "taking {} uplink(s) of every leaf ({} of {} ports; a full fabric has {})",
        s.leaves, p.radix, p.radix, s.spines, s.spine_lanes, s.leaves * s.spine_lanes, p.radix,
        s.leaf_up));
  } else if (s.cores == 0) {
    b.set_sizing(fmt::format(
        "sized to the GPUs: {} leaves in 1 pod of {} possible; {} aggregation switches; no core "
        "switches (no traffic leaves the pod; a full fabric has {})",
        s.leaves, p.radix, s.spines, s.leaf_up * s.agg_up));
  } else {
    b.set_sizing(fmt::format(
        "sized to the GPUs: {} leaves in {} pods of {} possible; {} aggregation switches ({} per "
        "pod); {} cores, each taking {} of the {} aggregation uplink indices of every pod ({} of "
        "{} ports; a full fabric has {} cores)",
        s.leaves, s.pods, p.radix, s.spines, s.leaf_up, s.cores, s.core_lanes,
        s.leaf_up * s.agg_up, s.pods * s.core_lanes, p.radix, s.leaf_up * s.agg_up));
  }
  fabric->topology = std::move(b).build();
  fabric->shape = s;
  fabric->router = std::move(router);
  return fabric;
}

}  // namespace roshni::topo
