#include "roshni/power/reliability.h"

#include <fmt/format.h>

#include <cmath>

namespace roshni::power {
namespace {

constexpr double kHour = 3600.0;

/// Interruptions per second of one exposure: units x FIT / 1e9 hours.
double rate_per_second(const Exposure& e) { return e.units * e.mode.fit / 1e9 / kHour; }

double total_rate(const std::vector<Exposure>& exposures) {
  double lambda = 0;
  for (const auto& e : exposures) lambda += rate_per_second(e);
  return lambda;
}

/// tau: the given interval, or Young's first-order optimum sqrt(2 delta M); 0 when
/// checkpoints are free (delta = 0: then the job loses no work, only the restarts).
double interval_of(const ReliabilityParams& p, double lambda) {
  if (p.checkpoint_interval) return p.checkpoint_interval->si();
  if (p.checkpoint_write.si() <= 0 || lambda <= 0) return 0;
  return std::sqrt(2.0 * p.checkpoint_write.si() / lambda);
}

/// L_m: R + (tau + delta) / 2, plus the repair when the failure strands more GPUs than
/// there are spares.
double lost_per_event(const Exposure& e, const ReliabilityParams& p, double tau) {
  const double wait = e.stranded > p.spare_gpus ? e.mode.replace.si() : 0.0;
  return p.restart.si() + (tau + p.checkpoint_write.si()) / 2.0 + wait;
}

/// sum_m Lambda_m L_m: seconds lost per second of wall time.
double loss_rate(const std::vector<Exposure>& exposures, const ReliabilityParams& p, double tau) {
  double s = 0;
  for (const auto& e : exposures) s += rate_per_second(e) * lost_per_event(e, p, tau);
  return s;
}

}  // namespace

std::string reliability_problem(const std::vector<Exposure>& exposures, const ReliabilityParams& p) {
  const double lambda = total_rate(exposures);
  const double tau = interval_of(p, lambda);
  const double loss = loss_rate(exposures, p, tau);
  if (loss < 1.0) return "";
  return fmt::format(
      "the job would never finish: an interruption every {:.4g} h on average, each losing "
      "{:.4g} h of restart, rework and repair, so it loses {:.3g} hours per hour; add spare "
      "GPUs, checkpoint more often or lower the failure rates",
      1.0 / lambda / kHour, loss / lambda / kHour, loss);
}

ReliabilityResult reliability(const std::vector<Exposure>& exposures, const ReliabilityParams& p) {
  ReliabilityResult r;
  const double lambda = total_rate(exposures);
  const double tau = interval_of(p, lambda);
  const double delta = p.checkpoint_write.si();
  const double work = p.work.si();
  r.rate_per_hour = lambda * kHour;
  r.mtbf = seconds(1.0 / lambda);
  r.interval = seconds(tau);
  // T_w = T_s (1 + delta / tau) + sum_m (Lambda_m T_w) L_m, solved for T_w.
  const double checkpoint = tau > 0 ? work * delta / tau : 0.0;
  const double wall = (work + checkpoint) / (1.0 - loss_rate(exposures, p, tau));
  r.wall = seconds(wall);
  r.checkpoint_time = seconds(checkpoint);
  double lost = 0;
  for (const auto& e : exposures) {
    ReliabilityRow row;
    row.cls = e.cls;
    row.part = e.part;
    row.mode = e.mode.name;
    row.units = e.units;
    row.fit = e.mode.fit;
    row.stranded = e.stranded;
    row.waits_for_repair = e.stranded > p.spare_gpus && e.mode.replace.si() > 0;
    row.events = rate_per_second(e) * wall;
    row.lost_per_event = seconds(lost_per_event(e, p, tau));
    row.lost = seconds(row.events * row.lost_per_event.si());
    lost += row.lost.si();
    r.interruptions += row.events;
    r.rows.push_back(std::move(row));
  }
  r.lost = seconds(lost);
  r.added = seconds(wall - work);
  return r;
}

}  // namespace roshni::power
