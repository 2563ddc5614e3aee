// Progressive filling, after Bertsekas & Gallager, "Data Networks" (2nd ed., 1992),
// section 6.5.2; the heap of link shares plays the role of SimGrid's lmm "saturated
// constraint" search (Casanova et al., "Versatile, scalable and accurate simulation of
// distributed applications and platforms", JPDC 2014). The naive reference this must
// match lives in tests/net/max_min_solver_test.cpp.
#include "roshni/net/max_min_solver.h"

#include <algorithm>
#include <bit>
#include <functional>

#include "roshni/core/error.h"

namespace roshni::net {
namespace {

}  // namespace

// The heap: local link indices, smallest (share, link id) first; heap_pos_ says
// where each link sits (kNotInHeap once removed), so a share can change in place.
bool MaxMinSolver::before(uint32_t a, uint32_t b) const {
  return key_[a] < key_[b] || (key_[a] == key_[b] && link_of_[a] < link_of_[b]);
}

void MaxMinSolver::place(size_t i, uint32_t local) {
  heap_[i] = local;
  heap_pos_[local] = static_cast<uint32_t>(i);
}

void MaxMinSolver::sift_up(size_t i) {
  const uint32_t x = heap_[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!before(x, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, x);
}

void MaxMinSolver::sift_down(size_t i) {
  const uint32_t x = heap_[i];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], x)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, x);
}

void MaxMinSolver::heap_update(uint32_t local) {
  const size_t i = heap_pos_[local];
  if (i > 0 && before(local, heap_[(i - 1) / 2])) {
    sift_up(i);
  } else {
    sift_down(i);
  }
}

void MaxMinSolver::heap_remove(uint32_t local) {
  const size_t i = heap_pos_[local];
  heap_pos_[local] = kNotInHeap;
  const uint32_t last = heap_.back();
  heap_.pop_back();
  if (last == local) return;
  place(i, last);
  heap_update(last);
}

void MaxMinSolver::prepare(std::span<const uint32_t> flows, const PathView& paths,
                           size_t links) {
  if (local_of_.size() < links) local_of_.resize(links, 0);
  // Number the links of this solve and count flows per link (a flow crossing a link
  // twice counts twice: it uses the capacity twice). Each flow's path is copied as
  // local indices, so the filling reads contiguous rows.
  link_of_.clear();
  flow_offset_.resize(flows.size() + 1);
  flow_links_.clear();
  flow_offset_[0] = 0;
  for (size_t i = 0; i < flows.size(); ++i) {
    const uint32_t f = flows[i];
    for (LinkId l : paths.of(f)) {
      uint32_t& local = local_of_[l.value()];
      if (local == 0) {
        link_of_.push_back(l.value());
        local = static_cast<uint32_t>(link_of_.size());
      }
      flow_links_.push_back(local - 1);
    }
    flow_offset_[i + 1] = static_cast<uint32_t>(flow_links_.size());
  }
  for (uint32_t l : link_of_) local_of_[l] = 0;
  const size_t nl = link_of_.size();
  offset_.assign(nl + 1, 0);
  for (uint32_t local : flow_links_) ++offset_[local + 1];
  for (size_t i = 0; i < nl; ++i) offset_[i + 1] += offset_[i];
  incident_.resize(offset_[nl]);
  unfrozen_.assign(nl, 0);
  for (uint32_t i = 0; i < flows.size(); ++i) {
    for (uint32_t k = flow_offset_[i]; k < flow_offset_[i + 1]; ++k) {
      const uint32_t local = flow_links_[k];
      incident_[offset_[local] + unfrozen_[local]++] = i;
    }
  }
  remaining_.resize(nl);
  key_.resize(nl);
  heap_pos_.resize(nl);
  touched_mark_.assign(nl, 0);
  touched_count_.assign(nl, 0);
  frozen_.assign(flows.size(), 0);
}

