/// A topology as text for other tools: Graphviz DOT (to draw it) and GraphML (to load it
/// into NetworkX, Gephi, yEd, igraph). One undirected edge per physical link, nodes and
/// edges in id order, numbers in the shortest round-trip form, so the same topology
/// always gives the same bytes. Export only; reading these formats back is not supported.
#pragma once

#include <ostream>
#include <string>

#include "roshni/topo/topology.h"

namespace roshni::topo {

/// Attributes written, in SI units named in the key (the same in both formats):
///   node: name, kind ("gpu" | "switch" | "ocs"), tier, role, radix (0 = not limited),
///         forwarding_latency_ps
///   edge: rate_ab_bytes_per_s and rate_ba_bytes_per_s (a = the edge's source as
///         written, the from-node of the link's even direction), latency_ps, length_m
///         (0 = not placed), role ("" = none; GraphML key id "link_role", since key
///         ids are unique per document)
/// Node names are assumed printable (the scenario layer checks them); quotes,
/// backslashes and XML's special characters in them are escaped.
///
/// DOT: `graph roshni { "gpu0" [kind="gpu", ...]; "gpu0" -- "switch" [...]; }`, with
/// GPUs drawn as boxes, packet switches as ellipses and OCS as diamonds.
void write_dot(const Topology& t, std::ostream& out);
std::string to_dot(const Topology& t);

/// GraphML 1.0 (http://graphml.graphdrawing.org/specification.html): typed <key>
/// declarations, then <graph edgedefault="undirected"> with nodes "n<id>" and edges
/// "e<k>" for physical link k (directed links 2k and 2k+1).
void write_graphml(const Topology& t, std::ostream& out);
std::string to_graphml(const Topology& t);

}  // namespace roshni::topo
