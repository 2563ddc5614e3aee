#include "scenario/collective.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "roshni/coll/auto_select.h"
#include "roshni/coll/registry.h"
#include "roshni/coll/tuner.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/core/unit_parse.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/router.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/lookup.h"

namespace roshni::scenario {
namespace {

const std::vector<std::string> kInterAlgorithms = {"auto", "ring", "rhd", "tree", "sharp"};
constexpr int64_t kMaxChunks = int64_t{1} << 20;
constexpr coll::HopClass kHops[] = {coll::HopClass::nvlink, coll::HopClass::network,
                                    coll::HopClass::pcie};
constexpr int64_t kMaxChannels = 1024;

/// The figure of a catalog entry {"value": ..., "source": ...}.
JsonNode sourced(const JsonNode& parent, std::string_view key) {
  const JsonNode e = parent.at(key, "{\"value\": ..., \"source\": ...}");
  e.expect_keys({"value", "source"});
  e.at("source", "where the figure comes from");
  return e.at("value", "the figure");
}

/// A share in (0, 100 %].
double positive_fraction(const JsonNode& n) {
  const double v = n.as_fraction();
  if (!(v > 0)) n.fail("a share above 0 % and at most 100 % is expected here");
  return v;
}


class CollectiveReader {
 public:
  CollectiveReader(const topo::Fabric& fabric, const Document& doc, std::string catalog_dir,
                   size_t max_flows, net::FlowSet& flows, WorkloadInfo& workload)
      : fabric_(fabric),
        doc_(doc),
        catalog_dir_(std::move(catalog_dir)),
        max_flows_(max_flows),
        flows_(flows),
        workload_(workload) {}

