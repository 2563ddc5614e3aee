// The `roshni` command: the only place that catches a ScenarioError, prints it and
// chooses the exit code. Exit codes: 0 success, 1 invalid input (the message names the
// file and JSON pointer), 2 bad command line, 3 the run ended with unfinished flows,
// 4 the report (or what a command prints on stdout) could not be written, or an
// unexpected failure,
// 5 `check` found figures that moved past the tolerance. `run` stopped by SIGINT,
// SIGTERM or SIGHUP removes its temporary files and dies of the signal (a shell reports
// 130, 143, 129).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include <unistd.h>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "roshni/core/error.h"
#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/report/check.h"
#include "roshni/report/busbw.h"
#include "roshni/report/compare.h"
#include "roshni/report/csv.h"
#include "roshni/report/html.h"
#include "roshni/report/packet_report.h"
#include "roshni/report/power_report.h"
#include "roshni/report/report.h"
#include "roshni/report/run_output.h"
#include "roshni/report/sweep.h"
#include "roshni/scenario/chakra.h"
#include "roshni/scenario/run.h"
#include "roshni/report/topology_report.h"
#include "roshni/report/trace.h"
#include "roshni/topo/export.h"
#include "roshni/scenario/loader.h"
#include "cli/mpi_world.h"
#include "cli/progress_bar.h"

namespace {

enum ExitCode : int {
  kOk = 0,
  kBadInput = 1,
  kUsage = 2,
  kUnfinished = 3,
  kFailure = 4,
  kDrift = 5,
};

struct Options {
  std::string scenario;
  std::string output;
  std::vector<std::string> overrides;
  std::optional<uint64_t> seed;  // any of the 2^64 seeds; out of range is a usage error
  std::string dot, graphml;
  std::string chakra_prefix;  // export-chakra
  bool no_bisection = false;
  bool no_trace = false;
  std::string report, baseline, tolerance = "0";  // check
  std::vector<std::string> tolerance_for, include, exclude;  // check
  std::string check_format = "terminal";          // check
  bool tables = false;                            // check
  std::vector<std::string> compared;              // compare
  std::string format = "terminal";                // compare
  std::vector<std::string> axes;                  // sweep
  unsigned jobs = 0;                              // sweep; 0: one per core (1 per MPI rank)
  std::string min_size = "8 B", max_size = "8 GiB";  // busbw
  uint64_t factor = 2;                                // busbw
  int verbosity = 0;
  bool quiet = false;
};

/// A seed is a whole number from 0 to 2^64 - 1, written in decimal; anything else (a
/// sign, a fraction, a number past the range, which the option parser would clamp) is
/// a usage error.
const CLI::Validator kSeed(
    [](std::string& v) {
      uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seed);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
        return std::string("expected a whole number from 0 to 18446744073709551615 (2^64 - 1)");
      }
      return std::string();
    },
    "SEED");

void setup_logging(const Options& o) {
  auto logger = spdlog::stderr_color_mt("roshni");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(o.quiet           ? spdlog::level::err
                    : o.verbosity >= 2 ? spdlog::level::trace
                    : o.verbosity == 1 ? spdlog::level::debug
                                       : spdlog::level::warn);
}

roshni::scenario::Scenario load(const Options& o, bool topology_only = false) {
  roshni::scenario::LoadOptions lo;
  lo.topology_only = topology_only;
  lo.overrides = o.overrides;
  if (o.seed) lo.seed = *o.seed;
  auto s = roshni::scenario::load_scenario(o.scenario, lo);
  for (const auto& note : s.power.bom.notes) spdlog::warn("{}", note);
  return s;
}

std::string default_output_dir(const std::string& name) {
  std::string safe;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    safe += ok ? c : '_';
  }
  if (safe.empty() || safe == "." || safe == "..") safe = "run";
  return "roshni-out/" + safe;
}

int validate(const Options& o) {
  const auto s = load(o);
  if (!o.quiet) {
    fmt::print("{}: valid ({} nodes, {} links, {} flows)\n", o.scenario, s.topology.node_count(),
               s.topology.link_count() / 2, s.flows.size());
  }
  return kOk;
}

