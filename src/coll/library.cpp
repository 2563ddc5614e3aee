#include "roshni/coll/library.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "roshni/coll/schedule.h"
#include "roshni/coll/tuner.h"
#include "roshni/core/error.h"

namespace roshni::coll {

std::string_view to_string(Protocol p) {
  switch (p) {
    case Protocol::ll:
      return "LL";
    case Protocol::ll128:
      return "LL128";
    case Protocol::simple:
      return "Simple";
  }
  return "?";
}

std::optional<Protocol> protocol_named(std::string_view name) {
  for (Protocol p : kProtocols) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view to_string(HopClass h) {
  switch (h) {
    case HopClass::nvlink:
      return "nvlink";
    case HopClass::network:
      return "network";
    case HopClass::pcie:
      return "pcie";
  }
  return "?";
}

double predicted_seconds(const Collective& c, const CollectiveAlgorithm& a, Protocol proto) {
  ROSHNI_ASSERT(c.library.has_value(), "a prediction needs a library");
  const LibraryUse& use = *c.library;
  const Library& lib = use.library;
  Schedule s;
  a.build(c, s);
  const auto p = static_cast<uint32_t>(c.ranks.size());
  const auto node_of = [&](uint32_t i, uint32_t k) { return node_of_index(c, i, k); };
  // Per (node, hop class): wire bytes out, in, and the narrowest rate seen.
  struct Load {
    double out = 0, in = 0, rate = 0;
  };
  std::map<std::pair<uint32_t, HopClass>, Load> load;
  const auto add = [&](NodeId n, HopClass h, double out, double in, double rate) {
    Load& l = load[{n.value(), h}];
    l.out += out;
    l.in += in;
    if (rate > 0) l.rate = l.rate > 0 ? std::min(l.rate, rate) : rate;
  };
  // Two bounds, as for any schedule: the longest dependency chain of one chunk of one
  // channel (each transfer its latency and its bytes at its path's rate), with the
  // slowest transfer repeated for every further chunk (the pipeline); and the busiest
  // port, every chunk and channel's bytes at its rate.
  std::vector<double> finish(s.size(), 0.0);
  double chain = 0, slowest = 0, launch = 0;
  const uint32_t channels = c.channels;
  const double instance = c.size.si() / (static_cast<double>(c.chunks) * channels);
  for (uint32_t t = 0; t < s.size(); ++t) {
    const bool in_network = s.src(t) >= p || s.dst(t) >= p;
    double step = 0;
    for (uint32_t k = 0; k < channels; ++k) {
      const NodeId from = node_of(s.src(t), k), to = node_of(s.dst(t), k);
      const PathFacts path = use.path(from, to);
      const double wire =
          in_network ? lib.in_network_wire_factor(path.hop) : lib.wire_factor(proto, path.hop);
      const double b = s.share(t) * instance * wire;  // one chunk of one channel
      // A switch's side of an in-network transfer is not a rank's port: not counted.
      if (s.src(t) < p) add(from, path.hop, b * c.chunks, 0, path.rate.si());
      if (s.dst(t) < p) add(to, path.hop, 0, b * c.chunks, path.rate.si());
      if (k == 0) {
        const double move = path.rate.si() > 0 ? b / path.rate.si() : 0.0;
        slowest = std::max(slowest, move);
        step = path.latency.duration().si() + move +
               (in_network ? lib.in_network_step_latency(path.hop)
                           : lib.costs(proto).step_latency[static_cast<size_t>(path.hop)])
                   .duration().si();
        if (s.deps(t).empty() && !in_network) launch = lib.costs(proto).launch.duration().si();
      }
    }
    double start = 0;
    for (uint32_t d : s.deps(t)) start = std::max(start, finish[d]);
    finish[t] = start + step;
    chain = std::max(chain, finish[t]);
  }
  double busiest = 0;
  for (const auto& [key, l] : load) {
    if (l.rate > 0) busiest = std::max(busiest, std::max(l.out, l.in) / l.rate);
  }
  return launch + std::max(chain + (c.chunks - 1) * slowest, busiest);
}

std::vector<Protocol> protocols_for(const CollectiveAlgorithm& a) {
  if (a.name == "nvls" || a.name == "nvls_tree") return {Protocol::simple};
  return {std::begin(kProtocols), std::end(kProtocols)};
}

TunerChoice choose_by_prediction(
    const Collective& c, const std::vector<const CollectiveAlgorithm*>& candidates,
    std::optional<Protocol> fixed,
    const std::function<void(Collective&, const CollectiveAlgorithm&)>& prepare) {
  ROSHNI_ASSERT(!candidates.empty(), "no candidate algorithm");
  TunerChoice best;
  std::vector<std::string> entries;  // every pair weighed, in the order weighed
  size_t winner = 0;
  for (const CollectiveAlgorithm* a : candidates) {
    std::vector<Protocol> protocols = protocols_for(*a);
    if (fixed) {
      if (std::find(protocols.begin(), protocols.end(), *fixed) == protocols.end()) continue;
      protocols = {*fixed};
    }
    Collective trial = c;
    prepare(trial, *a);
    for (Protocol p : protocols) {
      const double t = predicted_seconds(trial, *a, p);
      if (best.algorithm == nullptr || t < best.seconds) {
        best.algorithm = a;
        best.protocol = p;
        best.seconds = t;
        winner = entries.size();
      }
      entries.push_back(fmt::format("{}/{} {:.4g} us", a->name, to_string(p), t * 1e6));
    }
  }
  ROSHNI_ASSERT(best.algorithm != nullptr, "no candidate runs the fixed protocol");
  std::string others;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i != winner) others += (others.empty() ? "" : ", ") + entries[i];
  }
  best.reason = "least predicted time: " + entries[winner] +
                (others.empty() ? "" : "; weighed against " + others);
  return best;
}

}  // namespace roshni::coll
