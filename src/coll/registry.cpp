// The built-in collective algorithms: each is a function that writes one chunk of the
// collective as a Schedule (mostly from the phases of phases.h), a closed form of that
// schedule's size (to refuse a huge workload before building it), and, where it has
// limits, a check. The list, kAlgorithms, is at the bottom; docs/collectives.md has
// every algorithm's flows, dependencies and alpha-beta cost.
#include "roshni/coll/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "roshni/coll/phases.h"
#include "roshni/core/error.h"

namespace roshni::coll {
namespace {

using Problem = std::optional<CollectiveProblem>;

double p_of(const Collective& c) { return static_cast<double>(c.ranks.size()); }

std::vector<uint32_t> iota(size_t n) {
  std::vector<uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0u);
  return v;
}

Ready no_deps(const Collective& c) { return Ready(c.ranks.size()); }

double log2_of(double x) { return std::log2(x); }

// ---- sizes of the phases (per group of m ranks) ----

ScheduleSize ring_ar_size(double m) { return {2 * m * (m - 1), m * (m - 1)}; }
ScheduleSize rhd_size(double m) {
  const double m2 = std::bit_floor(static_cast<uint64_t>(m)), e = m - m2;
  return {2 * e + 2 * m2 * log2_of(m2), e + m2 * log2_of(m2)};
}
ScheduleSize tree_size(double m) { return {4 * (m - 1), 2 * (m - 1)}; }
ScheduleSize all_reduce_size(std::string_view algorithm, double m) {
  if (m < 2) return {};
  if (algorithm == "rhd") return rhd_size(m);
  if (algorithm == "tree") return tree_size(m);
  if (algorithm == "sharp") return {2 * m, 0};
  return ring_ar_size(m);
}

Problem power_of_two(const Collective& c, std::string_view algorithm) {
  if (std::has_single_bit(c.ranks.size())) return std::nullopt;
  return CollectiveProblem{
      "ranks", fmt::format("{} needs a power-of-two number of ranks, got {}; 'ring' takes any",
                           algorithm, c.ranks.size())};
}

Problem domains(const Collective& c) {
  const size_t p = c.ranks.size();
  if (c.domain_size < 1 || p % c.domain_size != 0) {
    return CollectiveProblem{
        "domain_size", fmt::format("{} ranks do not divide into domains of {}", p, c.domain_size)};
  }
  return std::nullopt;
}

// ---- all_reduce ----

void ring_ar(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  const auto g = iota(c.ranks.size());
  ring_reduce_scatter(s, g, 1.0, r);
  ring_all_gather(s, g, 1.0, r);
}
ScheduleSize ring_ar_size_of(const Collective& c) { return ring_ar_size(p_of(c)); }

// Two rings in opposite directions, each with half of the data, as when NCCL runs rings
// both ways round NVLink; every rank sends to (and receives from) both neighbours.
void bidirectional_ring_ar(const Collective& c, Schedule& s) {
  const auto g = iota(c.ranks.size());
  std::vector<uint32_t> back(g.rbegin(), g.rend());
  Ready cw = no_deps(c), ccw = no_deps(c);
  ring_reduce_scatter(s, g, 0.5, cw, "cw_");
  ring_reduce_scatter(s, back, 0.5, ccw, "ccw_");
  ring_all_gather(s, g, 0.5, cw, "cw_");
  ring_all_gather(s, back, 0.5, ccw, "ccw_");
}
ScheduleSize bidirectional_size(const Collective& c) {
  const auto r = ring_ar_size(p_of(c));
  return {2 * r.transfers, 2 * r.reductions};
}

void tree_ar(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  tree_all_reduce(s, iota(c.ranks.size()), 1.0, r);
}
ScheduleSize tree_size_of(const Collective& c) { return tree_size(p_of(c)); }

void rhd_ar(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  rhd_all_reduce(s, iota(c.ranks.size()), 1.0, r);
}
ScheduleSize rhd_size_of(const Collective& c) { return rhd_size(p_of(c)); }

// Domains of d consecutive ranks, G = p/d of them: a ring reduce-scatter inside each
// domain leaves local rank j with the j-th 1/d of the buffer reduced over its domain;
// the G ranks with the same j (a "rail") all-reduce that shard with `inter`; a ring
// all-gather inside each domain spreads the result.
// The all-reduce of each rail's n/d shard between the domains, by c.inter; "sharp":
// in the rail's switch, in_network group `first_switch` + j for rail j.
void rails_all_reduce(const Collective& c, Schedule& s, Ready& r, uint32_t first_switch) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size()), d = c.domain_size, domains = p / d;
  std::vector<uint32_t> rail(domains);
  for (uint32_t j = 0; j < d; ++j) {
    for (uint32_t k = 0; k < domains; ++k) rail[k] = k * d + j;
    if (c.inter == "sharp") {
      switch_all_reduce(s, rail, 1.0 / d, first_switch + j, r, "inter_");
    } else {
      all_reduce_phase(c.inter, s, rail, 1.0 / d, r, "inter_");
    }
  }
}

