#include "scenario/topologies.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/topo/analysis.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/direct_connect.h"
#include "roshni/topo/dragonfly.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/mesh.h"
#include "roshni/topo/ocs.h"
#include "roshni/topo/placement.h"
#include "roshni/topo/torus.h"
#include "roshni/topo/tpu_pod.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/physical.h"
#include "scenario/switch_parts.h"

namespace roshni::scenario {

std::unique_ptr<topo::Fabric> build_explicit(const JsonNode& t,
                                              const BeforeBuild& before);  // explicit_topology.cpp

namespace {

constexpr int64_t kMaxGpus = 1 << 24;

/// A number (integer or not) within [min, max].
double as_number(const JsonNode& n, double min, double max) {
  const auto& v = n.raw();
  if (!v.is_number()) n.fail(fmt::format("expected a number, got {}", describe_value(v)));
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    n.fail(fmt::format("expected a number between {} and {}, got {}", min, max, d));
  }
  return d;
}

/// One of `known` spelled as a string.
std::string one_of(const JsonNode& n, std::initializer_list<std::string_view> known,
                   std::string_view what) {
  const std::string s = n.as_string();
  std::vector<std::string> names(known.begin(), known.end());
  for (const auto& k : names) {
    if (k == s) return s;
  }
  n.fail(fmt::format("unknown {} '{}'{}; known ones: {}", what, escape_text(s), suggest(s, names),
                     quoted_list(names)));
}

/// Turns a generator's check() message "param: what" into an error at that parameter
/// when the scenario wrote it, else at the topology object.
[[noreturn]] void fail_check(const JsonNode& spec, const std::string& message) {
  // Descend "a.b" as far as the scenario wrote it, so the pointer is as precise as it can be.
  const std::string param = message.substr(0, message.find(':'));
  JsonNode at = spec;
  size_t begin = 0;
  while (begin < param.size()) {
    const size_t end = param.find_first_of(".[", begin);
    const std::string key = param.substr(begin, end - begin);
    if (!at.is_object() || !at.has(key)) break;
    at = at.at(key, "");
    if (end == std::string::npos || param[end] == '[') break;
    begin = end + 1;
  }
  at.fail(message);
}

struct LinkSpec {
  DataRate bandwidth;
  SimTime latency;
};

/// {"bandwidth": "400 Gbps", "latency": "100 ns"}: latency defaults to 0.
LinkSpec link(const JsonNode& spec, std::string_view key) {
  const JsonNode l = spec.at(key, "a link, like {\"bandwidth\": \"400 Gbps\", \"latency\": \"100 ns\"}");
  l.expect_keys({"bandwidth", "latency"});
  LinkSpec out;
  out.bandwidth = l.at("bandwidth", "a data rate like \"400 Gbps\"").as_data_rate();
  if (const auto lat = l.get("latency")) out.latency = lat->as_sim_time(true);
  return out;
}

SimTime optional_time(const JsonNode& spec, std::string_view key) {
  if (const auto t = spec.get(key)) return t->as_sim_time(true);
  return SimTime::zero();
}

uint32_t count(const JsonNode& spec, std::string_view key, int64_t min, int64_t max,
               std::string_view expected) {
  return static_cast<uint32_t>(spec.at(key, expected).as_int(min, max));
}

topo::MultipathPolicy multipath(const JsonNode& spec) {
  if (const auto r = spec.get("routing")) {
    const std::string v = one_of(*r, {"ecmp", "first", "dmodk"}, "routing");
    return v == "first"   ? topo::MultipathPolicy::first
           : v == "dmodk" ? topo::MultipathPolicy::dmodk
                          : topo::MultipathPolicy::ecmp;
  }
  return topo::MultipathPolicy::ecmp;
}

// ---- the generators ----

std::unique_ptr<topo::Fabric> build_star(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "gpus", "gpu_prefix", "switch_name", "link", "switch_latency",
                 "scale_up", "placement"});
  topo::StarParams p;
  if (const auto n = t.get("scale_up")) p.scale_up = n->as_bool();
  p.gpus = count(t, "gpus", 1, kMaxGpus, "the number of GPUs, an integer like 8");
  if (const auto n = t.get("gpu_prefix")) p.gpu_prefix = n->as_name("a GPU name prefix", true);
  if (const auto n = t.get("switch_name")) {
    p.switch_name = n->as_name("a node name");
    // The switch must not take a GPU's name: the prefix and a decimal index below gpus.
    const std::string& s = p.switch_name;
    if (s.starts_with(p.gpu_prefix)) {
      const std::string rest = s.substr(p.gpu_prefix.size());
      const bool decimal = !rest.empty() && rest.size() <= 8 &&
                           rest.find_first_not_of("0123456789") == std::string::npos &&
                           (rest == "0" || rest[0] != '0');
      if (decimal && std::stoul(rest) < p.gpus) {
        n->fail(fmt::format("'{}' is also the name of a GPU; choose another switch name",
                            escape_text(s)));
      }
    }
  }
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  p.switch_latency = optional_time(t, "switch_latency");
  before({p.gpus, uint64_t{p.gpus} + 1, p.gpus});  // N GPUs and a switch; N links
  auto f = std::make_unique<topo::Fabric>();
  f->topology = topo::make_star(p);
  f->router = topo::make_star_router(f->topology);
  return f;
}

