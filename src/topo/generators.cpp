#include "roshni/topo/generators.h"

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {

Topology make_star(const StarParams& p) {
  TopologyBuilder b;
  std::vector<NodeId> gpus;
  gpus.reserve(p.gpus);
  for (uint32_t i = 0; i < p.gpus; ++i) {
    gpus.push_back(b.add_node(fmt::format("{}{}", p.gpu_prefix, i), NodeKind::gpu));
  }
  const NodeId sw = b.add_node(p.switch_name, NodeKind::switch_, p.switch_latency,
                               {1, 0, p.scale_up ? "nvswitch" : ""});
  const LinkAttrs attrs{Length(), p.scale_up ? "scale-up" : ""};
  for (NodeId g : gpus) {
    b.add_link(g, sw, p.link_bandwidth, p.link_bandwidth, p.link_latency, attrs);
  }
  return std::move(b).build();
}

namespace {

class StarRouter final : public Router {
 public:
  explicit StarRouter(const Topology& t) : t_(t), hub_(static_cast<uint32_t>(t.gpus().size())) {
    ROSHNI_ASSERT(t.node_count() == hub_ + 1u, "not a star: {} nodes for {} GPUs", t.node_count(), hub_);
  }
  bool route(NodeId src, NodeId dst, uint64_t /*flow_hash*/, std::vector<LinkId>& out) override {
    ROSHNI_ASSERT(src != dst, "route from {} to itself", t_.node_name(src));
    // make_star adds GPU i's duplex link i-th: directed link 2i is GPU i -> switch, 2i + 1
    // its reverse.
    if (src.value() != hub_) out.push_back(LinkId(2 * src.value()));
    if (dst.value() != hub_) out.push_back(LinkId(2 * dst.value() + 1));
    return true;
  }

 private:
  const Topology& t_;
  uint32_t hub_;  // the switch's node id (after the GPUs)
};

}  // namespace

std::unique_ptr<Router> make_star_router(const Topology& star) {
  return std::make_unique<StarRouter>(star);
}

}  // namespace roshni::topo
