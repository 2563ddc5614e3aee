#include "roshni/topo/ocs.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

// A circuit's identity: the two blocks (lower first) and the OCS carrying it.
using Circuit = std::tuple<uint32_t, uint32_t, uint32_t>;

// Lays one configuration's circuits onto OCS devices, first fit in the order given.
// Returns "" and fills `out`, or the message for the first circuit that does not fit.
std::string assign(const OcsParams& p, size_t config, std::vector<Circuit>& out) {
  const auto& demands = p.configs[config].circuits;
  std::vector<std::vector<uint8_t>> used(p.ocs_count, std::vector<uint8_t>(p.blocks, 0));
  out.clear();
  for (size_t i = 0; i < demands.size(); ++i) {
    const CircuitDemand& d = demands[i];
    const std::string where = fmt::format("configs[{}].circuits[{}]", config, i);
    if (d.a >= p.blocks || d.b >= p.blocks) {
      return fmt::format("{}: block {} does not exist (blocks are 0 to {})", where,
                         std::max(d.a, d.b), p.blocks - 1);
    }
    if (d.a == d.b) return fmt::format("{}: a circuit joins two different blocks", where);
    if (d.count == 0) return fmt::format("{}: count must be at least 1", where);
    for (uint32_t c = 0; c < d.count; ++c) {
      uint32_t k = 0;
      while (k < p.ocs_count && (used[k][d.a] || used[k][d.b])) ++k;
      if (k == p.ocs_count) {
        return fmt::format(
            "{}: no OCS has a free port for both block {} and block {} (each block has one "
            "port on each of the {} OCS devices; this map asks for more circuits than that, "
            "or first-fit placement could not find a layout)",
            where, d.a, d.b, p.ocs_count);
      }
      used[k][d.a] = used[k][d.b] = 1;
      out.emplace_back(std::min(d.a, d.b), std::max(d.a, d.b), k);
    }
  }
  return {};
}

}  // namespace

std::string check(const OcsParams& p) {
  if (p.blocks < 2) return fmt::format("blocks: at least 2 blocks are needed, got {}", p.blocks);
  if (p.gpus_per_block < 1) return "gpus_per_block: must be at least 1";
  if (p.ocs_count < 1) return "ocs.count: must be at least 1";
  if (p.ocs_ports < p.blocks) {
    return fmt::format("ocs.ports: each OCS needs a port per block: {} ports for {} blocks",
                       p.ocs_ports, p.blocks);
  }
  if (!(p.gpu_bandwidth.si() > 0)) return "link.bandwidth: must be positive";
  if (!(p.circuit_bandwidth.si() > 0)) return "uplink.bandwidth: must be positive";
  if (p.configs.empty()) return "configs: at least one circuit map is needed";
  if (p.configs[0].at != SimTime::zero() || !p.configs[0].by_time()) {
    return "configs[0]: the first circuit map is the one in place at time 0";
  }
  // Maps given by time take effect in the order listed (each change is the difference
  // from the map before it).
  size_t last = 0;  // the last map given by time so far (configs[0]: time 0)
  for (size_t c = 1; c < p.configs.size(); ++c) {
    if (!p.configs[c].by_time()) continue;
    if (p.configs[c].at < p.configs[last].at) {
      return fmt::format(
          "configs[{}].at: {} is before the {} of configs[{}]; circuit maps given by time "
          "must be listed in time order",
          c, to_string(p.configs[c].at), to_string(p.configs[last].at), last);
    }
    last = c;
  }
  std::vector<Circuit> scratch;
  for (size_t c = 0; c < p.configs.size(); ++c) {
    if (std::string e = assign(p, c, scratch); !e.empty()) return e;
  }
  return {};
}

std::unique_ptr<OcsFabric> make_ocs(const OcsParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_ocs on unchecked parameters: {}", check(p));
  TopologyBuilder b;
  std::vector<NodeId> gpu, block;
  for (uint32_t k = 0; k < p.blocks; ++k) {
    for (uint32_t i = 0; i < p.gpus_per_block; ++i) {
      gpu.push_back(b.add_node(fmt::format("gpu{}_{}", k, i), NodeKind::gpu));
    }
  }
  for (uint32_t k = 0; k < p.blocks; ++k) {
    // Radix 0 (unchecked by link count): circuits of different maps share one uplink
    // port, so the ports are checked per map in check(), not by counting links.
    block.push_back(b.add_node(fmt::format("block{}", k), NodeKind::switch_, p.switch_latency,
                               {1, 0, "block"}));
  }
  for (uint32_t k = 0; k < p.ocs_count; ++k) {
    b.add_node(fmt::format("ocs{}", k), NodeKind::ocs, SimTime::zero(), {2, p.ocs_ports, "ocs"});
  }
  for (uint32_t g = 0; g < gpu.size(); ++g) {
    b.add_link(gpu[g], block[g / p.gpus_per_block], p.gpu_bandwidth, p.gpu_bandwidth,
               p.gpu_latency, {Length(), "host"});
  }

  auto fabric = std::make_unique<OcsFabric>();
  fabric->circuit_bandwidth = p.circuit_bandwidth;
  std::map<Circuit, LinkId> link_of;  // ordered: deterministic
  std::vector<std::set<Circuit>> config_circuits(p.configs.size());
  std::vector<Circuit> placed;
  for (size_t c = 0; c < p.configs.size(); ++c) {
    assign(p, c, placed);
    for (const Circuit& circuit : placed) {
      config_circuits[c].insert(circuit);
      if (!link_of.contains(circuit)) {
        const auto [a, z, k] = circuit;
        link_of[circuit] = b.add_link(block[a], block[z], p.circuit_bandwidth, p.circuit_bandwidth,
                                      p.circuit_latency, {Length(), fmt::format("circuit")});
      }
    }
  }
  for (size_t c = 0; c < p.configs.size(); ++c) {
    std::vector<LinkId> up;
    for (const Circuit& circuit : config_circuits[c]) {
      up.push_back(link_of[circuit]);
      up.push_back(LinkId(link_of[circuit].value() ^ 1u));
    }
    fabric->config_links.push_back(std::move(up));
  }
  for (size_t c = 0; c + 1 < p.configs.size(); ++c) {
    CircuitChange change;
    for (const Circuit& circuit : config_circuits[c]) {
      if (!config_circuits[c + 1].contains(circuit)) {
        change.torn_down.push_back(link_of[circuit]);
        change.torn_down.push_back(LinkId(link_of[circuit].value() ^ 1u));
      }
    }
    for (const Circuit& circuit : config_circuits[c + 1]) {
      if (!config_circuits[c].contains(circuit)) {
        change.set_up.push_back(link_of[circuit]);
        change.set_up.push_back(LinkId(link_of[circuit].value() ^ 1u));
      }
    }
    fabric->changes.push_back(std::move(change));
  }
  fabric->topology = std::move(b).build();
  fabric->router =
      std::make_unique<ShortestPathRouter>(fabric->topology, MultipathPolicy::ecmp);
  return fabric;
}

}  // namespace roshni::topo
