// The small GPT-shaped training plan several work tests build on.
#pragma once

#include "roshni/core/units.h"
#include "roshni/work/training.h"

namespace roshni::work {

/// 8 layers, h = 1024, 16 heads (kv = 16), f = 4h, s = 1024, 16 samples of 1; 1000 TFLOP/s at
/// efficiency 0.5, 3 TB/s of HBM. A layer's forward is n (24 h^2 + 4 s h) = 30.1 GFLOP =
/// 60.1 us, compute-bound. Vocabulary 8: a negligible output head, so pipeline stages are
/// (almost) equal. No optimizer time (the bubble formulas have none). The parallel plan is
/// left to each test.
inline TrainingSpec small_training_spec() {
  TrainingSpec s;
  TransformerModel& m = s.model;
  m.layers = 8;
  m.hidden = 1024;
  m.heads = 16;
  m.kv_heads = 16;
  m.ffn = 4096;
  m.vocabulary = 8;
  m.sequence = 1024;
  m.global_batch = 16;
  m.micro_batch = 1;
  s.peak = flops_per_second(1000e12);
  s.hbm_bandwidth = bytes_per_second(3e12);
  s.efficiency = 0.5;
  s.optimizer_bytes_per_param = 0;
  return s;
}

}  // namespace roshni::work
