/// The dynamic power of a run, watched as it goes: a net::ActivityObserver that a
/// network model reports its activity to, turning it into watts above idle. A node
/// computing draws its busy power times its speed; a flow sending at rate R over its path
/// draws R times the sum of its links' joules per byte (flow model); a packet on a link's
/// wire draws the line rate times that link's joules per byte (packet model). From the
/// power after every instant: the peaks of compute, link and total dynamic power, each
/// link energy group's peak, and (when asked) samples of the power and of the fabric's
/// throughput over time for the trace. The energy itself is accounted from the run's
/// counters (accounting.h); only peaks and samples need the run's moment-to-moment state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "roshni/net/activity_observer.h"
#include "roshni/net/run_contract.h"

namespace roshni::power {

struct DynamicPowerSetup {
  /// Per node, the watts drawn on top of idle while computing at full speed (scaled by
  /// speed); per directed link, joules per byte carried (node_busy_power and
  /// link_energy_per_byte in accounting.h). Empty = not drawn.
  std::vector<double> node_busy_power;
  std::vector<double> link_energy_per_byte;
  /// link_energy_per_byte split into groups (link_energy_groups, accounting.h), each
  /// with its own peak: [g][l] is group g's joules per byte on directed link l.
  std::vector<std::vector<double>> link_energy_groups;
  /// Record the dynamic power and the fabric's throughput (the sum over flows of rate x
  /// hops; flow model only) at every change; past `max_activity_samples` every other
  /// sample is dropped and then only every 2nd, 4th, ... change is kept.
  bool record_activity = false;
  size_t max_activity_samples = size_t{1} << 15;
};

class DynamicPower final : public net::ActivityObserver {
 public:
  explicit DynamicPower(DynamicPowerSetup setup);

  void node_busy(uint32_t n, double speed) override;
  void node_idle(uint32_t n, double speed) override;
  void node_speed(uint32_t n, double before, double after) override;
  void flow_path(uint32_t f, std::span<const LinkId> path) override;
  void flow_rate(uint32_t f, double before, double after) override;
  void wire_busy(uint32_t l, double rate) override;
  void wire_idle(uint32_t l) override;
  void instant_end(SimTime now) override;
  void run_end(SimTime makespan) override;

  /// Writes the peaks and samples into the run's result (RunResult's peak_* fields and
  /// activity), where the energy accounting and the trace read them.
  void fill(net::RunResult& r) const;

 private:
  void add_group_power(uint32_t l, double rate);
  double energy_per_byte(uint32_t l) const {
    return s_.link_energy_per_byte.empty() ? 0.0 : s_.link_energy_per_byte[l];
  }

  DynamicPowerSetup s_;
  size_t groups_ = 0;
  // Power now, W.
  double compute_power_ = 0, link_power_ = 0;
  std::vector<double> group_power_;
  double throughput_ = 0;  // bytes/s on all directed links
  // Flow model, per flow: the sum over its path of joules per byte (in total and, flow
  // major, per group), and its hops.
  std::vector<double> flow_joules_, flow_group_joules_;
  std::vector<uint32_t> flow_hops_;
  // Packet model, per directed link: what its packet on the wire draws, and the rate it
  // started at (for the groups).
  std::vector<double> tx_power_, tx_rate_;
  // Peaks and samples.
  double peak_compute_ = 0, peak_link_ = 0, peak_dynamic_ = 0;
  SimTime peak_at_;
  std::vector<double> peak_group_;
  std::vector<net::ActivitySample> activity_;
  uint64_t sample_count_ = 0, sample_stride_ = 1;
};

}  // namespace roshni::power
