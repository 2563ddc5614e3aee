/// The capacity of every directed link as capacity steps (RunOptions::steps) change
/// it, shared by the flow and packet models. A link has a set capacity (the topology's,
/// then RunOptions::initial_capacities, then the latest a step set) and a count of
/// the outages covering it; it carries its set capacity while no outage covers it and
/// nothing while any does. So overlapping failures keep a link down until the last one
/// ends, a switch's repair does not bring back a link that is still failed on its own,
/// and a circuit whose map was replaced before it lit does not light when its
/// reconfiguration outage ends (its set capacity is 0 by then).
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/net/run_contract.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

class LinkCapacities {
 public:
  void init(const topo::Topology& t, const RunOptions& options) {
    const size_t links = t.link_count();
    set_.resize(links);
    for (uint32_t l = 0; l < links; ++l) set_[l] = t.link_capacity(LinkId(l)).si();
    for (const auto& [l, c] : options.initial_capacities) set_[l.value()] = c.si();
    outages_.assign(links, 0);
    touched_mark_.assign(links, 0);
  }

  /// What link l carries at time 0, bytes/s.
  double initial(uint32_t l) const { return set_[l]; }

  /// Applies step s (its capacities, then the outages it begins, then those it ends) and
  /// returns the links it names, each once, in the order first named; capacity(l) is
  /// then what each carries.
  const std::vector<uint32_t>& apply(const CapacityStep& s) {
    touched_.clear();
    for (const auto& [link, c] : s.capacities) {
      set_[link.value()] = c.si();
      touch(link.value());
    }
    for (LinkId link : s.outages_begin) {
      ++outages_[link.value()];
      touch(link.value());
    }
    for (LinkId link : s.outages_end) {
      ROSHNI_ASSERT(outages_[link.value()] > 0, "outage of link {} ended but none began",
                    link.value());
      --outages_[link.value()];
      touch(link.value());
    }
    for (uint32_t l : touched_) touched_mark_[l] = 0;
    return touched_;
  }

  double capacity(uint32_t l) const { return outages_[l] > 0 ? 0.0 : set_[l]; }

 private:
  void touch(uint32_t l) {
    if (touched_mark_[l]) return;
    touched_mark_[l] = 1;
    touched_.push_back(l);
  }

  std::vector<double> set_;         // per link: the capacity the steps set, bytes/s
  std::vector<uint32_t> outages_;   // per link: outages covering it now
  std::vector<uint32_t> touched_;
  std::vector<uint8_t> touched_mark_;
};

}  // namespace roshni::net