// The inter algorithm is one the rails can run: "sharp" needs d rail switches in
// in_network from group `first`.
Problem inter_check(const Collective& c, size_t first) {
  if (c.inter != "ring" && c.inter != "rhd" && c.inter != "tree" && c.inter != "sharp") {
    return CollectiveProblem{"inter", fmt::format("unknown inter-domain algorithm '{}'; known "
                                                  "ones: 'ring', 'rhd', 'tree' or 'sharp'",
                                                  c.inter)};
  }
  if (c.inter == "sharp" && c.in_network.size() != first + c.domain_size) {
    return CollectiveProblem{
        "inter",
        "sharp needs, for every rail (the ranks with the same index in their domain), one "
        "switch all of that rail's ranks link to directly; multi-level SHARP trees are not "
        "modelled"};
  }
  return std::nullopt;
}

void hierarchical_ar(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size()), d = c.domain_size, domains = p / d;
  Ready r = no_deps(c);
  std::vector<uint32_t> g(d);
  for (uint32_t k = 0; k < domains; ++k) {
    std::iota(g.begin(), g.end(), k * d);
    ring_reduce_scatter(s, g, 1.0, r, "intra_");
  }
  rails_all_reduce(c, s, r, p);
  for (uint32_t k = 0; k < domains; ++k) {
    std::iota(g.begin(), g.end(), k * d);
    ring_all_gather(s, g, 1.0, r, "intra_");
  }
}
ScheduleSize hierarchical_size(const Collective& c) {
  const double p = p_of(c), d = c.domain_size, domains = p / d;
  const auto intra = ring_ar_size(d);
  const auto inter = all_reduce_size(c.inter, domains);
  return {domains * intra.transfers + d * inter.transfers,
          domains * intra.reductions + d * inter.reductions};
}
Problem hierarchical_check(const Collective& c) {
  if (auto e = domains(c)) return e;
  return inter_check(c, 0);
}