  /// A collective: ranks, size and options read and checked where they are written, the
  /// algorithm named or picked by the auto rule (coll/auto_select.h), then its flows.
  void read(const JsonNode& w, coll::CollectiveKind kind) {
    using coll::CollectiveKind;
    switch (kind) {
      case CollectiveKind::all_reduce:
        w.expect_keys({"kind", "library", "algorithm", "size", "ranks", "chunks", "channels", "reduction_rate",
                       "domain_size", "inter", "dims"});
        break;
      case CollectiveKind::reduce_scatter:
        w.expect_keys(
            {"kind", "library", "algorithm", "size", "ranks", "chunks", "channels", "reduction_rate"});
        break;
      case CollectiveKind::all_gather:
        w.expect_keys({"kind", "library", "algorithm", "size", "ranks", "chunks", "channels"});
        break;
      case CollectiveKind::broadcast:
        w.expect_keys({"kind", "library", "algorithm", "size", "ranks", "root", "chunks", "channels"});
        break;
      case CollectiveKind::reduce:
        w.expect_keys({"kind", "library", "algorithm", "size", "ranks", "root", "chunks", "channels",
                       "reduction_rate"});
        break;
      case CollectiveKind::all_to_all:
        w.expect_keys({"kind", "library", "algorithm", "size", "ranks", "chunks", "channels", "domain_size"});
        break;
      case CollectiveKind::p2p:
        w.expect_keys({"kind", "library", "algorithm", "size", "src", "dst", "chunks", "channels"});
        break;
    }
    const std::optional<JsonNode> algorithm_node = w.get("algorithm");
    const std::string requested =
        algorithm_node ? algorithm_name(*algorithm_node, kind) : std::string("auto");

    coll::Collective c;
    c.kind = kind;
    c.size = w.at("size", "a data size like \"1 GiB\"").as_data_size();
    c.ranks = kind == CollectiveKind::p2p ? p2p_ranks(w) : collective_ranks(w, kind);
    const auto p = static_cast<uint32_t>(c.ranks.size());
    if (const auto r = w.get("root")) c.root = root_index(*r, c.ranks);
    if (const auto n = w.get("chunks")) c.chunks = static_cast<uint32_t>(n->as_int(1, kMaxChunks));
    if (const auto n = w.get("channels")) {
      c.channels = static_cast<uint32_t>(n->as_int(1, kMaxChannels));
    }
    if (const auto r = w.get("reduction_rate")) c.reduction_rate = rate_or_zero(*r);
    // The library (coll/library.h): its costs, and a protocol named or left to its tuner.
    std::optional<coll::Protocol> fixed_protocol;
    if (const auto l = w.get("library")) c.library = read_library(*l, fixed_protocol);
    const std::optional<JsonNode> domain_node = w.get("domain_size");
    if (domain_node) {
      c.domain_size = static_cast<uint32_t>(domain_node->as_int(1, p));
      if (p % c.domain_size != 0) {
        domain_node->fail(
            fmt::format("{} ranks do not divide into domains of {}", p, c.domain_size));
      }
    }

    // The algorithm: named, or the auto rule's pick from the topology's facts.
    std::string algorithm = requested;
    coll::TopologyFacts facts;
    const bool domains_algorithm = algorithm == "hierarchical" || algorithm == "nvls_tree";
    if (requested == "auto" || (domains_algorithm && kind == CollectiveKind::all_reduce)) {
      facts = topology_facts(c.ranks);
      if (domain_node) facts.domain_size = c.domain_size;
    }
    if (requested == "auto") {
      const coll::AutoChoice pick = coll::choose_algorithm(kind, p, c.size, facts);
      algorithm = pick.algorithm;
      workload_.selected_by = "auto: " + pick.reason;
    }

    // Options that belong to one algorithm.
    const auto only_for = [&](std::string_view key, std::string_view owner) {
      if (const auto n = w.get(key); n && algorithm != owner) {
        n->fail(fmt::format("'{}' applies only to the {} algorithm; this workload runs '{}'{}", key,
                            owner, algorithm, requested == "auto" ? " (picked by auto)" : ""));
      }
    };
    if (algorithm != "nvls_tree") {
      only_for("domain_size", "hierarchical");
      only_for("inter", "hierarchical");
    }
    if (algorithm != "bidirectional_multi_dimensional") only_for("dims", "multi_dimensional");
    if ((algorithm == "hierarchical" || algorithm == "nvls_tree") && !domain_node) {
      c.domain_size = topology_domain_size(fabric_);
      if (c.domain_size == 0) {
        w.fail(
            "missing 'domain_size': the number of consecutive ranks in a domain, like 8 (the "
            "topology has no scale-up domain to take it from)");
      }
      facts.domain_size = c.domain_size;
    }
    if ((algorithm == "hierarchical" || algorithm == "nvls_tree") &&
        kind == CollectiveKind::all_reduce) {
      std::string inter = "auto";
      if (const auto i = w.get("inter")) {
        inter = choice(*i, kInterAlgorithms, "inter-domain algorithm");
      }
      if (inter == "auto") {
        inter = coll::choose_inter(p, c.domain_size, c.size, facts).algorithm;
      }
      c.inter = inter;
      workload_.inter = inter;
    }
    if (algorithm == "multi_dimensional" || algorithm == "bidirectional_multi_dimensional") {
      const JsonNode dims =
          w.at("dims", "the rank grid, like [4, 4, 8]: its product is the number of ranks");
      for (size_t i = 0; i < dims.size(); ++i) {
        c.dims.push_back(static_cast<uint32_t>(dims[i].as_int(1, p)));
      }
    }

    // Options an algorithm gets from the library's practice unless the scenario sets them.
    const uint32_t node_size = c.library ? topology_facts(c.ranks).domain_size : 0;
    const auto prepare = [&](coll::Collective& x, const coll::CollectiveAlgorithm& alg) {
      // The reducing switches an algorithm names (coll/collective.h, in_network).
      x.in_network.clear();
      const auto add_group = [&](std::vector<NodeId> planes) {
        if (!planes.empty()) x.in_network.push_back(std::move(planes));
      };
      if (alg.name == "nvls") add_group(common_switches(x.ranks, true));
      // nvls_tree weighed by the tuner takes the topology's domains, as hierarchical does.
      if (alg.name == "nvls_tree" && x.domain_size == 0) x.domain_size = node_size;
      x.switch_link = [&t = fabric_.topology](NodeId from, NodeId to) {
        for (LinkId l : t.out_links(from)) {
          if (t.link_to(l) == to) return l;
        }
        ROSHNI_ASSERT(false, "no link from {} to {}", t.node_name(from), t.node_name(to));
        return LinkId();
      };
      if (alg.name == "nvls_tree" && x.domain_size > 0) {
        for (uint32_t g = 0; g < p / x.domain_size; ++g) {
          add_group(common_switches(
              std::vector<NodeId>(x.ranks.begin() + g * x.domain_size,
                                  x.ranks.begin() + (g + 1) * x.domain_size),
              true));
        }
      }
      if ((alg.name == "hierarchical" || alg.name == "nvls_tree") && x.inter == "sharp" &&
          (alg.name == "hierarchical" || x.in_network.size() == p / x.domain_size)) {
        for (uint32_t j = 0; j < x.domain_size; ++j) {
          std::vector<NodeId> rail;
          for (uint32_t i = j; i < p; i += x.domain_size) rail.push_back(x.ranks[i]);
          std::vector<NodeId> sw = common_switches(rail, false);
          if (sw.empty()) break;  // the check then says what is missing
          add_group({sw.front()});
        }
      }
      // NVLS streams 128 KiB pieces through the switch (NCCL_NVLS_CHUNKSIZE, transport/
      // nvls.cc): without chunks the reduction would wait for whole buffers. n is cut into
      // ceil(n / 128 KiB) chunks, at most 64 (the pipeline's fill then costs at most 1/64
      // of the transfer time).
      if ((alg.name == "nvls" || alg.name == "nvls_tree") && !w.has("chunks")) {
        constexpr double kNvlsPiece = 128.0 * 1024;
        x.chunks =
            static_cast<uint32_t>(std::clamp(std::ceil(x.size.si() / kNvlsPiece), 1.0, 64.0));
      }
      // NCCL's rings per NIC: across scale-up domains (nodes), each channel's ring enters
      // and leaves every node through a different GPU and so a different NIC, and a ring
      // gets one channel per GPU of a node.
      if (x.library && alg.name == "ring" && kind != CollectiveKind::p2p && node_size > 1 &&
          node_size < p) {
        x.channel_rotation = node_size;
        if (!w.has("channels")) x.channels = node_size;
      }
    };
    if (c.library && algorithm.starts_with("nvls") && !c.library->library.nvls) {
      (algorithm_node ? *algorithm_node : w)
          .fail("nvls is off in this library (\"nvls\": false: the GPUs or switches cannot "
                "reduce in the network, as A100s and second-generation NVSwitches)");
    }
    if (fixed_protocol && algorithm != "auto") {
      // A named protocol the named algorithm cannot run (NVLS runs only Simple).
      const auto runs = coll::protocols_for(*coll::find_collective_algorithm(kind, algorithm));
      if (std::find(runs.begin(), runs.end(), *fixed_protocol) == runs.end()) {
        w.at("library", "").at("protocol", "")
            .fail(fmt::format("{} runs only the Simple protocol, not {}", algorithm,
                              coll::to_string(*fixed_protocol)));
      }
    }
    if (c.library) {
      // The library's tuner: the protocol (and under auto, the algorithm among the rule's
      // pick and the ones NCCL would weigh against it) with the least predicted time.
      std::vector<const coll::CollectiveAlgorithm*> candidates = {
          coll::find_collective_algorithm(kind, algorithm)};
      if (requested == "auto" && !domain_node && !w.has("inter")) {
        // NCCL weighs its tree only across nodes (inside one its "tree" is a chain, no
        // faster than the ring): not when every rank shares one NVLink domain.
        const bool one_nvlink_domain =
            c.library->path(c.ranks.front(), c.ranks[p / 2]).hop == coll::HopClass::nvlink &&
            node_size == 0;
        for (const char* other : {"ring", "tree", "nvls", "nvls_tree"}) {
          const coll::CollectiveAlgorithm* o = coll::find_collective_algorithm(kind, other);
          if (o == nullptr || o == candidates.front()) continue;
          if (one_nvlink_domain && std::string_view(other) == "tree") continue;
          if (!c.library->library.nvls && std::string_view(other).starts_with("nvls")) continue;
          if (std::string_view(other) == "nvls_tree" && (node_size < 2 || node_size >= p)) continue;
          coll::Collective trial = c;
          prepare(trial, *o);
          if (!coll::check_collective(trial, *o) &&
              coll::flow_count(trial, *o) <= static_cast<double>(max_flows_)) {
            candidates.push_back(o);
          }
        }
      }
      coll::Collective first = c;
      prepare(first, *candidates.front());
      if (!coll::check_collective(first, *candidates.front())) {
        const coll::TunerChoice choice =
            coll::choose_by_prediction(c, candidates, fixed_protocol, prepare);
        algorithm = choice.algorithm->name;
        c.library->protocol = choice.protocol;
        workload_.selected_by = std::string(requested == "auto" ? "auto" : "library") + " (" +
                                c.library->library.name + " tuner): " + choice.reason;
      } else if (fixed_protocol) {
        c.library->protocol = *fixed_protocol;
      }
      workload_.library = c.library->library.name;
      workload_.protocol = std::string(coll::to_string(c.library->protocol));
    }
    const coll::CollectiveAlgorithm& a = *coll::find_collective_algorithm(kind, algorithm);
    prepare(c, a);
    if (const auto problem = coll::check_collective(c, a)) {
      // Point at the option at fault when the scenario wrote it, else at what chose it.
      std::optional<JsonNode> at = w.get(problem->field);
      if (!at) at = algorithm_node;
      std::string message = problem->message;
      if (problem->field == "ranks" && !w.has("ranks")) {
        message += fmt::format(" (the ranks are the topology's {} GPUs)", p);
      }
      if (problem->field == "domain_size" && !domain_node) {
        message += " (the topology's scale-up domain size; give 'domain_size' to choose another)";
      }
      (at ? *at : w).fail(message);
    }
    // Checked before building: a ring's 2p(p-1) flows grow fast, and a typo in a GPU
    // count should be an error, not an exhausted machine.
    const double flows = coll::flow_count(c, a);
    if (flows > static_cast<double>(max_flows_)) {
      w.fail(fmt::format("a {} {} over {} ranks is {} flows, more than the limit of {}", algorithm,
                         readable(kind), p, flows, max_flows_));
    }
    coll::append_collective(c, a, flows_);
    workload_.algorithm = algorithm;
    workload_.chunks = c.chunks;
    workload_.channels = c.channels;
    workload_.ranks = p;
    workload_.root = c.root;
    workload_.size = c.size;
  }

