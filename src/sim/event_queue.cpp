#include "roshni/sim/event_queue.h"

#include <utility>

#include "roshni/core/error.h"

namespace roshni::sim {

void EventQueue::push(SimTime at, uint8_t kind, uint32_t target, uint32_t generation) {
  heap_.push_back(Event{at, next_seq_++, target, generation, kind});
  sift_up(heap_.size() - 1);
}

Event EventQueue::pop() {
  ROSHNI_DEBUG_ASSERT(!heap_.empty(), "pop from an empty event queue");
  Event out = heap_.front();
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
  return out;
}

// Hole-moving sifts: one copy per level instead of a swap.
void EventQueue::sift_up(size_t i) {
  Event e = heap_[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void EventQueue::sift_down(size_t i) {
  const size_t n = heap_.size();
  Event e = heap_[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], e)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = e;
}

}  // namespace roshni::sim
