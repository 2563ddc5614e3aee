// Training collectives through the communication library (issue 22; docs/training.md,
// "Collectives as NCCL runs them"): every TP all-reduce, pipeline send and DP bucket of an
// iteration carries the library's wire bytes, launch and per-step latencies, under the
// protocol its tuner predicts fastest. Expected values are the closed forms of
// docs/models/collectives.md with NCCL's figures from configs/libraries.json, by hand.
#include <algorithm>
#include <array>

#include <gtest/gtest.h>

#include "roshni/coll/library.h"
#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

using coll::HopClass;
using coll::Protocol;

// configs/libraries.json, "nccl" (NCCL 2.30.7 tuning.cc / device.h / topo.h):
// payload LL 50 %, LL128 93.75 %, Simple 100 %; launch 6.6, 14.0, 8.4 us; step latency
// NVLink 0.6, 1.9, 3.4 us, network 2.7, 4.0, 14.0 us; link efficiency NVLink 82.4 %,
// network 94 %.
constexpr std::array<double, 3> kPayload = {0.5, 0.9375, 1.0};
constexpr std::array<double, 3> kLaunch = {6.6e-6, 14.0e-6, 8.4e-6};
constexpr std::array<double, 3> kStepNvlink = {0.6e-6, 1.9e-6, 3.4e-6};
constexpr std::array<double, 3> kStepNetwork = {2.7e-6, 4.0e-6, 14.0e-6};
constexpr double kEffNvlink = 0.824, kEffNetwork = 0.94;

/// NCCL's figures, every path of class `hop` at `rate` with no latency of its own (a star
/// whose links have none, as TrainingRun builds).
coll::LibraryUse nccl(HopClass hop, DataRate rate) {
  coll::LibraryUse use;
  coll::Library& lib = use.library;
  lib.name = "nccl";
  for (size_t p = 0; p < 3; ++p) {
    lib.protocols[p].payload = kPayload[p];
    lib.protocols[p].launch = to_sim_time_ceil(seconds(kLaunch[p]));
    lib.protocols[p].step_latency[static_cast<size_t>(HopClass::nvlink)] = to_sim_time_ceil(seconds(kStepNvlink[p]));
    lib.protocols[p].step_latency[static_cast<size_t>(HopClass::network)] = to_sim_time_ceil(seconds(kStepNetwork[p]));
  }
  lib.link_efficiency[static_cast<size_t>(HopClass::nvlink)] = kEffNvlink;
  lib.link_efficiency[static_cast<size_t>(HopClass::network)] = kEffNetwork;
  use.path = [hop, rate](NodeId, NodeId) { return coll::PathFacts{hop, SimTime(), rate}; };
  return use;
}

/// A ring all-reduce of n bytes over p ranks of one hop class, no path latency
/// (docs/models/collectives.md): T(P) = B(P) + 2(p-1) (L(P) + (n/p) w(P) / B),
/// w = 1 / (payload eff).
double ring_all_reduce(size_t pr, double n, double p, double B, bool nvlink) {
  const double eff = nvlink ? kEffNvlink : kEffNetwork;
  const double step = nvlink ? kStepNvlink[pr] : kStepNetwork[pr];
  return kLaunch[pr] + 2 * (p - 1) * (step + n / p / (kPayload[pr] * eff) / B);
}

// TP 4 on one stage, the protocol named (LL128, which the tuner would not pick here):
// each of the m L 2 all-reduces of S = 2 n h vb (the layer's two, merged; forward and
// backward) is on the path and takes its closed form, so T - T_0 = m L 2 T_LL128, and the
// iteration grows by exactly what the library adds to the ideal all-reduce
// (2 (t-1)/t S / B).
TEST(LibraryTraining, TpAllReduceIsTheRingClosedFormWithNcclsCosts) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 4;
  const TrainingRun ideal(s, gbps(100));
  s.library = nccl(HopClass::nvlink, gbps(100));
  s.library_protocol = Protocol::ll128;
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double m = 16, L = 8, t = 4, n = 1024, h = 1024, vb = 2, B = 100e9 / 8;
  const double S = 2 * n * h * vb;
  const double each = ring_all_reduce(1, S, t, B, true);
  EXPECT_NEAR(run.E() / (m * L * 2 * each), 1.0, 1e-6);
  EXPECT_EQ(run.T0, ideal.T0);  // compute is untouched
  const double added = each - 2 * (t - 1) / t * S / B;
  // Within 1e-5: each flow's wire bytes are whole and its times whole picoseconds.
  EXPECT_NEAR((run.T - ideal.T).duration().si() / (m * L * 2 * added), 1.0, 1e-5);
  // Bytes on the wire: S / (0.9375 x 0.824) per all-reduce, 2 (t-1)/t of it per rank, t ranks.
  EXPECT_NEAR(run.info.traffic[0].bytes.si() / (m * L * 2 * 2 * (t - 1) * S / (kPayload[1] * kEffNvlink)), 1.0, 1e-6);
  EXPECT_EQ(run.info.traffic[0].by_protocol[1], static_cast<uint64_t>(m * L * 2));
  run.sums_hold();
}

