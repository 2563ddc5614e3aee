/// Max-min fair rates by progressive filling (Bertsekas & Gallager, "Data Networks",
/// 2nd ed., section 6.5.2). The system: flows f with fixed paths; each directed link l
/// has capacity c_l. Find rates r_f with, for every l, sum over f crossing l of r_f <= c_l,
/// such that no r_f can grow without shrinking some r_g <= r_f. Progressive filling
/// raises all unfrozen rates together; the first link to fill (smallest c_l / n_l of
/// remaining capacity over unfrozen flows) freezes its flows at that share; repeat.
/// Implemented with an indexed min-heap of link shares (each link once; a share that
/// changes moves in place), so a solve costs O(P + L' log L) for P flow-link incidences
/// and L' share changes, and it allocates nothing once its scratch space has grown.
#pragma once

#include <span>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/net/paths.h"

namespace roshni::net {

/// Where the solver reads paths: flow f crosses links[begin[f]] .. links[end[f] - 1].
struct PathView {
  const uint32_t* begin;
  const uint32_t* end;
  const LinkId* links;
  std::span<const LinkId> of(uint32_t f) const { return {links + begin[f], links + end[f]}; }
  /// The view of compressed rows: flow f's range is offset[f] .. offset[f + 1].
  static PathView of_rows(const Paths& p) {
    return {p.offset.data(), p.offset.data() + 1, p.links.data()};
  }
};

class MaxMinSolver {
 public:
  /// Computes the max-min fair rates of `flows` (ids into `paths`), whose links have
  /// the capacities `capacity` (indexed by link id, bytes/s). Writes rate[f] for each f
  /// in `flows` and touches nothing else. Links not crossed by any of `flows` are
  /// ignored: the caller passes a whole connected component (or the whole network).
  /// Ties between equal shares are broken by link id, so results are deterministic.
  void solve(std::span<const uint32_t> flows, const PathView& paths,
             std::span<const double> capacity, std::span<double> rate);
  void solve(std::span<const uint32_t> flows, const Paths& paths,
             std::span<const double> capacity, std::span<double> rate) {
    solve(flows, PathView::of_rows(paths), capacity, rate);
  }

 private:
  static constexpr uint32_t kNotInHeap = UINT32_MAX;
  bool before(uint32_t a, uint32_t b) const;
  void place(size_t i, uint32_t local);
  void sift_up(size_t i);
  void sift_down(size_t i);
  void heap_update(uint32_t local);
  void heap_remove(uint32_t local);

  std::vector<uint32_t> local_of_;   // link id -> local index + 1 (0 = not in this solve)
  std::vector<uint32_t> link_of_;    // local index -> link id
  std::vector<double> remaining_;    // capacity not yet given to frozen flows
  std::vector<uint32_t> unfrozen_;   // flows on the link not yet frozen
  std::vector<double> key_;          // remaining_ / unfrozen_, as last computed
  std::vector<uint32_t> offset_;     // local link -> its flows, compressed rows
  std::vector<uint32_t> incident_;
  std::vector<uint8_t> frozen_;      // per position in `flows`
  std::vector<uint32_t> position_;   // flow id -> position in `flows` (valid while solving)
  std::vector<uint32_t> heap_;       // local links, smallest (key, local) first
  std::vector<uint32_t> heap_pos_;   // local link -> index in heap_, or kNotInHeap
  std::vector<uint32_t> touched_;    // links that lost flows in this step
  std::vector<uint8_t> touched_mark_;
};

}  // namespace roshni::net
