#include "roshni/scenario/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <unordered_map>

#include "roshni/coll/auto_select.h"
#include "roshni/coll/registry.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/net/paths.h"
#include "roshni/topo/clos.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/ocs.h"
#include "roshni/topo/placement.h"
#include "roshni/topo/router.h"
#include "scenario/file_path.h"
#include "scenario/json_parse.h"
#include "scenario/json_text.h"
#include "scenario/energy.h"
#include "scenario/failures.h"
#include "scenario/packet_config.h"
#include "scenario/physical.h"
#include "scenario/topologies.h"
#include "scenario/training.h"

// The order of the checks matters to users: each level's kind is read before its keys
// are checked (the allowed keys depend on it), and names are checked where they are
// written, so every message points at the value to fix. Lookups by name go through hash
// maps that are never iterated; candidate lists for suggestions are in file order.

namespace roshni::scenario {
namespace {

constexpr int64_t kMaxSeed = int64_t{1} << 53;  // exact in a double, so reports keep it

const std::vector<std::string> kNetworkModels = {"flow", "packet"};
const std::vector<std::string> kWorkloadKinds = {
    "all_reduce", "all_gather", "reduce_scatter", "broadcast", "all_to_all", "p2p", "flow_trace",
    "training"};
const std::vector<std::string> kInterAlgorithms = {"auto", "ring", "rhd", "tree"};
constexpr int64_t kMaxChunks = int64_t{1} << 20;
constexpr int64_t kMaxChannels = 1024;

/// The string at `node`, which must be one of `known`; `what` names the choice.
std::string choice(const JsonNode& node, const std::vector<std::string>& known,
                   std::string_view what) {
  const std::string s = node.as_string();
  if (std::find(known.begin(), known.end(), s) != known.end()) return s;
  const std::string hint = suggest(s, known);
  node.fail(fmt::format("unknown {} '{}'{}{}: {}", what, escape_text(s), hint,
                        hint.empty() ? "; known ones" : " Known ones", quoted_list(known)));
}

/// The file name without its directory and a ".json" ending.
std::string default_name(const std::string& file) {
  std::string name = std::filesystem::path(file).filename().string();
  if (name.ends_with(".json")) name.resize(name.size() - 5);
  return name;
}

/// "'a' -> 'b' -> 'a'", with long cycles shortened in the middle.
std::string describe_cycle(const net::FlowSet& flows, const std::vector<FlowId>& cycle) {
  constexpr size_t kShown = 8;
  std::string out;
  for (size_t i = 0; i < cycle.size(); ++i) {
    if (cycle.size() > kShown + 2 && i == kShown / 2) {
      out += fmt::format("... ({} more) -> ", cycle.size() - kShown);
      i = cycle.size() - kShown / 2;
    }
    out += "'" + escape_text(flows.label(cycle[i])) + "' -> ";
  }
  return out + "'" + escape_text(flows.label(cycle.front())) + "'";
}

class Builder {
 public:
  Builder(const Document& doc, const LoadOptions& options, std::string file)
      : doc_(doc), options_(options) {
    out_.file = std::move(file);
  }

  Scenario build() {
    const JsonNode root = doc_.root();
    if (!root.is_object()) root.fail("expected a JSON object at the top level");
    // The schema first: a file from a newer Roshni should hear that, not about its keys.
    if (const auto schema = root.get("schema")) {
      const int64_t v = schema->as_int(0, std::numeric_limits<int32_t>::max());
      if (v != kScenarioSchema) {
        schema->fail(fmt::format("unsupported schema {}; this version of roshni reads schema {}", v,
                                 kScenarioSchema));
      }
    }
    root.expect_keys({"schema", "name", "description", "extends", "seed", "topology", "physical",
                      "failures", "network", "workload", "report", "energy", "thermal",
                      "facility"});

    out_.name = default_name(out_.file);
    if (const auto n = root.get("name")) out_.name = n->as_name("a scenario name");
    if (const auto d = root.get("description")) out_.description = d->as_string();
    if (const auto s = root.get("seed")) out_.seed = static_cast<uint64_t>(s->as_int(0, kMaxSeed));
    if (options_.seed) out_.seed = *options_.seed;

    topology(root.at("topology",
                     "an object describing the cluster, like {\"kind\": \"star\", \"gpus\": 8, "
                     "\"link\": {\"bandwidth\": \"400 Gbps\"}}"));
    network(root.get("network"));
    if (options_.topology_only) {
      // `roshni topo`: the cluster alone; a workload, if any, is not read.
      out_.topology = std::move(fabric_->topology);
      return std::move(out_);
    }
    workload(root.at("workload",
                     "an object describing the traffic, like {\"kind\": \"all_reduce\", "
                     "\"size\": \"1 GiB\"}"));
    report(root.get("report"));
    route();
    out_.run_options.seed = out_.seed;
    circuit_schedule();
    if (const auto f = root.get("failures")) {
      add_failures(*f, topology_(), out_.seed, out_.run_options.steps);
    }
    check_packet_model();
    packet_switch_parts();
    power();
    // Routing is done; the scenario keeps the topology, the router is no longer needed.
    out_.topology = std::move(fabric_->topology);
    return std::move(out_);
  }

