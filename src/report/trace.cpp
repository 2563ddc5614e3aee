// Chrome Trace Event Format (Duran, Sigal et al., "Trace Event Format", Google, 2016;
// link in trace.h): a JSON object whose "traceEvents" array holds events with name,
// cat, ph (phase), ts (microseconds), pid, tid and args; "X" complete events add dur,
// "C" counters carry their values in args, "M" metadata events name processes and
// threads. Perfetto's UI reads the same format.
#include "roshni/report/trace.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "roshni/report/json_writer.h"
#include "roshni/report/report.h"

namespace roshni::report {
namespace {

constexpr int kPid = 1;
constexpr int kPsPerUsDigits = 6;  // 1 us = 10^6 ps

/// Picoseconds as a trace timestamp (microseconds), exactly.
void time_us(JsonWriter& w, std::string_view key, int64_t ps) {
  w.key(key).fixed_point(ps, kPsPerUsDigits);
}

void metadata(JsonWriter& w, std::string_view name, int tid, std::string_view arg_key,
              auto arg_value, int pid = kPid) {
  w.begin_compact_object()
      .key("name").value(name)
      .key("cat").value("__metadata")
      .key("ph").value("M")
      .key("ts").value(0)
      .key("pid").value(pid)
      .key("tid").value(tid)
      .key("args").begin_compact_object().key(arg_key).value(arg_value).end_object()
      .end_object();
}

}  // namespace

Trace trace_json(const scenario::Scenario& s, const net::RunResult& r,
                 const TraceOptions& options) {
  const auto& flows = s.flows;
  const auto& topo = s.topology;
  const size_t n = flows.size();

  // The entries to write: the first max_flows by (start, id), in that order.
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  const auto by_start = [&r](uint32_t a, uint32_t b) {
    return std::pair(r.start[a], a) < std::pair(r.start[b], b);
  };
  const size_t keep = std::min(n, options.max_flows);
  if (keep < n) {
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep),
                     order.end(), by_start);
    order.resize(keep);
  }
  std::sort(order.begin(), order.end(), by_start);

  // Lanes: interval partitioning per node, in start order. A node's lanes sit in a
  // min-heap on (end, lane); an entry reuses the lane that frees first if it is free by
  // the entry's start, else opens a new one. This opens as few lanes as the node's
  // largest number of overlapping entries (the greedy colouring of an interval graph).
  using Free = std::pair<int64_t, uint32_t>;  // (end ps, lane)
  using Heap = std::priority_queue<Free, std::vector<Free>, std::greater<>>;
  std::vector<Heap> lanes_of(topo.node_count());
  std::vector<uint32_t> lane_count(topo.node_count(), 0);
  std::vector<uint32_t> lane(keep);
  for (size_t k = 0; k < keep; ++k) {
    const uint32_t f = order[k];
    const uint32_t node = flows.src(FlowId(f)).value();
    auto& heap = lanes_of[node];
    if (!heap.empty() && heap.top().first <= r.start[f].ps()) {
      lane[k] = heap.top().second;
      heap.pop();
    } else {
      lane[k] = lane_count[node]++;
    }
    heap.emplace(r.end[f].ps(), lane[k]);
  }
  lanes_of.clear();
  lanes_of.shrink_to_fit();

  // Thread ids: nodes in id order, each with its lanes; tid 0 is the process itself.
  std::vector<int64_t> first_tid(topo.node_count(), -1);
  int64_t next_tid = 1;
  for (uint32_t v = 0; v < topo.node_count(); ++v) {
    if (lane_count[v] == 0) continue;
    first_tid[v] = next_tid;
    next_tid += lane_count[v];
  }

  Trace out;
  out.written = keep;
  out.left_out = n - keep;
  std::string& text = out.json;
  text.reserve(1024 + keep * 360 + static_cast<size_t>(next_tid) * 200);
  JsonWriter w(text);
  w.begin_object();
  w.key("traceEvents").begin_array();

  metadata(w, "process_name", 0, "name", "GPUs");
  const std::string note =
      out.left_out == 0
          ? std::string()
          : fmt::format("the trace holds the first {} of {} flows by start time; {} left out",
                        keep, n, out.left_out);
  if (out.left_out > 0) metadata(w, "process_labels", 0, "labels", note);
  for (uint32_t v = 0; v < topo.node_count(); ++v) {
    for (uint32_t l = 0; l < lane_count[v]; ++l) {
      const int tid = static_cast<int>(first_tid[v] + l);
      const std::string& name = topo.node_name(NodeId(v));
      metadata(w, "thread_name", tid, "name",
               l == 0 ? name : fmt::format("{} #{}", name, l + 1));
      metadata(w, "thread_sort_index", tid, "sort_index", tid);
    }
  }

  // One complete event per entry, on its node's lane.
  for (size_t k = 0; k < keep; ++k) {
    const uint32_t f = order[k];
    const FlowId id(f);
    const bool compute = flows.is_task(id);
    const int64_t start = r.start[f].ps();
    w.begin_compact_object()
        .key("name").value(flows.label(id))
        .key("cat").value(compute ? "compute" : "flow")
        .key("ph").value("X");
    time_us(w, "ts", start);
    time_us(w, "dur", r.end[f].ps() - start);
    w.key("pid").value(kPid)
        .key("tid").value(first_tid[flows.src(id).value()] + lane[k]);
    w.key("args").begin_compact_object();
    if (compute) {
      w.key("node").value(topo.node_name(flows.src(id)));
    } else {
      w.key("src").value(topo.node_name(flows.src(id)))
          .key("dst").value(topo.node_name(flows.dst(id)))
          .key("bytes").value(flows.flow_size(id).si());
    }
    w.key("flow").value(f);
    w.end_object().end_object();
  }

  // Flows in flight per sending node: +1 at each written flow's start, -1 at its end;
  // one counter event per (time, node) at which the count changes.
  struct Step {
    int64_t at;
    uint32_t node;
    int delta;
  };
  std::vector<Step> steps;
  steps.reserve(2 * keep);
  for (size_t k = 0; k < keep; ++k) {
    const uint32_t f = order[k];
    if (flows.is_task(FlowId(f))) continue;
    const uint32_t node = flows.src(FlowId(f)).value();
    steps.push_back({r.start[f].ps(), node, +1});
    steps.push_back({r.end[f].ps(), node, -1});
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    return std::tie(a.at, a.node) < std::tie(b.at, b.node);
  });
  std::vector<int64_t> in_flight(topo.node_count(), 0);
  for (size_t i = 0; i < steps.size();) {
    const int64_t at = steps[i].at;
    const uint32_t node = steps[i].node;
    int64_t delta = 0;
    for (; i < steps.size() && steps[i].at == at && steps[i].node == node; ++i) {
      delta += steps[i].delta;
    }
    if (delta == 0) continue;
    in_flight[node] += delta;
    w.begin_compact_object()
        .key("name").value(topo.node_name(NodeId(node)))
        .key("cat").value("flows")
        .key("ph").value("C");
    time_us(w, "ts", at);
    w.key("pid").value(kPid)
        .key("tid").value(first_tid[node])
        .key("args").begin_compact_object().key("flows in flight").value(in_flight[node])
        .end_object()
        .end_object();
  }

  // The cluster's counters, from the run's activity samples (RunOptions::
  // record_activity): the mean utilisation of all directed links (bytes/s on all of
  // them over their total capacity) and, with a power setup, the IT power (static
  // power at the reference temperature + the dynamic power at that moment).
  if (!r.activity.empty()) {
    constexpr int kClusterPid = 2;
    metadata(w, "process_name", 0, "name", "Cluster", kClusterPid);
    double capacity = 0;
    for (uint32_t l = 0; l < topo.link_count(); ++l) capacity += topo.link_capacity(LinkId(l)).si();
    double static_power = 0;
    for (const auto& c : s.power.inventory.components) static_power += c.static_power.si();
    const auto counter = [&w](std::string_view name, std::string_view cat, int64_t at_ps,
                              std::string_view key, double value) {
      w.begin_compact_object().key("name").value(name).key("cat").value(cat).key("ph").value("C");
      time_us(w, "ts", at_ps);
      w.key("pid").value(kClusterPid).key("tid").value(0)
          .key("args").begin_compact_object().key(key).value(value).end_object()
          .end_object();
    };
    for (const auto& a : r.activity) {
      counter("fabric utilisation", "links", a.at.ps(), "percent",
              capacity > 0 ? 100.0 * a.link_throughput / capacity : 0.0);
      if (s.power.enabled) counter("IT power", "power", a.at.ps(), "W", static_power + a.dynamic_power);
    }
  }

  if (out.left_out > 0) {
    // A global instant event, so the viewer shows the note on the timeline too.
    w.begin_compact_object()
        .key("name").value(note)
        .key("cat").value("roshni")
        .key("ph").value("i")
        .key("s").value("g")
        .key("ts").value(0)
        .key("pid").value(kPid)
        .key("tid").value(0)
        .key("args").begin_compact_object()
        .key("flows").value(static_cast<uint64_t>(n))
        .key("written").value(static_cast<uint64_t>(keep))
        .key("left_out").value(static_cast<uint64_t>(out.left_out))
        .end_object()
        .end_object();
  }
  w.end_array();

  w.key("displayTimeUnit").value("ns");
  w.key("otherData").begin_object()
      .key("generator").value(fmt::format("roshni {}", kVersion))
      .key("scenario").value(s.name)
      .key("flows").value(static_cast<uint64_t>(n))
      .key("flows_written").value(static_cast<uint64_t>(keep))
      .key("flows_left_out").value(static_cast<uint64_t>(out.left_out));
  if (out.left_out > 0) w.key("note").value(note);
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace roshni::report
