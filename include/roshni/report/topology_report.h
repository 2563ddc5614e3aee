/// What `roshni topo` prints about a cluster: counts of GPUs, switches, links and
/// cables, ports against radix, diameter and bisection bandwidth.
#pragma once

#include <string>

#include "roshni/topo/topology.h"

namespace roshni::report {

struct TopologyReportOptions {
  bool bisection = true;  // max-flow over several partitions: seconds at 100k GPUs
  uint64_t seed = 1;      // for the random bisection partitions
};

std::string topology_report(const topo::Topology& t, const TopologyReportOptions& o = {});

}  // namespace roshni::report
