// The critical path of a finished run, walked back from its last entry (docs/training.md,
// "The report"): the rule that attributes exposed communication to a class of traffic.
#include "roshni/work/critical_path.h"

#include <algorithm>
#include <string_view>

namespace roshni::work {

PathClass path_class(const net::FlowSet& flows, FlowId f) {
  const std::string_view label = flows.label(f);
  const std::string_view head = label.substr(0, label.find('/'));
  if (head == "tp") return PathClass::tp;
  if (head == "pp") return PathClass::pp;
  if (head == "dp" || head == "dp_ag") return PathClass::dp;
  if (head == "ep") return PathClass::ep;
  if (head == "zg" || head == "zge") return PathClass::zero3;
  if (head == "cp") return PathClass::cp;
  return PathClass::compute;
}

SimTime CriticalPath::communication() const {
  SimTime sum;
  for (size_t c = 1; c <= kCommClasses; ++c) sum += time[c];
  return sum;
}

CriticalPath critical_path(const net::FlowSet& flows, const net::RunResult& run, SimTime exposed,
                           std::span<const SimTime> lit) {
  CriticalPath out;
  const size_t n = std::min(flows.size(), run.end.size());
  if (n == 0) return out;
  uint32_t cur = 0;
  for (uint32_t f = 1; f < n; ++f) {
    if (run.end[f] > run.end[cur]) cur = f;
  }
  const auto add = [&](PathClass c, SimTime d) {
    if (d > SimTime::zero()) out.time[static_cast<size_t>(c)] += d;
  };
  SimTime cursor = run.end[cur];
  while (true) {
    const SimTime start = std::min(run.start[cur], cursor);
    add(path_class(flows, FlowId(cur)), cursor - start);
    cursor = start;
    const auto deps = flows.deps(FlowId(cur));
    if (deps.empty()) break;
    uint32_t pred = deps.front().value();
    for (const FlowId d : deps) {
      if (run.end[d.value()] > run.end[pred]) pred = d.value();
    }
    const SimTime ready = std::min(run.end[pred], cursor);
    add(PathClass::wait, cursor - ready);
    if (ready < cursor && !flows.is_task(FlowId(cur)) &&
        std::find(lit.begin(), lit.end(), run.start[cur]) != lit.end()) {
      out.circuits += cursor - ready;
    }
    cursor = ready;
    cur = pred;
  }
  add(PathClass::wait, cursor);

  // Exposed time in proportion to each class's time on the path, floors first, then the
  // picoseconds left to the largest remainders (the first class of equals).
  out.circuits_exposed = std::min(out.circuits, std::max(exposed, SimTime::zero()));
  exposed = exposed - out.circuits_exposed;
  const int64_t total = out.communication().ps();
  if (total <= 0 || exposed <= SimTime::zero()) return out;
  std::array<__int128, kCommClasses> rest{};
  int64_t given = 0;
  for (size_t c = 0; c < kCommClasses; ++c) {
    const __int128 x = static_cast<__int128>(exposed.ps()) * out.time[c + 1].ps();
    out.exposed[c] = SimTime::ps(static_cast<int64_t>(x / total));
    rest[c] = x % total;
    given += out.exposed[c].ps();
  }
  for (int64_t left = exposed.ps() - given; left > 0; --left) {
    size_t best = 0;
    for (size_t c = 1; c < kCommClasses; ++c) {
      if (rest[c] > rest[best]) best = c;
    }
    out.exposed[best] += SimTime::ps(1);
    rest[best] = -1;
  }
  return out;
}

}  // namespace roshni::work