/// `export-chakra`: the scenario's workload, as built, written as one Chakra ET file per
/// GPU (docs/workloads.md, "Chakra").
int export_chakra(const Options& o) {
  const auto s = load(o);
  const auto slash = o.chakra_prefix.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    std::filesystem::create_directories(o.chakra_prefix.substr(0, slash));
  }
  const auto e = roshni::scenario::write_chakra(s.flows, s.topology, o.chakra_prefix, o.scenario);
  if (!o.quiet) {
    fmt::print("{}: wrote {} Chakra traces {}0.et .. {}{}.et ({} nodes)\n", o.scenario, e.files,
               o.chakra_prefix, o.chakra_prefix, e.files == 0 ? 0 : e.files - 1, e.nodes);
  }
  return kOk;
}

int topo(const Options& o) {
  const auto s = load(o, /*topology_only=*/true);
  roshni::report::TopologyReportOptions ro;
  ro.bisection = !o.no_bisection;
  ro.seed = s.seed;
  if (!o.quiet) {
    fmt::print("{}: {} nodes, {} physical links\n", s.name, s.topology.node_count(),
               s.topology.link_count() / 2);
    fmt::print("{}", roshni::report::topology_report(s.topology, ro));
  }
  auto write = [](const std::string& path, const std::string& text) {
    const auto slash = path.find_last_of('/');
    roshni::report::write_file_atomically(slash == std::string::npos ? "." : path.substr(0, slash),
                                          path.substr(slash == std::string::npos ? 0 : slash + 1),
                                          text);
  };
  if (!o.dot.empty()) write(o.dot, roshni::topo::to_dot(s.topology));
  if (!o.graphml.empty()) write(o.graphml, roshni::topo::to_graphml(s.topology));
  return kOk;
}