  coll::LibraryUse read_library(const JsonNode& n, std::optional<coll::Protocol>& fixed) const {
    return scenario::read_library(n, fabric_.topology, *fabric_.router, doc_.reader(), catalog_dir_, fixed);
  }

  /// The scale-up switches every rank has a link to, in node order: where an in-network
  /// reduction (nvls) can run, one per plane.
  /// `scale_up`: over scale-up links (NVLS); else over any other (a network switch, SHARP).
  std::vector<NodeId> common_switches(const std::vector<NodeId>& ranks, bool scale_up) const {
    const topo::Topology& t = fabric_.topology;
    std::vector<NodeId> common;
    for (LinkId l : t.out_links(ranks.front())) {
      const NodeId sw = t.link_to(l);
      if (t.node_kind(sw) != topo::NodeKind::switch_ || (t.link_role(l) == "scale-up") != scale_up) {
        continue;
      }
      if (std::find(common.begin(), common.end(), sw) != common.end()) continue;
      const bool everyone = std::all_of(ranks.begin(), ranks.end(), [&](NodeId r) {
        const auto out = t.out_links(r);
        return std::any_of(out.begin(), out.end(), [&](LinkId x) { return t.link_to(x) == sw; });
      });
      if (everyone) common.push_back(sw);
    }
    std::sort(common.begin(), common.end());
    return common;
  }