topo::ScaleUpParams scale_up(const JsonNode& s) {
  s.expect_keys({"domain_size", "planes", "bandwidth", "link_latency", "switch_latency"});
  topo::ScaleUpParams p;
  p.domain_size = count(s, "domain_size", 1, kMaxGpus, "GPUs per scale-up domain, like 8 or 72");
  if (const auto n = s.get("planes")) p.planes = static_cast<uint32_t>(n->as_int(1, 1024));
  p.bandwidth = s.at("bandwidth", "each GPU's scale-up bandwidth per direction, like \"900 GB/s\"")
                    .as_data_rate();
  p.link_latency = optional_time(s, "link_latency");
  p.switch_latency = optional_time(s, "switch_latency");
  return p;
}

/// The nodes and links make_clos builds, from the shape (docs/topologies.md, fat_tree).
SizeEstimate clos_size(const topo::ClosParams& p) {
  const topo::ClosShape s = topo::clos_shape(p);
  const uint64_t planes = s.domains > 0 ? p.scale_up.planes : 0;
  SizeEstimate e;
  e.gpus = s.gpus;
  e.nodes = uint64_t{s.gpus} + s.leaves + s.spines + s.cores + uint64_t{s.domains} * planes;
  e.links = uint64_t{s.gpus} + uint64_t{s.leaves} * s.leaf_up +
            (p.tiers == 3 ? uint64_t{s.spines} * s.agg_up : 0) + uint64_t{s.gpus} * planes;
  return e;
}

std::unique_ptr<topo::Fabric> build_clos(const JsonNode& t, bool rail, const BeforeBuild& before) {
  if (rail) {
    t.expect_keys({"kind", "tiers", "radix", "oversubscription", "gpus", "gpus_per_server", "link",
                   "switch_latency", "routing", "scale_up", "placement"});
  } else {
    t.expect_keys({"kind", "tiers", "radix", "oversubscription", "gpus", "link",
                   "switch_latency", "routing", "scale_up", "placement"});
  }
  topo::ClosParams p;
  p.tiers = count(t, "tiers", 2, 3, "the number of switch tiers, 2 or 3");
  p.radix = count(t, "radix", 2, 65536, "the switch radix (ports per switch), like 64");
  if (const auto o = t.get("oversubscription")) {
    if (o->raw().is_array()) {
      if (o->size() != p.tiers - 1) {
        o->fail(fmt::format("expected {} ratios (one per switch tier below the top), got {}",
                            p.tiers - 1, o->size()));
      }
      p.leaf_oversubscription = as_number((*o)[0], 1, 1e6);
      if (p.tiers == 3) p.agg_oversubscription = as_number((*o)[1], 1, 1e6);
    } else {
      p.leaf_oversubscription = as_number(*o, 1, 1e6);
    }
  }
  if (const auto g = t.get("gpus")) p.gpus = static_cast<uint32_t>(g->as_int(1, kMaxGpus));
  if (rail) {
    p.placement = topo::GpuPlacement::rail;
    p.gpus_per_server = count(t, "gpus_per_server", 1, 1024,
                              "GPUs per server, one per rail, like 8");
  }
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  p.switch_latency = optional_time(t, "switch_latency");
  if (const auto s = t.get("scale_up")) p.scale_up = scale_up(*s);
  if (std::string e = topo::check(p); !e.empty()) {
    // Oversubscription is one key in scenarios ([leaf, aggregation] or a number); point
    // at it when written, else at the radix that cannot be split 1:1.
    for (const char* internal : {"leaf_oversubscription", "agg_oversubscription"}) {
      if (e.rfind(internal, 0) != 0) continue;
      const bool leaf = internal[0] == 'l';
      e = fmt::format("oversubscription ({}){}", leaf ? "leaf" : "aggregation",
                      e.substr(std::string_view(internal).size()));
      if (t.has("oversubscription")) t.at("oversubscription", "").fail(e);
      t.at("radix", "").fail(e);
    }
    fail_check(t, e);
  }
  const topo::MultipathPolicy policy = multipath(t);
  if (rail && policy == topo::MultipathPolicy::dmodk) {
    // D-mod-K keys the up link on the GPU's index; under a rail leaf the indices step by
    // the GPUs per server, so only some up links would ever be chosen.
    t.at("routing", "").fail("\"dmodk\" routes fat_tree fabrics only: a rail leaf's GPUs are "
                             "every gpus_per_server-th index, so most up links would go unused; use "
                             "\"ecmp\" or \"first\"");
  }
  before(clos_size(p));
  return topo::make_clos(p, policy);
}

