#include "roshni/topo/generators.h"

#include <fmt/format.h>

namespace roshni::topo {

Topology make_star(const StarParams& p) {
  TopologyBuilder b;
  std::vector<NodeId> gpus;
  gpus.reserve(p.gpus);
  for (uint32_t i = 0; i < p.gpus; ++i) {
    gpus.push_back(b.add_node(fmt::format("{}{}", p.gpu_prefix, i), NodeKind::gpu));
  }
  const NodeId sw = b.add_node(p.switch_name, NodeKind::switch_, p.switch_latency, {1, 0, ""});
  for (NodeId g : gpus) b.add_link(g, sw, p.link_bandwidth, p.link_bandwidth, p.link_latency);
  return std::move(b).build();
}

}  // namespace roshni::topo
