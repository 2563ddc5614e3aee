// The auto rule. Like NCCL's tuner (NVIDIA/nccl src/graph/tuning.cc), it asks whether a
// collective is latency-bound, but with one closed-form test instead of a table of
// measured constants: a ring step moves one piece of n/p bytes and costs
// alpha + (n/p) beta, so it is latency-bound when n/p <= alpha B, the path's
// bandwidth-delay product. Then a logarithmic-latency algorithm wins: recursive
// halving-doubling for a power of two up to kAutoRhdMaxRanks ranks (bandwidth-optimal
// too), the double binary tree otherwise (rhd's step k pairs every rank with the one 2^k
// away, so at scale its late steps send all p ranks' data across the fabric's top tier
// at once; the tree's level l has only ~p/2^l senders, which is why NCCL runs trees at
// scale). Else the ring, whose traffic is neighbour-only and so contention-free on
// rings, rails and tori. A scale-up domain under the ranks makes all-reduce and
// all-to-all hierarchical, as NCCL does with NVLink inside a node.
#include "roshni/coll/auto_select.h"

#include <fmt/format.h>

#include <bit>

namespace roshni::coll {
namespace {

struct Flat {
  std::string_view algorithm;
  std::string reason;
};

// The bandwidth-delay product of the facts' path, in bytes; 0 when unknown.
double bdp(const TopologyFacts& f) { return f.latency.duration().si() * f.bandwidth.si(); }

std::string_view first_word(std::string_view s) { return s.substr(0, s.find(' ')); }

/// All-reduce over p ranks of n bytes, `copies` of it side by side (rails).
Flat flat_all_reduce(double p, double n, double copies, const TopologyFacts& f) {
  const bool pow2 = std::has_single_bit(static_cast<uint64_t>(p));
  const std::string_view log_algorithm = !pow2                   ? "tree (p is not a power of two)"
                                         : p <= kAutoRhdMaxRanks ? "rhd"
                                                                 : "tree (rhd only up to 64 ranks)";
  const double piece = n / p;
  if (piece <= bdp(f)) {
    return {first_word(log_algorithm),
            fmt::format("latency-bound: a ring step's piece n/p = {:.6g} B <= alpha B = {:.6g} B, "
                        "so {}",
                        piece, bdp(f), log_algorithm)};
  }
  const double ring_flows = copies * 2 * p * (p - 1);
  if (ring_flows > kAutoRingFlowBudget) {
    return {first_word(log_algorithm),
            fmt::format("a ring would be {:.6g} flows (budget {:.6g}), so {}", ring_flows,
                        kAutoRingFlowBudget, log_algorithm)};
  }
  return {"ring",
          fmt::format("bandwidth-bound: a ring step's piece n/p = {:.6g} B > alpha B = {:.6g} B, "
                      "so ring",
                      piece, bdp(f))};
}

bool has_domains(uint32_t p, const TopologyFacts& f) {
  return f.domain_size > 1 && f.domain_size < p && p % f.domain_size == 0;
}

}  // namespace

AutoChoice choose_algorithm(CollectiveKind kind, uint32_t ranks, DataSize size,
                            const TopologyFacts& facts) {
  const double p = ranks, n = size.si();
  const bool pow2 = std::has_single_bit(ranks);
  const bool latency_bound = n / p <= bdp(facts);
  switch (kind) {
    case CollectiveKind::all_reduce: {
      if (has_domains(ranks, facts)) {
        AutoChoice inter = choose_inter(ranks, facts.domain_size, size, facts);
        return {"hierarchical", inter.algorithm,
                fmt::format("scale-up domains of {} ranks; {}", facts.domain_size, inter.reason)};
      }
      Flat flat = flat_all_reduce(p, n, 1, facts);
      return {flat.algorithm, "", std::move(flat.reason)};
    }
    case CollectiveKind::all_gather:
    case CollectiveKind::reduce_scatter: {
      const std::string_view log_algorithm =
          kind == CollectiveKind::all_gather ? "recursive_doubling" : "recursive_halving";
      const double ring_flows = p * (p - 1);
      if (pow2 && latency_bound) {
        return {
            log_algorithm, "",
            fmt::format("latency-bound: n/p = {:.6g} B <= alpha B = {:.6g} B", n / p, bdp(facts))};
      }
      if (pow2 && ring_flows > kAutoRingFlowBudget) {
        return {log_algorithm, "",
                fmt::format("a ring would be {:.6g} flows (budget {:.6g})", ring_flows,
                            kAutoRingFlowBudget)};
      }
      return {"ring", "",
              pow2 ? fmt::format("bandwidth-bound: n/p = {:.6g} B > alpha B = {:.6g} B", n / p,
                                 bdp(facts))
                   : fmt::format("{} ranks is not a power of two", ranks)};
    }
    case CollectiveKind::broadcast:
      if (latency_bound) {
        return {
            "tree", "",
            fmt::format("latency-bound: n/p = {:.6g} B <= alpha B = {:.6g} B", n / p, bdp(facts))};
      }
      return {
          "ring", "",
          fmt::format("bandwidth-bound: n/p = {:.6g} B > alpha B = {:.6g} B", n / p, bdp(facts))};
    case CollectiveKind::reduce:
      return {"ring", "", "the only reduce algorithm (NCCL's too)"};
    case CollectiveKind::all_to_all:
      if (has_domains(ranks, facts)) {
        return {"hierarchical", "", fmt::format("scale-up domains of {} ranks", facts.domain_size)};
      }
      return {"direct", "", "no scale-up domain: every rank sends to every other at once"};
    case CollectiveKind::p2p:
      return {"direct", "", "the only p2p algorithm"};
  }
  return {"ring", "", ""};
}

AutoChoice choose_inter(uint32_t ranks, uint32_t domain_size, DataSize size,
                        const TopologyFacts& facts) {
  const double d = domain_size, domains = ranks / d;
  if (domains < 2) return {"ring", "", "one domain: nothing to do between domains"};
  Flat inter = flat_all_reduce(domains, size.si() / d, d, facts);
  return {inter.algorithm, "",
          fmt::format("between the {} domains (n = the {:.6g} B shard, p = {}): {}", domains,
                      size.si() / d, domains, std::move(inter.reason))};
}

}  // namespace roshni::coll
