/// Where a finished training iteration's time went, along its critical path, and the
/// exposed communication split by the class of traffic that was exposed (issue 22.2;
/// docs/training.md, "The report"). A function of the flow DAG and the run's start and
/// end times only: nothing here changes the simulation.
#pragma once

#include <array>
#include <span>
#include <cstdint>
#include <string_view>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/run_contract.h"

namespace roshni::work {

/// What an entry of a training DAG is, from its label: a compute step, or a flow of
/// tensor-parallel ("tp"), pipeline ("pp"), data-parallel gradient ("dp", "dp_ag"),
/// expert ("ep"), ZeRO-3 parameter-gather ("zg", "zge") or context-parallel ring ("cp")
/// traffic. `wait` is for time on
/// the path that is no entry's (before an entry's start, or between a dependency's end
/// and the start of what waited for it).
enum class PathClass : uint8_t { compute, tp, pp, dp, ep, zero3, cp, wait };
inline constexpr std::array<std::string_view, 8> kPathClassNames = {"compute", "tp", "pp", "dp",
                                                                    "ep", "zero3", "cp", "wait"};
inline constexpr size_t kCommClasses = 6;  // tp .. cp

PathClass path_class(const net::FlowSet& flows, FlowId f);

struct CriticalPath {
  /// By PathClass: time on the path spent in entries of each class; sums to the makespan.
  std::array<SimTime, 8> time{};
  /// By class tp, pp, dp, ep, zero3, cp: the exposed communication (makespan - the DAG's
  /// longest path with communication free) split in proportion to each class's time on
  /// the path, in whole picoseconds (largest remainders), so the six sum to `exposed`
  /// exactly. All zero when no communication is on the path.
  std::array<SimTime, kCommClasses> exposed{};
  /// Of time[wait]: the gaps before transfers that were ready but had no live path until
  /// an optical circuit map lit (they started at one of critical_path's `lit` times); and
  /// the part of the exposed time they take, min(circuits, exposed), before the rest is
  /// split over the communication classes. Zero without circuit-map changes.
  SimTime circuits, circuits_exposed;
  SimTime communication() const;  // time[tp] + ... + time[cp]
};

/// Walks back from the entry that ended last (the lowest id of equals) through, at each
/// entry, the dependency that ended last (the first of equals in dependency order),
/// adding each entry's [start, end] to its class and any gap to `wait` (and to
/// `circuits` when the entry is a transfer that started at one of the times in `lit`,
/// when circuit maps lit); then gives `circuits` its share of `exposed` and splits the
/// rest over the communication classes as CriticalPath::exposed says.
CriticalPath critical_path(const net::FlowSet& flows, const net::RunResult& run, SimTime exposed,
                           std::span<const SimTime> lit = {});

}  // namespace roshni::work
