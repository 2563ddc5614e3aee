// The packet-level model (packet_model.h; docs/models/packet-model.md).
//
// Timing of one packet of b bytes over link l (rate B_l, latency L_l) into node v:
//   serialisation   s = ceil(b / B_l)                         (whole picoseconds)
//   store-and-forward: it is at v at  t_start + s + L_l + F_v  (F_v: v's forwarding
//                   latency, 0 at the packet's destination), and only then queued at
//                   its next output port;
//   cut-through:    at a forwarding node it is eligible at  t_start + s_h + L_l + F_v
//                   (s_h: a 64-byte header's serialisation) but its next serialisation
//                   cannot end before its tail has arrived (t_start + s + L_l + F_v).
// So one flow of S bytes cut into packets of M over h store-and-forward hops of equal
// B and L ends at S/B + (h-1)·M/B + h·L: the first hop's sender is busy S/B; the last
// packet then needs (h-1) more serialisations and h latencies (tests derive it).
//
// Lossless mode, priority flow control (IEEE 802.1Qbb), simplified to one class and
// egress accounting: when a packet arriving over link i finds its output queue above
// xoff, the node sends a pause frame back over i's reverse link; it reaches i's sender
// after a 64-byte serialisation plus that link's latency, and i's sender then starts
// nothing new until the matching resume, sent once the queue falls below xon.
// Lossy mode: tail drop when a packet does not fit the output buffer; the sender
// resends it one retransmit timeout after it sent it (selective, timer-driven).
//
// Congestion control: DCQCN, Y. Zhu et al., "Congestion Control for Large-Scale RDMA
// Deployments", SIGCOMM 2015, section 3. Switch (CP): a packet is ECN-marked when the
// queue it joins holds more than the ECN threshold (step marking, K_min = K_max).
// Receiver (NP): on a marked packet, at most one CNP per flow per cnp_interval, sent
// back to the sender (it arrives one path latency later; CNPs are not queued).
// Sender (RP): DcqcnReactionPoint (dcqcn.h) holds the rate R_C, target R_T and alpha and
// says how a CNP and each period change them; this model runs its timer (one per flow,
// restarted at every CNP) and delivers its CNPs. The sender paces its packets at R_C:
// the next may start b/R_C after the previous one started.
//
// Data layout: packets are 40-byte trivially-copyable structs in one pool with a free
// list; each port (directed link) keeps a ring of queued packet ids; per-flow and
// per-port state in parallel arrays; events are the engine's (time, seq, target, kind)
// records, handled by one switch over EventKind.
#include "roshni/net/packet_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>

#include "net/compute_nodes.h"
#include "net/link_capacities.h"
#include "net/live_router.h"
#include "net/packet_ring.h"
#include "net/step_triggers.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/sim/simulator.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

enum EventKind : uint8_t {
  kStart,       // target: flow
  kDelivered,   // target: flow (compute steps, empty flows)
  kTxDone,      // target: port
  kArrive,      // target: packet
  kPause,       // target: port
  kResume,      // target: port
  kWake,        // target: port (a paced sender may send again)
  kRetransmit,  // target: flow (the timeout of its oldest lost packet ran out)
  kCnp,         // target: flow
  kCcTimer,     // target: flow, generation
  kCapacity,    // target: capacity step
  kComputeDone, // target: compute step, generation
  kTick,        // the coupling's period
};

enum class State : uint8_t { waiting, no_route, transmitting, delivered };

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kControlFrameBytes = 64;  // a pause frame, and the cut-through header
constexpr uint32_t kBuckets = 128;           // queue histogram: 64 buckets to the buffer, 64 above

struct Packet {
  SimTime sent;       // first byte of its first transmission left the sender
  SimTime tail;       // cut-through: when its last byte is at the current node
  uint32_t flow;
  uint32_t path;      // offset of its path in links_
  uint32_t bytes;
  uint16_t hop;       // index of the link it is on or waiting for
  uint16_t hops;      // path length
  uint16_t epoch;     // bumped when a failing link cuts it: its pending arrival is void
  uint8_t ecn;
};
static_assert(std::is_trivially_copyable_v<Packet>);

