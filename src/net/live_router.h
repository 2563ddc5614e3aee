/// Min-hop ECMP routing over the links that are up now, for flows that start while links
/// are down (or on fabrics routed at flow start), shared by the flow and packet models so
/// that both pick the same path for the same flow. Built on first use; told when links
/// come or go.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "roshni/topo/router.h"

namespace roshni::net {

class LiveRouter {
 public:
  /// `up[l]` != 0 for a directed link that is up; read at every route().
  LiveRouter(const topo::Topology& t, const std::vector<uint8_t>& up) : t_(t), up_(up) {}
  /// Some link went down or came up since the last route().
  void links_changed() { dirty_ = true; }
  /// The path of the flow with ECMP hash `hash` from src to dst over live links, into
  /// `out` (cleared first); false when there is none.
  bool route(NodeId src, NodeId dst, uint64_t hash, std::vector<LinkId>& out) {
    if (!router_) {
      router_ = std::make_unique<topo::ShortestPathRouter>(t_, topo::MultipathPolicy::ecmp);
      router_->set_link_filter(&up_);
      dirty_ = false;
    }
    if (dirty_) {
      router_->invalidate();
      dirty_ = false;
    }
    out.clear();
    return router_->route(src, dst, hash, out);
  }

 private:
  const topo::Topology& t_;
  const std::vector<uint8_t>& up_;
  std::unique_ptr<topo::ShortestPathRouter> router_;
  bool dirty_ = false;
};

}  // namespace roshni::net
