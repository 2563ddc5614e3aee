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

#include <cstdint>
#include <span>
#include <utility>
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
  /// `step_spacing`: the room between recorded steps that replays insert new steps into
  /// (a replay that finds no room records afresh); tests make it small to reach that case.
  explicit MaxMinSolver(uint64_t step_spacing = uint64_t{1} << 32) : spacing_(step_spacing) {}

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
  /// which links filled (the steps, each at a position), the step each flow froze at, each
  /// link's state (remaining capacity, flows not yet frozen) after every step that changed
  /// it, and which recorded flows cross each link. Memory O(P).
  void solve_recorded(std::span<const uint32_t> flows, const PathView& paths,
                      std::span<const double> capacity, std::span<double> rate);
  /// Whether flow f is in the record.
  bool recorded(uint32_t f) const { return f < fpos_.size() && fpos_[f] != kNoPos; }
  bool has_record() const { return has_record_; }
  /// Flow-link incidences the record holds on link l (a flow crossing l twice counts twice).
  uint32_t incidences(uint32_t l) const {
    return l < lflows_.size() ? static_cast<uint32_t>(lflows_[l].size()) : 0;
  }
  void forget();
  /// The filling steps the last replay (update) took one by one: recorded steps it applied
  /// or voided, and new steps; the recorded steps between them it skipped.
  uint64_t replay_steps() const { return replay_steps_; }

  /// Since the record was made, the flows `gone` (all recorded) have left and the flows
  /// `arrived` (none recorded) have joined; no capacity changed, the other recorded flows
  /// keep their paths, and every flow on a link of an arrival is recorded or arriving.
  /// Re-solves by replaying the record: a link is *clean* while its state equals the
  /// record's at the same point of the filling, else *diverged* (the links of departures
  /// and arrivals at once; then every link a flow frozen at a new level crosses, and every
  /// link of the flows of a recorded step whose filling link diverged). The filling takes,
  /// each time, the smaller of the next recorded step whose link is clean (its share and
  /// its flows are the record's: nothing to do but apply it to the diverged links it
  /// touches) and the diverged link of smallest share (filled as a fresh solve would); it
  /// stops when no diverged link has flows left to freeze. Each step's arithmetic is a
  /// fresh solve's, in a fresh solve's order, so the rates equal a fresh solve of the flows
  /// now present to the last bit; the cost follows the diverged links, not the component.
  /// Writes rate[f] for the flows frozen at new steps and lists them in `refilled`; the
  /// record is brought up to date.
  void update(std::span<const uint32_t> gone, std::span<const uint32_t> arrived,
              const PathView& paths, std::span<const double> capacity, std::span<double> rate,
              std::vector<uint32_t>& refilled);
  /// How update() re-solves departures alone: by replaying the record, by filling again
  /// every flow frozen at or after the first step a departed flow froze at (the cost of
  /// which follows those flows; it wins when the changes reach most links anyway, as in
  /// a skewed all-to-all), or (the default) by whichever has cost less lately. All three
  /// give a fresh solve's rates to the last bit; tests force one or the other.
  /// The default tries the other method now and then to keep its cost current: once the
  /// chosen one's work since the last try reaches kProbeRatio times the other's last
  /// cost, so that the tries cost at most about 1/kProbeRatio of the work, however much
  /// dearer the other method is.
  enum class Departures { adaptive, replay, restart };
  void departures_by(Departures method) { departures_method_ = method; }
  static constexpr double kProbeRatio = 16;
  /// Departure-only updates so far, and how many of them tried the method that was not
  /// the cheaper one (adaptive only); with the work (flow-link incidences) of each kind.
  struct DepartureCounts {
    uint64_t updates = 0, probes = 0;
    double chosen_work = 0, probe_work = 0;
  };
  const DepartureCounts& departure_counts() const { return departure_counts_; }

  /// update() with departures only.
  void resolve_without(std::span<const uint32_t> gone, const PathView& paths,
                       std::span<const double> capacity, std::span<double> rate,
                       std::vector<uint32_t>& refilled) {
    update(gone, {}, paths, capacity, rate, refilled);
  }

 private:
  static constexpr uint32_t kNotInHeap = UINT32_MAX;
  bool before(uint32_t a, uint32_t b) const;
  void place(size_t i, uint32_t local);
  void sift_up(size_t i);
  void sift_down(size_t i);
  void heap_update(uint32_t local);
  void heap_remove(uint32_t local);
  /// Numbers the links of `flows` and lays out which flows cross each.
  void prepare(std::span<const uint32_t> flows, const PathView& paths, size_t links);
  /// Progressive filling of the prepared flows from the state in remaining_/unfrozen_;
  /// when `record`, the steps and states are recorded.
  void fill(size_t nflows, std::span<double> rate, bool record);
  /// Adds an update's work to the counts (and to since_probe_ unless it was a probe).
  void count_departure_work(double work);

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

  // The record (solve_recorded, update). Steps sit at positions spaced kSpacing apart
  // when recorded; steps a replay adds take positions between those it keeps.
  static constexpr uint64_t kNoPos = UINT64_MAX;
  uint64_t spacing_;
  static constexpr uint64_t kPosLimit = uint64_t{1} << 62;
  static constexpr uint64_t kAdded = uint64_t{1} << 63;  // marks a new step's index in a replay
  struct Step {
    uint64_t pos;
    double share;
    uint32_t top;  // the link that filled (link id)
    bool dead;     // froze no flow any more (left by a replay; removed in bulk)
  };
  struct Entry {       // a link's state after a step that froze some of its flows
    uint64_t pos;      // the step's position
    double remaining;  // capacity not yet given to frozen flows
    uint32_t frozen;   // incidences on the link frozen so far (its flows now, less this,
                       // are unfrozen: departures froze later, arrivals rewrite the history)
    uint32_t count;    // flow-link incidences frozen at the step
  };
  struct Incidence {
    uint32_t flow;
    uint32_t slot;  // the position of the link in the flow's path (PathView index)
  };
  void record_link(uint32_t l);
  void restart_without(std::span<const uint32_t> gone, const PathView& paths,
                       std::span<const double> capacity, std::span<double> rate,
                       std::vector<uint32_t>& refilled);
  void update_shares_max(size_t from);
  void add_incidences(uint32_t f, const PathView& paths);
  void remove_incidences(uint32_t f, const PathView& paths);
  /// Replay (update): whether f is frozen at the replay's point `cursor`.
  bool frozen_now(uint32_t f, uint64_t cursor) const {
    if (fstamp_[f] == stamp_ || kstamp_[f] == stamp_) return true;
    const uint64_t p = fpos_[f];
    return p != kNoPos && p < cursor && dstamp_[ftop_[f]] != stamp_;
  }
  void diverge(uint32_t l, uint64_t cursor, size_t from, std::span<const double> capacity);
  uint32_t frozen_on(uint32_t l) const {
    return static_cast<uint32_t>(lflows_[l].size()) - dunfrozen_[l];
  }
  size_t step_at(uint64_t pos, size_t from) const;
  void pend(uint32_t l, size_t from);
  void dheap_update(uint32_t l);
  void dheap_remove(uint32_t l);
  bool dbefore(uint32_t a, uint32_t b) const {
    return dkey_[a] < dkey_[b] || (dkey_[a] == dkey_[b] && a < b);
  }
  void dsift_up(size_t i);
  void dsift_down(size_t i);
  void dplace(size_t i, uint32_t l) {
    dheap_[i] = l;
    dheap_pos_[l] = static_cast<uint32_t>(i);
  }

  bool has_record_ = false;
  Departures departures_method_ = Departures::adaptive;
  double replay_cost_ = 0, restart_cost_ = 0;  // recent work of each, flow-link incidences
  double since_probe_ = 0;  // work of the chosen method since the other was last tried
  bool probing_ = false;    // this update tries the method that is not the cheaper one
  DepartureCounts departure_counts_;
  uint64_t replay_work_ = 0, replay_steps_ = 0;
  std::vector<Step> steps_;               // by position
  // Running maximum of steps_[..] in (share, link id) order, the order in which a fresh
  // solve takes them: a replay skips the recorded steps below a diverged link's.
  struct ShareTop {
    double share;
    uint32_t top;
    bool operator<(const ShareTop& o) const {
      return share < o.share || (share == o.share && top < o.top);
    }
  };
  std::vector<ShareTop> shares_max_;
  size_t dead_ = 0;                       // steps marked dead
  std::vector<uint64_t> ltop_;            // link -> position of the step it filled at, or kNoPos
  std::vector<uint64_t> fpos_;            // flow -> position of its step, kNoPos if not recorded
  std::vector<uint32_t> ftop_;            // flow -> the link of its step
  std::vector<std::vector<Entry>> hist_;  // link -> states after steps, by position
  std::vector<std::vector<Incidence>> lflows_;  // link -> recorded flows crossing it
  std::vector<uint32_t> lpos_;            // path slot -> index in its link's lflows_
  std::vector<uint32_t> rec_links_;       // links with a history or incidences
  std::vector<uint8_t> rec_listed_;
  std::vector<uint32_t> rec_flows_, rec_index_;  // the recorded flows, and where each is listed
  std::vector<uint32_t> touched_count_;   // per local link: incidences frozen this step
  std::vector<uint32_t> active_;          // the flows being filled (position -> flow id)

  // Replay scratch, by link id or flow id; a link is diverged when dstamp_ == stamp_.
  uint32_t stamp_ = 0;
  std::vector<uint32_t> dstamp_, dunfrozen_, dpend_, dheap_pos_, dcount_, dtouch_;
  std::vector<uint64_t> divpos_;
  std::vector<double> dremaining_, dkey_;
  std::vector<uint32_t> dheap_, div_links_, dtouched_;
  // Diverged links waiting for a recorded step to apply to them: per step index a list
  // through bnext_ (kNotInHeap ends it).
  std::vector<uint32_t> bhead_, bnext_, bused_;
  // Departures' links waiting to diverge at a step index (zhead_/znext_ lists), and per
  // link (this replay's when lstamp_ == stamp_) the position of the first step one of its
  // departed flows froze at.
  std::vector<uint32_t> zhead_, znext_, zused_, lstamp_;
  // Per step index, a bit set when something happens to a diverged link there (a bucket
  // or zhead_ list, or the step's link diverged): a replay skips the steps between.
  std::vector<uint64_t> ebits_;
  void mark(size_t j) { ebits_[j >> 6] |= uint64_t{1} << (j & 63); }
  size_t next_mark(size_t from, size_t n) const;
  std::vector<Step> rebuilt_;
  std::vector<uint64_t> lpoint_;
  size_t pend_first_ = SIZE_MAX;
  std::vector<uint32_t> fstamp_, fseq_;   // flow -> replay that froze it, its new step
  std::vector<uint32_t> kstamp_;          // flow -> replay that kept its recorded step on a
                                          // diverged link (see rekeeps())
  std::vector<std::pair<uint32_t, uint64_t>> rekept_;  // (link, position) of such steps
  /// Replay: whether the recorded step i, whose link t diverged, is taken again as it was:
  /// t's state is the record's before it and its unfrozen flows are exactly those the step
  /// froze, so filling t here gives the record's share to the same flows.
  bool rekeeps(size_t i, std::span<const double> capacity);
  std::vector<uint32_t> frozen_list_;
  struct NewStep {
    Step step;   // a new step's (its position is assigned at the end)
    bool added;  // else the recorded steps from .. to - 1 are kept (less the dead ones)
    size_t from, to;
  };
  std::vector<NewStep> new_steps_;
  std::vector<std::pair<uint32_t, Entry>> new_entries_;  // (link, entry); a new step's
                                                         // entries hold its index in pos
};

}  // namespace roshni::net
