/// The run loop: advances simulated time from event to event. All events of one
/// timestamp are handed to the model first, then the model is told the timestamp is
/// complete, so it can do batch work once (the flow model re-solves rates there).
#pragma once

#include <concepts>
#include <cstdint>

#include "roshni/core/error.h"
#include "roshni/sim/event_queue.h"

namespace roshni::sim {

/// What the run loop drives: handle one event; finish a timestamp.
template <class M>
concept Model = requires(M m, const Event& e, SimTime t) {
  m.handle(e);
  m.end_of_timestamp(t);
};

class Simulator {
 public:
  SimTime now() const { return now_; }
  void schedule(SimTime at, uint8_t kind, uint32_t target, uint32_t generation = 0) {
    ROSHNI_DEBUG_ASSERT(at >= now_, "event scheduled in the past");
    queue_.push(at, kind, target, generation);
  }
  EventQueue& queue() { return queue_; }
  uint64_t events_processed() const { return processed_; }

  /// Runs until no event is left. A model that keeps scheduling events at the current
  /// time without end is a bug in the model; the cap below turns that hang into an abort.
  template <Model M>
  void run(M& model) {
    constexpr uint64_t kMaxRoundsPerTimestamp = 1'000'000;
    while (!queue_.empty()) {
      now_ = queue_.top().at;
      uint64_t rounds = 0;
      while (!queue_.empty() && queue_.top().at == now_) {
        do {
          const Event e = queue_.pop();
          ++processed_;
          model.handle(e);
        } while (!queue_.empty() && queue_.top().at == now_);
        model.end_of_timestamp(now_);
        ROSHNI_ASSERT(++rounds < kMaxRoundsPerTimestamp,
                      "simulated time stopped advancing at {} ps", now_.ps());
      }
    }
  }

 private:
  EventQueue queue_;
  SimTime now_;
  uint64_t processed_ = 0;
};

}  // namespace roshni::sim
