/// A collective operation as a workload states it: its kind, its ranks, its size and the
/// options every algorithm understands. Plain data; an algorithm from the registry
/// (registry.h) turns it into flows. Not an algorithm and not a choice of one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/coll/library.h"
#include "roshni/core/ids.h"
#include "roshni/core/units.h"

namespace roshni::coll {

enum class CollectiveKind : uint8_t {
  all_reduce,
  all_gather,
  reduce_scatter,
  broadcast,
  reduce,
  all_to_all,
  p2p,
};

/// Every kind, in the order documentation and error messages list them.
inline constexpr CollectiveKind kCollectiveKinds[] = {
    CollectiveKind::all_reduce, CollectiveKind::all_gather, CollectiveKind::reduce_scatter,
    CollectiveKind::broadcast,  CollectiveKind::reduce,     CollectiveKind::all_to_all,
    CollectiveKind::p2p};

/// "all_reduce", ...: the spelling of scenarios and reports.
std::string_view to_string(CollectiveKind k);
std::optional<CollectiveKind> collective_kind(std::string_view name);

/// `size` is what nccl-tests calls the size of the operation (its "size" column), so
/// that the report's bus bandwidth is directly comparable with nccl-tests':
///   all_reduce      the buffer every rank reduces
///   all_gather      the gathered output of each rank (each contributes size / p)
///   reduce_scatter  the input of each rank (each ends with size / p reduced)
///   broadcast       the buffer the root sends
///   reduce          the buffer every rank contributes (the root ends with the sum)
///   all_to_all      each rank's send buffer (size / p to every rank, itself included)
///   p2p             the message
struct Collective {
  CollectiveKind kind = CollectiveKind::all_reduce;
  std::vector<NodeId> ranks;  // the algorithm's rank order; p2p: {src, dst}
  DataSize size;              // > 0
  uint32_t root = 0;  // broadcast: index in `ranks` of the rank that has the data;
                      // reduce: of the rank that ends with the sum

  // Options every algorithm takes (docs/collectives.md, "Options").
  uint32_t chunks = 1;      // pieces each channel's buffer is cut into, pipelined, >= 1
  uint32_t channels = 1;    // independent instances, each with 1/channels of the bytes, >= 1
  DataRate reduction_rate;  // bytes/s a rank reduces at; 0 = reductions take no time

  // Options of some algorithms.
  uint32_t domain_size = 0;    // hierarchical: consecutive ranks per domain; divides p
  std::string inter = "ring";  // hierarchical, nvls_tree: between domains: ring, rhd, tree, sharp
  std::vector<uint32_t> dims;  // multi_dimensional: the rank grid, product = p

  /// In-network reduction (nvls, nvls_tree, inter "sharp"): the switches that reduce. A
  /// schedule names group x as index p + x (p = ranks.size()); a group may hold several
  /// planes, channel k using in_network[x][k % planes].
  std::vector<std::vector<NodeId>> in_network;
  /// The link from a rank to its reducing switch or back, when set: in-network transfers
  /// are pinned to it (routers of generated fabrics route only between GPUs).
  std::function<LinkId(NodeId from, NodeId to)> switch_link;
  /// Channel k's ring visits the ranks of each run of d = `channel_rotation` consecutive
  /// ranks (a node g) starting from local rank (k - g) mod d, so that every channel
  /// leaves and enters a node through a different GPU and its NIC (NCCL's one ring per
  /// NIC), and leaves node g from the local rank it enters node g+1 at (the same rail);
  /// 0 = no rotation. Rank index i of channel k is node g = i/d, local (i + k - g) mod d.
  uint32_t channel_rotation = 0;
  /// The communication library's costs and protocol (library.h); none = ideal.
  std::optional<LibraryUse> library;

  std::string label_prefix;  // flow labels start with it; "" = the kind's ("allreduce", ...)
};

}  // namespace roshni::coll