std::unique_ptr<topo::Fabric> build_fat_tree(const JsonNode& t, const BeforeBuild& before) {
  return build_clos(t, false, before);
}
std::unique_ptr<topo::Fabric> build_rail(const JsonNode& t, const BeforeBuild& before) {
  return build_clos(t, true, before);
}

std::unique_ptr<topo::Fabric> build_torus(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "dims", "twisted", "link", "forwarding_latency", "placement"});
  topo::TorusParams p;
  const JsonNode dims = t.at("dims", "the size of each dimension, like [4, 4, 8]");
  p.dims.clear();
  for (size_t i = 0; i < dims.size(); ++i) {
    p.dims.push_back(static_cast<uint32_t>(dims[i].as_int(1, kMaxGpus)));
  }
  if (const auto tw = t.get("twisted")) p.twisted = tw->as_bool();
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  p.forwarding_latency = optional_time(t, "forwarding_latency");
  if (const std::string e = topo::check(p); !e.empty()) {
    if (e.rfind("dims[", 0) == 0) {
      const size_t i = std::stoul(e.substr(5));
      if (i < dims.size()) dims[i].fail(e);
    }
    fail_check(t, e);
  }
  // N GPUs; at most N links per dimension of size >= 2 (N/2 when the size is 2, untwisted).
  SizeEstimate size{1, 0, 0};
  for (const uint32_t k : p.dims) size.gpus *= k;
  size.nodes = size.gpus;
  for (const uint32_t k : p.dims) size.links += k >= 2 ? size.gpus : 0;
  before(size);
  return topo::make_torus(p);
}

std::unique_ptr<topo::Fabric> build_dragonfly(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "balanced", "p", "a", "h", "g", "arrangement", "routing",
                 "terminal_link", "local_link", "global_link", "router_latency", "placement"});
  topo::DragonflyParams p;
  if (const auto b = t.get("balanced")) {
    p = topo::balanced_dragonfly(static_cast<uint32_t>(b->as_int(1, 4096)));
    for (const char* k : {"p", "a", "h", "g"}) {
      if (t.has(k)) t.at(k, "").fail("give either 'balanced' (p) or 'p', 'a', 'h', 'g', not both");
    }
  } else {
    p.p = count(t, "p", 1, 65535, "terminals (GPUs) per router, like 4");
    p.a = count(t, "a", 1, 65535, "routers per group, like 8");
    p.h = count(t, "h", 1, 65535, "global links per router, like 4");
    p.g = count(t, "g", 1, 1 << 24, "the number of groups, at most a*h + 1");
  }
  if (const auto a = t.get("arrangement")) {
    p.arrangement = one_of(*a, {"absolute", "relative"}, "global link arrangement") == "relative"
                        ? topo::GlobalArrangement::relative
                        : topo::GlobalArrangement::absolute;
  }
  if (const auto r = t.get("routing")) {
    p.routing = one_of(*r, {"minimal", "valiant"}, "dragonfly routing") == "valiant"
                    ? topo::DragonflyRouting::valiant
                    : topo::DragonflyRouting::minimal;
  }
  const LinkSpec term = link(t, "terminal_link"), local = link(t, "local_link"),
                 global = link(t, "global_link");
  p.terminal_bandwidth = term.bandwidth;
  p.terminal_latency = term.latency;
  p.local_bandwidth = local.bandwidth;
  p.local_latency = local.latency;
  p.global_bandwidth = global.bandwidth;
  p.global_latency = global.latency;
  p.router_latency = optional_time(t, "router_latency");
  if (const std::string e = topo::check(p); !e.empty()) fail_check(t, e);
  const topo::DragonflyShape s = topo::dragonfly_shape(p);
  before({s.gpus, uint64_t{s.gpus} + s.routers,
          uint64_t{s.gpus} + s.local_links + s.global_links});
  return topo::make_dragonfly(p);
}

