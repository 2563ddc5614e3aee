/// The scenario's "network.packet" section: the packet model's MTU, buffers, switching,
/// flow control, ECN and congestion control, validated into a net::PacketConfig.
/// Private to scenario/; the fields are documented in docs/scenario-reference.md.
#pragma once

#include "roshni/net/packet_model.h"
#include "roshni/scenario/json_node.h"

namespace roshni::scenario {

/// Reads `spec` (an object; every key optional) over the defaults in net::PacketConfig.
/// Thresholds not given follow the buffer: xoff = buffer/2, xon = buffer/4,
/// ecn_threshold = buffer/8.
net::PacketConfig read_packet_config(const JsonNode& spec);

}  // namespace roshni::scenario
