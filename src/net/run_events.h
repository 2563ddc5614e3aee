/// The kinds of event the run skeleton (run_skeleton.h) schedules and handles, which both
/// network models share; a model numbers its own kinds from kModelKinds on. Private to net/.
#pragma once

#include <cstdint>

namespace roshni::net {

/// The event kinds the skeleton schedules and handles; a model numbers its own from
/// kModelKinds on. The engine orders events by (time, sequence), never by kind.
enum RunEventKind : uint8_t {
  kStart,        // target: entry
  kDelivered,    // target: entry (scheduled by the model)
  kCapacity,     // target: capacity step
  kTaskDone,  // target: task, generation
  kTick,         // the coupling's period
  kModelKinds,
};

}  // namespace roshni::net
