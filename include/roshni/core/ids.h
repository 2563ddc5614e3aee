/// Strong integer ids: a NodeId cannot be passed where a LinkId is expected.
/// Ids index parallel arrays, so they are dense and start at zero.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace roshni {

template <class Tag>
class Id {
 public:
  using value_type = uint32_t;
  static constexpr value_type kInvalid = std::numeric_limits<value_type>::max();

  constexpr Id() = default;
  constexpr explicit Id(value_type v) : v_(v) {}
  static constexpr Id invalid() { return Id(); }
  constexpr value_type value() const { return v_; }
  constexpr bool valid() const { return v_ != kInvalid; }
  constexpr auto operator<=>(const Id&) const = default;

 private:
  value_type v_ = kInvalid;
};

using NodeId = Id<struct NodeTag>;
using LinkId = Id<struct LinkTag>;  // one direction of a physical link
using FlowId = Id<struct FlowTag>;

}  // namespace roshni
