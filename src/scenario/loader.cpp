#include "roshni/scenario/loader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <unordered_map>

#include "roshni/coll/registry.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/net/paths.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/ocs.h"
#include "roshni/topo/placement.h"
#include "roshni/topo/router.h"
#include "roshni/work/critical_path.h"
#include "scenario/collective.h"
#include "scenario/file_path.h"
#include "scenario/json_text.h"
#include "scenario/energy.h"
#include "scenario/failures.h"
#include "scenario/flow_trace.h"
#include "scenario/chakra.h"
#include "scenario/goal.h"
#include "scenario/reliability.h"
#include "scenario/lookup.h"
#include "scenario/packet_config.h"
#include "scenario/physical.h"
#include "scenario/topologies.h"
#include "scenario/serving.h"
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
    "all_reduce", "all_gather", "reduce_scatter", "broadcast", "reduce", "all_to_all", "p2p",
    "flow_trace", "goal", "chakra", "training", "serving"};

/// What a circuit map's "after_training" may name: a training iteration's compute steps
/// by pass (labels fwd*, bwd* — recomputation is part of the backward — and the
/// optimizer step) and its transfers by the critical path's classes (work/critical_path.h).
constexpr std::array<std::string_view, 9> kTrainingKinds = {
    "forward", "backward", "optimizer", "tp", "pp", "dp", "ep", "zero3", "cp"};

/// Entry f's index in kTrainingKinds, or kTrainingKinds.size() for none.
size_t training_kind(const net::FlowSet& flows, FlowId f) {
  const work::PathClass c = work::path_class(flows, f);
  if (c != work::PathClass::compute) {
    // tp .. cp follow compute in PathClass, and optimizer in kTrainingKinds.
    static_assert(kTrainingKinds[2 + static_cast<size_t>(work::PathClass::tp)] == "tp" &&
                  kTrainingKinds[2 + static_cast<size_t>(work::PathClass::cp)] == "cp" &&
                  kTrainingKinds.size() == 2 + static_cast<size_t>(work::PathClass::wait));
    return 2 + static_cast<size_t>(c);
  }
  const std::string_view label = flows.label(f);
  if (label.starts_with("fwd")) return 0;
  if (label.starts_with("bwd")) return 1;
  if (label == "optimizer") return 2;
  return kTrainingKinds.size();
}

