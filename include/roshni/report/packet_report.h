/// What only the packet model can tell (queues, pauses, drops, completion-time
/// percentiles), for report.json and the human summary. A flow-model run has none of it.
#pragma once

#include <string>

#include "roshni/net/packet_model.h"
#include "roshni/report/json_writer.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

/// The "packet" section of report.json: settings, totals, completion times, ports.
void write_packet_section(JsonWriter& w, const scenario::Scenario& s, const net::PacketStats& p);
/// The few packet figures that go into "summary" (so `check` and `compare` see them).
void write_packet_summary(JsonWriter& w, const scenario::Scenario& s, const net::PacketStats& p);
/// Lines for the summary printed after a run.
std::string packet_human_summary(const scenario::Scenario& s, const net::PacketStats& p);

}  // namespace roshni::report
