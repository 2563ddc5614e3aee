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

// The heap: local link indices, smallest (share, local index) first; heap_pos_ says
// where each link sits (kNotInHeap once removed), so a share can change in place.
bool MaxMinSolver::before(uint32_t a, uint32_t b) const {
  return key_[a] < key_[b] || (key_[a] == key_[b] && a < b);
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

void MaxMinSolver::solve(std::span<const uint32_t> flows, const PathView& paths,
                         std::span<const double> capacity, std::span<double> rate) {
  if (flows.empty()) return;
  if (local_of_.size() < capacity.size()) local_of_.resize(capacity.size(), 0);

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

  // Number the links of this solve and count flows per link (a flow crossing a link
  // twice counts twice: it uses the capacity twice).
  link_of_.clear();
  for (uint32_t f : flows) {
    if (position_.size() <= f) position_.resize(f + 1);
    for (LinkId l : paths.of(f)) {
      uint32_t& local = local_of_[l.value()];
      if (local == 0) {
        link_of_.push_back(l.value());
        local = static_cast<uint32_t>(link_of_.size());
      }
    }
  }
  const size_t nl = link_of_.size();
  offset_.assign(nl + 1, 0);
  for (uint32_t f : flows) {
    for (LinkId l : paths.of(f)) ++offset_[local_of_[l.value()]];
  }
  for (size_t i = 0; i < nl; ++i) offset_[i + 1] += offset_[i];
  incident_.resize(offset_[nl]);
  unfrozen_.assign(nl, 0);
  for (size_t i = 0; i < flows.size(); ++i) {
    position_[flows[i]] = static_cast<uint32_t>(i);
    for (LinkId l : paths.of(flows[i])) {
      const uint32_t local = local_of_[l.value()] - 1;
      incident_[offset_[local] + unfrozen_[local]++] = flows[i];
    }
  }
  remaining_.resize(nl);
  key_.resize(nl);
  heap_pos_.resize(nl);
  touched_mark_.assign(nl, 0);
  frozen_.assign(flows.size(), 0);
  heap_.clear();
  for (uint32_t i = 0; i < nl; ++i) {
    remaining_[i] = capacity[link_of_[i]];
    key_[i] = remaining_[i] / unfrozen_[i];
    heap_pos_[i] = static_cast<uint32_t>(heap_.size());
    heap_.push_back(i);
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);

  size_t left = flows.size();
  while (left > 0 && !heap_.empty()) {
    // The link with the smallest share fills first: its unfrozen flows freeze at it.
    const uint32_t top = heap_[0];
    heap_remove(top);
    const double share = key_[top];
    touched_.clear();
    for (uint32_t k = offset_[top]; k < offset_[top + 1]; ++k) {
      const uint32_t f = incident_[k];
      const uint32_t pos = position_[f];
      if (frozen_[pos]) continue;
      frozen_[pos] = 1;
      --left;
      rate[f] = share;
      for (LinkId l : paths.of(f)) {
        const uint32_t local = local_of_[l.value()] - 1;
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
  for (uint32_t l : link_of_) local_of_[l] = 0;
}

}  // namespace roshni::net