std::unique_ptr<topo::Fabric> build_full_mesh(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "gpus", "link", "placement"});
  topo::FullMeshParams p;
  p.gpus = count(t, "gpus", 2, 2048, "the number of GPUs, 2 to 2048");
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  if (const std::string e = topo::check(p); !e.empty()) fail_check(t, e);
  before({p.gpus, p.gpus, uint64_t{p.gpus} * (p.gpus - 1) / 2});
  return topo::make_full_mesh(p);
}

std::unique_ptr<topo::Fabric> build_ring(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "gpus", "link", "forwarding_latency", "placement"});
  topo::RingParams p;
  p.gpus = count(t, "gpus", 2, kMaxGpus, "the number of GPUs, at least 2");
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  p.forwarding_latency = optional_time(t, "forwarding_latency");
  if (const std::string e = topo::check(p); !e.empty()) fail_check(t, e);
  before({p.gpus, p.gpus, p.gpus});
  return topo::make_ring(p);
}

std::unique_ptr<topo::Fabric> build_ocs(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "blocks", "gpus_per_block", "link", "uplink", "switch_latency", "ocs",
                 "circuits", "placement"});
  topo::OcsParams p;
  p.blocks = count(t, "blocks", 2, 1 << 16, "the number of blocks (pods), at least 2");
  p.gpus_per_block = count(t, "gpus_per_block", 1, 1 << 16, "GPUs under each block, like 8");
  const LinkSpec gpu = link(t, "link"), up = link(t, "uplink");
  p.gpu_bandwidth = gpu.bandwidth;
  p.gpu_latency = gpu.latency;
  p.circuit_bandwidth = up.bandwidth;
  p.circuit_latency = up.latency;
  p.switch_latency = optional_time(t, "switch_latency");
  const JsonNode o = t.at("ocs", "the optical circuit switches, like {\"count\": 4, \"ports\": "
                                 "136, \"reconfiguration_time\": \"10 ms\"}");
  o.expect_keys({"count", "ports", "reconfiguration_time"});
  p.ocs_count = count(o, "count", 1, 1 << 16, "the number of OCS devices (uplinks per block)");
  p.ocs_ports = count(o, "ports", 2, 1 << 20, "ports per OCS, like 136");
  p.reconfiguration_time =
      o.at("reconfiguration_time", "a duration like \"10 ms\"").as_sim_time(true);
  const JsonNode configs = t.at("circuits", "a list of circuit maps, the first in place at time 0");
  // Sized before the circuit maps are checked (which walks every block): B*G GPUs, B
  // block switches and the OCS devices; B*G GPU links and at most one circuit link per
  // circuit listed (circuits kept from one map to the next share theirs).
  SizeEstimate size;
  size.gpus = uint64_t{p.blocks} * p.gpus_per_block;
  size.nodes = size.gpus + p.blocks + p.ocs_count;
  size.links = size.gpus;
  for (size_t i = 0; i < configs.size(); ++i) {
    const auto& c = configs[i].raw();
    if (!c.is_object() || !c.contains("map") || !c["map"].is_array()) continue;
    for (const auto& d : c["map"]) {
      const auto n = d.is_object() && d.contains("count") ? d["count"] : nlohmann::json(1);
      // A count out of range (at most 2^16) is refused below, where it is read.
      size.links += n.is_number_unsigned() ? std::min<uint64_t>(n.get<uint64_t>(), 1 << 16) : 1;
    }
  }
  before(size);
  for (size_t i = 0; i < configs.size(); ++i) {
    const JsonNode c = configs[i];
    c.expect_keys({"at", "after", "after_training", "stages", "map"});
    if (c.has("stages") && !c.has("after_training")) {
      c.at("stages", "").fail("'stages' narrows 'after_training' to some pipeline stages; give "
                              "'after_training' too");
    }
    topo::CircuitConfig config;
    const int whens = int{c.has("at")} + int{c.has("after")} + int{c.has("after_training")};
    if (i == 0 && whens > 0) {
      c.fail("the first circuit map is in place from time 0; it takes no 'at', 'after' or "
             "'after_training'");
    }
    if (i > 0) {
      if (whens != 1) {
        c.fail("give when this map takes effect: one of 'at' (a time), 'after' (flow ids of a "
               "flow trace) or 'after_training' (kinds of a training iteration's entries)");
      }
      if (const auto a = c.get("at")) config.at = a->as_sim_time(true);
      if (const auto a = c.get("after")) {
        for (size_t k = 0; k < a->size(); ++k) config.after.push_back((*a)[k].as_string());
        if (config.after.empty()) a->fail("expected at least one flow id");
      }
      if (const auto a = c.get("after_training")) {
        // The names are checked against the workload where it is known (loader.cpp).
        for (size_t k = 0; k < a->size(); ++k) config.after_training.push_back((*a)[k].as_string());
        if (config.after_training.empty()) {
          a->fail("expected at least one kind, like [\"backward\", \"pp\"]");
        }
      }
    }
    const JsonNode map = c.at("map", "circuits, like [{\"a\": 0, \"b\": 1, \"count\": 2}]");
    for (size_t k = 0; k < map.size(); ++k) {
      const JsonNode d = map[k];
      d.expect_keys({"a", "b", "count"});
      topo::CircuitDemand demand;
      demand.a = count(d, "a", 0, p.blocks - 1, "a block index");
      demand.b = count(d, "b", 0, p.blocks - 1, "a block index");
      if (const auto n = d.get("count")) demand.count = static_cast<uint32_t>(n->as_int(1, 1 << 16));
      config.circuits.push_back(demand);
    }
    p.configs.push_back(std::move(config));
  }
  if (const std::string e = topo::check(p); !e.empty()) {
    // "configs[i].circuits[k]: ..." points into the scenario's "circuits" list.
    if (e.rfind("configs[", 0) == 0) {
      const size_t i = std::stoul(e.substr(8));
      if (e.find("].at: ") < e.find(':')) {
        // "configs[2].at: ... of configs[1]; ...": named as the scenario names them.
        std::string m = e.substr(e.find(": ") + 2);
        for (size_t k = m.find("configs["); k != std::string::npos; k = m.find("configs[", k)) {
          m.replace(k, 8, "circuits[");
        }
        configs[i].at("at", "").fail(m);
      }
      const size_t at = e.find("circuits[");
      if (at != std::string::npos && at < e.find(':')) {
        configs[i].at("map", "")[std::stoul(e.substr(at + 9))].fail(e);
      }
      configs[i].fail(e);
    }
    fail_check(t, e);
  }
  return topo::make_ocs(p);
}

