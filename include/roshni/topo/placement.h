/// Physical placement: which rack each node sits in on a floor of racks in rows, and the
/// cable length that follows for every physical link. A fixed, documented policy, not an
/// optimiser; what runs over the cables (copper or optics, reach checks) is the
/// physical layer's business, not this file's.
#pragma once

#include <cstdint>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/units.h"
#include "roshni/topo/topology.h"

namespace roshni::topo {

/// The floor and the cabling rule. Rack r stands in row r / racks_per_row at column
/// r % racks_per_row, with its centre at
///   x = column × rack_pitch,   y = row × row_pitch.
/// Racks 0 .. G-1 hold GPUs (gpus_per_rack each, in gpus() order); network racks follow
/// with the next indices, on the same grid:
///
///          x →  0     0.6   1.2   1.8        (rack_pitch 0.6 m, racks_per_row 4)
///   y = 0     [ R0 ][ R1 ][ R2 ][ R3 ]        R0..R4: GPU racks, each with its
///               ─ ─ ─ aisle ─ ─ ─ ─           tier-1 switches (top of rack)
///   y = 2.4   [ R4 ][ N5 ][ N6 ]              N5, N6: network racks (spines, cores, OCS)
///
/// A cable between racks a and b is routed along the rows and aisles:
///   length = |x_a − x_b| + |y_a − y_b| + 2 × vertical_per_end + slack,
/// and a cable inside one rack is `slack` long (no horizontal or vertical run).
struct FloorParams {
  /// Centre to centre of neighbouring racks in a row: the 600 mm width of a standard
  /// 19-inch server cabinet (EIA-310 equipment in a 600 mm cabinet).
  Length rack_pitch = metres(0.6);
  /// Centre to centre of neighbouring rows: a 1.2 m deep cabinet plus a 1.2 m aisle
  /// (two 600 mm raised-floor tiles), the usual hot-aisle/cold-aisle layout.
  Length row_pitch = metres(2.4);
  uint32_t racks_per_row = 16;  // >= 1
  /// Four 8-GPU servers: what a ~40 kW air- or rear-door-cooled rack holds today. Dense
  /// liquid-cooled racks (72 GPUs in one NVL72 rack) set it higher.
  uint32_t gpus_per_rack = 32;  // >= 1
  /// Switches in one network rack: 1–2U switches in a 42U cabinet, with room left for
  /// patch panels and cable management.
  uint32_t switches_per_network_rack = 16;  // >= 1
  /// Added to every cable: the run from the port to the cabinet's edge plus a service
  /// loop at each end. 1.5 m makes an in-rack cable 1.5 m, the common length of the
  /// direct-attach cables that join servers to a top-of-rack switch.
  Length slack = metres(1.5);
  /// Added at each end of a cable that leaves its rack: the climb from the port to an
  /// overhead tray. 0 by default, so cable length is the Manhattan distance plus slack;
  /// about 1.2 m (half a 2 m cabinet plus the tray's height above it) for overhead trays.
  Length vertical_per_end = metres(0);
};

/// Where each node went. Racks [0, gpu_racks) hold GPUs; the rest hold switches.
struct Placement {
  struct Rack {
    uint32_t row = 0, column = 0;
    Length x, y;  // centre on the floor
  };
  std::vector<uint32_t> node_rack;  // rack index per node id
  std::vector<Rack> racks;
  uint32_t gpu_racks = 0;
};

/// The placement policy:
///  1. GPUs fill racks in gpus() order, gpus_per_rack per rack.
///  2. A non-GPU node with GPU neighbours (a tier-1 switch: top-of-rack or end-of-row)
///     goes into the GPU rack at the far end of most of its GPU links; ties go to the
///     lowest rack index. It takes no rack space of its own.
///  3. Every other node (spines, cores, OCS, anything with no GPU neighbour) goes into
///     the network racks after the GPU racks, in node id order, switches_per_network_rack
///     per rack.
Placement place(const Topology& t, const FloorParams& floor = {});

/// Cable length between two nodes as placed: see FloorParams.
Length cable_length(const Placement& p, const FloorParams& floor, NodeId a, NodeId b);

/// How placing a topology changes its links beyond their lengths.
struct CableOptions {
  /// Delay added to a link's latency per metre of its cable; zero (off) by default, as
  /// the physical layer owns media. About 4.9 ns/m in silica fibre (group index 1.468)
  /// and 4.3–5 ns/m in copper cables. Rounded up to whole picoseconds per link.
  Duration propagation_per_metre = seconds(0);
};

/// A copy of `t` with every physical link's length set from `p` (and its latency raised
/// when `cable.propagation_per_metre` is non-zero). Node and link ids, names, rates and
/// attributes are unchanged.
Topology with_cable_lengths(const Topology& t, const Placement& p, const FloorParams& floor,
                            const CableOptions& cable = {});

}  // namespace roshni::topo