// dims {D0, ..., Dk-1}: rank index = row-major coordinates, the last dimension fastest
// (as a torus numbers its GPUs). Reduce-scatter by rings along the last dimension,
// then along the one before on the shard that is left, ...; then all-gather by rings in
// the reverse order.
void multi_dimensional_ar(const Collective& c, Schedule& s) {
  const size_t p = c.ranks.size(), k = c.dims.size();
  std::vector<size_t> stride(k, 1);
  for (size_t i = k - 1; i-- > 0;) stride[i] = stride[i + 1] * c.dims[i + 1];
  std::vector<double> share(k);
  Ready r = no_deps(c);
  std::vector<uint32_t> g;
  const auto along = [&](size_t i, auto&& phase) {
    const std::string tag = fmt::format("d{}_", i);
    for (size_t first = 0; first < p; ++first) {
      if ((first / stride[i]) % c.dims[i] != 0) continue;  // not the start of a ring
      g.clear();
      for (uint32_t x = 0; x < c.dims[i]; ++x)
        g.push_back(static_cast<uint32_t>(first + x * stride[i]));
      phase(s, g, share[i], r, tag);
    }
  };
  double left = 1.0;
  for (size_t i = k; i-- > 0;) {
    share[i] = left;
    along(i, ring_reduce_scatter);
    left /= c.dims[i];
  }
  for (size_t i = 0; i < k; ++i) along(i, ring_all_gather);
}
ScheduleSize multi_dimensional_size(const Collective& c) {
  ScheduleSize out;
  for (uint32_t d : c.dims) {
    out.transfers += 2 * p_of(c) * (d - 1.0);
    out.reductions += p_of(c) * (d - 1.0);
  }
  return out;
}
Problem multi_dimensional_check(const Collective& c) {
  if (c.dims.empty()) return CollectiveProblem{"dims", "expected at least one dimension"};
  double product = 1;
  for (uint32_t d : c.dims) {
    if (d < 1) return CollectiveProblem{"dims", "every dimension must be at least 1"};
    product *= d;
  }
  if (product != p_of(c)) {
    return CollectiveProblem{
        "dims",
        fmt::format("the dimensions multiply to {}, not to the {} ranks", product, c.ranks.size())};
  }
  return std::nullopt;
}

// The same rank grid, every dimension and both directions at once (the TPU's way: Ying et
// al., 2018; Jouppi et al., ISCA 2023): the buffer is cut into 2k parts, (i, dir) for
// each dimension i and direction. Part (i, dir) reduce-scatters by rings along dimension
// i in direction dir, then along i+1 (mod k) on the shard left, ..., then all-gathers in
// the reverse order. At stage t part (i, dir) is on dimension i+t, so each (dimension,
// direction) carries one part at a time and every link of a torus is busy.
void bidirectional_multi_dimensional_ar(const Collective& c, Schedule& s) {
  const size_t p = c.ranks.size(), k = c.dims.size();
  std::vector<size_t> stride(k, 1);
  for (size_t i = k - 1; i-- > 0;) stride[i] = stride[i + 1] * c.dims[i + 1];
  std::vector<uint32_t> g;
  std::vector<double> share(k);
  for (bool forward : {true, false}) {
    for (size_t part = 0; part < k; ++part) {
      Ready r = no_deps(c);
      const auto along = [&](size_t i, auto&& phase) {
        const std::string tag = fmt::format("p{}{}_d{}_", part, forward ? "cw" : "ccw", i);
        for (size_t first = 0; first < p; ++first) {
          if ((first / stride[i]) % c.dims[i] != 0) continue;  // not the start of a ring
          g.clear();
          for (uint32_t x = 0; x < c.dims[i]; ++x) {
            const uint32_t at = forward ? x : (c.dims[i] - x) % c.dims[i];  // 0, D-1, ..., 1
            g.push_back(static_cast<uint32_t>(first + at * stride[i]));
          }
          phase(s, g, share[i], r, tag);
        }
      };
      double left = 1.0 / (2.0 * static_cast<double>(k));
      for (size_t t = 0; t < k; ++t) {
        const size_t i = (part + t) % k;
        share[i] = left;
        along(i, ring_reduce_scatter);
        left /= c.dims[i];
      }
      for (size_t t = k; t-- > 0;) along((part + t) % k, ring_all_gather);
    }
  }
}
ScheduleSize bidirectional_multi_dimensional_size(const Collective& c) {
  const auto one_part = multi_dimensional_size(c);
  const double parts = 2.0 * static_cast<double>(c.dims.size());
  return {parts * one_part.transfers, parts * one_part.reductions};
}

// ---- all_gather, reduce_scatter ----

