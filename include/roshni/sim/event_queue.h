/// The pending-event set: a binary min-heap on (time, insertion sequence), so events at
/// equal times pop in the order they were scheduled — the same order on every machine.
/// Cancellation is by generation: the owner bumps its counter and skips stale events.
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/core/sim_time.h"

namespace roshni::sim {

/// One scheduled happening. Small and trivially copyable; what it means is up to the
/// model that scheduled it (`kind` selects the handler, `target` indexes its arrays).
struct Event {
  SimTime at;
  uint64_t seq = 0;
  uint32_t target = 0;
  uint32_t generation = 0;
  uint8_t kind = 0;
};

class EventQueue {
 public:
  /// Schedules an event; its sequence number is assigned here.
  void push(SimTime at, uint8_t kind, uint32_t target, uint32_t generation = 0);
  const Event& top() const { return heap_.front(); }
  Event pop();
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  void reserve(size_t n) { heap_.reserve(n); }
  uint64_t pushed() const { return next_seq_; }

 private:
  static bool before(const Event& a, const Event& b) {
    return a.at < b.at || (a.at == b.at && a.seq < b.seq);
  }
  void sift_up(size_t i);
  void sift_down(size_t i);

  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace roshni::sim