int run(const Options& o) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const auto s = load(o);
  const auto t1 = Clock::now();
  spdlog::debug("loaded '{}': {} nodes, {} directed links, {} flows in {:.3f} s", s.name,
                s.topology.node_count(), s.topology.link_count(), s.flows.size(),
                std::chrono::duration<double>(t1 - t0).count());

  roshni::cli::ProgressBar bar(o.quiet);
  std::function<void(const roshni::net::RunProgress&)> progress;
  if (bar.enabled()) progress = [&bar](const auto& p) { bar.update(p); };
  const auto outcome = roshni::scenario::simulate(s, progress, /*record_activity=*/!o.no_trace);
  bar.finish();
  const auto& result = outcome.net;
  const auto& packet = outcome.packet;
  const auto t2 = Clock::now();
  spdlog::debug("simulated {} events, {} rate solves over {} flow-ratings in {:.3f} s",
                result.events, result.rate_solves, result.flows_rated,
                std::chrono::duration<double>(t2 - t1).count());

  if (!result.unfinished.empty()) {
    fmt::print(stderr, "error: the run ended with {} of {} flows unfinished; no report written\n",
               result.unfinished.size(), s.flows.size());
    size_t shown = 0;
    for (const auto& u : result.unfinished) {
      if (++shown > 10) {
        fmt::print(stderr, "  ... and {} more\n", result.unfinished.size() - 10);
        break;
      }
      const auto& label = s.flows.label(u.flow);
      using St = roshni::net::Unfinished::State;
      if (u.state == St::waiting && u.waiting_for.valid()) {
        fmt::print(stderr, "  flow '{}' never started: waits for '{}', which never finished\n",
                   label, s.flows.label(u.waiting_for));
      } else if (u.state == St::transmitting && u.dead_link.valid()) {
        fmt::print(stderr, "  flow '{}' stalled: its path crosses '{}', which is down\n", label,
                   s.topology.link_name(u.dead_link));
      } else if (u.state == St::transmitting) {
        fmt::print(stderr, "  flow '{}' started but never finished transmitting\n", label);
      } else if (u.state == St::no_route) {
        fmt::print(stderr, "  flow '{}' never started: no live path from '{}' to '{}'\n", label,
                   s.topology.node_name(s.flows.src(u.flow)),
                   s.topology.node_name(s.flows.dst(u.flow)));
      } else {
        fmt::print(stderr, "  flow '{}' is stuck (state {})\n", label, static_cast<int>(u.state));
      }
    }
    if (packet && packet->deadlocked_ports > 0) {
      fmt::print(stderr,
                 "  {} ports are paused by PFC with packets waiting on each other (a PFC "
                 "deadlock: cyclic buffer dependencies); try \"mode\": \"lossy\" in "
                 "network.packet\n",
                 packet->deadlocked_ports);
    }
    return kUnfinished;
  }

  namespace rr = roshni::report;
  const auto summary = rr::summarize(s, result);
  const std::string dir = o.output.empty() ? default_output_dir(s.name) : o.output;
  const roshni::scenario::PowerOutcome* power = outcome.power ? &*outcome.power : nullptr;
  // Every file goes into a private staging directory inside `dir` and is renamed into
  // place with the others at the end (include/roshni/report/run_output.h): a failed,
  // interrupted or concurrent run never leaves half a set or a temporary file.
  rr::RunOutput out(dir);
  const std::string report_text =
      rr::report_json(s, result, summary, packet ? &*packet : nullptr, power);
  out.add("report.json", report_text);
  const auto th = Clock::now();
  out.add("report.html", rr::run_html(s, result, report_text));
  spdlog::debug("report.json in {:.3f} s, report.html in {:.3f} s",
                std::chrono::duration<double>(th - t2).count(),
                std::chrono::duration<double>(Clock::now() - th).count());
  out.add("links.csv", rr::links_csv(s, result));
  const auto tf = Clock::now();
  if (s.report.flows_csv()) {
    out.add("flows.csv", [&](const auto& sink) { rr::write_flows_csv(s, result, sink); });
  }
  spdlog::debug("flows.csv in {:.3f} s", std::chrono::duration<double>(Clock::now() - tf).count());
  std::string trace_note;
  if (!o.no_trace) {
    const auto trace = rr::trace_json(s, result);
    out.add("trace.json", trace.json);
    if (trace.left_out > 0) {
      trace_note = fmt::format(" (first {} of {} flows by start time)", trace.written,
                               trace.written + trace.left_out);
    }
  }
  if (power) {
    out.add("components.csv", rr::components_csv(s, *power));
    out.add("racks.csv", rr::racks_csv(s, *power));
  }
  const auto committed = out.commit({o.scenario, s.name, o.overrides, s.seed});
  for (const auto& name : committed.removed) {
    spdlog::debug("removed {}/{}, written by an earlier run", dir, name);
  }
  for (const auto& name : committed.kept) {
    // Not this run's and not known to be an earlier run's: it may be the user's own.
    spdlog::warn("{}/{} is not from this run (left as it is: no earlier run's marker names it)",
                 dir, name);
  }
  const auto t3 = Clock::now();
  spdlog::debug("wrote the report, tables and trace in {:.3f} s",
                std::chrono::duration<double>(t3 - t2).count());
  if (!o.quiet) {
    fmt::print("{}", rr::human_summary(s, summary));
    if (packet) fmt::print("{}", rr::packet_human_summary(s, *packet));
    if (power) fmt::print("{}", rr::power_summary(s, *power));
    fmt::print("  report          {}/report.json, {}/report.html\n", dir, dir);
    if (!s.report.flows_csv()) {
      fmt::print("  tables          {}/links.csv (no flows.csv: report.per_flow is false)\n", dir);
    } else if (!s.report.flow_rows_in_json(s.flows.size())) {
      fmt::print("  tables          {}/links.csv, {}/flows.csv (per-flow rows only there: "
                 "report.json holds them up to {} flows unless report.per_flow is true)\n",
                 dir, dir, s.report.json_rows_at_most);
    } else {
      fmt::print("  tables          {}/links.csv, {}/flows.csv\n", dir, dir);
    }
    if (!o.no_trace) fmt::print("  trace           {}/trace.json{}\n", dir, trace_note);
  }
  return kOk;
}