void MaxMinSolver::fill(size_t nflows, std::span<double> rate, bool record) {
  const size_t nl = link_of_.size();
  heap_.clear();
  for (uint32_t i = 0; i < nl; ++i) {
    if (unfrozen_[i] == 0) {
      heap_pos_[i] = kNotInHeap;
      continue;
    }
    key_[i] = remaining_[i] / unfrozen_[i];
    heap_pos_[i] = static_cast<uint32_t>(heap_.size());
    heap_.push_back(i);
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);

  size_t left = nflows;
  while (left > 0 && !heap_.empty()) {
    // The link with the smallest share fills first: its unfrozen flows freeze at it.
    const uint32_t top = heap_[0];
    heap_remove(top);
    const double share = key_[top];
    const uint64_t pos = (steps_.empty() ? 0 : steps_.back().pos) + spacing_;
    uint32_t frozen_here = 0;
    touched_.clear();
    for (uint32_t k = offset_[top]; k < offset_[top + 1]; ++k) {
      const uint32_t p = incident_[k];
      if (frozen_[p]) continue;
      frozen_[p] = 1;
      --left;
      const uint32_t f = active_[p];
      rate[f] = share;
      if (record) {
        fpos_[f] = pos;
        ftop_[f] = link_of_[top];
      }
      for (uint32_t j = flow_offset_[p]; j < flow_offset_[p + 1]; ++j) {
        const uint32_t local = flow_links_[j];
        if (local == top) {
          ++frozen_here;
          continue;
        }
        remaining_[local] = std::max(0.0, remaining_[local] - share);
        --unfrozen_[local];
        ++touched_count_[local];
        if (!touched_mark_[local]) {
          touched_mark_[local] = 1;
          touched_.push_back(local);
        }
      }
    }
    unfrozen_[top] = 0;
    if (record) {
      const uint32_t l = link_of_[top];
      steps_.push_back({pos, share, l, false});
      ltop_[l] = pos;
      hist_[l].push_back({pos, remaining_[top], static_cast<uint32_t>(lflows_[l].size()), frozen_here});
    }
    // Each link that lost flows gets its new share once, from its final state.
    for (uint32_t local : touched_) {
      touched_mark_[local] = 0;
      if (record) {
        const uint32_t l = link_of_[local];
        hist_[l].push_back({pos, remaining_[local],
                            static_cast<uint32_t>(lflows_[l].size()) - unfrozen_[local],
                            touched_count_[local]});
      }
      touched_count_[local] = 0;
      if (heap_pos_[local] == kNotInHeap) continue;
      if (unfrozen_[local] == 0) {
        heap_remove(local);
      } else {
        key_[local] = remaining_[local] / unfrozen_[local];
        heap_update(local);
      }
    }
  }
  ROSHNI_ASSERT(left == 0, "progressive filling left {} flows unrated", left);
}

void MaxMinSolver::forget() {
  if (!has_record_) return;
  for (uint32_t f : rec_flows_) fpos_[f] = kNoPos;
  rec_flows_.clear();
  for (uint32_t l : rec_links_) {
    hist_[l].clear();
    lflows_[l].clear();
    rec_listed_[l] = 0;
    ltop_[l] = kNoPos;
  }
  rec_links_.clear();
  steps_.clear();
  shares_max_.clear();
  dead_ = 0;
  has_record_ = false;
}

void MaxMinSolver::record_link(uint32_t l) {
  if (!rec_listed_[l]) {
    rec_listed_[l] = 1;
    rec_links_.push_back(l);
  }
}

void MaxMinSolver::add_incidences(uint32_t f, const PathView& paths) {
  if (lpos_.size() < paths.end[f]) lpos_.resize(paths.end[f]);
  for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) {
    const uint32_t l = paths.links[s].value();
    record_link(l);
    lpos_[s] = static_cast<uint32_t>(lflows_[l].size());
    lflows_[l].push_back({f, s});
  }
  rec_index_[f] = static_cast<uint32_t>(rec_flows_.size());
  rec_flows_.push_back(f);
}

void MaxMinSolver::remove_incidences(uint32_t f, const PathView& paths) {
  for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) {
    auto& list = lflows_[paths.links[s].value()];
    const uint32_t i = lpos_[s];
    list[i] = list.back();
    lpos_[list[i].slot] = i;
    list.pop_back();
  }
  const uint32_t i = rec_index_[f];
  rec_flows_[i] = rec_flows_.back();
  rec_index_[rec_flows_[i]] = i;
  rec_flows_.pop_back();
  fpos_[f] = kNoPos;
}

void MaxMinSolver::solve(std::span<const uint32_t> flows, const PathView& paths,
                         std::span<const double> capacity, std::span<double> rate) {
  if (flows.empty()) return;
  if (has_record_) {
    for (uint32_t f : flows) {
      if (recorded(f)) {
        forget();
        break;
      }
    }
  }
  // Fast path: a lone flow gets the smallest capacity on its path.
  if (flows.size() == 1) {
    double r = 0;
    bool first = true;
    for (LinkId l : paths.of(flows[0])) {
      r = first ? capacity[l.value()] : std::min(r, capacity[l.value()]);
      first = false;
    }
    rate[flows[0]] = r;
    return;
  }
  active_.assign(flows.begin(), flows.end());
  prepare(flows, paths, capacity.size());
  for (size_t i = 0; i < link_of_.size(); ++i) remaining_[i] = capacity[link_of_[i]];
  fill(flows.size(), rate, false);
}

