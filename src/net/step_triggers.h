/// Which capacity steps (RunOptions::steps) wait for which flows, in compressed rows,
/// and how many each still waits for; shared by the flow and packet models. A step with
/// `after` fires once the last of those flows is delivered.
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/net/run_contract.h"

namespace roshni::net {

class StepTriggers {
 public:
  void init(const std::vector<CapacityStep>& steps, size_t flows) {
    pending_.resize(steps.size());
    offset_.assign(flows + 1, 0);
    for (uint32_t i = 0; i < steps.size(); ++i) {
      pending_[i] = static_cast<uint32_t>(steps[i].after.size());
      for (FlowId f : steps[i].after) ++offset_[f.value() + 1];
    }
    for (size_t i = 0; i < flows; ++i) offset_[i + 1] += offset_[i];
    steps_.resize(offset_[flows]);
    std::vector<uint32_t> fill(offset_.begin(), offset_.end() - 1);
    for (uint32_t i = 0; i < steps.size(); ++i) {
      for (FlowId f : steps[i].after) steps_[fill[f.value()]++] = i;
    }
  }

  /// Flow f was delivered: calls fire(i) for every step i it was the last one to wait for,
  /// in the order of the steps.
  template <class Fire>
  void delivered(uint32_t f, Fire&& fire) {
    for (uint32_t k = offset_[f]; k < offset_[f + 1]; ++k) {
      const uint32_t i = steps_[k];
      if (--pending_[i] == 0) fire(i);
    }
  }

 private:
  std::vector<uint32_t> pending_;        // per step: flows it still waits for
  std::vector<uint32_t> offset_, steps_;  // per flow: the steps that wait for it
};

}  // namespace roshni::net