class PacketModel {
 public:
  PacketModel(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
              const PacketConfig& c, const FlowRunOptions& options)
      : t_(t), flows_(flows), c_(c), options_(options) {
    ROSHNI_ASSERT(c.mtu > 0 && c.buffer >= c.mtu, "packet config not validated");
    ROSHNI_ASSERT(c.node_limits.empty() || c.node_limits.size() == t.node_count(),
                  "node_limits for {} nodes, the topology has {}", c.node_limits.size(),
                  t.node_count());
    ROSHNI_ASSERT(c.node_switching.empty() || c.node_switching.size() == t.node_count(),
                  "node_switching for {} nodes, the topology has {}", c.node_switching.size(),
                  t.node_count());
    const size_t n = flows.size();
    const size_t links = t.link_count();
    state_.assign(n, State::waiting);
    pending_.resize(n);
    next_seq_.assign(n, 0);
    packet_count_.assign(n, 0);
    received_.assign(n, 0);
    on_port_.assign(n, 0);
    retx_.resize(n);
    lost_.resize(n);
    rp_.resize(n);
    cc_armed_.assign(n, 0);
    sent_since_tick_.assign(n, 0);
    last_cnp_.assign(n, SimTime::ps(-1));
    eligible_.assign(n, SimTime::zero());
    cc_gen_.assign(n, 0);
    latency_.assign(n, SimTime::zero());
    result_.flow.start.assign(n, SimTime::zero());
    result_.flow.end.assign(n, SimTime::zero());
    result_.flow.stalled_for.assign(n, SimTime::zero());
    stalled_.assign(n, 0);
    ever_stalled_.assign(n, 0);
    stalled_since_.assign(n, SimTime::zero());
    compute_.init(t.node_count(), n, result_.flow, options.node_busy_power);
    compute_gen_.assign(n, 0);
    track_power_ = !options.node_busy_power.empty() || !options.link_energy_per_byte.empty();
    tx_power_.assign(links, 0.0);
    groups_ = options.link_energy_groups.size();
    group_power_.assign(groups_, 0.0);
    tx_rate_.assign(groups_ > 0 ? links : 0, 0.0);
    result_.flow.peak_link_group_power.assign(groups_, 0.0);

    dependent_offset_.assign(n + 1, 0);
    for (uint32_t f = 0; f < n; ++f) {
      pending_[f] = static_cast<uint32_t>(flows.deps(FlowId(f)).size());
      for (FlowId d : flows.deps(FlowId(f))) ++dependent_offset_[d.value() + 1];
    }
    for (size_t i = 0; i < n; ++i) dependent_offset_[i + 1] += dependent_offset_[i];
    dependents_.resize(dependent_offset_[n]);
    std::vector<uint32_t> fill(dependent_offset_.begin(), dependent_offset_.end() - 1);
    for (uint32_t f = 0; f < n; ++f) {
      for (FlowId d : flows.deps(FlowId(f))) dependents_[fill[d.value()]++] = f;
    }

    // Paths: the planned one first; with spraying, more equal-cost ones that leave by
    // the same first link (the sender's port is the flow's; docs explain).
    links_ = paths.links;
    alt_begin_.resize(n + 1);
    alt_start_.reserve(n);
    alt_len_.reserve(n);
    std::unique_ptr<topo::ShortestPathRouter> spray;
    if (c.load_balance == LoadBalance::spray) {
      spray = std::make_unique<topo::ShortestPathRouter>(t, topo::MultipathPolicy::ecmp);
    }
    std::vector<LinkId> scratch;
    // Capacities: the topology's, then those that differ at time 0 (circuits not set yet).
    rate_.resize(links);
    up_.resize(links);
    capacities_.init(t, options);
    for (uint32_t l = 0; l < links; ++l) rate_[l] = capacities_.initial(l);
    for (uint32_t l = 0; l < links; ++l) up_[l] = rate_[l] > 0;
    for (uint32_t f = 0; f < n; ++f) {
      alt_begin_[f] = static_cast<uint32_t>(alt_start_.size());
      const auto planned = paths.of(FlowId(f));
      alt_start_.push_back(paths.offset[f]);
      alt_len_.push_back(static_cast<uint16_t>(planned.size()));
      ROSHNI_ASSERT(planned.size() < 65535, "path of {} hops", planned.size());
      if (!planned.empty()) latency_[f] = topo::path_latency(t, planned);
      if (spray && !planned.empty() && flows.pinned_path(FlowId(f)).empty()) {
        for (uint32_t k = 1; k < c.spray_paths; ++k) {
          scratch.clear();
          const uint64_t h = topo::flow_hash(options.seed ^ (0x9e3779b97f4a7c15ULL * k), f);
          if (!spray->route(flows.src(FlowId(f)), flows.dst(FlowId(f)), h, scratch)) break;
          if (scratch.front() != planned.front() || scratch.size() != planned.size()) continue;
          bool seen = false;
          for (uint32_t a = alt_begin_[f]; a < alt_start_.size() && !seen; ++a) {
            seen = std::equal(scratch.begin(), scratch.end(), links_.begin() + alt_start_[a]);
          }
          if (seen) continue;
          alt_start_.push_back(static_cast<uint32_t>(links_.size()));
          alt_len_.push_back(static_cast<uint16_t>(scratch.size()));
          links_.insert(links_.end(), scratch.begin(), scratch.end());
        }
      }
    }
    alt_begin_[n] = static_cast<uint32_t>(alt_start_.size());
    route_.assign(n, kNone);

    // Capacity steps: absolute ones are scheduled at the start of the run, triggered ones
    // once the last flow they wait for is delivered (as in the flow model).
    step_triggers_.init(options.steps, n);

    // Ports.
    ps_per_byte_.resize(links);
    mtu_time_.resize(links);
    header_time_.resize(links);
    latency_l_.resize(links);
    pause_delay_.resize(links);
    forwarding_.resize(links);
    limits_.resize(links);
    bucket_width_.resize(links);
    cut_through_at_to_.resize(links);
    const PortLimits uniform{c.buffer, c.xoff, c.xon, c.ecn_threshold};
    for (uint32_t l = 0; l < links; ++l) {
      const LinkId id(l);
      latency_l_[l] = t.link_latency(id);
      forwarding_[l] = t.forwarding_latency(t.link_to(id));
    }
    for (uint32_t l = 0; l < links; ++l) set_rate(l, rate_[l]);
    for (uint32_t l = 0; l < links; ++l) {
      const LinkId id(l);
      // The port belongs to the node the link leaves; the node it enters decides whether
      // a packet is forwarded before its tail has arrived.
      const uint32_t from = t.link_from(id).value();
      const uint32_t to = t.link_to(id).value();
      limits_[l] = c.node_limits.empty() ? uniform : c.node_limits[from];
      ROSHNI_ASSERT(limits_[l].buffer >= c.mtu && limits_[l].xon < limits_[l].xoff,
                    "port limits of node {} not validated", from);
      bucket_width_[l] = std::max<uint64_t>(1, (limits_[l].buffer + 63) / 64);
      const Switching sw = c.node_switching.empty() ? c.switching : c.node_switching[to];
      cut_through_at_to_[l] = sw == Switching::cut_through;
    }
    fifo_.resize(links);
    queued_.assign(links, 0);
    busy_.assign(links, 0);
    paused_.assign(links, 0);
    in_service_.assign(links, kNone);
    in_service_bytes_.assign(links, 0);
    in_service_transit_.assign(links, 0);
    tx_gen_.assign(links, 0);
    held_.assign(links, kNone);
    held_transit_.assign(links, 0);
    tx_start_.assign(links, SimTime::zero());
    tail_here_.assign(links, SimTime::zero());
    pause_arrives_.assign(links, SimTime::zero());
    rr_.assign(links, 0);
    sources_.resize(links);
    cursor_.assign(links, 0);
    wake_at_.assign(links, SimTime::max());
    paused_ingress_.resize(links);
    pause_refs_.assign(links, 0);
    link_bytes_.assign(links, 0);
    hist_at_.assign(links, kNone);
    last_change_.assign(links, SimTime::zero());
    auto& s = result_.packet;
    s.queue_max.assign(links, 0);
    s.queue_p50.assign(links, 0);
    s.queue_p99.assign(links, 0);
    s.pauses_sent.assign(links, 0);
    s.port_drops.assign(links, 0);
    s.completion.assign(n, SimTime::zero());
    s.final_rate.assign(n, 0.0);
    pool_.reserve(1 << 14);
  }

