#include "scenario/goal.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"

// The GOAL text format as LogGOPSim's reader (txt2bin) accepts it: "num_ranks N", then
// blocks "rank R {" ... "}" of one statement a line:
//   [label:] send <bytes>b to <rank> [tag <t>] [cpu <c>] [nic <n>]
//   [label:] recv <bytes>b from <rank> [tag <t>] [cpu <c>] [nic <n>]
//   [label:] calc <nanoseconds> [cpu <c>]
//   a requires b        (a starts after b has ended)
//   a irequires b       (a starts after b has started)
// with // and /* */ comments. Labels are per rank. Read line by line; the mapping onto
// flows and tasks is described in docs/workloads.md.

namespace roshni::scenario {
namespace {

constexpr uint32_t kNone = ~uint32_t{0};
// A message's bytes are held in a double: whole numbers are exact up to 2^53.
constexpr uint64_t kMaxBytes = uint64_t{1} << 53;
// calc counts nanoseconds; simulated time is an int64 count of picoseconds.
constexpr uint64_t kMaxCalcNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / 1000;
// irequires is expanded into the dependencies of what it names (see start_sets): a cap on
// the total, so that long irequires chains cannot take memory quadratic in the file.
constexpr size_t kMaxExpandedDeps = size_t{1} << 24;

enum class OpKind : uint8_t { send, recv, calc };

struct Op {
  OpKind kind = OpKind::calc;
  uint32_t rank = 0;
  uint32_t line = 0;
  uint32_t peer = 0;         // send: the destination rank; recv: the source rank
  uint64_t tag = 0;
  uint64_t amount = 0;       // bytes (send, recv) or nanoseconds (calc)
  uint32_t entry = kNone;    // the flow or task it is part of
  uint32_t partner = kNone;  // send, recv: the op it matched
};

// "op requires on" (start: false) or "op irequires on" (start: true), written at `line`.
struct Edge {
  uint32_t op, on, line;
  bool start;
};

// A dependency as written, resolved when its rank's block closes (labels may be used
// before the line that defines them).
struct Written {
  std::string a, b;
  uint32_t line;
  bool start;
};

bool is_label(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// A whole number written in decimal digits only, or nothing.
std::optional<uint64_t> whole(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

class GoalReader {
 public:
  GoalReader(const Document& doc, const topo::Topology& t, size_t max_flows, net::FlowSet& flows,
             WorkloadInfo& info)
      : doc_(doc), topology_(t), max_flows_(max_flows), flows_(flows), info_(info) {}

  void read(const JsonNode& w) {
    w.expect_keys({"kind", "file", "ranks"});
    const JsonNode file = w.at("file", "the GOAL schedule's file name, like \"ring.goal\"");
    if (const auto r = w.get("ranks")) placement(*r);
    const std::string name = file.as_string();
    path_ = resolve_relative(doc_.base_dir_of(file.pointer()), name);
    const auto text = doc_.reader()(path_);
    if (!text) {
      file.fail(fmt::format(
          "cannot read the GOAL schedule {}{}{}", quote_text(path_),
          path_ == name ? "" : " (" + quote_text(name) + " relative to the scenario file)",
          why_unreadable(path_)));
    }
    const std::string_view all = *text;
    size_t at = 0;
    while (at < all.size()) {
      size_t end = all.find('\n', at);
      if (end == std::string_view::npos) end = all.size();
      std::string_view raw = all.substr(at, end - at);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      ++line_;
      statement(raw);
      at = end + 1;
    }
    ++line_;  // the end of the file, for messages that point past its last line
    if (in_comment_) fail(comment_line_, "a comment opened with '/*' is not closed by '*/'");
    if (num_ranks_ == 0) missing_num_ranks(1);
    if (rank_ != kNone) {
      fail(rank_line_[rank_],
           fmt::format("rank {} is not closed: '}}' is missing before the end of the file", rank_));
    }
    unmatched();
    build();
  }

 private:
  // ---- the rank placement ----

  void placement(const JsonNode& r) {
    const size_t n = r.size();
    if (n == 0) r.fail("'ranks' lists no node; give one GPU name per rank, like [\"gpu0\", \"gpu1\"]");
    std::vector<uint32_t> owner(topology_.node_count(), kNone);
    for (size_t i = 0; i < n; ++i) {
      const JsonNode e = r[i];
      const NodeId g = node_ref(e, topology_);
      if (topology_.node_kind(g) != topo::NodeKind::gpu) {
        e.fail(fmt::format("'{}' is a {}; a rank runs on a GPU", escape_text(topology_.node_name(g)),
                           topo::to_string(topology_.node_kind(g))));
      }
      if (owner[g.value()] != kNone) {
        e.fail(fmt::format("ranks {} and {} are both on '{}'; each rank needs a GPU of its own",
                           owner[g.value()], i, escape_text(topology_.node_name(g))));
      }
      owner[g.value()] = static_cast<uint32_t>(i);
      gpu_.push_back(g);
    }
    ranks_node_ = r;
  }

  // ---- statements ----

  [[noreturn]] void fail(uint32_t line, const std::string& what) const {
    throw ScenarioError(path_, fmt::format("line {}", line), what);
  }

  /// "rank R, 'label': " or "rank R: " for an op, to start a message with.
  std::string who(uint32_t rank, std::string_view label) const {
    return label.empty() ? fmt::format("rank {}: ", rank)
                         : fmt::format("rank {}, '{}': ", rank, escape_text(label));
  }

  [[noreturn]] void missing_num_ranks(uint32_t line) const {
    fail(line, "expected 'num_ranks N' first: a GOAL schedule opens with its number of ranks, "
               "like 'num_ranks 2'");
  }

  /// The line without comments, cut into words; ':', '{' and '}' are words of their own.
  void split(std::string_view raw) {
    words_.clear();
    size_t i = 0, start = std::string_view::npos;
    const auto flush = [&](size_t end) {
      if (start != std::string_view::npos) words_.push_back(raw.substr(start, end - start));
      start = std::string_view::npos;
    };
    while (i < raw.size()) {
      if (in_comment_) {
        const size_t end = raw.find("*/", i);
        if (end == std::string_view::npos) return;
        in_comment_ = false;
        i = end + 2;
        continue;
      }
      const char c = raw[i];
      if (c == '/' && i + 1 < raw.size() && (raw[i + 1] == '/' || raw[i + 1] == '*')) {
        flush(i);
        if (raw[i + 1] == '/') return;
        in_comment_ = true;
        comment_line_ = line_;
        i += 2;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r') {
        flush(i);
      } else if (c == ':' || c == '{' || c == '}') {
        flush(i);
        words_.push_back(raw.substr(i, 1));
      } else if (start == std::string_view::npos) {
        start = i;
      }
      ++i;
    }
    flush(raw.size());
  }

  void statement(std::string_view raw) {
    split(raw);
    if (words_.empty()) return;
    if (rank_ == kNone) {
      outside();
    } else if (words_.size() == 1 && words_[0] == "}") {
      close_rank();
    } else if (words_.size() >= 2 && (words_[1] == "requires" || words_[1] == "irequires")) {
      dependency();
    } else {
      operation();
    }
  }

  /// "num_ranks N" or "rank R {".
  void outside() {
    const auto& w = words_;
    if (w[0] == "num_ranks") {
      if (num_ranks_ != 0) fail(line_, fmt::format("num_ranks is given twice (first at line {})", num_ranks_line_));
      const auto n = w.size() == 2 ? whole(w[1]) : std::nullopt;
      if (!n || *n == 0) fail(line_, "expected 'num_ranks N' with N a whole number of at least 1");
      num_ranks(*n);
      return;
    }
    if (num_ranks_ == 0) missing_num_ranks(line_);
    if (w[0] != "rank") {
      fail(line_, fmt::format("unexpected '{}' outside a rank block: expected 'rank R {{'",
                              escape_text(w[0])));
    }
    const auto r = w.size() == 3 && w[2] == "{" ? whole(w[1]) : std::nullopt;
    if (!r) fail(line_, "expected 'rank R {' with R a whole number");
    if (*r >= num_ranks_) fail(line_, fmt::format("rank {} is not below num_ranks {}", *r, num_ranks_));
    rank_ = static_cast<uint32_t>(*r);
    if (rank_line_[rank_] != 0) {
      fail(line_, fmt::format("rank {} appears twice (first at line {}); write each rank's "
                              "operations in one block",
                              rank_, rank_line_[rank_]));
    }
    rank_line_[rank_] = line_;
  }

  void num_ranks(uint64_t n) {
    if (ranks_node_) {
      if (n != gpu_.size()) {
        ranks_node_->fail(fmt::format(
            "'ranks' lists {} node{} but the schedule {} says num_ranks is {}", gpu_.size(),
            gpu_.size() == 1 ? "" : "s", quote_text(path_), n));
      }
    } else {
      const auto& g = topology_.gpus();
      if (n > g.size()) {
        fail(line_, fmt::format("{} ranks but the topology has {} GPUs; rank r runs on the r-th "
                                "GPU (or on the GPU the workload's 'ranks' names for it)",
                                n, g.size()));
      }
      gpu_.assign(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(n));
    }
    num_ranks_ = static_cast<uint32_t>(n);
    num_ranks_line_ = line_;
    rank_line_.assign(num_ranks_, 0);
  }

  /// "a requires b" or "a irequires b", resolved when the block closes.
  void dependency() {
    const auto& w = words_;
    if (w.size() != 3 || !is_label(w[0]) || !is_label(w[2])) {
      fail(line_, fmt::format("{}expected 'a {} b' with a and b labels of this rank",
                              who(rank_, {}), w[1]));
    }
    written_.push_back({std::string(w[0]), std::string(w[2]), line_, w[1] == "irequires"});
  }

  /// [label:] send|recv|calc ...
  void operation() {
    const auto& w = words_;
    std::string_view label;
    size_t k = 0;
    if (w.size() >= 2 && w[1] == ":") {
      label = w[0];
      if (!is_label(label)) {
        fail(line_, fmt::format("{}'{}' is not a label: a label is a letter followed by letters, "
                                "digits or '_'",
                                who(rank_, {}), escape_text(label)));
      }
      k = 2;
      if (w.size() == 2) fail(line_, who(rank_, label) + "expected send, recv or calc after the label");
    }
    const std::string_view verb = w[k];
    Op op;
    op.rank = rank_;
    op.line = line_;
    if (verb == "send" || verb == "recv") {
      op.kind = verb == "send" ? OpKind::send : OpKind::recv;
      k = message(op, label, k + 1);
    } else if (verb == "calc") {
      op.kind = OpKind::calc;
      const auto ns = k + 1 < w.size() ? whole(w[k + 1]) : std::nullopt;
      if (!ns) {
        fail(line_, who(rank_, label) + "expected 'calc N' with N the compute time in whole "
                                        "nanoseconds");
      }
      if (*ns > kMaxCalcNs) {
        fail(line_, fmt::format("{}calc {} ns is more than Roshni's simulated time holds "
                                "({} ns)",
                                who(rank_, label), *ns, kMaxCalcNs));
      }
      op.amount = *ns;
      k += 2;
    } else if (k == 0 && verb == "rank") {
      fail(line_, fmt::format("rank {}'s block (line {}) is not closed: '}}' is missing before "
                              "the next rank",
                              rank_, rank_line_[rank_]));
    } else {
      fail(line_, fmt::format("{}unknown operation '{}' (a GOAL operation is send, recv or calc; "
                              "a dependency is 'a requires b' or 'a irequires b')",
                              who(rank_, label), escape_text(verb)));
    }
    options(op, label, k);
    add(op, label);
  }

  /// The rest of a send or recv from w[k]: size, to/from and the peer. Returns the index
  /// of the first word after them.
  size_t message(Op& op, std::string_view label, size_t k) {
    const auto& w = words_;
    const bool send = op.kind == OpKind::send;
    // "1024b", or "1024 b" (LogGOPSim's reader allows a space before the b).
    std::optional<uint64_t> bytes;
    std::string_view written = k < w.size() ? w[k] : std::string_view("");
    if (written.size() > 1 && written.back() == 'b') {
      bytes = whole(written.substr(0, written.size() - 1));
      ++k;
    } else if (k + 1 < w.size() && w[k + 1] == "b") {
      bytes = whole(written);
      k += 2;
    }
    if (!bytes) {
      fail(line_, fmt::format("{}bad size '{}': a message size is a whole number of bytes "
                              "followed by b, like 1024b",
                              who(rank_, label), escape_text(written)));
    }
    if (*bytes > kMaxBytes) {
      fail(line_, fmt::format("{}{} B is more than the 2^53 bytes a message can have here",
                              who(rank_, label), *bytes));
    }
    op.amount = *bytes;
    const std::string_view dir = send ? "to" : "from";
    if (k >= w.size() || w[k] != dir) {
      fail(line_, fmt::format("{}expected '{}' and a rank after the size", who(rank_, label), dir));
    }
    ++k;
    const std::string_view peer = k < w.size() ? w[k] : std::string_view("");
    if (peer == "-1") {
      fail(line_, who(rank_, label) +
                      "any-source (-1) receives are not supported: name the source rank, so "
                      "that the flow's endpoints are known before the run");
    }
    const auto p = whole(peer);
    if (!p) fail(line_, fmt::format("{}expected a rank after '{}'", who(rank_, label), dir));
    if (*p >= num_ranks_) {
      fail(line_, fmt::format("{}rank {} is not below num_ranks {}", who(rank_, label), *p,
                              num_ranks_));
    }
    if (*p == rank_) {
      fail(line_, fmt::format("{}a {} its own rank: a flow joins two different GPUs",
                              who(rank_, label), send ? "send to" : "recv from"));
    }
    op.peer = static_cast<uint32_t>(*p);
    return k + 1;
  }

  /// tag, cpu and nic after the operation, each at most once; cpu and nic are read and
  /// not used (docs/workloads.md).
  void options(Op& op, std::string_view label, size_t k) {
    const auto& w = words_;
    bool seen[3] = {false, false, false};
    static constexpr std::string_view kNames[3] = {"tag", "cpu", "nic"};
    while (k < w.size()) {
      const auto it = std::find(std::begin(kNames), std::end(kNames), w[k]);
      const auto i = static_cast<size_t>(it - std::begin(kNames));
      if (it == std::end(kNames) || (i == 0 && op.kind == OpKind::calc)) {
        fail(line_, fmt::format("{}unexpected '{}' (after the operation come {})",
                                who(rank_, label), escape_text(w[k]),
                                op.kind == OpKind::calc ? "'cpu N' or 'nic N'"
                                                        : "'tag T', 'cpu N' or 'nic N'"));
      }
      if (seen[i]) fail(line_, fmt::format("{}'{}' is given twice", who(rank_, label), kNames[i]));
      seen[i] = true;
      const std::string_view v = k + 1 < w.size() ? w[k + 1] : std::string_view("");
      if (i == 0 && v == "-1") {
        fail(line_, who(rank_, label) +
                        "any-tag (-1) is not supported: give the tag, so that sends and "
                        "receives pair before the run");
      }
      const auto n = whole(v);
      if (!n) fail(line_, fmt::format("{}expected a whole number after '{}'", who(rank_, label), kNames[i]));
      if (i == 0) op.tag = *n;
      k += 2;
    }
  }

  void add(Op& op, std::string_view label) {
    const auto index = static_cast<uint32_t>(ops_.size());
    if (!label.empty()) {
      const auto [it, fresh] = labels_.emplace(std::string(label), index);
      if (!fresh) {
        fail(line_, fmt::format("{}duplicate label '{}' (first at line {})", who(rank_, label),
                                escape_text(label), ops_[it->second].line));
      }
    }
    if (op.kind != OpKind::recv) {
      if (entries_ >= max_flows_ || entries_ + 1 >= FlowId::kInvalid) {
        fail(line_, fmt::format("{}at least {} flows and tasks (sends and calcs), more than the "
                                "limit of {}",
                                who(rank_, label), entries_ + 1, max_flows_));
      }
      op.entry = static_cast<uint32_t>(entries_++);
      entry_op_.push_back(index);
    }
    ops_.push_back(op);
    labels_of_.emplace_back(label);
    if (op.kind != OpKind::calc) match(index);
  }

  /// Pairs a send or recv with the oldest unmatched op of the other kind on the same
  /// (source, destination, tag): MPI's order of matching for one sender and tag.
  void match(uint32_t index) {
    Op& op = ops_[index];
    const bool send = op.kind == OpKind::send;
    const Key key{send ? op.rank : op.peer, send ? op.peer : op.rank, op.tag};
    Waiting& q = waiting_[key];
    auto& other = send ? q.recvs : q.sends;
    size_t& head = send ? q.recv_head : q.send_head;
    if (head == other.size()) {
      (send ? q.sends : q.recvs).push_back(index);
      return;
    }
    const uint32_t peer = other[head++];
    const uint32_t s = send ? index : peer, r = send ? peer : index;
    // At most one kind waits at a time: with the other drained too, the key goes.
    if (head == other.size()) waiting_.erase(key);
    Op& so = ops_[s];
    Op& ro = ops_[r];
    so.partner = r;
    ro.partner = s;
    ro.entry = so.entry;
    if (ro.amount < so.amount) {
      fail(ro.line, fmt::format("{}recv of {} B is smaller than its matching send of {} B (rank {}, "
                                "line {}): the message would be truncated",
                                who(ro.rank, labels_of_[r]), ro.amount, so.amount, so.rank,
                                so.line));
    }
  }

  /// "}": the block's dependencies are resolved against its labels.
  void close_rank() {
    for (const Written& d : written_) {
      const uint32_t a = resolve(d.a, d.a, d.line);
      const uint32_t b = resolve(d.b, d.a, d.line);
      edges_.push_back({a, b, d.line, d.start});
    }
    written_.clear();
    labels_.clear();
    rank_ = kNone;
  }

  uint32_t resolve(const std::string& name, const std::string& subject, uint32_t line) const {
    const auto it = labels_.find(name);
    if (it != labels_.end()) return it->second;
    std::vector<std::string> known;
    for (size_t i = ops_.size(); i-- > 0 && ops_[i].rank == rank_ && known.size() < 4096;) {
      if (!labels_of_[i].empty()) known.push_back(labels_of_[i]);
    }
    std::reverse(known.begin(), known.end());  // file order
    fail(line, fmt::format("{}unknown label '{}' in rank {}{}",
                           who(rank_, name == subject ? "" : subject), escape_text(name), rank_,
                           suggest(name, known)));
  }

  /// A send or recv still unmatched at the end, the first in the file: both ends named.
  void unmatched() const {
    for (uint32_t i = 0; i < ops_.size(); ++i) {
      const Op& op = ops_[i];
      if (op.kind == OpKind::calc || op.partner != kNone) continue;
      const bool send = op.kind == OpKind::send;
      fail(op.line,
           fmt::format("{}{} of {} B {} rank {} tag {} has no matching {} in rank {} (no "
                       "'{} {}b {} {} tag {}' left there to pair with)",
                       who(op.rank, labels_of_[i]), send ? "send" : "recv", op.amount,
                       send ? "to" : "from", op.peer, op.tag, send ? "recv" : "send", op.peer,
                       send ? "recv" : "send", op.amount, send ? "from" : "to", op.rank, op.tag));
    }
  }

  // ---- the flows and tasks ----

  /// For each op, the entries whose end its own start waits for: "requires y" gives y's
  /// entry, "irequires y" gives what y's start waits for (an entry starts exactly when
  /// those have ended), expanded through y's own irequires.
  void start_sets() {
    const size_t n = ops_.size();
    std::stable_sort(edges_.begin(), edges_.end(),
                     [](const Edge& a, const Edge& b) { return a.op < b.op; });
    edge_begin_.assign(n + 1, 0);
    for (const Edge& e : edges_) ++edge_begin_[e.op + 1];
    for (size_t i = 0; i < n; ++i) edge_begin_[i + 1] += edge_begin_[i];
    start_.assign(n, {});
    std::vector<uint8_t> state(n, 0);  // 0 not seen, 1 on the stack, 2 done
    struct Frame {
      uint32_t op, next;
    };
    std::vector<Frame> stack;
    size_t total = 0;
    for (uint32_t root = 0; root < n; ++root) {
      if (state[root] != 0) continue;
      stack.push_back({root, edge_begin_[root]});
      state[root] = 1;
      while (!stack.empty()) {
        const uint32_t x = stack.back().op;
        if (stack.back().next < edge_begin_[x + 1]) {
          const Edge& e = edges_[stack.back().next++];
          if (!e.start) continue;
          if (state[e.on] == 1) {
            fail(e.line, fmt::format("{}'{} irequires {}' closes a cycle of irequires (each waits "
                                     "for the next to start): none can ever start",
                                     who(ops_[x].rank, labels_of_[x]), escape_text(name_of(x)),
                                     escape_text(name_of(e.on))));
          }
          if (state[e.on] == 0) {
            state[e.on] = 1;
            stack.push_back({e.on, edge_begin_[e.on]});
          }
          continue;
        }
        std::vector<uint32_t> s;
        for (uint32_t k = edge_begin_[x]; k < edge_begin_[x + 1]; ++k) {
          const Edge& e = edges_[k];
          if (e.start) {
            s.insert(s.end(), start_[e.on].begin(), start_[e.on].end());
          } else {
            s.push_back(ops_[e.on].entry);
          }
        }
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        total += s.size();
        if (total > kMaxExpandedDeps) {
          fail(ops_[x].line, fmt::format("{}the dependencies, with each irequires expanded into "
                                         "what it names waits for, pass {} in all; shorten the "
                                         "chains of irequires",
                                         who(ops_[x].rank, labels_of_[x]), kMaxExpandedDeps));
        }
        start_[x] = std::move(s);
        state[x] = 2;
        stack.pop_back();
      }
    }
  }

  /// "l1", or "line 12" for an op without a label.
  std::string name_of(uint32_t op) const {
    return labels_of_[op].empty() ? fmt::format("line{}", ops_[op].line) : labels_of_[op];
  }

  void build() {
    start_sets();
    const size_t base = flows_.size();
    ROSHNI_ASSERT(base == 0, "a GOAL schedule is the only workload");
    flows_.reserve(entries_, edges_.size());
    std::vector<FlowId> deps;
    for (uint32_t e = 0; e < entries_; ++e) {
      const uint32_t i = entry_op_[e];
      const Op& op = ops_[i];
      deps.clear();
      for (const uint32_t d : start_[i]) deps.push_back(FlowId(d));
      const std::string mine = fmt::format("r{}:{}", op.rank, name_of(i));
      if (op.kind == OpKind::calc) {
        flows_.add_task(mine, gpu_[op.rank], SimTime::ps(static_cast<int64_t>(op.amount) * 1000),
                        deps);
        continue;
      }
      for (const uint32_t d : start_[op.partner]) deps.push_back(FlowId(d));
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
      flows_.add(fmt::format("{}>r{}:{}", mine, op.peer, name_of(op.partner)), gpu_[op.rank],
                 gpu_[op.peer], bytes(static_cast<double>(op.amount)), deps);
    }
    const std::vector<FlowId> cycle = net::find_dependency_cycle(flows_);
    if (!cycle.empty()) {
      std::string path;
      constexpr size_t kShown = 8;
      for (size_t k = 0; k < cycle.size(); ++k) {
        if (cycle.size() > kShown + 2 && k == kShown / 2) {
          path += fmt::format("... ({} more) -> ", cycle.size() - kShown);
          k = cycle.size() - kShown / 2;
        }
        path += "'" + escape_text(flows_.label(cycle[k])) + "' -> ";
      }
      path += "'" + escape_text(flows_.label(cycle.front())) + "'";
      const uint32_t i = entry_op_[cycle.front().value()];
      fail(ops_[i].line, fmt::format("{}dependency cycle: {} (each waits for the next); none can "
                                     "ever start",
                                     who(ops_[i].rank, labels_of_[i]), path));
    }
    info_.ranks = num_ranks_;
    info_.size = flows_.total_size();
  }

  struct Key {
    uint32_t src, dst;
    uint64_t tag;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = (uint64_t{k.src} << 32 | k.dst) * 0x9E3779B97F4A7C15ull;
      return static_cast<size_t>(h ^ (k.tag + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2)));
    }
  };
  // The unmatched sends and recvs of one key, oldest first from *_head.
  struct Waiting {
    std::vector<uint32_t> sends, recvs;
    size_t send_head = 0, recv_head = 0;
  };

  const Document& doc_;
  const topo::Topology& topology_;
  size_t max_flows_;
  net::FlowSet& flows_;
  WorkloadInfo& info_;
  std::string path_;
  std::optional<JsonNode> ranks_node_;
  std::vector<NodeId> gpu_;  // rank -> GPU

  uint32_t line_ = 0;
  bool in_comment_ = false;
  uint32_t comment_line_ = 0;
  std::vector<std::string_view> words_;
  uint32_t num_ranks_ = 0, num_ranks_line_ = 0;
  std::vector<uint32_t> rank_line_;  // where each rank's block opened, 0 if not yet
  uint32_t rank_ = kNone;            // the rank whose block is open

  std::vector<Op> ops_;
  std::vector<std::string> labels_of_;                 // per op, "" when it has none
  std::unordered_map<std::string, uint32_t> labels_;   // the open block's labels (never iterated)
  std::vector<Written> written_;                       // the open block's dependencies
  std::vector<Edge> edges_;
  std::unordered_map<Key, Waiting, KeyHash> waiting_;  // never iterated
  size_t entries_ = 0;
  std::vector<uint32_t> entry_op_;  // entry -> its calc or send
  std::vector<uint32_t> edge_begin_;
  std::vector<std::vector<uint32_t>> start_;
};

}  // namespace

void load_goal(const JsonNode& w, const Document& doc, const topo::Topology& t, size_t max_flows,
               net::FlowSet& flows, WorkloadInfo& info) {
  GoalReader(doc, t, max_flows, flows, info).read(w);
}

}  // namespace roshni::scenario
