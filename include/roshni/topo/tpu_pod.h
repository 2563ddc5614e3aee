/// A TPU v4-like pod (Jouppi et al., "TPU v4: An Optically Reconfigurable Supercomputer
/// for Machine Learning with Hardware Support for Embeddings", ISCA 2023): cubes of chips
/// wired electrically inside (4x4x4 = 64 chips in the paper), whose face links go by
/// fibre to optical circuit switches (OCS), one OCS per (dimension, position on the face)
/// (48 for a 4x4x4 cube). A job runs on a *slice*: cubes chosen from the healthy ones and
/// patched by the OCSes into a (optionally twisted) 3D torus of the slice's size. What is
/// built is the slice, a torus like make_torus's with each link dressed as electrical or
/// optical, plus the pod's OCS nodes; the whole pod is the slice that uses every cube.
/// Not modelled: OCS reconfiguration time, several slices sharing a pod, slices smaller
/// than a cube, the OCS's optical loss and power (see docs/tpu-pod.md).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/topo/torus.h"

namespace roshni::topo {

struct TpuPodParams {
  uint32_t cubes = 64;                      // cubes in the pod, >= 1
  std::array<uint32_t, 3> cube = {4, 4, 4};  // chips along each side of a cube, each >= 2
  std::array<uint32_t, 3> slice = {4, 4, 4};  // chips; each a multiple of the cube's side
  bool twisted = false;                     // as TorusParams::twisted, over the slice
  std::vector<uint32_t> failed_cubes;       // cube ids out of service
  /// The cubes the slice uses, in slice order (the slice's cube grid row-major, the last
  /// dimension fastest); empty: the lowest-numbered healthy cubes.
  std::vector<uint32_t> slice_cubes;
  uint32_t ocs_count = 0;   // 0: the pod's need; else it must equal it (48 for 4x4x4)
  uint32_t ocs_ports = 0;   // ports per OCS, >= 2 x cubes (136 in the paper, 128 used)
  DataRate link_bandwidth;  // every ICI link, each direction, > 0
  SimTime link_latency;     // every ICI link, electrical or optical, >= 0
  SimTime ocs_latency;      // added to an optical link: fibre to and from the OCS, >= 0
  SimTime forwarding_latency;  // a chip passing traffic through
};

/// What a pod is made of, counted from its cube (not from the paper's figures).
struct TpuPodParts {
  uint64_t chips = 0;
  uint32_t cubes = 0;
  uint32_t ocs = 0;               // one per (dimension, face position)
  uint32_t ocs_ports_used = 0;    // per OCS: each cube's + and - face at that position
  uint64_t electrical_links = 0;  // chip to chip inside a cube
  uint64_t optical_links = 0;     // fibres, a cube face's chip to an OCS port
  uint32_t ici_ports_per_chip = 0;
};
/// Requires the cube sides to be >= 2.
TpuPodParts tpu_pod_parts(const TpuPodParams& p);

/// "" if buildable, else what is wrong, beginning with the parameter's name as the
/// scenario spells it ("slice: ...", "failed_cubes[1]: ..."). A slice that needs more
/// cubes than are healthy is refused, saying how many are.
std::string check(const TpuPodParams& p);

struct TpuPodFabric : TorusFabric {
  TpuPodParts parts;                  // the whole pod's
  std::vector<uint32_t> slice_cubes;  // the cube at each slice cube position
  std::vector<uint32_t> link_ocs;     // per physical link: its OCS, or kElectrical
  std::vector<uint32_t> ocs_ports_used;  // per OCS, by the slice's circuits
  static constexpr uint32_t kElectrical = UINT32_MAX;
};

/// Requires check(p) to be empty. GPUs first, in the slice's row-major order (rank i of
/// a collective with dims = slice is slice coordinate i, as in make_torus), named
/// cube<c>_gpu<x>_<y>_<z> after the physical cube and the chip's place in it; then the
/// OCS nodes ocs_x0 .. ocs_z<n-1> (kind ocs, no links of their own: an optical link
/// is a chip-to-chip link whose OCS is in link_ocs, as in ocs.h). Links are make_torus's
/// over the slice: role "ici-electrical" inside a cube, "ici-optical" across a face
/// (latency link_latency + ocs_latency); the router is make_torus's.
std::unique_ptr<TpuPodFabric> make_tpu_pod(const TpuPodParams& p);

}  // namespace roshni::topo