  PacketRunResult run() {
    const size_t n = flows_.size();
    sim_.queue().reserve(std::min<size_t>(2 * n + 4096, size_t{1} << 24));
    // In the flow model's order, so that equal-time events fall the same way: capacity
    // steps, then starts, then the coupling's first tick.
    for (uint32_t i = 0; i < options_.steps.size(); ++i) {
      if (options_.steps[i].after.empty()) sim_.schedule(options_.steps[i].at, kCapacity, i);
    }
    for (uint32_t f = 0; f < n; ++f) {
      if (pending_[f] == 0) sim_.schedule(flows_.earliest_start(FlowId(f)), kStart, f);
    }
    if (options_.coupling != nullptr && n > 0) {
      period_ = options_.coupling->period();
      ROSHNI_ASSERT(period_ > SimTime::zero(), "a coupling's period must be positive");
      sim_.schedule(period_, kTick, 0);
    }
    sim_.run(*this);
    compute_.settle_all(result_.flow.makespan);
    for (uint32_t f = 0; f < n; ++f) {  // still stalled when the run ran out of events
      if (stalled_[f]) end_stall(f, sim_.now());
    }
    auto& r = result_.flow;
    r.events = sim_.events_processed();
    r.link_bytes.resize(link_bytes_.size());
    for (size_t l = 0; l < link_bytes_.size(); ++l) {
      r.link_bytes[l] = bytes(static_cast<double>(link_bytes_[l]));
    }
    finish_histograms();
    // Ports paused with packets waiting are a PFC deadlock only if no link is down: behind
    // a dead link they are waiting for it (the unfinished flows name it).
    const bool all_up = std::find(up_.begin(), up_.end(), 0) == up_.end();
    for (uint32_t q = 0; q < fifo_.size() && all_up; ++q) {
      if (paused_[q] && (!fifo_[q].empty() || !sources_[q].empty())) {
        ++result_.packet.deadlocked_ports;
      }
    }
    for (uint32_t f = 0; f < n; ++f) {
      if (c_.congestion_control == CongestionControl::dcqcn && !flows_.is_compute(FlowId(f))) {
        result_.packet.final_rate[f] = rp_[f].rate();
      }
      if (state_[f] == State::delivered) continue;
      UnfinishedFlow u{FlowId(f),
                       state_[f] == State::transmitting ? UnfinishedFlow::State::transmitting
                       : state_[f] == State::no_route   ? UnfinishedFlow::State::no_route
                                                        : UnfinishedFlow::State::waiting,
                       FlowId::invalid(), stuck_at_dead_link(f)};
      for (FlowId d : flows_.deps(FlowId(f))) {
        if (state_[d.value()] != State::delivered) {
          u.waiting_for = d;
          break;
        }
      }
      r.unfinished.push_back(u);
    }
    return std::move(result_);
  }

  void handle(const sim::Event& e) {
    switch (e.kind) {
      case kStart: start(e.target); break;
      case kDelivered: delivered(e.target); break;
      case kTxDone:
        if (e.generation == tx_gen_[e.target]) tx_done(e.target);
        break;
      case kArrive:
        if (e.generation == pool_[e.target].epoch) arrive(e.target);
        break;
      case kPause: paused_[e.target] = 1; break;
      case kResume:
        paused_[e.target] = 0;
        try_send(e.target);
        break;
      case kWake:
        wake_at_[e.target] = SimTime::max();
        try_send(e.target);
        break;
      case kRetransmit: retransmit(e.target); break;
      case kCnp: cnp(e.target); break;
      case kCcTimer:
        if (e.generation == cc_gen_[e.target]) cc_timer(e.target);
        break;
      case kCapacity: apply_step(e.target); break;
      case kComputeDone:
        if (e.generation == compute_gen_[e.target]) compute_done(e.target);
        break;
      case kTick: tick(); break;
      default: ROSHNI_ASSERT(false, "unknown event kind {}", e.kind);
    }
  }

  /// The peaks of the dynamic power, after every timestamp's changes (as the flow model).
  void end_of_timestamp(SimTime now) {
    if (links_came_up_) retry_after_links_came_up();
    if (!track_power_) return;
    auto& r = result_.flow;
    const double compute_power = compute_.power();
    if (compute_power > r.peak_compute_power) r.peak_compute_power = compute_power;
    if (link_power_ > r.peak_link_power) r.peak_link_power = link_power_;
    for (size_t g = 0; g < groups_; ++g) {
      r.peak_link_group_power[g] = std::max(r.peak_link_group_power[g], group_power_[g]);
    }
    const double sum = compute_power + link_power_;
    if (sum > r.peak_dynamic_power) {
      r.peak_dynamic_power = sum;
      r.peak_dynamic_at = now;
    }
  }

 private:
  SimTime serialisation(uint32_t l, uint64_t b) const {
    // b / B rounded up to a whole picosecond; the link's rate is bytes per second.
    return to_sim_time_ceil(seconds(static_cast<double>(b) * ps_per_byte_[l] * 1e-12));
  }
  SimTime ser(uint32_t l, uint32_t b) const {
    return b == c_.mtu ? mtu_time_[l] : serialisation(l, b);
  }
  bool dcqcn() const { return c_.congestion_control == CongestionControl::dcqcn; }
  /// The flow's paths: its planned ones, or the one it was routed on when it started.
  uint32_t alt_first(uint32_t f) const { return route_[f] != kNone ? route_[f] : alt_begin_[f]; }
  uint32_t alt_count(uint32_t f) const {
    return route_[f] != kNone ? 1 : alt_begin_[f + 1] - alt_begin_[f];
  }
  uint32_t first_port(uint32_t f) const { return links_[alt_start_[alt_first(f)]].value(); }
  /// Something left to put on the wire: a packet not yet created or one to resend.
  bool has_to_send(uint32_t f) const {
    return next_seq_[f] < packet_count_[f] || !retx_[f].empty();
  }

  // ---- flows ----

