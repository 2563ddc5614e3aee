// Jupiter-like direct-connect fabrics: blocks joined through an OCS layer (or, as the
// twin, through packet spines). See include/roshni/topo/direct_connect.h for the rules;
// docs/jupiter.md sets the results beside the paper's.
#include "roshni/topo/direct_connect.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Lays a circuit map onto the OCS devices, each block having U / K ports on each. In
// rounds (round i takes the i-th circuit of every pair that has more than i, pairs in
// order a < b), each circuit goes on the OCS where its two blocks have used the fewest
// ports (ties: the lower OCS) among those where both have a free port. When there is
// none, a Kempe-chain exchange makes one, as in edge colouring: with block a free on
// OCS x and block b free on OCS y, b moves one of its circuits from x to y; if that
// circuit's other block has no free port on y, it moves one of its own from y to x,
// and so on along a path of blocks (breadth first, each block once, never through a),
// which frees a port of b on x and leaves every other block's port counts as they were.
// add() returns false when neither finds a port (the map does not fit, or this greedy
// search cannot lay it).
class CircuitLayout {
 public:
  CircuitLayout(uint32_t blocks, uint32_t devices, uint32_t per)
      : n_(blocks), k_(devices), per_(per),
        on_(uint64_t{devices} * blocks), used_(uint64_t{devices} * blocks, 0) {}

  bool add(uint32_t a, uint32_t b) {
    uint32_t best = kNone, best_used = 0;
    for (uint32_t k = 0; k < k_; ++k) {
      if (!free(k, a) || !free(k, b)) continue;
      if (best == kNone || used(k, a) + used(k, b) < best_used) {
        best = k;
        best_used = used(k, a) + used(k, b);
      }
    }
    if (best != kNone) {
      put(a, b, best);
      return true;
    }
    for (uint32_t x = 0; x < k_; ++x) {
      if (!free(x, a)) continue;
      for (uint32_t y = 0; y < k_; ++y) {
        if (y == x || !free(y, b)) continue;
        if (exchange(b, x, y, a)) {
          put(a, b, x);
          return true;
        }
      }
    }
    return false;
  }

 private:
  struct Circuit {
    uint32_t a, b, k;
  };
  uint32_t& used(uint32_t k, uint32_t v) { return used_[uint64_t{k} * n_ + v]; }
  bool free(uint32_t k, uint32_t v) { return used(k, v) < per_; }
  std::vector<uint32_t>& on(uint32_t k, uint32_t v) { return on_[uint64_t{k} * n_ + v]; }

  void put(uint32_t a, uint32_t b, uint32_t k) {
    const auto id = static_cast<uint32_t>(circuits_.size());
    circuits_.push_back({a, b, k});
    on(k, a).push_back(id);
    on(k, b).push_back(id);
    ++used(k, a);
    ++used(k, b);
  }
  void move(uint32_t id, uint32_t to) {
    Circuit& c = circuits_[id];
    for (uint32_t v : {c.a, c.b}) {
      auto& list = on(c.k, v);
      list.erase(std::find(list.begin(), list.end(), id));
      --used(c.k, v);
      on(to, v).push_back(id);
      ++used(to, v);
    }
    c.k = to;
  }
  // Frees a port of block s on OCS x (s has one free on y): see above.
  bool exchange(uint32_t s, uint32_t x, uint32_t y, uint32_t avoid) {
    std::vector<uint32_t> parent(n_, kNone);  // the circuit by which a block was reached
    std::vector<uint8_t> seen(n_, 0);
    seen[s] = seen[avoid] = 1;
    // Blocks at even depth shed a circuit from x to y; at odd depth, from y to x.
    std::vector<std::pair<uint32_t, bool>> frontier{{s, true}}, next;
    while (!frontier.empty()) {
      next.clear();
      for (const auto& [v, from_x] : frontier) {
        const uint32_t from = from_x ? x : y, to = from_x ? y : x;
        for (uint32_t id : on(from, v)) {
          const Circuit& c = circuits_[id];
          const uint32_t w = c.a == v ? c.b : c.a;
          if (seen[w]) continue;
          seen[w] = 1;
          parent[w] = id;
          if (free(to, w)) {
            // Flip the path back to s: each circuit to the other OCS of the two.
            std::vector<uint32_t> path;
            for (uint32_t u = w; u != s;) {
              const uint32_t pid = parent[u];
              path.push_back(pid);
              u = circuits_[pid].a == u ? circuits_[pid].b : circuits_[pid].a;
            }
            for (uint32_t pid : path) move(pid, circuits_[pid].k == x ? y : x);
            return true;
          }
          next.emplace_back(w, !from_x);
        }
      }
      std::swap(frontier, next);
    }
    return false;
  }

