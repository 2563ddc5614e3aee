#include "roshni/net/flow_set.h"

#include <algorithm>
#include <cmath>

#include "roshni/core/error.h"

namespace roshni::net {

DataSize whole_bytes(DataSize size) {
  const double b = size.si();
  const double nearest = std::round(b);
  if (std::fabs(b - nearest) <= 1e-9 * nearest) return bytes(nearest);
  return bytes(std::ceil(b));
}

FlowId FlowSet::add(std::string label, NodeId src, NodeId dst, DataSize size,
                    std::span<const FlowId> deps, SimTime earliest_start) {
  size = whole_bytes(size);
  const FlowId id(static_cast<uint32_t>(src_.size()));
  label_.push_back(std::move(label));
  src_.push_back(src);
  dst_.push_back(dst);
  size_.push_back(size);
  earliest_start_.push_back(earliest_start);
  task_time_.push_back(SimTime::ps(-1));
  if (!extra_latency_.empty()) extra_latency_.push_back(SimTime::zero());
  deps_.insert(deps_.end(), deps.begin(), deps.end());
  dep_offset_.push_back(static_cast<uint32_t>(deps_.size()));
  total_ += size;
  return id;
}

FlowId FlowSet::add_task(std::string label, NodeId node, SimTime duration,
                         std::span<const FlowId> deps, SimTime earliest_start) {
  ROSHNI_ASSERT(duration >= SimTime::zero(), "negative compute time");
  const FlowId id = add(std::move(label), node, node, DataSize(), deps, earliest_start);
  task_time_.back() = duration;
  ++task_count_;
  return id;
}

void FlowSet::set_path(FlowId f, std::span<const LinkId> links) {
  ROSHNI_ASSERT(pinned_.empty() || pinned_.back().first < f,
                "paths must be pinned in flow order");
  pinned_.emplace_back(f, std::vector<LinkId>(links.begin(), links.end()));
}

void FlowSet::set_extra_latency(FlowId f, SimTime extra) {
  ROSHNI_ASSERT(extra >= SimTime::zero(), "negative extra latency");
  if (extra_latency_.empty()) {
    if (extra == SimTime::zero()) return;
    extra_latency_.assign(src_.size(), SimTime::zero());
  }
  extra_latency_[f.value()] = extra;
}

void FlowSet::reserve(size_t flows, size_t deps) {
  label_.reserve(flows);
  src_.reserve(flows);
  dst_.reserve(flows);
  size_.reserve(flows);
  earliest_start_.reserve(flows);
  task_time_.reserve(flows);
  dep_offset_.reserve(flows + 1);
  deps_.reserve(deps);
}

std::span<const LinkId> FlowSet::pinned_path(FlowId f) const {
  auto it = std::lower_bound(pinned_.begin(), pinned_.end(), f,
                             [](const auto& p, FlowId id) { return p.first < id; });
  if (it == pinned_.end() || it->first != f) return {};
  return it->second;
}

std::vector<FlowId> find_dependency_cycle(const FlowSet& flows) {
  // Iterative three-colour depth-first search over "f waits for d" edges.
  const size_t n = flows.size();
  enum : uint8_t { white, grey, black };
  std::vector<uint8_t> colour(n, white);
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // (flow, next dep index)
  for (uint32_t root = 0; root < n; ++root) {
    if (colour[root] != white) continue;
    stack.emplace_back(root, 0);
    colour[root] = grey;
    while (!stack.empty()) {
      auto& [f, i] = stack.back();
      const auto deps = flows.deps(FlowId(f));
      if (i == deps.size()) {
        colour[f] = black;
        stack.pop_back();
        continue;
      }
      const uint32_t d = deps[i++].value();
      if (d >= n) continue;  // dangling ids are the loader's to report
      if (colour[d] == grey) {
        std::vector<FlowId> cycle;
        size_t k = stack.size();
        while (k > 0 && stack[k - 1].first != d) --k;
        for (size_t j = k - 1; j < stack.size(); ++j) cycle.emplace_back(stack[j].first);
        return cycle;
      }
      if (colour[d] == white) {
        colour[d] = grey;
        stack.emplace_back(d, 0);
      }
    }
  }
  return {};
}

}  // namespace roshni::net