  void start(uint32_t f) {
    const SimTime now = sim_.now();
    result_.flow.start[f] = now;
    if (flows_.is_compute(FlowId(f))) {
      state_[f] = State::transmitting;
      start_compute(f, now);
      return;
    }
    // Pinned paths are the user's choice and are kept, dead or alive. Others are routed
    // now (fabrics whose links come and go) or rerouted if a planned path is dead.
    if (alt_len_[alt_begin_[f]] > 0 && flows_.pinned_path(FlowId(f)).empty() &&
        !options_.route_at_start && !paths_up(f) &&
        path_up(alt_start_[alt_begin_[f]], alt_len_[alt_begin_[f]])) {
      // The planned path is up but a sprayed alternative is not: the flow keeps to its
      // planned path (as the flow model, which has no alternatives, would).
      route_[f] = alt_begin_[f];
    }
    if (alt_len_[alt_begin_[f]] > 0 && flows_.pinned_path(FlowId(f)).empty() &&
        (options_.route_at_start || (options_.reroute && !paths_up(f)))) {
      if (!route_now(f)) {
        // No live path now: wait for a link to come up, then try again.
        state_[f] = State::no_route;
        no_route_.push_back(f);
        return;
      }
      if (!options_.route_at_start) ++result_.flow.flows_rerouted;
    }
    state_[f] = State::transmitting;
    const uint64_t size = static_cast<uint64_t>(flows_.flow_size(FlowId(f)).si());
    if (size == 0 || alt_len_[alt_begin_[f]] == 0) {
      // Nothing to packetise (or src == dst): delivered after the path's latency.
      sim_.schedule(now + latency_[f], kDelivered, f);
      return;
    }
    packet_count_[f] = static_cast<uint32_t>((size + c_.mtu - 1) / c_.mtu);
    update_stall(f, now);
    if (dcqcn()) {
      // The line rate of the flow's first link; a link that is down now starts at its
      // topology rate.
      const uint32_t q = first_port(f);
      rp_[f].start(up_[q] ? rate_[q] : t_.link_capacity(LinkId(q)).si());
      arm_cc_timer(f);
    }
    join_port(f);
  }

  void join_port(uint32_t f) {
    if (on_port_[f]) return;
    on_port_[f] = 1;
    const uint32_t q = first_port(f);
    sources_[q].push_back(f);
    try_send(q);
  }

  void delivered(uint32_t f) {
    const SimTime now = sim_.now();
    if (now == SimTime::max()) {  // times that overflow saturate there (sim_time.h)
      throw TimeExhausted(fmt::format(
          "simulated time ran out (2^63 - 1 ps, about 106.8 days) before '{}' was done",
          flows_.label(FlowId(f))));
    }
    if (stalled_[f]) end_stall(f, now);
    state_[f] = State::delivered;
    ++delivered_count_;
    result_.flow.end[f] = now;
    result_.flow.makespan = std::max(result_.flow.makespan, now);
    if (!flows_.is_compute(FlowId(f))) result_.packet.completion[f] = now - result_.flow.start[f];
    for (uint32_t k = dependent_offset_[f]; k < dependent_offset_[f + 1]; ++k) {
      const uint32_t d = dependents_[k];
      if (--pending_[d] > 0) continue;
      const SimTime earliest = flows_.earliest_start(FlowId(d));
      if (earliest > now) {
        sim_.schedule(earliest, kStart, d);
      } else {
        start(d);
      }
    }
    step_triggers_.delivered(f, [&](uint32_t i) {
      sim_.schedule(now + options_.steps[i].delay, kCapacity, i);
    });
  }

  // ---- compute steps, and the coupling that may slow them (as in the flow model) ----

  /// A packet starts (+ its rate) or leaves (- the rate it started at) the wire of port
  /// q: each energy group's power moves by its joules per byte there times that rate.
  void add_group_power(uint32_t q, double rate) {
    for (size_t g = 0; g < groups_; ++g) {
      group_power_[g] += options_.link_energy_groups[g][q] * rate;
    }
  }

  double link_energy_per_byte(uint32_t l) const {
    return options_.link_energy_per_byte.empty() ? 0.0 : options_.link_energy_per_byte[l];
  }

  void start_compute(uint32_t f, SimTime now) {
    const SimTime end = compute_.start(f, flows_.src(FlowId(f)).value(), now, flows_.compute_time(FlowId(f)),
                                       [&](uint32_t g, SimTime at) { retime_compute(g, at); });
    sim_.schedule(end, kComputeDone, f, compute_gen_[f]);
  }

  void compute_done(uint32_t f) {
    if (sim_.now() == SimTime::max()) delivered(f);  // throws TimeExhausted
    compute_.finish(f, flows_.src(FlowId(f)).value(), sim_.now(),
                    [&](uint32_t g, SimTime at) { retime_compute(g, at); });
    ++compute_gen_[f];
    delivered(f);
  }

  /// Compute step f now ends at `end` (its node's speed or its share of it changed).
  void retime_compute(uint32_t f, SimTime end) {
    ++compute_gen_[f];
    sim_.schedule(end, kComputeDone, f, compute_gen_[f]);
  }

  void tick() {
    // A tick scheduled before the last delivery may fire after it: the run is over.
    if (delivered_count_ == flows_.size()) return;
    const SimTime now = sim_.now();
    compute_.step_coupling(*options_.coupling, now,
                           [&](uint32_t f, SimTime end) { retime_compute(f, end); });
    // Keep ticking only while something else can still happen.
    if (!sim_.queue().empty()) sim_.schedule(now + period_, kTick, 0);
  }

  // ---- ports ----

  /// The next paced flow at port q that may send now, round robin; `wake` gets the
  /// earliest time a paced one may.
  uint32_t pick_source(uint32_t q, SimTime now, SimTime& wake) {
    auto& list = sources_[q];
    uint32_t i = cursor_[q];
    for (uint32_t k = 0; k < list.size();) {
      if (i >= list.size()) i = 0;
      const uint32_t f = list[i];
      if (!has_to_send(f)) {
        // Done sending (for now): leave the port; a retransmission brings it back.
        on_port_[f] = 0;
        list[i] = list.back();
        list.pop_back();
        continue;
      }
      if (dcqcn() && eligible_[f] > now) {
        wake = std::min(wake, eligible_[f]);
        ++i;
        ++k;
        continue;
      }
      cursor_[q] = i + 1;
      return f;
    }
    return kNone;
  }