void ring_ag(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  ring_all_gather(s, iota(c.ranks.size()), 1.0, r);
}
void ring_rs(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  ring_reduce_scatter(s, iota(c.ranks.size()), 1.0, r);
}
ScheduleSize ring_ag_size(const Collective& c) { return {p_of(c) * (p_of(c) - 1), 0}; }
ScheduleSize ring_rs_size(const Collective& c) {
  return {p_of(c) * (p_of(c) - 1), p_of(c) * (p_of(c) - 1)};
}
void doubling_ag(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  doubling_all_gather(s, iota(c.ranks.size()), 1.0, r);
}
void halving_rs(const Collective& c, Schedule& s) {
  Ready r = no_deps(c);
  halving_reduce_scatter(s, iota(c.ranks.size()), 1.0, r);
}
ScheduleSize doubling_size(const Collective& c) { return {p_of(c) * log2_of(p_of(c)), 0}; }
ScheduleSize halving_size(const Collective& c) {
  return {p_of(c) * log2_of(p_of(c)), p_of(c) * log2_of(p_of(c))};
}
Problem doubling_check(const Collective& c) { return power_of_two(c, "recursive_doubling"); }
Problem halving_check(const Collective& c) { return power_of_two(c, "recursive_halving"); }

// ---- broadcast ----

// A chain from the root through the ranks in order (wrapping round): rank v forwards
// each chunk to rank v+1 as soon as it has it.
void chain_broadcast(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t ph = s.phase("chain");
  Ready r = no_deps(c);
  std::span<const uint32_t> deps = r[c.root];
  uint32_t into = 0;
  for (uint32_t v = 0; v + 1 < p; ++v) {
    into = s.add(ph, v, (c.root + v) % p, (c.root + v + 1) % p, 1.0, deps, false);
    deps = std::span(&into, 1);
  }
}
ScheduleSize chain_size(const Collective& c) { return {p_of(c) - 1, 0}; }

// A binary tree in heap order over the ranks counted from the root: relative rank v
// sends to 2v+1 and 2v+2, both at once, as soon as it has the data.
void tree_broadcast(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t ph = s.phase("tree", true);
  std::vector<uint32_t> into(p);
  const auto rank = [&](uint32_t v) { return (c.root + v) % p; };
  for (uint32_t v = 0; v < p; ++v) {
    const auto deps = v == 0 ? std::span<const uint32_t>() : std::span(&into[v], 1);
    const uint32_t depth = std::bit_width(v + 1) - 1;
    for (uint32_t ch = 2 * v + 1; ch <= 2 * v + 2 && ch < p; ++ch) {
      into[ch] = s.add(ph, depth, rank(v), rank(ch), 1.0, deps, false);
    }
  }
}

// ---- reduce ----

// The broadcast chain reversed (NCCL's ring reduce): from the rank after the root round
// to the root, each rank adds its data to what it received and forwards the sum.
void chain_reduce(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t ph = s.phase("chain");
  Ready r = no_deps(c);
  std::span<const uint32_t> deps = r[(c.root + 1) % p];
  uint32_t into = 0;
  for (uint32_t v = 0; v + 1 < p; ++v) {
    into = s.add(ph, v, (c.root + 1 + v) % p, (c.root + 2 + v) % p, 1.0, deps, true);
    deps = std::span(&into, 1);
  }
}
ScheduleSize chain_reduce_size(const Collective& c) { return {p_of(c) - 1, p_of(c) - 1}; }

// ---- in-network reduction (NVLS) ----