int check(const Options& o) {
  namespace rr = roshni::report;
  rr::GateOptions gate;
  gate.tolerance = *rr::parse_tolerance(o.tolerance);  // validated by the parser
  for (const auto& t : o.tolerance_for) {
    auto named = *rr::parse_tolerance_for(t);  // validated by the parser
    for (const auto& [pattern, tol] : gate.tolerance_for) {
      if (pattern == named.first) {
        fmt::print(stderr, "error: --tolerance-for: {} is given twice; give each name one "
                           "tolerance\n", named.first);
        return kUsage;
      }
    }
    gate.tolerance_for.push_back(std::move(named));
  }
  gate.include = o.include;
  gate.exclude = o.exclude;
  for (const auto& p : gate.include) {
    if (std::find(gate.exclude.begin(), gate.exclude.end(), p) != gate.exclude.end()) {
      fmt::print(stderr, "error: {} is given to both --include and --exclude\n", p);
      return kUsage;
    }
  }
  const auto report = rr::read_report(o.report, o.tables);
  const auto baseline = rr::read_report(o.baseline, o.tables);
  rr::require_same_schema(report, o.report, baseline, o.baseline);
  const auto now = rr::summary_figures(report, o.report);
  const auto base = rr::summary_figures(baseline, o.baseline);
  if (base.empty()) {
    throw roshni::ScenarioError(o.baseline, "/summary", "the baseline has no figures to check");
  }
  auto result = rr::gate_figures(now, base, gate);
  if (o.tables) result.tables = rr::gate_tables(report, o.report, baseline, o.baseline, gate);
  rr::require_patterns_used(gate, result, o.tables);
  const rr::GateText text{o.report, o.baseline, o.tolerance};
  if (o.check_format == "json") {
    fmt::print("{}", rr::format_gate_json(result, gate, text));
  } else if (o.check_format == "junit") {
    fmt::print("{}", rr::format_gate_junit(result, text));
  } else {
    // A failure's table is its explanation: printed even with --quiet.
    fmt::print("{}", rr::format_gate_text(result, gate, text, o.quiet));
  }
  return result.passed() ? kOk : kDrift;
}

/// A report file's figures, or a scenario's, run here in memory.
int compare(const Options& o) {
  namespace rr = roshni::report;
  rr::TableFormat format = rr::TableFormat::terminal;
  rr::parse_table_format(o.format, format);  // validated by the parser
  const auto labels = rr::run_labels(o.compared);
  // One run that cannot be read or run (bad input, unfinished flows, a figure out of
  // range) is reported on stderr and leaves its column empty; the others are still
  // compared, and the exit status is that of the worst failure.
  std::vector<rr::ComparedRun> runs;
  int status = kOk;
  const auto failed = [&](int code, const std::string& why) {
    fmt::print(stderr, "error: {}; its column is left empty\n", why);
    status = std::max(status, code);
  };
  for (size_t i = 0; i < o.compared.size(); ++i) {
    const std::string& path = o.compared[i];
    runs.push_back({labels[i], {}});
    try {
      auto doc = rr::read_report(path);
      if (rr::is_report(doc) && !o.overrides.empty()) {
        spdlog::warn("{} is a report: --set does not change it (it is compared as it was run)",
                     path);
      }
      if (!rr::is_report(doc)) {
        // --set applies to every scenario compared, as `roshni run` applies it.
        roshni::scenario::LoadOptions lo;
        lo.overrides = o.overrides;
        const auto s = roshni::scenario::load_scenario(path, lo);
        const auto outcome = roshni::scenario::simulate(s);
        const auto& result = outcome.net;
        if (!result.unfinished.empty()) {
          failed(kUnfinished,
                 fmt::format("{}: the run ended with {} of {} flows unfinished (`roshni run {}` "
                             "says which and why)",
                             path, result.unfinished.size(), s.flows.size(), path));
          continue;
        }
        try {
          doc = nlohmann::ordered_json::parse(rr::report_json(
              s, result, rr::summarize(s, result), outcome.packet ? &*outcome.packet : nullptr,
              outcome.power ? &*outcome.power : nullptr));
        } catch (const roshni::NonFiniteFigure& e) {
          throw roshni::ScenarioError(path, "", e.message());
        }
      }
      runs.back().figures = rr::summary_figures(doc, path);
    } catch (const roshni::ScenarioError& e) {
      failed(kBadInput, e.what());
    }
  }
  const bool any = std::any_of(runs.begin(), runs.end(),
                               [](const rr::ComparedRun& r) { return !r.figures.empty(); });
  if (any) fmt::print("{}", rr::compare_table(runs, format));
  return status;
}

