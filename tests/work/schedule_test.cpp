// GPipe and ZB-H1 (issue 22): each stage's order written out by hand, the iteration time
// of each schedule on a plan with free communication against its closed form, and the
// activations each holds at its peak.
#include <gtest/gtest.h>

#include <vector>

#include "roshni/work/training.h"
#include "work/small_training.h"
#include "work/training_run.h"

namespace roshni::work {
namespace {

const PipelineOp F0{true, 0, 0};
PipelineOp F(uint32_t j) { return {true, 0, j}; }
PipelineOp B(uint32_t j) { return {false, 0, j}; }
PipelineOp Bi(uint32_t j) { return {false, 0, j, BackwardPart::input}; }
PipelineOp W(uint32_t j) { return {false, 0, j, BackwardPart::weight}; }

// GPipe (Huang et al. 2019, fig. 2c): all forwards, then all backwards, last first.
// ZB-H1 (Qi et al. 2024, fig. 3 top) for p = 2, m = 3: stage 0 runs 1F1B's order with
// each backward split into B W (its W passes are not deferred: stage index 0); stage 1
// (the last) runs B without W once (its W passes run one micro-batch late):
//   stage 0: F0 F1 B0 W0 F2 B1 W1 B2 W2
//   stage 1: F0 B0 F1 B1 W0 F2 B2 W1 W2
// the paper's last-stage row F1 B1 F2 B2 ... W1 F5 at p = 4 (1-based), cut to p = 2.
TEST(Schedule, GpipeAndZbH1OrdersByHand) {
  for (uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(pipeline_order(2, 1, 3, i, PipelineSchedule::gpipe),
              (std::vector<PipelineOp>{F(0), F(1), F(2), B(2), B(1), B(0)}));
  }
  EXPECT_EQ(pipeline_order(2, 1, 3, 0, PipelineSchedule::zb_h1),
            (std::vector<PipelineOp>{F(0), F(1), Bi(0), W(0), F(2), Bi(1), W(1), Bi(2), W(2)}));
  EXPECT_EQ(pipeline_order(2, 1, 3, 1, PipelineSchedule::zb_h1),
            (std::vector<PipelineOp>{F(0), Bi(0), F(1), Bi(1), W(0), F(2), Bi(2), W(1), W(2)}));
  // p = 4, stage 1, m = 5: 3 warm-up forwards, W passes one late.
  EXPECT_EQ(pipeline_order(4, 1, 5, 1, PipelineSchedule::zb_h1),
            (std::vector<PipelineOp>{F(0), F(1), F(2), Bi(0), F(3), Bi(1), W(0), F(4), Bi(2), W(1), Bi(3),
                                     W(2), Bi(4), W(3), W(4)}));
  // The default stays 1F1B.
  EXPECT_EQ(pipeline_order(2, 1, 3, 0), pipeline_order(2, 1, 3, 0, PipelineSchedule::one_f_one_b));
  EXPECT_EQ(pipeline_order(2, 1, 1, 1).front(), F0);
}

// Free communication, p equal stages of l layers, compute-bound steps (small_training.h:
// 1000 TFLOP/s x 0.5). A layer's forward is G + C with its matmuls G = 2 (12 h^2) n and
// its attention core C = 4 s h n (n = b s = 1024 tokens, h = s = 1024). The backward is
// twice the forward; ZB-H1 splits it into W = G (dW = X^T dY: one forward's matmuls) and
// B = G + 2C (dX = dY W^T and the core's backward). Per stage and micro-batch:
//   T_F = l (G + C) / R,  T_B = l (G + 2C) / R,  T_W = l G / R.
// Iteration time (Huang et al. 2019; Narayanan et al. 2021, sec. 2.2.1; Qi et al. 2024,
// sec. 2.1, which holds while T_W <= T_F):
//   GPipe, 1F1B:  m (T_F + T_B + T_W) + (p - 1)(T_F + T_B + T_W)
//   ZB-H1:        m (T_F + T_B + T_W) + (p - 1)(T_F + T_B - T_W)
// The output head (vocabulary 8) adds < 0.2 % to the last stage: tolerance 2e-3.
struct ScheduleCase {
  PipelineSchedule schedule;
  uint32_t p, m;
};
class ScheduleTime : public ::testing::TestWithParam<ScheduleCase> {};

TEST_P(ScheduleTime, IsTheClosedForm) {
  const auto [schedule, p, m] = GetParam();
  TrainingSpec s = small_training_spec();
  s.model.layers = 64;
  s.model.global_batch = m;
  s.plan.pipeline = p;
  s.plan.layers_per_step = 64 / p;
  s.plan.schedule = schedule;
  const TrainingRun run(s, gbps(1e11));
  ASSERT_TRUE(run.result.unfinished.empty());
  const double n = 1024, h = 1024, sq = 1024, l = 64.0 / p, R = 1000e12 * 0.5;
  const double G = 2 * 12 * h * h * n, C = 4 * sq * h * n;
  const double tf = l * (G + C) / R, tb = l * (G + 2 * C) / R, tw = l * G / R;
  const double bubble = schedule == PipelineSchedule::zb_h1 ? (p - 1) * (tf + tb - tw) : (p - 1) * (tf + tb + tw);
  const double expected = m * (tf + tb + tw) + bubble;
  EXPECT_NEAR(run.T.duration().si() / expected, 1.0, 2e-3)
      << to_string(schedule) << " p " << p << " m " << m << ": " << run.T.duration().si() << " s vs " << expected;
  // Every GPU still computes m (T_F + T_B + T_W): the split moves work, adds none.
  EXPECT_NEAR(run.info.busiest_compute.duration().si() / (m * (tf + tb + tw)), 1.0, 2e-3);
}

INSTANTIATE_TEST_SUITE_P(Schedules, ScheduleTime,
                         ::testing::Values(ScheduleCase{PipelineSchedule::gpipe, 4, 4},
                                           ScheduleCase{PipelineSchedule::gpipe, 4, 8},
                                           ScheduleCase{PipelineSchedule::gpipe, 2, 1},
                                           ScheduleCase{PipelineSchedule::zb_h1, 2, 2},
                                           ScheduleCase{PipelineSchedule::zb_h1, 4, 4},
                                           ScheduleCase{PipelineSchedule::zb_h1, 4, 16},
                                           ScheduleCase{PipelineSchedule::zb_h1, 8, 8},
                                           ScheduleCase{PipelineSchedule::one_f_one_b, 4, 8}),
                         [](const auto& info) {
                           return std::string(to_string(info.param.schedule)) + "_p" + std::to_string(info.param.p) +
                                  "_m" + std::to_string(info.param.m);
                         });

// Activations held at the peak (layer passes: layers x micro-batches), p = 4 stages of
// 2 layers, m = 6: GPipe holds all m micro-batches on every stage (Huang et al. 2019);
// 1F1B holds p - i on stage i (Narayanan et al. 2021); ZB-H1 keeps a micro-batch's
// activations to its W pass (X of dW = X^T dY), and stage i runs i W passes late, so
// it holds (p - i) + i = p on every stage: stage 0's 1F1B peak, the busiest's.
TEST(Schedule, PeakActivationsOfEachSchedule) {
  TrainingSpec s = small_training_spec();
  s.model.global_batch = 6;
  s.plan.pipeline = 4;
  for (uint32_t i = 0; i < 4; ++i) {
    s.plan.schedule = PipelineSchedule::gpipe;
    EXPECT_EQ(memory_per_gpu(s)[i].layer_passes, 2u * 6) << "gpipe stage " << i;
    s.plan.schedule = PipelineSchedule::one_f_one_b;
    EXPECT_EQ(memory_per_gpu(s)[i].layer_passes, 2u * (4 - i)) << "1f1b stage " << i;
    s.plan.schedule = PipelineSchedule::zb_h1;
    EXPECT_EQ(memory_per_gpu(s)[i].layer_passes, 2u * 4) << "zb_h1 stage " << i;
  }
}

// The split keeps the iteration's work: with data parallelism (gradient buckets after
// the W passes), MoE layers and full recomputation, ZB-H1 computes what 1F1B computes
// on every GPU (to the picosecond rounding of its extra steps), and moves the same bytes.
TEST(Schedule, ZbH1KeepsTheWorkAndTheBytes) {
  TrainingSpec s = small_training_spec();
  s.model.experts = 4;
  s.model.top_k = 2;
  s.recompute = true;
  s.plan.data = 2;
  s.plan.expert = 2;
  s.plan.tensor = 2;
  s.plan.pipeline = 2;
  s.model.global_batch = 8;
  net::FlowSet a, b;
  const TrainingInfo one = build_training(s, ids(s.plan.gpus()), a);
  s.plan.schedule = PipelineSchedule::zb_h1;
  const TrainingInfo zb = build_training(s, ids(s.plan.gpus()), b);
  EXPECT_NEAR(zb.busiest_compute.duration().si() / one.busiest_compute.duration().si(), 1.0, 1e-6);
  for (size_t k = 0; k < one.traffic.size(); ++k) {
    EXPECT_EQ(zb.traffic[k].bytes, one.traffic[k].bytes) << kTrafficNames[k];
    EXPECT_EQ(zb.traffic[k].flows, one.traffic[k].flows) << kTrafficNames[k];
  }
  EXPECT_EQ(b.size(), static_cast<size_t>(training_flow_count(s)));
}

}  // namespace
}  // namespace roshni::work
