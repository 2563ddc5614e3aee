/// The registry of collective algorithms a scenario can name in "workload":
/// {"algorithm": ...}: per collective kind, each algorithm's name, a one-line summary
/// with its source, and the function that writes one chunk of it as a Schedule.
/// Built-ins are listed in one place, kAlgorithms in registry.cpp; docs/collectives.md
/// documents each one's flows and cost. "auto" is not an entry: see auto_select.h.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/coll/collective.h"
#include "roshni/coll/schedule.h"
#include "roshni/net/flow_set.h"

namespace roshni::coll {

/// The size of one chunk's schedule, from a closed form (without building it).
struct ScheduleSize {
  double transfers = 0;
  double reductions = 0;  // transfers whose receiver reduces them
};

/// What is wrong with a collective for an algorithm: the option at fault, spelled as in
/// scenarios ("ranks", "domain_size", "dims", "inter", "root", ...), and why.
struct CollectiveProblem {
  std::string field;
  std::string message;
};

struct CollectiveAlgorithm {
  CollectiveKind kind;
  std::string_view name;     // as scenarios spell it
  std::string_view summary;  // one line, with its source
  /// What this algorithm cannot run (beyond what every algorithm needs), or nullopt.
  std::optional<CollectiveProblem> (*check)(const Collective& c);
  ScheduleSize (*size)(const Collective& c);
  /// Writes one chunk of `c`. Requires check_collective(c, *this) to pass.
  void (*build)(const Collective& c, Schedule& s);
};

/// Every built-in, grouped by kind in kCollectiveKinds order.
std::span<const CollectiveAlgorithm> collective_algorithms();
/// The names of `kind`'s algorithms, in registry order.
std::vector<std::string> algorithm_names(CollectiveKind kind);
const CollectiveAlgorithm* find_collective_algorithm(CollectiveKind kind, std::string_view name);

/// nullopt if `a` can run `c`: at least 2 distinct ranks (p2p exactly 2), chunks and
/// channels >= 1, a broadcast root among the ranks, and the algorithm's own check.
std::optional<CollectiveProblem> check_collective(const Collective& c,
                                                  const CollectiveAlgorithm& a);

/// Flows and compute steps that append_collective would add (compute steps only when
/// c.reduction_rate > 0): a closed form, so that a huge count can be refused unbuilt.
double flow_count(const Collective& c, const CollectiveAlgorithm& a);

/// Builds `a`'s schedule for `c` and expands it (schedule.h) into `flows`; the first
/// transfers wait for `after`. Requires check_collective(c, a) to pass. Returns the
/// flows and compute steps whose completion is the collective's (for chaining).
std::vector<FlowId> append_collective(const Collective& c, const CollectiveAlgorithm& a,
                                      net::FlowSet& flows, std::span<const FlowId> after = {});

}  // namespace roshni::coll
