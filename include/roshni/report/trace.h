/// A run's timeline as a Chrome Trace Event Format file (trace.json), for
/// ui.perfetto.dev and chrome://tracing. One process, "GPUs"; each node that sends
/// has a track per lane, and every flow is a complete event ("X") on its sending
/// node's track, from the start of its transfer to the delivery of its last byte;
/// compute steps sit on their node's track. Flows of one node that overlap in time go
/// on extra lanes ("gpu0 #2"), because viewers draw slices of one track as a stack
/// and mangle slices that overlap without nesting. Counters ("C") give each sending
/// node's number of flows in flight over time; and, when the run recorded its activity
/// (power::DynamicPowerSetup::record_activity), a "Cluster" process with the fabric's mean
/// link utilisation and (with a power setup) the IT power over time, exact at every
/// recorded change. Per-link rates over time are not kept (only per-link totals).
/// Format: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYuHYJdk9Jm6VW1c6R5s8SKh_YWG4
#pragma once

#include <cstddef>
#include <string>

#include "roshni/net/run_contract.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

/// A bound on the trace's size: about 200 bytes of JSON per flow, and viewers slow
/// down past a few hundred thousand slices.
inline constexpr size_t kTraceMaxFlows = 200'000;

struct TraceOptions {
  /// Write at most this many entries (flows and compute steps): the first by start
  /// time (ties by id). The file then says, in a metadata label, an instant event and
  /// "otherData", how many were left out.
  size_t max_flows = kTraceMaxFlows;
};

struct Trace {
  std::string json;
  size_t written = 0;   // entries written as complete events
  size_t left_out = 0;  // entries beyond max_flows
};

/// The trace of a finished run (every entry has a start and an end). Timestamps are
/// microseconds, written exactly from the integer picoseconds.
Trace trace_json(const scenario::Scenario& s, const net::RunResult& r,
                 const TraceOptions& options = {});

}  // namespace roshni::report