  /// The algorithm named at `n` for `kind`: one of its registered names or "auto".
  std::string algorithm_name(const JsonNode& n, coll::CollectiveKind kind) const {
    std::vector<std::string> known = coll::algorithm_names(kind);
    known.insert(known.begin(), "auto");
    const std::string name = n.as_string();
    if (std::find(known.begin(), known.end(), name) != known.end()) return name;
    std::vector<std::string> other_kinds;
    for (const coll::CollectiveKind k : coll::kCollectiveKinds) {
      if (k != kind && coll::find_collective_algorithm(k, name)) {
        other_kinds.emplace_back(coll::to_string(k));
      }
    }
    if (!other_kinds.empty()) {
      n.fail(fmt::format("'{}' is not an algorithm for {} (it is one for {}); {}'s are {}",
                         escape_text(name), coll::to_string(kind), quoted_list(other_kinds),
                         coll::to_string(kind), quoted_list(known)));
    }
    return choice(n, known, readable(kind) + " algorithm");
  }

  /// "all-reduce", "p2p", ...: a kind as prose.
  static std::string readable(coll::CollectiveKind kind) {
    std::string s(coll::to_string(kind));
    std::replace(s.begin(), s.end(), '_', '-');
    return s;
  }

  /// The ranks of a collective: the node names listed in "ranks", or every GPU.
  std::vector<NodeId> collective_ranks(const JsonNode& w, coll::CollectiveKind kind) const {
    const topo::Topology& t = fabric_.topology;
    const std::string what = readable(kind);
    const std::string a = what.starts_with("a") ? "an " : "a ";
    std::vector<NodeId> ranks;
    if (const auto r = w.get("ranks")) {
      const size_t n = r->size();
      std::vector<size_t> first_at(t.node_count(), SIZE_MAX);
      for (size_t i = 0; i < n; ++i) {
        const JsonNode e = (*r)[i];
        const NodeId id = node_ref(e);
        if (first_at[id.value()] != SIZE_MAX) {
          e.fail(fmt::format("rank '{}' is listed twice (also at {}/{})",
                             escape_text(t.node_name(id)), r->pointer(), first_at[id.value()]));
        }
        first_at[id.value()] = i;
        ranks.push_back(id);
      }
      if (ranks.size() < 2) {
        r->fail(fmt::format("{}{} needs at least 2 ranks, got {}", a, what, ranks.size()));
      }
    } else {
      ranks = t.gpus();
      if (ranks.size() < 2) {
        w.fail(
            fmt::format("{}{} needs at least 2 GPUs; the topology has {}", a, what, ranks.size()));
      }
    }
    return ranks;
  }