// The switch the ranks hang off reduces and multicasts (NVLink SHARP: multimem.ld_reduce
// and multimem.st): rank index p stands for it. All-reduce: every rank sends its buffer
// up (the switch reads each rank's slice for every reader, n in all) plus the reduced
// slice it owns (n/p, stored back for multicast); the switch sends every rank the reduced
// slice it owns and the multicast of all the others: n(1 + 1/p) each way per rank, so
// algbw = B p/(p+1) (the relation NCCL's maintainers give for NVLS, nccl-tests#212).
void nvls_ar(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t up = s.phase("up"), down = s.phase("down");
  const double share = 1.0 + 1.0 / p;
  std::vector<uint32_t> ups(p);
  for (uint32_t i = 0; i < p; ++i) ups[i] = s.add(up, 0, i, p, share, {}, false);
  for (uint32_t i = 0; i < p; ++i) s.add(down, 1, p, i, share, ups, false);
}
// Reduce-scatter: the switch reads every rank's whole input (n) and returns each rank its
// reduced slice (n/p). All-gather: each rank stores its slice (n/p), the switch multicasts
// it to all (n received per rank).
void nvls_rs(const Collective& c, Schedule& s) {
  std::vector<uint32_t> all(c.ranks.size());
  std::iota(all.begin(), all.end(), 0);
  Ready r = no_deps(c);
  switch_reduce_scatter(s, all, 1.0, static_cast<uint32_t>(c.ranks.size()), r);
}
void nvls_ag(const Collective& c, Schedule& s) {
  std::vector<uint32_t> all(c.ranks.size());
  std::iota(all.begin(), all.end(), 0);
  Ready r = no_deps(c);
  switch_all_gather(s, all, 1.0, static_cast<uint32_t>(c.ranks.size()), r);
}
ScheduleSize nvls_size(const Collective& c) { return {2 * p_of(c), 0}; }

// NVLS-Tree (NCCL's NVLSTree, as its maintainers describe it: nccl-tests#212): NVLS
// reduce-scatter inside each domain (in_network group g for domain g), the all-reduce of
// each rail's n/d shard between the domains by `inter` (ring, rhd, tree, or sharp in the
// rail's switch: groups G + j), then NVLS all-gather inside each domain.
void nvls_tree_ar(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size()), d = c.domain_size, domains = p / d;
  Ready r = no_deps(c);
  std::vector<uint32_t> g(d);
  for (uint32_t k = 0; k < domains; ++k) {
    std::iota(g.begin(), g.end(), k * d);
    switch_reduce_scatter(s, g, 1.0, p + k, r, "intra_");
  }
  rails_all_reduce(c, s, r, p + domains);
  for (uint32_t k = 0; k < domains; ++k) {
    std::iota(g.begin(), g.end(), k * d);
    switch_all_gather(s, g, 1.0, p + k, r, "intra_");
  }
}
ScheduleSize nvls_tree_size(const Collective& c) {
  const double p = p_of(c), d = c.domain_size, domains = p / d;
  const auto inter = all_reduce_size(c.inter, domains);
  return {4 * p + d * inter.transfers, d * inter.reductions};
}
Problem nvls_tree_check(const Collective& c) {
  if (auto e = domains(c)) return e;
  const size_t g = c.ranks.size() / c.domain_size;
  if (c.in_network.size() < g) {
    return CollectiveProblem{
        "algorithm",
        "nvls_tree needs, in every domain, an NVSwitch-like scale-up switch all of the domain's "
        "ranks link to directly; none was found"};
  }
  return inter_check(c, g);
}
Problem nvls_check(const Collective& c) {
  if (c.in_network.empty()) {
    return CollectiveProblem{
        "algorithm",
        "nvls needs an NVSwitch-like scale-up switch that every rank links to directly (a star "
        "with \"scale_up\": true, or ranks inside one scale-up domain of a Clos fabric); none "
        "was found"};
  }
  return std::nullopt;
}

// ---- all_to_all ----

// Every rank sends its p-1 pieces of n/p at once (NCCL's all-to-all: grouped sends).
void direct_a2a(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t ph = s.phase("direct");
  for (uint32_t i = 0; i < p; ++i) {
    for (uint32_t k = 1; k < p; ++k) s.add(ph, k, i, (i + k) % p, 1.0 / p, {}, false);
  }
}
ScheduleSize a2a_size(const Collective& c) { return {p_of(c) * (p_of(c) - 1), 0}; }

