/// Shared by the link-dynamics tests of both network models: small fabrics whose links
/// fail, and a capacity step. 100 Gb/s links (12.5 GB/s, 80 ps per byte) of 1 us.
#pragma once

#include "roshni/net/flow_model.h"
#include "roshni/topo/topology.h"

namespace roshni::net::testing {

constexpr int64_t kUs = 1'000'000;  // picoseconds

/// a - z, one link.
inline topo::Topology pair_of_gpus() {
  topo::TopologyBuilder b;
  const NodeId a = b.add_node("a", topo::NodeKind::gpu), z = b.add_node("z", topo::NodeKind::gpu);
  b.add_link(a, z, gbps(100), gbps(100), SimTime::ps(kUs));
  return std::move(b).build();
}

/// a and z joined through two switches s0 and s1 (two 2-hop paths; s0's added first).
inline topo::Topology two_paths() {
  topo::TopologyBuilder b;
  const NodeId a = b.add_node("a", topo::NodeKind::gpu), z = b.add_node("z", topo::NodeKind::gpu);
  for (const char* s : {"s0", "s1"}) {
    const NodeId sw = b.add_node(s, topo::NodeKind::switch_);
    b.add_link(a, sw, gbps(100), gbps(100), SimTime::ps(kUs));
    b.add_link(sw, z, gbps(100), gbps(100), SimTime::ps(kUs));
  }
  return std::move(b).build();
}

/// Link l's capacity becomes c at `ps`.
inline CapacityStep at(int64_t ps, LinkId l, DataRate c) {
  CapacityStep s;
  s.at = SimTime::ps(ps);
  s.capacities.emplace_back(l, c);
  return s;
}

/// An outage of link l begins (or ends) at `ps`.
inline CapacityStep outage_begins(int64_t ps, LinkId l) {
  CapacityStep s;
  s.at = SimTime::ps(ps);
  s.outages_begin.push_back(l);
  return s;
}
inline CapacityStep outage_ends(int64_t ps, LinkId l) {
  CapacityStep s;
  s.at = SimTime::ps(ps);
  s.outages_end.push_back(l);
  return s;
}

}  // namespace roshni::net::testing