void MaxMinSolver::solve_recorded(std::span<const uint32_t> flows, const PathView& paths,
                                  std::span<const double> capacity, std::span<double> rate) {
  forget();
  if (flows.empty()) return;
  has_record_ = true;
  const size_t links = capacity.size();
  if (hist_.size() < links) {
    hist_.resize(links);
    lflows_.resize(links);
    rec_listed_.resize(links, 0);
    ltop_.resize(links, kNoPos);
  }
  for (uint32_t f : flows) {
    if (fpos_.size() <= f) {
      fpos_.resize(f + 1, kNoPos);
      ftop_.resize(f + 1);
      rec_index_.resize(f + 1);
    }
  }
  for (uint32_t f : flows) add_incidences(f, paths);
  active_.assign(flows.begin(), flows.end());
  prepare(flows, paths, links);
  for (size_t i = 0; i < link_of_.size(); ++i) remaining_[i] = capacity[link_of_[i]];
  fill(flows.size(), rate, true);
  update_shares_max(0);
}

// Departures only, the other way: every flow that froze at or after the first step a
// departed flow froze at, k, is filled again from the record's state before k. Steps
// before k are exactly those a fresh solve takes (their links carried no departed flow;
// every other link's share is the same or larger), so this too equals a fresh solve to
// the last bit; its cost follows the flows frozen from k on.
void MaxMinSolver::restart_without(std::span<const uint32_t> gone, const PathView& paths,
                                   std::span<const double> capacity, std::span<double> rate,
                                   std::vector<uint32_t>& refilled) {
  uint64_t k_pos = kNoPos;
  for (uint32_t g : gone) {
    ROSHNI_ASSERT(recorded(g), "flow {} left but is not in the record", g);
    k_pos = std::min(k_pos, fpos_[g]);
  }
  dtouched_.clear();
  for (uint32_t g : gone) {
    for (uint32_t s = paths.begin[g]; s < paths.end[g]; ++s) dtouched_.push_back(paths.links[s].value());
    remove_incidences(g, paths);
  }
  active_.clear();
  for (uint32_t f : rec_flows_) {  // in any order: the rates do not depend on it
    if (fpos_[f] >= k_pos) active_.push_back(f);
  }
  const size_t k = static_cast<size_t>(
      std::lower_bound(steps_.begin(), steps_.end(), k_pos,
                       [](const Step& st, uint64_t p) { return st.pos < p; }) - steps_.begin());
  for (size_t t = k; t < steps_.size(); ++t) {
    if (!steps_[t].dead) ltop_[steps_[t].top] = kNoPos;
  }
  steps_.resize(k);
  dead_ = static_cast<size_t>(std::count_if(steps_.begin(), steps_.end(), [](const Step& st) { return st.dead; }));
  // Every link of a flow filled again, or of a departed one, forgets steps k and later.
  ++stamp_;
  auto rewind = [&](uint32_t l) {
    if (lstamp_[l] == stamp_) return;
    lstamp_[l] = stamp_;
    auto& h = hist_[l];
    h.erase(std::lower_bound(h.begin(), h.end(), k_pos,
                             [](const Entry& e, uint64_t p) { return e.pos < p; }),
            h.end());
  };
  for (uint32_t l : dtouched_) rewind(l);
  dtouched_.clear();
  for (uint32_t f : active_) {
    for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) rewind(paths.links[s].value());
  }
  refilled.clear();
  if (!active_.empty()) {
    prepare(active_, paths, capacity.size());
    for (size_t i = 0; i < link_of_.size(); ++i) {
      const auto& h = hist_[link_of_[i]];
      remaining_[i] = h.empty() ? capacity[link_of_[i]] : h.back().remaining;
    }
    fill(active_.size(), rate, true);
    refilled.assign(active_.begin(), active_.end());
  }
  update_shares_max(std::min(k, shares_max_.size()));
}

void MaxMinSolver::count_departure_work(double work) {
  ++departure_counts_.updates;
  if (probing_) {
    ++departure_counts_.probes;
    departure_counts_.probe_work += work;
  } else {
    since_probe_ += work;
    departure_counts_.chosen_work += work;
  }
  probing_ = false;
}

