/// A lumped thermal RC network: nodes with heat capacity C_i, joined to each other and
/// to fixed-temperature boundaries (the coolant supply) by conductances G, heated by
/// powers P_i:
///   C_i dT_i/dt = P_i - sum_j G_ij (T_i - T_j) - G_ib (T_i - T_b).
/// Integrated with the backward-Euler step (L-stable: no oscillation or blow-up for any
/// step, however stiff the network), whose matrix is factored once. Eigen stays inside
/// thermal/: callers see plain vectors.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "roshni/core/units.h"

namespace roshni::thermal {

class RcNetwork {
 public:
  RcNetwork();
  ~RcNetwork();
  RcNetwork(RcNetwork&&) noexcept;
  RcNetwork& operator=(RcNetwork&&) noexcept;

  /// Adds a node of capacity c (> 0) at temperature t0; returns its index.
  uint32_t add_node(HeatCapacity c, Temperature t0);
  /// Joins nodes i and j (g > 0).
  void connect(uint32_t i, uint32_t j, ThermalConductance g);
  /// Joins node i to a boundary held at temperature t (g > 0).
  void to_boundary(uint32_t i, ThermalConductance g, Temperature t);
  size_t size() const { return c_.size(); }

  /// Fixes the step and factors the system matrix (C/dt + G). Call after the last
  /// node or conductance is added; `dt` > 0.
  void prepare(Duration dt);
  Duration step_size() const { return dt_; }
  /// Advances one step with node powers `p` (watts, size() of them), constant over it.
  void step(const std::vector<double>& p);
  /// Advances `n` steps of the same powers.
  void advance(const std::vector<double>& p, uint64_t n);
  /// Steady state for constant powers `p`: G T = P + G_b T_b. Also sets the state.
  void settle_steady(const std::vector<double>& p);

  Temperature temperature(uint32_t i) const { return Temperature::from_kelvin(t_[i]); }

 private:
  struct Solver;
  std::vector<double> c_, t_, boundary_g_, boundary_gt_;  // boundary_gt_: sum of G_b T_b
  struct Edge {
    uint32_t i, j;
    double g;
  };
  std::vector<Edge> edges_;
  Duration dt_;
  std::unique_ptr<Solver> solver_;
  std::vector<double> rhs_;
};

}  // namespace roshni::thermal
