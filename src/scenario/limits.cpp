// Size limits (limits.h). The byte costs were measured once (commit 9a4342b, release
// build) as the peak resident memory ("Maximum resident set size" of /usr/bin/time -v,
// the kernel's VmHWM) of two runs that differ only in size, the difference divided by
// the difference in nodes, links or flows:
//   star, 2^20 -> 2^21 GPUs, `run` of one p2p: 600,116 -> 1,335,356 KB, 718 B per node
//     and its link;
//   full_mesh, 1,024 -> 2,048 GPUs, `run` of one p2p: 197,244 -> 768,472 KB over
//     1,572,352 more links: 372 B a link (so 346 B a node, from the star);
//   checked on a 128x128x64 torus (2^20 nodes, 3·2^20 links): 1,300,652 KB, 1,270 B a
//     node with its 3 links, under the 400 + 3·400 the constants give;
//   all_to_all (direct) on a star of 1,024 -> 2,048 GPUs, `validate`: 151,500 -> 627,884
//     KB over 3,144,704 more flows: 155 B a flow as loaded (flow, label, 2-link path); a
//     run adds the model's per-flow state and the report's row, hence 250.
// Node and link costs are rounded up to 400 B, so the estimate bounds the generated
// topologies; an explicit topology with long names can take more.
#include "scenario/limits.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "roshni/coll/collective.h"
#include "roshni/coll/registry.h"

namespace roshni::scenario {

uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

uint64_t sat_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) {
    return std::numeric_limits<uint64_t>::max();
  }
  return a * b;
}

uint64_t SizeEstimate::bytes() const {
  return sat_add(sat_mul(nodes, kBytesPerNode), sat_mul(links, kBytesPerLink));
}

std::string bytes_text(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 0x1p60) return fmt::format("{:.3g} EiB", b / 0x1p60);
  if (b >= 0x1p50) return fmt::format("{:.1f} PiB", b / 0x1p50);
  if (b >= 0x1p40) return fmt::format("{:.1f} TiB", b / 0x1p40);
  if (b >= 0x1p30) return fmt::format("{:.1f} GiB", b / 0x1p30);
  if (b >= 0x1p20) return fmt::format("{:.1f} MiB", b / 0x1p20);
  return fmt::format("{} B", bytes);
}

