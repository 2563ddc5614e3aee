#include "scenario/flow_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_parse.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"

namespace roshni::scenario {
namespace {

class TraceReader {
 public:
  TraceReader(const Document& doc, const topo::Topology& t, size_t max_flows, net::FlowSet& flows,
              WorkloadInfo& workload, FlowTrace& trace)
      : doc_(doc),
        topology_(t),
        max_flows_(max_flows),
        flows_(flows),
        workload_(workload),
        trace_(trace) {}

  void read(const JsonNode& w) {
    w.expect_keys({"kind", "flows", "file"});
    const auto inline_flows = w.get("flows");
    const auto file = w.get("file");
    if (inline_flows && file) {
      w.fail("give either 'flows' (inline) or 'file' (a flow trace file), not both");
    }
    if (inline_flows) {
      flows(*inline_flows);
      return;
    }
    if (!file) {
      w.fail(
          "missing 'flows' or 'file': expected the flows inline, like [{\"id\": \"f0\", "
          "\"src\": \"gpu0\", \"dst\": \"gpu1\", \"size\": \"1 MiB\"}], or a flow trace "
          "file name, like \"trace.json\"");
    }
    const std::string name = file->as_string();
    const std::string path = resolve_relative(doc_.base_dir_of(file->pointer()), name);
    const auto text = doc_.reader()(path);
    if (!text) {
      file->fail(fmt::format(
          "cannot read the flow trace file {}{}{}", quote_text(path),
          path == name ? "" : " (" + quote_text(name) + " relative to the scenario file)",
          why_unreadable(path)));
    }
    // From here on errors name the trace file and pointers inside it.
    trace_.json = parse_json(*text, path);
    trace_.file_of = [path](const std::string&) { return path; };
    const JsonNode root(trace_.json, "", &trace_.file_of);
    if (!root.is_object()) {
      root.fail(
          fmt::format("expected a flow trace, a JSON object like {{\"flows\": [...]}}, got {}",
                      describe_value(trace_.json)));
    }
    root.expect_keys({"flows", "description"});
    if (const auto d = root.get("description")) d->as_string();
    flows(root.at("flows",
                  "an array of flows, like [{\"id\": \"f0\", \"src\": \"gpu0\", "
                  "\"dst\": \"gpu1\", \"size\": \"1 MiB\"}]"));
  }

  void flows(const JsonNode& list) {
    const size_t n = list.size();
    if (n == 0) list.fail("the flow list is empty; a flow trace needs at least one flow");
    if (n > max_flows_ || n >= FlowId::kInvalid) {
      list.fail(fmt::format("{} flows is more than the limit of {}", n, max_flows_));
    }
    trace_.flows_node = list;

    // Pass 1: every id, so that "after" may name a flow defined further down.
    std::vector<std::string> ids(n);
    std::unordered_map<std::string_view, uint32_t> index;
    index.reserve(n);
    size_t dep_count = 0;
    for (size_t i = 0; i < n; ++i) {
      const JsonNode f = list[i];
      f.expect_keys({"id", "src", "dst", "size", "after", "start", "path"});
      const JsonNode id = f.at("id", "a unique name for the flow, like \"f0\"");
      ids[i] = id.as_name("a flow id");
      const auto [it, fresh] = index.emplace(ids[i], static_cast<uint32_t>(i));
      if (!fresh) {
        id.fail(fmt::format("duplicate flow id '{}' (first used at {}/{})", escape_text(ids[i]),
                            list.pointer(), it->second));
      }
      if (const auto a = f.get("after")) dep_count += a->size();
    }

    // Pass 2: everything else, in file order, so FlowId i is the i-th flow.
    const topo::Topology& t = topology_;
    flows_.reserve(n, dep_count);
    std::vector<char> endpoint(t.node_count(), 0);
    uint32_t endpoints = 0;
    std::vector<FlowId> deps;
    std::vector<NodeId> hops;
    for (size_t i = 0; i < n; ++i) {
      const JsonNode f = list[i];
      const NodeId src = node_ref(f.at("src", "the name of the sending node"));
      const JsonNode dst_node = f.at("dst", "the name of the receiving node");
      const NodeId dst = node_ref(dst_node);
      if (src == dst) {
        dst_node.fail(fmt::format("a flow needs two different nodes; src and dst are both '{}'",
                                  escape_text(t.node_name(src))));
      }
      const DataSize size = f.at("size", "a data size like \"1 MiB\"").as_data_size();

      deps.clear();
      if (const auto after = f.get("after")) {
        const size_t k = after->size();
        for (size_t j = 0; j < k; ++j) {
          const JsonNode d = (*after)[j];
          const std::string dep = d.as_string();
          const auto it = index.find(dep);
          if (it == index.end()) {
            d.fail(fmt::format("unknown flow '{}'{}", escape_text(dep), suggest(dep, ids)));
          }
          if (it->second == i) d.fail("a flow cannot wait for itself");
          deps.push_back(FlowId(it->second));
        }
        // A repeated dependency is harmless but almost surely a typo for another id.
        std::vector<FlowId> sorted = deps;
        std::sort(sorted.begin(), sorted.end());
        if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
            dup != sorted.end()) {
          after->fail(fmt::format("flow '{}' is listed twice", escape_text(ids[dup->value()])));
        }
      }

      SimTime start;
      if (const auto s = f.get("start")) start = s->as_sim_time(true);

      const FlowId id = flows_.add(ids[i], src, dst, size, deps, start);
      ROSHNI_ASSERT(id.value() == i, "flow {} got id {}", i, id.value());
      if (const auto p = f.get("path")) pin_path(*p, id, src, dst, hops);

      for (const NodeId e : {src, dst}) {
        if (!endpoint[e.value()]) {
          endpoint[e.value()] = 1;
          ++endpoints;
        }
      }
    }
    workload_.ranks = endpoints;
    workload_.size = flows_.total_size();
  }