  uint32_t n_, k_, per_;
  std::vector<Circuit> circuits_;
  std::vector<std::vector<uint32_t>> on_;  // [k * N + v]: circuit ids
  std::vector<uint32_t> used_;             // [k * N + v]
};

bool lay_circuits(const DirectConnectParams& p, const BlockMatrix& c,
                  std::pair<uint32_t, uint32_t>* failed) {
  CircuitLayout layout(p.blocks, p.devices, p.uplinks / p.devices);
  uint32_t most = 0;
  for (const auto& row : c) most = std::max(most, *std::max_element(row.begin(), row.end()));
  for (uint32_t round = 0; round < most; ++round) {
    for (uint32_t a = 0; a < p.blocks; ++a) {
      for (uint32_t b = a + 1; b < p.blocks; ++b) {
        if (c[a][b] > round && !layout.add(a, b)) {
          if (failed) *failed = {a, b};
          return false;
        }
      }
    }
  }
  return true;
}

TrafficMatrix traffic_or_uniform(const DirectConnectParams& p) {
  if (!p.traffic.empty()) return p.traffic;
  TrafficMatrix t(p.blocks, std::vector<double>(p.blocks, 1.0));
  for (uint32_t a = 0; a < p.blocks; ++a) t[a][a] = 0;
  return t;
}

BlockMatrix circuits_of(const DirectConnectParams& p) {
  switch (p.rule) {
    case CircuitRule::uniform: return uniform_circuits(p.blocks, p.uplinks);
    case CircuitRule::traffic: return engineer_circuits(traffic_or_uniform(p), p.uplinks);
    case CircuitRule::given: return p.circuits;
  }
  return {};
}

// The WCMP path for a flow between blocks a and b: kNone for direct, else the transit
// block, chosen by the flow's hash with the split's quanta as weights.
uint32_t pick_path(const PairSplit& s, uint64_t hash, NodeId at) {
  const uint32_t total = s.direct + std::accumulate(s.via.begin(), s.via.end(), 0u);
  uint32_t x = ecmp_pick(hash, at, total);
  if (x < s.direct) return kNone;
  x -= s.direct;
  for (uint32_t t = 0; t < s.via.size(); ++t) {
    if (x < s.via[t]) return t;
    x -= s.via[t];
  }
  ROSHNI_ASSERT(false, "WCMP pick out of range");
  return kNone;
}

// Routes a layer-ocs fabric: GPU -> its block -> (transit block) -> block -> GPU, the
// path by WCMP, each hop's circuit by ECMP among the pair's parallel circuits.
class DirectConnectRouter final : public Router {
 public:
  DirectConnectRouter(const DirectConnectFabric& f, uint32_t blocks, uint32_t gpus_per_block)
      : f_(f), blocks_(blocks), per_(gpus_per_block) {
    const Topology& t = f.topology;
    const uint64_t gpus = uint64_t{blocks} * gpus_per_block;
    hops_.assign(uint64_t{blocks} * blocks, {});
    for (uint32_t l = 0; l < t.link_count(); ++l) {
      const LinkId id(l);
      const uint32_t from = t.link_from(id).value(), to = t.link_to(id).value();
      if (from < gpus) {
        up_.push_back(id);  // GPU g's up link is added g-th, as the link pair's first half
      } else if (to >= gpus && to < gpus + blocks) {
        hops_[(from - gpus) * blocks_ + (to - gpus)].push_back(id);
      }
    }
  }

  bool route(NodeId src, NodeId dst, uint64_t hash, std::vector<LinkId>& out) override {
    const uint32_t s = src.value(), d = dst.value();
    const uint64_t gpus = uint64_t{blocks_} * per_;
    if (s >= gpus || d >= gpus) return false;  // only GPUs source and sink traffic
    const uint32_t a = s / per_, b = d / per_;
    uint32_t via = kNone;
    if (a != b) {
      const PairSplit& split = f_.wcmp.split[a][b];
      if (split.direct + std::accumulate(split.via.begin(), split.via.end(), 0u) == 0) {
        return false;  // neither a circuit nor a transit (no demand was given here)
      }
      via = pick_path(split, hash, src);
    }
    out.push_back(up_[s]);
    const auto hop = [&](uint32_t x, uint32_t y) {
      const auto& links = hops_[uint64_t{x} * blocks_ + y];
      out.push_back(links[ecmp_pick(hash, NodeId(static_cast<uint32_t>(gpus) + x),
                                    static_cast<uint32_t>(links.size()))]);
    };
    if (a != b) {
      if (via == kNone) {
        hop(a, b);
      } else {
        hop(a, via);
        hop(via, b);
      }
    }
    out.push_back(f_.topology.link_reverse(up_[d]));
    return true;
  }