namespace {

/// A count for messages: exact up to 10^15, else in scientific notation.
std::string count_text(uint64_t n) {
  if (n == std::numeric_limits<uint64_t>::max()) return "more than 1.8e19";
  if (n < 1'000'000'000'000'000ULL) return fmt::format("{}", n);
  return fmt::format("{:.3g}", static_cast<double>(n));
}

}  // namespace

void check_topology_size(const JsonNode& at, std::string_view kind, const SizeEstimate& e) {
  if (e.gpus > kMaxTopologyGpus) {
    at.fail(fmt::format("this {} has {} GPUs, more than the {} (2^24) a topology may have",
                        kind, count_text(e.gpus), kMaxTopologyGpus));
  }
  const uint64_t bytes = e.bytes();
  if (bytes > kMemoryLimit) {
    at.fail(fmt::format(
        "this {} of {} nodes and {} links would take about {} of memory to build and run "
        "(estimate: {} B a node, {} B a link), more than the limit of {}; make it smaller",
        kind, count_text(e.nodes), count_text(e.links), bytes_text(bytes), kBytesPerNode,
        kBytesPerLink, bytes_text(kMemoryLimit)));
  }
}

namespace {

/// An integer option of `w` within [min, max], or `fallback` when absent; nullopt when it
/// is malformed (the loader reports that).
std::optional<uint64_t> option(const JsonNode& w, std::string_view key, uint64_t min, uint64_t max,
                               uint64_t fallback) {
  const auto n = w.get(key);
  if (!n) return fallback;
  const auto& v = n->raw();
  if (!v.is_number_unsigned()) return std::nullopt;
  const uint64_t x = v.get<uint64_t>();
  if (x < min || x > max) return std::nullopt;
  return x;
}

}  // namespace

void check_workload_size(const JsonNode& w, uint64_t gpus, size_t max_flows) {
  if (!w.is_object() || !w.has("kind") || !w.raw()["kind"].is_string()) return;
  const std::string kind_name = w.raw()["kind"].get<std::string>();
  const auto kind = coll::collective_kind(kind_name);
  if (!kind) return;  // training and traces are counted by the loader
  using coll::CollectiveKind;
  uint64_t p = gpus;
  if (*kind == CollectiveKind::p2p) {
    p = 2;
  } else if (const auto r = w.get("ranks")) {
    if (!r->raw().is_array()) return;
    p = r->raw().size();
  }
  if (p < 2 || p > kMaxTopologyGpus) return;
  // The same bounds as the loader's.
  const auto chunks = option(w, "chunks", 1, uint64_t{1} << 20, 1);
  const auto channels = option(w, "channels", 1, 1024, 1);
  const auto domain = option(w, "domain_size", 1, p, 0);
  if (!chunks || !channels || !domain) return;
  std::string named;
  if (const auto a = w.get("algorithm")) {
    if (!a->raw().is_string()) return;
    named = a->raw().get<std::string>();
    if (named == "auto") named.clear();
    else if (!coll::find_collective_algorithm(*kind, named)) return;
  }
  std::vector<std::string> inters{"ring", "rhd", "tree"};
  if (const auto i = w.get("inter")) {
    if (!i->raw().is_string()) return;
    if (i->raw() != "auto") inters = {i->raw().get<std::string>()};
  }
  std::vector<uint32_t> dims;
  if (const auto d = w.get("dims")) {
    if (!d->raw().is_array()) return;
    for (const auto& x : d->raw()) {
      if (!x.is_number_unsigned() || x.get<uint64_t>() < 1 || x.get<uint64_t>() > p) return;
      dims.push_back(static_cast<uint32_t>(x.get<uint64_t>()));
    }
  }

  coll::Collective c;
  c.kind = *kind;
  c.ranks.assign(p, NodeId(0));  // only the count matters to the closed forms
  c.chunks = static_cast<uint32_t>(*chunks);
  c.channels = static_cast<uint32_t>(*channels);
  c.dims = dims;
  // The least count over what may run: each allowed algorithm, and for one that takes a
  // domain size the scenario did not give, every domain size that divides p (the
  // topology's, which the auto rule and 'hierarchical' take, is one of them); reductions
  // (counted only with a reduction rate) are left out. Transfers only: a lower bound.
  double least = std::numeric_limits<double>::infinity();
  std::string least_by;
  const auto consider = [&](const coll::CollectiveAlgorithm& a) {
    if (a.check && a.check(c)) return;
    const double n = static_cast<double>(c.chunks) * c.channels * a.size(c).transfers;
    if (n < least) {
      least = n;
      least_by = std::string(a.name);
    }
  };
  for (const coll::CollectiveAlgorithm& a : coll::collective_algorithms()) {
    if (a.kind != *kind || (!named.empty() && a.name != named)) continue;
    const bool domains = a.name == "hierarchical";
    for (const std::string& inter : domains && *kind == CollectiveKind::all_reduce
                                        ? inters
                                        : std::vector<std::string>{"ring"}) {
      c.inter = inter;
      if (!domains || *domain > 0) {
        c.domain_size = static_cast<uint32_t>(*domain);
        consider(a);
        continue;
      }
      for (uint64_t d = 1; d * d <= p; ++d) {
        if (p % d != 0) continue;
        for (const uint64_t e : {d, p / d}) {
          c.domain_size = static_cast<uint32_t>(e);
          consider(a);
        }
      }
    }
  }
  // No algorithm could be judged (each refuses these options): the loader says why.
  if (least_by.empty() || !(least > static_cast<double>(max_flows))) return;
  std::string what(kind_name);
  std::replace(what.begin(), what.end(), '_', '-');
  w.fail(fmt::format(
      "a{} {} over {} ranks is at least {} flows ({}{}), more than the limit of {} "
      "(about {} at {} B a flow); refused before the topology is built",
      what.starts_with("a") ? "n" : "", what, p,
      least < 1.8e19 ? count_text(static_cast<uint64_t>(least)) : fmt::format("{:.3g}", least),
      named.empty() ? "the fewest of any algorithm: " : "", least_by, max_flows,
      bytes_text(sat_mul(static_cast<uint64_t>(std::min(least, 1.8e19)), kBytesPerFlow)),
      kBytesPerFlow));
}

}  // namespace roshni::scenario
