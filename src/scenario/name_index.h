/// Names to dense indices 0, 1, 2, ... in the order they were added, for the millions of
/// flow ids of a flow trace. Not a general map: nothing is erased, and at most 2^31
/// names. Private to scenario/.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roshni/core/error.h"

namespace roshni::scenario {

/// Open addressing with linear probing over one array of 64-bit slots, each a 32-bit tag
/// (the high half of the name's 64-bit hash) and the name's index + 1 (0: empty); the
/// probe starts at the tag's top bits. A probe reads one slot and, when the tags match,
/// the one name it points to; a std::unordered_map of string_views read a bucket, a node
/// and the name, each a cache miss at 2 M names (issue 19: 26 % of loading a 2.1 M-flow
/// trace was its find). The table doubles at half full, so probes stay short. The names
/// are kept here, at stable addresses, until taken.
class NameIndex {
 public:
  using Hash = uint64_t (*)(std::string_view);

  /// `hash` is for tests, which force collisions; any hash gives the same indices.
  explicit NameIndex(Hash hash = &default_hash) : hash_(hash) {}

  size_t size() const { return names_.size(); }
  const std::string& name(uint32_t i) const { return names_[i]; }
  /// Moves name i out (it reads empty afterwards); for after the last find.
  std::string take(uint32_t i) { return std::move(names_[i]); }

  /// The index of `name`, if added.
  std::optional<uint32_t> find(std::string_view name) const {
    if (slots_.empty()) return std::nullopt;
    const uint64_t tag = hash_(name) >> 32;
    for (size_t s = home(tag);; s = (s + 1) & mask_) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return std::nullopt;
      if ((slot >> 32) == tag) {
        const auto i = static_cast<uint32_t>(slot) - 1;
        if (names_[i] == name) return i;
      }
    }
  }

  /// Adds `name` with the next index unless it is there: {its index, true if added}.
  std::pair<uint32_t, bool> insert(std::string name) {
    if (2 * (names_.size() + 1) > slots_.size()) grow();
    const uint64_t tag = hash_(name) >> 32;
    size_t s = home(tag);
    for (;; s = (s + 1) & mask_) {
      const uint64_t slot = slots_[s];
      if (slot == 0) break;
      if ((slot >> 32) == tag) {
        const auto i = static_cast<uint32_t>(slot) - 1;
        if (names_[i] == name) return {i, false};
      }
    }
    const auto i = static_cast<uint32_t>(names_.size());
    names_.push_back(std::move(name));
    slots_[s] = (tag << 32) | (uint64_t{i} + 1);
    return {i, true};
  }

  /// Frees the table; the names stay.
  void clear_table() {
    slots_ = {};
    mask_ = 0;
    bits_ = 0;
  }

 private:
  static uint64_t default_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  // A name's first slot: the top bits of its 32-bit tag, so a grown table places the
  // slots from their tags alone, without hashing or reading the names again.
  size_t home(uint64_t tag) const { return static_cast<size_t>(tag >> (32 - bits_)); }

  void grow() {
    const unsigned bits = slots_.empty() ? 6 : bits_ + 1;
    ROSHNI_ASSERT(bits <= 32, "a name index of more than 2^31 names");
    std::vector<uint64_t> old = std::exchange(slots_, std::vector<uint64_t>(size_t{1} << bits, 0));
    bits_ = bits;
    mask_ = slots_.size() - 1;
    for (const uint64_t slot : old) {
      if (slot == 0) continue;
      size_t s = home(slot >> 32);
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = slot;
    }
  }

  Hash hash_;
  std::deque<std::string> names_;  // stable: a grown table points at the same names
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  unsigned bits_ = 0;  // slots_.size() == 2^bits_
};

}  // namespace roshni::scenario