 private:
  // ---- topology ----

  void topology(const JsonNode& t) {
    const auto& generator = find_topology_generator(
        t.at("kind", "the topology kind, like \"star\", \"fat_tree\" or \"explicit\""));
    // Sizes are judged before anything is built (limits.h): the topology's, then the
    // flows a collective over its GPUs would make.
    fabric_ = generator.build(t, [&](const SizeEstimate& size) {
      check_topology_size(t, generator.name, size);
      if (const auto w = doc_.root().get("workload"); w && !options_.topology_only) {
        check_workload_size(*w, size.gpus, options_.max_flows);
      }
    });
    const auto physical = doc_.root().get("physical");
    if (physical && t.has("placement") && t.at("placement", "").has("propagation")) {
      t.at("placement", "").at("propagation", "").fail(
          "with a 'physical' section each link's part sets its own propagation delay; remove "
          "'propagation' here (it would count the delay twice)");
    }
    if (physical && !t.has("placement")) {
      // Media depend on cable lengths: place on the default floor unless told otherwise.
      placement_ = apply_default_placement(*fabric_);
    }
    if (auto placed = apply_placement(t, *fabric_)) placement_ = std::move(placed);
    if (physical) {
      std::string dir = options_.catalog_dir;
      if (const auto c = physical->get("catalog")) {
        dir = resolve_relative(doc_.base_dir_of(c->pointer()), c->as_string());
      }
      out_.catalog = load_catalog(dir, doc_.reader());
      add_scenario_parts(*physical, dir, doc_.reader(), out_.catalog);
      const auto named = physical->get("ocs");
      if (named && dynamic_cast<const topo::OcsFabric*>(fabric_.get()) != nullptr) {
        // An unknown name is apply_physical's error, with suggestions.
        if (const auto it = out_.catalog.ocs.find(named->as_string()); it != out_.catalog.ocs.end()) {
          check_ocs_part(*named, it->second, out_.catalog.switches_file, t.at("ocs", ""));
        }
      }
      PhysicalSummary ps = apply_physical(*physical, out_.catalog, fabric_->topology);
      out_.budget_warnings = ps.budget_warnings;
      link_loss_db_ = std::move(ps.link_loss_db);
    }
    check_radix(t, fabric_->topology);
  }

  const topo::Topology& topology_() const { return fabric_->topology; }

  /// With the packet model, the switches' catalog parts (energy.switches) give their
  /// ports' buffers and their switching, where the catalog has them.
  void packet_switch_parts() {
    if (out_.network_model != "packet") return;
    const auto en = doc_.root().get("energy");
    const auto spec = en ? en->get("switches") : std::nullopt;
    if (!spec) return;
    const CatalogFile catalog = packet_switch_catalog(catalog_dir(), doc_.reader());
    const SwitchParts parts(*spec, catalog);
    const auto n = doc_.root().get("network");
    apply_switch_parts(n ? n->get("packet") : std::nullopt, topology_(), parts, *spec,
                       out_.packet);
  }

  /// The catalog directory: physical.catalog, relative to its file, else the default.
  std::string catalog_dir() const {
    std::string dir = options_.catalog_dir;
    if (const auto physical = doc_.root().get("physical")) {
      if (const auto c = physical->get("catalog")) {
        dir = resolve_relative(doc_.base_dir_of(c->pointer()), c->as_string());
      }
    }
    return dir;
  }

  // ---- energy, heat, facility ----

