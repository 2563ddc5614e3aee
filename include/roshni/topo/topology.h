/// The cluster as the models see it: named nodes (GPUs and switches) and directed links,
/// with out-adjacency in compressed rows. Immutable once built; built by TopologyBuilder
/// (from an explicit list) or by a generator (see generators.h). Not a Boost graph:
/// Boost.Graph stays inside topo/ (routing, later bisection), everyone else sees this.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::topo {

/// What a node is. GPUs source and sink traffic; packet switches forward it with a
/// buffer; an optical circuit switch (OCS) only patches light between its ports.
enum class NodeKind : uint8_t { gpu, switch_, ocs };

/// "gpu", "switch" or "ocs": the spelling used in scenarios and reports.
std::string_view to_string(NodeKind k);

/// What a generator knows about a node beyond its kind, for counting and checking.
struct NodeAttrs {
  uint8_t tier = 0;       // 0 for GPUs; 1 for switches next to GPUs, then upwards
  uint32_t radix = 0;     // ports available; 0 = not limited
  std::string role;       // "leaf", "spine", "core", "nvswitch", "router", ...; "" = kind
};

/// What a generator knows about a physical link beyond rate and latency.
struct LinkAttrs {
  Length length;          // cable length; 0 = not placed
  std::string role;       // "host", "leaf-spine", "scale-up", "global", ...; "" = none
};

class Topology {
 public:
  // Nodes.
  size_t node_count() const { return node_name_.size(); }
  const std::string& node_name(NodeId n) const { return node_name_[n.value()]; }
  NodeKind node_kind(NodeId n) const { return node_kind_[n.value()]; }
  /// Delay a packet spends crossing this node when it is neither source nor destination
  /// (a switch's port-to-port latency).
  SimTime forwarding_latency(NodeId n) const { return forwarding_latency_[n.value()]; }
  std::optional<NodeId> find_node(std::string_view name) const;
  uint8_t node_tier(NodeId n) const { return node_tier_[n.value()]; }
  uint32_t node_radix(NodeId n) const { return node_radix_[n.value()]; }
  /// The node's role ("leaf", ...), or its kind's name when the generator gave none.
  std::string_view node_role(NodeId n) const;
  /// GPUs in id order: the default rank order of collectives.
  const std::vector<NodeId>& gpus() const { return gpus_; }

  // Directed links. Each physical link is two directed links, one per direction.
  size_t link_count() const { return link_from_.size(); }
  NodeId link_from(LinkId l) const { return link_from_[l.value()]; }
  NodeId link_to(LinkId l) const { return link_to_[l.value()]; }
  DataRate link_capacity(LinkId l) const { return link_capacity_[l.value()]; }
  SimTime link_latency(LinkId l) const { return link_latency_[l.value()]; }
  /// The same physical link in the other direction.
  LinkId link_reverse(LinkId l) const { return LinkId(l.value() ^ 1u); }
  /// "gpu0->sw0": how reports name a link direction.
  std::string link_name(LinkId l) const;
  /// Cable length of the physical link (0 when the topology was not placed).
  Length link_length(LinkId l) const { return link_length_[l.value() >> 1]; }
  std::string_view link_role(LinkId l) const { return roles_[link_role_[l.value() >> 1]]; }
  /// The catalog part the physical layer chose for this link ("" = none chosen).
  std::string_view link_part(LinkId l) const {
    return link_part_.empty() ? std::string_view() : std::string_view(roles_[link_part_[l.value() >> 1]]);
  }

  /// How the generator sized the switch tiers to the GPUs ("" when it does not say):
  /// `roshni topo` prints it.
  const std::string& sizing() const { return sizing_; }

  /// Links leaving `n`, in the order they were added.
  std::span<const LinkId> out_links(NodeId n) const {
    return {out_links_.data() + out_offset_[n.value()],
            out_links_.data() + out_offset_[n.value() + 1]};
  }

 private:
  friend class TopologyBuilder;
  friend class LinkEditor;
  std::vector<std::string> node_name_;
  std::vector<NodeKind> node_kind_;
  std::vector<SimTime> forwarding_latency_;
  std::vector<NodeId> gpus_;
  std::vector<uint8_t> node_tier_;
  std::vector<uint32_t> node_radix_;
  std::vector<uint16_t> node_role_;             // index into roles_
  std::unordered_map<std::string, NodeId> by_name_;  // lookup only, never iterated
  std::vector<std::string> roles_{""};          // interned role names; 0 is ""
  std::vector<Length> link_length_;             // per physical link (directed id / 2)
  std::vector<uint16_t> link_role_;             // per physical link, index into roles_
  std::vector<uint16_t> link_part_;             // per physical link, index into roles_
  std::vector<NodeId> link_from_, link_to_;
  std::vector<DataRate> link_capacity_;
  std::vector<SimTime> link_latency_;
  std::vector<uint32_t> out_offset_;
  std::vector<LinkId> out_links_;
  std::string sizing_;
};

/// Collects nodes and links, then freezes them into a Topology. Callers (the scenario
/// loader, generators) check names and values first; the builder asserts them.
class TopologyBuilder {
 public:
  NodeId add_node(std::string name, NodeKind kind, SimTime forwarding_latency = SimTime::zero(),
                  const NodeAttrs& attrs = {});
  bool has_node(std::string_view name) const;
  std::optional<NodeId> find_node(std::string_view name) const;
  /// Adds a full-duplex link; returns the id of the a->b direction (b->a is that ^ 1).
  LinkId add_link(NodeId a, NodeId b, DataRate rate_ab, DataRate rate_ba, SimTime latency,
                  const LinkAttrs& attrs = {});
  size_t node_count() const { return t_.node_name_.size(); }
  /// See Topology::sizing().
  void set_sizing(std::string text) { t_.sizing_ = std::move(text); }
  Topology build() &&;

 private:
  uint16_t intern(const std::string& role);
  Topology t_;
  std::unordered_map<std::string, uint16_t> role_index_;  // lookup only
};

/// Changes the physical properties of the links of a built topology in place: the
/// physical layer assigns each link a catalog part, its rate and its latency after
/// placement has given it a length. Nodes, ids and adjacency never change.
class LinkEditor {
 public:
  explicit LinkEditor(Topology& t);
  void set_capacity(LinkId directed, DataRate rate);
  void set_latency(LinkId directed, SimTime latency);
  void set_part(LinkId either_direction, const std::string& part);

 private:
  Topology& t_;
  std::unordered_map<std::string, uint16_t> index_;  // lookup only
};

/// Sum of the links' latencies plus the forwarding latency of every intermediate node.
SimTime path_latency(const Topology& t, std::span<const LinkId> path);

/// The links joining consecutive nodes of `nodes` (the first link found between each
/// pair). Returns the index of the first pair with no link as the error.
struct LinksAlong {
  std::vector<LinkId> links;
  std::optional<size_t> missing_hop;  // i: no link from nodes[i] to nodes[i+1]
};
LinksAlong links_along(const Topology& t, std::span<const NodeId> nodes);

}  // namespace roshni::topo