// The tuner: for each all-reduce size the protocol of least closed-form time, and the
// exposed time that protocol's. A short sequence (n = 8 tokens: S = 32 KiB) is
// latency-bound: LL (19.8 us against LL128's 30.5 and Simple's 33.6); n = 1024 tokens
// (S = 4 MiB) is bandwidth-bound: Simple.
TEST(LibraryTraining, TunerPicksTheProtocolOfLeastClosedFormTime) {
  for (const uint32_t seq : {8u, 1024u}) {
    TrainingSpec s = small_training_spec();
    s.model.sequence = seq;
    s.plan.tensor = 4;
    s.library = nccl(HopClass::nvlink, gbps(100));
    const TrainingRun run(s, gbps(100));
    ASSERT_TRUE(run.result.unfinished.empty());
    const double m = 16, L = 8, t = 4, h = 1024, vb = 2, B = 100e9 / 8;
    const double S = 2 * seq * h * vb;
    size_t best = 0;
    for (size_t p = 1; p < 3; ++p) {
      if (ring_all_reduce(p, S, t, B, true) < ring_all_reduce(best, S, t, B, true)) best = p;
    }
    EXPECT_EQ(best, seq == 8 ? 0u : 2u);
    EXPECT_EQ(run.info.traffic[0].by_protocol[best], static_cast<uint64_t>(m * L * 2)) << seq;
    // Within 5e-5: a flow's wire bytes are rounded up to whole bytes (0.5 of 19,884 at n = 8).
    EXPECT_NEAR(run.E() / (m * L * 2 * ring_all_reduce(best, S, t, B, true)), 1.0, 5e-5) << seq;
  }
}

// One run, two sizes of one kind over as many ranks: TP 4 all-reduces of 32 KiB (LL, as
// above) and DP 4 gradient all-reduces of MBs (a layer's 12 h^2 vb / t = 6.3 MB: Simple, by
// the same closed forms). The tuner's remembered choice is by size, not one per kind.
TEST(LibraryTraining, TunerChoosesPerSizeWithinOneRun) {
  TrainingSpec s = small_training_spec();
  s.model.sequence = 8;
  s.plan.tensor = 4;
  s.plan.data = 4;
  s.library = nccl(HopClass::nvlink, gbps(100));
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const auto& tp = run.info.traffic[static_cast<size_t>(Traffic::tp)];
  const auto& dp = run.info.traffic[static_cast<size_t>(Traffic::dp)];
  EXPECT_EQ(tp.by_protocol[0], tp.collectives);
  EXPECT_GT(dp.collectives, 0u);
  EXPECT_EQ(dp.by_protocol[2], dp.collectives);
}

// PP 2, one micro-batch, across the network: the forward's send of n h vb and the
// backward's send back, each one p2p under Simple: launch + step + n h vb / (0.94 B).
TEST(LibraryTraining, PipelineSendsPayLaunchStepAndWireBytes) {
  TrainingSpec s = small_training_spec();
  s.plan.pipeline = 2;
  s.model.global_batch = 1;
  s.library = nccl(HopClass::network, gbps(100));
  s.library_protocol = Protocol::simple;
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double n = 1024, h = 1024, vb = 2, B = 100e9 / 8;
  const double each = kLaunch[2] + kStepNetwork[2] + n * h * vb / kEffNetwork / B;
  EXPECT_NEAR(run.E() / (2 * each), 1.0, 1e-6);
  EXPECT_EQ(run.info.traffic[1].by_protocol[2], 2u);
}