  /// A p2p's two ranks, {src, dst}.
  std::vector<NodeId> p2p_ranks(const JsonNode& w) const {
    const NodeId src = node_ref(w.at("src", "the name of the sending node, like \"gpu0\""));
    const JsonNode dst_node = w.at("dst", "the name of the receiving node, like \"gpu1\"");
    const NodeId dst = node_ref(dst_node);
    if (src == dst) {
      dst_node.fail(fmt::format("a p2p needs two different nodes; src and dst are both '{}'",
                                escape_text(fabric_.topology.node_name(src))));
    }
    return {src, dst};
  }

  /// A broadcast's root: the name of one of the ranks.
  uint32_t root_index(const JsonNode& r, const std::vector<NodeId>& ranks) const {
    const NodeId root = node_ref(r);
    const auto it = std::find(ranks.begin(), ranks.end(), root);
    if (it == ranks.end()) {
      r.fail(fmt::format("the root '{}' is not one of the ranks",
                         escape_text(fabric_.topology.node_name(root))));
    }
    return static_cast<uint32_t>(it - ranks.begin());
  }

  /// A data rate where "0 B/s" (or any zero) is allowed: a reduction that costs nothing.
  static DataRate rate_or_zero(const JsonNode& n) {
    if (n.raw().is_string()) {
      const auto v = parse_quantity(n.raw().get<std::string>(), QuantityKind::data_rate);
      if (const double* x = std::get_if<double>(&v); x && *x == 0.0) return DataRate();
    }
    return n.as_data_rate();
  }