std::unique_ptr<topo::Fabric> build_tpu_pod(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "cubes", "cube", "slice", "twisted", "failed_cubes", "slice_cubes", "link",
                 "ocs", "forwarding_latency", "placement"});
  topo::TpuPodParams p;
  if (t.has("cubes")) p.cubes = count(t, "cubes", 1, 1 << 16, "the number of cubes in the pod, like 64");
  const auto triple = [&](const char* key, std::array<uint32_t, 3>& out, const char* expected) {
    const JsonNode v = t.at(key, expected);
    if (v.size() != 3) v.fail(fmt::format("expected three sizes (x, y, z), like {}", expected));
    for (size_t i = 0; i < 3; ++i) out[i] = static_cast<uint32_t>(v[i].as_int(1, 1 << 16));
  };
  if (t.has("cube")) triple("cube", p.cube, "[4, 4, 4]");
  triple("slice", p.slice, "[4, 4, 8]");
  if (const auto tw = t.get("twisted")) p.twisted = tw->as_bool();
  for (const char* key : {"failed_cubes", "slice_cubes"}) {
    if (const auto list = t.get(key)) {
      auto& out = key[0] == 'f' ? p.failed_cubes : p.slice_cubes;
      for (size_t i = 0; i < list->size(); ++i) {
        out.push_back(static_cast<uint32_t>((*list)[i].as_int(0, 1 << 16)));
      }
    }
  }
  const LinkSpec l = link(t, "link");
  p.link_bandwidth = l.bandwidth;
  p.link_latency = l.latency;
  p.forwarding_latency = optional_time(t, "forwarding_latency");
  const JsonNode o = t.at("ocs", "the optical circuit switches, like {\"ports\": 136, "
                                 "\"latency\": \"20 ns\"}");
  o.expect_keys({"count", "ports", "latency"});
  if (o.has("count")) p.ocs_count = count(o, "count", 1, 1 << 16, "the number of OCS devices, like 48");
  p.ocs_ports = count(o, "ports", 2, 1 << 20, "ports per OCS, like 136");
  p.ocs_latency = optional_time(o, "latency");
  if (const std::string e = topo::check(p); !e.empty()) {
    for (const char* key : {"failed_cubes[", "slice_cubes[", "slice[", "cube["}) {
      const std::string k = key;
      if (e.rfind(k, 0) != 0) continue;
      const size_t i = std::stoul(e.substr(k.size()));
      const JsonNode list = t.at(k.substr(0, k.size() - 1), "");
      if (i < list.size()) list[i].fail(e);
    }
    fail_check(t, e);
  }
  // The slice's chips, the OCS nodes, and three links per chip (a 3-D torus, sides >= 4).
  SizeEstimate size{uint64_t{p.slice[0]} * p.slice[1] * p.slice[2], 0, 0};
  size.nodes = size.gpus + topo::tpu_pod_parts(p).ocs;
  size.links = 3 * size.gpus;
  before(size);
  return topo::make_tpu_pod(p);
}