// Pairwise exchange (Thakur et al. 2005, sec. 3.4; without the XOR pairing, so any p):
// in step k = 1..p-1 rank i sends to i+k and receives from i-k, and starts step k+1
// once both are done.
void pairwise_a2a(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size());
  const uint16_t ph = s.phase("pairwise");
  std::vector<uint32_t> sent(p), recv(p), next(p);
  uint32_t deps[2];
  for (uint32_t k = 1; k < p; ++k) {
    for (uint32_t i = 0; i < p; ++i) {
      deps[0] = sent[i];
      deps[1] = recv[i];
      const uint32_t to = (i + k) % p;
      sent[i] = s.add(ph, k, i, to, 1.0 / p, std::span(deps, k == 1 ? 0 : 2), false);
      next[to] = sent[i];
    }
    std::swap(recv, next);
  }
}

// Domains of d consecutive ranks, G = p/d of them. Rank (g, j) first sends to each local
// rank (g, k) everything destined for rail k, (g', k) for every domain g' (G pieces of
// n/p); then, having all its domain's data for rail k, it sends to each (g', k) of the
// other domains the d pieces for it. The rail-aligned two-hop exchange of NCCL's PXN.
void hierarchical_a2a(const Collective& c, Schedule& s) {
  const uint32_t p = static_cast<uint32_t>(c.ranks.size()), d = c.domain_size, domains = p / d;
  const uint16_t intra = s.phase("intra"), inter = s.phase("inter");
  std::vector<std::vector<uint32_t>> got(p);
  for (uint32_t i = 0; i < p; ++i) {
    const uint32_t base = i / d * d, j = i % d;
    for (uint32_t k = 1; k < d; ++k) {
      const uint32_t to = base + (j + k) % d;
      got[to].push_back(s.add(intra, k, i, to, 1.0 / d, {}, false));
    }
  }
  for (uint32_t i = 0; i < p; ++i) {
    const uint32_t g = i / d, j = i % d;
    for (uint32_t k = 1; k < domains; ++k) {
      s.add(inter, k, i, (g + k) % domains * d + j, 1.0 / domains, got[i], false);
    }
  }
}
ScheduleSize hierarchical_a2a_size(const Collective& c) {
  const double p = p_of(c), d = c.domain_size;
  return {p * (d - 1) + p * (p / d - 1), 0};
}

// ---- p2p ----

void p2p_send(const Collective&, Schedule& s) { s.add(s.phase("send"), 0, 0, 1, 1.0, {}, false); }
ScheduleSize one(const Collective&) { return {1, 0}; }

