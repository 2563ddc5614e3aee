// write_chakra: a FlowSet as Chakra ET files, one per GPU (docs/workloads.md, "Chakra").
#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "et_def.pb.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/scenario/chakra.h"

namespace roshni::scenario {
namespace {

namespace pb = ::roshni_chakra;
constexpr uint32_t kNone = ~uint32_t{0};

void int_attr(pb::Node& n, const char* name, int64_t v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_int64_val(v);
}

void int32_attr(pb::Node& n, const char* name, int32_t v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_int32_val(v);
}

void write_message(google::protobuf::io::CodedOutputStream& out, const google::protobuf::MessageLite& m) {
  out.WriteVarint32(static_cast<uint32_t>(m.ByteSizeLong()));
  m.SerializeWithCachedSizes(&out);
}

}  // namespace

ChakraExport write_chakra(const net::FlowSet& flows, const topo::Topology& t, const std::string& prefix,
                          const std::string& where) {
  const auto& gpus = t.gpus();
  std::vector<uint32_t> rank_of(t.node_count(), kNone);
  for (uint32_t r = 0; r < gpus.size(); ++r) rank_of[gpus[r].value()] = r;
  const auto fail = [&](FlowId f, const std::string& what) {
    throw ScenarioError(where, "/workload",
                        fmt::format("cannot export '{}' as a Chakra trace: {}", escape_text(flows.label(f)), what));
  };
  const auto rank = [&](FlowId f, NodeId n) {
    const uint32_t r = rank_of[n.value()];
    if (r == kNone) {
      fail(f, fmt::format("it {} '{}', a {}, not a GPU (a trace has one file per GPU)",
                          flows.is_task(f) ? "runs on" : "ends at", escape_text(t.node_name(n)),
                          topo::to_string(t.node_kind(n))));
    }
    return r;
  };
  // Per rank, the entries that have a node in its file, in FlowId order.
  std::vector<std::vector<uint32_t>> on(gpus.size());
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowId f(i);
    if (!flows.pinned_path(f).empty()) fail(f, "its path is pinned (in-network reduction), which a trace cannot say");
    const uint32_t s = rank(f, flows.src(f));
    on[s].push_back(i);
    if (!flows.is_task(f)) on[rank(f, flows.dst(f))].push_back(i);
  }
  const auto touches = [&](FlowId g, uint32_t r) {
    return rank_of[flows.src(g).value()] == r || rank_of[flows.dst(g).value()] == r;
  };
  ChakraExport result;
  pb::Node node;
  for (uint32_t r = 0; r < gpus.size(); ++r) {
    const std::string path = prefix + std::to_string(r) + ".et";
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + quote_text(path));
    {
      google::protobuf::io::OstreamOutputStream stream(&file);
      google::protobuf::io::CodedOutputStream out(&stream);
      pb::GlobalMetadata meta;
      meta.set_version("1.0.0");
      auto* a = meta.add_attr();
      a->set_name("producer");
      a->set_string_val("roshni");
      write_message(out, meta);
      for (const uint32_t i : on[r]) {
        const FlowId f(i);
        node.Clear();
        node.set_id(i);
        node.set_name(flows.label(f));
        if (flows.earliest_start(f) > SimTime::zero()) int_attr(node, "earliest_start_ps", flows.earliest_start(f).ps());
        if (flows.is_task(f)) {
          node.set_type(pb::COMP_NODE);
          const int64_t ps = flows.task_time(f).ps();
          node.set_duration_micros(static_cast<uint64_t>(std::llround(static_cast<double>(ps) * 1e-6)));
          int_attr(node, "duration_ps", ps);
        } else {
          const bool send = rank_of[flows.src(f).value()] == r;
          node.set_type(send ? pb::COMM_SEND_NODE : pb::COMM_RECV_NODE);
          int32_attr(node, "comm_src", static_cast<int32_t>(rank_of[flows.src(f).value()]));
          int32_attr(node, "comm_dst", static_cast<int32_t>(rank_of[flows.dst(f).value()]));
          int32_attr(node, "comm_tag", 0);
          int_attr(node, "comm_size", static_cast<int64_t>(flows.flow_size(f).si()));
          if (send && flows.extra_latency(f) > SimTime::zero()) {
            int_attr(node, "extra_latency_ps", flows.extra_latency(f).ps());
          }
        }
        // A dependency is written on the sender's side when the sender's rank has a node
        // of it, else on the receiver's; a task's on its own rank.
        // A dependency on an entry of neither rank (a collective's first transfers wait
        // for every member's step before it) is Roshni's "roshni_remote_deps" attribute
        // on the sender's node: (rank, id) of the entry's node on its first rank.
        const uint32_t s = rank_of[flows.src(f).value()];
        const uint32_t d = flows.is_task(f) ? s : rank_of[flows.dst(f).value()];
        pb::AttributeProto* remote = nullptr;
        for (const FlowId g : flows.deps(f)) {
          const uint32_t side = touches(g, s) ? s : touches(g, d) ? d : kNone;
          if (side == r) node.add_data_deps(g.value());
          if (side == kNone && r == s) {
            if (!remote) {
              remote = node.add_attr();
              remote->set_name("roshni_remote_deps");
            }
            remote->mutable_int64_list()->add_values(rank_of[flows.src(g).value()]);
            remote->mutable_int64_list()->add_values(g.value());
          }
        }
        write_message(out, node);
        ++result.nodes;
      }
      if (out.HadError()) throw std::runtime_error("cannot write " + quote_text(path));
    }
    file.close();
    if (!file) throw std::runtime_error("cannot write " + quote_text(path));
    ++result.files;
  }
  return result;
}

}  // namespace roshni::scenario