// The heap of diverged links in a replay: link ids, smallest (share, link id) first.
void MaxMinSolver::dsift_up(size_t i) {
  const uint32_t x = dheap_[i];
  while (i > 0 && dbefore(x, dheap_[(i - 1) / 2])) {
    dplace(i, dheap_[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  dplace(i, x);
}

void MaxMinSolver::dsift_down(size_t i) {
  const uint32_t x = dheap_[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= dheap_.size()) break;
    if (c + 1 < dheap_.size() && dbefore(dheap_[c + 1], dheap_[c])) ++c;
    if (!dbefore(dheap_[c], x)) break;
    dplace(i, dheap_[c]);
    i = c;
  }
  dplace(i, x);
}

void MaxMinSolver::dheap_update(uint32_t l) {
  const size_t i = dheap_pos_[l];
  if (i > 0 && dbefore(l, dheap_[(i - 1) / 2])) {
    dsift_up(i);
  } else {
    dsift_down(i);
  }
}

void MaxMinSolver::dheap_remove(uint32_t l) {
  const size_t i = dheap_pos_[l];
  dheap_pos_[l] = kNotInHeap;
  const uint32_t last = dheap_.back();
  dheap_.pop_back();
  if (last == l) return;
  dplace(i, last);
  dheap_update(last);
}

// Link l stops following the record at `cursor` (the position of the first recorded step
// the replay has not passed): its state is the record's after the steps before the
// cursor; what the record did to it from there on waits in the bucket of the step that
// did it (pend), to be applied only if the replay keeps that step. `from`: the index of
// the first recorded step the replay has not passed.
void MaxMinSolver::diverge(uint32_t l, uint64_t cursor, size_t from,
                           std::span<const double> capacity) {
  ++replay_work_;
  dstamp_[l] = stamp_;
  divpos_[l] = cursor;
  div_links_.push_back(l);
  const auto& h = hist_[l];
  const size_t idx = static_cast<size_t>(
      std::lower_bound(h.begin(), h.end(), cursor,
                       [](const Entry& e, uint64_t p) { return e.pos < p; }) - h.begin());
  if (idx > 0) {
    dremaining_[l] = h[idx - 1].remaining;
    ROSHNI_ASSERT(lflows_[l].size() >= h[idx - 1].frozen, "replay: link {} froze more flows than it has", l);
    dunfrozen_[l] = static_cast<uint32_t>(lflows_[l].size()) - h[idx - 1].frozen;
  } else {
    dremaining_[l] = capacity[l];
    dunfrozen_[l] = static_cast<uint32_t>(lflows_[l].size());
  }
  dpend_[l] = static_cast<uint32_t>(idx);
  if (idx < h.size()) pend(l, from);
  dheap_pos_[l] = kNotInHeap;
  if (dunfrozen_[l] > 0) {
    dkey_[l] = dremaining_[l] / dunfrozen_[l];
    dheap_.push_back(l);
    dsift_up(dheap_.size() - 1);
  }
}

// The index of the recorded step at `pos`, searched from index `from` on (galloping: the
// next entry of a link is usually a few steps ahead).
size_t MaxMinSolver::step_at(uint64_t pos, size_t from) const {
  const size_t n = steps_.size();
  size_t lo = from, hi = from, width = 1;
  while (hi < n && steps_[hi].pos < pos) {
    lo = hi + 1;
    hi += width;
    width *= 2;
  }
  hi = std::min(hi, n);
  return static_cast<size_t>(
      std::lower_bound(steps_.begin() + static_cast<std::ptrdiff_t>(lo),
                       steps_.begin() + static_cast<std::ptrdiff_t>(hi), pos,
                       [](const Step& st, uint64_t p) { return st.pos < p; }) - steps_.begin());
}

void MaxMinSolver::pend(uint32_t l, size_t from) {
  const uint64_t pos = hist_[l][dpend_[l]].pos;
  const size_t j = step_at(pos, from);
  ROSHNI_ASSERT(j < steps_.size() && steps_[j].pos == pos, "replay: link {} has a state after no step", l);
  if (bhead_[j] == kNotInHeap) bused_.push_back(static_cast<uint32_t>(j));
  bnext_[l] = bhead_[j];
  bhead_[j] = l;
  mark(j);
  pend_first_ = std::min(pend_first_, j);
}

void MaxMinSolver::update(std::span<const uint32_t> gone, std::span<const uint32_t> arrived,
                          const PathView& paths, std::span<const double> capacity,
                          std::span<double> rate, std::vector<uint32_t>& refilled) {
  refilled.clear();
  ROSHNI_ASSERT(has_record_, "an update needs a record");
  if (gone.empty() && arrived.empty()) return;
  const size_t links = capacity.size();
  if (lstamp_.size() < links) lstamp_.resize(links, 0);
  if (arrived.empty() && !steps_.empty() && steps_.back().pos < kPosLimit / 2) {
    // Departures only: replay, or fill again from the first step a departed flow froze
    // at, whichever has cost less lately (in flow-link incidences touched); now and then
    // the other one, to keep its figure current (kProbeRatio). Both give a fresh solve's
    // rates.
    bool restart = departures_method_ == Departures::restart ||
                   (departures_method_ == Departures::adaptive && restart_cost_ < replay_cost_);
    probing_ = departures_method_ == Departures::adaptive &&
               since_probe_ >= kProbeRatio * (restart ? replay_cost_ : restart_cost_);
    if (probing_) {
      restart = !restart;
      since_probe_ = 0;
    }
    if (restart) {
      restart_without(gone, paths, capacity, rate, refilled);
      double work = static_cast<double>(rec_flows_.size());
      for (uint32_t f : refilled) work += 2.0 * (paths.end[f] - paths.begin[f]);
      restart_cost_ = 0.75 * restart_cost_ + 0.25 * work;
      count_departure_work(work);
      return;
    }
    replay_work_ = 0;
  }
  if (dstamp_.size() < links) {
    dstamp_.resize(links, 0);
    dunfrozen_.resize(links);
    dpend_.resize(links);
    dheap_pos_.resize(links);
    dcount_.resize(links, 0);
    dtouch_.resize(links, 0);
    divpos_.resize(links);
    dremaining_.resize(links);
    dkey_.resize(links);
    bnext_.resize(links);
    znext_.resize(links);
    lstamp_.resize(links, 0);
    lpoint_.resize(links);
  }
  if (bhead_.size() < steps_.size()) bhead_.resize(steps_.size(), kNotInHeap);
  if (zhead_.size() < steps_.size()) zhead_.resize(steps_.size(), kNotInHeap);
  if (ebits_.size() < steps_.size() / 64 + 1) ebits_.resize(steps_.size() / 64 + 1, 0);
  pend_first_ = SIZE_MAX;
  if (hist_.size() < links) {
    hist_.resize(links);
    lflows_.resize(links);
    rec_listed_.resize(links, 0);
    ltop_.resize(links, kNoPos);
  }
  for (uint32_t f : arrived) {
    if (fpos_.size() <= f) {
      fpos_.resize(f + 1, kNoPos);
      ftop_.resize(f + 1);
      rec_index_.resize(f + 1);
    }
  }
  if (fstamp_.size() < fpos_.size()) {
    fstamp_.resize(fpos_.size(), 0);
    kstamp_.resize(fpos_.size(), 0);
    fseq_.resize(fpos_.size());
  }
  ++stamp_;
  div_links_.clear();
  rekept_.clear();
  dheap_.clear();
  new_steps_.clear();
  new_entries_.clear();

  // The changes. An arrival's links diverge from the start (a share there can only
  // shrink, and with it the point at which the link fills). A link that only lost flows
  // keeps the record's state, but for the count of those flows, up to the first step at
  // which one of them froze; it diverges there (or earlier, if a new step reaches it).
  // Before that, it cannot fill out of turn: its share is the record's or larger (same
  // remaining capacity, fewer flows), and the record's was at least that of the recorded
  // step i the replay is at (else it would have filled then), with a larger link id on a
  // tie; a new step taken before step i has a share below step i's (or equal, with a
  // smaller link id than step i's), so it comes first too.
  dtouched_.clear();
  for (uint32_t g : gone) {
    ROSHNI_ASSERT(recorded(g), "flow {} left but is not in the record", g);
    const uint64_t at = fpos_[g];
    for (uint32_t s = paths.begin[g]; s < paths.end[g]; ++s) {
      const uint32_t l = paths.links[s].value();
      if (lstamp_[l] != stamp_) {
        lstamp_[l] = stamp_;
        lpoint_[l] = at;
        dtouched_.push_back(l);
      }
      lpoint_[l] = std::min(lpoint_[l], at);
    }
    remove_incidences(g, paths);
  }
  for (uint32_t f : arrived) {
    ROSHNI_ASSERT(!recorded(f), "flow {} arrived but is in the record", f);
    add_incidences(f, paths);
  }
  const size_t n = steps_.size();
  for (uint32_t f : arrived) {
    for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) {
      const uint32_t l = paths.links[s].value();
      if (dstamp_[l] != stamp_) diverge(l, n > 0 ? steps_[0].pos : kNoPos, 0, capacity);
    }
  }
  size_t lazy_first = SIZE_MAX, lazy_left = 0;
  for (uint32_t l : dtouched_) {
    if (dstamp_[l] == stamp_) continue;  // an arrival's link too
    const size_t j = step_at(lpoint_[l], 0);
    if (zhead_[j] == kNotInHeap) zused_.push_back(static_cast<uint32_t>(j));
    znext_[l] = zhead_[j];
    zhead_[j] = l;
    mark(j);
    lazy_first = std::min(lazy_first, j);
    ++lazy_left;
  }
  dtouched_.clear();

  // The links waiting for step i: each moves on to its next entry.
  auto drain = [&](size_t i, auto&& apply) {
    uint32_t l = bhead_[i];
    bhead_[i] = kNotInHeap;
    while (l != kNotInHeap) {
      const uint32_t next = bnext_[l];
      ++replay_work_;
      apply(l, hist_[l][dpend_[l]]);
      if (++dpend_[l] < hist_[l].size()) pend(l, i + 1);
      l = next;
    }
  };

  // Where the replay begins: before the first recorded step that is not kept as it is
  // (one whose link diverged), the first that touches a diverged link, and the first
  // whose share could reach the smallest diverged share (shares_max_ is the running
  // maximum of the recorded shares), the record stands.
  auto index_of = [&](uint64_t pos) {
    return static_cast<size_t>(
        std::lower_bound(steps_.begin(), steps_.end(), pos,
                         [](const Step& st, uint64_t p) { return st.pos < p; }) - steps_.begin());
  };
  size_t i = n;
  for (uint32_t l : div_links_) {
    if (ltop_[l] != kNoPos) i = std::min(i, index_of(ltop_[l]));
  }
  i = std::min({i, pend_first_, lazy_first});
  if (!dheap_.empty()) {
    const double key = dkey_[dheap_[0]];
    i = std::min(i, static_cast<size_t>(
                        std::lower_bound(shares_max_.begin(), shares_max_.end(), key,
                                         [](const ShareTop& m, double k) { return m.share < k; }) -
                        shares_max_.begin()));
  }
  const size_t first = i;
  size_t visited = 0;  // recorded steps the replay took one by one, and new steps
  for (;;) {
    // Recorded steps whose link diverged are void: the flows they froze are not frozen
    // here (yet), so every link those flows cross diverges, and what the step did to the
    // diverged links is void too.
    for (; i < n; ++i) {
      // Departures' links whose first departed flow froze here diverge now.
      for (uint32_t l = zhead_[i]; l != kNotInHeap; l = znext_[l]) {
        --lazy_left;
        if (dstamp_[l] != stamp_) diverge(l, steps_[i].pos, i, capacity);
      }
      zhead_[i] = kNotInHeap;
      if (!steps_[i].dead && dstamp_[steps_[i].top] != stamp_) break;
      const Step& st = steps_[i];
      if (st.dead) continue;  // left by an earlier replay: froze nothing
      // A new step that comes first in (share, link id) order is taken first: it may
      // freeze flows on this step's link or give its link the record's state back.
      if (!dheap_.empty() && (dkey_[dheap_[0]] < st.share ||
                              (dkey_[dheap_[0]] == st.share && dheap_[0] < st.top))) {
        break;
      }
      if (rekeeps(i, capacity)) break;  // taken below as a recorded step, in its turn
      ++visited;
      replay_work_ += lflows_[st.top].size();
      for (const Incidence& inc : lflows_[st.top]) {
        const uint32_t f = inc.flow;
        if (fpos_[f] != st.pos || fstamp_[f] == stamp_) continue;
        for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) {
          const uint32_t l = paths.links[s].value();
          if (dstamp_[l] != stamp_) diverge(l, st.pos, i, capacity);
        }
      }
      drain(i, [](uint32_t, const Entry&) {});
    }
    // Every diverged link full and none left to diverge: the rest stands.
    if (dheap_.empty() && lazy_left == 0) break;
    ROSHNI_ASSERT(i < n || !dheap_.empty(), "replay: links left to diverge after the last step");
    const uint32_t d = dheap_.empty() ? kNotInHeap : dheap_[0];
    // (A step kept again on its diverged link is that link's own key: ties go to it.)
    if (i < n && (d == kNotInHeap || steps_[i].share < dkey_[d] ||
                  (steps_[i].share == dkey_[d] && steps_[i].top <= d))) {
      // A recorded step on a clean link (or kept again, rekeeps): the record's share and
      // flows; applied to the diverged links whose flows it freezes.
      const Step& st = steps_[i];
      new_steps_.push_back({{}, false, i, i + 1});
      ++visited;
      const bool again = dstamp_[st.top] == stamp_;
      if (again) {
        replay_work_ += lflows_[st.top].size();
        for (const Incidence& inc : lflows_[st.top]) {
          if (fpos_[inc.flow] == st.pos && fstamp_[inc.flow] != stamp_) kstamp_[inc.flow] = stamp_;
        }
        rekept_.push_back({st.top, st.pos});
      }
      drain(i, [&](uint32_t l, const Entry& e) {
        ROSHNI_ASSERT(dunfrozen_[l] >= e.count, "replay: link {} has {} flows to freeze, not {}",
                      l, dunfrozen_[l], e.count);
        if (again && l == st.top) {  // the filling link keeps its remaining, as in fill()
          dunfrozen_[l] = 0;
          new_entries_.push_back({l, {st.pos, dremaining_[l], frozen_on(l), e.count}});
          if (dheap_pos_[l] != kNotInHeap) dheap_remove(l);
          return;
        }
        for (uint32_t c = 0; c < e.count; ++c) dremaining_[l] = std::max(0.0, dremaining_[l] - st.share);
        dunfrozen_[l] -= e.count;
        new_entries_.push_back({l, {st.pos, dremaining_[l], frozen_on(l), e.count}});
        if (dheap_pos_[l] == kNotInHeap) return;
        if (dunfrozen_[l] == 0) {
          dheap_remove(l);
        } else {
          dkey_[l] = dremaining_[l] / dunfrozen_[l];
          dheap_update(l);
        }
      });
      // The recorded steps after it, up to the next one that touches a diverged link (or
      // whose link diverged, or where a departure's link diverges) and while below the
      // smallest diverged link in (share, link id) order, are kept as they are with
      // nothing to do: skipped. A step whose running maximum in that order is below that
      // link's is below it too.
      size_t stop = next_mark(i + 1, n);
      if (!dheap_.empty()) {
        const ShareTop key{dkey_[dheap_[0]], dheap_[0]};
        stop = static_cast<size_t>(
            std::lower_bound(shares_max_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                             shares_max_.begin() + static_cast<std::ptrdiff_t>(stop), key) -
            shares_max_.begin());
      }
      new_steps_.back().to = stop;
      i = stop;
      continue;
    }
    // The diverged link of smallest share fills, as in a fresh solve.
    dheap_remove(d);
    const double share = dkey_[d];
    const uint64_t seq = new_steps_.size();
    new_steps_.push_back({{seq, share, d, false}, true, 0, 0});
    ++visited;
    const uint64_t cursor = i < n ? steps_[i].pos : kNoPos;
    uint32_t frozen_here = 0;
    replay_work_ += lflows_[d].size();
    for (size_t k = 0; k < lflows_[d].size(); ++k) {
      const uint32_t f = lflows_[d][k].flow;
      if (frozen_now(f, cursor)) continue;
      fstamp_[f] = stamp_;
      fseq_[f] = static_cast<uint32_t>(seq);
      rate[f] = share;
      refilled.push_back(f);
      replay_work_ += paths.end[f] - paths.begin[f];
      for (uint32_t s = paths.begin[f]; s < paths.end[f]; ++s) {
        const uint32_t l = paths.links[s].value();
        if (l == d) {
          ++frozen_here;
          continue;
        }
        if (dstamp_[l] != stamp_) diverge(l, cursor, i, capacity);
        dremaining_[l] = std::max(0.0, dremaining_[l] - share);
        --dunfrozen_[l];
        ++dcount_[l];
        if (!dtouch_[l]) {
          dtouch_[l] = 1;
          dtouched_.push_back(l);
        }
      }
    }
    dunfrozen_[d] = 0;
    new_entries_.push_back({d, {kAdded | seq, dremaining_[d], frozen_on(d), frozen_here}});
    for (uint32_t l : dtouched_) {
      dtouch_[l] = 0;
      new_entries_.push_back({l, {kAdded | seq, dremaining_[l], frozen_on(l), dcount_[l]}});
      dcount_[l] = 0;
      if (dheap_pos_[l] == kNotInHeap) continue;
      if (dunfrozen_[l] == 0) {
        dheap_remove(l);
      } else {
        dkey_[l] = dremaining_[l] / dunfrozen_[l];
        dheap_update(l);
      }
    }
    dtouched_.clear();
  }
  const size_t last = i;  // steps first .. last - 1 are replaced by new_steps_
  replay_steps_ = visited;
  replay_work_ += new_entries_.size() + visited;
  if (arrived.empty()) {
    replay_cost_ = 0.75 * replay_cost_ + 0.25 * static_cast<double>(replay_work_);
    count_departure_work(static_cast<double>(replay_work_));
  }
  for (uint32_t j : bused_) bhead_[j] = kNotInHeap;  // the buckets the replay did not reach
  bused_.clear();
  for (uint32_t j : zused_) zhead_[j] = kNotInHeap;
  zused_.clear();
  std::fill(ebits_.begin(), ebits_.begin() + static_cast<std::ptrdiff_t>(n / 64 + 1), 0);

  // Positions for the new steps, between those of the kept steps around them.
  uint64_t prev = first > 0 ? steps_[first - 1].pos : 0;
  // A run of kept steps starts with a live one (the replay took it one by one); dead ones
  // (tombstones) in it are dropped.
  auto last_live = [&](const NewStep& ns) {
    size_t t = ns.to - 1;
    while (t > ns.from && steps_[t].dead) --t;
    return steps_[t].pos;
  };
  for (size_t a = 0; a < new_steps_.size();) {
    if (!new_steps_[a].added) {
      prev = last_live(new_steps_[a++]);
      continue;
    }
    size_t b = a;
    while (b < new_steps_.size() && new_steps_[b].added) ++b;
    const uint64_t k = b - a;
    const uint64_t next = b < new_steps_.size() ? steps_[new_steps_[b].from].pos
                          : last < n            ? steps_[last].pos
                                                : prev + (k + 1) * spacing_;
    const uint64_t gap = (next - prev) / (k + 1);
    if (gap == 0 || next >= kPosLimit) {
      // No room left between two kept steps: record afresh (the rates are the same).
      const std::vector<uint32_t> all = rec_flows_;
      solve_recorded(all, paths, capacity, rate);
      refilled = all;
      return;
    }
    for (size_t t = a; t < b; ++t) new_steps_[t].step.pos = prev + gap * (t - a + 1);
    prev = new_steps_[b - 1].step.pos;
    a = b;
  }
  // The record brought up to date.
  for (uint32_t l : div_links_) {
    auto& h = hist_[l];
    h.erase(std::lower_bound(h.begin(), h.end(), divpos_[l],
                             [](const Entry& e, uint64_t p) { return e.pos < p; }),
            h.end());
  }
  for (auto& [l, e] : new_entries_) {
    if (e.pos & kAdded) e.pos = new_steps_[e.pos & ~kAdded].step.pos;
    hist_[l].push_back(e);
  }
  for (uint32_t f : refilled) {
    fpos_[f] = new_steps_[fseq_[f]].step.pos;
    ftop_[f] = new_steps_[fseq_[f]].step.top;
  }
  // Recorded steps after the replay whose link diverged froze nothing now: they stay as
  // tombstones until there are as many as live steps.
  for (uint32_t l : div_links_) {
    if (ltop_[l] == kNoPos) continue;
    const size_t at = index_of(ltop_[l]);
    if (at >= last && at < n && !steps_[at].dead) {
      steps_[at].dead = true;
      ++dead_;
    }
    ltop_[l] = kNoPos;
  }
  for (const NewStep& ns : new_steps_) {
    if (ns.added) ltop_[ns.step.top] = ns.step.pos;
  }
  for (const auto& [l, pos] : rekept_) ltop_[l] = pos;
  for (size_t t = first; t < last; ++t) dead_ -= steps_[t].dead;
  rebuilt_.clear();
  for (const NewStep& ns : new_steps_) {
    if (ns.added) {
      rebuilt_.push_back(ns.step);
      continue;
    }
    for (size_t t = ns.from; t < ns.to; ++t) {
      if (!steps_[t].dead) rebuilt_.push_back(steps_[t]);
    }
  }
  const auto at = steps_.begin() + static_cast<std::ptrdiff_t>(first);
  steps_.erase(at, steps_.begin() + static_cast<std::ptrdiff_t>(last));
  steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(first), rebuilt_.begin(), rebuilt_.end());
  if (2 * dead_ > steps_.size()) {
    std::erase_if(steps_, [](const Step& st) { return st.dead; });
    dead_ = 0;
    shares_max_.clear();
  }
  update_shares_max(std::min(first, shares_max_.size()));
}