  uint32_t new_packet(uint32_t f, SimTime now) {
    uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<uint32_t>(pool_.size());
      pool_.emplace_back();
    }
    Packet& p = pool_[id];
    const uint32_t seq = next_seq_[f]++;
    const uint64_t size = static_cast<uint64_t>(flows_.flow_size(FlowId(f)).si());
    const uint32_t alts = alt_count(f);
    const uint32_t a = alt_first(f) + (alts > 1 ? seq % alts : 0);
    p.sent = now;
    p.tail = now;
    p.flow = f;
    p.path = alt_start_[a];
    p.bytes = static_cast<uint32_t>(std::min<uint64_t>(c_.mtu, size - uint64_t{seq} * c_.mtu));
    p.hop = 0;
    p.hops = alt_len_[a];
    p.ecn = 0;  // the epoch is kept: a stale arrival of the id's last packet stays void
    ++result_.packet.packets;
    return id;
  }

  void try_send(uint32_t q) {
    if (busy_[q] || paused_[q] || !up_[q]) return;
    const SimTime now = sim_.now();
    if (held_[q] != kNone) {
      // Lossless: the packet a link failure cut is sent again first (link-level replay).
      const uint32_t id = held_[q];
      held_[q] = kNone;
      transmit(q, id, held_transit_[q], now);
      return;
    }
    const bool transit = !fifo_[q].empty();
    uint32_t id = kNone;
    bool from_transit = false;
    if (!sources_[q].empty() && (!transit || rr_[q])) {
      SimTime wake = SimTime::max();
      const uint32_t f = pick_source(q, now, wake);
      if (f != kNone) {
        if (!retx_[f].empty()) {
          id = retx_[f].pop();
          pool_[id].sent = now;
          ++result_.packet.retransmissions;
        } else {
          id = new_packet(f, now);
        }
        if (dcqcn()) {
          sent_since_tick_[f] = 1;
          if (!cc_armed_[f]) arm_cc_timer(f);
          eligible_[f] =
              now + to_sim_time_ceil(seconds(static_cast<double>(pool_[id].bytes) / rp_[f].rate()));
        }
      } else if (wake < wake_at_[q] && !transit) {
        wake_at_[q] = wake;
        sim_.schedule(wake, kWake, q);
      }
    }
    if (id == kNone && transit) {
      id = fifo_[q].pop();
      from_transit = true;
    }
    if (id == kNone) return;
    rr_[q] ^= 1;
    transmit(q, id, from_transit, now);
  }

  // Inlined, as the queue updates below: the hot path of every packet-hop (as calls they
  // cost ~4% more instructions on an all-to-all).
  [[gnu::always_inline]] void transmit(uint32_t q, uint32_t id, bool from_transit, SimTime now) {
    Packet& p = pool_[id];
    busy_[q] = 1;
    in_service_[q] = id;
    tx_start_[q] = now;
    if (track_power_) {
      // While a packet is on the wire its link (and the switch it enters) draws its
      // energy per byte times the line rate: the per-bit energy, spent as it is carried.
      tx_power_[q] = link_energy_per_byte(q) * rate_[q];
      link_power_ += tx_power_[q];
      if (groups_ > 0) {
        tx_rate_[q] = rate_[q];
        add_group_power(q, rate_[q]);
      }
    }
    in_service_bytes_[q] = p.bytes;
    in_service_transit_[q] = from_transit;
    const SimTime s = ser(q, p.bytes);
    SimTime done = now + s;
    // Cut through at this node: the packet may have been eligible before its tail came.
    if (done < p.tail) done = p.tail;
    sim_.schedule(done, kTxDone, q, tx_gen_[q]);
    const bool last = p.hop + 1 == p.hops;
    const SimTime tail = done + latency_l_[q] + (last ? SimTime::zero() : forwarding_[q]);
    tail_here_[q] = p.tail;  // when its tail is at this node, should a failure cut it
    p.tail = tail;
    if (cut_through_at_to_[q] && !last) {
      sim_.schedule(std::min(tail, now + header_time_[q] + latency_l_[q] + forwarding_[q]),
                    kArrive, id, p.epoch);
    } else {
      sim_.schedule(tail, kArrive, id, p.epoch);
    }
  }

  void tx_done(uint32_t q) {
    busy_[q] = 0;
    if (track_power_) {
      link_power_ -= tx_power_[q];
      if (groups_ > 0) add_group_power(q, -tx_rate_[q]);
    }
    const uint32_t b = in_service_bytes_[q];
    link_bytes_[q] += b;
    ++result_.packet.packet_hops;
    if (in_service_transit_[q]) leave_queue(q, b);
    in_service_[q] = kNone;
    try_send(q);
  }

  /// b bytes leave port q's buffer; below xon, the links it paused may send again.
  [[gnu::always_inline]] void leave_queue(uint32_t q, uint32_t b) {
    set_queue(q, queued_[q] - b);
    if (queued_[q] < limits_[q].xon && !paused_ingress_[q].empty()) {
      for (uint32_t in : paused_ingress_[q]) {
        if (--pause_refs_[in] == 0) {
          // Never before the pause it answers, even if the link's rate changed in between.
          sim_.schedule(std::max(sim_.now() + pause_delay_[in], pause_arrives_[in]), kResume, in);
        }
      }
      paused_ingress_[q].clear();
    }
  }

  /// Packet id is lost (dropped at a full buffer, or cut by a failing link): its sender
  /// resends it one retransmit timeout after it sent it. One timer per flow, for its
  /// oldest loss: the heap holds one event per flow with losses, not one per lost packet.
  void lose(uint32_t id, uint32_t q) {
    const Packet& p = pool_[id];
    ++result_.packet.drops;
    ++result_.packet.port_drops[q];
    auto& wait = lost_[p.flow];
    if (wait.empty()) {
      sim_.schedule(std::max(sim_.now(), p.sent + c_.retransmit_timeout), kRetransmit, p.flow);
    }
    wait.push(id);
  }

  void arrive(uint32_t id) {
    Packet& p = pool_[id];
    const SimTime now = sim_.now();
    if (p.hop + 1 == p.hops) {
      receive(id);
      return;
    }
    const uint32_t in = links_[p.path + p.hop].value();
    ++p.hop;
    const uint32_t q = links_[p.path + p.hop].value();
    const PortLimits& lim = limits_[q];
    if (c_.mode == LossMode::lossy && queued_[q] + p.bytes > lim.buffer) {
      lose(id, q);
      return;
    }
    if (queued_[q] > lim.ecn_threshold) {
      p.ecn = 1;
      ++result_.packet.ecn_marks;
    }
    set_queue(q, queued_[q] + p.bytes);
    if (queued_[q] > lim.buffer) ++result_.packet.headroom_overruns;
    if (c_.mode == LossMode::lossless && queued_[q] > lim.xoff) {
      auto& list = paused_ingress_[q];
      if (std::find(list.begin(), list.end(), in) == list.end()) {
        list.push_back(in);
        if (pause_refs_[in]++ == 0) {
          ++result_.packet.pauses;
          ++result_.packet.pauses_sent[in];
          pause_arrives_[in] = now + pause_delay_[in];
          sim_.schedule(pause_arrives_[in], kPause, in);
        }
      }
    }
    fifo_[q].push(id);
    try_send(q);
  }

  void receive(uint32_t id) {
    const Packet& p = pool_[id];
    const uint32_t f = p.flow;
    const SimTime now = sim_.now();
    received_[f] += p.bytes;
    if (p.ecn && dcqcn() &&
        (last_cnp_[f] < SimTime::zero() || now - last_cnp_[f] >= c_.dcqcn.cnp_interval)) {
      last_cnp_[f] = now;
      ++result_.packet.cnps;
      sim_.schedule(now + latency_[f], kCnp, f);
    }
    free_.push_back(id);
    if (received_[f] == static_cast<uint64_t>(flows_.flow_size(FlowId(f)).si())) delivered(f);
  }

  /// Moves the lost packets of flow f whose timeout has run out to its resend list (in
  /// the order they were lost; one lost behind a later-sent one waits for it, a simplification
  /// that only spraying can cause), and re-arms the timer for the next.
  void retransmit(uint32_t f) {
    const SimTime now = sim_.now();
    auto& wait = lost_[f];
    while (!wait.empty() && pool_[wait.front()].sent + c_.retransmit_timeout <= now) {
      const uint32_t id = wait.pop();
      Packet& p = pool_[id];
      p.hop = 0;
      p.ecn = 0;
      p.tail = now;
      if (path_up(p.path, p.hops)) {
        retx_[f].push(id);
      } else {
        // Resent now it would only be lost again at the dead link, and again after every
        // timeout, for as long as the link is down (for ever, if it never comes back):
        // it waits for a link to come up instead.
        parked_.push_back(id);
      }
    }
    if (!wait.empty()) {
      sim_.schedule(pool_[wait.front()].sent + c_.retransmit_timeout, kRetransmit, f);
    }
    join_port(f);
  }

  // ---- DCQCN (equations at the top of this file; the sender's side in dcqcn.h) ----

  void cnp(uint32_t f) {
    if (state_[f] != State::transmitting) return;
    rp_[f].cnp(c_.dcqcn);
    // The rate-increase timer restarts from the decrease.
    arm_cc_timer(f);
  }

  void arm_cc_timer(uint32_t f) {
    cc_armed_[f] = 1;
    sim_.schedule(sim_.now() + c_.dcqcn.period, kCcTimer, f, ++cc_gen_[f]);
  }

  void cc_timer(uint32_t f) {
    if (state_[f] != State::transmitting) return;
    rp_[f].period(c_.dcqcn);
    // The timer runs while the flow sends; one that sent nothing for a whole period
    // (paused, or done) lets it lapse, and its next packet re-arms it, so timers never
    // keep a finished (or PFC-deadlocked) run alive.
    if (sent_since_tick_[f]) {
      sim_.schedule(sim_.now() + c_.dcqcn.period, kCcTimer, f, cc_gen_[f]);
    } else {
      cc_armed_[f] = 0;
    }
    sent_since_tick_[f] = 0;
  }

  // ---- links that change: failures, circuits set up and torn down ----

  /// Port l's rate is now r bytes/s (0: down): the serialisation times of its packets and
  /// of the pause frames sent back over it follow.
  void set_rate(uint32_t l, double r) {
    rate_[l] = r;
    ps_per_byte_[l] = r > 0 ? 1e12 / r : 0.0;
    mtu_time_[l] = serialisation(l, c_.mtu);
    header_time_[l] = serialisation(l, kControlFrameBytes);
    // pause_delay_[x] is a pause frame's trip back over x's reverse link, which is l for
    // x = reverse(l).
    const uint32_t x = t_.link_reverse(LinkId(l)).value();
    pause_delay_[x] = header_time_[l] + latency_l_[l];
  }

  void apply_step(uint32_t i) {
    bool came_up = false, up_changed = false;
    const std::vector<uint32_t>& changed = capacities_.apply(options_.steps[i]);
    for (uint32_t l : changed) {
      const bool was_up = up_[l];
      set_rate(l, capacities_.capacity(l));
      up_[l] = rate_[l] > 0;
      if (was_up != static_cast<bool>(up_[l])) {
        router_.links_changed();
        up_changed = true;
      }
      if (was_up && !up_[l]) link_down(l);
      if (!was_up && up_[l]) came_up = true;
    }
    if (up_changed) {
      for (uint32_t f = 0; f < state_.size(); ++f) {
        if (state_[f] == State::transmitting && packet_count_[f] > 0) update_stall(f, sim_.now());
      }
    }
    // Only now, once every link of the step has its new state, do ports send again.
    for (uint32_t l : changed) try_send(l);
    // Flows without a route, and resends held back, try again once every step of this
    // instant is in (end_of_timestamp), as in the flow model.
    if (came_up) links_came_up_ = true;
  }

  void retry_after_links_came_up() {
    links_came_up_ = false;
    std::vector<uint32_t> waiting;
    waiting.swap(no_route_);
    for (uint32_t f : waiting) start(f);
    std::vector<uint32_t> parked;
    parked.swap(parked_);
    for (uint32_t id : parked) {
      const Packet& p = pool_[id];
      if (!path_up(p.path, p.hops)) {
        parked_.push_back(id);
        continue;
      }
      retx_[p.flow].push(id);
      join_port(p.flow);
    }
  }

  /// Port l went down. The packet it was serialising is cut (unless its head has already
  /// been forwarded, cut-through: that one is let finish): lossless, the port keeps it and
  /// sends it again, whole, when the link is back; lossy, it is lost and resent by its
  /// sender after the timeout. Packets queued at l wait, and PFC pauses upstream as the
  /// queue fills; packets already on the wire arrive.
  void link_down(uint32_t l) {
    if (!busy_[l]) return;
    const uint32_t id = in_service_[l];
    Packet& p = pool_[id];
    if (links_[p.path + p.hop].value() != l) return;  // its head is past the next node
    ++tx_gen_[l];
    ++p.epoch;
    busy_[l] = 0;
    if (track_power_) {
      link_power_ -= tx_power_[l];
      if (groups_ > 0) add_group_power(l, -tx_rate_[l]);
    }
    in_service_[l] = kNone;
    // A packet that started in this very instant has not put a bit on the wire: it is
    // kept in either mode (a flow that starts as its circuit is torn down loses nothing).
    const bool started_now = tx_start_[l] == sim_.now();
    if (!started_now) ++result_.packet.packets_cut;
    if (c_.mode == LossMode::lossless || started_now) {
      held_[l] = id;
      held_transit_[l] = in_service_transit_[l];
      p.tail = tail_here_[l];
      return;
    }
    if (in_service_transit_[l]) leave_queue(l, p.bytes);
    lose(id, l);
  }

  /// A flow that has started and is not delivered is stalled while no path it may use
  /// is up (as the flow model's flow at rate 0 behind a dead link).
  void update_stall(uint32_t f, SimTime now) {
    bool some_up = false;
    for (uint32_t a = alt_first(f); a < alt_first(f) + alt_count(f) && !some_up; ++a) {
      some_up = path_up(alt_start_[a], alt_len_[a]);
    }
    if (!some_up && !stalled_[f]) {
      stalled_[f] = 1;
      stalled_since_[f] = now;
      if (!ever_stalled_[f]) {
        ever_stalled_[f] = 1;
        ++result_.flow.flows_stalled;
      }
    } else if (some_up && stalled_[f]) {
      end_stall(f, now);
    }
  }
  void end_stall(uint32_t f, SimTime now) {
    result_.flow.stalled_for[f] += now - stalled_since_[f];
    stalled_[f] = 0;
  }

  bool path_up(uint32_t offset, uint32_t hops) const {
    for (uint32_t k = 0; k < hops; ++k) {
      if (!up_[links_[offset + k].value()]) return false;
    }
    return true;
  }

  /// Every path flow f may use is up.
  bool paths_up(uint32_t f) const {
    for (uint32_t a = alt_first(f); a < alt_first(f) + alt_count(f); ++a) {
      for (uint32_t k = 0; k < alt_len_[a]; ++k) {
        if (!up_[links_[alt_start_[a] + k].value()]) return false;
      }
    }
    return true;
  }

  /// Routes flow f now, min-hop ECMP over the links that are up, with the flow model's
  /// hash (so both models pick the same path), onto one path (no spraying after this).
  bool route_now(uint32_t f) {
    if (!router_.route(flows_.src(FlowId(f)), flows_.dst(FlowId(f)),
                       topo::flow_hash(options_.seed, f), scratch_)) {
      return false;
    }
    if (scratch_.size() >= 65535) {
      // A packet keeps its hop index in 16 bits. The loader refuses such planned paths;
      // a detour around a failed link (or over the circuits up now) is only known here.
      throw PathTooLong(fmt::format(
          "flow '{}' starting at {} is routed around links that are down onto a path of {} "
          "links; the packet model carries paths of at most 65,534 hops (use the flow model, "
          "\"network\": {{\"model\": \"flow\"}})",
          escape_text(flows_.label(FlowId(f))), to_string(sim_.now()), scratch_.size()));
    }
    route_[f] = static_cast<uint32_t>(alt_start_.size());
    alt_start_.push_back(static_cast<uint32_t>(links_.size()));
    alt_len_.push_back(static_cast<uint16_t>(scratch_.size()));
    links_.insert(links_.end(), scratch_.begin(), scratch_.end());
    latency_[f] = topo::path_latency(t_, scratch_);
    return true;
  }

  /// A dead link holding one of flow f's packets (queued or cut), for the report of a
  /// run that ended with f unfinished; invalid if there is none.
  LinkId stuck_at_dead_link(uint32_t f) const {
    for (uint32_t l = 0; l < up_.size(); ++l) {
      if (up_[l]) continue;
      if (held_[l] != kNone && pool_[held_[l]].flow == f) return LinkId(l);
      if (fifo_[l].contains_if([&](uint32_t id) { return pool_[id].flow == f; })) return LinkId(l);
      for (uint32_t g : sources_[l]) {
        if (g == f) return LinkId(l);
      }
    }
    for (uint32_t id : parked_) {
      const Packet& p = pool_[id];
      if (p.flow != f) continue;
      for (uint32_t k = 0; k < p.hops; ++k) {
        if (!up_[links_[p.path + k].value()]) return links_[p.path + k];
      }
    }
    return LinkId::invalid();
  }

  // ---- queue statistics: time-weighted histogram per port ----

  [[gnu::always_inline]] void set_queue(uint32_t q, uint64_t v) {
    const SimTime now = sim_.now();
    if (hist_at_[q] == kNone) {
      // The time before the port first queued anything counts as empty.
      hist_at_[q] = static_cast<uint32_t>(hist_.size());
      hist_.resize(hist_.size() + kBuckets, 0);
      hist_[hist_at_[q]] += static_cast<uint64_t>(now.ps());
    } else {
      hist_[hist_at_[q] + bucket(q, queued_[q])] += static_cast<uint64_t>((now - last_change_[q]).ps());
    }
    last_change_[q] = now;
    queued_[q] = v;
    auto& mx = result_.packet.queue_max[q];
    mx = std::max(mx, v);
  }
  uint32_t bucket(uint32_t q, uint64_t v) const {
    return static_cast<uint32_t>(std::min<uint64_t>(kBuckets - 1, v / bucket_width_[q]));
  }

  void finish_histograms() {
    const SimTime end = result_.flow.makespan;
    auto& s = result_.packet;
    for (uint32_t q = 0; q < hist_at_.size(); ++q) {
      if (hist_at_[q] == kNone) continue;
      uint64_t* h = &hist_[hist_at_[q]];
      if (end > last_change_[q]) h[bucket(q, queued_[q])] += static_cast<uint64_t>((end - last_change_[q]).ps());
      uint64_t total = 0;
      for (uint32_t b = 0; b < kBuckets; ++b) total += h[b];
      const auto percentile = [&](double p) -> uint64_t {
        const double want = p * static_cast<double>(total);
        uint64_t acc = 0;
        for (uint32_t b = 0; b < kBuckets; ++b) {
          acc += h[b];
          if (static_cast<double>(acc) >= want && acc > 0) {
            // The bucket's upper edge; a histogram cannot say more precisely. Bucket 0
            // holds the empty queue and counts as 0 when the queue was mostly empty.
            return b == 0 ? 0 : std::min(s.queue_max[q], (b + 1) * bucket_width_[q]);
          }
        }
        return s.queue_max[q];
      };
      s.queue_p50[q] = percentile(0.5);
      s.queue_p99[q] = percentile(0.99);
    }
  }

  const topo::Topology& t_;
  const FlowSet& flows_;
  const PacketConfig c_;
  const FlowRunOptions& options_;
  sim::Simulator sim_;
  PacketRunResult result_;

  // Per flow.
  std::vector<State> state_;
  std::vector<uint8_t> stalled_, ever_stalled_;  // behind dead links now / ever
  std::vector<SimTime> stalled_since_;
  std::vector<uint32_t> pending_;
  std::vector<uint32_t> next_seq_, packet_count_;
  std::vector<uint64_t> received_;
  std::vector<uint8_t> on_port_;
  std::vector<PacketRing> retx_;             // packets to resend, timed out, oldest first
  std::vector<PacketRing> lost_;             // packets lost, waiting for their timeout
  std::vector<DcqcnReactionPoint> rp_;       // DCQCN's sender state
  std::vector<uint8_t> cc_armed_, sent_since_tick_;
  std::vector<SimTime> last_cnp_, eligible_, latency_;
  std::vector<uint32_t> cc_gen_;
  std::vector<uint32_t> dependent_offset_, dependents_;
  std::vector<uint32_t> route_;      // flow -> the path it was routed on at start, or kNone
  std::vector<uint32_t> no_route_;   // flows waiting for a live path
  std::vector<uint32_t> alt_begin_;  // flow -> its first alternative path
  std::vector<uint32_t> alt_start_;  // alternative -> offset in links_
  std::vector<uint16_t> alt_len_;
  std::vector<LinkId> links_;

  // Compute steps, and the coupling.
  ComputeNodes compute_;
  std::vector<uint32_t> compute_gen_;         // bumped when a step's completion is re-timed
  SimTime period_;
  size_t delivered_count_ = 0;
  // Dynamic power now (W), for its peaks: GPUs computing, links carrying a packet.
  bool track_power_ = false;
  double link_power_ = 0;
  std::vector<double> tx_power_;  // per port: what its packet on the wire draws
  // The same split by group (FlowRunOptions::link_energy_groups): power now, and per
  // port the rate its packet on the wire started at.
  size_t groups_ = 0;
  std::vector<double> group_power_, tx_rate_;

  // Capacity steps (FlowRunOptions::steps) and what triggers them.
  StepTriggers step_triggers_;
  std::vector<LinkId> scratch_;

  // Per port (directed link).
  LinkCapacities capacities_;  // what the capacity steps and outages leave each link
  std::vector<double> rate_;  // bytes/s now
  std::vector<uint8_t> up_;
  LiveRouter router_{t_, up_};  // flows that start while links are down
  std::vector<double> ps_per_byte_;
  std::vector<SimTime> mtu_time_, header_time_, latency_l_, pause_delay_, forwarding_;
  std::vector<PacketRing> fifo_;
  std::vector<uint64_t> queued_;
  std::vector<uint8_t> busy_, paused_, in_service_transit_, rr_;
  std::vector<uint32_t> in_service_, in_service_bytes_;
  std::vector<uint32_t> tx_gen_;  // bumped when a failure voids the port's pending kTxDone
  std::vector<uint32_t> held_;    // lossless: the packet a failure cut, to send again
  std::vector<uint8_t> held_transit_;
  std::vector<SimTime> tx_start_;   // when the packet in service started
  std::vector<SimTime> tail_here_;  // when its tail was (or will be) at this port's node
  std::vector<SimTime> pause_arrives_;  // when the last pause frame for this port arrives
  std::vector<uint32_t> parked_;    // lossy: lost packets whose path is down, to resend
  bool links_came_up_ = false;
  std::vector<std::vector<uint32_t>> sources_;  // flows that send from this port
  std::vector<uint32_t> cursor_;
  std::vector<SimTime> wake_at_;
  std::vector<std::vector<uint32_t>> paused_ingress_;  // links this queue has paused
  std::vector<uint32_t> pause_refs_;                   // queues holding this link paused
  std::vector<uint64_t> link_bytes_;
  std::vector<uint32_t> hist_at_;
  std::vector<uint64_t> hist_;
  std::vector<SimTime> last_change_;
  std::vector<PortLimits> limits_;
  std::vector<uint64_t> bucket_width_;       // histogram bucket, bytes (buffer / 64)
  std::vector<uint8_t> cut_through_at_to_;   // link_to(l) cuts through

  // Packets.
  std::vector<Packet> pool_;
  std::vector<uint32_t> free_;
};

}  // namespace

PacketRunResult run_packet_model(const topo::Topology& t, const FlowSet& flows,
                                 const Paths& paths, const PacketConfig& config,
                                 const FlowRunOptions& options) {
  PacketModel model(t, flows, paths, config, options);
  return model.run();
}

}  // namespace roshni::net
