#include "scenario/failures.h"

#include <fmt/format.h>

#include "roshni/sim/random.h"
#include "scenario/json_text.h"

namespace roshni::scenario {
namespace {

NodeId node_named(const JsonNode& n, const topo::Topology& t) {
  const std::string name = n.as_string();
  if (const auto id = t.find_node(name)) return *id;
  std::vector<std::string> names;
  for (uint32_t i = 0; i < t.node_count(); ++i) names.push_back(t.node_name(NodeId(i)));
  n.fail(fmt::format("unknown node '{}'{}", escape_text(name), suggest(name, names)));
}

/// Both directions of every physical link between a and b (parallel links included).
std::vector<LinkId> links_between(const topo::Topology& t, NodeId a, NodeId b) {
  std::vector<LinkId> out;
  for (LinkId l : t.out_links(a)) {
    if (t.link_to(l) == b) {
      out.push_back(l);
      out.push_back(t.link_reverse(l));
    }
  }
  return out;
}

/// An outage of `links` from `at`, for `repair_after` or for good. Outages of one link
/// may overlap (its own failure and its switch's, or two of its own): it is down while
/// any covers it (net::CapacityStep), and a repair ends only its own outage.
void fail_links(const std::vector<LinkId>& links, SimTime at,
                std::optional<SimTime> repair_after, std::vector<net::CapacityStep>& steps) {
  net::CapacityStep down;
  down.at = at;
  down.outages_begin = links;
  steps.push_back(std::move(down));
  if (repair_after) {
    net::CapacityStep up;
    up.at = at + *repair_after;
    up.outages_end = links;
    steps.push_back(std::move(up));
  }
}

}  // namespace

void add_failures(const JsonNode& spec, const topo::Topology& t, uint64_t seed,
                  std::vector<net::CapacityStep>& steps) {
  spec.expect_keys({"events", "random"});
  if (const auto events = spec.get("events")) {
    for (size_t i = 0; i < events->size(); ++i) {
      const JsonNode e = (*events)[i];
      e.expect_keys({"at", "link", "node", "duration"});
      const SimTime at = e.at("at", "when it fails, like \"2 ms\"").as_sim_time(true);
      std::optional<SimTime> repair;
      if (const auto d = e.get("duration")) repair = d->as_sim_time(false);
      if (e.has("link") == e.has("node")) {
        e.fail("a failure names either a 'link' (its two end nodes) or a 'node' (a switch)");
      }
      std::vector<LinkId> links;
      if (const auto l = e.get("link")) {
        if (l->size() != 2) l->fail("expected the link's two end nodes, like [\"leaf0\", \"spine1\"]");
        const NodeId a = node_named((*l)[0], t), b = node_named((*l)[1], t);
        links = links_between(t, a, b);
        if (links.empty()) {
          l->fail(fmt::format("no link joins '{}' and '{}'", t.node_name(a), t.node_name(b)));
        }
      } else {
        const JsonNode n = e.at("node", "");
        const NodeId id = node_named(n, t);
        if (t.node_kind(id) == topo::NodeKind::gpu) {
          n.fail("only switches can be failed as a whole; fail a GPU's links instead");
        }
        for (LinkId l : t.out_links(id)) {
          links.push_back(l);
          links.push_back(t.link_reverse(l));
        }
      }
      fail_links(links, at, repair, steps);
    }
  }
  if (const auto r = spec.get("random")) {
    // `count` links chosen uniformly among those not touching a GPU (fabric links), each
    // failing at a uniform time in [from, to), from the run's seed: a seed is a failure
    // scenario, reproducible bit for bit.
    r->expect_keys({"count", "from", "to", "duration"});
    const auto count = static_cast<uint32_t>(r->at("count", "how many links fail").as_int(1, 1 << 20));
    const SimTime from = r->at("from", "the start of the window, like \"0 s\"").as_sim_time(true);
    const JsonNode to_node = r->at("to", "the end of the window, like \"10 ms\"");
    const SimTime to = to_node.as_sim_time(false);
    if (to <= from) to_node.fail("the window must end after it starts");
    std::optional<SimTime> repair;
    if (const auto d = r->get("duration")) repair = d->as_sim_time(false);
    std::vector<uint32_t> candidates;
    for (uint32_t l = 0; l < t.link_count(); l += 2) {
      if (t.node_kind(t.link_from(LinkId(l))) != topo::NodeKind::gpu &&
          t.node_kind(t.link_to(LinkId(l))) != topo::NodeKind::gpu) {
        candidates.push_back(l);
      }
    }
    if (count > candidates.size()) {
      r->at("count", "").fail(fmt::format("only {} fabric links (not touching a GPU) exist",
                                          candidates.size()));
    }
    auto rng = sim::RandomStreams(seed).stream("failures");
    for (uint32_t k = 0; k < count; ++k) {
      const uint64_t pick = k + rng.uniform_below(candidates.size() - k);  // partial shuffle
      std::swap(candidates[k], candidates[pick]);
      const LinkId l(candidates[k]);
      const auto span = static_cast<uint64_t>((to - from).ps());
      const SimTime at = from + SimTime::ps(static_cast<int64_t>(rng.uniform_below(span)));
      fail_links({l, t.link_reverse(l)}, at, repair, steps);
    }
  }
}

}  // namespace roshni::scenario
