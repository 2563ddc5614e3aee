// Backward Euler for C dT/dt = P - L T + b (L: the conductance Laplacian plus boundary
// conductances on the diagonal, b = G_b T_b):
//   (C/dt + L) T_{n+1} = (C/dt) T_n + P + b.
// The matrix is symmetric positive definite (L is a weighted Laplacian made definite by
// at least one boundary conductance per connected part), so a sparse LDL^T factorisation
// (Eigen::SimplicialLDLT) done once serves every step.
#include "roshni/thermal/rc_network.h"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include "roshni/core/error.h"

namespace roshni::thermal {

struct RcNetwork::Solver {
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> step, steady;
  bool steady_ready = false;
};

RcNetwork::RcNetwork() = default;
RcNetwork::~RcNetwork() = default;
RcNetwork::RcNetwork(RcNetwork&&) noexcept = default;
RcNetwork& RcNetwork::operator=(RcNetwork&&) noexcept = default;

uint32_t RcNetwork::add_node(HeatCapacity c, Temperature t0) {
  ROSHNI_ASSERT(c.si() > 0, "heat capacity must be positive");
  c_.push_back(c.si());
  t_.push_back(t0.kelvin());
  boundary_g_.push_back(0);
  boundary_gt_.push_back(0);
  return static_cast<uint32_t>(c_.size() - 1);
}

void RcNetwork::connect(uint32_t i, uint32_t j, ThermalConductance g) {
  ROSHNI_ASSERT(i < c_.size() && j < c_.size() && i != j && g.si() > 0, "bad thermal edge");
  edges_.push_back({i, j, g.si()});
}

void RcNetwork::to_boundary(uint32_t i, ThermalConductance g, Temperature t) {
  ROSHNI_ASSERT(i < c_.size() && g.si() > 0, "bad boundary conductance");
  boundary_g_[i] += g.si();
  boundary_gt_[i] += g.si() * t.kelvin();
}

namespace {
Eigen::SparseMatrix<double> assemble(const std::vector<double>& diag_extra,
                                     const std::vector<double>& boundary_g, const auto& edges) {
  const auto n = static_cast<Eigen::Index>(diag_extra.size());
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(diag_extra.size() + 4 * edges.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    trip.emplace_back(i, i, diag_extra[static_cast<size_t>(i)] + boundary_g[static_cast<size_t>(i)]);
  }
  for (const auto& e : edges) {
    trip.emplace_back(e.i, e.i, e.g);
    trip.emplace_back(e.j, e.j, e.g);
    trip.emplace_back(e.i, e.j, -e.g);
    trip.emplace_back(e.j, e.i, -e.g);
  }
  Eigen::SparseMatrix<double> m(n, n);
  m.setFromTriplets(trip.begin(), trip.end());
  return m;
}
}  // namespace

void RcNetwork::prepare(Duration dt) {
  ROSHNI_ASSERT(dt.si() > 0, "thermal step must be positive");
  dt_ = dt;
  if (!solver_) solver_ = std::make_unique<Solver>();
  std::vector<double> c_over_dt(c_.size());
  for (size_t i = 0; i < c_.size(); ++i) c_over_dt[i] = c_[i] / dt.si();
  solver_->step.compute(assemble(c_over_dt, boundary_g_, edges_));
  ROSHNI_ASSERT(solver_->step.info() == Eigen::Success, "thermal matrix factorisation failed");
  rhs_.resize(c_.size());
}

void RcNetwork::step(const std::vector<double>& p) { advance(p, 1); }

void RcNetwork::advance(const std::vector<double>& p, uint64_t n) {
  ROSHNI_ASSERT(solver_ && p.size() == c_.size(), "prepare() first, with one power per node");
  const double dt = dt_.si();
  Eigen::Map<Eigen::VectorXd> t(t_.data(), static_cast<Eigen::Index>(t_.size()));
  Eigen::Map<Eigen::VectorXd> rhs(rhs_.data(), static_cast<Eigen::Index>(rhs_.size()));
  for (uint64_t k = 0; k < n; ++k) {
    for (size_t i = 0; i < c_.size(); ++i) rhs_[i] = c_[i] / dt * t_[i] + p[i] + boundary_gt_[i];
    t = solver_->step.solve(rhs);
  }
}

void RcNetwork::settle_steady(const std::vector<double>& p) {
  ROSHNI_ASSERT(p.size() == c_.size(), "one power per node");
  if (!solver_) solver_ = std::make_unique<Solver>();
  if (!solver_->steady_ready) {
    solver_->steady.compute(assemble(std::vector<double>(c_.size(), 0.0), boundary_g_, edges_));
    ROSHNI_ASSERT(solver_->steady.info() == Eigen::Success,
                  "thermal network has a part with no path to a boundary");
    solver_->steady_ready = true;
  }
  Eigen::VectorXd b(static_cast<Eigen::Index>(c_.size()));
  for (size_t i = 0; i < c_.size(); ++i) b[static_cast<Eigen::Index>(i)] = p[i] + boundary_gt_[i];
  const Eigen::VectorXd t = solver_->steady.solve(b);
  for (size_t i = 0; i < c_.size(); ++i) t_[i] = t[static_cast<Eigen::Index>(i)];
}

}  // namespace roshni::thermal