  /// What the auto rule knows about the topology under `ranks`: the scale-up domain
  /// size if every run of that many consecutive ranks is one domain, and the latency
  /// and narrowest link of the path from rank 0 to rank p/2.
  coll::TopologyFacts topology_facts(const std::vector<NodeId>& ranks) const {
    const topo::Topology& t = fabric_.topology;
    coll::TopologyFacts f;
    if (const uint32_t d = topology_domain_size(fabric_); d > 0 && ranks.size() % d == 0) {
      // GPU i of a Clos fabric is node i, and domain k holds GPUs kd .. kd+d-1.
      const auto domain_of = [&](NodeId n) {
        return t.node_kind(n) == topo::NodeKind::gpu ? n.value() / d : UINT32_MAX;
      };
      bool aligned = true;
      for (size_t i = 0; i < ranks.size() && aligned; ++i) {
        aligned =
            domain_of(ranks[i]) != UINT32_MAX && domain_of(ranks[i]) == domain_of(ranks[i - i % d]);
      }
      if (aligned) f.domain_size = d;
    }
    const NodeId a = ranks.front(), b = ranks[ranks.size() / 2];
    if (t.node_kind(a) != topo::NodeKind::gpu || t.node_kind(b) != topo::NodeKind::gpu) return f;
    std::vector<LinkId> path;
    if (!fabric_.router->route(a, b, 0, path) || path.empty()) return f;
    f.latency = topo::path_latency(t, path);
    f.bandwidth = t.link_capacity(path.front());
    for (LinkId l : path) f.bandwidth = std::min(f.bandwidth, t.link_capacity(l));
    return f;
  }

 private:
  NodeId node_ref(const JsonNode& n) const { return scenario::node_ref(n, fabric_.topology); }

