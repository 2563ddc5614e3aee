#include "roshni/report/training_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "roshni/report/circuit_report.h"
#include "roshni/work/training.h"

namespace roshni::report {
namespace {

/// The pipeline stage whose GPUs need the most memory (the first of equals).
size_t busiest_stage(const work::TrainingInfo& info) {
  size_t worst = 0;
  for (size_t i = 1; i < info.memory.size(); ++i) {
    if (info.memory[i].total() > info.memory[worst].total()) worst = i;
  }
  return worst;
}

}  // namespace

TrainingSummary summarize_training(const scenario::Scenario& s, const net::RunResult& r) {
  const work::TrainingInfo& info = *s.training;
  TrainingSummary t;
  t.iteration = r.makespan;
  t.compute = info.busiest_compute;
  t.without_comm = work::critical_path_without_communication(s.flows);
  t.bubble = t.without_comm > t.compute ? t.without_comm - t.compute : SimTime::zero();
  t.exposed_comm = t.iteration > t.without_comm ? t.iteration - t.without_comm : SimTime::zero();
  // Gaps before transfers that waited for an optical circuit map to light are the
  // reconfiguration's (docs/topologies.md, "Reconfiguring during a run").
  std::vector<SimTime> lit;
  for (const auto& c : circuit_changes(s, r)) lit.push_back(c.lit);
  t.path = work::critical_path(s.flows, r, t.exposed_comm, lit);
  const double seconds_ = t.iteration.duration().si();
  const double gpus = info.spec.plan.gpus();
  if (seconds_ > 0) {
    // MFU as Chowdhery et al. 2022 (PaLM, appendix B) define it: the model's FLOPs per
    // token x tokens/s over the peak of the GPUs; recomputation is not model work.
    t.model_flops_per_gpu = flops_per_second(info.model_flops_per_iteration / (gpus * seconds_));
    t.hardware_flops_per_gpu = flops_per_second(info.hardware_flops_per_iteration / (gpus * seconds_));
    t.mfu = t.model_flops_per_gpu / info.spec.peak;
    t.hfu = t.hardware_flops_per_gpu / info.spec.peak;
    t.tokens_per_second = info.tokens_per_iteration / seconds_;
    if (info.spec.train_tokens > 0) t.time_to_train = seconds(info.spec.train_tokens / t.tokens_per_second);
  }
  return t;
}

void write_training(JsonWriter& w, const scenario::Scenario& s, const TrainingSummary& t) {
  const work::TrainingInfo& info = *s.training;
  const work::TrainingSpec& sp = info.spec;
  w.key("training").begin_object();
  w.key("accelerator").value(sp.accelerator);
  w.key("precision").value(sp.model.precision);
  w.figure("peak_flops", sp.peak.si(), "FLOP/s");
  if (sp.op_fractions) {
    // Only with the roofline by operation class, so that other reports keep their bytes.
    const work::OpFractions& f = *sp.op_fractions;
    w.key("efficiency").value("roofline");
    w.key("achievable").begin_compact_object()
        .key("gemm").value(f.gemm)
        .key("attention_forward").value(f.attention_forward)
        .key("attention_backward").value(f.attention_backward)
        .key("hbm").value(f.hbm)
        .end_object();
  } else {
    w.figure("efficiency", sp.efficiency, "1");
  }
  w.key("parallelism").begin_compact_object()
      .key("data").value(sp.plan.data)
      .key("tensor").value(sp.plan.tensor)
      .key("pipeline").value(sp.plan.pipeline)
      .key("expert").value(sp.plan.expert)
      .key("sharding").value(work::to_string(sp.plan.sharding));
  if (sp.plan.sequence_parallel) w.key("sequence_parallel").value(true);  // only then: other reports keep their bytes
  if (sp.plan.context > 1) w.key("context").value(sp.plan.context);  // likewise
  w.end_object();
  // Only for the schedules and options issue 22 added, so that other reports keep their bytes.
  const bool uneven = sp.plan.first_stage_layers > 0 || sp.plan.last_stage_layers > 0;
  const bool other = sp.plan.schedule != work::PipelineSchedule::one_f_one_b;
  if (sp.plan.virtual_stages > 1 || uneven || other) {
    w.key("pipeline_schedule").value(sp.plan.virtual_stages > 1 ? "interleaved_1f1b"
                                                                : std::string(work::to_string(sp.plan.schedule)));
    w.figure("virtual_stages", sp.plan.virtual_stages, "1");
    w.key("stage_layers").begin_array();
    for (const uint32_t n : info.stage_layers) w.value(n);
    w.end_array();
  }
  if (sp.selective_recompute) w.key("recompute").value("selective");
  if (sp.tp_overlap_chunks > 0) {  // only when set, so that other reports keep their bytes
    w.key("tp_overlap").begin_compact_object().key("chunks").value(sp.tp_overlap_chunks).end_object();
  }
  if (sp.overlap_slowdown > 0) w.key("overlap_slowdown").value(sp.overlap_slowdown);  // only when set
  if (sp.library) {
    // Only when set: the library, its protocol named or left to its tuner, and how many
    // operations of each traffic class ran under each protocol (whole cluster).
    const coll::Library& lib = sp.library->library;
    w.key("library").begin_object();
    w.key("name").value(lib.name);
    w.key("protocol").value(sp.library_protocol ? std::string(coll::to_string(*sp.library_protocol))
                                                : std::string("tuner"));
    w.key("link_efficiency").begin_compact_object();
    for (const coll::HopClass h : {coll::HopClass::nvlink, coll::HopClass::network, coll::HopClass::pcie}) {
      w.key(coll::to_string(h)).value(lib.link_efficiency[static_cast<size_t>(h)]);
    }
    w.end_object();
    w.key("operations_by_protocol").begin_object();
    for (size_t k = 0; k < info.traffic.size(); ++k) {
      const auto& by = info.traffic[k].by_protocol;
      if (by[0] + by[1] + by[2] == 0) continue;
      w.key(work::kTrafficNames[k]).begin_compact_object();
      for (const coll::Protocol p : coll::kProtocols) w.key(coll::to_string(p)).value(by[static_cast<size_t>(p)]);
      w.end_object();
    }
    w.end_object();
    w.end_object();
  }
  if (sp.model.capacity_factor > 0) {
    // MoE token dropping (docs/training.md, "Capacity factor"): the share of expert
    // passes that do not run (lost work, still in the model FLOPs). Only when set.
    w.key("moe_capacity").begin_compact_object()
        .key("capacity_factor").value(sp.model.capacity_factor)
        .key("dropped_fraction").value(1 - work::kept_top_k(sp.model) / sp.model.top_k)
        .end_object();
  }
  if (sp.report_memory) {
    const size_t worst = busiest_stage(info);
    const work::StageMemory& m = info.memory[worst];
    w.key("memory_per_gpu").begin_compact_object()
        .key("stage").value(static_cast<uint64_t>(worst))
        .key("total").value(m.total())
        .key("weights").value(m.weights)
        .key("gradients").value(m.gradients)
        .key("optimizer").value(m.optimizer)
        .key("activations").value(m.activations)
        .key("layer_passes_in_flight").value(m.layer_passes)
        .key("capacity").value(sp.hbm_capacity.si())
        .key("unit").value("B")
        .end_object();
  }
  if (info.replicas_per_simulated > 1) {
    // Only then, so that reports of fully simulated runs keep their bytes.
    w.figure("replicas_per_simulated", info.replicas_per_simulated, "1");
    if (!s.fold.caveat.empty()) w.key("replicas_caveat").value(s.fold.caveat);
  }
  w.figure("micro_batches", info.micro_batches, "1");
  w.figure("params", info.params, "1");
  w.figure("active_params", info.active_params, "1");
  w.figure("model_flops_per_token", info.model_flops_per_token, "FLOP");
  w.figure("tokens_per_iteration", info.tokens_per_iteration, "1");
  w.figure("iteration_time", t.iteration.duration().si(), "s");
  w.figure("compute_time", t.compute.duration().si(), "s");
  if (sp.op_fractions) {
    w.key("compute_by_class").begin_compact_object();
    for (size_t c = 0; c < info.compute_by_class.size(); ++c) {
      w.key(work::kOpClassNames[c]).value(info.compute_by_class[c].duration().si());
    }
    w.key("unit").value("s").end_object();
  }
  w.figure("time_without_communication", t.without_comm.duration().si(), "s");
  w.figure("pipeline_bubble", t.bubble.duration().si(), "s");
  w.figure("exposed_communication", t.exposed_comm.duration().si(), "s");
  // Issue 22.2: which traffic the exposed time was (proportional to each class's time on
  // the critical path), and the path itself by class (sums to the iteration time).
  // The cp class only with context parallelism, so that other reports keep their bytes.
  const bool cp = sp.plan.context > 1;
  w.key("exposed_by_class").begin_compact_object();
  for (size_t c = 0; c < work::kCommClasses; ++c) {
    if (c + 1 == static_cast<size_t>(work::PathClass::cp) && !cp) continue;
    w.key(work::kPathClassNames[c + 1]).value(t.path.exposed[c].duration().si());
  }
  // Only on a fabric whose circuit maps change, so that other reports keep their bytes.
  if (!s.circuit_changes.empty()) w.key("circuits").value(t.path.circuits_exposed.duration().si());
  w.key("unit").value("s").end_object();
  w.key("critical_path").begin_compact_object();
  for (size_t c = 0; c < t.path.time.size(); ++c) {
    if (c == static_cast<size_t>(work::PathClass::cp) && !cp) continue;
    w.key(work::kPathClassNames[c]).value(t.path.time[c].duration().si());
  }
  if (!s.circuit_changes.empty()) w.key("of_wait_circuits").value(t.path.circuits.duration().si());
  w.key("unit").value("s").end_object();
  w.figure("model_flops_per_gpu", t.model_flops_per_gpu.si(), "FLOP/s");
  w.figure("hardware_flops_per_gpu", t.hardware_flops_per_gpu.si(), "FLOP/s");
  w.figure("mfu", t.mfu, "1");
  w.figure("hfu", t.hfu, "1");
  w.figure("tokens_per_second", t.tokens_per_second, "1/s");
  if (t.time_to_train) {
    w.figure("train_tokens", sp.train_tokens, "1");
    w.figure("time_to_train", t.time_to_train->si(), "s");
  }
  w.key("traffic").begin_object();
  for (size_t i = 0; i < info.traffic.size(); ++i) {
    if (i == static_cast<size_t>(work::Traffic::cp) && !cp) continue;
    const auto& tt = info.traffic[i];
    w.key(work::kTrafficNames[i]).begin_compact_object()
        .key("algorithm").value(tt.algorithm)
        .key("collectives").value(tt.collectives)
        .key("flows").value(tt.flows)
        .key("bytes").value(tt.bytes.si())
        .key("unit").value("B")
        .end_object();
  }
  w.end_object();
  w.end_object();
}

void write_training_summary(JsonWriter& w, const scenario::Scenario& s, const TrainingSummary& t) {
  // The training figures a planner decides on, in the summary that check, compare and sweep
  // read (issue 17.7): halving train_tokens must move time_to_train past any tolerance.
  w.figure("iteration_time", t.iteration.duration().si(), "s");
  w.figure("mfu", t.mfu, "1");
  w.figure("tokens_per_second", t.tokens_per_second, "1/s");
  w.figure("exposed_communication", t.exposed_comm.duration().si(), "s");
  const work::TrainingInfo& info = *s.training;
  for (size_t c = 0; c < work::kCommClasses; ++c) {
    if (c + 1 == static_cast<size_t>(work::PathClass::cp) && info.spec.plan.context < 2) continue;
    w.figure(fmt::format("exposed_{}", work::kPathClassNames[c + 1]), t.path.exposed[c].duration().si(), "s");
  }
  if (!s.circuit_changes.empty()) {
    w.figure("exposed_circuits", t.path.circuits_exposed.duration().si(), "s");
  }
  if (info.spec.plan.virtual_stages > 1) w.figure("virtual_stages", info.spec.plan.virtual_stages, "1");
  if (info.spec.report_memory) w.figure("memory_per_gpu", info.memory[busiest_stage(info)].total(), "B");
  if (t.time_to_train) {
    w.figure("train_tokens", s.training->spec.train_tokens, "1");
    w.figure("time_to_train", t.time_to_train->si(), "s");
  }
}

std::string training_text(const scenario::Scenario& s, const TrainingSummary& t) {
  const work::TrainingInfo& info = *s.training;
  const double it = t.iteration.duration().si();
  const auto share = [&](SimTime x) { return it > 0 ? 100.0 * x.duration().si() / it : 0.0; };
  std::string out = fmt::format("  training        {:.4g} B params, {} GPUs, {} micro-batches of {}\n",
                                info.params / 1e9, info.spec.plan.gpus(), info.micro_batches,
                                info.spec.model.micro_batch);
  if (info.replicas_per_simulated > 1) {
    out += fmt::format("  simulated       one data-parallel replica standing for all {} "
                       "(docs/models/scale.md)\n", info.replicas_per_simulated);
    if (!s.fold.caveat.empty()) out += "  note: " + s.fold.caveat + "\n";
  }
  out += fmt::format("  iteration       {}: compute {} ({:.1f}%), bubble {} ({:.1f}%), exposed "
                     "communication {} ({:.1f}%)\n",
                     t.iteration, t.compute, share(t.compute), t.bubble, share(t.bubble),
                     t.exposed_comm, share(t.exposed_comm));
  if (!s.circuit_changes.empty()) {
    out += fmt::format("  circuits        {} of the exposed time was waiting for circuit maps to light\n",
                       t.path.circuits_exposed);
  }
  out += fmt::format("  per GPU         {:.1f} TFLOP/s model, MFU {:.1f}% (hardware {:.1f}%)\n",
                     t.model_flops_per_gpu.si() / 1e12, 100 * t.mfu, 100 * t.hfu);
  out += fmt::format("  throughput      {:.0f} tokens/s\n", t.tokens_per_second);
  if (info.spec.plan.virtual_stages > 1) {
    out += fmt::format("  schedule        interleaved 1F1B, {} virtual stages per GPU\n", info.spec.plan.virtual_stages);
  } else if (info.spec.plan.schedule == work::PipelineSchedule::gpipe) {
    out += "  schedule        GPipe (all forwards, then all backwards)\n";
  } else if (info.spec.plan.schedule == work::PipelineSchedule::zb_h1) {
    out += "  schedule        ZB-H1 (backward split into B and W, W deferred)\n";
  }
  if (info.spec.report_memory) {
    const work::StageMemory& m = info.memory[busiest_stage(info)];
    const double capacity = info.spec.hbm_capacity.si();
    out += fmt::format("  memory per GPU  {:.1f} GB (weights {:.1f}, gradients {:.1f}, Adam state {:.1f}, "
                       "activations {:.1f}){}\n",
                       m.total() / 1e9, m.weights / 1e9, m.gradients / 1e9, m.optimizer / 1e9,
                       m.activations / 1e9,
                       capacity > 0 ? fmt::format(" of {:.0f} GB", capacity / 1e9) : std::string(" (no hbm_capacity)"));
  }
  if (t.time_to_train) {
    out += fmt::format("  time to train   {:.3g} tokens in {}\n", info.spec.train_tokens,
                       *t.time_to_train);
  }
  return out;
}

}  // namespace roshni::report