// The built-in algorithms, grouped by kind, in the order documentation and error
// messages list them.
constexpr CollectiveAlgorithm kAlgorithms[] = {
    {CollectiveKind::all_reduce, "ring",
     "ring reduce-scatter then all-gather, 2(p-1) steps of n/p (Patarasuk & Yuan, JPDC 2009; "
     "NCCL's ring)",
     nullptr, ring_ar_size_of, ring_ar},
    {CollectiveKind::all_reduce, "bidirectional_ring",
     "two rings in opposite directions, each with half of the data", nullptr, bidirectional_size,
     bidirectional_ring_ar},
    {CollectiveKind::all_reduce, "tree",
     "double binary tree, reduce up and broadcast down, pipelined by chunks (Sanders, Speck & "
     "Traeff, Parallel Computing 2009; NCCL's tree)",
     nullptr, tree_size_of, tree_ar},
    {CollectiveKind::all_reduce, "rhd",
     "recursive halving reduce-scatter then recursive doubling all-gather (Rabenseifner; "
     "Thakur, Rabenseifner & Gropp, IJHPCA 2005)",
     nullptr, rhd_size_of, rhd_ar},
    {CollectiveKind::all_reduce, "hierarchical",
     "reduce-scatter inside each domain, all-reduce of the shard between domains ('inter'), "
     "all-gather inside each domain",
     hierarchical_check, hierarchical_size, hierarchical_ar},
    {CollectiveKind::all_reduce, "multi_dimensional",
     "one ring reduce-scatter per dimension of a rank grid ('dims'), then the all-gathers in "
     "reverse (as on TPU tori: Ying et al., 2018)",
     multi_dimensional_check, multi_dimensional_size, multi_dimensional_ar},
    {CollectiveKind::all_reduce, "bidirectional_multi_dimensional",
     "multi_dimensional over every dimension and both directions at once: 2 x dims parts, "
     "each starting on its own (dimension, direction) (TPU-style: Ying et al., 2018; Jouppi "
     "et al., ISCA 2023)",
     multi_dimensional_check, bidirectional_multi_dimensional_size,
     bidirectional_multi_dimensional_ar},
    {CollectiveKind::all_reduce, "nvls",
     "in-switch reduction and multicast (NVLink SHARP): every rank sends n(1 + 1/p) up and "
     "receives n(1 + 1/p) (NCCL's NVLS)",
     nvls_check, nvls_size, nvls_ar},
    {CollectiveKind::all_reduce, "nvls_tree",
     "NVLS reduce-scatter in each domain, all-reduce of each rail's shard between domains "
     "('inter': ring, rhd, tree or sharp), NVLS all-gather (NCCL's NVLSTree)",
     nvls_tree_check, nvls_tree_size, nvls_tree_ar},
    {CollectiveKind::all_gather, "ring", "p-1 steps of n/p to the successor (NCCL's ring)", nullptr,
     ring_ag_size, ring_ag},
    {CollectiveKind::all_gather, "recursive_doubling",
     "log2 p steps exchanging what was gathered with the rank 2^k away (Thakur et al., IJHPCA "
     "2005)",
     doubling_check, doubling_size, doubling_ag},
    {CollectiveKind::all_gather, "nvls",
     "each rank stores its n/p slice into the switch, which multicasts it to all (NCCL's NVLS)",
     nvls_check, nvls_size, nvls_ag},
    {CollectiveKind::reduce_scatter, "ring",
     "p-1 steps of n/p to the successor, reduced (NCCL's "
     "ring)",
     nullptr, ring_rs_size, ring_rs},
    {CollectiveKind::reduce_scatter, "recursive_halving",
     "log2 p steps sending half of what is left to the rank p/2^(k+1) away (Thakur et al., "
     "IJHPCA 2005)",
     halving_check, halving_size, halving_rs},
    {CollectiveKind::reduce_scatter, "nvls",
     "the switch reads every rank's input and returns each its reduced n/p slice (NCCL's NVLS)",
     nvls_check, nvls_size, nvls_rs},
    {CollectiveKind::broadcast, "ring",
     "pipelined chain from the root round the ranks in order (NCCL's ring broadcast)", nullptr,
     chain_size, chain_broadcast},
    {CollectiveKind::broadcast, "tree", "binary tree from the root, pipelined by chunks", nullptr,
     chain_size, tree_broadcast},
    {CollectiveKind::reduce, "ring",
     "pipelined chain round the ranks ending at the root, each rank adding its data (NCCL's "
     "ring reduce)",
     nullptr, chain_reduce_size, chain_reduce},
    {CollectiveKind::all_to_all, "direct",
     "every rank sends its p-1 pieces at once (NCCL's all-to-all of grouped sends)", nullptr,
     a2a_size, direct_a2a},
    {CollectiveKind::all_to_all, "pairwise",
     "p-1 steps; in step k rank i sends to i+k (pairwise exchange, Thakur et al., IJHPCA 2005)",
     nullptr, a2a_size, pairwise_a2a},
    {CollectiveKind::all_to_all, "hierarchical",
     "inside each domain to the rank on the destination's rail, then along the rail (NCCL's "
     "PXN)",
     domains, hierarchical_a2a_size, hierarchical_a2a},
    {CollectiveKind::p2p, "direct", "one send from src to dst", nullptr, one, p2p_send},
};

}  // namespace