/// Whether any link of `t` has a length of its own (an explicit topology's "length").
bool has_lengths(const topo::Topology& t) {
  for (uint32_t l = 0; l < t.link_count(); ++l) {
    if (t.link_length(LinkId(l)).si() > 0) return true;
  }
  return false;
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
                      "facility", "reliability"});

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
    BeforeBuild before;
    before.check = [&](const SizeEstimate& size) {
      check_topology_size(t, generator.name, size);
      if (const auto w = doc_.root().get("workload"); w && !options_.topology_only) {
        check_workload_size(*w, size.gpus, options_.max_flows);
      }
    };
    before.catalog_dir = options_.catalog_dir;
    before.reader = &doc_.reader();
    fabric_ = generator.build(t, before);
    const auto physical = doc_.root().get("physical");
    if (physical && t.has("placement") && t.at("placement", "").has("propagation")) {
      t.at("placement", "").at("propagation", "").fail(
          "with a 'physical' section each link's part sets its own propagation delay; remove "
          "'propagation' here (it would count the delay twice)");
    }
    if (physical && !t.has("placement") && !has_lengths(fabric_->topology)) {
      // Media depend on cable lengths: place on the default floor unless told otherwise
      // (a placement, or links that give their own lengths, as an explicit topology may).
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
               out_.training  ? out_.training->spec.accelerator
               : out_.serving ? out_.serving->spec.accelerator
                              : std::string(),
               out_.power);
    // A training run's campaign is the iterations that train its tokens, unless the
    // facility says how many repeats.
    const auto fac = doc_.root().get("facility");
    if (out_.power.facility && out_.training && out_.training->spec.train_tokens > 0 &&
        out_.training->tokens_per_iteration > 0 && !(fac && fac->has("repeats"))) {
      out_.power.facility->repeats =
          std::ceil(out_.training->spec.train_tokens / out_.training->tokens_per_iteration);
    }
    if (const auto r = doc_.root().get("reliability")) {
      read_reliability(*r, doc_, catalog_dir(), t, out_.catalog, out_.power);
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
      load_flow_trace(w, doc_, topology_(), options_.max_flows, out_.flows, out_.workload, trace_);
    } else if (kind == "chakra") {
      load_chakra(w, doc_, topology_(), options_.max_flows, out_.flows, out_.workload);
    } else if (kind == "goal") {
      load_goal(w, doc_, topology_(), options_.max_flows, out_.flows, out_.workload);
    } else if (kind == "training") {
      training(w);
    } else if (kind == "serving") {
      serving(w);
    } else {
      load_collective(w, *coll::collective_kind(kind), *fabric_, doc_, catalog_dir(),
                      options_.max_flows, out_.flows, out_.workload);
    }
  }

  /// Serving: a prefill batch and decode steps (scenario/serving.cpp, work/serving.h).
  void serving(const JsonNode& w) {
    TrainingContext ctx;
    ctx.topology = &topology_();
    ctx.catalog_dir = catalog_dir();
    ctx.reader = doc_.reader();
    ctx.max_flows = options_.max_flows;
    out_.serving = load_serving(w, ctx, out_.flows);
    out_.workload.ranks = static_cast<uint32_t>(topology_().gpus().size());
    out_.workload.size = out_.flows.total_size();
  }

  /// A training iteration (scenario/training.cpp, work/training.h).
  void training(const JsonNode& w) {
    TrainingContext ctx;
    ctx.topology = &topology_();
    ctx.domain_size = topology_domain_size(*fabric_);
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
    ctx.fold_multipath = fold_multipath();
    out_.training = load_training(w, ctx, out_.flows, out_.fold);
    if (out_.fold.replicas > 1) out_.fold.caveat = fold_caveat();
    out_.workload.ranks = static_cast<uint32_t>(topology_().gpus().size());
    // One replica standing for all: the whole cluster's bytes, not the replica's flows'.
    out_.workload.size = out_.fold.replicas > 1 ? out_.fold.payload : out_.flows.total_size();
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

  /// The topology's multipath policy where a route may depend on the flow's hash, or ""
  /// (a star has one path per pair; D-mod-K chooses by destination).
  std::string fold_multipath() const {
    const JsonNode t = doc_.root().at("topology", "");
    if (t.at("kind", "").as_string() == "star") return "";
    const auto r = t.get("routing");
    const std::string routing = r ? r->as_string() : "ecmp";
    return routing == "dmodk" ? "" : routing;
  }

  /// Where one replica's iteration is a lower bound, why (docs/models/scale.md, "Where
  /// the error comes from"); "" on a star, whose replicas share no link.
  std::string fold_caveat() const {
    const JsonNode t = doc_.root().at("topology", "");
    if (t.at("kind", "").as_string() == "star") return "";
    const auto r = t.get("routing");
    const std::string routing = r ? r->as_string() : "ecmp";
    const JsonNode w = doc_.root().at("workload", "");
    if (routing != "dmodk" && w.at("simulate", "").as_string() == "one_replica") {
      // Accepted with ECMP only where no replica's path depends on the hash.
      return "no replica's path depends on the flow's hash, but a replica's traffic can share "
             "links with other replicas', which one replica does not see: the iteration is a "
             "lower bound (docs/models/scale.md)";
    }
    if (routing == "dmodk") {
      return "with D-mod-K routing the replicas' paths are alike, but a replica's ring hops can "
             "share leaf up links with other replicas' pipeline sends, which one replica does not "
             "see: the iteration is a lower bound (0.001 % and 0.97 % below every replica's at "
             "1,024 and 4,096 GPUs; docs/models/scale.md)";
    }
    if (routing == "first") {
      return "with \"routing\": \"first\" every replica's traffic takes the first up link, which "
             "one replica does not see: the iteration can be far below every replica's; use "
             "\"dmodk\" (docs/models/scale.md)";
    }
    return fmt::format("with \"routing\": \"{}\" the replicas' flows collide on shared links, which "
                       "one replica does not see: the iteration is a lower bound (1.5-2.0 % below "
                       "every replica's at 1,024-4,096 GPUs; within 1 % with \"dmodk\" routing; "
                       "docs/models/scale.md)", routing);
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
      if (trace_.present()) trace_.fail_flow(f.value(), what);
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
        if (trace_.present() && f < trace_.count) trace_.fail_flow(f, what);
        workload_node().fail(what);
      }
    }
    const std::vector<FlowId> cycle = net::find_dependency_cycle(out_.flows);
    if (!cycle.empty()) {
      // Collectives are acyclic by construction; only a trace can get here.
      ROSHNI_ASSERT(trace_.present(), "dependency cycle in a generated workload");
      trace_.fail_flow(cycle.front().value(),
                       fmt::format("dependency cycle: {} (each waits for the next); none can ever start",
                                   describe_cycle(out_.flows, cycle)),
                       "after");
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
      if (trace_.present() && f.value() < trace_.count) trace_.fail_flow(f.value(), what);
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
      CircuitChangeRecord record;
      record.map = static_cast<uint32_t>(i + 1);
      if (const auto at = c.get("at")) {
        change.at = at->as_sim_time(true);
        lit.at = change.at + reconfiguration;
        record.trigger = "at";
      } else {
        if (const auto after = c.get("after")) {
          for (size_t k = 0; k < after->size(); ++k) change.after.push_back(flow_named((*after)[k]));
          record.trigger = "after";
        } else {
          const JsonNode kinds = c.at("after_training", "");
          change.after = training_entries(kinds, c.get("stages"));
          for (size_t k = 0; k < kinds.size(); ++k) record.kinds.push_back(kinds[k].as_string());
          record.trigger = "after_training";
        }
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
      record.torn_down = ocs->changes[i].torn_down.size();
      record.set_up = ocs->changes[i].set_up.size();
      record.change_step = o.steps.size();
      record.lit_step = o.steps.size() + 1;
      o.steps.push_back(std::move(change));
      o.steps.push_back(std::move(lit));
      out_.circuit_changes.push_back(std::move(record));
    }
  }

  /// The entries of a training iteration of the kinds `kinds` names (kTrainingKinds), for
  /// a circuit map that changes once they are all delivered: the phase of the iteration
  /// they make up is over.
  std::vector<FlowId> training_entries(const JsonNode& kinds, const std::optional<JsonNode>& stages) {
    if (!out_.training) {
      kinds.fail("'after_training' names kinds of a training iteration's entries; this "
                 "workload is not a training iteration (use 'at', or 'after' with a flow trace)");
    }
    // One replica standing for all is refused on an OCS fabric (scenario/fold.cpp), so
    // every entry named here is simulated.
    ROSHNI_ASSERT(out_.fold.replicas == 1, "a folded run on a fabric with circuit maps");
    std::array<bool, kTrainingKinds.size()> wanted{};
    std::vector<size_t> asked;
    for (size_t k = 0; k < kinds.size(); ++k) {
      const std::string name = kinds[k].as_string();
      const auto* it = std::find(kTrainingKinds.begin(), kTrainingKinds.end(), name);
      if (it == kTrainingKinds.end()) {
        kinds[k].fail(fmt::format("unknown kind '{}'; expected one of {}", escape_text(name),
                                  fmt::join(kTrainingKinds, ", ")));
      }
      asked.push_back(static_cast<size_t>(it - kTrainingKinds.begin()));
      if (wanted[asked.back()]) kinds[k].fail(fmt::format("'{}' is listed twice", name));
      wanted[asked.back()] = true;
    }
    // "stages": only the entries of GPUs (a compute step's, a transfer's sender) in those
    // pipeline stages: the region of the fabric that serves them is done with them.
    const work::ParallelPlan& plan = out_.training->spec.plan;
    std::vector<uint8_t> in_stages;  // per node, when narrowed
    if (stages) {
      if (stages->size() == 0) stages->fail("expected at least one pipeline stage, like [3]");
      std::vector<uint8_t> stage_wanted(plan.pipeline, 0);
      for (size_t k = 0; k < stages->size(); ++k) {
        const auto st = static_cast<uint32_t>((*stages)[k].as_int(0, int64_t{plan.pipeline} - 1));
        if (stage_wanted[st]) (*stages)[k].fail(fmt::format("stage {} is listed twice", st));
        stage_wanted[st] = 1;
      }
      const auto& gpus = topology_().gpus();
      in_stages.assign(topology_().node_count(), 0);
      for (uint32_t i = 0; i < plan.pipeline; ++i) {
        for (uint32_t dd = 0; dd < plan.data; ++dd) {
          for (uint32_t cc = 0; cc < plan.context; ++cc) {
            for (uint32_t r = 0; r < plan.tensor; ++r) {
              in_stages[gpus[plan.gpu(r, cc, dd, i)].value()] = stage_wanted[i];
            }
          }
        }
      }
    }
    std::vector<FlowId> entries;
    std::array<size_t, kTrainingKinds.size()> found{};
    for (uint32_t f = 0; f < out_.flows.size(); ++f) {
      const size_t k = training_kind(out_.flows, FlowId(f));
      if (k == kTrainingKinds.size()) continue;
      if (!in_stages.empty() && !in_stages[out_.flows.src(FlowId(f)).value()]) continue;
      ++found[k];
      if (wanted[k]) entries.push_back(FlowId(f));
    }
    for (size_t k = 0; k < asked.size(); ++k) {
      if (found[asked[k]] == 0) {
        kinds[k].fail(fmt::format("this training plan has no '{}' entries{}, so the map would "
                                  "never take effect", kTrainingKinds[asked[k]],
                                  stages ? " in the stages listed" : ""));
      }
    }
    return entries;
  }

  SimTime fabric_reconfiguration_time() const {
    return doc_.root().at("topology", "").at("ocs", "").at("reconfiguration_time", "")
        .as_sim_time(true);
  }

  /// The flow a trace names by id (for circuit maps that change after given flows).
  FlowId flow_named(const JsonNode& n) {
    if (!trace_.present()) {
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

  const Document& doc_;
  const LoadOptions& options_;
  Scenario out_;
  std::unique_ptr<topo::Fabric> fabric_;  // the topology while loading, with its router
  std::optional<topo::Placement> placement_;  // where the nodes stand, when placed
  std::vector<double> link_loss_db_;  // per physical link, from the physical section
  std::unordered_map<std::string, uint32_t> flow_index_;  // trace ids, built when needed
  FlowTrace trace_;  // a flow trace's flow list, for late errors, and its own file
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
