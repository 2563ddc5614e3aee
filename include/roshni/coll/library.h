/// A communication library's costs (docs/models/collectives.md): what a real library such
/// as NCCL adds to an algorithm's ideal transfers. An algorithm (registry.h) says which
/// bytes go where and after what; the library says
///   - per protocol (LL, LL128, Simple), the share of the bytes on the wire that is data
///     (LL: a 4-byte flag beside every 4 bytes of data; LL128: 8 bytes per 128-byte line),
///     the collective's launch cost and each transfer's per-step latency by the kind of
///     hop it crosses (NVLink, network);
///   - per hop kind, the share of a link's rate a library copy reaches (NVLink's packet
///     and flow-control overhead; a NIC's achievable rate);
///   - for in-switch reduction (NVLS), its own efficiency and per-step latency;
///   - which protocol it would pick for a size, by the least predicted time, as NCCL's
///     tuner does (src/graph/tuning.cc, enqueue.cc).
/// The figures live in configs/libraries.json with their sources; a scenario names one
/// ("library": "nccl") and may override any of them. Without a library an algorithm runs
/// ideal: every transfer gets its path's full rate and only the path's latency.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::coll {

/// NCCL's three protocols, from the lowest latency to the highest bandwidth.
enum class Protocol : uint8_t { ll, ll128, simple };
inline constexpr Protocol kProtocols[] = {Protocol::ll, Protocol::ll128, Protocol::simple};
/// "LL", "LL128", "Simple": NCCL's spelling (NCCL_PROTO), used in scenarios and reports.
std::string_view to_string(Protocol p);
std::optional<Protocol> protocol_named(std::string_view name);

/// What a transfer crosses, as far as the library's costs go: NVLink (a path over
/// scale-up links only), PCIe (links of role "pcie", with scale-up ones at most), or the
/// network (anything through a NIC).
enum class HopClass : uint8_t { nvlink, network, pcie };
inline constexpr size_t kHopClasses = 3;
std::string_view to_string(HopClass h);

struct ProtocolCosts {
  double payload = 1;  // data bytes / wire bytes, (0, 1]
  SimTime launch;      // once per collective (NCCL's base latency)
  std::array<SimTime, kHopClasses> step_latency{};  // per transfer, by hop class
};

struct Library {
  std::string name;  // as the catalog names it ("nccl"); "" = none
  std::array<ProtocolCosts, 3> protocols{};  // indexed by Protocol
  /// Share of a link's rate a library copy reaches, by hop class, (0, 1].
  std::array<double, kHopClasses> link_efficiency{1.0, 1.0, 1.0};
  /// In-switch reduction (NVLS): share of the NVLink data rate it reaches, (0, 1], and
  /// its per-step latency (it always runs the Simple protocol).
  double nvls_efficiency = 1;
  SimTime nvls_step_latency;
  /// In-network reduction in a network switch (InfiniBand SHARP): its per-step latency;
  /// its rate is the network's share of the link.
  SimTime sharp_step_latency;
  /// Whether the hardware can reduce in the switch at all (false for A100-class GPUs and
  /// second-generation NVSwitch: NCCL's nvlsEfficiency is 0 for Ampere).
  bool nvls = true;

  const ProtocolCosts& costs(Protocol p) const { return protocols[static_cast<size_t>(p)]; }
  ProtocolCosts& costs(Protocol p) { return protocols[static_cast<size_t>(p)]; }
  /// Wire bytes per data byte of a transfer over `h` under `p`: 1 / (payload x efficiency).
  double wire_factor(Protocol p, HopClass h) const {
    return 1.0 / (costs(p).payload * link_efficiency[static_cast<size_t>(h)]);
  }
  /// The same for a transfer to or from a reducing switch (Simple only): over NVLink NVLS's
  /// efficiency applies too.
  double in_network_wire_factor(HopClass h) const {
    return 1.0 / (link_efficiency[static_cast<size_t>(h)] * (h == HopClass::nvlink ? nvls_efficiency : 1.0));
  }
  SimTime in_network_step_latency(HopClass h) const {
    return h == HopClass::nvlink ? nvls_step_latency : sharp_step_latency;
  }
};

/// What the library needs to know of the path between two nodes.
struct PathFacts {
  HopClass hop = HopClass::network;
  SimTime latency;  // the path's own (links and switches)
  DataRate rate;    // its narrowest link
};

/// A library as one collective uses it: the figures, the protocol it runs, and the
/// facts of the path between two nodes (from the topology).
struct LibraryUse {
  Library library;
  Protocol protocol = Protocol::simple;
  std::function<PathFacts(NodeId src, NodeId dst)> path;
};

}  // namespace roshni::coll
