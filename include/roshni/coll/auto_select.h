/// The "auto" algorithm: which registered algorithm a collective gets when the scenario
/// does not name one. In the spirit of NCCL's tuner (latency-bound sizes take a
/// logarithmic-latency algorithm, large ones the ring; a scale-up domain makes it
/// hierarchical), but a pure function of a few facts, so a test can pin every branch.
/// The rule, and why, is in docs/collectives.md ("The auto rule").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "roshni/coll/collective.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::coll {

/// What the rule knows about the topology under the ranks.
struct TopologyFacts {
  /// Ranks per scale-up domain when every run of that many consecutive ranks is one
  /// domain (NVLink/UB-like); 0 when there is none.
  uint32_t domain_size = 0;
  SimTime latency;     // alpha: latency of the path between rank 0 and rank p/2
  DataRate bandwidth;  // the narrowest link on that path; 0 if unknown
};

/// Above this many flows the rule does not take a ring-type algorithm whose flow count
/// grows as p^2 (ring all-reduce: 2p(p-1)): the simulator's cost, not the network's.
inline constexpr double kAutoRingFlowBudget = 4194304;  // 2^22

/// Recursive halving-doubling is the logarithmic all-reduce up to this many ranks (a
/// power of two); beyond, the double binary tree (see auto_select.cpp for why).
inline constexpr double kAutoRhdMaxRanks = 64;

struct AutoChoice {
  std::string_view algorithm;  // a registered name for the kind
  std::string_view inter;      // for hierarchical all-reduce: "ring", "rhd" or "tree"
  std::string reason;          // one line: which branch of the rule, with the numbers
};

AutoChoice choose_algorithm(CollectiveKind kind, uint32_t ranks, DataSize size,
                            const TopologyFacts& facts);

/// The inter-domain algorithm of a hierarchical all-reduce over `ranks` in domains of
/// `domain_size` (the same branch of the rule; the answer is in `algorithm`).
AutoChoice choose_inter(uint32_t ranks, uint32_t domain_size, DataSize size,
                        const TopologyFacts& facts);

}  // namespace roshni::coll