 private:
  const DirectConnectFabric& f_;
  uint32_t blocks_, per_;
  std::vector<LinkId> up_;                 // per GPU: GPU -> block
  std::vector<std::vector<LinkId>> hops_;  // [a * N + b]: circuits a -> b
};

}  // namespace

BlockMatrix uniform_circuits(uint32_t n, uint32_t u) {
  BlockMatrix c(n, std::vector<uint32_t>(n, 0));
  const uint32_t q = u / (n - 1), r = u % (n - 1);
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) c[a][b] = a == b ? 0 : q;
  }
  const auto add = [&](uint32_t a, uint32_t b) {
    ++c[a][b];
    ++c[b][a];
  };
  for (uint32_t d = 1; d <= r / 2; ++d) {
    for (uint32_t i = 0; i < n; ++i) add(i, (i + d) % n);
  }
  if (r % 2 == 1) {
    if (n % 2 == 0) {
      for (uint32_t i = 0; i < n / 2; ++i) add(i, i + n / 2);
    } else {
      // Offset (N-1)/2 walks every block once (gcd((N-1)/2, N) = 1); match steps 0-1,
      // 2-3, ...: the last block of the walk, (N-1)(N-1)/2 mod N = (N+1)/2, is left out.
      const uint32_t m = (n - 1) / 2;
      for (uint32_t k = 0; k + 1 < n; k += 2) add((k * m) % n, ((k + 1) * m) % n);
    }
  }
  return c;
}

BlockMatrix engineer_circuits(const TrafficMatrix& t, uint32_t u) {
  const uint32_t n = static_cast<uint32_t>(t.size());
  BlockMatrix c(n, std::vector<uint32_t>(n, 0));
  std::vector<double> row(n, 0);
  const auto d = [&](uint32_t a, uint32_t b) { return a == b ? 0.0 : t[a][b] + t[b][a]; };
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) row[a] += d(a, b);
  }
  const bool floor_one = u >= n - 1;
  const uint32_t r = floor_one ? u - (n - 1) : u;
  std::vector<uint32_t> free(n, r);
  struct Rest {
    double frac;
    uint32_t a, b;
  };
  std::vector<Rest> rest;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = a + 1; b < n; ++b) {
      const double dab = d(a, b);
      const double x = dab > 0 ? r * std::min(dab / row[a], dab / row[b]) : 0.0;
      const auto whole = static_cast<uint32_t>(std::floor(x));
      c[a][b] = c[b][a] = (floor_one ? 1 : 0) + whole;
      free[a] -= whole;
      free[b] -= whole;
      if (x - whole > 0) rest.push_back({x - whole, a, b});
    }
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const Rest& x, const Rest& y) { return x.frac > y.frac; });
  const auto take = [&](uint32_t a, uint32_t b) {
    if (free[a] == 0 || free[b] == 0) return false;
    ++c[a][b];
    ++c[b][a];
    --free[a];
    --free[b];
    return true;
  };
  for (const Rest& e : rest) take(e.a, e.b);
  // Ports still free: rounds giving one more circuit to each pair with demand and a free
  // port at both ends, the pair whose next circuit carries the most demand first
  // (d / (c + 1), as D'Hondt's divisor), until a round adds none.
  for (bool added = true; added;) {
    added = false;
    rest.clear();
    for (uint32_t a = 0; a < n; ++a) {
      for (uint32_t b = a + 1; b < n; ++b) {
        if (d(a, b) > 0 && free[a] > 0 && free[b] > 0) rest.push_back({d(a, b) / (c[a][b] + 1), a, b});
      }
    }
    std::stable_sort(rest.begin(), rest.end(),
                     [](const Rest& x, const Rest& y) { return x.frac > y.frac; });
    for (const Rest& e : rest) added = take(e.a, e.b) || added;
  }
  return c;
}

