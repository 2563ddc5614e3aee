/// Writing a workload as MLCommons Chakra execution traces (`roshni export-chakra`): one
/// file per rank, the flow-level DAG of a FlowSet (docs/workloads.md, "Chakra").
#pragma once

#include <cstddef>
#include <string>

#include "roshni/net/flow_set.h"
#include "roshni/topo/topology.h"

namespace roshni::scenario {

struct ChakraExport {
  size_t files = 0;  // one per GPU of the topology (rank r = the r-th GPU)
  size_t nodes = 0;  // COMP, COMM_SEND and COMM_RECV nodes written, all files together
};

/// Writes `flows` as the files prefix + r + ".et", r = 0 .. gpus - 1: a task is a
/// COMP_NODE on its GPU's rank, a flow a COMM_SEND_NODE on its source's rank and a
/// COMM_RECV_NODE on its destination's, each with node id = the entry's FlowId. A
/// dependency on g is a data dependency of the node on the rank g also touches (the
/// sender's side first), or else Roshni's attribute "roshni_remote_deps" (rank, id) on
/// the sender's node. Throws ScenarioError (file = the scenario, `where`) for what a trace
/// cannot say: an endpoint that is not a GPU or a pinned path. Throws std::runtime_error
/// when a file cannot be written.
ChakraExport write_chakra(const net::FlowSet& flows, const topo::Topology& t,
                          const std::string& prefix, const std::string& where);

}  // namespace roshni::scenario
