/// From a scenario file to everything a run needs, validated: the topology, the flows
/// (from a collective or a flow trace) with their routes, and the run options. Every
/// problem is a ScenarioError naming file and JSON pointer; what this returns can be
/// run without further checks. The format is documented in docs/scenario-reference.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roshni/hw/catalog.h"
#include "roshni/net/run_contract.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/packet_model.h"
#include "roshni/net/paths.h"
#include "roshni/power/bom.h"
#include "roshni/power/facility.h"
#include "roshni/power/inventory.h"
#include "roshni/power/reliability.h"
#include "roshni/thermal/thermal_model.h"
#include "roshni/scenario/document.h"
#include "roshni/topo/topology.h"
#include "roshni/work/serving.h"
#include "roshni/work/training.h"

namespace roshni::scenario {

inline constexpr int kScenarioSchema = 1;

#ifndef ROSHNI_DEFAULT_CATALOG_DIR
#define ROSHNI_DEFAULT_CATALOG_DIR "configs"
#endif

struct LoadOptions {
  std::vector<std::string> overrides;  // "--set" assignments, applied in order
  std::optional<uint64_t> seed;        // replaces the scenario's seed when given
  FileReader reader = disk_reader();
  /// Workloads of more flows are refused (a ring all-reduce over N ranks has 2N(N-1)),
  /// so that a typo in a GPU count is an error rather than an exhausted machine.
  /// The fuzzer lowers it to keep each input fast.
  size_t max_flows = size_t{1} << 25;
  bool topology_only = false;          // read and check the topology; skip the workload
  /// Where the hardware catalog is when the scenario does not say ("physical.catalog").
  std::string catalog_dir = ROSHNI_DEFAULT_CATALOG_DIR;
};

/// What the report says about the workload.
struct WorkloadInfo {
  std::string kind;         // a collective kind ("all_reduce", ..., "p2p"), "flow_trace", "goal",
                            // "chakra" or "training"
  std::string algorithm;    // the collective algorithm that ran (auto's pick); "" for a trace
  std::string selected_by;  // "auto: <the rule's reason>" when auto picked it, else ""
  std::string inter;        // hierarchical all-reduce: the algorithm between domains
  std::string library;      // the communication library's costs applied ("" = ideal)
  std::string protocol;     // with a library: the protocol that ran ("LL", "LL128", "Simple")
  uint32_t chunks = 1, channels = 1;  // collectives: pipelined chunks, parallel channels
  uint32_t ranks = 0;       // participants (collectives) or distinct endpoints (trace)
  uint32_t root = 0;        // broadcast, reduce: the root's index among the ranks
  DataSize size;            // the collective's size as nccl-tests counts it (coll/
                            // collective.h), or total trace bytes
};

/// Per-flow rows (docs/reports.md, "Per-flow rows"): `per_flow` true writes them in
/// report.json and flows.csv, false in neither; unset (the default) writes flows.csv
/// always and report.json's table only up to `json_rows_at_most` flows, so that a run of
/// millions of flows gives a report people can open.
struct ReportOptions {
  static constexpr size_t kJsonRowsAtMost = 100'000;
  std::optional<bool> per_flow;
  size_t json_rows_at_most = kJsonRowsAtMost;
  bool flow_rows_in_json(size_t flows) const { return per_flow.value_or(flows <= json_rows_at_most); }
  bool flows_csv() const { return per_flow.value_or(true); }
};

/// The "reliability" section: the exposures of the cluster's parts to failure, and the
/// job's checkpoint and restart figures (docs/models/reliability.md).
struct ReliabilitySetup {
  std::vector<power::Exposure> exposures;
  /// The price of one unit of each exposure's part (USD), when the bill of materials
  /// has one: what a replacement costs.
  std::vector<std::optional<double>> unit_price_usd;
  power::ReliabilityParams params;  // params.work is 0 when it is the facility's campaign
  bool work_is_campaign = false;     // the work is the facility's campaign time (known after the run)
  std::optional<Duration> capital_life;  // the priced capital spread over this life
  uint32_t server_gpus = 0;
};

/// Energy, heat and money, when the scenario has an "energy", "thermal" or "facility"
/// section (docs/models/energy.md, thermal.md, facility.md).
struct PowerSetup {
  bool enabled = false;
  std::string model = "datasheet";   // energy model
  Temperature reference;             // where catalog powers hold
  std::string accelerator;           // catalog part of the GPUs
  power::Inventory inventory;
  thermal::ThermalParams thermal;    // thermal.model "none" when not asked for
  std::optional<power::Facility> facility;
  power::Bom bom;
  uint32_t links_without_part = 0;   // their power is the energy section's "links" figure
  std::optional<ReliabilitySetup> reliability;
};

/// One data-parallel replica standing for all (workload.simulate "one_replica"): what
/// the whole cluster's links carry, and its payload, computed when the flows are built
/// (every flow delivers all its bytes, so these are the run's totals without the run;
/// src/scenario/fold.cpp).
struct ReplicaFold {
  uint32_t replicas = 1;                 // d: GPUs of replica 0 stand for d each
  uint32_t stride = 0;                   // GPU index distance between replicas dd and dd + 1
  std::vector<DataSize> link_bytes;      // per directed link, the whole cluster's
  DataSize payload;                      // the whole cluster's
  /// Why the one replica's iteration may be shorter than the whole cluster's ("" when
  /// the replicas are exact copies): said in the report and on the terminal.
  std::string caveat;
};

/// One change of an OCS fabric's circuit map (topology "circuits"[map], map >= 1), for
/// the report: which capacity steps (RunOptions::steps) tear the old circuits down and
/// light the new ones, and what set it off. docs/topologies.md, "ocs".
struct CircuitChangeRecord {
  uint32_t map = 0;
  size_t change_step = 0, lit_step = 0;  // indices into run_options.steps
  std::string trigger;                   // "at", "after" or "after_training"
  std::vector<std::string> kinds;        // after_training's kinds, as written
  size_t torn_down = 0, set_up = 0;      // directed circuit links
};

struct Scenario {
  std::string file;  // as given on the command line
  std::string name;
  std::string description;
  uint64_t seed = 1;
  std::string network_model = "flow";
  net::PacketConfig packet;  // "network.packet": the packet model's settings
  topo::Topology topology;
  net::FlowSet flows;
  net::Paths paths;
  WorkloadInfo workload;
  /// A training workload's model, plan and derived figures (for the report).
  std::optional<work::TrainingInfo> training;
  /// A serving workload's model, pools and derived figures (for the report).
  std::optional<work::ServingInfo> serving;
  ReplicaFold fold;  // replicas == 1 unless one replica stands for all
  ReportOptions report;
  /// The hardware catalog, when the scenario has a "physical" section (empty otherwise),
  /// and how many links failed their optical budget with "budget": "warn".
  hw::Catalog catalog;
  uint32_t budget_warnings = 0;
  /// How the run treats links that change (circuit reconfigurations) and the seed for
  /// paths chosen during the run.
  net::RunOptions run_options;
  std::vector<CircuitChangeRecord> circuit_changes;  // an OCS fabric's map changes, in order
  PowerSetup power;
};

Scenario load_scenario(const std::string& path, const LoadOptions& options = {});
/// The same from text in memory (tests, fuzzing); `label` names it in messages.
Scenario load_scenario_text(const std::string& text, const std::string& label,
                            const LoadOptions& options = {});

}  // namespace roshni::scenario
