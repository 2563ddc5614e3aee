/// The traffic of a run as a dependency graph of flows: who sends how many bytes to
/// whom, not before when, and after which other flows have been delivered. Built by a
/// collective algorithm (coll/) or read from a flow trace (scenario/); consumed by a
/// network model. Plain data in parallel arrays indexed by FlowId.
///
/// An entry can also be a *task* (a compute step): work of a fixed duration on one node
/// (a reduction, a layer's forward pass) that takes part in the same dependencies but
/// uses no link. Its src and dst are that node and its size is zero. ("Flow" is kept
/// for transfers; reports call tasks' rows kind "compute".)
#pragma once

#include <span>
#include <string>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"

namespace roshni::net {

/// A transfer carries whole bytes: `size` rounded up to the next byte (a value within one
/// part in 10^9 of a whole byte counts as it). A piece of a buffer that does not divide
/// evenly over the ranks is thus up to one byte larger, as a library sizes each rank's
/// slice to ceil(count / p) elements; both network models carry exactly these bytes.
DataSize whole_bytes(DataSize size);

class FlowSet {
 public:
  /// Adds a flow of whole_bytes(size). `deps` must name flows already added or added
  /// later (checked by find_dependency_cycle / validity checks, not here).
  FlowId add(std::string label, NodeId src, NodeId dst, DataSize size,
             std::span<const FlowId> deps = {}, SimTime earliest_start = SimTime::zero());
  /// Adds a task (compute step) of `duration` on `node`.
  FlowId add_task(std::string label, NodeId node, SimTime duration,
                  std::span<const FlowId> deps = {}, SimTime earliest_start = SimTime::zero());
  bool is_task(FlowId f) const { return task_time_[f.value()] >= SimTime::zero(); }
  /// The duration of a task (requires is_task(f)).
  SimTime task_time(FlowId f) const { return task_time_[f.value()]; }
  /// Number of tasks among the entries.
  size_t task_count() const { return task_count_; }

  /// Pins the flow to an explicit path (links in order) instead of the router's choice.
  void set_path(FlowId f, std::span<const LinkId> links);
  /// Delay added to the flow's delivery beyond its path's latency: a library's per-step
  /// software and protocol cost (coll/library.h) — the receiver sees the data that much
  /// later, while the links are free. Zero unless set.
  void set_extra_latency(FlowId f, SimTime extra);
  SimTime extra_latency(FlowId f) const {
    return extra_latency_.empty() ? SimTime::zero() : extra_latency_[f.value()];
  }
  void reserve(size_t flows, size_t deps);

  size_t size() const { return src_.size(); }
  const std::string& label(FlowId f) const { return label_[f.value()]; }
  NodeId src(FlowId f) const { return src_[f.value()]; }
  NodeId dst(FlowId f) const { return dst_[f.value()]; }
  DataSize flow_size(FlowId f) const { return size_[f.value()]; }
  SimTime earliest_start(FlowId f) const { return earliest_start_[f.value()]; }
  std::span<const FlowId> deps(FlowId f) const {
    return {deps_.data() + dep_offset_[f.value()], deps_.data() + dep_offset_[f.value() + 1]};
  }
  /// The pinned path, or empty when the flow is to be routed.
  std::span<const LinkId> pinned_path(FlowId f) const;
  /// Sum of all flow sizes.
  DataSize total_size() const { return total_; }

 private:
  std::vector<std::string> label_;
  std::vector<NodeId> src_, dst_;
  std::vector<DataSize> size_;
  std::vector<SimTime> earliest_start_;
  std::vector<SimTime> task_time_;  // -1 ps for network flows
  size_t task_count_ = 0;
  std::vector<uint32_t> dep_offset_{0};
  std::vector<FlowId> deps_;
  std::vector<std::pair<FlowId, std::vector<LinkId>>> pinned_;  // sorted by flow id
  std::vector<SimTime> extra_latency_;  // empty until a flow has some, then one per entry
  DataSize total_;
};

/// Flows that lie on a dependency cycle (one cycle, in order), or empty for a DAG.
std::vector<FlowId> find_dependency_cycle(const FlowSet& flows);

}  // namespace roshni::net
