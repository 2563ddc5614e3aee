/// How big a scenario may be (issue 16.7): the size of a topology and of a workload is
/// estimated from closed forms before anything is built, and a scenario over a limit is
/// refused with the estimate, so that a large number is an error in well under a second
/// rather than minutes of work and an exhausted machine. The limits are fixed numbers,
/// not the machine's free memory, so a scenario is accepted or refused the same way
/// everywhere. docs/scenario-reference.md ("Size limits") states the rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "roshni/scenario/json_node.h"

namespace roshni::scenario {

/// At most this many GPUs in any topology (ids, and a collective's default ranks).
inline constexpr uint64_t kMaxTopologyGpus = uint64_t{1} << 24;

/// The memory a built topology may take, by estimate: 16 GiB.
inline constexpr uint64_t kMemoryLimit = uint64_t{16} << 30;

/// Bytes per node and per (full-duplex) link of a built topology over the whole run:
/// the topology's arrays and name index, the router's tables, a node's share of the
/// placement, power inventory and report, and the per-link state of the network model.
/// Measured once (see limits.cpp for how) and rounded up.
inline constexpr uint64_t kBytesPerNode = 400;
inline constexpr uint64_t kBytesPerLink = 400;

/// Bytes per flow of a workload (the flow set, its path, the model's per-flow state and
/// its row of the report), for a path of a few links; measured as above.
inline constexpr uint64_t kBytesPerFlow = 250;

struct SizeEstimate {
  uint64_t gpus = 0, nodes = 0, links = 0;
  /// nodes * kBytesPerNode + links * kBytesPerLink, saturating.
  uint64_t bytes() const;
};

/// Fails at `at` (the topology object, or the key at fault) when `e` has more GPUs than
/// kMaxTopologyGpus or its estimate is over kMemoryLimit; the message gives the counts,
/// the estimate and the limit. `kind` names the topology in the message.
void check_topology_size(const JsonNode& at, std::string_view kind, const SizeEstimate& e);

/// Before the topology is built: fails at the workload `w` when a collective over the
/// listed ranks, or over the topology's `gpus` (its closed-form count), is at least more
/// than `max_flows` flows, whichever algorithm runs it (the least of the algorithms the
/// scenario allows; each algorithm's count is a closed form, coll/registry.h). Anything
/// it cannot judge (a kind that is not a collective, a malformed option) is left to the
/// loader, which counts exactly once the topology is built.
void check_workload_size(const JsonNode& w, uint64_t gpus, size_t max_flows);

/// Saturating arithmetic for closed-form counts (a product of user numbers can pass 2^64).
uint64_t sat_add(uint64_t a, uint64_t b);
uint64_t sat_mul(uint64_t a, uint64_t b);

/// "24.0 GiB": a byte count for messages.
std::string bytes_text(uint64_t bytes);

}  // namespace roshni::scenario
