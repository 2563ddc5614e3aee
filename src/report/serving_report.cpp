#include "roshni/report/serving_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "roshni/work/serving.h"

namespace roshni::report {
namespace {

SimTime last_end(const net::RunResult& r, std::span<const FlowId> ids) {
  SimTime t = SimTime::zero();
  for (const FlowId f : ids) t = std::max(t, r.end[f.value()]);
  return t;
}

/// Tokens the run processed: the prefill batch's input and the decode steps' output.
double run_tokens(const work::ServingInfo& info) { return info.prefill_tokens + info.decode_tokens; }

}  // namespace

ServingSummary summarize_serving(const scenario::Scenario& s, const net::RunResult& r) {
  const work::ServingInfo& info = *s.serving;
  const work::ServingSpec& sp = info.spec;
  ServingSummary t;
  t.prefill = last_end(r, info.prefill_ends);
  t.ttft = std::max(t.prefill, last_end(r, info.kv_transfers));
  const size_t k = info.step_ends.size();
  const SimTime first = last_end(r, info.step_ends.front());
  const SimTime last = last_end(r, info.step_ends.back());
  t.step = SimTime::ps((last - first).ps() / static_cast<int64_t>(k - 1));
  t.tokens_per_step = work::tokens_per_step(sp);
  const double step = t.step.duration().si();
  t.tpot = step / t.tokens_per_step;
  const double pre = t.prefill.duration().si();
  if (pre > 0) t.prefill_tokens_per_gpu = info.prefill_tokens / pre / sp.prefill.gpus;
  if (step > 0) t.decode_tokens_per_gpu = sp.batch * t.tokens_per_step / step / sp.decode.gpus;
  t.tpot_met = sp.tpot_bound <= 0 || t.tpot <= sp.tpot_bound;
  return t;
}

namespace {
void energy_figures(JsonWriter& w, const scenario::Scenario& s, const scenario::PowerOutcome* power) {
  if (!power) return;
  const double tokens = run_tokens(*s.serving);
  w.figure("energy_per_token", power->energy.total.si() / tokens, "J");
  if (power->facility) {
    w.figure("cost_per_million_tokens", power->facility->cost / tokens * 1e6, s.power.facility->currency);
  }
}
}  // namespace

void write_serving(JsonWriter& w, const scenario::Scenario& s, const ServingSummary& t,
                   const scenario::PowerOutcome* power) {
  const work::ServingInfo& info = *s.serving;
  const work::ServingSpec& sp = info.spec;
  const auto plan = [&](const char* key, const work::PoolPlan& p) {
    w.key(key).begin_compact_object()
        .key("first_gpu").value(p.first)
        .key("gpus").value(p.gpus)
        .key("tensor").value(p.tensor)
        .key("expert").value(p.expert)
        .end_object();
  };
  w.key("serving").begin_object();
  w.key("model").value(sp.model.name);
  w.key("accelerator").value(sp.accelerator);
  w.key("precision").value(sp.precision);
  // Only when it differs: a run at one precision reports as it did before the field.
  if (sp.attention_precision != sp.precision) w.key("attention_precision").value(sp.attention_precision);
  w.key("mode").value(sp.disaggregated ? "disaggregated" : "colocated");
  plan("prefill_pool", sp.prefill);
  plan("decode_pool", sp.decode);
  w.figure("params", info.params, "1");
  w.figure("active_params", info.active_params, "1");
  w.figure("kv_bytes_per_token", info.kv_bytes_per_token, "B");
  w.figure("input_tokens", sp.input_tokens, "1");
  w.figure("output_tokens", sp.output_tokens, "1");
  w.figure("prefill_batch", sp.prefill_batch, "1");
  w.figure("decode_batch", sp.batch, "1");
  w.figure("decode_steps", sp.decode_steps, "1");
  w.figure("tokens_per_step", t.tokens_per_step, "1");
  w.figure("prefill_time", t.prefill.duration().si(), "s");
  w.figure("kv_transfer_bytes", info.kv_transfer_bytes, "B");
  w.figure("ttft", t.ttft.duration().si(), "s");
  w.figure("decode_step_time", t.step.duration().si(), "s");
  w.figure("tpot", t.tpot, "s");
  if (sp.tpot_bound > 0) w.figure("tpot_bound", sp.tpot_bound, "s");
  w.key("tpot_met").value(t.tpot_met);
  w.figure("ep_bytes_per_decode_step", info.ep_bytes_per_decode_step, "B");
  w.figure("prefill_tokens_per_gpu", t.prefill_tokens_per_gpu, "1/s");
  w.figure("decode_tokens_per_gpu", t.decode_tokens_per_gpu, "1/s");
  w.figure("tokens_in_run", run_tokens(info), "1");
  energy_figures(w, s, power);
  w.end_object();
}

void write_serving_summary(JsonWriter& w, const scenario::Scenario& s, const ServingSummary& t,
                           const scenario::PowerOutcome* power) {
  w.figure("ttft", t.ttft.duration().si(), "s");
  w.figure("tpot", t.tpot, "s");
  w.figure("prefill_tokens_per_gpu", t.prefill_tokens_per_gpu, "1/s");
  w.figure("decode_tokens_per_gpu", t.decode_tokens_per_gpu, "1/s");
  w.figure("tpot_met", t.tpot_met ? 1 : 0, "1");
  energy_figures(w, s, power);
}

std::string serving_text(const scenario::Scenario& s, const ServingSummary& t) {
  const work::ServingInfo& info = *s.serving;
  const work::ServingSpec& sp = info.spec;
  std::string out = fmt::format(
      "  serving         {} ({:.4g} B params, {:.4g} B active), {}: prefill {} GPUs, decode {} GPUs\n",
      sp.model.name, info.params / 1e9, info.active_params / 1e9,
      sp.disaggregated ? "disaggregated" : "colocated", sp.prefill.gpus, sp.decode.gpus);
  out += fmt::format("  prefill         {} sequences of {} tokens in {}; TTFT {}; {:.0f} input tokens/s per GPU\n",
                     sp.prefill_batch, sp.input_tokens, t.prefill, t.ttft, t.prefill_tokens_per_gpu);
  out += fmt::format("  decode          batch {}, step {}, {:.3g} tokens/step; TPOT {:.2f} ms{}; {:.0f} output "
                     "tokens/s per GPU\n",
                     sp.batch, t.step, t.tokens_per_step, 1e3 * t.tpot,
                     sp.tpot_bound > 0 ? fmt::format(" ({} the bound {:.1f} ms)", t.tpot_met ? "meets" : "MISSES",
                                                     1e3 * sp.tpot_bound)
                                       : "",
                     t.decode_tokens_per_gpu);
  return out;
}

std::string serving_energy_text(const scenario::Scenario& s, const scenario::PowerOutcome& p) {
  const double tokens = run_tokens(*s.serving);
  std::string out = fmt::format("  per token       {:.3g} J (the run's energy over its {:.0f} input and output tokens)",
                                p.energy.total.si() / tokens, tokens);
  if (p.facility) {
    out += fmt::format("; {:.4g} {} per million tokens", p.facility->cost / tokens * 1e6, s.power.facility->currency);
  }
  return out + "\n";
}

}  // namespace roshni::report