  void power() {
    const auto& t = topology_();
    // Racks: where placement put each node; without a placement, the default floor
    // (which only assigns racks here: the links keep their lengths).
    const topo::Placement placed = placement_ ? *placement_ : topo::place(t);
    std::vector<std::string> rack_names;
    for (uint32_t r = 0; r < placed.racks.size(); ++r) {
      rack_names.push_back(fmt::format("{}{}", r < placed.gpu_racks ? "rack" : "netrack", r));
    }
    read_power(doc_, catalog_dir(), t, out_.catalog, link_loss_db_, placed.node_rack, rack_names,
               out_.training ? out_.training->spec.accelerator : std::string(), out_.power);
    // A training run's campaign is the iterations that train its tokens, unless the
    // facility says how many repeats.
    const auto fac = doc_.root().get("facility");
    if (out_.power.facility && out_.training && out_.training->spec.train_tokens > 0 &&
        out_.training->tokens_per_iteration > 0 && !(fac && fac->has("repeats"))) {
      out_.power.facility->repeats =
          std::ceil(out_.training->spec.train_tokens / out_.training->tokens_per_iteration);
    }
  }

  // ---- network ----

  void network(const std::optional<JsonNode>& n) {
    if (!n) return;
    n->expect_keys({"model", "packet"});
    if (const auto m = n->get("model"))
      out_.network_model = choice(*m, kNetworkModels, "network model");
    if (const auto p = n->get("packet")) out_.packet = read_packet_config(*p);
  }

  /// What only the packet model limits.
  void check_packet_model() {
    if (out_.network_model != "packet") return;
    // The packet model numbers a flow's packets in 32 bits.
    const double most = static_cast<double>(out_.packet.mtu) * 4294967295.0;
    for (uint32_t f = 0; f < out_.flows.size(); ++f) {
      if (out_.flows.flow_size(FlowId(f)).si() > most) {
        doc_.root().at("workload", "").fail(fmt::format(
            "flow '{}' needs more than 2^32 packets of {} B; raise network.packet.mtu or use "
            "the flow model",
            escape_text(out_.flows.label(FlowId(f))), out_.packet.mtu));
      }
    }
  }

  // ---- workload ----

  void workload(const JsonNode& w) {
    const std::string kind =
        choice(w.at("kind", "the workload kind, like 'all_reduce', 'all_to_all' or 'flow_trace'"),
               kWorkloadKinds, "workload kind");
    out_.workload.kind = kind;
    if (kind == "flow_trace") {
      flow_trace(w);
    } else if (kind == "training") {
      training(w);
    } else {
      collective(w, *coll::collective_kind(kind));
    }
  }

