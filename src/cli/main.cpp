// The `roshni` command: the only place that catches a ScenarioError, prints it and
// chooses the exit code. Exit codes: 0 success, 1 invalid input (the message names the
// file and JSON pointer), 2 bad command line, 3 the run ended with unfinished flows,
// 4 the report could not be written or an unexpected failure.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "roshni/core/error.h"
#include "roshni/net/flow_model.h"
#include "roshni/report/report.h"
#include "roshni/report/topology_report.h"
#include "roshni/topo/export.h"
#include "roshni/scenario/loader.h"

namespace {

enum ExitCode : int { kOk = 0, kBadInput = 1, kUsage = 2, kUnfinished = 3, kFailure = 4 };

struct Options {
  std::string scenario;
  std::string output;
  std::vector<std::string> overrides;
  int64_t seed = -1;
  std::string dot, graphml;
  bool no_bisection = false;
  int verbosity = 0;
  bool quiet = false;
};

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
  if (o.seed >= 0) lo.seed = static_cast<uint64_t>(o.seed);
  return roshni::scenario::load_scenario(o.scenario, lo);
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

  const auto result = roshni::net::run_flow_model(s.topology, s.flows, s.paths, s.run_options);
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
      using St = roshni::net::UnfinishedFlow::State;
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
    return kUnfinished;
  }

  const auto summary = roshni::report::summarize(s, result);
  const std::string dir = o.output.empty() ? default_output_dir(s.name) : o.output;
  roshni::report::write_file_atomically(dir, "report.json",
                                        roshni::report::report_json(s, result, summary));
  const auto t3 = Clock::now();
  spdlog::debug("wrote the report in {:.3f} s", std::chrono::duration<double>(t3 - t2).count());
  if (!o.quiet) {
    fmt::print("{}", roshni::report::human_summary(s, summary));
    fmt::print("  report          {}/report.json\n", dir);
  }
  return kOk;
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
                      "scenario's `seed`)")->check(CLI::NonNegativeNumber);
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  setup_logging(o);
  try {
    if (run_cmd->parsed()) return run(o);
    if (topo_cmd->parsed()) return topo(o);
    return validate(o);
  } catch (const roshni::ScenarioError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kFailure;
  }
}
