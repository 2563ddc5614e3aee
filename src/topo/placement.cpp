#include "roshni/topo/placement.h"

#include <cmath>
#include <string>

#include "roshni/core/error.h"
#include "roshni/core/sim_time.h"

namespace roshni::topo {
namespace {

constexpr uint32_t kUnplaced = ~0u;

Placement::Rack rack_at(uint32_t index, const FloorParams& floor) {
  Placement::Rack r;
  r.row = index / floor.racks_per_row;
  r.column = index % floor.racks_per_row;
  r.x = floor.rack_pitch * static_cast<double>(r.column);
  r.y = floor.row_pitch * static_cast<double>(r.row);
  return r;
}

}  // namespace

Placement place(const Topology& t, const FloorParams& floor) {
  ROSHNI_ASSERT(floor.racks_per_row > 0 && floor.gpus_per_rack > 0 &&
                    floor.switches_per_network_rack > 0,
                "floor parameters must be positive");
  Placement p;
  p.node_rack.assign(t.node_count(), kUnplaced);

  // 1. GPUs, in rank order.
  const auto& gpus = t.gpus();
  for (size_t i = 0; i < gpus.size(); ++i) {
    p.node_rack[gpus[i].value()] = static_cast<uint32_t>(i / floor.gpus_per_rack);
  }
  p.gpu_racks =
      static_cast<uint32_t>((gpus.size() + floor.gpus_per_rack - 1) / floor.gpus_per_rack);

  // 2. Tier-1 switches: the rack at the far end of most of their GPU links. Counts per
  // rack live in one array, reset through the list of racks touched, so a switch costs
  // time in its links, not in the number of racks.
  std::vector<uint32_t> count(p.gpu_racks, 0);
  std::vector<uint32_t> touched;
  std::vector<NodeId> network;  // the rest, in id order
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    if (t.node_kind(id) == NodeKind::gpu) continue;
    touched.clear();
    for (LinkId l : t.out_links(id)) {
      const NodeId peer = t.link_to(l);
      if (t.node_kind(peer) != NodeKind::gpu) continue;
      const uint32_t rack = p.node_rack[peer.value()];
      if (count[rack]++ == 0) touched.push_back(rack);
    }
    if (touched.empty()) {
      network.push_back(id);
      continue;
    }
    uint32_t best = touched.front();
    for (uint32_t rack : touched) {
      if (count[rack] > count[best] || (count[rack] == count[best] && rack < best)) best = rack;
    }
    for (uint32_t rack : touched) count[rack] = 0;
    p.node_rack[n] = best;
  }

  // 3. Everything else into network racks after the GPU racks.
  for (size_t i = 0; i < network.size(); ++i) {
    p.node_rack[network[i].value()] =
        p.gpu_racks + static_cast<uint32_t>(i / floor.switches_per_network_rack);
  }
  const auto network_racks = static_cast<uint32_t>(
      (network.size() + floor.switches_per_network_rack - 1) / floor.switches_per_network_rack);

  const uint32_t racks = p.gpu_racks + network_racks;
  p.racks.reserve(racks);
  for (uint32_t r = 0; r < racks; ++r) p.racks.push_back(rack_at(r, floor));
  return p;
}

Length cable_length(const Placement& p, const FloorParams& floor, NodeId a, NodeId b) {
  const uint32_t ra = p.node_rack[a.value()], rb = p.node_rack[b.value()];
  if (ra == rb) return floor.slack;
  const Placement::Rack &x = p.racks[ra], &y = p.racks[rb];
  const double manhattan = std::fabs(x.x.si() - y.x.si()) + std::fabs(x.y.si() - y.y.si());
  return metres(manhattan) + floor.vertical_per_end * 2.0 + floor.slack;
}

Topology with_cable_lengths(const Topology& t, const Placement& p, const FloorParams& floor,
                            const CableOptions& cable) {
  ROSHNI_ASSERT(p.node_rack.size() == t.node_count(), "placement is for another topology");
  TopologyBuilder b;
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    NodeAttrs attrs;
    attrs.tier = t.node_tier(id);
    attrs.radix = t.node_radix(id);
    // node_role() falls back to the kind's name; pass "" back so the copy is exact.
    const std::string_view role = t.node_role(id);
    if (role != to_string(t.node_kind(id))) attrs.role = std::string(role);
    const NodeId copy = b.add_node(t.node_name(id), t.node_kind(id), t.forwarding_latency(id), attrs);
    ROSHNI_ASSERT(copy == id, "node ids must survive the copy");
  }
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    const LinkId ab(l), ba(l + 1);
    const NodeId a = t.link_from(ab), z = t.link_to(ab);
    LinkAttrs attrs;
    attrs.length = cable_length(p, floor, a, z);
    attrs.role = std::string(t.link_role(ab));
    SimTime latency = t.link_latency(ab);
    if (cable.propagation_per_metre.si() > 0) {
      latency += to_sim_time_ceil(cable.propagation_per_metre * attrs.length.si());
    }
    const LinkId copy = b.add_link(a, z, t.link_capacity(ab), t.link_capacity(ba), latency, attrs);
    ROSHNI_ASSERT(copy == ab, "link ids must survive the copy");
  }
  b.set_sizing(t.sizing());
  return std::move(b).build();
}

}  // namespace roshni::topo