WcmpSolution wcmp_weights(const BlockMatrix& c, const TrafficMatrix& t, uint32_t steps) {
  const uint32_t n = static_cast<uint32_t>(c.size());
  WcmpSolution s;
  s.split.assign(n, std::vector<PairSplit>(n));
  std::vector<std::vector<double>> load(n, std::vector<double>(n, 0));
  const auto util = [&](uint32_t a, uint32_t b, double extra) {
    return (load[a][b] + extra) / c[a][b];
  };
  double total = 0;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      if (a != b && t[a][b] > 0) {
        s.split[a][b].via.assign(n, 0);
        total += t[a][b];
      }
    }
  }
  for (uint32_t step = 0; step < steps; ++step) {
    for (uint32_t a = 0; a < n; ++a) {
      for (uint32_t b = 0; b < n; ++b) {
        if (a == b || !(t[a][b] > 0)) continue;
        const double q = t[a][b] / steps;
        double best = c[a][b] > 0 ? util(a, b, q) : INFINITY;
        uint32_t via = kNone;
        for (uint32_t m = 0; m < n; ++m) {
          if (m == a || m == b || c[a][m] == 0 || c[m][b] == 0) continue;
          const double u = std::max(util(a, m, q), util(m, b, q));
          if (u < best) {
            best = u;
            via = m;
          }
        }
        ROSHNI_ASSERT(std::isfinite(best), "block {} to {}: no path", a, b);
        PairSplit& ps = s.split[a][b];
        if (via == kNone) {
          ++ps.direct;
          load[a][b] += q;
        } else {
          ++ps.via[via];
          load[a][via] += q;
          load[via][b] += q;
        }
      }
    }
  }
  // Pairs without demand still route (a flow the matrix did not foresee): direct if
  // they have a circuit, else evenly over their transits.
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      if (a == b || t[a][b] > 0) continue;
      PairSplit& ps = s.split[a][b];
      ps.via.assign(n, 0);
      if (c[a][b] > 0) {
        ps.direct = 1;
        continue;
      }
      for (uint32_t m = 0; m < n; ++m) {
        if (m != a && m != b && c[a][m] > 0 && c[m][b] > 0) ps.via[m] = 1;
      }
    }
  }
  double direct = 0, hops = 0;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      if (c[a][b] > 0) s.max_utilisation = std::max(s.max_utilisation, load[a][b] / c[a][b]);
      if (a == b || !(t[a][b] > 0)) continue;
      const double f = static_cast<double>(s.split[a][b].direct) / steps;
      direct += t[a][b] * f;
      hops += t[a][b] * (f + 2 * (1 - f));
    }
  }
  if (total > 0) {
    s.direct_share = direct / total;
    s.mean_path_length = hops / total;
  }
  return s;
}