std::unique_ptr<topo::Fabric> build_direct_connect(const JsonNode& t, const BeforeBuild& before) {
  t.expect_keys({"kind", "blocks", "gpus_per_block", "uplinks", "link", "uplink", "switch_latency",
                 "ocs", "spines", "circuits", "traffic", "wcmp_steps", "placement"});
  topo::DirectConnectParams p;
  p.blocks = count(t, "blocks", 2, 1 << 12, "the number of aggregation blocks, at least 2");
  p.gpus_per_block = count(t, "gpus_per_block", 1, 1 << 16, "GPUs under each block, like 8");
  p.uplinks = count(t, "uplinks", 0, 1 << 16, "uplink ports per block, like 16");
  const LinkSpec gpu = link(t, "link"), up = link(t, "uplink");
  p.gpu_bandwidth = gpu.bandwidth;
  p.gpu_latency = gpu.latency;
  p.uplink_bandwidth = up.bandwidth;
  p.uplink_latency = up.latency;
  p.switch_latency = optional_time(t, "switch_latency");
  if (t.has("ocs") == t.has("spines")) {
    t.fail("give the layer the blocks' uplinks meet in: either 'ocs' ({\"part\": "
           "\"palomar-ocs-136\", \"count\": 4}) or 'spines' ({\"count\": 4, \"ports\": 128})");
  }
  if (const auto o = t.get("ocs")) {
    o->expect_keys({"part", "count"});
    p.layer = topo::DirectConnectLayer::ocs;
    p.devices = count(*o, "count", 1, 1 << 16, "the number of OCS devices, like 4");
    // The part's usable ports, from the catalog (configs/switches.json).
    const JsonNode name = o->at("part", "an OCS of configs/switches.json, like \"palomar-ocs-136\"");
    ROSHNI_ASSERT(before.reader != nullptr, "direct_connect built without a catalog reader");
    const CatalogFile oc(resolve_relative(before.catalog_dir, "switches.json"), *before.reader,
                         "optical_circuit_switches",
                         {"schema", "description", "packet_switches", "optical_circuit_switches"});
    const JsonNode entry = oc.entry(name, name.as_string(), "optical circuit switch");
    const hw::OcsPart part = ocs_part(name.as_string(), entry);
    p.device_ports = part.ports;
    p.reconfiguration_time = part.reconfiguration_time;
    if (const auto u = entry.get("usable_ports")) {
      p.device_ports = static_cast<uint32_t>(u->as_int(1, part.ports));
    }
  } else {
    const JsonNode sp = *t.get("spines");
    sp.expect_keys({"count", "ports"});
    p.layer = topo::DirectConnectLayer::spine;
    p.devices = count(sp, "count", 1, 1 << 16, "the number of spine switches, like 4");
    p.device_ports = count(sp, "ports", 1, 1 << 16, "ports per spine switch, like 128");
  }
  const auto matrix_row = [&](const JsonNode& row, auto&& read) {
    if (!row.raw().is_array()) row.fail("expected a list with one entry per block");
    for (size_t b = 0; b < row.size(); ++b) read(row[b]);
  };
  if (const auto c = t.get("circuits")) {
    if (c->raw().is_string()) {
      const std::string v = one_of(*c, {"uniform", "traffic"}, "circuit rule");
      p.rule = v == "traffic" ? topo::CircuitRule::traffic : topo::CircuitRule::uniform;
    } else {
      p.rule = topo::CircuitRule::given;
      if (!c->raw().is_array()) {
        c->fail("expected \"uniform\", \"traffic\" or a block x block list of circuit counts");
      }
      for (size_t a = 0; a < c->size(); ++a) {
        auto& row = p.circuits.emplace_back();
        matrix_row((*c)[a], [&](const JsonNode& v) {
          row.push_back(static_cast<uint32_t>(v.as_int(0, 1 << 16)));
        });
      }
    }
  }
  if (const auto tm = t.get("traffic")) {
    if (!tm->raw().is_array()) tm->fail("expected a block x block list of demands");
    for (size_t a = 0; a < tm->size(); ++a) {
      auto& row = p.traffic.emplace_back();
      matrix_row((*tm)[a], [&](const JsonNode& v) { row.push_back(as_number(v, 0, 1e30)); });
    }
  }
  if (p.rule == topo::CircuitRule::traffic && p.traffic.empty()) {
    t.at("circuits", "").fail("\"traffic\" engineers the circuits to the 'traffic' matrix; give one");
  }
  if (const auto w = t.get("wcmp_steps")) p.wcmp_steps = static_cast<uint32_t>(w->as_int(1, 4096));
  // Sized before the circuit map is laid: GPUs, blocks, devices; GPU links and N U / 2
  // circuits (layer ocs) or N U block-spine links.
  SizeEstimate size;
  size.gpus = uint64_t{p.blocks} * p.gpus_per_block;
  size.nodes = size.gpus + p.blocks + p.devices;
  size.links = size.gpus + uint64_t{p.blocks} * p.uplinks;
  before(size);
  if (const std::string e = topo::check(p); !e.empty()) {
    for (const char* key : {"circuits[", "traffic["}) {
      const std::string k = key;
      if (e.rfind(k, 0) != 0) continue;
      const JsonNode m = t.at(k.substr(0, k.size() - 1), "");
      const size_t a = std::stoul(e.substr(k.size()));
      const size_t close = e.find("][");
      if (a < m.size() && close != std::string::npos && close < e.find(':')) {
        const size_t b = std::stoul(e.substr(close + 2));
        if (b < m[a].size()) m[a][b].fail(e);
      }
      if (a < m.size()) m[a].fail(e);
    }
    fail_check(t, e);
  }
  return topo::make_direct_connect(p);
}