  const topo::Fabric& fabric_;
  const Document& doc_;
  std::string catalog_dir_;
  size_t max_flows_;
  net::FlowSet& flows_;
  WorkloadInfo& workload_;
};

}  // namespace

coll::LibraryUse read_library(const JsonNode& n, const topo::Topology& topology, topo::Router& router,
                              const FileReader& reader, const std::string& catalog_dir,
                              std::optional<coll::Protocol>& fixed) {
  std::optional<JsonNode> overrides;
  std::string name;
  if (n.raw().is_string()) {
    name = n.as_string();
  } else {
    n.expect_keys({"name", "protocol", "link_efficiency", "nvls_efficiency", "nvls"});
    name = n.at("name", "a library of configs/libraries.json, like \"nccl\"").as_string();
    overrides = n;
  }
  const Document catalog =
      Document::load(resolve_relative(catalog_dir, "libraries.json"), reader);
  catalog.root().expect_keys({"schema", "description", "libraries"});
  const JsonNode all = catalog.root().at("libraries", "the libraries by name");
  std::vector<std::string> known;
  for (const auto& [key, value] : all.raw().items()) known.push_back(key);
  choice(overrides ? overrides->at("name", "") : n, known, "library");
  const JsonNode e = all.at(name, "");
  e.expect_keys({"version", "source", "protocols", "link_efficiency", "nvls_efficiency",
                 "nvls_step_latency", "sharp_step_latency"});
  e.at("source", "where the library's figures come from");
  coll::LibraryUse use;
  coll::Library& lib = use.library;
  lib.name = name;
  const JsonNode protocols = e.at("protocols", "per protocol: payload, launch, step_latency");
  protocols.expect_keys({"LL", "LL128", "Simple"});
  for (coll::Protocol p : coll::kProtocols) {
    const JsonNode pr = protocols.at(coll::to_string(p), "the protocol's costs");
    pr.expect_keys({"payload", "launch", "step_latency"});
    coll::ProtocolCosts& costs = lib.costs(p);
    costs.payload = positive_fraction(sourced(pr, "payload"));
    costs.launch = sourced(pr, "launch").as_sim_time(true);
    const JsonNode steps = pr.at("step_latency", "per hop class: nvlink, network, pcie");
    steps.expect_keys({"nvlink", "network", "pcie"});
    for (coll::HopClass h : kHops) {
      costs.step_latency[static_cast<size_t>(h)] =
          sourced(steps, coll::to_string(h)).as_sim_time(true);
    }
  }
  const JsonNode eff = e.at("link_efficiency", "per hop class: nvlink, network, pcie");
  eff.expect_keys({"nvlink", "network", "pcie"});
  for (coll::HopClass h : kHops) {
    lib.link_efficiency[static_cast<size_t>(h)] =
        positive_fraction(sourced(eff, coll::to_string(h)));
  }
  lib.nvls_efficiency = positive_fraction(sourced(e, "nvls_efficiency"));
  lib.nvls_step_latency = sourced(e, "nvls_step_latency").as_sim_time(true);
  lib.sharp_step_latency = sourced(e, "sharp_step_latency").as_sim_time(true);

  if (overrides) {
    if (const auto pr = overrides->get("protocol")) {
      std::vector<std::string> names = {"auto"};
      for (coll::Protocol p : coll::kProtocols) names.emplace_back(coll::to_string(p));
      const std::string v = choice(*pr, names, "protocol");
      if (v != "auto") fixed = coll::protocol_named(v);
    }
    if (const auto le = overrides->get("link_efficiency")) {
      le->expect_keys({"nvlink", "network", "pcie"});
      for (coll::HopClass h : kHops) {
        if (const auto v = le->get(coll::to_string(h))) {
          lib.link_efficiency[static_cast<size_t>(h)] = positive_fraction(*v);
        }
      }
    }
    if (const auto v = overrides->get("nvls_efficiency")) lib.nvls_efficiency = positive_fraction(*v);
    if (const auto v = overrides->get("nvls")) lib.nvls = v->as_bool();
  }
  // A hop is NVLink when every link of its path is a scale-up link; routed once per
  // pair of nodes and remembered (a collective's pairs repeat over steps and chunks).
  auto memo = std::make_shared<std::map<std::pair<uint32_t, uint32_t>, coll::PathFacts>>();
  use.path = [memo, t = &topology, router = &router](NodeId a, NodeId b) {
    const auto key = std::make_pair(a.value(), b.value());
    if (const auto it = memo->find(key); it != memo->end()) return it->second;
    std::vector<LinkId> path;
    coll::PathFacts f;
    if (t->node_kind(a) != topo::NodeKind::gpu || t->node_kind(b) != topo::NodeKind::gpu) {
      // A rank and its reducing switch: the link between them (routers route GPUs).
      for (LinkId l : t->out_links(a)) {
        if (t->link_to(l) == b) {
          path.push_back(l);
          break;
        }
      }
    } else {
      router->route(a, b, 0, path);
    }
    if (!path.empty()) {
      f.latency = topo::path_latency(*t, path);
      f.rate = t->link_capacity(path.front());
      bool scale_up = true, pcie = true;
      for (LinkId l : path) {
        f.rate = std::min(f.rate, t->link_capacity(l));
        scale_up = scale_up && t->link_role(l) == "scale-up";
        pcie = pcie && (t->link_role(l) == "pcie" || t->link_role(l) == "scale-up");
      }
      if (scale_up) {
        f.hop = coll::HopClass::nvlink;
      } else if (pcie) {
        f.hop = coll::HopClass::pcie;
      }
    }
    memo->emplace(key, f);
    return f;
  };
  return use;
}

void load_collective(const JsonNode& w, coll::CollectiveKind kind, const topo::Fabric& fabric,
                     const Document& doc, const std::string& catalog_dir, size_t max_flows,
                     net::FlowSet& flows, WorkloadInfo& info) {
  CollectiveReader(fabric, doc, catalog_dir, max_flows, flows, info).read(w, kind);
}

uint32_t topology_domain_size(const topo::Fabric& fabric) {
  const auto* clos = dynamic_cast<const topo::ClosFabric*>(&fabric);
  if (clos == nullptr || clos->shape.domains == 0) return 0;
  return clos->shape.gpus / clos->shape.domains;
}

}  // namespace roshni::scenario
