/// The "packet" section of report.json: what only the packet model can tell (queues,
/// pauses, drops, completion-time percentiles). Private to report/.
#pragma once

#include "roshni/net/packet_model.h"
#include "roshni/report/json_writer.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

void write_packet_section(JsonWriter& w, const scenario::Scenario& s, const net::PacketStats& p);

}  // namespace roshni::report
