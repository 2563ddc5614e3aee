/// A FIFO of 32-bit ids in a power-of-two ring that doubles when full: a port's output
/// queue of packet ids. After warm-up it never allocates; not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/core/error.h"

namespace roshni::net {

class PacketRing {
 public:
  bool empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  uint32_t front() const {
    ROSHNI_DEBUG_ASSERT(size_ > 0, "front of an empty ring");
    return buf_[head_];
  }
  void push(uint32_t v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & mask_] = v;
    ++size_;
  }
  /// Whether some queued id satisfies `pred` (a scan, for reports, not the hot path).
  template <class Pred>
  bool contains_if(Pred pred) const {
    for (uint32_t i = 0; i < size_; ++i) {
      if (pred(buf_[(head_ + i) & mask_])) return true;
    }
    return false;
  }
  uint32_t pop() {
    ROSHNI_DEBUG_ASSERT(size_ > 0, "pop of an empty ring");
    const uint32_t v = buf_[head_];
    head_ = (head_ + 1) & mask_;
    --size_;
    return v;
  }

 private:
  void grow() {
    const size_t n = buf_.empty() ? 16 : 2 * buf_.size();
    std::vector<uint32_t> next(n);
    for (uint32_t i = 0; i < size_; ++i) next[i] = buf_[(head_ + i) & mask_];
    buf_.swap(next);
    head_ = 0;
    mask_ = static_cast<uint32_t>(n - 1);
  }
  std::vector<uint32_t> buf_;
  uint32_t head_ = 0, size_ = 0, mask_ = 0;
};

}  // namespace roshni::net
