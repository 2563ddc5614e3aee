/// The serving workload's figures in the report: time to first token, time per output
/// token, tokens/s per accelerator in each phase, whether the TPOT bound is met, and with
/// the power setup energy per token and cost per million tokens; definitions in
/// docs/serving.md ("Report"). Derived from the run and the workload's ServingInfo.
#pragma once

#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/net/run_contract.h"
#include "roshni/report/json_writer.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"

namespace roshni::report {

struct ServingSummary {
  SimTime prefill;        // the prefill batch: its last GPU's last step
  SimTime ttft;           // + the last KV transfer (disaggregated)
  SimTime step;           // decode step time in the steady state (steps 1..k-1)
  double tokens_per_step = 1;  // per sequence, with MTP
  double tpot = 0;             // s: step / tokens_per_step
  double prefill_tokens_per_gpu = 0;  // input tokens/s per prefill accelerator
  double decode_tokens_per_gpu = 0;   // output tokens/s per decode accelerator
  bool tpot_met = true;               // tpot <= tpot_bound (true without a bound)
};

ServingSummary summarize_serving(const scenario::Scenario& s, const net::RunResult& r);

/// The "serving" object of report.json (energy and cost figures when `power`).
void write_serving(JsonWriter& w, const scenario::Scenario& s, const ServingSummary& t,
                   const scenario::PowerOutcome* power);
/// TTFT, TPOT, tokens/s per accelerator, tpot_met, J/token and cost per million tokens in
/// report.json's summary (what check, compare and sweep read).
void write_serving_summary(JsonWriter& w, const scenario::Scenario& s, const ServingSummary& t,
                           const scenario::PowerOutcome* power);

/// Lines for the human summary.
std::string serving_text(const scenario::Scenario& s, const ServingSummary& t);
/// The energy and money per token line (with the power setup).
std::string serving_energy_text(const scenario::Scenario& s, const scenario::PowerOutcome& p);

}  // namespace roshni::report
