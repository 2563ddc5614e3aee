/// The packet-level network model: flows cut into MTU-sized packets that are serialised
/// at each link's rate, delayed by its latency, and queued in finite per-port output
/// buffers at every node they cross; with priority flow control (lossless) or tail drop
/// and retransmission (lossy), ECN marking and DCQCN-like rate control. It runs the same
/// FlowSet over the same Paths as the flow model and fills the same RunResult, plus
/// the queue, pause, drop and completion-time figures only packets can give. How it
/// works and what it simplifies: docs/models/packet-model.md. Links may go down and come
/// back (failures, optical circuit reconfiguration) as in the flow model. Not modelled:
/// priorities other than the one data class.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "roshni/core/ids.h"
#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/net/dcqcn.h"
#include "roshni/net/run_contract.h"
#include "roshni/net/flow_set.h"
#include "roshni/net/paths.h"
#include "roshni/topo/topology.h"

namespace roshni::net {

/// A packet run that cannot go on because it needs more than the model's fixed-width
/// fields hold, where the loader could not foresee it: a path rerouted during the run
/// (around a failed link, or over the circuits up) longer than 65,534 hops, which a
/// packet's 16-bit hop index cannot carry. Turned into a ScenarioError where the
/// scenario's file is known (scenario/run.cpp), as TimeExhausted is.
class PathTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Switching : uint8_t { store_and_forward, cut_through };
enum class LossMode : uint8_t { lossless, lossy };
enum class CongestionControl : uint8_t { none, dcqcn };
enum class LoadBalance : uint8_t { ecmp, spray };

/// One node's output-port limits, bytes: every port it sends from has this buffer and
/// these thresholds (xon < xoff <= buffer - mtu, ecn_threshold < buffer).
struct PortLimits {
  uint64_t buffer = 0;
  uint64_t xoff = 0;
  uint64_t xon = 0;
  uint64_t ecn_threshold = 0;
};

/// The packet model's knobs; the scenario's "network.packet" section
/// (docs/scenario-reference.md). Bytes are whole bytes.
struct PacketConfig {
  uint64_t mtu = 4096;                  // payload bytes per packet (the last one of a flow is smaller)
  uint64_t buffer = 1 << 20;            // output buffer of every port, bytes
  Switching switching = Switching::store_and_forward;
  LossMode mode = LossMode::lossless;
  uint64_t xoff = 1 << 19;              // PFC: pause the upstream port above this (ingress bytes)
  uint64_t xon = 1 << 18;               // PFC: resume it below this
  uint64_t ecn_threshold = 1 << 17;     // mark a packet queued behind more than this
  CongestionControl congestion_control = CongestionControl::none;
  LoadBalance load_balance = LoadBalance::ecmp;
  SimTime retransmit_timeout = SimTime::ps(100'000'000);  // lossy: a lost packet is resent this long after it was sent
  uint32_t spray_paths = 8;             // spray: equal-cost paths tried per flow
  DcqcnParams dcqcn;
  /// Per node, where they differ from the uniform settings above (the switches'
  /// catalog parts): indexed by NodeId, or empty for the uniform ones everywhere.
  std::vector<PortLimits> node_limits;
  std::vector<Switching> node_switching;  // how each node forwards (only switches forward)
};

/// Per output port (directed link) and in total: what the buffers and flow control did.
struct PacketStats {
  uint64_t packets = 0;         // packets created (first transmissions)
  uint64_t packet_hops = 0;     // link traversals (serialisations) of all packets
  uint64_t drops = 0;
  uint64_t retransmissions = 0;
  uint64_t pauses = 0;          // PFC pause frames sent
  uint64_t ecn_marks = 0;
  uint64_t cnps = 0;            // congestion notifications sent by receivers
  uint64_t headroom_overruns = 0;  // lossless: packets accepted above the port's buffer
  uint64_t packets_cut = 0;     // being serialised when their link went down (lossless:
                                // sent again when it is back; lossy: lost, in drops)
  /// Ports still paused with packets waiting when the run ran out of events: a PFC
  /// deadlock (paused queues waiting on each other in a cycle). 0 on success.
  uint64_t deadlocked_ports = 0;
  // Per directed link l (the output port of link_from(l)).
  std::vector<uint64_t> queue_max;   // bytes, highest occupancy
  std::vector<uint64_t> queue_p50;   // bytes, time-weighted percentile (bucket upper edge)
  std::vector<uint64_t> queue_p99;
  std::vector<uint64_t> pauses_sent;  // pause frames link_to(l) sent back over l's reverse,
                                      // each pausing this port
  std::vector<uint64_t> port_drops;   // packets dropped at this port (lossy)
  // Per flow (network flows; compute steps hold 0).
  std::vector<SimTime> completion;    // end - start
  std::vector<double> final_rate;     // DCQCN current rate at the end, bytes/s (0 without CC)
};

struct PacketRunResult {
  RunResult run;  // the same figures the flow model gives (makespan, starts, ends, bytes)
  PacketStats packet;
};

/// Runs `flows` over `t` along `paths` (the planned ECMP paths; spraying adds more) to
/// completion. `options` may change capacities during the run (steps, initial
/// capacities: failures, optical circuits) and route flows when they start, as in the
/// flow model; it must outlive the call.
PacketRunResult run_packet_model(const topo::Topology& t, const FlowSet& flows,
                                 const Paths& paths, const PacketConfig& config,
                                 const RunOptions& options = {});

}  // namespace roshni::net