/// `roshni sweep`: the points split over MPI ranks (when launched by mpirun) and over
/// threads within a rank; rank 0 gathers the results and writes sweep.csv and sweep.html.
int sweep(const Options& o) {
  namespace rr = roshni::report;
  rr::SweepSpec spec;
  spec.scenario = o.scenario;
  spec.overrides = o.overrides;
  if (o.seed) spec.seed = *o.seed;
  spec.axes = rr::parse_axes(o.axes, o.overrides);
  const std::string name = rr::check_axes(spec);
  const size_t n = rr::point_count(spec.axes);

  std::optional<roshni::cli::MpiWorld> world;
  if (roshni::cli::launched_by_mpi()) {
    if (!roshni::cli::built_with_mpi()) {
      spdlog::warn("started by an MPI launcher, but this roshni was built without MPI: every "
                   "rank runs the whole sweep");
    } else {
      world.emplace();
    }
  }
  const int rank = world ? world->rank() : 0;
  const int ranks = world ? world->size() : 1;
  std::vector<size_t> mine;
  for (size_t i = static_cast<size_t>(rank); i < n; i += static_cast<size_t>(ranks)) {
    mine.push_back(i);
  }
  const unsigned jobs =
      o.jobs > 0 ? o.jobs : (world ? 1u : std::max(1u, std::thread::hardware_concurrency()));
  const bool show = !o.quiet && rank == 0 && isatty(STDERR_FILENO);
  const auto progress = [&](size_t done) {
    if (show) fmt::print(stderr, "\rsweep: {}/{} points{}", done, mine.size(),
                         ranks > 1 ? fmt::format(" on rank 0 of {}", ranks) : "");
  };
  const auto results = rr::run_points(spec, mine, jobs, progress);
  if (show) fmt::print(stderr, "\n");

  std::vector<rr::PointResult> all(n);
  if (world && ranks > 1) {
    const auto texts = world->gather(rr::encode_results(mine, results));
    for (const auto& t : texts) rr::decode_results(t, all);
  } else {
    for (size_t k = 0; k < mine.size(); ++k) all[mine[k]] = results[k];
  }
  if (rank != 0) return kOk;

  const std::string dir = o.output.empty() ? default_output_dir(name + "-sweep") : o.output;
  rr::write_file_atomically(dir, "sweep.csv", rr::sweep_csv(spec, all));
  rr::write_file_atomically(dir, "sweep.html", rr::sweep_html(spec, name, all));
  size_t ok = 0, unfinished = 0;
  for (size_t i = 0; i < n; ++i) {
    if (all[i].status == "ok") {
      ++ok;
      continue;
    }
    unfinished += all[i].status == "unfinished";
    const auto values = rr::point_values(spec.axes, i);
    std::string where;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      where += fmt::format("{}{}={}", a ? " " : "", spec.axes[a].path, values[a]);
    }
    fmt::print(stderr, "error: point {} ({}): {}\n", i, where, all[i].message);
  }
  if (!o.quiet) {
    fmt::print("{}: {} points, {} ok{}\n", name, n, ok,
               ranks > 1 ? fmt::format(" ({} MPI ranks)", ranks) : "");
    fmt::print("  table           {}/sweep.csv\n", dir);
    fmt::print("  plots           {}/sweep.html\n", dir);
  }
  if (ok + unfinished < n) return kBadInput;
  return unfinished > 0 ? kUnfinished : kOk;
}

