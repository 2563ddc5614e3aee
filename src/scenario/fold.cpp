// One data-parallel replica standing for all: see fold.h and docs/models/scale.md.
#include "scenario/fold.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/core/units.h"

namespace roshni::scenario {
namespace {

/// GPU index distance between replica dd and dd + 1 (ParallelPlan::gpu is linear).
uint32_t replica_stride(const work::ParallelPlan& plan) { return plan.gpu(0, 1, 0) - plan.gpu(0, 0, 0); }

struct PathFacts {
  SimTime latency;
  double capacity = 0;
};

PathFacts facts(const topo::Topology& t, topo::Router& router, NodeId a, NodeId b,
                std::vector<LinkId>& scratch) {
  scratch.clear();
  if (!router.route(a, b, 0, scratch)) return {SimTime::zero(), -1};
  PathFacts f{topo::path_latency(t, scratch), t.link_capacity(scratch.front()).si()};
  for (LinkId l : scratch) f.capacity = std::min(f.capacity, t.link_capacity(l).si());
  return f;
}

}  // namespace

void check_replicas_alike(const JsonNode& at, const work::ParallelPlan& plan,
                          const topo::Topology& t, topo::Router& router,
                          std::span<const NodeId> gpus) {
  std::vector<LinkId> scratch;
  for (uint32_t i = 0; i < plan.pipeline; ++i) {
    for (uint32_t r = 0; r < plan.tensor; ++r) {
      // The neighbours a replica talks to within itself: the next TP rank, the next stage.
      std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (r', i') of each neighbour
      if (plan.tensor > 1) pairs.emplace_back((r + 1) % plan.tensor, i);
      if (i + 1 < plan.pipeline) pairs.emplace_back(r, i + 1);
      for (const auto& [r2, i2] : pairs) {
        const PathFacts base = facts(t, router, gpus[plan.gpu(r, 0, i)], gpus[plan.gpu(r2, 0, i2)], scratch);
        for (uint32_t dd = 1; dd < plan.data; ++dd) {
          const NodeId a = gpus[plan.gpu(r, dd, i)], b = gpus[plan.gpu(r2, dd, i2)];
          const PathFacts here = facts(t, router, a, b, scratch);
          if (here.latency != base.latency || here.capacity != base.capacity) {
            at.fail(fmt::format(
                "one replica cannot stand for all here: in replica {}, '{}' -> '{}' takes {} "
                "at {}, where replica 0's same pair ('{}' -> '{}') takes {} at {}; the "
                "placement does not treat the data-parallel replicas alike (simulate "
                "\"all_replicas\", or a rank order that does)",
                dd, escape_text(t.node_name(a)), escape_text(t.node_name(b)), here.latency,
                to_string(DataRate::from_si(here.capacity)),
                escape_text(t.node_name(gpus[plan.gpu(r, 0, i)])),
                escape_text(t.node_name(gpus[plan.gpu(r2, 0, i2)])), base.latency,
                to_string(DataRate::from_si(base.capacity))));
          }
        }
      }
    }
  }
}

std::string hashed_paths(const work::ParallelPlan& plan, const topo::Topology& t,
                         topo::Router& router, std::span<const NodeId> gpus,
                         const std::string& policy) {
  if (policy.empty()) return "";
  if (policy == "first") {
    return "with \"routing\": \"first\" every replica's traffic takes the same first up links, "
           "where the replicas' flows collide";
  }
  // Eight hashes: a pair with two equal-cost choices at one switch shows them with
  // probability 1 - 2^-7; every replica's pairs are probed, so a multipath fabric is
  // found at its first pair that crosses a choice.
  constexpr uint64_t kProbes[] = {0, 1, 0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL,
                                  0x94d049bb133111ebULL, 0x2545f4914f6cdd1dULL, 42, ~0ULL};
  std::vector<LinkId> first, other;
  const auto depends_on_hash = [&](NodeId a, NodeId b) {
    first.clear();
    if (!router.route(a, b, kProbes[0], first)) return false;
    for (size_t k = 1; k < std::size(kProbes); ++k) {
      other.clear();
      if (router.route(a, b, kProbes[k], other) && other != first) return true;
    }
    return false;
  };
  for (uint32_t dd = 0; dd < plan.data; ++dd) {
    for (uint32_t i = 0; i < plan.pipeline; ++i) {
      for (uint32_t r = 0; r < plan.tensor; ++r) {
        const NodeId a = gpus[plan.gpu(r, dd, i)];
        std::vector<NodeId> peers;  // the next TP rank, the next stage, the DP ring successor
        if (plan.tensor > 1) peers.push_back(gpus[plan.gpu((r + 1) % plan.tensor, dd, i)]);
        if (i + 1 < plan.pipeline) peers.push_back(gpus[plan.gpu(r, dd, i + 1)]);
        if (plan.data > 1) peers.push_back(gpus[plan.gpu(r, (dd + 1) % plan.data, i)]);
        for (NodeId b : peers) {
          if (depends_on_hash(a, b)) {
            return fmt::format("with \"routing\": \"{}\" the path from '{}' to '{}' depends on the "
                               "flow's hash, and the replicas' flows collide on such links",
                               policy, escape_text(t.node_name(a)), escape_text(t.node_name(b)));
          }
        }
      }
    }
  }
  return "";
}

ReplicaFold fold_replicas(const work::TrainingInfo& info, const topo::Topology& t,
                          topo::Router& router, std::span<const NodeId> gpus, uint64_t seed,
                          net::FlowSet& flows) {
  const work::ParallelPlan& plan = info.spec.plan;
  ReplicaFold fold;
  fold.replicas = plan.data;
  fold.stride = replica_stride(plan);
  fold.link_bytes.assign(t.link_count(), DataSize());
  std::vector<LinkId> path, other;

  // The folded rings' paths: the hop's own, left through replica 0's link towards its
  // ring successor and entered through its link from its predecessor.
  for (const work::FoldedHop& h : info.folded_hops) {
    const uint64_t hash = topo::flow_hash(seed, h.flow.value());
    path.clear();
    ROSHNI_ASSERT(router.route(gpus[h.from], gpus[h.to], hash, path), "no route for a ring hop");
    if (h.from != h.rep) {
      other.clear();
      ROSHNI_ASSERT(router.route(gpus[h.rep], gpus[h.next], hash, other), "no route from replica 0");
      path.front() = other.front();
    }
    if (h.to != h.rep) {
      other.clear();
      ROSHNI_ASSERT(router.route(gpus[h.prev], gpus[h.rep], hash, other), "no route into replica 0");
      path.back() = other.back();
    }
    flows.set_path(h.flow, path);
  }

  // What the cluster's links carry. Bytes are summed per pair of endpoints first (a
  // replica's flows repeat few pairs), then each pair's copies are routed once.
  std::vector<uint32_t> index_of(t.node_count(), UINT32_MAX);
  for (uint32_t g = 0; g < gpus.size(); ++g) index_of[gpus[g].value()] = g;
  std::vector<uint8_t> folded(flows.size(), 0);
  std::map<uint32_t, double> ring_piece;  // replica 0's GPU of a DP group -> bytes per hop
  for (const work::FoldedHop& h : info.folded_hops) {
    folded[h.flow.value()] = 1;
    ring_piece[h.rep] += flows.flow_size(h.flow).si();
  }
  std::map<std::pair<uint32_t, uint32_t>, std::pair<double, uint32_t>> pair_bytes;  // -> (bytes, first flow)
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id) || folded[f]) continue;
    const uint32_t a = index_of[flows.src(id).value()], b = index_of[flows.dst(id).value()];
    ROSHNI_ASSERT(a != UINT32_MAX && b != UINT32_MAX, "a training flow between non-GPUs");
    auto [it, added] = pair_bytes.try_emplace({a, b}, 0.0, f);
    it->second.first += flows.flow_size(id).si();
  }
  const auto carry = [&](uint32_t a, uint32_t b, double bytes_, uint64_t hash) {
    path.clear();
    ROSHNI_ASSERT(router.route(gpus[a], gpus[b], hash, path), "no route for a replica's copy");
    for (LinkId l : path) fold.link_bytes[l.value()] += DataSize::from_si(bytes_);
  };
  double payload = 0;
  for (const auto& [ab, bf] : pair_bytes) {
    for (uint32_t dd = 0; dd < plan.data; ++dd) {
      carry(ab.first + dd * fold.stride, ab.second + dd * fold.stride, bf.first,
            topo::flow_hash(seed, bf.second));
    }
    payload += bf.first * plan.data;
  }
  for (const auto& [rep, piece] : ring_piece) {
    for (uint32_t q = 0; q < plan.data; ++q) {
      carry(rep + q * fold.stride, rep + ((q + 1) % plan.data) * fold.stride, piece,
            topo::flow_hash(seed, uint64_t{rep} * plan.data + q));  // each hop hashed as a flow of its own
    }
    payload += piece * plan.data;
  }
  fold.payload = DataSize::from_si(payload);
  return fold;
}

