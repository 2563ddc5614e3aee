// TPU v4-like pods and their slices.
//
// The pod (Jouppi et al., ISCA 2023, sections 2-3): cubes of a x b x c chips (4x4x4),
// electrically wired inside as a 3D mesh; every chip on a cube face has one fibre from
// that face to an OCS. There is one OCS per (dimension d, position on the d-faces), and
// it takes the + face and the - face fibre at that position of every cube. So an OCS can
// join any cube's + face to any cube's - face along its dimension, position for position:
// that is all a slice needs.
//
// A slice of X x Y x Z chips (each a multiple of the cube's side) takes
// (X/a)(Y/b)(Z/c) healthy cubes, laid in its cube grid row-major. Its links are those
// of the X x Y x Z torus (make_torus, twisted or not): a link inside a cube is one of the
// cube's electrical links; a link leaving a cube's + face along d lands on another (or,
// when the slice is one cube long in d, the same) cube's - face at the same face
// position, so it is a circuit through the OCS of (d, position): chip -> fibre -> OCS ->
// fibre -> chip, two fibres and two OCS ports. With a twist the wrap-around of a short
// dimension lands K further along the long ones; K is a multiple of the cube's sides
// there (checked), so the face position, and hence the OCS, is the same at both ends.
#include "roshni/topo/tpu_pod.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "roshni/core/error.h"

