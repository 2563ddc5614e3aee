/// The packet model's dynamic link power (packet_model.cpp), for its peaks: while a
/// packet is on the wire its link (and the switch it enters) draws its energy per byte
/// times the line rate, the per-bit energy spent as it is carried; in total and split by
/// the energy groups of FlowRunOptions::link_energy_groups. Per port: what the packet on
/// the wire draws, and the rate it started at. Private to net/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "roshni/net/flow_model.h"

namespace roshni::net {

class LinkPower {
 public:
  /// Tracks power when `options` give busy powers or link energies; `r` gets one peak
  /// per energy group.
  void init(const FlowRunOptions& options, size_t links, FlowRunResult& r) {
    options_ = &options;
    tracking_ = !options.node_busy_power.empty() || !options.link_energy_per_byte.empty();
    tx_power_.assign(links, 0.0);
    groups_ = options.link_energy_groups.size();
    group_power_.assign(groups_, 0.0);
    tx_rate_.assign(groups_ > 0 ? links : 0, 0.0);
    r.peak_link_group_power.assign(groups_, 0.0);
  }

  bool tracking() const { return tracking_; }

  /// A packet starts on port q's wire at `rate` bytes/s.
  void on(uint32_t q, double rate) {
    tx_power_[q] = energy_per_byte(q) * rate;
    link_power_ += tx_power_[q];
    if (groups_ > 0) {
      tx_rate_[q] = rate;
      add_group_power(q, rate);
    }
  }
  /// The packet on port q's wire leaves it (done, or cut).
  void off(uint32_t q) {
    link_power_ -= tx_power_[q];
    if (groups_ > 0) add_group_power(q, -tx_rate_[q]);
  }

  /// The peaks of the dynamic power, with the compute steps' `compute_power` now.
  void peaks(double compute_power, SimTime now, FlowRunResult& r) const {
    if (compute_power > r.peak_compute_power) r.peak_compute_power = compute_power;
    if (link_power_ > r.peak_link_power) r.peak_link_power = link_power_;
    for (size_t g = 0; g < groups_; ++g) {
      r.peak_link_group_power[g] = std::max(r.peak_link_group_power[g], group_power_[g]);
    }
    const double sum = compute_power + link_power_;
    if (sum > r.peak_dynamic_power) {
      r.peak_dynamic_power = sum;
      r.peak_dynamic_at = now;
    }
  }

 private:
  /// A packet starts (+ its rate) or leaves (- the rate it started at) the wire of port
  /// q: each energy group's power moves by its joules per byte there times that rate.
  void add_group_power(uint32_t q, double rate) {
    for (size_t g = 0; g < groups_; ++g) {
      group_power_[g] += options_->link_energy_groups[g][q] * rate;
    }
  }
  double energy_per_byte(uint32_t l) const {
    return options_->link_energy_per_byte.empty() ? 0.0 : options_->link_energy_per_byte[l];
  }

  const FlowRunOptions* options_ = nullptr;
  bool tracking_ = false;
  double link_power_ = 0;         // W now
  std::vector<double> tx_power_;  // per port: what its packet on the wire draws
  // The same split by group: power now, and per port the rate its packet on the wire
  // started at.
  size_t groups_ = 0;
  std::vector<double> group_power_, tx_rate_;
};

}  // namespace roshni::net