bool MaxMinSolver::rekeeps(size_t i, std::span<const double> capacity) {
  const Step& st = steps_[i];
  const uint32_t t = st.top;
  const auto& h = hist_[t];
  const uint32_t k = dpend_[t];
  if (k >= h.size() || h[k].pos != st.pos) return false;
  // The step froze h[k].count incidences on t; t must hold exactly those, unfrozen (a
  // departure among them, or an arrival or another flow still unfrozen on t, fails this)
  // and the record's remaining capacity before the step, so its share is the record's.
  const double remaining = k > 0 ? h[k - 1].remaining : capacity[t];
  if (dunfrozen_[t] != h[k].count || dremaining_[t] != remaining) return false;
  uint32_t mine = 0;
  for (const Incidence& inc : lflows_[t]) mine += fpos_[inc.flow] == st.pos && fstamp_[inc.flow] != stamp_;
  replay_work_ += lflows_[t].size();
  return mine == h[k].count && dkey_[t] == st.share;
}

// The first step index from `from` on (below n) whose bit is set, else n.
size_t MaxMinSolver::next_mark(size_t from, size_t n) const {
  if (from >= n) return n;
  size_t w = from >> 6;
  uint64_t bits = ebits_[w] & (~uint64_t{0} << (from & 63));
  const size_t words = (n + 63) >> 6;
  while (bits == 0) {
    if (++w >= words) return n;
    bits = ebits_[w];
  }
  return std::min(n, (w << 6) + static_cast<size_t>(std::countr_zero(bits)));
}

void MaxMinSolver::update_shares_max(size_t from) {
  shares_max_.resize(steps_.size());
  ShareTop m = from > 0 ? shares_max_[from - 1] : ShareTop{-1.0, 0};
  for (size_t t = from; t < steps_.size(); ++t) {
    const ShareTop here{steps_[t].share, steps_[t].top};
    if (m < here) m = here;
    shares_max_[t] = m;
  }
}

}  // namespace roshni::net