  /// An explicit path: node names from src to dst, each pair joined by a link.
  void pin_path(const JsonNode& p, FlowId flow, NodeId src, NodeId dst, std::vector<NodeId>& hops) {
    const topo::Topology& t = topology_;
    const size_t n = p.size();
    if (n < 2) {
      p.fail(fmt::format("a path lists at least the source and the destination, got {} node{}", n,
                         n == 1 ? "" : "s"));
    }
    hops.clear();
    for (size_t i = 0; i < n; ++i) hops.push_back(node_ref(p[i]));
    if (hops.front() != src) {
      p[0].fail(
          fmt::format("the path must start at the flow's src '{}'", escape_text(t.node_name(src))));
    }
    if (hops.back() != dst) {
      p[n - 1].fail(
          fmt::format("the path must end at the flow's dst '{}'", escape_text(t.node_name(dst))));
    }
    // A path that visits a node twice would also cross some link twice.
    std::vector<NodeId> sorted = hops;
    std::sort(sorted.begin(), sorted.end());
    if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
      const size_t second = static_cast<size_t>(
          std::find(std::find(hops.begin(), hops.end(), *dup) + 1, hops.end(), *dup) -
          hops.begin());
      p[second].fail(fmt::format("the path visits '{}' twice", escape_text(t.node_name(*dup))));
    }
    const topo::LinksAlong along = topo::links_along(t, hops);
    if (along.missing_hop) {
      const size_t i = *along.missing_hop;
      p[i + 1].fail(fmt::format("no link from '{}' to '{}'", escape_text(t.node_name(hops[i])),
                                escape_text(t.node_name(hops[i + 1]))));
    }
    flows_.set_path(flow, along.links);
  }

 private:
  NodeId node_ref(const JsonNode& n) const { return scenario::node_ref(n, topology_); }

  const Document& doc_;
  const topo::Topology& topology_;
  size_t max_flows_;
  net::FlowSet& flows_;
  WorkloadInfo& workload_;
  FlowTrace& trace_;
};

}  // namespace

void load_flow_trace(const JsonNode& w, const Document& doc, const topo::Topology& t,
                     size_t max_flows, net::FlowSet& flows, WorkloadInfo& info, FlowTrace& trace) {
  TraceReader(doc, t, max_flows, flows, info, trace).read(w);
}

}  // namespace roshni::scenario
