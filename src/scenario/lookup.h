/// Two lookups every part of the scenario reader makes: a string that must be one of a
/// known list, and a node named by the user. Both fail at the value, with a suggestion.
/// Private to scenario/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "roshni/scenario/json_node.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

/// The string at `node`, which must be one of `known`; `what` names the choice.
std::string choice(const JsonNode& node, const std::vector<std::string>& known,
                   std::string_view what);

/// The node of `t` named at `n`.
NodeId node_ref(const JsonNode& n, const topo::Topology& t);

}  // namespace roshni::scenario
