#include "roshni/topo/topology.h"

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {

std::string_view to_string(NodeKind k) {
  switch (k) {
    case NodeKind::gpu: return "gpu";
    case NodeKind::switch_: return "switch";
    case NodeKind::ocs: return "ocs";
  }
  return "?";
}

std::string_view Topology::node_role(NodeId n) const {
  const uint16_t r = node_role_[n.value()];
  return r == 0 ? to_string(node_kind(n)) : std::string_view(roles_[r]);
}

uint16_t TopologyBuilder::intern(const std::string& role) {
  if (role.empty()) return 0;
  auto [it, added] = role_index_.emplace(role, static_cast<uint16_t>(t_.roles_.size()));
  if (added) {
    ROSHNI_ASSERT(t_.roles_.size() < 65535, "too many distinct roles");
    t_.roles_.push_back(role);
  }
  return it->second;
}

std::optional<NodeId> Topology::find_node(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::string Topology::link_name(LinkId l) const {
  return fmt::format("{}->{}", node_name(link_from(l)), node_name(link_to(l)));
}

NodeId TopologyBuilder::add_node(std::string name, NodeKind kind, SimTime forwarding_latency,
                                 const NodeAttrs& attrs) {
  ROSHNI_ASSERT(!has_node(name), "duplicate node '{}' reached the builder", name);
  const NodeId id(static_cast<uint32_t>(t_.node_name_.size()));
  t_.by_name_.emplace(name, id);
  t_.node_name_.push_back(std::move(name));
  t_.node_kind_.push_back(kind);
  t_.forwarding_latency_.push_back(forwarding_latency);
  t_.node_tier_.push_back(attrs.tier);
  t_.node_radix_.push_back(attrs.radix);
  t_.node_role_.push_back(intern(attrs.role));
  if (kind == NodeKind::gpu) t_.gpus_.push_back(id);
  return id;
}

bool TopologyBuilder::has_node(std::string_view name) const {
  return t_.by_name_.contains(std::string(name));
}

std::optional<NodeId> TopologyBuilder::find_node(std::string_view name) const {
  return t_.find_node(name);
}

LinkId TopologyBuilder::add_link(NodeId a, NodeId b, DataRate rate_ab, DataRate rate_ba,
                                 SimTime latency, const LinkAttrs& attrs) {
  ROSHNI_ASSERT(a != b && a.value() < t_.node_name_.size() && b.value() < t_.node_name_.size(),
                "bad link endpoints {} {}", a.value(), b.value());
  ROSHNI_ASSERT(rate_ab.si() > 0 && rate_ba.si() > 0, "link rates must be positive");
  const LinkId ab(static_cast<uint32_t>(t_.link_from_.size()));
  // Directions are stored in pairs (2k, 2k+1) so that reverse() is one xor.
  t_.link_from_.push_back(a);
  t_.link_to_.push_back(b);
  t_.link_capacity_.push_back(rate_ab);
  t_.link_latency_.push_back(latency);
  t_.link_from_.push_back(b);
  t_.link_to_.push_back(a);
  t_.link_capacity_.push_back(rate_ba);
  t_.link_latency_.push_back(latency);
  t_.link_length_.push_back(attrs.length);
  t_.link_role_.push_back(intern(attrs.role));
  return ab;
}

Topology TopologyBuilder::build() && {
  const size_t n = t_.node_name_.size();
  // Counting sort of links by source node keeps each node's links in insertion order.
  t_.out_offset_.assign(n + 1, 0);
  for (NodeId from : t_.link_from_) ++t_.out_offset_[from.value() + 1];
  for (size_t i = 0; i < n; ++i) t_.out_offset_[i + 1] += t_.out_offset_[i];
  t_.out_links_.resize(t_.link_from_.size());
  std::vector<uint32_t> fill(t_.out_offset_.begin(), t_.out_offset_.end() - 1);
  for (uint32_t l = 0; l < t_.link_from_.size(); ++l) {
    t_.out_links_[fill[t_.link_from_[l].value()]++] = LinkId(l);
  }
  return std::move(t_);
}

LinkEditor::LinkEditor(Topology& t) : t_(t) {
  for (uint16_t i = 0; i < t_.roles_.size(); ++i) index_.emplace(t_.roles_[i], i);
}

void LinkEditor::set_capacity(LinkId l, DataRate rate) {
  ROSHNI_ASSERT(rate.si() >= 0, "negative link capacity");
  t_.link_capacity_[l.value()] = rate;
}

void LinkEditor::set_latency(LinkId l, SimTime latency) { t_.link_latency_[l.value()] = latency; }

void LinkEditor::set_part(LinkId l, const std::string& part) {
  if (t_.link_part_.empty()) t_.link_part_.assign(t_.link_role_.size(), 0);
  auto [it, added] = index_.emplace(part, static_cast<uint16_t>(t_.roles_.size()));
  if (added) {
    ROSHNI_ASSERT(t_.roles_.size() < 65535, "too many distinct names");
    t_.roles_.push_back(part);
  }
  t_.link_part_[l.value() >> 1] = it->second;
}

SimTime path_latency(const Topology& t, std::span<const LinkId> path) {
  SimTime total = SimTime::zero();
  for (size_t i = 0; i < path.size(); ++i) {
    total += t.link_latency(path[i]);
    if (i > 0) total += t.forwarding_latency(t.link_from(path[i]));
  }
  return total;
}

LinksAlong links_along(const Topology& t, std::span<const NodeId> nodes) {
  LinksAlong out;
  for (size_t i = 0; i + 1 < nodes.size(); ++i) {
    LinkId found = LinkId::invalid();
    for (LinkId l : t.out_links(nodes[i])) {
      if (t.link_to(l) == nodes[i + 1]) {
        found = l;
        break;
      }
    }
    if (!found.valid()) {
      out.links.clear();
      out.missing_hop = i;
      return out;
    }
    out.links.push_back(found);
  }
  return out;
}

}  // namespace roshni::topo
