#include "scenario/flow_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_parse.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"
#include "scenario/name_index.h"

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
    // From here on errors name the trace file and pointers inside it. The flows are read
    // one by one as the parser completes each, so the file's flows never exist as a DOM,
    // and a trace over the flow limit is refused as soon as the count passes it.
    trace_.file_of = [path](const std::string&) { return path; };
    trace_.streamed_file = path;
    list_file_ = path;
    list_pointer_ = "/flows";
    trace_.json = parse_json_streaming(*text, path, "flows", [&](size_t i, nlohmann::json&& v) {
      if (i >= max_flows_ || i + 1 >= FlowId::kInvalid) {
        throw ScenarioError(
            path, "/flows",
            fmt::format("at least {} flows, more than the limit of {}", i + 1, max_flows_));
      }
      read_flow(JsonNode(v, child_pointer("/flows", i), &trace_.file_of), i);
    });
    const JsonNode root(trace_.json, "", &trace_.file_of);
    if (!root.is_object()) {
      root.fail(
          fmt::format("expected a flow trace, a JSON object like {{\"flows\": [...]}}, got {}",
                      describe_value(trace_.json)));
    }
    root.expect_keys({"flows", "description"});
    if (const auto d = root.get("description")) d->as_string();
    const JsonNode list = root.at("flows",
                                  "an array of flows, like [{\"id\": \"f0\", \"src\": \"gpu0\", "
                                  "\"dst\": \"gpu1\", \"size\": \"1 MiB\"}]");
    if (pending_.empty()) list.size();  // not an array: says so
    if (pending_.empty()) list.fail("the flow list is empty; a flow trace needs at least one flow");
    finish();
  }

  /// Inline flows: the scenario's DOM holds them already.
  void flows(const JsonNode& list) {
    const size_t n = list.size();
    if (n == 0) list.fail("the flow list is empty; a flow trace needs at least one flow");
    if (n > max_flows_ || n >= FlowId::kInvalid) {
      list.fail(fmt::format("{} flows is more than the limit of {}", n, max_flows_));
    }
    trace_.flows_node = list;
    list_file_ = list.file();
    list_pointer_ = list.pointer();
    for (size_t i = 0; i < n; ++i) read_flow(list[i], i);
    finish();
  }

  /// Flow i: everything that needs no later flow is checked here; the flows it waits for
  /// may be listed further down, so names not yet seen are resolved in finish().
  void read_flow(const JsonNode& f, size_t i) {
    f.expect_keys({"id", "src", "dst", "size", "after", "start", "path"});
    const JsonNode id = f.at("id", "a unique name for the flow, like \"f0\"");
    const auto [first, fresh] = index_.insert(id.as_name("a flow id"));
    if (!fresh) {
      id.fail(fmt::format("duplicate flow id '{}' (first used at {}/{})",
                          escape_text(index_.name(first)), list_pointer_, first));
    }
    ROSHNI_ASSERT(first == i, "flow {} named as number {}", i, first);
    const topo::Topology& t = topology_;
    Pending p;
    p.src = node_ref(f.at("src", "the name of the sending node"));
    const JsonNode dst_node = f.at("dst", "the name of the receiving node");
    p.dst = node_ref(dst_node);
    if (p.src == p.dst) {
      dst_node.fail(fmt::format("a flow needs two different nodes; src and dst are both '{}'",
                                escape_text(t.node_name(p.src))));
    }
    p.size = f.at("size", "a data size like \"1 MiB\"").as_data_size();
    p.dep_begin = static_cast<uint32_t>(deps_.size());
    if (const auto after = f.get("after")) {
      const size_t k = after->size();
      bool later = false;
      for (size_t j = 0; j < k; ++j) {
        const JsonNode d = (*after)[j];
        std::string dep = d.as_string();
        const auto found = find_earlier(dep, i);
        if (!found) {  // a flow further down, or unknown: see finish()
          later = true;
          deps_.push_back(kLater);
          later_.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(j), std::move(dep)});
          continue;
        }
        if (*found == i) d.fail("a flow cannot wait for itself");
        deps_.push_back(*found);
      }
      if (!later) check_repeats(i, p.dep_begin, static_cast<uint32_t>(deps_.size()));
    }
    if (const auto s = f.get("start")) p.start = s->as_sim_time(true);
    p.path_begin = static_cast<uint32_t>(path_links_.size());
    if (const auto path = f.get("path")) pin_path(*path, p.src, p.dst);
    pending_.push_back(p);
    for (const NodeId e : {p.src, p.dst}) {
      if (!endpoint_[e.value()]) {
        endpoint_[e.value()] = 1;
        ++endpoints_;
      }
    }
  }

  /// The index of flow `name` if it is listed before flow i (or is i). Traces of collectives
  /// mostly wait for a flow a fixed distance back (a ring's step waits for the piece sent
  /// N flows earlier), so the flow as far back as the last one found is tried first: one
  /// compare of a name read moments ago, where the index's probe is a cache miss. Names
  /// are unique, so a match is the flow.
  std::optional<uint32_t> find_earlier(std::string_view name, size_t i) {
    if (back_ > 0 && back_ <= i && index_.name(static_cast<uint32_t>(i - back_)) == name) {
      return static_cast<uint32_t>(i - back_);
    }
    const auto found = index_.find(name);
    if (found) back_ = i - *found;
    return found;
  }

  /// Resolves the names of flows listed later, then adds every flow in file order, so
  /// FlowId i is the i-th flow.
  void finish() {
    for (const auto& l : later_) {
      const auto it = index_.find(l.name);
      if (!it) {
        std::vector<std::string> ids;
        ids.reserve(index_.size());
        for (uint32_t k = 0; k < index_.size(); ++k) ids.push_back(index_.name(k));
        throw ScenarioError(
            list_file_, fmt::format("{}/{}/after/{}", list_pointer_, l.flow, l.at),
            fmt::format("unknown flow '{}'{}", escape_text(l.name), suggest(l.name, ids)));
      }
      deps_[pending_[l.flow].dep_begin + l.at] = *it;
    }
    for (size_t k = 0; k < later_.size(); ++k) {
      const uint32_t f = later_[k].flow;
      if (k > 0 && f == later_[k - 1].flow) continue;
      check_repeats(f, pending_[f].dep_begin, dep_end(f));
    }
    index_.clear_table();
    const size_t n = pending_.size();
    flows_.reserve(n, deps_.size());
    std::vector<FlowId> deps;
    for (size_t i = 0; i < n; ++i) {
      const Pending& p = pending_[i];
      deps.clear();
      for (uint32_t k = p.dep_begin; k < dep_end(i); ++k) deps.push_back(FlowId(deps_[k]));
      const FlowId id =
          flows_.add(index_.take(static_cast<uint32_t>(i)), p.src, p.dst, p.size, deps, p.start);
      ROSHNI_ASSERT(id.value() == i, "flow {} got id {}", i, id.value());
      const uint32_t path_end =
          i + 1 < n ? pending_[i + 1].path_begin : static_cast<uint32_t>(path_links_.size());
      if (path_end > p.path_begin) {
        flows_.set_path(id, std::span<const LinkId>(path_links_.data() + p.path_begin,
                                                    path_end - p.path_begin));
      }
    }
    trace_.count = n;
    workload_.ranks = endpoints_;
    workload_.size = flows_.total_size();
  }

  uint32_t dep_end(size_t i) const {
    return i + 1 < pending_.size() ? pending_[i + 1].dep_begin
                                   : static_cast<uint32_t>(deps_.size());
  }

  /// A repeated dependency is harmless but almost surely a typo for another id: flow i's
  /// dependencies are deps_[begin, end).
  void check_repeats(size_t i, uint32_t begin, uint32_t end) {
    std::vector<uint32_t> sorted(deps_.begin() + begin, deps_.begin() + end);
    std::sort(sorted.begin(), sorted.end());
    if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
      throw ScenarioError(list_file_, fmt::format("{}/{}/after", list_pointer_, i),
                          fmt::format("flow '{}' is listed twice", escape_text(index_.name(*dup))));
    }
  }

  /// An explicit path: node names from src to dst, each pair joined by a link.
  void pin_path(const JsonNode& p, NodeId src, NodeId dst) {
    const topo::Topology& t = topology_;
    const size_t n = p.size();
    if (n < 2) {
      p.fail(fmt::format("a path lists at least the source and the destination, got {} node{}", n,
                         n == 1 ? "" : "s"));
    }
    hops_.clear();
    for (size_t i = 0; i < n; ++i) hops_.push_back(node_ref(p[i]));
    if (hops_.front() != src) {
      p[0].fail(
          fmt::format("the path must start at the flow's src '{}'", escape_text(t.node_name(src))));
    }
    if (hops_.back() != dst) {
      p[n - 1].fail(
          fmt::format("the path must end at the flow's dst '{}'", escape_text(t.node_name(dst))));
    }
    // A path that visits a node twice would also cross some link twice.
    std::vector<NodeId> sorted = hops_;
    std::sort(sorted.begin(), sorted.end());
    if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
      const size_t second = static_cast<size_t>(
          std::find(std::find(hops_.begin(), hops_.end(), *dup) + 1, hops_.end(), *dup) -
          hops_.begin());
      p[second].fail(fmt::format("the path visits '{}' twice", escape_text(t.node_name(*dup))));
    }
    const topo::LinksAlong along = topo::links_along(t, hops_);
    if (along.missing_hop) {
      const size_t i = *along.missing_hop;
      p[i + 1].fail(fmt::format("no link from '{}' to '{}'", escape_text(t.node_name(hops_[i])),
                                escape_text(t.node_name(hops_[i + 1]))));
    }
    path_links_.insert(path_links_.end(), along.links.begin(), along.links.end());
  }

 private:
  NodeId node_ref(const JsonNode& n) const { return scenario::node_ref(n, topology_); }

  // A flow read, waiting for finish(): its dependencies are deps_[dep_begin, the next
  // flow's dep_begin), its pinned path path_links_[path_begin, the next's).
  struct Pending {
    NodeId src, dst;
    DataSize size;
    SimTime start;
    uint32_t dep_begin = 0, path_begin = 0;
  };
  // A dependency named before its flow was read: flow `flow`'s after[at].
  struct Later {
    uint32_t flow, at;
    std::string name;
  };
  static constexpr uint32_t kLater = ~uint32_t{0};

  const Document& doc_;
  const topo::Topology& topology_;
  size_t max_flows_;
  net::FlowSet& flows_;
  WorkloadInfo& workload_;
  FlowTrace& trace_;
  std::string list_file_, list_pointer_;  // where the flow list is, for errors
  NameIndex index_;                       // flow ids, in file order
  size_t back_ = 0;                       // find_earlier's guess: how far back
  std::vector<Pending> pending_;
  std::vector<uint32_t> deps_;  // flow indices; kLater until resolved
  std::vector<Later> later_;
  std::vector<LinkId> path_links_;
  std::vector<NodeId> hops_;
  std::vector<char> endpoint_ = std::vector<char>(topology_.node_count(), 0);
  uint32_t endpoints_ = 0;
};

}  // namespace

void FlowTrace::fail_flow(size_t f, const std::string& what, std::string_view member) const {
  if (!streamed_file.empty()) {
    throw ScenarioError(streamed_file,
                        fmt::format("/flows/{}{}{}", f, member.empty() ? "" : "/", member), what);
  }
  ROSHNI_ASSERT(flows_node.has_value(), "no flow trace to point into");
  const JsonNode n = (*flows_node)[f];
  if (!member.empty()) n.at(member, "").fail(what);
  n.fail(what);
}

void load_flow_trace(const JsonNode& w, const Document& doc, const topo::Topology& t,
                     size_t max_flows, net::FlowSet& flows, WorkloadInfo& info, FlowTrace& trace) {
  TraceReader(doc, t, max_flows, flows, info, trace).read(w);
}

}  // namespace roshni::scenario
