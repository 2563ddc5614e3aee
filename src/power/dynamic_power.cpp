// The dynamic power of a run as it goes (dynamic_power.h). Every change is applied as a
// difference to the power now (rate or speed after minus before, times the energy it
// draws), in the order the network model reports it, so the power is the same sum the
// model's own arithmetic used to give, bit for bit.
#include "roshni/power/dynamic_power.h"

#include <algorithm>
#include <utility>

namespace roshni::power {

DynamicPower::DynamicPower(DynamicPowerSetup setup) : s_(std::move(setup)) {
  groups_ = s_.link_energy_groups.size();
  group_power_.assign(groups_, 0.0);
  peak_group_.assign(groups_, 0.0);
}

void DynamicPower::node_busy(uint32_t n, double speed) {
  if (!s_.node_busy_power.empty()) compute_power_ += s_.node_busy_power[n] * speed;
}

void DynamicPower::node_idle(uint32_t n, double speed) {
  if (!s_.node_busy_power.empty()) compute_power_ -= s_.node_busy_power[n] * speed;
}

void DynamicPower::node_speed(uint32_t n, double before, double after) {
  if (!s_.node_busy_power.empty()) compute_power_ += s_.node_busy_power[n] * (after - before);
}

void DynamicPower::flow_path(uint32_t f, std::span<const LinkId> path) {
  if (f >= flow_hops_.size()) {
    const size_t n = std::max<size_t>(f + 1, 2 * flow_hops_.size());
    flow_hops_.resize(n, 0);
    if (!s_.link_energy_per_byte.empty()) flow_joules_.resize(n, 0.0);
    flow_group_joules_.resize(n * groups_, 0.0);
  }
  flow_hops_[f] = static_cast<uint32_t>(path.size());
  if (!s_.link_energy_per_byte.empty()) {
    double j = 0;
    for (LinkId l : path) j += s_.link_energy_per_byte[l.value()];
    flow_joules_[f] = j;
  }
  for (size_t g = 0; g < groups_; ++g) {
    double j = 0;
    for (LinkId l : path) j += s_.link_energy_groups[g][l.value()];
    flow_group_joules_[f * groups_ + g] = j;
  }
}

void DynamicPower::flow_rate(uint32_t f, double before, double after) {
  if (!s_.link_energy_per_byte.empty()) link_power_ += (after - before) * flow_joules_[f];
  for (size_t g = 0; g < groups_; ++g) {
    group_power_[g] += (after - before) * flow_group_joules_[f * groups_ + g];
  }
  if (s_.record_activity) throughput_ += (after - before) * flow_hops_[f];
}

void DynamicPower::wire_busy(uint32_t l, double rate) {
  if (l >= tx_power_.size()) {
    const size_t n = std::max<size_t>(l + 1, s_.link_energy_per_byte.size());
    tx_power_.resize(n, 0.0);
    if (groups_ > 0) tx_rate_.resize(n, 0.0);
  }
  tx_power_[l] = energy_per_byte(l) * rate;
  link_power_ += tx_power_[l];
  if (groups_ > 0) {
    tx_rate_[l] = rate;
    add_group_power(l, rate);
  }
}

void DynamicPower::wire_idle(uint32_t l) {
  link_power_ -= tx_power_[l];
  if (groups_ > 0) add_group_power(l, -tx_rate_[l]);
}

void DynamicPower::add_group_power(uint32_t l, double rate) {
  for (size_t g = 0; g < groups_; ++g) group_power_[g] += s_.link_energy_groups[g][l] * rate;
}

void DynamicPower::instant_end(SimTime now) {
  if (compute_power_ > peak_compute_) peak_compute_ = compute_power_;
  if (link_power_ > peak_link_) peak_link_ = link_power_;
  for (size_t g = 0; g < groups_; ++g) peak_group_[g] = std::max(peak_group_[g], group_power_[g]);
  const double sum = compute_power_ + link_power_;
  if (sum > peak_dynamic_) {
    peak_dynamic_ = sum;
    peak_at_ = now;
  }
  if (!s_.record_activity) return;
  auto& a = activity_;
  if (!a.empty() && a.back().dynamic_power == sum && a.back().link_throughput == throughput_) {
    return;  // nothing changed
  }
  if (++sample_count_ % sample_stride_ != 0) return;
  if (a.size() >= std::max<size_t>(2, s_.max_activity_samples)) {
    size_t k = 0;
    for (size_t i = 0; i < a.size(); i += 2) a[k++] = a[i];
    a.resize(k);
    sample_stride_ *= 2;
  }
  a.push_back({now, sum, throughput_});
}

void DynamicPower::run_end(SimTime makespan) {
  if (s_.record_activity) activity_.push_back({makespan, 0.0, 0.0});
}

void DynamicPower::fill(net::RunResult& r) const {
  r.peak_compute_power = peak_compute_;
  r.peak_link_power = peak_link_;
  r.peak_dynamic_power = peak_dynamic_;
  r.peak_dynamic_at = peak_at_;
  r.peak_link_group_power = peak_group_;
  r.activity = activity_;
}

}  // namespace roshni::power
