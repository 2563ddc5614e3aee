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
  /// Ties between equal shares are broken by link id (smallest first), so the rates are
  /// a function of the instance alone, not of the order in which `flows` are listed.
  /// If `flows` shares a flow with the record (see solve_recorded), the record is dropped.
  void solve(std::span<const uint32_t> flows, const PathView& paths,
             std::span<const double> capacity, std::span<double> rate);
  void solve(std::span<const uint32_t> flows, const Paths& paths,
             std::span<const double> capacity, std::span<double> rate) {
    solve(flows, PathView::of_rows(paths), capacity, rate);
  }

  /// The same solve, keeping a record of it in place of any earlier one: the order in
  /// which links filled (step 0, 1, ...), the step at which each flow froze, and each
  /// link's remaining capacity after every step that changed it. Memory O(P).
  void solve_recorded(std::span<const uint32_t> flows, const PathView& paths,
                      std::span<const double> capacity, std::span<double> rate);
  /// Whether flow f is in the record.
  bool recorded(uint32_t f) const { return f < step_of_.size() && step_of_[f] != kNone; }
  void forget();

  /// The flows `gone` (all recorded) have left; the other recorded flows keep their
  /// paths, and no capacity changed since the record was made. Re-solves from the first
  /// step at which a departed flow froze, k: steps 0..k-1 are exactly those a fresh
  /// solve would take (their links carried no departed flow, and every other link's
  /// share can only have grown), so the flows they froze keep their rates and only the
  /// later ones are filled again, from the state the record holds after step k-1.
  /// Writes rate[f] for the flows filled again and lists them in `refilled` (in the
  /// order they froze); the result equals a fresh solve of the remaining flows to the
  /// last bit. The record is brought up to date.
  void resolve_without(std::span<const uint32_t> gone, const PathView& paths,
                       std::span<const double> capacity, std::span<double> rate,
                       std::vector<uint32_t>& refilled);

 private:
  static constexpr uint32_t kNotInHeap = UINT32_MAX;
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Remaining {
    uint32_t step;   // after this filling step
    double value;    // the link's remaining capacity
  };
  bool before(uint32_t a, uint32_t b) const;
  void place(size_t i, uint32_t local);
  void sift_up(size_t i);
  void sift_down(size_t i);
  void heap_update(uint32_t local);
  void heap_remove(uint32_t local);
  /// Numbers the links of `flows` and lays out which flows cross each; unless
  /// `rewind_to` is kNone, drops each link's recorded history from that step on.
  void prepare(std::span<const uint32_t> flows, const PathView& paths, size_t links,
               uint32_t rewind_to);
  /// Progressive filling of the prepared flows from the state in remaining_/unfrozen_;
  /// when `record`, steps are numbered from `first_step` and recorded.
  void fill(size_t nflows, std::span<double> rate, bool record, uint32_t first_step);

  std::vector<uint32_t> local_of_;   // link id -> local index + 1 (0 = not in this solve)
  std::vector<uint32_t> link_of_;    // local index -> link id
  std::vector<double> remaining_;    // capacity not yet given to frozen flows
  std::vector<uint32_t> unfrozen_;   // flows on the link not yet frozen
  std::vector<double> key_;          // remaining_ / unfrozen_, as last computed
  std::vector<uint32_t> offset_;     // local link -> its flows, compressed rows
  std::vector<uint32_t> incident_;   // positions in `flows`
  std::vector<uint32_t> flow_offset_;  // position in flows -> its local links, compressed rows
  std::vector<uint32_t> flow_links_;
  std::vector<uint8_t> frozen_;      // per position in `flows`
  std::vector<uint32_t> heap_;       // local links, smallest (key, link id) first
  std::vector<uint32_t> heap_pos_;   // local link -> index in heap_, or kNotInHeap
  std::vector<uint32_t> touched_;    // links that lost flows in this step
  std::vector<uint8_t> touched_mark_;

  // The record (solve_recorded, resolve_without).
  bool has_record_ = false;
  std::vector<uint32_t> step_of_;      // flow id -> step it froze at, kNone if not recorded
  std::vector<uint32_t> step_first_;   // step -> its first flow in order_
  std::vector<uint32_t> order_;        // recorded flows in the order they froze
  std::vector<std::vector<Remaining>> history_;  // link id -> remaining after steps
  std::vector<uint32_t> history_links_;          // links with a history
  std::vector<uint8_t> history_listed_;
  std::vector<uint32_t> active_;       // the flows being filled (position -> flow id)
};

}  // namespace roshni::net
