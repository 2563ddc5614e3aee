// Full mesh and ring of GPUs. Both routers are arithmetic on the link numbering the
// builders fix (see mesh.h), so they need no tables at all.
#include "roshni/topo/mesh.h"

#include <algorithm>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

// A full mesh of 2048 GPUs already has 2,096,128 links; no fabric wires more direct
// links than that, and the cap keeps pair numbers well inside 32 bits.
constexpr uint32_t kMaxMeshGpus = 2048;
constexpr uint32_t kMaxRingGpus = uint32_t{1} << 24;

std::string check_common(uint32_t gpus, uint32_t max, DataRate bw, SimTime latency) {
  if (gpus < 2) return fmt::format("gpus: must be at least 2, got {}", gpus);
  if (gpus > max) return fmt::format("gpus: must be at most {}, got {}", max, gpus);
  if (!(bw.si() > 0)) return "link_bandwidth: must be positive";
  if (latency < SimTime::zero()) return "link_latency: must not be negative";
  return {};
}

void add_gpus(TopologyBuilder& b, const std::string& prefix, uint32_t n, SimTime forwarding) {
  for (uint32_t i = 0; i < n; ++i) {
    b.add_node(fmt::format("{}{}", prefix, i), NodeKind::gpu, forwarding);
  }
}

class FullMeshRouter final : public Router {
 public:
  explicit FullMeshRouter(uint32_t n) : n_(n) {}
  bool route(NodeId src, NodeId dst, uint64_t, std::vector<LinkId>& out) override {
    ROSHNI_ASSERT(src != dst, "route from node {} to itself", src.value());
    const uint32_t i = std::min(src.value(), dst.value()), j = std::max(src.value(), dst.value());
    const uint32_t pair = i * (2 * n_ - i - 1) / 2 + (j - i - 1);
    out.push_back(LinkId(2 * pair + (src.value() == i ? 0 : 1)));  // 2k: i->j, 2k+1: j->i
    return true;
  }

 private:
  uint32_t n_;
};

class RingRouter final : public Router {
 public:
  explicit RingRouter(uint32_t n) : n_(n) {}
  bool route(NodeId src, NodeId dst, uint64_t, std::vector<LinkId>& out) override {
    ROSHNI_ASSERT(src != dst, "route from node {} to itself", src.value());
    const uint32_t ahead = (dst.value() + n_ - src.value()) % n_;  // steps the positive way
    if (2 * ahead <= n_) {
      for (uint32_t k = 0, at = src.value(); k < ahead; ++k, at = (at + 1) % n_) {
        out.push_back(forward(at));
      }
    } else {
      for (uint32_t k = 0, at = src.value(); k < n_ - ahead; ++k, at = (at + n_ - 1) % n_) {
        out.push_back(LinkId(forward((at + n_ - 1) % n_).value() ^ 1u));
      }
    }
    return true;
  }

 private:
  // The link from gpu i to gpu i+1 (mod N): physical link i, forwards; in a ring of two
  // the one link, backwards from gpu 1.
  LinkId forward(uint32_t i) const { return n_ == 2 && i == 1 ? LinkId(1) : LinkId(2 * i); }
  uint32_t n_;
};

}  // namespace

std::string check(const FullMeshParams& p) {
  return check_common(p.gpus, kMaxMeshGpus, p.link_bandwidth, p.link_latency);
}

std::string check(const RingParams& p) {
  std::string e = check_common(p.gpus, kMaxRingGpus, p.link_bandwidth, p.link_latency);
  if (e.empty() && p.forwarding_latency < SimTime::zero()) {
    e = "forwarding_latency: must not be negative";
  }
  return e;
}

std::unique_ptr<DirectFabric> make_full_mesh(const FullMeshParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_full_mesh on unchecked parameters: {}", check(p));
  TopologyBuilder b;
  add_gpus(b, p.gpu_prefix, p.gpus, SimTime::zero());  // nothing is ever forwarded
  const LinkAttrs mesh{Length(), "mesh"};
  for (uint32_t i = 0; i < p.gpus; ++i) {
    for (uint32_t j = i + 1; j < p.gpus; ++j) {
      b.add_link(NodeId(i), NodeId(j), p.link_bandwidth, p.link_bandwidth, p.link_latency, mesh);
    }
  }
  auto fabric = std::make_unique<DirectFabric>();
  fabric->topology = std::move(b).build();
  fabric->router = std::make_unique<FullMeshRouter>(p.gpus);
  return fabric;
}

std::unique_ptr<DirectFabric> make_ring(const RingParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_ring on unchecked parameters: {}", check(p));
  TopologyBuilder b;
  add_gpus(b, p.gpu_prefix, p.gpus, p.forwarding_latency);
  const LinkAttrs ring{Length(), "ring"};
  const uint32_t links = p.gpus == 2 ? 1 : p.gpus;
  for (uint32_t i = 0; i < links; ++i) {
    b.add_link(NodeId(i), NodeId((i + 1) % p.gpus), p.link_bandwidth, p.link_bandwidth,
               p.link_latency, ring);
  }
  auto fabric = std::make_unique<DirectFabric>();
  fabric->topology = std::move(b).build();
  fabric->router = std::make_unique<RingRouter>(p.gpus);
  return fabric;
}

}  // namespace roshni::topo
