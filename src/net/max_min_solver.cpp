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

bool heap_after(double sa, uint32_t la, double sb, uint32_t lb) {
  return sa > sb || (sa == sb && la > lb);
}

}  // namespace

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
  version_.assign(nl, 0);
  frozen_.assign(flows.size(), 0);
  heap_.clear();
  auto push = [this](double share, uint32_t local) {
    heap_.push_back({share, local, version_[local]});
    std::push_heap(heap_.begin(), heap_.end(), [](const HeapEntry& a, const HeapEntry& b) {
      return heap_after(a.share, a.local, b.share, b.local);
    });
  };
  for (uint32_t i = 0; i < nl; ++i) {
    remaining_[i] = capacity[link_of_[i]];
    push(remaining_[i] / unfrozen_[i], i);
  }

  size_t left = flows.size();
  while (left > 0 && !heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), [](const HeapEntry& a, const HeapEntry& b) {
      return heap_after(a.share, a.local, b.share, b.local);
    });
    const HeapEntry top = heap_.back();
    heap_.pop_back();
    if (top.version != version_[top.local] || unfrozen_[top.local] == 0) continue;
    // This link fills first: every unfrozen flow on it freezes at its share.
    const double share = top.share;
    for (uint32_t k = offset_[top.local]; k < offset_[top.local + 1]; ++k) {
      const uint32_t f = incident_[k];
      const uint32_t pos = position_[f];
      if (frozen_[pos]) continue;
      frozen_[pos] = 1;
      --left;
      rate[f] = share;
      for (LinkId l : paths.of(f)) {
        const uint32_t local = local_of_[l.value()] - 1;
        if (local == top.local) continue;
        remaining_[local] = std::max(0.0, remaining_[local] - share);
        --unfrozen_[local];
        ++version_[local];
        if (unfrozen_[local] > 0) push(remaining_[local] / unfrozen_[local], local);
      }
    }
    unfrozen_[top.local] = 0;
  }
  ROSHNI_ASSERT(left == 0, "progressive filling left {} flows unrated", left);
  for (uint32_t l : link_of_) local_of_[l] = 0;
}

}  // namespace roshni::net