std::string check(const DirectConnectParams& p) {
  const bool ocs = p.layer == DirectConnectLayer::ocs;
  const char* dev = ocs ? "ocs" : "spines";
  if (p.blocks < 2) return fmt::format("blocks: at least 2 blocks are needed, got {}", p.blocks);
  if (p.gpus_per_block < 1) return "gpus_per_block: must be at least 1";
  if (p.uplinks < 1) {
    return "uplinks: a block needs at least one uplink port to reach the other blocks";
  }
  if (!(p.gpu_bandwidth.si() > 0)) return "link.bandwidth: must be positive";
  if (!(p.uplink_bandwidth.si() > 0)) return "uplink.bandwidth: must be positive";
  if (p.devices < 1) return fmt::format("{}.count: must be at least 1", dev);
  if (p.uplinks % p.devices != 0) {
    return fmt::format(
        "{}.count: each block spreads its {} uplinks evenly over the {} devices, so the count "
        "must divide the uplinks",
        dev, p.uplinks, p.devices);
  }
  const uint64_t per_device = uint64_t{p.blocks} * (p.uplinks / p.devices);
  if (per_device > p.device_ports) {
    return fmt::format(
        "{}: each of the {} devices takes {} ports ({} blocks x {} uplinks each); the part has "
        "{} usable ports",
        ocs ? "ocs.part" : "spines.ports", p.devices, per_device, p.blocks, p.uplinks / p.devices,
        p.device_ports);
  }
  const uint32_t n = p.blocks;
  if (!p.traffic.empty()) {
    if (p.traffic.size() != n) {
      return fmt::format("traffic: expected {} rows (one per block), got {}", n, p.traffic.size());
    }
    double total = 0;
    for (uint32_t a = 0; a < n; ++a) {
      if (p.traffic[a].size() != n) {
        return fmt::format("traffic[{}]: expected {} entries, got {}", a, n, p.traffic[a].size());
      }
      for (uint32_t b = 0; b < n; ++b) {
        const double v = p.traffic[a][b];
        if (!std::isfinite(v) || v < 0) {
          return fmt::format("traffic[{}][{}]: demand must be finite and >= 0", a, b);
        }
        if (a != b) total += v;
      }
    }
    if (!(total > 0)) return "traffic: no demand between different blocks";
  }
  if (p.wcmp_steps < 1) return "wcmp_steps: must be at least 1";
  if (!ocs) {
    if (p.rule != CircuitRule::uniform) {
      return "circuits: a spine layer has no circuits (blocks reach every spine)";
    }
    return {};
  }
  if (p.rule == CircuitRule::given) {
    if (p.circuits.size() != n) {
      return fmt::format("circuits: expected {} rows (one per block), got {}", n, p.circuits.size());
    }
    for (uint32_t a = 0; a < n; ++a) {
      if (p.circuits[a].size() != n) {
        return fmt::format("circuits[{}]: expected {} entries, got {}", a, n, p.circuits[a].size());
      }
    }
    for (uint32_t a = 0; a < n; ++a) {
      uint64_t sum = 0;
      for (uint32_t b = 0; b < n; ++b) {
        if (a == b && p.circuits[a][b] != 0) {
          return fmt::format("circuits[{}][{}]: a block has no circuit to itself", a, b);
        }
        if (p.circuits[a][b] != p.circuits[b][a]) {
          return fmt::format("circuits[{}][{}]: a circuit is two-way, so the map must be "
                             "symmetric ({} here, {} at [{}][{}])",
                             a, b, p.circuits[a][b], p.circuits[b][a], b, a);
        }
        sum += p.circuits[a][b];
      }
      if (sum > p.uplinks) {
        return fmt::format("circuits[{}]: block {} has {} circuits but only {} uplink ports", a, a,
                           sum, p.uplinks);
      }
    }
  }
  const BlockMatrix c = circuits_of(p);
  const TrafficMatrix t = traffic_or_uniform(p);
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      if (a == b || !(t[a][b] > 0) || c[a][b] > 0) continue;
      bool transit = false;
      for (uint32_t m = 0; m < n && !transit; ++m) transit = c[a][m] > 0 && c[m][b] > 0;
      if (!transit) {
        return fmt::format(
            "circuits: block {} has demand to block {} but no circuit to it and no block joined "
            "to both (direct and one-transit paths only)",
            a, b);
      }
    }
  }
  std::pair<uint32_t, uint32_t> failed;
  if (!lay_circuits(p, c, &failed)) {
    return fmt::format(
        "ocs.count: no OCS has a free port for both block {} and block {} (each block has {} "
        "ports on each of the {} OCS devices; circuits are laid in rounds, each on the least "
        "used OCS, with Kempe-chain exchanges: use fewer, larger OCS or another map)",
        failed.first, failed.second, p.uplinks / p.devices, p.devices);
  }
  return {};
}

DirectConnectParts direct_connect_parts(const DirectConnectParams& p, const BlockMatrix& c) {
  DirectConnectParts out;
  out.blocks = p.blocks;
  out.gpus = uint64_t{p.blocks} * p.gpus_per_block;
  out.uplink_ports = uint64_t{p.blocks} * p.uplinks;
  out.devices = p.devices;
  out.ports_per_device = static_cast<uint32_t>(out.uplink_ports / p.devices);
  out.fibres = out.uplink_ports;
  const bool ocs = p.layer == DirectConnectLayer::ocs;
  out.transceivers = ocs ? out.uplink_ports : 2 * out.uplink_ports;
  if (ocs && c.size() == p.blocks) {
    for (uint32_t a = 0; a < p.blocks; ++a) {
      for (uint32_t b = a + 1; b < p.blocks; ++b) out.circuits += c[a][b];
    }
  }
  return out;
}

FabricBill fabric_bill(const DirectConnectParams& p, const DirectConnectParts& parts,
                       const BillFigures& f) {
  FabricBill b;
  const uint64_t r = f.switch_radix;
  const uint64_t per_block = (6 * uint64_t{p.uplinks} + r - 1) / r;
  b.switches = per_block * p.blocks;
  if (p.layer == DirectConnectLayer::spine) {
    b.switches += parts.devices;
  } else {
    b.ocs = parts.devices;
  }
  b.transceivers = parts.transceivers;
  b.capex = b.switches * f.switch_price + b.transceivers * f.optic_price + b.ocs * f.ocs_price;
  b.power = b.switches * f.switch_power + b.transceivers * f.optic_power + b.ocs * f.ocs_power;
  return b;
}