  /// A collective: ranks, size and options read and checked where they are written, the
  /// algorithm named or picked by the auto rule (coll/auto_select.h), then its flows.
  void collective(const JsonNode& w, coll::CollectiveKind kind) {
    using coll::CollectiveKind;
    switch (kind) {
      case CollectiveKind::all_reduce:
        w.expect_keys({"kind", "algorithm", "size", "ranks", "chunks", "channels", "reduction_rate",
                       "domain_size", "inter", "dims"});
        break;
      case CollectiveKind::reduce_scatter:
        w.expect_keys(
            {"kind", "algorithm", "size", "ranks", "chunks", "channels", "reduction_rate"});
        break;
      case CollectiveKind::all_gather:
        w.expect_keys({"kind", "algorithm", "size", "ranks", "chunks", "channels"});
        break;
      case CollectiveKind::broadcast:
        w.expect_keys({"kind", "algorithm", "size", "ranks", "root", "chunks", "channels"});
        break;
      case CollectiveKind::all_to_all:
        w.expect_keys({"kind", "algorithm", "size", "ranks", "chunks", "channels", "domain_size"});
        break;
      case CollectiveKind::p2p:
        w.expect_keys({"kind", "algorithm", "size", "src", "dst", "chunks", "channels"});
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
    if (requested == "auto" ||
        (algorithm == "hierarchical" && kind == CollectiveKind::all_reduce)) {
      facts = topology_facts(c.ranks);
      if (domain_node) facts.domain_size = c.domain_size;
    }
    if (requested == "auto") {
      const coll::AutoChoice pick = coll::choose_algorithm(kind, p, c.size, facts);
      algorithm = pick.algorithm;
      out_.workload.selected_by = "auto: " + pick.reason;
    }
    const coll::CollectiveAlgorithm& a = *coll::find_collective_algorithm(kind, algorithm);

    // Options that belong to one algorithm.
    const auto only_for = [&](std::string_view key, std::string_view owner) {
      if (const auto n = w.get(key); n && algorithm != owner) {
        n->fail(fmt::format("'{}' applies only to the {} algorithm; this workload runs '{}'{}", key,
                            owner, algorithm, requested == "auto" ? " (picked by auto)" : ""));
      }
    };
    only_for("domain_size", "hierarchical");
    only_for("inter", "hierarchical");
    only_for("dims", "multi_dimensional");
    if (algorithm == "hierarchical" && !domain_node) {
      c.domain_size = topology_domain_size();
      if (c.domain_size == 0) {
        w.fail(
            "missing 'domain_size': the number of consecutive ranks in a domain, like 8 (the "
            "topology has no scale-up domain to take it from)");
      }
      facts.domain_size = c.domain_size;
    }
    if (algorithm == "hierarchical" && kind == CollectiveKind::all_reduce) {
      std::string inter = "auto";
      if (const auto i = w.get("inter")) {
        inter = choice(*i, kInterAlgorithms, "inter-domain algorithm");
      }
      if (inter == "auto") {
        inter = coll::choose_inter(p, c.domain_size, c.size, facts).algorithm;
      }
      c.inter = inter;
      out_.workload.inter = inter;
    }
    if (algorithm == "multi_dimensional") {
      const JsonNode dims =
          w.at("dims", "the rank grid, like [4, 4, 8]: its product is the number of ranks");
      for (size_t i = 0; i < dims.size(); ++i) {
        c.dims.push_back(static_cast<uint32_t>(dims[i].as_int(1, p)));
      }
    }

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
    if (flows > static_cast<double>(options_.max_flows)) {
      w.fail(fmt::format("a {} {} over {} ranks is {} flows, more than the limit of {}", algorithm,
                         readable(kind), p, flows, options_.max_flows));
    }
    coll::append_collective(c, a, out_.flows);
    out_.workload.algorithm = algorithm;
    out_.workload.chunks = c.chunks;
    out_.workload.channels = c.channels;
    out_.workload.ranks = p;
    out_.workload.size = c.size;
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
    const topo::Topology& t = topology_();
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
                                escape_text(topology_().node_name(src))));
    }
    return {src, dst};
  }