// The built-in generators, in the order `roshni --help` and the docs list them.
constexpr TopologyGenerator kGenerators[] = {
    {"star", "N GPUs on one packet switch", build_star},
    {"explicit", "nodes and links listed one by one (any graph); min-hop ECMP routing",
     build_explicit},
    {"fat_tree",
     "2-tier leaf-spine or 3-tier fat-tree with pods, radix and oversubscription (Al-Fares et "
     "al., SIGCOMM 2008); up/down ECMP",
     build_fat_tree},
    {"rail_optimized",
     "fat-tree whose leaves each serve one GPU rank of every server (rails), as in NVIDIA "
     "DGX SuperPOD",
     build_rail},
    {"torus", "n-D torus with wrap-around, optionally twisted as in TPU v4 (Jouppi et al., ISCA "
              "2023); dimension-order routing",
     build_torus},
    {"dragonfly", "groups of routers joined by global links (Kim et al., ISCA 2008); minimal or "
                  "Valiant routing",
     build_dragonfly},
    {"full_mesh", "a direct link between every pair of GPUs", build_full_mesh},
    {"ring", "GPUs in a bidirectional ring; shorter-way routing", build_ring},
    {"ocs", "blocks joined by optical circuit switches whose circuit map can change during "
            "the run (Jupiter, SIGCOMM 2022; TPU v4, ISCA 2023)",
     build_ocs},
    {"direct_connect",
     "Jupiter-like direct-connect fabric: aggregation blocks joined through an OCS layer, WCMP "
     "over direct and one-transit paths, circuits engineered to traffic (Poutievski et al., "
     "SIGCOMM 2022); or the spine-full twin",
     build_direct_connect},
    {"tpu_pod", "TPU v4-like pod: 4x4x4 cubes whose faces meet in OCSes, a slice of healthy cubes "
                "patched into a (twisted) 3D torus (Jouppi et al., ISCA 2023)",
     build_tpu_pod},
};

}  // namespace