std::unique_ptr<DirectConnectFabric> make_direct_connect(const DirectConnectParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_direct_connect on unchecked parameters: {}", check(p));
  const bool ocs = p.layer == DirectConnectLayer::ocs;
  auto fabric = std::make_unique<DirectConnectFabric>();
  DirectConnectFabric& f = *fabric;
  if (ocs) f.circuits = circuits_of(p);
  f.parts = direct_connect_parts(p, f.circuits);
  TopologyBuilder b;
  std::vector<NodeId> block, device;
  for (uint32_t k = 0; k < p.blocks; ++k) {
    for (uint32_t i = 0; i < p.gpus_per_block; ++i) {
      b.add_node(fmt::format("gpu{}_{}", k, i), NodeKind::gpu);
    }
  }
  for (uint32_t k = 0; k < p.blocks; ++k) {
    block.push_back(b.add_node(fmt::format("block{}", k), NodeKind::switch_, p.switch_latency,
                               {1, p.gpus_per_block + p.uplinks, "block"}));
  }
  for (uint32_t k = 0; k < p.devices; ++k) {
    device.push_back(ocs ? b.add_node(fmt::format("ocs{}", k), NodeKind::ocs, SimTime::zero(),
                                      {2, p.device_ports, "ocs"})
                         : b.add_node(fmt::format("spine{}", k), NodeKind::switch_,
                                      p.switch_latency, {2, p.device_ports, "spine"}));
  }
  for (uint32_t g = 0; g < p.blocks * p.gpus_per_block; ++g) {
    b.add_link(NodeId(g), block[g / p.gpus_per_block], p.gpu_bandwidth, p.gpu_bandwidth,
               p.gpu_latency, {Length(), "host"});
  }
  if (ocs) {
    for (uint32_t a = 0; a < p.blocks; ++a) {
      for (uint32_t z = a + 1; z < p.blocks; ++z) {
        for (uint32_t n = 0; n < f.circuits[a][z]; ++n) {
          b.add_link(block[a], block[z], p.uplink_bandwidth, p.uplink_bandwidth, p.uplink_latency,
                     {Length(), "circuit"});
        }
      }
    }
    f.wcmp = wcmp_weights(f.circuits, traffic_or_uniform(p), p.wcmp_steps);
    if (p.rule == CircuitRule::traffic) {
      const BlockMatrix u = uniform_circuits(p.blocks, p.uplinks);
      for (uint32_t a = 0; a < p.blocks; ++a) {
        for (uint32_t z = a + 1; z < p.blocks; ++z) {
          f.circuits_changed += f.circuits[a][z] > u[a][z] ? f.circuits[a][z] - u[a][z] : 0;
        }
      }
    }
    std::string engineered;
    if (p.rule == CircuitRule::traffic) {
      engineered = fmt::format(
          "; topology engineering: {} circuits set up beyond the uniform map, one {} "
          "reconfiguration",
          f.circuits_changed, to_string(p.reconfiguration_time));
    }
    b.set_sizing(fmt::format(
        "{} blocks x {} uplinks on {} OCS ({} ports each used); {} circuits; WCMP: {:.1f} % of "
        "traffic direct, mean path {:.3f} block hops, busiest circuit {:.4g} demand units{}",
        p.blocks, p.uplinks, p.devices, f.parts.ports_per_device, f.parts.circuits,
        100 * f.wcmp.direct_share, f.wcmp.mean_path_length, f.wcmp.max_utilisation, engineered));
  } else {
    for (uint32_t a = 0; a < p.blocks; ++a) {
      for (uint32_t k = 0; k < p.devices; ++k) {
        for (uint32_t n = 0; n < p.uplinks / p.devices; ++n) {
          b.add_link(block[a], device[k], p.uplink_bandwidth, p.uplink_bandwidth, p.uplink_latency,
                     {Length(), "block-spine"});
        }
      }
    }
    b.set_sizing(fmt::format("{} blocks x {} uplinks on {} spines ({} ports each used)", p.blocks,
                             p.uplinks, p.devices, f.parts.ports_per_device));
  }
  f.topology = std::move(b).build();
  if (ocs) {
    f.router = std::make_unique<DirectConnectRouter>(f, p.blocks, p.gpus_per_block);
  } else {
    f.router = std::make_unique<ShortestPathRouter>(f.topology, MultipathPolicy::ecmp);
  }
  return fabric;
}

}  // namespace roshni::topo
