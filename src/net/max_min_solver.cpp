// Progressive filling, after Bertsekas & Gallager, "Data Networks" (2nd ed., 1992),
// section 6.5.2; the heap of link shares plays the role of SimGrid's lmm "saturated
// constraint" search (Casanova et al., "Versatile, scalable and accurate simulation of
// distributed applications and platforms", JPDC 2014). The naive reference this must
// match lives in tests/net/max_min_solver_test.cpp.
#include "roshni/net/max_min_solver.h"

#include <algorithm>

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
                           size_t links, uint32_t rewind_to) {
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
        if (rewind_to != kNone) {  // forget what steps rewind_to and later did to the link
          auto& h = history_[l.value()];
          while (!h.empty() && h.back().step >= rewind_to) h.pop_back();
        }
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
  frozen_.assign(flows.size(), 0);
}

void MaxMinSolver::fill(size_t nflows, std::span<double> rate, bool record,
                        uint32_t first_step) {
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
  uint32_t step = first_step;
  while (left > 0 && !heap_.empty()) {
    // The link with the smallest share fills first: its unfrozen flows freeze at it.
    const uint32_t top = heap_[0];
    heap_remove(top);
    const double share = key_[top];
    touched_.clear();
    if (record) step_first_.push_back(static_cast<uint32_t>(order_.size()));
    for (uint32_t k = offset_[top]; k < offset_[top + 1]; ++k) {
      const uint32_t pos = incident_[k];
      if (frozen_[pos]) continue;
      frozen_[pos] = 1;
      --left;
      const uint32_t f = active_[pos];
      rate[f] = share;
      if (record) {
        step_of_[f] = step;
        order_.push_back(f);
      }
      for (uint32_t j = flow_offset_[pos]; j < flow_offset_[pos + 1]; ++j) {
        const uint32_t local = flow_links_[j];
        if (local == top) continue;
        remaining_[local] = std::max(0.0, remaining_[local] - share);
        --unfrozen_[local];
        if (!touched_mark_[local]) {
          touched_mark_[local] = 1;
          touched_.push_back(local);
        }
      }
    }
    unfrozen_[top] = 0;
    // Each link that lost flows gets its new share once, from its final state.
    for (uint32_t local : touched_) {
      touched_mark_[local] = 0;
      if (record) {
        const uint32_t l = link_of_[local];
        if (!history_listed_[l]) {
          history_listed_[l] = 1;
          history_links_.push_back(l);
        }
        history_[l].push_back({step, remaining_[local]});
      }
      if (heap_pos_[local] == kNotInHeap) continue;
      if (unfrozen_[local] == 0) {
        heap_remove(local);
      } else {
        key_[local] = remaining_[local] / unfrozen_[local];
        heap_update(local);
      }
    }
    ++step;
  }
  ROSHNI_ASSERT(left == 0, "progressive filling left {} flows unrated", left);
}

void MaxMinSolver::forget() {
  if (!has_record_) return;
  for (uint32_t f : order_) step_of_[f] = kNone;
  order_.clear();
  step_first_.clear();
  for (uint32_t l : history_links_) {
    history_[l].clear();
    history_listed_[l] = 0;
  }
  history_links_.clear();
  has_record_ = false;
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
  prepare(flows, paths, capacity.size(), kNone);
  for (size_t i = 0; i < link_of_.size(); ++i) remaining_[i] = capacity[link_of_[i]];
  fill(flows.size(), rate, false, 0);
}

void MaxMinSolver::solve_recorded(std::span<const uint32_t> flows, const PathView& paths,
                                  std::span<const double> capacity, std::span<double> rate) {
  forget();
  if (flows.empty()) return;
  has_record_ = true;
  if (history_.size() < capacity.size()) {
    history_.resize(capacity.size());
    history_listed_.resize(capacity.size(), 0);
  }
  for (uint32_t f : flows) {
    if (step_of_.size() <= f) step_of_.resize(f + 1, kNone);
  }
  active_.assign(flows.begin(), flows.end());
  prepare(flows, paths, capacity.size(), kNone);
  for (size_t i = 0; i < link_of_.size(); ++i) remaining_[i] = capacity[link_of_[i]];
  fill(flows.size(), rate, true, 0);
}

void MaxMinSolver::resolve_without(std::span<const uint32_t> gone, const PathView& paths,
                                   std::span<const double> capacity, std::span<double> rate,
                                   std::vector<uint32_t>& refilled) {
  refilled.clear();
  if (gone.empty()) return;
  uint32_t k = kNone;
  for (uint32_t g : gone) {
    ROSHNI_ASSERT(recorded(g), "flow {} left but is not in the record", g);
    k = std::min(k, step_of_[g]);
  }
  for (uint32_t g : gone) step_of_[g] = kNone;
  // The flows that froze at step k or later and remain are filled again.
  const uint32_t first = step_first_[k];
  active_.clear();
  for (size_t i = first; i < order_.size(); ++i) {
    if (step_of_[order_[i]] != kNone) active_.push_back(order_[i]);
  }
  order_.resize(first);
  step_first_.resize(k);
  // The links of the departed and of the flows filled again (prepare) forget what steps
  // k and later did to them: only those flows froze there.
  for (uint32_t g : gone) {
    for (LinkId l : paths.of(g)) {
      auto& h = history_[l.value()];
      while (!h.empty() && h.back().step >= k) h.pop_back();
    }
  }
  if (active_.empty()) return;
  prepare(active_, paths, capacity.size(), k);
  for (size_t i = 0; i < link_of_.size(); ++i) {
    const auto& h = history_[link_of_[i]];
    remaining_[i] = h.empty() ? capacity[link_of_[i]] : h.back().value;
  }
  fill(active_.size(), rate, true, k);
  refilled.assign(order_.begin() + first, order_.end());
}

}  // namespace roshni::net