std::string_view to_string(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::all_reduce:
      return "all_reduce";
    case CollectiveKind::all_gather:
      return "all_gather";
    case CollectiveKind::reduce_scatter:
      return "reduce_scatter";
    case CollectiveKind::broadcast:
      return "broadcast";
    case CollectiveKind::reduce:
      return "reduce";
    case CollectiveKind::all_to_all:
      return "all_to_all";
    case CollectiveKind::p2p:
      return "p2p";
  }
  return "?";
}

std::optional<CollectiveKind> collective_kind(std::string_view name) {
  for (CollectiveKind k : kCollectiveKinds) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

std::span<const CollectiveAlgorithm> collective_algorithms() { return kAlgorithms; }

std::vector<std::string> algorithm_names(CollectiveKind kind) {
  std::vector<std::string> out;
  for (const auto& a : kAlgorithms) {
    if (a.kind == kind) out.emplace_back(a.name);
  }
  return out;
}

const CollectiveAlgorithm* find_collective_algorithm(CollectiveKind kind, std::string_view name) {
  for (const auto& a : kAlgorithms) {
    if (a.kind == kind && a.name == name) return &a;
  }
  return nullptr;
}

std::optional<CollectiveProblem> check_collective(const Collective& c,
                                                  const CollectiveAlgorithm& a) {
  const size_t p = c.ranks.size();
  if (c.kind == CollectiveKind::p2p && p != 2) {
    return CollectiveProblem{"ranks", fmt::format("a p2p has 2 ranks, src and dst, got {}", p)};
  }
  if (p < 2) {
    return CollectiveProblem{"ranks",
                             fmt::format("a collective needs at least 2 ranks, got {}", p)};
  }
  std::vector<NodeId> sorted = c.ranks;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return CollectiveProblem{"ranks", "a node is listed twice among the ranks"};
  }
  if (c.chunks < 1) return CollectiveProblem{"chunks", "must be at least 1"};
  if (c.channels < 1) return CollectiveProblem{"channels", "must be at least 1"};
  if (!(c.size.si() > 0)) return CollectiveProblem{"size", "must be greater than zero"};
  if (c.reduction_rate.si() < 0) return CollectiveProblem{"reduction_rate", "must not be negative"};
  if ((c.kind == CollectiveKind::broadcast || c.kind == CollectiveKind::reduce) && c.root >= p) {
    return CollectiveProblem{"root",
                             fmt::format("root index {} is not one of the {} ranks", c.root, p)};
  }
  if (a.check) return a.check(c);
  return std::nullopt;
}

double flow_count(const Collective& c, const CollectiveAlgorithm& a) {
  const ScheduleSize s = a.size(c);
  const double per = static_cast<double>(c.chunks) * c.channels;
  return per * (s.transfers + (c.reduction_rate.si() > 0 ? s.reductions : 0));
}

std::vector<FlowId> append_collective(const Collective& c, const CollectiveAlgorithm& a,
                                      net::FlowSet& flows, std::span<const FlowId> after) {
  const auto problem = check_collective(c, a);
  ROSHNI_ASSERT(!problem, "collective not checked: {}: {}", problem->field, problem->message);
  ROSHNI_ASSERT(a.kind == c.kind, "algorithm '{}' is for {}, not {}", a.name, to_string(a.kind),
                to_string(c.kind));
  Schedule s;
  const ScheduleSize size = a.size(c);
  s.reserve(static_cast<size_t>(size.transfers), static_cast<size_t>(2 * size.transfers));
  a.build(c, s);
  ROSHNI_ASSERT(static_cast<double>(s.size()) == size.transfers,
                "'{}' {} wrote {} transfers; its size formula says {}", a.name, to_string(c.kind),
                s.size(), size.transfers);
  return expand(s, c, flows, after);
}

}  // namespace roshni::coll