namespace roshni::topo {
namespace {

constexpr const char* kAxis = "xyz";

// The OCS index of face position (u, w) of dimension d: dimension 0's OCSes first, then
// 1's, then 2's; within a dimension, row-major over the other two dimensions.
struct OcsIndex {
  std::array<uint32_t, 3> first{};  // the first OCS of each dimension
  std::array<uint32_t, 3> cube{};
  uint32_t total = 0;
  explicit OcsIndex(const std::array<uint32_t, 3>& c) : cube(c) {
    for (size_t d = 0; d < 3; ++d) {
      first[d] = total;
      total += c[(d + 1) % 3] * c[(d + 2) % 3];
    }
  }
  // `local`: a chip's coordinates within its cube.
  uint32_t of(size_t d, const std::array<uint32_t, 3>& local) const {
    const size_t u = d == 0 ? 1 : 0, w = d == 2 ? 1 : 2;
    return first[d] + local[u] * cube[w] + local[w];
  }
};

// The twist size K of a slice if twisting applies (the shortest side, with the others
// K or 2K), else 0; as torus.cpp's rule.
uint32_t slice_twist(const std::array<uint32_t, 3>& s) {
  const uint32_t k = std::min({s[0], s[1], s[2]});
  uint32_t longs = 0;
  for (uint32_t d : s) {
    if (d == 2 * k) {
      ++longs;
    } else if (d != k) {
      return 0;
    }
  }
  return longs >= 1 && longs < 3 ? k : 0;
}

}  // namespace

TpuPodParts tpu_pod_parts(const TpuPodParams& p) {
  // Counted over one cube's chips: each chip's + and - neighbour along each dimension is
  // inside the cube (an electrical link, counted from its lower end) or across a face
  // (one fibre to an OCS). OCSes: distinct (dimension, face position) pairs seen.
  TpuPodParts out;
  const auto& c = p.cube;
  uint64_t electrical = 0, fibres = 0;
  std::vector<uint8_t> ocs_seen(OcsIndex(c).total, 0);
  const OcsIndex index(c);
  uint32_t ports = 0;
  for (uint32_t x = 0; x < c[0]; ++x) {
    for (uint32_t y = 0; y < c[1]; ++y) {
      for (uint32_t z = 0; z < c[2]; ++z) {
        const std::array<uint32_t, 3> at = {x, y, z};
        uint32_t chip_ports = 0;
        for (size_t d = 0; d < 3; ++d) {
          for (const int dir : {+1, -1}) {
            const int64_t n = static_cast<int64_t>(at[d]) + dir;
            ++chip_ports;
            if (n >= 0 && n < static_cast<int64_t>(c[d])) {
              if (dir > 0) ++electrical;
            } else {
              ++fibres;
              ocs_seen[index.of(d, at)] = 1;
            }
          }
        }
        ports = std::max(ports, chip_ports);
      }
    }
  }
  out.cubes = p.cubes;
  out.chips = uint64_t{p.cubes} * c[0] * c[1] * c[2];
  out.electrical_links = electrical * p.cubes;
  out.optical_links = fibres * p.cubes;
  out.ocs = static_cast<uint32_t>(std::count(ocs_seen.begin(), ocs_seen.end(), 1));
  // Each OCS takes one + and one - face fibre per cube.
  out.ocs_ports_used = out.ocs == 0 ? 0 : static_cast<uint32_t>(out.optical_links / out.ocs);
  out.ici_ports_per_chip = ports;
  return out;
}

std::string check(const TpuPodParams& p) {
  if (p.cubes < 1) return "cubes: a pod has at least one cube";
  for (size_t d = 0; d < 3; ++d) {
    if (p.cube[d] < 2 || p.cube[d] > 64) {
      return fmt::format("cube[{}]: a cube is 2 to 64 chips along each side, got {}", d,
                         p.cube[d]);
    }
  }
  const uint64_t chips = uint64_t{p.cubes} * p.cube[0] * p.cube[1] * p.cube[2];
  if (chips > (uint64_t{1} << 24)) {
    return fmt::format("cubes: {} chips is more than the 16,777,216 a pod may have", chips);
  }
  const TpuPodParts parts = tpu_pod_parts(p);
  if (p.ocs_count != 0 && p.ocs_count != parts.ocs) {
    return fmt::format(
        "ocs.count: a pod of {}x{}x{} cubes has one OCS per dimension and face position: {}, "
        "not {}",
        p.cube[0], p.cube[1], p.cube[2], parts.ocs, p.ocs_count);
  }
  if (p.ocs_ports < parts.ocs_ports_used) {
    return fmt::format(
        "ocs.ports: each OCS takes the + and - face fibre of every cube: {} ports for {} "
        "cubes, it has {}",
        parts.ocs_ports_used, p.cubes, p.ocs_ports);
  }
  std::vector<uint8_t> failed(p.cubes, 0);
  for (size_t i = 0; i < p.failed_cubes.size(); ++i) {
    const uint32_t c = p.failed_cubes[i];
    if (c >= p.cubes) {
      return fmt::format("failed_cubes[{}]: cube {} does not exist (cubes are 0 to {})", i, c,
                         p.cubes - 1);
    }
    failed[c] = 1;
  }
  uint32_t need = 1;
  for (size_t d = 0; d < 3; ++d) {
    if (p.slice[d] == 0 || p.slice[d] % p.cube[d] != 0) {
      return fmt::format(
          "slice[{}]: a slice is made of whole cubes, so its {} side must be a positive "
          "multiple of the cube's {}, got {}",
          d, kAxis[d], p.cube[d], p.slice[d]);
    }
    need *= p.slice[d] / p.cube[d];
    if (need > p.cubes) break;
  }
  const uint32_t healthy =
      p.cubes - static_cast<uint32_t>(std::count(failed.begin(), failed.end(), 1));
  if (need > healthy) {
    return fmt::format(
        "slice: {}x{}x{} needs {} cubes of {}x{}x{}; the pod has {} cubes, of which {} are "
        "healthy ({} failed)",
        p.slice[0], p.slice[1], p.slice[2], need, p.cube[0], p.cube[1], p.cube[2], p.cubes,
        healthy, p.cubes - healthy);
  }
  if (p.twisted) {
    const uint32_t k = slice_twist(p.slice);
    if (k == 0) {
      return fmt::format(
          "twisted: a twisted torus is defined for slices K x K x 2K and K x 2K x 2K (any "
          "order), not {}x{}x{}",
          p.slice[0], p.slice[1], p.slice[2]);
    }
    for (size_t d = 0; d < 3; ++d) {
      if (p.slice[d] == 2 * k && k % p.cube[d] != 0) {
        return fmt::format(
            "twisted: the twist ({} along {}) must be whole cubes ({}) so that both ends of "
            "a wrap-around sit at the same face position, on one OCS",
            k, kAxis[d], p.cube[d]);
      }
    }
  }
  if (!p.slice_cubes.empty()) {
    std::vector<uint8_t> taken(p.cubes, 0);
    for (size_t i = 0; i < p.slice_cubes.size(); ++i) {
      const uint32_t c = p.slice_cubes[i];
      const std::string where = fmt::format("slice_cubes[{}]", i);
      if (c >= p.cubes) {
        return fmt::format("{}: cube {} does not exist (cubes are 0 to {})", where, c, p.cubes - 1);
      }
      if (failed[c]) return fmt::format("{}: cube {} is in failed_cubes", where, c);
      if (taken[c]) return fmt::format("{}: cube {} is listed twice", where, c);
      taken[c] = 1;
    }
    if (p.slice_cubes.size() != need) {
      return fmt::format("slice_cubes: a {}x{}x{} slice is {} cubes, {} are listed", p.slice[0],
                         p.slice[1], p.slice[2], need, p.slice_cubes.size());
    }
  }
  if (!(p.link_bandwidth.si() > 0)) return "link.bandwidth: must be positive";
  if (p.link_latency < SimTime::zero()) return "link.latency: must not be negative";
  if (p.ocs_latency < SimTime::zero()) return "ocs.latency: must not be negative";
  if (p.forwarding_latency < SimTime::zero()) return "forwarding_latency: must not be negative";
  return {};
}

std::unique_ptr<TpuPodFabric> make_tpu_pod(const TpuPodParams& p) {
  ROSHNI_ASSERT(check(p).empty(), "make_tpu_pod on unchecked parameters: {}", check(p));
  auto fabric = std::make_unique<TpuPodFabric>();
  TpuPodFabric& f = *fabric;
  f.parts = tpu_pod_parts(p);
  const std::array<uint32_t, 3> grid = {p.slice[0] / p.cube[0], p.slice[1] / p.cube[1],
                                        p.slice[2] / p.cube[2]};
  const uint32_t need = grid[0] * grid[1] * grid[2];
  f.slice_cubes = p.slice_cubes;
  if (f.slice_cubes.empty()) {  // the lowest-numbered healthy cubes
    std::vector<uint8_t> failed(p.cubes, 0);
    for (uint32_t c : p.failed_cubes) failed[c] = 1;
    for (uint32_t c = 0; c < p.cubes && f.slice_cubes.size() < need; ++c) {
      if (!failed[c]) f.slice_cubes.push_back(c);
    }
  }
  const OcsIndex index(p.cube);
  f.ocs_ports_used.assign(index.total, 0);

  const auto split = [&](const std::vector<uint32_t>& at, std::array<uint32_t, 3>& local) {
    for (size_t d = 0; d < 3; ++d) local[d] = at[d] % p.cube[d];
    return f.slice_cubes[((at[0] / p.cube[0]) * grid[1] + at[1] / p.cube[1]) * grid[2] +
                         at[2] / p.cube[2]];
  };
  TorusLayout layout;
  layout.gpu_name = [&](const std::vector<uint32_t>& at) {
    std::array<uint32_t, 3> local{};
    const uint32_t cube = split(at, local);
    return fmt::format("cube{}_gpu{}_{}_{}", cube, local[0], local[1], local[2]);
  };
  layout.after_gpus = [&](TopologyBuilder& b) {
    for (size_t d = 0; d < 3; ++d) {
      const uint32_t n = index.total;
      const uint32_t end = d + 1 < 3 ? index.first[d + 1] : n;
      for (uint32_t k = index.first[d]; k < end; ++k) {
        b.add_node(fmt::format("ocs_{}{}", kAxis[d], k - index.first[d]), NodeKind::ocs,
                   SimTime::zero(), {0, p.ocs_ports, "ocs"});
      }
    }
  };
  layout.link = [&](const std::vector<uint32_t>& at, size_t d, bool,
                    const std::vector<uint32_t>& to) -> TorusLayout::LinkStyle {
    std::array<uint32_t, 3> from_local{}, to_local{};
    split(at, from_local);
    split(to, to_local);
    if (from_local[d] + 1 < p.cube[d]) {
      f.link_ocs.push_back(TpuPodFabric::kElectrical);
      return {"ici-electrical", p.link_latency};
    }
    // Leaves the cube by its + face: a circuit to the - face at the same position.
    const uint32_t k = index.of(d, from_local);
    ROSHNI_ASSERT(to_local[d] == 0 && index.of(d, to_local) == k,
                  "optical link along {} does not land on the same OCS", kAxis[d]);
    f.link_ocs.push_back(k);
    f.ocs_ports_used[k] += 2;
    return {"ici-optical", p.link_latency + p.ocs_latency};
  };

  TorusParams tp;
  tp.dims = {p.slice[0], p.slice[1], p.slice[2]};
  tp.twisted = p.twisted;
  tp.link_bandwidth = p.link_bandwidth;
  tp.link_latency = p.link_latency;
  tp.forwarding_latency = p.forwarding_latency;
  ROSHNI_ASSERT(check(tp).empty(), "slice torus: {}", check(tp));
  make_torus(tp, layout, f);
  return fabric;
}

}  // namespace roshni::topo