std::span<const TopologyGenerator> topology_generators() { return kGenerators; }

const TopologyGenerator& find_topology_generator(const JsonNode& kind) {
  const std::string name = kind.as_string();
  std::vector<std::string> names;
  for (const auto& g : kGenerators) {
    if (g.name == name) return g;
    names.emplace_back(g.name);
  }
  kind.fail(fmt::format("unknown topology kind '{}'{}; known ones: {}", escape_text(name),
                        suggest(name, names), quoted_list(names)));
}

std::optional<topo::Placement> apply_placement(const JsonNode& spec, topo::Fabric& fabric) {
  const auto pl = spec.get("placement");
  if (!pl) return std::nullopt;
  pl->expect_keys({"rack_pitch", "row_pitch", "racks_per_row", "gpus_per_rack",
                   "switches_per_network_rack", "slack", "vertical_per_end", "propagation"});
  topo::FloorParams floor;
  // Lengths beyond a kilometre are not a floor plan; they would only overflow latencies.
  const auto length = [](const JsonNode& n) {
    const Length l = n.as_length();
    if (l.si() > 1000) n.fail(fmt::format("expected at most 1 km, got {}", l));
    return l;
  };
  if (const auto v = pl->get("rack_pitch")) floor.rack_pitch = length(*v);
  if (const auto v = pl->get("row_pitch")) floor.row_pitch = length(*v);
  if (const auto v = pl->get("racks_per_row")) floor.racks_per_row = static_cast<uint32_t>(v->as_int(1, 1 << 20));
  if (const auto v = pl->get("gpus_per_rack")) floor.gpus_per_rack = static_cast<uint32_t>(v->as_int(1, 1 << 20));
  if (const auto v = pl->get("switches_per_network_rack")) {
    floor.switches_per_network_rack = static_cast<uint32_t>(v->as_int(1, 1 << 20));
  }
  if (const auto v = pl->get("slack")) floor.slack = length(*v);
  if (const auto v = pl->get("vertical_per_end")) floor.vertical_per_end = length(*v);
  topo::CableOptions cable;
  // Propagation delay per metre of cable, e.g. "4.9 ns" for fibre (n ~ 1.47); written
  // as the delay of one metre until the physical layer gives media their own figures.
  if (const auto v = pl->get("propagation")) {
    cable.propagation_per_metre = v->as_duration(true);
    if (cable.propagation_per_metre.si() > 1e-6) {
      v->fail(fmt::format("expected at most 1 us per metre (light in fibre takes 4.9 ns), got {}",
                          cable.propagation_per_metre));
    }
  }
  topo::Placement placed = topo::place(fabric.topology, floor);
  fabric.topology = topo::with_cable_lengths(fabric.topology, placed, floor, cable);
  return placed;
}

topo::Placement apply_default_placement(topo::Fabric& fabric) {
  const topo::FloorParams floor;
  topo::Placement placed = topo::place(fabric.topology, floor);
  fabric.topology = topo::with_cable_lengths(fabric.topology, placed, floor);
  return placed;
}

void check_radix(const JsonNode& spec, const topo::Topology& t) {
  const auto over = topo::over_radix(t);
  if (over.empty()) return;
  const auto& o = over.front();
  // An explicit topology names its nodes: point at the node that is over its radix.
  JsonNode at = spec;
  if (const auto nodes = spec.get("nodes"); nodes && nodes->raw().is_array()) {
    for (size_t i = 0; i < nodes->size(); ++i) {
      const auto& n = (*nodes)[i].raw();
      if (n.is_object() && n.contains("name") && n["name"] == o.name) at = (*nodes)[i];
    }
  }
  at.fail(fmt::format("switch '{}' has {} links but only {} ports (its radix){}",
                        escape_text(o.name), o.used, o.radix,
                        over.size() > 1 ? fmt::format("; {} switches are over their radix",
                                                      over.size())
                                        : ""));
}

}  // namespace roshni::scenario
