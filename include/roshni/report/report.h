/// What a run produced, in the two forms people read: report.json (versioned schema,
/// every figure with its unit, byte-identical for the same scenario and seed) and a
/// short human summary. Nothing here depends on wall-clock time or the log level.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/run_contract.h"
#include "roshni/report/circuit_report.h"
#include "roshni/report/serving_report.h"
#include "roshni/report/training_report.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"

namespace roshni::report {

inline constexpr std::string_view kReportSchema = "roshni.report/1";
inline constexpr std::string_view kVersion = "0.1.0";

/// The links of one topology role ("host", "leaf-spine", "scale-up", ...; "" for links
/// the topology gave none): how many physical links, the bytes they carried (both
/// directions) and the mean and largest utilisation of their directed links.
struct RoleUse {
  std::string role;
  uint64_t links = 0;     // physical links (each is two directed links)
  DataSize bytes;         // carried, both directions
  double mean_utilisation = 0;  // over the 2 x links directed links
  double max_utilisation = 0;   // the busiest directed link of the role
};

struct Summary {
  SimTime makespan;
  size_t flows = 0;
  DataSize payload;       // sum of flow sizes: bytes delivered end to end
  DataSize link_traffic;  // sum over links of bytes carried (payload x hops)
  /// nccl-tests' definitions (github.com/NVIDIA/nccl-tests, doc/PERFORMANCE.md):
  /// algbw = S / t; busbw = algbw * 2(n-1)/n for all-reduce, (n-1)/n for all-gather,
  /// reduce-scatter and all-to-all, 1 for broadcast and p2p. Only for collectives.
  std::optional<DataRate> algorithm_bandwidth, bus_bandwidth;
  LinkId busiest_link;    // highest utilisation, lowest id on ties; invalid if no links
  DataSize busiest_bytes;
  double busiest_utilisation = 0;
  uint64_t events = 0;
  uint64_t rate_solves = 0;
  std::optional<TrainingSummary> training;  // a training workload's figures
  std::optional<ServingSummary> serving;    // a serving workload's figures
  std::vector<RoleUse> by_role;  // one per link role, in the roles' name order
  std::vector<CircuitChangeOutcome> circuit_changes;  // an OCS fabric's map changes
};

/// Link use by topology role, one entry per role in name order.
std::vector<RoleUse> link_use_by_role(const scenario::Scenario& s, const net::RunResult& r);

Summary summarize(const scenario::Scenario& s, const net::RunResult& r);

/// The scenario's path as the reports give it: relative to the working directory and
/// normalised ("x.json", "./x.json", "sub/../x.json" and "/abs/dir/x.json" run from
/// /abs/dir are all "x.json"), so that report.json does not depend on how the path was
/// typed. A file outside the working directory gets "../" steps.
std::string report_path(const std::string& file);

/// report.json's full text; with `packet` (a packet-model run) it ends with a "packet"
/// section of queue, pause, drop and completion-time figures; with `power`, the energy,
/// thermal, facility and bill-of-materials sections.
std::string report_json(const scenario::Scenario& s, const net::RunResult& r,
                        const Summary& summary, const net::PacketStats* packet = nullptr,
                        const scenario::PowerOutcome* power = nullptr);

/// Writes `text` to `dir/name` through a temporary file (named with the process id, and
/// removed on failure) and a rename, so a crash or a full disk never leaves half a file
/// under the final name. A symlink there is followed (its target is replaced, the link
/// stays); a FIFO, device or socket there is written through, never replaced by a
/// regular file; a directory there is an error. Creates `dir`. Throws
/// std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& dir, const std::string& name,
                           const std::string& text);

/// The few lines printed after a run.
std::string human_summary(const scenario::Scenario& s, const Summary& summary);

}  // namespace roshni::report
