/// What the workload builders (training, serving) share to emit one collective: the
/// collective's description and the registry algorithm that writes its flows. Private to
/// work/.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roshni/coll/registry.h"
#include "roshni/core/error.h"
#include "roshni/core/ids.h"
#include "roshni/core/units.h"

namespace roshni::work::detail {

inline coll::Collective make(coll::CollectiveKind kind, std::vector<NodeId> ranks, double size,
                             std::string prefix) {
  coll::Collective c;
  c.kind = kind;
  c.ranks = std::move(ranks);
  c.size = bytes(size);
  c.label_prefix = std::move(prefix);
  return c;
}

/// The registry's algorithm `name` for `kind`; the builders name only algorithms that exist.
inline const coll::CollectiveAlgorithm& algorithm(coll::CollectiveKind kind, std::string_view name) {
  const auto* a = coll::find_collective_algorithm(kind, name);
  ROSHNI_ASSERT(a != nullptr, "no algorithm '{}'", name);
  return *a;
}

}  // namespace roshni::work::detail
