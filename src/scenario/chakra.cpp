#include "scenario/chakra.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "et_def.pb.h"
#include "roshni/coll/collective.h"
#include "roshni/coll/registry.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"

// An ET file, as Chakra's tools write and read it: a sequence of messages, each preceded
// by its byte length as a varint; the first is a GlobalMetadata, every later one a Node.
// Files are read one message at a time; a node keeps only what the mapping needs
// (docs/workloads.md, "Chakra").

namespace roshni::scenario {
namespace {

namespace pb = ::roshni_chakra;
using google::protobuf::io::CodedInputStream;

constexpr uint32_t kNone = ~uint32_t{0};
// One message of an ET file is at most this long: a node is small, and a length read
// from a damaged file must not become an allocation of gigabytes.
constexpr uint32_t kMaxMessageBytes = uint32_t{64} << 20;
// A message's bytes are held in a double: whole numbers are exact up to 2^53.
constexpr uint64_t kMaxBytes = uint64_t{1} << 53;
constexpr int64_t kMaxPs = std::numeric_limits<int64_t>::max() / 4;

enum class Kind : uint8_t { task, send, recv, coll };

struct Node {
  uint64_t id = 0;
  uint32_t rank = 0;
  uint32_t message = 0;  // 1-based among the file's nodes
  Kind kind = Kind::task;
  uint8_t type = 0;
  int32_t comm_type = -1;
  int64_t duration_ps = 0;
  int64_t extra_latency_ps = 0;
  int64_t earliest_ps = 0;
  uint64_t size = 0;      // comm_size
  uint32_t peer = kNone;  // send: comm_dst, recv: comm_src
  uint64_t tag = 0;
  uint32_t pg = kNone;    // process group index (coll)
  uint32_t dep_begin = 0, data_end = 0, dep_end = 0;  // data deps, then ctrl deps
  uint32_t remote_begin = 0, remote_end = 0;          // "roshni_remote_deps"
  uint32_t unit = kNone;
};

// A unit is what becomes entries of the FlowSet: one node (task), a matched send and
// recv (one flow), or one collective's nodes on every rank of its group.
struct Unit {
  Kind kind = Kind::task;
  uint32_t first = 0;   // its first node (the send of a pair, the lowest rank of a coll)
  uint32_t second = kNone;  // the recv of a pair
  uint32_t pg = kNone;
  uint64_t seq = 0;     // coll: its number among the group's collectives
  std::vector<uint32_t> members;  // coll: the node of each rank of the group, group order
};

std::string type_name(int t) {
  if (pb::NodeType_IsValid(t)) return pb::NodeType_Name(static_cast<pb::NodeType>(t));
  return fmt::format("{}", t);
}

std::string comm_name(int t) {
  if (pb::CollectiveCommType_IsValid(t))
    return pb::CollectiveCommType_Name(static_cast<pb::CollectiveCommType>(t));
  return fmt::format("{}", t);
}

/// An attribute's whole-number value, whichever integer field holds it.
std::optional<int64_t> integer(const pb::AttributeProto& a) {
  switch (a.value_case()) {
    case pb::AttributeProto::kInt32Val: return a.int32_val();
    case pb::AttributeProto::kInt64Val: return a.int64_val();
    case pb::AttributeProto::kUint32Val: return a.uint32_val();
    case pb::AttributeProto::kUint64Val:
      if (a.uint64_val() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(a.uint64_val());
    case pb::AttributeProto::kSint32Val: return a.sint32_val();
    case pb::AttributeProto::kSint64Val: return a.sint64_val();
    case pb::AttributeProto::kFixed32Val: return a.fixed32_val();
    case pb::AttributeProto::kFixed64Val:
      if (a.fixed64_val() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(a.fixed64_val());
    case pb::AttributeProto::kSfixed32Val: return a.sfixed32_val();
    case pb::AttributeProto::kSfixed64Val: return a.sfixed64_val();
    default: return std::nullopt;
  }
}

/// An attribute's list of whole numbers (any integer list field), or nullopt.
std::optional<std::vector<int64_t>> integers(const pb::AttributeProto& a) {
  std::vector<int64_t> v;
  switch (a.value_case()) {
    case pb::AttributeProto::kInt32List: v.assign(a.int32_list().values().begin(), a.int32_list().values().end()); break;
    case pb::AttributeProto::kInt64List: v.assign(a.int64_list().values().begin(), a.int64_list().values().end()); break;
    case pb::AttributeProto::kUint32List: v.assign(a.uint32_list().values().begin(), a.uint32_list().values().end()); break;
    case pb::AttributeProto::kUint64List:
      for (const uint64_t x : a.uint64_list().values()) {
        if (x > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
        v.push_back(static_cast<int64_t>(x));
      }
      break;
    case pb::AttributeProto::kSint32List: v.assign(a.sint32_list().values().begin(), a.sint32_list().values().end()); break;
    case pb::AttributeProto::kSint64List: v.assign(a.sint64_list().values().begin(), a.sint64_list().values().end()); break;
    default: return std::nullopt;
  }
  return v;
}

class ChakraReader {
 public:
  ChakraReader(const Document& doc, const topo::Topology& t, size_t max_flows, net::FlowSet& flows,
               WorkloadInfo& info)
      : doc_(doc), topology_(t), max_flows_(max_flows), flows_(flows), info_(info) {}

  void read(const JsonNode& w) {
    w.expect_keys({"kind", "prefix", "ranks", "placement", "groups", "ctrl_deps", "algorithms",
                   "roofline", "data_parallel"});
    const JsonNode prefix = w.at("prefix", "the traces' common start, like \"traces/llama.\" for "
                                           "traces/llama.0.et, traces/llama.1.et, ...");
    const JsonNode ranks = w.at("ranks", "the number of ranks (trace files), like 8");
    recorded_ = ranks_ = static_cast<uint32_t>(ranks.as_int(1, 1 << 20));
    if (const auto dp = w.get("data_parallel")) rescale(*dp);
    options(w);
    placement(w);
    const std::string written = prefix.as_string();
    const std::string base = resolve_relative(doc_.base_dir_of(prefix.pointer()), written);
    for (uint32_t r = 0; r < ranks_; ++r) read_file(prefix, written, base, r);
    // A file for a rank past the count is a count that does not match the traces.
    const std::string next = base + std::to_string(recorded_) + ".et";
    if (std::filesystem::is_regular_file(next) || (!std::filesystem::exists(next) && doc_.reader()(next))) {
      ranks.fail(fmt::format("'ranks' is {} but there is also a trace {} for rank {}: give the "
                             "number of trace files",
                             recorded_, quote_text(next), recorded_));
    }
    resolve();
    units();
    build();
  }

 private:
  // ---- options ----

  void options(const JsonNode& w) {
    if (const auto c = w.get("ctrl_deps")) {
      const std::string v = choice(*c, {"use", "ignore"}, "ctrl_deps handling");
      use_ctrl_ = v == "use";
    }
    if (const auto a = w.get("algorithms")) {
      a->expect_keys({"all_reduce", "all_gather", "reduce_scatter", "broadcast", "reduce",
                      "all_to_all"});
      for (const coll::CollectiveKind k : coll::kCollectiveKinds) {
        const auto n = a->get(coll::to_string(k));
        if (!n) continue;
        const std::string name = choice(*n, coll::algorithm_names(k), "algorithm");
        algorithm_[static_cast<size_t>(k)] = coll::find_collective_algorithm(k, name);
      }
    }
    if (const auto r = w.get("roofline")) {
      r->expect_keys({"flops", "memory"});
      peak_flops_ = r->at("flops", "the accelerator's peak, like \"989 TFLOP/s\"").as_flop_rate().si();
      if (const auto m = r->get("memory")) memory_bw_ = m->as_data_rate().si();
    }
    if (const auto g = w.get("groups")) {
      if (!g->is_object()) g->fail("'groups' is an object of process group names to rank lists, like {\"dp0\": [0, 2]}");
      for (const auto& [name, value] : g->raw().items()) {
        const JsonNode list = g->at(name, "");
        if (!value.is_array() || value.empty()) list.fail("a process group is a non-empty list of ranks");
        std::vector<uint32_t> members;
        std::vector<bool> seen(recorded_, false);
        for (size_t i = 0; i < list.size(); ++i) {
          const auto r = static_cast<uint32_t>(list[i].as_int(0, static_cast<int64_t>(recorded_) - 1));
          if (seen[r]) list[i].fail(fmt::format("rank {} is listed twice", r));
          seen[r] = true;
          members.push_back(r);
        }
        json_groups_[name] = std::move(members);
      }
    }
  }

  void placement(const JsonNode& w) {
    const auto p = w.get("placement");
    if (!p) {
      const auto& g = topology_.gpus();
      if (ranks_ > g.size()) {
        w.at("ranks", "").fail(fmt::format("{} ranks but the topology has {} GPUs; rank r runs on "
                                           "the r-th GPU (or on the GPU 'placement' names for it)",
                                           ranks_, g.size()));
      }
      gpu_.assign(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(ranks_));
      return;
    }
    if (p->size() != ranks_) {
      p->fail(fmt::format("'placement' lists {} GPUs for {} ranks; give one GPU per rank",
                          p->size(), ranks_));
    }
    std::vector<uint32_t> owner(topology_.node_count(), kNone);
    for (size_t i = 0; i < p->size(); ++i) {
      const JsonNode e = (*p)[i];
      NodeId g;
      if (e.raw().is_number_integer()) {
        const auto& gpus = topology_.gpus();
        g = gpus[static_cast<size_t>(e.as_int(0, static_cast<int64_t>(gpus.size()) - 1))];
      } else {
        g = node_ref(e, topology_);
      }
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
  }

  // ---- data-parallel rescaling ----

  /// "data_parallel": {"from": d0, "to": d1}: the traces hold d0 replicas of m = ranks / d0
  /// consecutive ranks; d1 replicas are run, replica k replaying recorded replica k mod d0
  /// (docs/workloads.md, "Rescaling").
  void rescale(const JsonNode& dp) {
    dp.expect_keys({"from", "to"});
    const auto from = static_cast<uint32_t>(dp.at("from", "the traces' data-parallel degree").as_int(1, 1 << 20));
    const auto to = static_cast<uint32_t>(dp.at("to", "the data-parallel degree to run").as_int(1, 1 << 20));
    if (recorded_ % from != 0) {
      dp.at("from", "").fail(fmt::format("{} ranks do not split into {} data-parallel replicas", recorded_, from));
    }
    replica_ = recorded_ / from;
    dp_from_ = from;
    dp_to_ = to;
    if (static_cast<uint64_t>(to) * replica_ > (uint64_t{1} << 20)) dp.at("to", "").fail("too many ranks");
    ranks_ = to * replica_;
  }

  uint32_t source_rank(uint32_t r) const {
    if (dp_to_ == 0) return r;
    return (r / replica_) % dp_from_ * replica_ + r % replica_;
  }

  /// A recorded rank named by node n (a peer, a dependency's rank) as a rank of the run:
  /// the same place in n's own replica. Naming another replica is refused.
  uint32_t moved(const Node& n, uint32_t recorded, const char* what) const {
    if (dp_to_ == 0) return recorded;
    const uint32_t source = source_rank(n.rank);
    if (recorded / replica_ != source / replica_) {
      fail(n, fmt::format("{} between data-parallel replicas (recorded ranks {} and {}, replicas "
                          "of {} ranks) cannot be rescaled: only collectives of data-parallel "
                          "groups cross replicas",
                          what, source, recorded, replica_));
    }
    return n.rank / replica_ * replica_ + recorded % replica_;
  }

  /// The group a collective of n's runs on: a group within one replica is copied into n's
  /// replica ("name@k"); a data-parallel group (one rank per replica, at one place in it)
  /// grows or shrinks to every replica of the run; all ranks stay all ranks.
  uint32_t rescaled_group(const Node& n) {
    const std::string name = group_names_[n.pg];
    const std::vector<uint32_t>* m = nullptr;
    if (const auto it = json_groups_.find(name); it != json_groups_.end()) {
      m = &it->second;
    } else if (const auto it2 = trace_groups_.find(name); it2 != trace_groups_.end()) {
      m = &it2->second;
    }
    if (!m) return n.pg;  // all ranks, of the run
    const uint32_t k = n.rank / replica_;
    const uint32_t q = (*m)[0] / replica_;
    if (std::all_of(m->begin(), m->end(), [&](uint32_t x) { return x / replica_ == q; })) {
      const std::string copy = fmt::format("{}@{}", name, k);
      if (!rescaled_.count(copy)) {
        std::vector<uint32_t> members;
        for (const uint32_t x : *m) members.push_back(k * replica_ + x % replica_);
        rescaled_[copy] = std::move(members);
      }
      return group_index(copy);
    }
    std::vector<uint32_t> sorted(*m);
    std::sort(sorted.begin(), sorted.end());
    bool dp = sorted.size() == dp_from_;
    for (uint32_t j = 0; dp && j < sorted.size(); ++j) dp = sorted[j] == sorted[0] + j * replica_;
    if (!dp) {
      fail(n, fmt::format("process group {} spans data-parallel replicas but is not a "
                          "data-parallel group (one rank per replica, at one place in it), so "
                          "it cannot be rescaled",
                          quote_text(name)));
    }
    if (!rescaled_.count(name)) {
      std::vector<uint32_t> members;
      for (uint32_t j = 0; j < dp_to_; ++j) members.push_back(j * replica_ + sorted[0] % replica_);
      rescaled_[name] = std::move(members);
    }
    return n.pg;
  }

  // ---- reading ----

  [[noreturn]] void fail_at(uint32_t rank, const std::string& where, const std::string& what) const {
    throw ScenarioError(path_of(rank), where, fmt::format("rank {}: {}", rank, what));
  }
  [[noreturn]] void fail(const Node& n, const std::string& what) const {
    fail_at(n.rank, fmt::format("node {}", n.id), what);
  }

  const std::string& path_of(uint32_t rank) const { return paths_[rank]; }

  void read_file(const JsonNode& prefix, const std::string& written, const std::string& base,
                 uint32_t r) {
    const uint32_t source = source_rank(r);
    const std::string path = base + std::to_string(source) + ".et";
    paths_.push_back(path);
    // Files on disk are streamed; a scenario read through another reader (tests, the
    // fuzzer) gives the file's bytes whole.
    std::ifstream file;
    std::optional<std::string> text;
    std::unique_ptr<google::protobuf::io::ZeroCopyInputStream> stream;
    if (why_unreadable(path).empty()) {
      file.open(path, std::ios::binary);
    }
    if (file.is_open()) {
      stream = std::make_unique<google::protobuf::io::IstreamInputStream>(&file);
    } else {
      text = std::filesystem::exists(path) ? std::nullopt : doc_.reader()(path);
      if (!text) {
        const std::string name = written + std::to_string(source) + ".et";
        prefix.fail(fmt::format("cannot read rank {}'s trace {}{}{}", source, quote_text(path),
                                path == name ? "" : " (" + quote_text(name) + " relative to the scenario file)",
                                why_unreadable(path)));
      }
      stream = std::make_unique<google::protobuf::io::ArrayInputStream>(
          text->data(), static_cast<int>(std::min<size_t>(text->size(), std::numeric_limits<int>::max())));
    }
    std::string buffer;
    uint32_t message = 0;
    for (;;) {
      CodedInputStream in(stream.get());
      const std::string where = message == 0 ? "metadata" : fmt::format("message {}", message);
      uint8_t byte = 0;
      if (!in.ReadRaw(&byte, 1)) {
        if (message == 0) fail_at(r, "metadata", "the file is empty: an ET file starts with its GlobalMetadata message");
        break;
      }
      uint64_t length = byte & 0x7f;
      for (int shift = 7; byte & 0x80; shift += 7) {
        if (shift > 28) fail_at(r, where, "malformed message length (a varint longer than 5 bytes)");
        if (!in.ReadRaw(&byte, 1)) fail_at(r, where, "the file ends inside a message's length");
        length |= uint64_t{byte & 0x7fu} << shift;
      }
      if (length > kMaxMessageBytes) {
        fail_at(r, where, fmt::format("a message of {} bytes is announced, more than the {} MiB "
                                      "a node may have (a damaged file?)",
                                      length, kMaxMessageBytes >> 20));
      }
      if (!in.ReadString(&buffer, static_cast<int>(length))) {
        fail_at(r, where, fmt::format("the file ends inside a message: {} bytes announced, "
                                      "fewer left (a truncated trace?)",
                                      length));
      }
      if (message == 0) {
        metadata(r, buffer);
      } else {
        node(r, message, buffer);
      }
      ++message;
    }
  }

  void metadata(uint32_t r, const std::string& bytes) {
    pb::GlobalMetadata m;
    if (!m.ParseFromString(bytes)) {
      fail_at(r, "metadata", "malformed GlobalMetadata message (not a Chakra ET file?)");
    }
    // Chakra's schema 0.0.x and 1.0.x have these messages; traces converted from PyTorch
    // leave the version unset.
    const std::string& v = m.version();
    if (!v.empty() && !v.starts_with("0.0.") && !v.starts_with("1.0.") && v != "0.0" && v != "1.0") {
      fail_at(r, "metadata", fmt::format("Chakra schema version {} is not one this reader knows "
                                         "(0.0.x and 1.0.x, or unset)",
                                         quote_text(v)));
    }
    for (const auto& a : m.attr()) {
      constexpr std::string_view kGroup = "pg_ranks:";
      if (!std::string_view(a.name()).starts_with(kGroup)) continue;
      const std::string name = a.name().substr(kGroup.size());
      const auto list = integers(a);
      if (!list || list->empty()) {
        fail_at(r, "metadata", fmt::format("attribute {} is not a non-empty list of ranks",
                                           quote_text(a.name())));
      }
      std::vector<uint32_t> members;
      std::vector<bool> seen(recorded_, false);
      for (const int64_t x : *list) {
        if (x < 0 || x >= recorded_ || seen[static_cast<size_t>(x)]) {
          fail_at(r, "metadata", fmt::format("process group {}: rank {} is {}", quote_text(name), x,
                                             x < 0 || x >= recorded_ ? fmt::format("not below 'ranks' {}", recorded_)
                                                                  : std::string("listed twice")));
        }
        seen[static_cast<size_t>(x)] = true;
        members.push_back(static_cast<uint32_t>(x));
      }
      const auto [it, fresh] = trace_groups_.emplace(name, members);
      if (!fresh && it->second != members) {
        fail_at(r, "metadata", fmt::format("process group {} has other ranks than in an earlier "
                                           "file's metadata",
                                           quote_text(name)));
      }
    }
  }

  void node(uint32_t r, uint32_t message, const std::string& bytes) {
    if (!scratch_.ParseFromString(bytes)) {
      fail_at(r, fmt::format("message {}", message), "malformed Node message");
    }
    const pb::Node& p = scratch_;
    if (nodes_.size() >= max_flows_ * 4 + 16 || nodes_.size() >= kNone - 1) {
      fail_at(r, fmt::format("node {}", p.id()),
              fmt::format("more than {} nodes in the traces, more than this scenario's limit of "
                          "{} flows allows",
                          nodes_.size(), max_flows_));
    }
    Node n;
    n.id = p.id();
    n.rank = r;
    n.message = message;
    n.type = static_cast<uint8_t>(std::clamp(static_cast<int>(p.type()), 0, 255));
    switch (p.type()) {
      case pb::COMP_NODE:
      case pb::MEM_LOAD_NODE:
      case pb::MEM_STORE_NODE:
      case pb::METADATA_NODE: n.kind = Kind::task; break;
      case pb::COMM_SEND_NODE: n.kind = Kind::send; break;
      case pb::COMM_RECV_NODE: n.kind = Kind::recv; break;
      case pb::COMM_COLL_NODE: n.kind = Kind::coll; break;
      default:
        fail(n, fmt::format("unknown node type {} (this reader maps COMP, COMM_COLL, COMM_SEND, "
                            "COMM_RECV, MEM_LOAD, MEM_STORE and METADATA nodes)",
                            type_name(p.type())));
    }
    if (p.duration_micros() > static_cast<uint64_t>(kMaxPs / 1000000)) {
      fail(n, fmt::format("duration_micros {} is more than Roshni's simulated time holds",
                          p.duration_micros()));
    }
    n.duration_ps = static_cast<int64_t>(p.duration_micros()) * 1000000;
    bool cpu = false;
    const auto remote_begin = static_cast<uint32_t>(remote_.size());
    std::optional<int64_t> num_ops, tensor_size, src, dst;
    std::optional<uint32_t> pg;
    for (const auto& a : p.attr()) {
      const std::string& k = a.name();
      const auto whole = [&](int64_t lo, int64_t hi) {
        const auto v = integer(a);
        if (!v || *v < lo || *v > hi) {
          fail(n, fmt::format("attribute {} must be a whole number from {} to {}", quote_text(k), lo, hi));
        }
        return *v;
      };
      if (k == "is_cpu_op") {
        cpu = a.value_case() == pb::AttributeProto::kBoolVal && a.bool_val();
      } else if (k == "comm_type") {
        n.comm_type = static_cast<int32_t>(whole(0, 1 << 20));
      } else if (k == "comm_size") {
        n.size = static_cast<uint64_t>(whole(0, static_cast<int64_t>(kMaxBytes)));
      } else if (k == "comm_src") {
        src = whole(0, static_cast<int64_t>(recorded_) - 1);
      } else if (k == "comm_dst") {
        dst = whole(0, static_cast<int64_t>(recorded_) - 1);
      } else if (k == "comm_tag") {
        n.tag = static_cast<uint64_t>(whole(std::numeric_limits<int32_t>::min(), std::numeric_limits<int64_t>::max()));
      } else if (k == "pg_name") {
        if (a.value_case() != pb::AttributeProto::kStringVal) {
          fail(n, "attribute \"pg_name\" must be a string");
        }
        pg = group_index(a.string_val());
      } else if (k == "num_ops") {
        num_ops = whole(0, std::numeric_limits<int64_t>::max());
      } else if (k == "tensor_size") {
        tensor_size = whole(0, std::numeric_limits<int64_t>::max());
      } else if (k == "duration_ps") {  // Roshni's own (write_chakra): the exact duration
        n.duration_ps = whole(0, kMaxPs);
      } else if (k == "extra_latency_ps") {
        n.extra_latency_ps = whole(0, kMaxPs);
      } else if (k == "earliest_start_ps") {
        n.earliest_ps = whole(0, kMaxPs);
      } else if (k == "roshni_remote_deps") {
        // Roshni's own (write_chakra): waits on other ranks' nodes, as (rank, id) pairs.
        const auto list = integers(a);
        if (!list || list->size() % 2 != 0) {
          fail(n, "attribute \"roshni_remote_deps\" must be a list of (rank, node id) pairs");
        }
        for (size_t k2 = 0; k2 < list->size(); k2 += 2) {
          const int64_t rr = (*list)[k2], id = (*list)[k2 + 1];
          if (rr < 0 || rr >= recorded_ || id < 0) {
            fail(n, fmt::format("roshni_remote_deps names rank {} node {}, not a rank below {} and "
                                "a node id", rr, id, recorded_));
          }
          remote_.emplace_back(moved(n, static_cast<uint32_t>(rr), "a dependency"), static_cast<uint64_t>(id));
        }
      }
    }
    if (n.kind == Kind::task && peak_flops_ > 0 && (num_ops || tensor_size)) {
      // Roofline: the longer of the FLOPs at the peak and the bytes at the memory's rate.
      double s = num_ops ? static_cast<double>(*num_ops) / peak_flops_ : 0.0;
      if (tensor_size && memory_bw_ > 0) s = std::max(s, static_cast<double>(*tensor_size) / memory_bw_);
      const double ps = std::round(s * 1e12);
      if (!(ps <= static_cast<double>(kMaxPs))) fail(n, "the roofline time is more than Roshni's simulated time holds");
      n.duration_ps = static_cast<int64_t>(ps);
    }
    if (n.kind == Kind::coll && cpu) {
      // The host side of a collective's launch (PyTorch's record_param_comms): its
      // recorded time on the rank, no traffic.
      n.kind = Kind::task;
    }
    if (n.kind == Kind::send || n.kind == Kind::recv) {
      const bool send = n.kind == Kind::send;
      const auto peer = send ? dst : src;
      if (!peer) fail(n, fmt::format("a {} needs the attribute \"{}\"", type_name(p.type()), send ? "comm_dst" : "comm_src"));
      n.peer = moved(n, static_cast<uint32_t>(*peer), send ? "a send" : "a recv");
      if (n.peer == r) fail(n, fmt::format("a {} its own rank: a flow joins two different GPUs", send ? "send to" : "recv from"));
    }
    if (n.kind == Kind::coll) {
      if (n.comm_type < 0) fail(n, "a COMM_COLL_NODE needs the attribute \"comm_type\"");
      n.pg = pg ? *pg : group_index("");
      if (dp_to_ > 0) n.pg = rescaled_group(n);
    }
    n.remote_begin = remote_begin;
    n.remote_end = static_cast<uint32_t>(remote_.size());
    n.dep_begin = static_cast<uint32_t>(raw_deps_.size());
    for (const uint64_t d : p.data_deps()) raw_deps_.push_back(d);
    n.data_end = static_cast<uint32_t>(raw_deps_.size());
    if (use_ctrl_) {
      for (const uint64_t d : p.ctrl_deps()) raw_deps_.push_back(d);
    }
    n.dep_end = static_cast<uint32_t>(raw_deps_.size());
    if (raw_deps_.size() >= kNone - 1 || remote_.size() >= kNone - 1) fail(n, "too many dependencies in the traces");
    names_.push_back(p.name());
    nodes_.push_back(n);
  }

  uint32_t group_index(const std::string& name) {
    const auto [it, fresh] = group_of_name_.emplace(name, static_cast<uint32_t>(group_names_.size()));
    if (fresh) group_names_.push_back(name);
    return it->second;
  }

  // ---- dependencies ----

  void resolve() {
    // Per rank, (id, node) sorted by id: ids are per file.
    index_.assign(ranks_, {});
    deps_.resize(raw_deps_.size());
    size_t begin = 0;
    while (begin < nodes_.size()) {
      size_t end = begin;
      while (end < nodes_.size() && nodes_[end].rank == nodes_[begin].rank) ++end;
      auto& index = index_[nodes_[begin].rank];
      for (size_t i = begin; i < end; ++i) index.emplace_back(nodes_[i].id, static_cast<uint32_t>(i));
      std::sort(index.begin(), index.end());
      for (size_t k = 1; k < index.size(); ++k) {
        if (index[k].first == index[k - 1].first) {
          const Node& n = nodes_[std::max(index[k].second, index[k - 1].second)];
          fail(n, fmt::format("node id {} appears twice in the file (messages {} and {})", n.id,
                              nodes_[index[k - 1].second].message, nodes_[index[k].second].message));
        }
      }
      for (size_t i = begin; i < end; ++i) {
        const Node& n = nodes_[i];
        for (uint32_t k = n.dep_begin; k < n.dep_end; ++k) {
          const auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(raw_deps_[k], uint32_t{0}));
          if (it == index.end() || it->first != raw_deps_[k]) {
            fail(n, fmt::format("depends on node {}, which is not in the file{}", raw_deps_[k],
                                k >= n.data_end
                                    ? " (a control dependency: traces converted from PyTorch "
                                      "keep the parent operator there; \"ctrl_deps\": \"ignore\" "
                                      "reads data dependencies only)"
                                    : ""));
          }
          deps_[k] = it->second;
        }
      }
      begin = end;
    }
    std::vector<uint64_t>().swap(raw_deps_);
    remote_deps_.resize(remote_.size());
    for (const Node& n : nodes_) {
      for (uint32_t k = n.remote_begin; k < n.remote_end; ++k) {
        const auto& [rr, id] = remote_[k];
        const auto& index = index_[rr];
        const auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(id, uint32_t{0}));
        if (it == index.end() || it->first != id) {
          fail(n, fmt::format("roshni_remote_deps names node {} of rank {}, which is not in that "
                              "rank's file", id, rr));
        }
        remote_deps_[k] = it->second;
      }
    }
    std::vector<std::vector<std::pair<uint64_t, uint32_t>>>().swap(index_);
  }

  // ---- units ----

  const std::vector<uint32_t>* members_of(uint32_t pg) {
    const std::string& name = group_names_[pg];
    if (dp_to_ > 0) {
      const auto it = rescaled_.find(name);
      return it == rescaled_.end() ? nullptr : &it->second;
    }
    if (const auto it = json_groups_.find(name); it != json_groups_.end()) return &it->second;
    if (const auto it = trace_groups_.find(name); it != trace_groups_.end()) return &it->second;
    return nullptr;  // all ranks
  }

  void units() {
    struct Key {
      uint32_t src, dst;
      uint64_t tag;
      bool operator<(const Key& o) const { return std::tie(src, dst, tag) < std::tie(o.src, o.dst, o.tag); }
    };
    struct Waiting {
      std::vector<uint32_t> sends, recvs;
      size_t send_head = 0, recv_head = 0;
    };
    std::map<Key, Waiting> waiting;
    // Per group, per rank: how many of the group's collectives the rank has had.
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> seq_of;
    std::map<std::pair<uint32_t, uint64_t>, uint32_t> coll_unit;
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      if (n.kind == Kind::task) {
        n.unit = new_unit(Kind::task, i);
      } else if (n.kind == Kind::coll) {
        const uint64_t seq = seq_of[{n.pg, n.rank}]++;
        const auto [it, fresh] = coll_unit.emplace(std::make_pair(n.pg, seq), 0);
        if (fresh) {
          it->second = new_unit(Kind::coll, i);
          units_[it->second].pg = n.pg;
          units_[it->second].seq = seq;
        }
        n.unit = it->second;
        units_[n.unit].members.push_back(i);
      } else {
        const bool send = n.kind == Kind::send;
        const Key key{send ? n.rank : n.peer, send ? n.peer : n.rank, n.tag};
        Waiting& q = waiting[key];
        auto& other = send ? q.recvs : q.sends;
        size_t& head = send ? q.recv_head : q.send_head;
        if (head == other.size()) {
          (send ? q.sends : q.recvs).push_back(i);
          continue;
        }
        const uint32_t peer = other[head++];
        const uint32_t s = send ? i : peer, r = send ? peer : i;
        const Node& so = nodes_[s];
        const Node& ro = nodes_[r];
        if (ro.size < so.size) {
          fail(ro, fmt::format("recv of {} B is smaller than its matching send of {} B (rank {}, "
                               "node {}): the message would be truncated",
                               ro.size, so.size, so.rank, so.id));
        }
        const uint32_t u = new_unit(Kind::send, s);
        units_[u].second = r;
        nodes_[s].unit = u;
        nodes_[r].unit = u;
      }
    }
    // Unmatched sends and recvs: the first in rank order.
    const Node* first = nullptr;
    for (const auto& [key, q] : waiting) {
      for (size_t k = q.send_head; k < q.sends.size(); ++k) pick(first, q.sends[k]);
      for (size_t k = q.recv_head; k < q.recvs.size(); ++k) pick(first, q.recvs[k]);
    }
    if (first) {
      const bool send = first->kind == Kind::send;
      fail(*first, fmt::format("{} of {} B {} rank {} tag {} has no matching {} in rank {}",
                               send ? "send" : "recv", first->size, send ? "to" : "from",
                               first->peer, first->tag, send ? "recv" : "send", first->peer));
    }
    // Collectives: every rank of the group once, with the same type and size.
    for (Unit& u : units_) {
      if (u.kind != Kind::coll) continue;
      const std::vector<uint32_t>* group = members_of(u.pg);
      std::vector<uint32_t> all;
      if (!group) {
        all.resize(ranks_);
        for (uint32_t r = 0; r < ranks_; ++r) all[r] = r;
        group = &all;
      }
      std::vector<uint32_t> at(ranks_, kNone);
      for (const uint32_t m : u.members) at[nodes_[m].rank] = m;
      const Node& head = nodes_[u.members.front()];
      const std::string pg = group_names_[u.pg].empty() ? std::string("(no pg_name: all ranks)")
                                                        : quote_text(group_names_[u.pg]);
      for (const uint32_t m : u.members) {
        const Node& n = nodes_[m];
        if (std::find(group->begin(), group->end(), n.rank) == group->end()) {
          fail(n, fmt::format("collective #{} of process group {} is on rank {}, which is not in "
                              "the group",
                              u.seq, pg, n.rank));
        }
        if (n.comm_type != head.comm_type || n.size != head.size) {
          fail(n, fmt::format("collective #{} of process group {} is {} of {} B here but {} of "
                              "{} B on rank {} (node {})",
                              u.seq, pg, comm_name(n.comm_type), n.size, comm_name(head.comm_type),
                              head.size, head.rank, head.id));
        }
      }
      for (const uint32_t r : *group) {
        if (at[r] == kNone) {
          fail(head, fmt::format("collective #{} of process group {} ({} of {} B) has no node "
                                 "in rank {}, a member of the group (each rank's k-th collective "
                                 "of a group is matched with the others' k-th; give the group's "
                                 "ranks in 'groups' if it is not all ranks)",
                                 u.seq, pg, comm_name(head.comm_type), head.size, r));
        }
      }
      u.members.clear();
      for (const uint32_t r : *group) u.members.push_back(at[r]);
      u.first = *std::min_element(u.members.begin(), u.members.end());
    }
  }

  void pick(const Node*& first, uint32_t i) const {
    if (!first || i < static_cast<uint32_t>(first - nodes_.data())) first = &nodes_[i];
  }

  uint32_t new_unit(Kind k, uint32_t node) {
    Unit u;
    u.kind = k;
    u.first = node;
    units_.push_back(std::move(u));
    return static_cast<uint32_t>(units_.size() - 1);
  }

  // ---- the flows ----

  /// The nodes of unit u.
  template <class F>
  void each_node(const Unit& u, F&& f) const {
    if (u.kind == Kind::coll) {
      for (const uint32_t m : u.members) f(m);
    } else {
      f(u.first);
      if (u.second != kNone) f(u.second);
    }
  }

  void build() {
    const size_t nu = units_.size();
    // Unit dependencies (CSR), then Kahn's algorithm taking the ready unit whose first
    // node has the smallest (id, rank): a trace written by write_chakra (node id =
    // FlowId) is rebuilt in its original order.
    std::vector<uint32_t> begin(nu + 1, 0), on;
    std::vector<uint32_t> list;
    for (uint32_t u = 0; u < nu; ++u) {
      list.clear();
      each_node(units_[u], [&](uint32_t i) {
        const Node& n = nodes_[i];
        for (uint32_t k = n.dep_begin; k < n.dep_end; ++k) list.push_back(nodes_[deps_[k]].unit);
        for (uint32_t k = n.remote_begin; k < n.remote_end; ++k) list.push_back(nodes_[remote_deps_[k]].unit);
      });
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
      on.insert(on.end(), list.begin(), list.end());
      begin[u + 1] = static_cast<uint32_t>(on.size());
    }
    std::vector<uint32_t> pending(nu, 0), out_begin(nu + 1, 0), out(on.size());
    for (uint32_t u = 0; u < nu; ++u) {
      pending[u] = begin[u + 1] - begin[u];
      for (uint32_t k = begin[u]; k < begin[u + 1]; ++k) ++out_begin[on[k] + 1];
    }
    for (size_t u = 0; u < nu; ++u) out_begin[u + 1] += out_begin[u];
    {
      std::vector<uint32_t> fill(out_begin.begin(), out_begin.end() - 1);
      for (uint32_t u = 0; u < nu; ++u)
        for (uint32_t k = begin[u]; k < begin[u + 1]; ++k) out[fill[on[k]]++] = u;
    }
    const auto key = [&](uint32_t u) {
      const Node& n = nodes_[units_[u].first];
      return std::make_tuple(n.id, n.rank, u);
    };
    const auto later = [&](uint32_t a, uint32_t b) { return key(a) > key(b); };
    std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(later)> ready(later);
    for (uint32_t u = 0; u < nu; ++u)
      if (pending[u] == 0) ready.push(u);
    end_begin_.assign(nu, 0);
    end_count_.assign(nu, 0);
    size_t done = 0;
    std::vector<FlowId> deps;
    while (!ready.empty()) {
      const uint32_t u = ready.top();
      ready.pop();
      ++done;
      deps.clear();
      for (uint32_t k = begin[u]; k < begin[u + 1]; ++k) {
        const uint32_t d = on[k];
        for (uint32_t e = 0; e < end_count_[d]; ++e) deps.push_back(ends_[end_begin_[d] + e]);
      }
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
      emit(u, deps);
      for (uint32_t k = out_begin[u]; k < out_begin[u + 1]; ++k)
        if (--pending[out[k]] == 0) ready.push(out[k]);
    }
    if (done < nu) cycle(begin, on, pending);
    info_.ranks = ranks_;
    info_.size = flows_.total_size();
  }

  /// Names a dependency cycle among the units left unbuilt (pending > 0).
  [[noreturn]] void cycle(const std::vector<uint32_t>& begin, const std::vector<uint32_t>& on,
                          const std::vector<uint32_t>& pending) const {
    uint32_t u = 0;
    while (pending[u] == 0) ++u;
    // Walk back along unbuilt dependencies until a unit repeats: that is on a cycle.
    std::vector<uint32_t> seen(units_.size(), kNone);
    std::vector<uint32_t> path;
    while (seen[u] == kNone) {
      seen[u] = static_cast<uint32_t>(path.size());
      path.push_back(u);
      uint32_t next = kNone;
      for (uint32_t k = begin[u]; k < begin[u + 1]; ++k) {
        if (pending[on[k]] > 0) {
          next = on[k];
          break;
        }
      }
      if (next == kNone) break;  // cannot happen: an unbuilt unit waits for an unbuilt one
      u = next;
    }
    std::string text;
    const size_t from = seen[u] == kNone ? 0 : seen[u];
    for (size_t k = from; k < path.size() && k < from + 8; ++k) {
      const Node& n = nodes_[units_[path[k]].first];
      text += fmt::format("rank {} node {} -> ", n.rank, n.id);
    }
    const Node& n = nodes_[units_[path[from]].first];
    text += fmt::format("rank {} node {}", n.rank, n.id);
    fail(n, fmt::format("dependency cycle: {} (each waits for the next); none can ever start", text));
  }

  std::string label_of(uint32_t i) const {
    const Node& n = nodes_[i];
    return names_[i].empty() ? fmt::format("r{}:{}", n.rank, n.id) : names_[i];
  }

  void limit(const Node& n, double more) const {
    if (static_cast<double>(flows_.size()) + more > static_cast<double>(max_flows_) ||
        static_cast<double>(flows_.size()) + more >= static_cast<double>(FlowId::kInvalid)) {
      fail(n, fmt::format("the traces give more than {} flows and tasks, the limit", max_flows_));
    }
  }

  void add_end(uint32_t u, FlowId f) {
    if (end_count_[u] == 0) end_begin_[u] = static_cast<uint32_t>(ends_.size());
    ends_.push_back(f);
    ++end_count_[u];
  }

  void emit(uint32_t u, const std::vector<FlowId>& deps) {
    const Unit& unit = units_[u];
    const Node& n = nodes_[unit.first];
    if (unit.kind == Kind::task) {
      limit(n, 1);
      add_end(u, flows_.add_task(label_of(unit.first), gpu_[n.rank], SimTime::ps(n.duration_ps), deps,
                                 SimTime::ps(n.earliest_ps)));
      return;
    }
    if (unit.kind == Kind::send) {
      limit(n, 1);
      const Node& r = nodes_[unit.second];
      const std::string label = names_[unit.first].empty()
                                    ? fmt::format("r{}:{}>r{}:{}", n.rank, n.id, r.rank, r.id)
                                    : names_[unit.first];
      const FlowId f = flows_.add(label, gpu_[n.rank], gpu_[r.rank], bytes(static_cast<double>(n.size)),
                                  deps, SimTime::ps(n.earliest_ps));
      if (n.extra_latency_ps > 0) flows_.set_extra_latency(f, SimTime::ps(n.extra_latency_ps));
      add_end(u, f);
      return;
    }
    // A collective over the group's ranks, in group order; root (broadcast, reduce) the
    // first of them. It starts when every member's dependencies have ended.
    const std::string label = names_[unit.first].empty()
                                  ? fmt::format("{}#{}", group_names_[unit.pg].empty() ? "all" : group_names_[unit.pg], unit.seq)
                                  : names_[unit.first];
    std::optional<coll::CollectiveKind> kind;
    switch (n.comm_type) {
      case pb::ALL_REDUCE: kind = coll::CollectiveKind::all_reduce; break;
      case pb::REDUCE: kind = coll::CollectiveKind::reduce; break;
      case pb::ALL_GATHER: kind = coll::CollectiveKind::all_gather; break;
      case pb::BROADCAST: kind = coll::CollectiveKind::broadcast; break;
      case pb::ALL_TO_ALL: kind = coll::CollectiveKind::all_to_all; break;
      case pb::REDUCE_SCATTER: kind = coll::CollectiveKind::reduce_scatter; break;
      case pb::BARRIER: break;
      default:
        fail(n, fmt::format("comm_type {} is not supported (ALL_REDUCE, REDUCE, ALL_GATHER, "
                            "REDUCE_SCATTER, BROADCAST, ALL_TO_ALL and BARRIER are)",
                            comm_name(n.comm_type)));
    }
    if (!kind || unit.members.size() < 2 || n.size == 0) {
      // A barrier, a group of one or nothing to move: the members meet, no traffic.
      limit(n, 1);
      add_end(u, flows_.add_task(label, gpu_[n.rank], SimTime::zero(), deps));
      return;
    }
    coll::Collective c;
    c.kind = *kind;
    for (const uint32_t m : unit.members) c.ranks.push_back(gpu_[nodes_[m].rank]);
    c.size = bytes(static_cast<double>(n.size));
    c.label_prefix = label;
    const coll::CollectiveAlgorithm* a = algorithm_[static_cast<size_t>(*kind)];
    if (!a) a = coll::find_collective_algorithm(*kind, coll::algorithm_names(*kind).front());
    if (const auto problem = coll::check_collective(c, *a)) {
      fail(n, fmt::format("{} over the {} ranks of its group: {}", a->name, c.ranks.size(),
                          problem->message));
    }
    limit(n, coll::flow_count(c, *a));
    for (const FlowId f : coll::append_collective(c, *a, flows_, deps)) add_end(u, f);
  }

  const Document& doc_;
  const topo::Topology& topology_;
  size_t max_flows_;
  net::FlowSet& flows_;
  WorkloadInfo& info_;

  uint32_t ranks_ = 0;     // ranks run
  uint32_t recorded_ = 0;  // ranks in the traces ('ranks')
  uint32_t replica_ = 0, dp_from_ = 0, dp_to_ = 0;  // data_parallel (dp_to_ 0: none)
  std::map<std::string, std::vector<uint32_t>> rescaled_;  // groups of the run, by name
  std::vector<NodeId> gpu_;  // rank -> GPU
  std::vector<std::string> paths_;
  bool use_ctrl_ = true;
  const coll::CollectiveAlgorithm* algorithm_[std::size(coll::kCollectiveKinds)] = {};
  double peak_flops_ = 0, memory_bw_ = 0;
  std::map<std::string, std::vector<uint32_t>> json_groups_, trace_groups_;

  pb::Node scratch_;
  std::vector<Node> nodes_;
  std::vector<std::string> names_;
  std::vector<uint64_t> raw_deps_;
  std::vector<uint32_t> deps_;
  std::vector<std::pair<uint32_t, uint64_t>> remote_;  // (rank, id) of roshni_remote_deps
  std::vector<uint32_t> remote_deps_;                   // the same, resolved to nodes
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> index_;  // per rank (id, node)
  std::unordered_map<std::string, uint32_t> group_of_name_;  // never iterated
  std::vector<std::string> group_names_;
  std::vector<Unit> units_;
  std::vector<uint32_t> end_begin_, end_count_;
  std::vector<FlowId> ends_;
};

}  // namespace

void load_chakra(const JsonNode& w, const Document& doc, const topo::Topology& t, size_t max_flows,
                 net::FlowSet& flows, WorkloadInfo& info) {
  ChakraReader(doc, t, max_flows, flows, info).read(w);
}

}  // namespace roshni::scenario
