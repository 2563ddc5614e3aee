/// The training workload's figures in the report: iteration time split into compute,
/// pipeline bubble and exposed communication, achieved FLOP/s and MFU per GPU, tokens/s
/// and time to train; definitions in docs/training.md ("Report"). Derived from the run
/// and the workload's TrainingInfo; nothing here changes the simulation.
#pragma once

#include <optional>
#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/run_contract.h"
#include "roshni/report/json_writer.h"
#include "roshni/scenario/loader.h"
#include "roshni/work/critical_path.h"

namespace roshni::report {

struct TrainingSummary {
  SimTime iteration;        // the run's makespan
  SimTime compute;          // the busiest GPU's compute steps, summed
  SimTime without_comm;     // critical path with communication at zero cost
  SimTime bubble;           // without_comm - compute: pipeline fill/drain, imbalance
  SimTime exposed_comm;     // iteration - without_comm: communication not hidden
  work::CriticalPath path;  // the run's critical path by class; exposed_comm split by class
  FlopRate model_flops_per_gpu;     // model FLOPs / (GPUs x iteration)
  FlopRate hardware_flops_per_gpu;  // incl. recomputation
  double mfu = 0, hfu = 0;          // the above / peak
  double tokens_per_second = 0;
  std::optional<Duration> time_to_train;  // train_tokens / tokens_per_second
};

TrainingSummary summarize_training(const scenario::Scenario& s, const net::RunResult& r);

/// The "training" object of report.json.
void write_training(JsonWriter& w, const scenario::Scenario& s, const TrainingSummary& t);
/// The planner's training figures in report.json's summary: iteration time, MFU, tokens/s
/// and, with train_tokens, the time to train.
void write_training_summary(JsonWriter& w, const scenario::Scenario& s, const TrainingSummary& t);

/// Lines for the human summary.
std::string training_text(const scenario::Scenario& s, const TrainingSummary& t);

}  // namespace roshni::report