void unfold_run(const Scenario& s, net::RunResult& run) {
  const ReplicaFold& fold = s.fold;
  if (fold.replicas <= 1) return;
  const work::ParallelPlan& plan = s.training->spec.plan;
  const auto& gpus = s.topology.gpus();
  for (uint32_t i = 0; i < plan.pipeline; ++i) {
    for (uint32_t r = 0; r < plan.tensor; ++r) {
      const uint32_t rep = gpus[plan.gpu(r, 0, i)].value();
      for (uint32_t dd = 1; dd < plan.data; ++dd) {
        const uint32_t n = gpus[plan.gpu(r, dd, i)].value();
        if (!run.busy_ps.empty()) run.busy_ps[n] = run.busy_ps[rep];
        if (!run.work_s.empty()) run.work_s[n] = run.work_s[rep];
        if (!run.slowed_ps.empty()) run.slowed_ps[n] = run.slowed_ps[rep];
      }
    }
  }
  run.link_bytes = fold.link_bytes;
  const double d = fold.replicas;
  run.peak_compute_power *= d;
  run.peak_link_power *= d;
  run.peak_dynamic_power *= d;
  for (double& p : run.peak_link_group_power) p *= d;
  for (net::ActivitySample& a : run.activity) {
    a.dynamic_power *= d;
    a.link_throughput *= d;
  }
}

}  // namespace roshni::scenario