/// `roshni busbw`: the scenario's collective at every size from --min to --max (x
/// --factor), printed as nccl-tests prints it; busbw.csv and busbw.html into -o.
int busbw(const Options& o) {
  namespace rr = roshni::report;
  const auto min = rr::parse_busbw_size(o.min_size), max = rr::parse_busbw_size(o.max_size);
  for (const auto& [flag, parsed] : {std::pair{"--min", &min}, std::pair{"--max", &max}}) {
    if (!parsed->error.empty()) {
      fmt::print(stderr, "error: {}: {}\n", flag, parsed->error);
      return kUsage;
    }
  }
  if (min.bytes > max.bytes) {
    fmt::print(stderr, "error: --min {} ({} B) is larger than --max {} ({} B)\n", o.min_size,
               min.bytes, o.max_size, max.bytes);
    return kUsage;
  }
  rr::BusbwSpec spec;
  spec.scenario = o.scenario;
  spec.overrides = o.overrides;
  if (o.seed) spec.seed = *o.seed;
  spec.sizes = rr::busbw_sizes(min.bytes, max.bytes, o.factor);
  const auto c = rr::busbw_collective(spec);
  const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  const bool show = !o.quiet && isatty(STDERR_FILENO);
  const auto rows = rr::run_busbw(spec, c, jobs, [&](size_t done, size_t total) {
    if (show) fmt::print(stderr, "\rbusbw: {}/{} sizes", done, total);
  });
  if (show) fmt::print(stderr, "\n");

  const std::string dir = o.output.empty() ? default_output_dir(c.name + "-busbw") : o.output;
  rr::write_file_atomically(dir, "busbw.csv", rr::busbw_csv(rows));
  rr::write_file_atomically(dir, "busbw.html", rr::busbw_html(spec, c, rows));
  size_t bad = 0, unfinished = 0;
  for (const auto& r : rows) {
    if (r.status == "ok" || r.status == "skipped") continue;
    ++bad;
    unfinished += r.status == "unfinished";
    fmt::print(stderr, "error: size {} B: {}\n", r.size, r.message);
  }
  if (!o.quiet) {
    fmt::print("{}", rr::busbw_table(c, rows));
    fmt::print("# table {}/busbw.csv, plot {}/busbw.html\n", dir, dir);
  }
  if (bad > unfinished) return kBadInput;
  return unfinished > 0 ? kUnfinished : kOk;
}

