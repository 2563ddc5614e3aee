/// n-dimensional torus of GPUs with direct links to their ±1 neighbours in every
/// dimension (wrap-around included), optionally twisted as in TPU v4, and its router:
/// dimension-order routing, or minimal routing computed from the lattice when twisted.
/// No switches: every GPU forwards. Not a mesh without wrap-around (not built here).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/fabric.h"
#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

/// Shape and links of a torus. Physical numbers have no defaults: they come from the
/// hardware catalog or the scenario (DESIGN.md, "every number ... never from code").
struct TorusParams {
  std::vector<uint32_t> dims = {4, 4, 4};  // nodes per dimension, each >= 1
  /// Twisted wrap-around links (Camara et al., IEEE TPDS 21(12), 2010; Jouppi et al.,
  /// ISCA 2023). Defined only for shapes whose sizes are K and 2K, K >= 2: K x 2K,
  /// K x K x 2K and K x 2K x 2K, in any order. A wrap-around link of a short (K)
  /// dimension then lands K further along every long (2K) dimension; the long
  /// dimensions' own wrap-around links stay straight. See torus.cpp for why.
  bool twisted = false;
  std::string gpu_prefix = "gpu";  // names gpu<c0>_<c1>_..., e.g. gpu1_0_3
  DataRate link_bandwidth;         // each link, each direction, > 0
  SimTime link_latency;            // each link, >= 0
  SimTime forwarding_latency;      // a GPU passing traffic through (its on-chip router)
};

/// "" if the parameters describe a buildable torus, else what is wrong, beginning with
/// the parameter's name as the scenario spells it ("dims[2]: ...", "twisted: ...").
std::string check(const TorusParams& p);

struct TorusFabric;
struct TorusLayout;

/// Dimension-order routing over a torus: dimensions are corrected in order 0, 1, ...,
/// each the shorter way round, a tie (an even ring, exactly half way) going the
/// positive direction. On a twisted torus the per-dimension offsets are chosen
/// together, as the shortest vector that reaches the destination modulo the twisted
/// wrap-around (a handful of candidates, see torus.cpp), then walked in dimension
/// order: paths are minimal. Deterministic: the flow hash is not used (one path per
/// ordered pair).
class TorusRouter final : public Router {
 public:
  bool route(NodeId src, NodeId dst, uint64_t flow_hash, std::vector<LinkId>& out) override;

  /// The hop count of the path route() takes, without building it.
  uint32_t hops(NodeId src, NodeId dst) const;

 private:
  friend void make_torus(const TorusParams& p, const TorusLayout& layout, TorusFabric& out);
  /// The signed number of steps to take in each dimension from src to dst.
  void offsets(NodeId src, NodeId dst, std::vector<int32_t>& v) const;

  const Topology* topology_ = nullptr;  // the fabric's, which outlives the router
  std::vector<uint32_t> dims_;
  std::vector<uint32_t> stride_;    // row-major: the last dimension varies fastest
  std::vector<uint8_t> short_dim_;  // twisted: 1 for dimensions of size K
  uint32_t twist_ = 0;              // K when twisted, else 0
  std::vector<LinkId> step_;        // [(node * n + dim) * 2 + (0: +, 1: -)]
  std::vector<int32_t> scratch_;
};

struct TorusFabric : Fabric {};

/// Builds the torus; requires check(p) to be empty. Node ids (and gpus() order) are the
/// row-major order of coordinates, the last dimension fastest: in 4x4x8, gpu1_2_3 is
/// node (1*4 + 2)*8 + 3 = 51. Links are added node by node, each node's +1 link in
/// dimension 0, 1, ...; wrap-around links have role "torus-wrap", the others "torus".
std::unique_ptr<TorusFabric> make_torus(const TorusParams& p);

/// How a generator that lays a torus out on hardware (tpu_pod.h) dresses it: the GPUs'
/// names, each link's role and latency, and nodes added after the GPUs. Node ids and
/// the order links are added are make_torus's, so its router serves the result.
struct TorusLayout {
  std::function<std::string(const std::vector<uint32_t>& coords)> gpu_name;
  struct LinkStyle {
    std::string role;
    SimTime latency;
  };
  /// The link from the GPU at `coords` one step + along dimension `dim` (wrap-around
  /// when `wraps`), to the GPU at `to`.
  std::function<LinkStyle(const std::vector<uint32_t>& coords, size_t dim, bool wraps,
                          const std::vector<uint32_t>& to)>
      link;
  std::function<void(TopologyBuilder&)> after_gpus;  // may be empty
};
/// Builds the torus into `out` (a TorusFabric or a type derived from it, which keeps the
/// router's pointer to its topology valid); requires check(p) to be empty.
void make_torus(const TorusParams& p, const TorusLayout& layout, TorusFabric& out);

/// Coordinates of node `n` in a torus of shape `dims` (the inverse of row-major order).
std::vector<uint32_t> torus_coords(const std::vector<uint32_t>& dims, NodeId n);

}  // namespace roshni::topo
