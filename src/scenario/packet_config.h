/// The scenario's "network.packet" section: the packet model's MTU, buffers, switching,
/// flow control, ECN and congestion control, validated into a net::PacketConfig.
/// Private to scenario/; the fields are documented in docs/scenario-reference.md.
#pragma once

#include <optional>

#include "roshni/net/packet_model.h"
#include "roshni/scenario/json_node.h"
#include "roshni/topo/topology.h"
#include "scenario/switch_parts.h"

namespace roshni::scenario {

/// Reads `spec` (an object; every key optional) over the defaults in net::PacketConfig.
/// Thresholds not given follow the buffer: xoff = buffer/2, xon = buffer/4,
/// ecn_threshold = buffer/8.
net::PacketConfig read_packet_config(const JsonNode& spec);

/// Gives each switch of `t` whose part (`parts`, read from `parts_at`, energy.switches)
/// has a buffer or switching figure in the catalog its own port limits or switching in
/// `c`, unless `spec` (network.packet, if any) sets them for every port. Thresholds not
/// in `spec` follow each port's buffer as above; those in it must fit every buffer.
void apply_switch_parts(const std::optional<JsonNode>& spec, const topo::Topology& t,
                        const SwitchParts& parts, const JsonNode& parts_at,
                        net::PacketConfig& c);

}  // namespace roshni::scenario