/// What was printed to stdout is flushed here, and a failure to write it (a full disk,
/// /dev/full, a closed pipe) is an error: exit 4 (or the command's own non-zero code)
/// with the reason on stderr, never a silent 0.
int finish_stdout(int code) {
  std::cout.flush();
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout;
  if (!failed) return code;
  const int err = errno;
  fmt::print(stderr, "error: cannot write the output to stdout: {}\n",
             err != 0 ? std::strerror(err) : "write error");
  return code == kOk ? kFailure : code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Roshni simulates AI clusters whose GPUs talk over optical and electrical links.\n"
      "A JSON scenario describes the cluster and its traffic; `roshni run` simulates it and\n"
      "writes report.json. Scenario format: docs/scenario-reference.md."};
  app.set_version_flag("--version", std::string(roshni::report::kVersion));
  app.require_subcommand(1);
  app.fallthrough();  // -v and -q work before or after the subcommand
  Options o;
  app.add_flag("-v,--verbose", o.verbosity, "More log output on stderr (-vv for trace)");
  app.add_flag("-q,--quiet", o.quiet, "Print only errors");

  auto add_common = [&o](CLI::App* cmd) {
    cmd->add_option("scenario", o.scenario, "Scenario file (JSON)")->required();
    cmd->add_option("--set", o.overrides,
                    "Override a scenario field, e.g. --set topology.gpus=16 or\n"
                    "--set 'workload.size=2 GiB' (repeatable; value is JSON or else a string)")
        ->allow_extra_args(false);
  };
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its report");
  add_common(run_cmd);
  run_cmd->add_option("-o,--output", o.output,
                      "Directory for report.json (default roshni-out/<scenario name>)");
  run_cmd->add_option("--seed", o.seed, "Seed for the run's random streams (overrides the "
                      "scenario's `seed`; 0 to 2^64 - 1)")
      ->check(kSeed);
  run_cmd->add_flag("--no-trace", o.no_trace,
                    "Do not write trace.json (the timeline for ui.perfetto.dev)");
  auto* validate_cmd =
      app.add_subcommand("validate", "Check a scenario without running it; exit 0 if valid");
  add_common(validate_cmd);
  auto* topo_cmd = app.add_subcommand(
      "topo", "Describe a scenario's cluster: parts, ports, diameter, bisection bandwidth");
  add_common(topo_cmd);
  topo_cmd->add_option("--dot", o.dot, "Also write the topology as Graphviz DOT to this file");
  topo_cmd->add_option("--graphml", o.graphml, "Also write the topology as GraphML to this file");
  topo_cmd->add_flag("--no-bisection", o.no_bisection,
                     "Skip the max-flow bisection computation (seconds at 100k GPUs)");

  auto* chakra_cmd = app.add_subcommand(
      "export-chakra", "Write a scenario's workload (its flows and tasks) as Chakra execution "
                       "traces, one file per GPU: PREFIX0.et, PREFIX1.et, ...");
  add_common(chakra_cmd);
  chakra_cmd->add_option("prefix", o.chakra_prefix, "Start of the trace files' names, like "
                                                    "traces/llama.")
      ->required();

  auto* check_cmd = app.add_subcommand(
      "check", "Compare a report's summary figures with a baseline report; exit 5 if any moved "
               "past the tolerance");
  check_cmd->add_option("report", o.report, "The report.json to check")->required();
  check_cmd->add_option("--baseline", o.baseline, "The baseline report.json")->required();
  check_cmd
      ->add_option("--tolerance", o.tolerance,
                   "Largest relative change allowed, as \"1%\" or \"0.01\" (absolute for a "
                   "figure whose baseline is 0); default 0: exact")
      ->check(CLI::Validator(
          [](std::string& v) {
            return roshni::report::parse_tolerance(v)
                       ? std::string()
                       : "expected a tolerance like \"1%\" or \"0.01\", got \"" + v + "\"";
          },
          "TOLERANCE"));
  check_cmd
      ->add_option("--tolerance-for", o.tolerance_for,
                   "NAME=TOL: a figure's own tolerance, e.g. busiest_link.utilisation=2% or "
                   "'energy*=0.001' (repeatable; NAME as check prints it, a trailing * for "
                   "a prefix; the most specific NAME wins)")
      ->allow_extra_args(false)
      ->check(CLI::Validator(
          [](std::string& v) {
            if (roshni::report::parse_tolerance_for(v)) return std::string();
            const auto eq = v.rfind('=');
            if (eq != std::string::npos) {
              const auto why = roshni::report::pattern_error(v.substr(0, eq));
              if (!why.empty()) return "\"" + v + "\": " + why;
            }
            return "expected NAME=TOL like makespan=2% or busiest_link.utilisation=0.01, got \"" +
                   v + "\"";
          },
          "NAME=TOL"));
  const auto pattern_check = CLI::Validator(
      [](std::string& v) {
        const auto why = roshni::report::pattern_error(v);
        return why.empty() ? why : "\"" + v + "\": " + why;
      },
      "NAME");
  check_cmd
      ->add_option("--include", o.include,
                   "Gate figures named so (repeatable; a trailing * for a prefix), e.g. "
                   "--include events: engine counters are not gated by default")
      ->allow_extra_args(false)
      ->check(pattern_check);
  check_cmd
      ->add_option("--exclude", o.exclude,
                   "Do not gate figures named so (repeatable; a trailing * for a prefix); "
                   "the most specific of --include and --exclude decides")
      ->allow_extra_args(false)
      ->check(pattern_check);
  check_cmd->add_option("--format", o.check_format,
                        "terminal (default), json or junit (JUnit XML for CI), on stdout")
      ->check(CLI::IsMember({"terminal", "json", "junit"}));
  check_cmd->add_flag("--tables", o.tables,
                      "Also compare the per-link and per-flow tables row by row");

  auto* compare_cmd = app.add_subcommand(
      "compare", "Summary figures of several runs side by side, with ratios to the first");
  compare_cmd
      ->add_option("runs", o.compared,
                   "report.json files, or scenario files (run first, in memory)")
      ->required();
  compare_cmd
      ->add_option("--set", o.overrides,
                   "Override a field of every scenario compared, as `run --set` does (a\n"
                   "report.json is compared as it is); repeatable")
      ->allow_extra_args(false);
  compare_cmd->add_option("--format", o.format, "terminal (default), markdown, csv or html")
      ->check(CLI::IsMember({"terminal", "markdown", "csv", "html"}));

  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run a scenario at every point of a grid of --set values; write sweep.csv and "
               "sweep.html (under mpirun, the points are split over the ranks)");
  add_common(sweep_cmd);
  sweep_cmd
      ->add_option("--axis", o.axes,
                   "PATH=V1,V2,...: a field and its values (repeatable; the grid is the "
                   "cartesian product), e.g. --axis topology.gpus=8,16,32")
      ->required()
      ->allow_extra_args(false);
  sweep_cmd->add_option("-j,--jobs", o.jobs,
                        "Points run at once on this machine (default: one per core; 1 per "
                        "rank under mpirun)")
      ->check(CLI::Range(1u, 4096u));
  sweep_cmd->add_option("-o,--output", o.output,
                        "Directory for sweep.csv and sweep.html (default "
                        "roshni-out/<scenario name>-sweep)");
  sweep_cmd->add_option("--seed", o.seed, "Seed for every point's run (0 to 2^64 - 1)")
      ->check(kSeed);

  auto* busbw_cmd = app.add_subcommand(
      "busbw", "Run a scenario's collective at every message size from --min to --max and print "
               "nccl-tests' columns (size, count, type, redop, root, time, algbw, busbw); write "
               "busbw.csv and busbw.html");
  add_common(busbw_cmd);
  busbw_cmd->add_option("--min", o.min_size, "Smallest size, e.g. \"8 B\" (default 8 B)");
  busbw_cmd->add_option("--max", o.max_size, "Largest size, e.g. \"1 GiB\" (default 8 GiB)");
  busbw_cmd->add_option("--factor", o.factor,
                        "Each size is the one before times this whole number (default 2)")
      ->check(CLI::Range(uint64_t{2}, uint64_t{1} << 32));
  busbw_cmd->add_option("-j,--jobs", o.jobs, "Sizes run at once (default: one per core)")
      ->check(CLI::Range(1u, 4096u));
  busbw_cmd->add_option("-o,--output", o.output,
                        "Directory for busbw.csv and busbw.html (default "
                        "roshni-out/<scenario name>-busbw)");
  busbw_cmd->add_option("--seed", o.seed, "Seed for every size's run (0 to 2^64 - 1)")
      ->check(kSeed);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return finish_stdout(code == 0 ? kOk : kUsage);
  }
  setup_logging(o);
  int code = kOk;
  try {
    if (run_cmd->parsed()) {
      code = run(o);
    } else if (topo_cmd->parsed()) {
      code = topo(o);
    } else if (chakra_cmd->parsed()) {
      code = export_chakra(o);
    } else if (check_cmd->parsed()) {
      code = check(o);
    } else if (compare_cmd->parsed()) {
      code = compare(o);
    } else if (sweep_cmd->parsed()) {
      code = sweep(o);
    } else if (busbw_cmd->parsed()) {
      code = busbw(o);
    } else {
      code = validate(o);
    }
  } catch (const roshni::NonFiniteFigure& e) {
    // Thrown while writing a report: the figure is named, the input is the scenario.
    fmt::print(stderr, "error: {}: {}\n", o.scenario.empty() ? "input" : o.scenario, e.message());
    code = kBadInput;
  } catch (const roshni::ScenarioError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    code = kBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    code = kFailure;
  }
  return finish_stdout(code);
}
