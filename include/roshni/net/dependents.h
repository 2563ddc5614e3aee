/// Who waits for whom in a FlowSet, reversed: for every entry (flow or task), the entries
/// that wait for it, in compressed rows (in the order of their ids), and how many entries
/// each one still waits for. What releases work when an entry is done, in both network
/// models (run_skeleton.h) and in the training layer's critical path.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/net/flow_set.h"

namespace roshni::net {

class Dependents {
 public:
  explicit Dependents(const FlowSet& flows) {
    const size_t n = flows.size();
    pending_.resize(n);
    offset_.assign(n + 1, 0);
    for (uint32_t f = 0; f < n; ++f) {
      pending_[f] = static_cast<uint32_t>(flows.deps(FlowId(f)).size());
      for (FlowId d : flows.deps(FlowId(f))) ++offset_[d.value() + 1];
    }
    for (size_t i = 0; i < n; ++i) offset_[i + 1] += offset_[i];
    dependents_.resize(offset_[n]);
    std::vector<uint32_t> fill(offset_.begin(), offset_.end() - 1);
    for (uint32_t f = 0; f < n; ++f) {
      for (FlowId d : flows.deps(FlowId(f))) dependents_[fill[d.value()]++] = f;
    }
  }

  /// Entries entry f still waits for.
  uint32_t pending(uint32_t f) const { return pending_[f]; }
  /// The entries that wait for f, in id order (an entry that names f twice, twice).
  std::span<const uint32_t> of(uint32_t f) const {
    return {dependents_.data() + offset_[f], dependents_.data() + offset_[f + 1]};
  }
  /// Entry f is done: each entry waiting for it waits for one fewer; ready(d) is called
  /// for every d that now waits for nothing, in the order of of(f).
  template <class Ready>
  void release(uint32_t f, Ready&& ready) {
    for (uint32_t k = offset_[f]; k < offset_[f + 1]; ++k) {
      const uint32_t d = dependents_[k];
      if (--pending_[d] == 0) ready(d);
    }
  }

 private:
  std::vector<uint32_t> pending_;              // per entry: entries it still waits for
  std::vector<uint32_t> offset_, dependents_;  // per entry: the entries that wait for it
};

}  // namespace roshni::net
