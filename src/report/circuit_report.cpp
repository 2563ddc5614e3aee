#include "roshni/report/circuit_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "roshni/report/json_writer.h"

namespace roshni::report {

std::vector<CircuitChangeOutcome> circuit_changes(const scenario::Scenario& s,
                                                  const net::RunResult& r) {
  std::vector<CircuitChangeOutcome> out;
  if (s.circuit_changes.empty() || !r.unfinished.empty() || r.end.size() != s.flows.size()) {
    return out;
  }
  const auto& steps = s.run_options.steps;
  // When a step fires: at its time, or `delay` after the last of its entries is delivered.
  const auto fired = [&](const net::CapacityStep& step) {
    if (step.after.empty()) return step.at;
    SimTime last = SimTime::zero();
    for (FlowId f : step.after) last = std::max(last, r.end[f.value()]);
    return last + step.delay;
  };
  for (const auto& c : s.circuit_changes) {
    CircuitChangeOutcome o;
    o.map = c.map;
    o.trigger = c.trigger;
    o.kinds = c.kinds;
    o.torn_down = c.torn_down;
    o.set_up = c.set_up;
    o.began = fired(steps[c.change_step]);
    o.lit = fired(steps[c.lit_step]);
    if (o.began > r.makespan) continue;  // given by time for after the run's end
    out.push_back(std::move(o));
  }
  if (out.empty()) return out;
  // The flows that waited: ready before a change's lit time, started exactly at it. (A
  // flow with no live path waits and is started again the instant links come up; the
  // flow model starts every other flow the instant it is ready.)
  for (uint32_t f = 0; f < s.flows.size(); ++f) {
    const FlowId id(f);
    if (s.flows.is_task(id)) continue;
    SimTime ready = s.flows.earliest_start(id);
    for (FlowId d : s.flows.deps(id)) ready = std::max(ready, r.end[d.value()]);
    const SimTime start = r.start[f];
    if (!(ready < start)) continue;
    for (auto& o : out) {
      if (o.lit != start || !(o.began <= start)) continue;
      const SimTime wait = start - ready;
      ++o.flows_waited;
      o.bytes_waited += s.flows.flow_size(id);
      o.wait_total += wait;
      o.wait_longest = std::max(o.wait_longest, wait);
      break;
    }
  }
  return out;
}

void write_circuit_changes(JsonWriter& w, const std::vector<CircuitChangeOutcome>& changes) {
  if (changes.empty()) return;
  w.key("circuit_changes").begin_array();
  for (const auto& c : changes) {
    w.begin_object();
    w.figure("map", c.map, "1");
    w.key("trigger").value(c.trigger);
    if (!c.kinds.empty()) {
      w.key("kinds").begin_row();
      for (const auto& k : c.kinds) w.value(k);
      w.end_array();
    }
    w.figure("began", c.began.duration().si(), "s");
    w.figure("lit", c.lit.duration().si(), "s");
    w.figure("circuits_torn_down", static_cast<uint64_t>(c.torn_down / 2), "1");
    w.figure("circuits_set_up", static_cast<uint64_t>(c.set_up / 2), "1");
    w.figure("flows_waited", c.flows_waited, "1");
    w.figure("bytes_waited", c.bytes_waited.si(), "B");
    w.figure("wait_total", c.wait_total.duration().si(), "s");
    w.figure("wait_longest", c.wait_longest.duration().si(), "s");
    w.end_object();
  }
  w.end_array();
}

std::string circuit_changes_human(const std::vector<CircuitChangeOutcome>& changes) {
  std::string out;
  for (const auto& c : changes) {
    out += fmt::format("  circuit map {}   began {}, lit {}; {} flows ({}) waited {} in all, {} at most\n",
                       c.map, c.began, c.lit, c.flows_waited, c.bytes_waited, c.wait_total, c.wait_longest);
  }
  return out;
}

}  // namespace roshni::report