  /// A broadcast's root: the name of one of the ranks.
  uint32_t root_index(const JsonNode& r, const std::vector<NodeId>& ranks) const {
    const NodeId root = node_ref(r);
    const auto it = std::find(ranks.begin(), ranks.end(), root);
    if (it == ranks.end()) {
      r.fail(fmt::format("the root '{}' is not one of the ranks",
                         escape_text(topology_().node_name(root))));
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

  /// GPUs per scale-up domain of the topology (a Clos fabric's "scale_up"), or 0.
  uint32_t topology_domain_size() const {
    const auto* clos = dynamic_cast<const topo::ClosFabric*>(fabric_.get());
    if (clos == nullptr || clos->shape.domains == 0) return 0;
    return clos->shape.gpus / clos->shape.domains;
  }

  /// What the auto rule knows about the topology under `ranks`: the scale-up domain
  /// size if every run of that many consecutive ranks is one domain, and the latency
  /// and narrowest link of the path from rank 0 to rank p/2.
  coll::TopologyFacts topology_facts(const std::vector<NodeId>& ranks) const {
    const topo::Topology& t = topology_();
    coll::TopologyFacts f;
    if (const uint32_t d = topology_domain_size(); d > 0 && ranks.size() % d == 0) {
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
    if (!fabric_->router->route(a, b, 0, path) || path.empty()) return f;
    f.latency = topo::path_latency(t, path);
    f.bandwidth = t.link_capacity(path.front());
    for (LinkId l : path) f.bandwidth = std::min(f.bandwidth, t.link_capacity(l));
    return f;
  }

  /// A training iteration (scenario/training.cpp, work/training.h).
  void training(const JsonNode& w) {
    TrainingContext ctx;
    ctx.topology = &topology_();
    ctx.domain_size = topology_domain_size();
    ctx.catalog_dir = options_.catalog_dir;
    if (const auto ph = doc_.root().get("physical"); ph && ph->has("catalog")) {
      const JsonNode c = ph->at("catalog", "");
      ctx.catalog_dir = resolve_relative(doc_.base_dir_of(c.pointer()), c.as_string());
    }
    ctx.reader = doc_.reader();
    ctx.max_flows = options_.max_flows;
    ctx.router = fabric_->router.get();
    ctx.seed = out_.seed;
    ctx.fold_refusal = fold_refusal();
    out_.training = load_training(w, ctx, out_.flows, out_.fold);
    if (out_.fold.replicas > 1) out_.fold.caveat = fold_caveat();
    out_.workload.ranks = static_cast<uint32_t>(topology_().gpus().size());
    out_.workload.size = out_.flows.total_size();
  }

  /// Why one data-parallel replica cannot stand for all on this scenario's fabric, or ""
  /// (docs/models/scale.md, "Where it applies"): the replicas must see the same fabric and
  /// not contend in it, and nothing may tell them apart during the run.
  std::string fold_refusal() const {
    const JsonNode root = doc_.root();
    const JsonNode t = root.at("topology", "");
    const std::string kind = t.at("kind", "").as_string();
    if (kind != "star" && kind != "fat_tree" && kind != "rail_optimized") {
      return fmt::format("the topology is a {}; only star, fat_tree and rail_optimized fabrics are "
                         "folded, whose replicas see alike, non-blocking paths", kind);
    }
    if (const auto o = t.get("oversubscription")) {
      const auto above_one = [](const nlohmann::json& v) { return !v.is_number() || v.get<double>() != 1.0; };
      bool over = false;
      if (o->raw().is_array()) {
        for (const auto& v : o->raw()) over = over || above_one(v);
      } else {
        over = above_one(o->raw());
      }
      if (over) {
        return "the fabric is oversubscribed (topology.oversubscription), so the replicas contend "
               "for its uplinks, which one replica alone cannot see";
      }
    }
    if (root.has("failures")) return "failures make the replicas differ";
    if (out_.network_model == "packet") return "the packet model runs every replica's packets";
    if (const auto th = root.get("thermal"); th && th->has("model") &&
                                              th->at("model", "").as_string() == "rc") {
      return "the rc thermal model follows every rack's own temperature during the run";
    }
    return "";
  }

  /// With hashed multipath the replicas' flows collide on the spines, which one replica
  /// cannot see (docs/models/scale.md, "Where the error comes from").
  std::string fold_caveat() const {
    const JsonNode t = doc_.root().at("topology", "");
    if (t.at("kind", "").as_string() == "star") return "";
    const auto r = t.get("routing");
    const std::string routing = r ? r->as_string() : "ecmp";
    if (routing == "dmodk") return "";
    return fmt::format("with \"routing\": \"{}\" the replicas' flows collide on shared links, which "
                       "one replica does not see: the iteration is a lower bound (1.5-2.0 % below "
                       "every replica's at 1,024-4,096 GPUs; \"dmodk\" routing makes the replicas "
                       "exact copies; docs/models/scale.md)", routing);
  }

  void flow_trace(const JsonNode& w) {
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
    trace_ = parse_json(*text, path);
    trace_file_of_ = [path](const std::string&) { return path; };
    const JsonNode root(trace_, "", &trace_file_of_);
    if (!root.is_object()) {
      root.fail(
          fmt::format("expected a flow trace, a JSON object like {{\"flows\": [...]}}, got {}",
                      describe_value(trace_)));
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
    if (n > options_.max_flows || n >= FlowId::kInvalid) {
      list.fail(fmt::format("{} flows is more than the limit of {}", n, options_.max_flows));
    }
    flows_node_ = list;

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
    const topo::Topology& t = topology_();
    out_.flows.reserve(n, dep_count);
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

      const FlowId id = out_.flows.add(ids[i], src, dst, size, deps, start);
      ROSHNI_ASSERT(id.value() == i, "flow {} got id {}", i, id.value());
      if (const auto p = f.get("path")) pin_path(*p, id, src, dst, hops);

      for (const NodeId e : {src, dst}) {
        if (!endpoint[e.value()]) {
          endpoint[e.value()] = 1;
          ++endpoints;
        }
      }
    }
    out_.workload.ranks = endpoints;
    out_.workload.size = out_.flows.total_size();
  }

  /// An explicit path: node names from src to dst, each pair joined by a link.
  void pin_path(const JsonNode& p, FlowId flow, NodeId src, NodeId dst, std::vector<NodeId>& hops) {
    const topo::Topology& t = topology_();
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
    out_.flows.set_path(flow, along.links);
  }

  // ---- report ----

  void report(const std::optional<JsonNode>& r) {
    if (!r) return;
    r->expect_keys({"per_flow"});
    if (const auto p = r->get("per_flow")) out_.report.per_flow = p->as_bool();
  }

  // ---- routes and dependencies ----

  void route() {
    const topo::Topology& t = topology_();
    std::vector<FlowId> unroutable;
    out_.paths = net::route_all(t, *fabric_->router, out_.flows, unroutable, out_.seed);
    if (!unroutable.empty()) {
      const FlowId f = unroutable.front();
      const std::string more =
          unroutable.size() > 1
              ? fmt::format(" ({} flows have no route; this is the first)", unroutable.size())
              : "";
      const std::string what = fmt::format(
          "no route from '{}' to '{}' for flow '{}': no chain of links joins them{}",
          escape_text(t.node_name(out_.flows.src(f))), escape_text(t.node_name(out_.flows.dst(f))),
          escape_text(out_.flows.label(f)), more);
      if (flows_node_) (*flows_node_)[f.value()].fail(what);
      workload_node().fail(what);
    }
    if (out_.network_model == "packet") {
      // A packet keeps its hop count in 16 bits.
      for (uint32_t f = 0; f < out_.flows.size(); ++f) {
        const size_t hops = out_.paths.of(FlowId(f)).size();
        if (hops < 65535) continue;
        const std::string what = fmt::format(
            "flow '{}' crosses {} links; the packet model carries paths of at most 65,534 "
            "hops (use the flow model, \"network\": {{\"model\": \"flow\"}})",
            escape_text(out_.flows.label(FlowId(f))), hops);
        if (flows_node_ && f < flows_node_->size()) (*flows_node_)[f].fail(what);
        workload_node().fail(what);
      }
    }
    const std::vector<FlowId> cycle = net::find_dependency_cycle(out_.flows);
    if (!cycle.empty()) {
      // Collectives are acyclic by construction; only a trace can get here.
      ROSHNI_ASSERT(flows_node_.has_value(), "dependency cycle in a generated workload");
      (*flows_node_)[cycle.front().value()]
          .at("after", "")
          .fail(fmt::format("dependency cycle: {} (each waits for the next); none can ever start",
                            describe_cycle(out_.flows, cycle)));
    }
    // Simulated time is an int64 count of picoseconds: refuse up front the work that
    // cannot end within it, rather than saturate during the run.
    const net::MakespanBound bound = net::makespan_lower_bound(t, out_.flows, out_.paths);
    const double limit = static_cast<double>(SimTime::max().ps()) * 1e-12;
    if (bound.seconds >= limit) {
      const FlowId f = bound.flow;
      const std::string what = fmt::format(
          "this work cannot end within Roshni's simulated time (2^63 - 1 ps, about {:.1f} "
          "days): '{}' cannot be delivered before {:.4g} days (its size over its path's "
          "slowest link, the latencies, and what it waits for); make the sizes or durations "
          "smaller or the links faster",
          limit / 86400, escape_text(out_.flows.label(f)), bound.seconds / 86400);
      if (flows_node_ && f.value() < flows_node_->size()) (*flows_node_)[f.value()].fail(what);
      workload_node().fail(what);
    }
  }

  /// An OCS fabric's circuit maps become link capacity steps. At each change every
  /// circuit the new map does not have is set to 0 (even one an earlier change left
  /// reconfiguring), the ones it adds to the circuit bandwidth, dark for the
  /// reconfiguration time (an outage). So the circuits lit are always part of the latest
  /// map that took effect — never more than the OCS has ports — and a circuit that a
  /// later map removed before it lit stays dark (net::CapacityStep). Flows are routed
  /// when they start, over the circuits up then.
  void circuit_schedule() {
    const auto* ocs = dynamic_cast<const topo::OcsFabric*>(fabric_.get());
    if (ocs == nullptr) return;
    auto& o = out_.run_options;
    o.route_at_start = true;
    const size_t links = topology_().link_count();
    std::vector<LinkId> circuits;
    for (uint32_t l = 0; l < links; ++l) {
      if (topology_().link_role(LinkId(l)) == "circuit") circuits.push_back(LinkId(l));
    }
    std::vector<uint8_t> in_map(links, 0);
    for (LinkId l : ocs->config_links[0]) in_map[l.value()] = 1;
    for (LinkId l : circuits) {
      if (!in_map[l.value()]) o.initial_capacities.emplace_back(l, DataRate());
    }
    const JsonNode configs = doc_.root().at("topology", "").at("circuits", "");
    const SimTime reconfiguration = fabric_reconfiguration_time();
    for (size_t i = 0; i < ocs->changes.size(); ++i) {
      const JsonNode c = configs[i + 1];
      net::CapacityStep change, lit;
      if (const auto at = c.get("at")) {
        change.at = at->as_sim_time(true);
        lit.at = change.at + reconfiguration;
      } else {
        const JsonNode after = c.at("after", "");
        for (size_t k = 0; k < after.size(); ++k) change.after.push_back(flow_named(after[k]));
        lit.after = change.after;
        lit.delay = reconfiguration;
      }
      std::fill(in_map.begin(), in_map.end(), 0);
      for (LinkId l : ocs->config_links[i + 1]) in_map[l.value()] = 1;
      for (LinkId l : circuits) {
        if (!in_map[l.value()]) change.capacities.emplace_back(l, DataRate());
      }
      for (LinkId l : ocs->changes[i].set_up) change.capacities.emplace_back(l, ocs->circuit_bandwidth);
      change.outages_begin = ocs->changes[i].set_up;
      lit.outages_end = ocs->changes[i].set_up;
      o.steps.push_back(std::move(change));
      o.steps.push_back(std::move(lit));
    }
  }

  SimTime fabric_reconfiguration_time() const {
    return doc_.root().at("topology", "").at("ocs", "").at("reconfiguration_time", "")
        .as_sim_time(true);
  }

  /// The flow a trace names by id (for circuit maps that change after given flows).
  FlowId flow_named(const JsonNode& n) {
    if (!flows_node_) {
      n.fail("'after' names flows of a flow trace; this workload has no flow ids (use 'at')");
    }
    if (flow_index_.empty()) {
      for (uint32_t i = 0; i < out_.flows.size(); ++i) flow_index_.emplace(out_.flows.label(FlowId(i)), i);
    }
    const std::string id = n.as_string();
    const auto it = flow_index_.find(id);
    if (it == flow_index_.end()) n.fail(fmt::format("unknown flow '{}'", escape_text(id)));
    return FlowId(it->second);
  }

  JsonNode workload_node() const { return doc_.root().at("workload", ""); }

  NodeId node_ref(const JsonNode& n) const {
    const std::string name = n.as_string();
    const topo::Topology& t = topology_();
    if (const auto id = t.find_node(name)) return *id;
    std::vector<std::string> names;
    names.reserve(t.node_count());
    for (uint32_t i = 0; i < t.node_count(); ++i) names.push_back(t.node_name(NodeId(i)));
    n.fail(fmt::format("unknown node '{}'{}", escape_text(name), suggest(name, names)));
  }

  const Document& doc_;
  const LoadOptions& options_;
  Scenario out_;
  std::unique_ptr<topo::Fabric> fabric_;  // the topology while loading, with its router
  std::optional<topo::Placement> placement_;  // where the nodes stand, when placed
  std::vector<double> link_loss_db_;  // per physical link, from the physical section
  std::unordered_map<std::string, uint32_t> flow_index_;  // trace ids, built when needed
  nlohmann::json trace_;  // a flow trace read from its own file
  FileOf trace_file_of_;
  std::optional<JsonNode> flows_node_;  // the trace's flow list, for late errors
};

Scenario build(const Document& doc, const LoadOptions& options, const std::string& file) {
  return Builder(doc, options, file).build();
}

/// Runs `load`; a JSON library exception escaping it is our bug, but the user should
/// still get one line naming the file, not a crash.
template <class F>
Scenario guarded(const std::string& file, F&& load) {
  try {
    return load();
  } catch (const nlohmann::json::exception& e) {
    throw ScenarioError(file, "",
                        fmt::format("internal error while reading JSON (a bug, please "
                                    "report it): {}",
                                    escape_text(e.what(), 200)));
  }
}

}  // namespace

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return guarded(path, [&] {
    Document doc = Document::load(path, options.reader);
    for (const auto& o : options.overrides) doc.apply_override(o);
    return build(doc, options, path);
  });
}

Scenario load_scenario_text(const std::string& text, const std::string& label,
                            const LoadOptions& options) {
  return guarded(label, [&] {
    Document doc = Document::from_text(text, label, options.reader);
    for (const auto& o : options.overrides) doc.apply_override(o);
    return build(doc, options, label);
  });
}

}  // namespace roshni::scenario
