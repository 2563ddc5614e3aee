// Sequence parallelism (Korthikanti et al. 2022, sec. 4.2.2; docs/training.md, "Tensor
// parallel"): each TP all-reduce becomes a reduce-scatter and an all-gather of the same
// bytes, and the activations the TP blocks do not split are split over the sequence.
#include <vector>

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/paths.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"
#include "roshni/work/training.h"
#include "work/small_training.h"

namespace roshni::work {
namespace {

SimTime run_on_star(const TrainingSpec& spec, DataRate link) {
  topo::StarParams p;
  p.gpus = spec.plan.gpus();
  p.link_bandwidth = link;
  const topo::Topology t = topo::make_star(p);
  net::FlowSet flows;
  build_training(spec, t.gpus(), flows);
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  const net::Paths paths = net::route_all(t, router, flows, unroutable);
  const net::RunResult r = net::run_flow_model(t, flows, paths);
  EXPECT_TRUE(r.unfinished.empty());
  return r.makespan;
}

// A ring reduce-scatter and a ring all-gather of S each move (t - 1) S over t ranks, so
// the pair moves the all-reduce's 2 (t - 1) S: TP bytes stay d p m 2 (L/p) 2 (t - 1) 2 n h vb,
// in twice the collectives and the same flows ((t - 1) t each half). The flow count's
// closed form still matches the build.
TEST(SequenceParallel, SameTensorParallelBytesInTwiceTheCollectives) {
  TrainingSpec s = small_training_spec();
  s.plan.data = 2;
  s.plan.pipeline = 2;
  s.plan.tensor = 4;
  std::vector<NodeId> gpus;
  for (uint32_t i = 0; i < 16; ++i) gpus.push_back(NodeId(i));
  net::FlowSet plain_flows, sp_flows;
  const TrainingInfo plain = build_training(s, gpus, plain_flows);
  s.plan.sequence_parallel = true;
  const TrainingInfo sp = build_training(s, gpus, sp_flows);
  const auto tp = static_cast<size_t>(Traffic::tp);
  const double d = 2, p = 2, m = 8, L = 8, t = 4, n = 1024, h = 1024, vb = 2;
  const double expected = d * p * m * 2 * (L / p) * 2 * (t - 1) * 2 * n * h * vb;
  EXPECT_NEAR(sp.traffic[tp].bytes.si() / expected, 1.0, 1e-9);
  EXPECT_EQ(sp.traffic[tp].collectives, 2 * plain.traffic[tp].collectives);
  EXPECT_EQ(sp.traffic[tp].flows, plain.traffic[tp].flows);
  EXPECT_EQ(sp_flows.size(), plain_flows.size());
  EXPECT_EQ(training_flow_count(s), static_cast<double>(sp_flows.size()));
  size_t rs = 0, ag = 0;
  for (uint32_t f = 0; f < sp_flows.size(); ++f) {
    const std::string& l = sp_flows.label(FlowId(f));
    if (l.rfind("tp/rs", 0) == 0) ++rs;
    if (l.rfind("tp/ag", 0) == 0) ++ag;
  }
  EXPECT_EQ(rs, ag);
  // The all-gather's first step waits for the reduce-scatter (its flows' dependencies
  // include reduce-scatter flows), as it must: its input is the reduce-scatter's output.
  size_t first_ag = 0;
  for (uint32_t f = 0; f < sp_flows.size(); ++f) {
    if (sp_flows.label(FlowId(f)).rfind("tp/ag0/", 0) != 0) continue;
    ++first_ag;
    bool after_rs = false;
    for (const FlowId d : sp_flows.deps(FlowId(f))) after_rs |= sp_flows.label(d).rfind("tp/rs", 0) == 0;
    EXPECT_TRUE(after_rs) << sp_flows.label(FlowId(f));
    if (!after_rs) break;
  }
  EXPECT_GT(first_ag, 0u);
  EXPECT_EQ(static_cast<double>(rs + ag), static_cast<double>(sp.traffic[tp].flows));
}

// On a star (no contention between the halves) the pair takes what the ring all-reduce
// takes: 2 (t - 1) steps of S/t each, so the iteration is the same.
TEST(SequenceParallel, PairTakesTheAllReducesTime) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 4;
  const SimTime plain = run_on_star(s, gbps(100));
  s.plan.sequence_parallel = true;
  const SimTime sp = run_on_star(s, gbps(100));
  EXPECT_NEAR(sp.duration().si() / plain.duration().si(), 1.0, 1e-9);
}

// Korthikanti et al. 2022, Table 2: with TP and SP, s b h (34/t + 5 a s/(h t)) per layer;
// with selective recomputation too, 34 s b h / t; full recomputation keeps 2 s b h.
// Without SP (t = 4): 10 + 24/t, larger by 10 (1 - 1/t) s b h.
TEST(SequenceParallel, ActivationsAreKorthikantisTable2Row) {
  TrainingSpec s = small_training_spec();
  s.model.micro_batch = 2;
  s.plan.tensor = 4;
  s.plan.sequence_parallel = true;
  const double sq = 1024, b = 2, h = 1024, a = 16, t = 4;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (sq * b * h * (34 / t + 5 * a * sq / (h * t))), 1.0, 1e-12);
  s.selective_recompute = true;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (sq * b * h * 34 / t), 1.0, 1e-12);
  s.selective_recompute = false;
  s.recompute = true;
  EXPECT_NEAR(activation_bytes_per_layer(s) / (2 * sq * b * h), 1.0, 1e-12);
  // With t = 1 it changes nothing.
  s.recompute = false;
  s.plan.tensor = 1;
  TrainingSpec off = s;
  off.plan.sequence_parallel = false;
  EXPECT_EQ(activation_bytes_per_layer(s), activation_bytes_per_layer(off));
}

}  // namespace
}  // namespace roshni::work
