/// ET files for tests of the Chakra reader: messages built with the generated classes of
/// src/scenario/chakra/et_def.proto and framed as Chakra frames them (each message after
/// its length as a varint).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "et_def.pb.h"

namespace roshni::testing::chakra {

namespace pb = ::roshni_chakra;

inline std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}

inline std::string framed(const google::protobuf::MessageLite& m) {
  const std::string body = m.SerializeAsString();
  return varint(body.size()) + body;
}

inline std::string meta(const std::string& version = "1.0.0") {
  pb::GlobalMetadata m;
  m.set_version(version);
  return framed(m);
}

inline void attr(pb::Node& n, const std::string& name, int64_t v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_int64_val(v);
}

inline pb::Node node(uint64_t id, pb::NodeType type, std::initializer_list<uint64_t> deps = {}) {
  pb::Node n;
  n.set_id(id);
  n.set_type(type);
  for (const uint64_t d : deps) n.add_data_deps(d);
  return n;
}

inline pb::Node comp(uint64_t id, uint64_t micros, std::initializer_list<uint64_t> deps = {}) {
  pb::Node n = node(id, pb::COMP_NODE, deps);
  n.set_duration_micros(micros);
  return n;
}

inline pb::Node send(uint64_t id, int64_t dst, int64_t bytes, std::initializer_list<uint64_t> deps = {}) {
  pb::Node n = node(id, pb::COMM_SEND_NODE, deps);
  attr(n, "comm_dst", dst);
  attr(n, "comm_size", bytes);
  return n;
}

inline pb::Node recv(uint64_t id, int64_t src, int64_t bytes, std::initializer_list<uint64_t> deps = {}) {
  pb::Node n = node(id, pb::COMM_RECV_NODE, deps);
  attr(n, "comm_src", src);
  attr(n, "comm_size", bytes);
  return n;
}

inline pb::Node coll(uint64_t id, pb::CollectiveCommType type, int64_t bytes, const std::string& pg = "",
                     std::initializer_list<uint64_t> deps = {}) {
  pb::Node n = node(id, pb::COMM_COLL_NODE, deps);
  attr(n, "comm_type", type);
  attr(n, "comm_size", bytes);
  if (!pg.empty()) {
    auto* a = n.add_attr();
    a->set_name("pg_name");
    a->set_string_val(pg);
  }
  return n;
}

/// A whole file: metadata (version 1.0.0) then the nodes.
inline std::string file(const std::vector<pb::Node>& nodes, const std::string& version = "1.0.0") {
  std::string s = meta(version);
  for (const auto& n : nodes) s += framed(n);
  return s;
}

}  // namespace roshni::testing::chakra
