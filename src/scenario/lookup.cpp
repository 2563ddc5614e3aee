#include "scenario/lookup.h"

#include <fmt/format.h>

#include <algorithm>

#include "roshni/core/text.h"
#include "scenario/json_text.h"

namespace roshni::scenario {

std::string choice(const JsonNode& node, const std::vector<std::string>& known,
                   std::string_view what) {
  const std::string s = node.as_string();
  if (std::find(known.begin(), known.end(), s) != known.end()) return s;
  const std::string hint = suggest(s, known);
  node.fail(fmt::format("unknown {} '{}'{}{}: {}", what, escape_text(s), hint,
                        hint.empty() ? "; known ones" : " Known ones", quoted_list(known)));
}

NodeId node_ref(const JsonNode& n, const topo::Topology& t) {
  const std::string name = n.as_string();
  if (const auto id = t.find_node(name)) return *id;
  std::vector<std::string> names;
  names.reserve(t.node_count());
  for (uint32_t i = 0; i < t.node_count(); ++i) names.push_back(t.node_name(NodeId(i)));
  n.fail(fmt::format("unknown node '{}'{}", escape_text(name), suggest(name, names)));
}

}  // namespace roshni::scenario