// DP 4 with one bucket across the network: the ring all-reduce of the gradients,
// S = L 12 h^2 vb + V h vb, after the whole backward, all exposed: its closed form under
// the tuner's protocol (Simple at 50 MB: 8.4 + 6 (14 + S/4 / (0.94 B)) us).
TEST(LibraryTraining, DataParallelBucketIsTheRingClosedForm) {
  TrainingSpec s = small_training_spec();
  s.plan.data = 4;
  s.plan.bucket = bytes(1e12);
  s.library = nccl(HopClass::network, gbps(100));
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double h = 1024, L = 8, V = 8, vb = 2, d = 4, B = 100e9 / 8;
  const double S = L * 12 * h * h * vb + V * h * vb;
  EXPECT_NEAR(run.E() / ring_all_reduce(2, S, d, B, false), 1.0, 1e-6);
  EXPECT_EQ(run.info.traffic[2].by_protocol[2], 1u);
}

// The same with one replica standing for all (docs/models/scale.md): the folded ring is
// the chain of 2 (d-1) transfers of S/d that ends at replica 0, each at its hop's costs
// and the first with the launch, so the same closed form; and its bytes on the wire.
TEST(LibraryTraining, FoldedDataParallelRingIsTheSameClosedForm) {
  TrainingSpec s = small_training_spec();
  s.plan.data = 4;
  s.plan.bucket = bytes(1e12);
  s.one_replica = true;
  s.library = nccl(HopClass::network, gbps(100));
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double h = 1024, L = 8, V = 8, vb = 2, d = 4, B = 100e9 / 8;
  const double S = L * 12 * h * h * vb + V * h * vb;
  EXPECT_NEAR(run.E() / ring_all_reduce(2, S, d, B, false), 1.0, 1e-6);
  EXPECT_EQ(run.info.traffic[2].by_protocol[2], 4u);  // one ring, standing for d = 4
  // The whole cluster's: d members x 2 (d-1) steps x S/d / 0.94.
  EXPECT_NEAR(run.info.traffic[2].bytes.si() / (2 * (d - 1) * S / kEffNetwork), 1.0, 1e-6);
}

// Context parallelism: each ring-attention block is a send under the library: its bytes
// on the wire are the ideal run's / 0.94 (Simple, network), one operation each.
TEST(LibraryTraining, RingAttentionBlocksCarryWireBytes) {
  TrainingSpec s = small_training_spec();
  s.plan.context = 2;
  const TrainingRun ideal(s, gbps(100));
  s.library = nccl(HopClass::network, gbps(100));
  s.library_protocol = Protocol::simple;
  const TrainingRun run(s, gbps(100));
  ASSERT_TRUE(run.result.unfinished.empty());
  const auto& cp = run.info.traffic[static_cast<size_t>(Traffic::cp)];
  const auto& cp0 = ideal.info.traffic[static_cast<size_t>(Traffic::cp)];
  EXPECT_GT(cp0.collectives, 0u);
  EXPECT_NEAR(cp.bytes.si() / (cp0.bytes.si() / kEffNetwork), 1.0, 1e-6);
  EXPECT_EQ(cp.by_protocol[2], cp0.collectives);
  // Each block pays at least its launch and step (8.4 + 14 us) more than the ideal one.
  EXPECT_GT(run.T, ideal.T);
}

// A library that costs nothing (payload and efficiency 1, no latencies) is the ideal
// network: the same makespan to the picosecond, on a mixed plan with ZeRO-3.
TEST(LibraryTraining, AFreeLibraryIsTheIdealNetwork) {
  TrainingSpec s = small_training_spec();
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  s.plan.data = 2;
  s.plan.sharding = Sharding::zero3;
  const TrainingRun ideal(s, gbps(100));
  coll::LibraryUse free;
  free.library.name = "free";
  free.path = [](NodeId, NodeId) { return coll::PathFacts{HopClass::network, SimTime(), gbps(100)}; };
  s.library = free;
  const TrainingRun run(s, gbps(100));
  EXPECT_EQ(run.T, ideal.T);
  EXPECT_EQ(run.flows.size(), ideal.flows.size());
}

}  // namespace
}  // namespace roshni::work
