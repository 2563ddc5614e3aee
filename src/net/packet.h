/// What the parts of the packet model (packet_model.cpp) share: a packet, the kinds of
/// event they schedule, and the model's fixed sizes. Private to net/.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "net/run_events.h"
#include "roshni/core/sim_time.h"

namespace roshni::net::packet {

// Besides the skeleton's kinds (run_events.h: start, delivered, capacity, task done, tick).
enum EventKind : uint8_t {
  kTxDone = kModelKinds,  // target: port
  kArrive,      // target: packet
  kPause,       // target: port
  kResume,      // target: port
  kWake,        // target: port (a paced sender may send again)
  kRetransmit,  // target: flow (the timeout of its oldest lost packet ran out)
  kCnp,         // target: flow
  kCcTimer,     // target: flow, generation
};

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kControlFrameBytes = 64;  // a pause frame, and the cut-through header

struct Packet {
  SimTime sent;       // first byte of its first transmission left the sender
  SimTime tail;       // cut-through: when its last byte is at the current node
  uint32_t flow;
  uint32_t path;      // offset of its path in the model's path links
  uint32_t bytes;
  uint16_t hop;       // index of the link it is on or waiting for
  uint16_t hops;      // path length
  uint16_t epoch;     // bumped when a failing link cuts it: its pending arrival is void
  uint8_t ecn;
};
static_assert(std::is_trivially_copyable_v<Packet>);

}  // namespace roshni::net::packet
