// The "explicit" topology: nodes and links listed one by one.
#include <set>

#include <fmt/format.h>

#include "roshni/core/text.h"
#include "roshni/topo/router.h"
#include "scenario/json_text.h"
#include "scenario/topologies.h"

namespace roshni::scenario {

namespace {

/// Distinct node and link roles a scenario may name. Roles, and the catalog part names
/// the physical layer gives links, share one table of 65,535 names; this leaves the
/// catalog room.
constexpr size_t kMaxRoles = 60'000;

/// Counts role r and refuses the one past kMaxRoles (it would abort deep in the build).
void count_role(std::set<std::string, std::less<>>& roles, const JsonNode& r) {
  const std::string name = r.as_name("a role", true);
  if (roles.size() < kMaxRoles || roles.count(name) > 0) {
    roles.insert(name);
    return;
  }
  r.fail(fmt::format("more than {} distinct roles; a role names a kind of node or link (like "
                     "\"leaf\" or \"scale-up\"), not one node or link",
                     kMaxRoles));
}

}  // namespace

std::unique_ptr<topo::Fabric> build_explicit(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "nodes", "links", "routing", "placement"});
  topo::TopologyBuilder b;
  const JsonNode nodes =
      t.at("nodes", "an array of nodes, like [{\"name\": \"gpu0\", \"kind\": \"gpu\"}, ...]");
  const size_t n = nodes.size();
  if (n == 0) nodes.fail("the node list is empty; a topology needs at least one GPU");
  {
    // The size as listed (the file, already read, bounds it); GPUs counted by their kind.
    SizeEstimate size{0, n, 0};
    for (const auto& v : nodes.raw()) {
      size.gpus += v.is_object() && v.contains("kind") && v["kind"] == "gpu" ? 1 : 0;
    }
    if (const auto links = t.get("links"); links && links->raw().is_array()) {
      size.links = links->raw().size();
    }
    before(size);
  }
  const std::vector<std::string> kinds{"gpu", "switch", "ocs"};
  std::vector<std::string> names;
  names.reserve(n);
  bool any_gpu = false;
  std::set<std::string, std::less<>> roles;
  for (size_t i = 0; i < n; ++i) {
    const JsonNode node = nodes[i];
    node.expect_keys({"name", "kind", "latency", "radix", "tier", "role"});
    const JsonNode name_node = node.at("name", "the node's name, like \"gpu0\"");
    std::string name = name_node.as_name("a node name");
    if (const auto first = b.find_node(name)) {
      name_node.fail(fmt::format("duplicate node name '{}' (first defined at {}/{})",
                                 escape_text(name), nodes.pointer(), first->value()));
    }
    const JsonNode kind_node = node.at("kind", "'gpu', 'switch' or 'ocs'");
    const std::string kind = kind_node.as_string();
    topo::NodeKind k;
    if (kind == "gpu") {
      k = topo::NodeKind::gpu;
    } else if (kind == "switch") {
      k = topo::NodeKind::switch_;
    } else if (kind == "ocs") {
      k = topo::NodeKind::ocs;
    } else {
      kind_node.fail(fmt::format("unknown node kind '{}'{}; known ones: {}", escape_text(kind),
                                 suggest(kind, kinds), quoted_list(kinds)));
    }
    any_gpu = any_gpu || k == topo::NodeKind::gpu;
    SimTime latency;
    if (const auto l = node.get("latency")) latency = l->as_sim_time(true);
    topo::NodeAttrs attrs;
    attrs.tier = k == topo::NodeKind::gpu ? 0 : 1;
    if (const auto r = node.get("radix")) attrs.radix = static_cast<uint32_t>(r->as_int(1, 1 << 20));
    if (const auto r = node.get("tier")) attrs.tier = static_cast<uint8_t>(r->as_int(0, 255));
    if (const auto r = node.get("role")) {
      count_role(roles, *r);
      attrs.role = r->as_string();
    }
    names.push_back(name);
    b.add_node(std::move(name), k, latency, attrs);
  }
  if (!any_gpu) nodes.fail("no node has kind 'gpu'; a topology needs at least one GPU");

  const JsonNode links = t.at(
      "links", "an array of links, like [{\"a\": \"gpu0\", \"b\": \"sw0\", \"bandwidth\": "
               "\"400 Gbps\"}, ...]");
  const size_t m = links.size();
  for (size_t i = 0; i < m; ++i) {
    const JsonNode link = links[i];
    link.expect_keys({"a", "b", "bandwidth", "reverse_bandwidth", "latency", "length", "role"});
    const auto end = [&](const char* key) {
      const JsonNode e = link.at(key, "the name of a node");
      const std::string name = e.as_string();
      const auto id = b.find_node(name);
      if (!id) e.fail(fmt::format("unknown node '{}'{}", escape_text(name), suggest(name, names)));
      return *id;
    };
    const NodeId a = end("a");
    const NodeId z = end("b");
    if (a == z) {
      link.at("b", "").fail(fmt::format("a link must join two different nodes; both ends are '{}'",
                                        escape_text(names[a.value()])));
    }
    const DataRate ab = link.at("bandwidth", "a data rate like \"400 Gbps\"").as_data_rate();
    DataRate ba = ab;
    if (const auto r = link.get("reverse_bandwidth")) ba = r->as_data_rate();
    SimTime latency;
    if (const auto l = link.get("latency")) latency = l->as_sim_time(true);
    topo::LinkAttrs attrs;
    if (const auto l = link.get("length")) attrs.length = l->as_length();
    if (const auto r = link.get("role")) {
      count_role(roles, *r);
      attrs.role = r->as_string();
    }
    b.add_link(a, z, ab, ba, latency, attrs);
  }
  auto f = std::make_unique<topo::Fabric>();
  f->topology = std::move(b).build();
  topo::MultipathPolicy policy = topo::MultipathPolicy::ecmp;
  if (const auto r = t.get("routing")) {
    const std::string s = r->as_string();
    if (s == "first") {
      policy = topo::MultipathPolicy::first;
    } else if (s != "ecmp") {
      const std::vector<std::string> known{"ecmp", "first"};
      r->fail(fmt::format("unknown routing '{}'{}; known ones: {}", escape_text(s),
                          suggest(s, known), quoted_list(known)));
    }
  }
  f->router = std::make_unique<topo::ShortestPathRouter>(f->topology, policy);
  return f;
}

}  // namespace roshni::scenario
