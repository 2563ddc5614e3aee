#include "roshni/topo/export.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/topo/generators.h"

namespace roshni::topo {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

Topology star(uint32_t n) {
  StarParams p;
  p.gpus = n;
  p.link_bandwidth = gbps(400);
  p.link_latency = SimTime::ps(100'000);
  p.switch_latency = SimTime::ps(300'000);
  return make_star(p);
}

// Minimal XML well-formedness: every tag closes in order, <?...?> and <.../> stand alone,
// and no raw '&' or '<' appears outside markup except as an entity. Returns "" or what
// went wrong.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      const std::string entity = xml.substr(i, semi == std::string::npos ? 8 : semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;") {
        return "bad entity " + entity;
      }
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) return "unclosed tag";
    const std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) return "'<' inside tag " + tag;
    if (count(tag, "\"") % 2 != 0) return "unbalanced quotes in " + tag;
    i = end + 1;
    if (tag.front() == '?' && tag.back() == '?') continue;
    if (tag.back() == '/') continue;
    const std::string name = tag.substr(tag.front() == '/', tag.find_first_of(" \n/", 1) - (tag.front() == '/'));
    if (tag.front() == '/') {
      if (open.empty() || open.back() != name) return "closing " + name + " out of order";
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "unclosed " + open.back();
}

// One link, two nodes: the whole DOT text, so its shape is fixed and visible.
// 400 Gb/s = 5e10 bytes/s each way; 100 ns = 100000 ps; not placed, so length 0.
TEST(Dot, ExactTextOfOneLink) {
  TopologyBuilder b;
  const NodeId a = b.add_node("gpu0", NodeKind::gpu);
  NodeAttrs sw;
  sw.tier = 1;
  sw.radix = 64;
  sw.role = "leaf";
  const NodeId s = b.add_node("leaf0", NodeKind::switch_, SimTime::ps(300'000), sw);
  LinkAttrs host;
  host.length = metres(2.1);
  host.role = "host";
  b.add_link(a, s, gbps(400), gbps(200), SimTime::ps(100'000), host);
  const std::string expected =
      "// Roshni topology: 2 nodes (1 GPUs), 1 physical links.\n"
      "// Rates in bytes/s per direction (ab = as written), latency in ps, length in m.\n"
      "graph roshni {\n"
      "  \"gpu0\" [kind=\"gpu\", tier=\"0\", role=\"gpu\", radix=\"0\", forwarding_latency_ps=\"0\", "
      "shape=box];\n"
      "  \"leaf0\" [kind=\"switch\", tier=\"1\", role=\"leaf\", radix=\"64\", "
      "forwarding_latency_ps=\"300000\", shape=ellipse];\n"
      "  \"gpu0\" -- \"leaf0\" [rate_ab_bytes_per_s=\"50000000000\", rate_ba_bytes_per_s=\"25000000000\", "
      "latency_ps=\"100000\", length_m=\"2.1\", role=\"host\"];\n"
      "}\n";
  EXPECT_EQ(to_dot(std::move(b).build()), expected);
}

// A star of 5: 6 node statements, 5 undirected edges ("--", never "->"), braces
// balanced; the same topology always gives the same bytes.
TEST(Dot, StarHasOneEdgePerPhysicalLink) {
  const Topology t = star(5);
  const std::string dot = to_dot(t);
  EXPECT_EQ(count(dot, " -- "), 5u);
  EXPECT_EQ(count(dot, "->"), 0u);
  EXPECT_EQ(count(dot, "shape="), 6u);
  EXPECT_EQ(count(dot, "{"), count(dot, "}"));
  EXPECT_EQ(dot, to_dot(star(5)));
}

// A name with a quote and a backslash stays one DOT string: "a\"b\\c".
TEST(Dot, EscapesQuotesAndBackslashes) {
  TopologyBuilder b;
  const NodeId x = b.add_node("a\"b\\c", NodeKind::gpu), y = b.add_node("y", NodeKind::ocs);
  b.add_link(x, y, gbps(1), gbps(1), SimTime::zero());
  const std::string dot = to_dot(std::move(b).build());
  EXPECT_NE(dot.find("\"a\\\"b\\\\c\" -- \"y\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("shape=diamond"), std::string::npos);
}

// A star of 5 in GraphML: 11 keys, 6 nodes, 5 edges, well-formed; edge e2 is gpu2 (n2)
// to the switch (n5).
TEST(GraphMl, StarIsWellFormedWithOneEdgePerLink) {
  const std::string xml = to_graphml(star(5));
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_EQ(count(xml, "<key "), 11u);
  EXPECT_EQ(count(xml, "<node "), 6u);
  EXPECT_EQ(count(xml, "<edge "), 5u);
  EXPECT_NE(xml.find("edgedefault=\"undirected\""), std::string::npos);
  EXPECT_NE(xml.find("<edge id=\"e2\" source=\"n2\" target=\"n5\">"), std::string::npos);
  EXPECT_NE(xml.find("<data key=\"rate_ab_bytes_per_s\">50000000000</data>"), std::string::npos);
  EXPECT_EQ(xml, to_graphml(star(5)));
}

// Names with XML's special characters are escaped and the text stays well-formed.
TEST(GraphMl, EscapesSpecialCharacters) {
  TopologyBuilder b;
  const NodeId x = b.add_node("r&d<1>", NodeKind::gpu), y = b.add_node("'q\"", NodeKind::switch_);
  LinkAttrs odd;
  odd.role = "a<b";
  b.add_link(x, y, gbps(1), gbps(1), SimTime::zero(), odd);
  const std::string xml = to_graphml(std::move(b).build());
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_NE(xml.find("r&amp;d&lt;1&gt;"), std::string::npos);
  EXPECT_NE(xml.find("&apos;q&quot;"), std::string::npos);
  EXPECT_NE(xml.find(">a&lt;b</data>"), std::string::npos);
}

// The checker itself catches what it is for.
TEST(GraphMl, CheckerRejectsBrokenXml) {
  EXPECT_NE(xml_problem("<a><b></a></b>"), "");
  EXPECT_NE(xml_problem("<a>x & y</a>"), "");
  EXPECT_NE(xml_problem("<a>"), "");
  EXPECT_EQ(xml_problem("<?xml version=\"1.0\"?><a><b/>t</a>"), "");
}

}  // namespace
}  // namespace roshni::topo
