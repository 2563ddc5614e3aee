/// The building blocks algorithms are made of: one phase of a collective over a group of
/// ranks, written into a Schedule. Each takes the group (rank indices, in the phase's
/// order), the share of the collective's size the group works on, and the per-rank
/// Ready sets; it waits for Ready before each rank's first transfer and leaves in it
/// what each rank has at the end. `tag` prefixes the phase names ("intra_" gives
/// "intra_rs"). The cost comments are on a network where no two transfers share a link
/// (alpha: path latency, beta: seconds per byte, n: the share's bytes, m: group size).
#pragma once

#include <span>
#include <string_view>

#include "roshni/coll/schedule.h"

namespace roshni::coll {

/// Ring reduce-scatter (Patarasuk & Yuan 2009): m-1 steps; in each, every rank sends one
/// n/m piece to its successor, which reduces it. (m-1)(alpha + n beta/m).
void ring_reduce_scatter(Schedule& s, std::span<const uint32_t> group, double share, Ready& ready,
                         std::string_view tag = {});
/// Ring all-gather: m-1 steps of one n/m piece to the successor. (m-1)(alpha + n beta/m).
void ring_all_gather(Schedule& s, std::span<const uint32_t> group, double share, Ready& ready,
                     std::string_view tag = {});

/// Recursive halving reduce-scatter (Thakur, Rabenseifner & Gropp, IJHPCA 2005), m a
/// power of two: step k exchanges n/2^(k+1) with the rank m/2^(k+1) away (index XOR).
/// log2(m) alpha + (m-1)/m n beta. Each step is an exchange (MPI_Sendrecv): a rank
/// sends once both it and its partner have finished the step before (here and below).
void halving_reduce_scatter(Schedule& s, std::span<const uint32_t> group, double share,
                            Ready& ready, std::string_view tag = {});
/// Recursive doubling all-gather, m a power of two: step k exchanges n 2^k/m with the
/// rank 2^k away. log2(m) alpha + (m-1)/m n beta.
void doubling_all_gather(Schedule& s, std::span<const uint32_t> group, double share, Ready& ready,
                         std::string_view tag = {});

/// Rabenseifner's all-reduce: recursive halving reduce-scatter then recursive doubling
/// all-gather, 2 log2(m) alpha + 2(m-1)/m n beta. For m not a power of two, with m' the
/// largest power of two below m and e = m - m': the first 2e ranks pair up, each even
/// one sends its whole buffer to the odd one (which reduces it) and sits out; the m'
/// others run the power-of-two algorithm; each odd one sends the result back. That is
/// MPICH's choice (Thakur et al. 2005, sec. 4.1) and costs 2(alpha + n beta) more.
void rhd_all_reduce(Schedule& s, std::span<const uint32_t> group, double share, Ready& ready,
                    std::string_view tag = {});

/// Double binary tree all-reduce (Sanders, Speck & Traeff, Parallel Computing 2009; the
/// trees of NCCL's src/graph/trees.cc): two binary trees, each reducing half of the
/// data up to its root and broadcasting it back down, every rank an inner node in at
/// most one of them. Pipelined by chunks (expand()).
void tree_all_reduce(Schedule& s, std::span<const uint32_t> group, double share, Ready& ready,
                     std::string_view tag = {});

/// The parent and children of `rank` in NCCL's binary tree over m ranks (tree 0: root
/// 0) or its mirror (m even) or shift by one (m odd) (tree 1); -1 where there is none.
struct TreeLinks {
  int parent = -1, child0 = -1, child1 = -1;
};
TreeLinks double_binary_tree(uint32_t m, uint32_t tree, uint32_t rank);

/// In-network phases through the reducing switch at schedule index `sw` (>= p: a group
/// of Collective::in_network). Each rank of the group sends once it is ready; the switch
/// answers each rank once every rank's data is up (two steps, whatever m).
/// Reduce-scatter: each rank sends n, gets its reduced n/m slice (NVLS: multimem.ld_reduce).
void switch_reduce_scatter(Schedule& s, std::span<const uint32_t> group, double share,
                           uint32_t sw, Ready& ready, std::string_view tag = {});
/// All-gather: each rank stores its n/m slice, the switch multicasts all: n received.
void switch_all_gather(Schedule& s, std::span<const uint32_t> group, double share, uint32_t sw,
                       Ready& ready, std::string_view tag = {});
/// All-reduce (InfiniBand SHARP's aggregation): each rank sends n, gets the n reduced.
void switch_all_reduce(Schedule& s, std::span<const uint32_t> group, double share, uint32_t sw,
                       Ready& ready, std::string_view tag = {});

/// An all-reduce over the group by the algorithm named `name`: "ring", "rhd" or "tree".
void all_reduce_phase(std::string_view name, Schedule& s, std::span<const uint32_t> group,
                      double share, Ready& ready, std::string_view tag);

}  // namespace roshni::coll
