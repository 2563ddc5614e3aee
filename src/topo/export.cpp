#include "roshni/topo/export.h"

#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "roshni/core/text.h"

namespace roshni::topo {
namespace {

// Inside a DOT double-quoted string only '"' must be escaped; '\' is escaped too so that
// Graphviz does not read "\n" or "\l" in a name as a label escape.
std::string dot_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string_view dot_shape(NodeKind k) {
  switch (k) {
    case NodeKind::gpu: return "box";
    case NodeKind::switch_: return "ellipse";
    case NodeKind::ocs: return "diamond";
  }
  return "ellipse";
}

}  // namespace

void write_dot(const Topology& t, std::ostream& out) {
  out << fmt::format(
      "// Roshni topology: {} nodes ({} GPUs), {} physical links.\n"
      "// Rates in bytes/s per direction (ab = as written), latency in ps, length in m.\n"
      "graph roshni {{\n",
      t.node_count(), t.gpus().size(), t.link_count() / 2);
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    out << fmt::format(
        "  {} [kind=\"{}\", tier=\"{}\", role={}, radix=\"{}\", forwarding_latency_ps=\"{}\", "
        "shape={}];\n",
        dot_quoted(t.node_name(id)), to_string(t.node_kind(id)), t.node_tier(id),
        dot_quoted(t.node_role(id)), t.node_radix(id), t.forwarding_latency(id).ps(),
        dot_shape(t.node_kind(id)));
  }
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    const LinkId ab(l), ba(l + 1);
    out << fmt::format(
        "  {} -- {} [rate_ab_bytes_per_s=\"{}\", rate_ba_bytes_per_s=\"{}\", latency_ps=\"{}\", "
        "length_m=\"{}\", role={}];\n",
        dot_quoted(t.node_name(t.link_from(ab))), dot_quoted(t.node_name(t.link_to(ab))),
        t.link_capacity(ab).si(), t.link_capacity(ba).si(), t.link_latency(ab).ps(),
        t.link_length(ab).si(), dot_quoted(t.link_role(ab)));
  }
  out << "}\n";
}

std::string to_dot(const Topology& t) {
  std::ostringstream s;
  write_dot(t, s);
  return s.str();
}

void write_graphml(const Topology& t, std::ostream& out) {
  struct Key {
    const char* id;
    const char* for_;
    const char* type;
  };
  // Declared once, in the order written; GraphML requires keys before the graph.
  static constexpr Key kKeys[] = {
      {"name", "node", "string"},
      {"kind", "node", "string"},
      {"tier", "node", "int"},
      {"role", "node", "string"},
      {"radix", "node", "long"},
      {"forwarding_latency_ps", "node", "long"},
      {"rate_ab_bytes_per_s", "edge", "double"},
      {"rate_ba_bytes_per_s", "edge", "double"},
      {"latency_ps", "edge", "long"},
      {"length_m", "edge", "double"},
      {"link_role", "edge", "string"},
  };
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
         "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
         "         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
         "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
  for (const Key& k : kKeys) {
    // attr.name "role" for both nodes and edges; the ids differ because GraphML key ids
    // are unique across the document.
    const std::string_view name = std::string_view(k.id) == "link_role" ? "role" : k.id;
    out << fmt::format("  <key id=\"{}\" for=\"{}\" attr.name=\"{}\" attr.type=\"{}\"/>\n", k.id,
                       k.for_, name, k.type);
  }
  out << "  <graph id=\"roshni\" edgedefault=\"undirected\">\n";
  for (uint32_t n = 0; n < t.node_count(); ++n) {
    const NodeId id(n);
    out << fmt::format(
        "    <node id=\"n{}\"><data key=\"name\">{}</data><data key=\"kind\">{}</data>"
        "<data key=\"tier\">{}</data><data key=\"role\">{}</data><data key=\"radix\">{}</data>"
        "<data key=\"forwarding_latency_ps\">{}</data></node>\n",
        n, xml_escape(t.node_name(id)), to_string(t.node_kind(id)), t.node_tier(id),
        xml_escape(t.node_role(id)), t.node_radix(id), t.forwarding_latency(id).ps());
  }
  for (uint32_t l = 0; l < t.link_count(); l += 2) {
    const LinkId ab(l), ba(l + 1);
    out << fmt::format(
        "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">"
        "<data key=\"rate_ab_bytes_per_s\">{}</data><data key=\"rate_ba_bytes_per_s\">{}</data>"
        "<data key=\"latency_ps\">{}</data><data key=\"length_m\">{}</data>"
        "<data key=\"link_role\">{}</data></edge>\n",
        l / 2, t.link_from(ab).value(), t.link_to(ab).value(), t.link_capacity(ab).si(),
        t.link_capacity(ba).si(), t.link_latency(ab).ps(), t.link_length(ab).si(),
        xml_escape(t.link_role(ab)));
  }
  out << "  </graph>\n</graphml>\n";
}

std::string to_graphml(const Topology& t) {
  std::ostringstream s;
  write_graphml(t, s);
  return s.str();
}

}  // namespace roshni::topo
