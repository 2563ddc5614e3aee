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
// records, handled by one switch over EventKind (packet.h).
//
// Parts, each with one job and its own arrays, all inlined into this file's hot path:
//   port_buffers.h   the ports' queues: occupancy, its histogram, PFC's bookkeeping
//   dcqcn_senders.h  DCQCN for every flow: reaction points, timers, pacing, CNP rule
//   lossy_resend.h   lossy mode: lost packets, their timeouts, resends, parked ones
//   packet_links.h   links that change: rates, up/down, serialisation, live routing
//   packet_paths.h   each flow's paths (planned, sprayed, routed at start), stalls
//   run_skeleton.h   what both network models share: releasing dependents, tasks and
//                    the coupling's ticks, routing at start, the unfinished report
// What draws power (a packet on a link's wire, a node computing) is told to the run's
// activity observer (activity_observer.h), if one is attached.
// This file keeps the flows (start, delivery), the ports' sending (round robin,
// transmit, arrive, receive) and what ties the parts together (a link going down). It
// stays one file (some 650 lines) because these are the handlers of one event switch
// that call each other on every packet-hop (try_send -> transmit -> tx_done/arrive ->
// receive -> delivered -> start) and must inline into it, which calls into another
// file cannot (as calls, transmit and the queue updates alone cost ~4% more
// instructions on an all-to-all; see transmit).
#include "roshni/net/packet_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "net/dcqcn_senders.h"
#include "net/lossy_resend.h"
#include "net/packet.h"
#include "net/packet_links.h"
#include "net/packet_paths.h"
#include "net/packet_ring.h"
#include "net/port_buffers.h"
#include "net/run_skeleton.h"
#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/sim/simulator.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

using namespace packet;  // the parts' shared vocabulary (packet.h)

enum class State : uint8_t { waiting, no_route, transmitting, delivered };

class PacketModel : public RunSkeleton<PacketModel> {
 public:
  PacketModel(const topo::Topology& t, const FlowSet& flows, const Paths& paths,
              const PacketConfig& c, const RunOptions& options)
      : RunSkeleton(t, flows, options), t_(t), c_(c), wires_(t) {
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
    next_seq_.assign(n, 0);
    packet_count_.assign(n, 0);
    received_.assign(n, 0);
    on_port_.assign(n, 0);
    resend_.init(n, c.retransmit_timeout);
    cc_.init(n, c.dcqcn);
    stalls_.init(n);
    observer_ = options.observer;

    // Links: the topology's rates, then those that differ at time 0 (circuits not set yet).
    wires_.init(options, c);
    // Paths: the planned one first; with spraying, more (packet_paths.h).
    paths_.init(t, flows, paths, c, options.seed);

    // Ports.
    buffers_.init(t, c);
    fifo_.resize(links);
    busy_.assign(links, 0);
    in_service_.assign(links, kNone);
    in_service_bytes_.assign(links, 0);
    in_service_transit_.assign(links, 0);
    tx_gen_.assign(links, 0);
    held_.assign(links, kNone);
    held_transit_.assign(links, 0);
    tx_start_.assign(links, SimTime::zero());
    tail_here_.assign(links, SimTime::zero());
    rr_.assign(links, 0);
    sources_.resize(links);
    cursor_.assign(links, 0);
    wake_at_.assign(links, SimTime::max());
    link_bytes_.assign(links, 0);
    auto& s = result_.packet;
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
    schedule_start(std::min<size_t>(2 * n + 4096, size_t{1} << 24));
    sim_.run(*this);
    tasks_.settle_all(run_.makespan);
    if (observer_ != nullptr) observer_->run_end(run_.makespan);
    for (uint32_t f = 0; f < n; ++f) {  // still stalled when the run ran out of events
      if (stalls_.stalled(f)) stalls_.end(f, sim_.now(), run_);
    }
    run_.events = sim_.events_processed();
    run_.link_bytes.resize(link_bytes_.size());
    for (size_t l = 0; l < link_bytes_.size(); ++l) {
      run_.link_bytes[l] = bytes(static_cast<double>(link_bytes_[l]));
    }
    buffers_.finish(run_.makespan, result_.packet);
    // Ports paused with packets waiting are a PFC deadlock only if no link is down: behind
    // a dead link they are waiting for it (the unfinished flows name it).
    const std::vector<uint8_t>& up = wires_.up();
    const bool all_up = std::find(up.begin(), up.end(), 0) == up.end();
    for (uint32_t q = 0; q < fifo_.size() && all_up; ++q) {
      if (buffers_.paused(q) && (!fifo_[q].empty() || !sources_[q].empty())) {
        ++result_.packet.deadlocked_ports;
      }
    }
    for (uint32_t f = 0; f < n; ++f) {
      if (c_.congestion_control == CongestionControl::dcqcn && !flows_.is_task(FlowId(f))) {
        result_.packet.final_rate[f] = cc_.rate(f);
      }
    }
    report_unfinished([&](uint32_t f) { return state_[f] == State::delivered; },
                      [&](uint32_t f, Unfinished& u) {
                        u.state = state_[f] == State::transmitting ? Unfinished::State::transmitting
                                  : state_[f] == State::no_route   ? Unfinished::State::no_route
                                                                   : Unfinished::State::waiting;
                        u.dead_link = stuck_at_dead_link(f);
                      });
    result_.run = std::move(run_);
    return std::move(result_);
  }

  void handle(const sim::Event& e) {
    switch (e.kind) {
      case kTxDone:
        if (e.generation == tx_gen_[e.target]) tx_done(e.target);
        break;
      case kArrive:
        if (e.generation == pool_[e.target].epoch) arrive(e.target);
        break;
      case kPause: buffers_.set_paused(e.target, true); break;
      case kResume:
        buffers_.set_paused(e.target, false);
        try_send(e.target);
        break;
      case kWake:
        wake_at_[e.target] = SimTime::max();
        try_send(e.target);
        break;
      case kRetransmit: retransmit(e.target); break;
      case kCnp: cnp(e.target); break;
      case kCcTimer:
        if (cc_.current(e.target, e.generation)) cc_timer(e.target);
        break;
      default:
        if (!handle_run_event(e)) ROSHNI_ASSERT(false, "unknown event kind {}", e.kind);
    }
  }

  /// The peaks of the dynamic power, after every timestamp's changes (as the flow model).
  void end_of_timestamp(SimTime now) {
    if (links_came_up_) retry_after_links_came_up();
    if (observer_ != nullptr) observer_->instant_end(now);
    schedule_next_tick(now);
  }

 private:
  bool dcqcn() const { return c_.congestion_control == CongestionControl::dcqcn; }
  /// Something left to put on the wire: a packet not yet created or one to resend.
  bool has_to_send(uint32_t f) const {
    return next_seq_[f] < packet_count_[f] || resend_.has_resend(f);
  }

  // ---- flows ----

  friend class RunSkeleton<PacketModel>;

  void start(uint32_t f) {
    const SimTime now = sim_.now();
    run_.start[f] = now;
    if (flows_.is_task(FlowId(f))) {
      state_[f] = State::transmitting;
      start_task(f, now);
      return;
    }
    // Pinned paths are the user's choice and are kept, dead or alive. Others are routed
    // now (fabrics whose links come and go) or rerouted if a planned path is dead.
    const uint32_t planned = paths_.planned(f);
    if (paths_.length(planned) > 0 && flows_.pinned_path(FlowId(f)).empty() &&
        !options_.route_at_start && !paths_.all_up(f, wires_) &&
        paths_.up(paths_.start(planned), paths_.length(planned), wires_)) {
      // The planned path is up but a sprayed alternative is not: the flow keeps to its
      // planned path (as the flow model, which has no alternatives, would).
      paths_.keep_planned(f);
    }
    const RouteChoice route = paths_.length(planned) == 0
        ? RouteChoice::keep
        : route_choice(f, [&] { return paths_.all_up(f, wires_); });
    if (route != RouteChoice::keep) {
      if (!route_now(f)) {
        // No live path now: wait for a link to come up, then try again.
        state_[f] = State::no_route;
        wait_for_route(f);
        return;
      }
      if (route == RouteChoice::reroute) ++run_.flows_rerouted;
    }
    state_[f] = State::transmitting;
    const uint64_t size = static_cast<uint64_t>(flows_.flow_size(FlowId(f)).si());
    if (size == 0 || paths_.length(planned) == 0) {
      // Nothing to packetise (or src == dst): delivered after the path's latency.
      sim_.schedule(now + paths_.latency(f) + flows_.extra_latency(FlowId(f)), kDelivered, f);
      return;
    }
    packet_count_[f] = static_cast<uint32_t>((size + c_.mtu - 1) / c_.mtu);
    update_stall(f, now);
    if (dcqcn()) {
      // The line rate of the flow's first link; a link that is down now starts at its
      // topology rate.
      const uint32_t q = paths_.first_port(f);
      cc_.start(f, wires_.up(q) ? wires_.rate(q) : t_.link_capacity(LinkId(q)).si(), sim_);
    }
    join_port(f);
  }

  void join_port(uint32_t f) {
    if (on_port_[f]) return;
    on_port_[f] = 1;
    const uint32_t q = paths_.first_port(f);
    sources_[q].push_back(f);
    try_send(q);
  }

  void delivered(uint32_t f) {
    const SimTime now = sim_.now();
    if (now == SimTime::max()) time_ran_out(f);  // times that overflow saturate there
    if (stalls_.stalled(f)) stalls_.end(f, now, run_);
    state_[f] = State::delivered;
    if (!flows_.is_task(FlowId(f))) result_.packet.completion[f] = now - run_.start[f];
    release(f, now);
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
      if (dcqcn() && !cc_.may_send(f, now, wake)) {
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
    const uint32_t alts = paths_.count(f);
    const uint32_t a = paths_.first(f) + (alts > 1 ? seq % alts : 0);
    p.sent = now;
    p.tail = now;
    p.flow = f;
    p.path = paths_.start(a);
    p.bytes = static_cast<uint32_t>(std::min<uint64_t>(c_.mtu, size - uint64_t{seq} * c_.mtu));
    p.hop = 0;
    p.hops = paths_.length(a);
    p.ecn = 0;  // the epoch is kept: a stale arrival of the id's last packet stays void
    ++result_.packet.packets;
    return id;
  }

  void try_send(uint32_t q) {
    if (busy_[q] || buffers_.paused(q) || !wires_.up(q)) return;
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
        if (resend_.has_resend(f)) {
          id = resend_.pop_resend(f);
          pool_[id].sent = now;
          ++result_.packet.retransmissions;
        } else {
          id = new_packet(f, now);
        }
        if (dcqcn()) cc_.sent(f, pool_[id].bytes, now, sim_);
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
    // While a packet is on the wire its link draws power.
    if (observer_ != nullptr) observer_->wire_busy(q, wires_.rate(q));
    in_service_bytes_[q] = p.bytes;
    in_service_transit_[q] = from_transit;
    const SimTime s = wires_.serialisation(q, p.bytes);
    SimTime done = now + s;
    // Cut through at this node: the packet may have been eligible before its tail came.
    if (done < p.tail) done = p.tail;
    sim_.schedule(done, kTxDone, q, tx_gen_[q]);
    const bool last = p.hop + 1 == p.hops;
    const SimTime tail = done + wires_.latency(q) + (last ? SimTime::zero() : wires_.forwarding(q));
    tail_here_[q] = p.tail;  // when its tail is at this node, should a failure cut it
    p.tail = tail;
    if (wires_.cut_through(q) && !last) {
      sim_.schedule(std::min(tail, now + wires_.header_time(q) + wires_.latency(q) + wires_.forwarding(q)),
                    kArrive, id, p.epoch);
    } else {
      sim_.schedule(tail, kArrive, id, p.epoch);
    }
  }

  void tx_done(uint32_t q) {
    busy_[q] = 0;
    if (observer_ != nullptr) observer_->wire_idle(q);
    const uint32_t b = in_service_bytes_[q];
    link_bytes_[q] += b;
    ++result_.packet.packet_hops;
    if (in_service_transit_[q]) leave_queue(q, b);
    in_service_[q] = kNone;
    try_send(q);
  }

  /// b bytes leave port q's buffer; below xon, the links it paused may send again.
  [[gnu::always_inline]] void leave_queue(uint32_t q, uint32_t b) {
    const SimTime now = sim_.now();
    buffers_.leave(q, b, now, [&](uint32_t in) {
      // Never before the pause it answers, even if the link's rate changed in between.
      sim_.schedule(std::max(now + wires_.pause_delay(in), buffers_.pause_arrives(in)), kResume, in);
    });
  }

  /// Packet id is lost at port q (dropped at a full buffer, or cut by a failing link):
  /// its sender resends it one retransmit timeout after it sent it (lossy_resend.h).
  void lose(uint32_t id, uint32_t q) {
    ++result_.packet.drops;
    ++result_.packet.port_drops[q];
    resend_.lose(id, pool_[id], sim_);
  }

  void arrive(uint32_t id) {
    Packet& p = pool_[id];
    const SimTime now = sim_.now();
    if (p.hop + 1 == p.hops) {
      receive(id);
      return;
    }
    const uint32_t in = paths_.link(p.path + p.hop).value();
    ++p.hop;
    const uint32_t q = paths_.link(p.path + p.hop).value();
    const PortLimits& lim = buffers_.limits(q);
    const uint64_t queued = buffers_.queued(q);
    if (c_.mode == LossMode::lossy && queued + p.bytes > lim.buffer) {
      lose(id, q);
      return;
    }
    if (queued > lim.ecn_threshold) {
      p.ecn = 1;
      ++result_.packet.ecn_marks;
    }
    const uint64_t now_queued = queued + p.bytes;
    buffers_.set(q, now_queued, now);
    if (now_queued > lim.buffer) ++result_.packet.headroom_overruns;
    if (c_.mode == LossMode::lossless && now_queued > lim.xoff && buffers_.pause(q, in)) {
      ++result_.packet.pauses;
      ++result_.packet.pauses_sent[in];
      buffers_.set_pause_arrives(in, now + wires_.pause_delay(in));
      sim_.schedule(buffers_.pause_arrives(in), kPause, in);
    }
    fifo_[q].push(id);
    try_send(q);
  }

  void receive(uint32_t id) {
    const Packet& p = pool_[id];
    const uint32_t f = p.flow;
    const SimTime now = sim_.now();
    received_[f] += p.bytes;
    if (p.ecn && dcqcn() && cc_.notify(f, now)) {
      ++result_.packet.cnps;
      sim_.schedule(now + paths_.latency(f), kCnp, f);
    }
    free_.push_back(id);
    if (received_[f] == static_cast<uint64_t>(flows_.flow_size(FlowId(f)).si())) {
      // A library's per-step cost (FlowSet::extra_latency) delays what the receiver sees.
      const SimTime extra = flows_.extra_latency(FlowId(f));
      if (extra == SimTime::zero()) {
        delivered(f);
      } else {
        sim_.schedule(now + extra, kDelivered, f);
      }
    }
  }

  /// Flow f's oldest loss timed out: what is due is resent, or parked behind a dead link
  /// (lossy_resend.h).
  void retransmit(uint32_t f) {
    resend_.timed_out(f, pool_, [&](uint32_t offset, uint32_t hops) { return path_up(offset, hops); },
                      sim_);
    join_port(f);
  }

  // ---- DCQCN (equations at the top of this file; the parts in dcqcn_senders.h) ----

  void cnp(uint32_t f) {
    if (state_[f] != State::transmitting) return;
    cc_.cnp(f, sim_);
  }

  void cc_timer(uint32_t f) {
    if (state_[f] != State::transmitting) return;
    cc_.period(f, sim_);
  }

  // ---- links that change: failures, circuits set up and torn down ----

  void apply_step(uint32_t i) {
    const PacketLinks::Change c =
        wires_.apply(options_.steps[i], [&](uint32_t l) { link_down(l); });
    if (c.up_changed) {
      for (uint32_t f = 0; f < state_.size(); ++f) {
        if (state_[f] == State::transmitting && packet_count_[f] > 0) update_stall(f, sim_.now());
      }
    }
    // Only now, once every link of the step has its new state, do ports send again.
    for (uint32_t l : c.changed) try_send(l);
    // Flows without a route, and resends held back, try again once every step of this
    // instant is in (end_of_timestamp), as in the flow model.
    if (c.came_up) links_came_up_ = true;
  }

  void retry_after_links_came_up() {
    links_came_up_ = false;
    retry_unrouted();
    resend_.unpark(pool_, [&](uint32_t offset, uint32_t hops) { return path_up(offset, hops); },
                   [&](uint32_t f) { join_port(f); });
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
    if (paths_.link(p.path + p.hop).value() != l) return;  // its head is past the next node
    ++tx_gen_[l];
    ++p.epoch;
    busy_[l] = 0;
    if (observer_ != nullptr) observer_->wire_idle(l);
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

  /// Flow f is stalled while no path it may use is up (packet_paths.h).
  void update_stall(uint32_t f, SimTime now) {
    stalls_.update(f, paths_.some_up(f, wires_), now, run_);
  }

  bool path_up(uint32_t offset, uint32_t hops) const { return paths_.up(offset, hops, wires_); }

  /// Routes flow f now, min-hop ECMP over the links that are up, with the flow model's
  /// hash (so both models pick the same path), onto one path (no spraying after this).
  bool route_now(uint32_t f) {
    if (!wires_.router().route(flows_.src(FlowId(f)), flows_.dst(FlowId(f)),
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
    paths_.route(f, scratch_, t_);
    return true;
  }

  /// A dead link holding one of flow f's packets (queued or cut), for the report of a
  /// run that ended with f unfinished; invalid if there is none.
  LinkId stuck_at_dead_link(uint32_t f) const {
    for (uint32_t l = 0; l < wires_.up().size(); ++l) {
      if (wires_.up(l)) continue;
      if (held_[l] != kNone && pool_[held_[l]].flow == f) return LinkId(l);
      if (fifo_[l].contains_if([&](uint32_t id) { return pool_[id].flow == f; })) return LinkId(l);
      for (uint32_t g : sources_[l]) {
        if (g == f) return LinkId(l);
      }
    }
    for (uint32_t id : resend_.parked()) {
      const Packet& p = pool_[id];
      if (p.flow != f) continue;
      for (uint32_t k = 0; k < p.hops; ++k) {
        if (!wires_.up(paths_.link(p.path + k).value())) return paths_.link(p.path + k);
      }
    }
    return LinkId::invalid();
  }

  const topo::Topology& t_;
  const PacketConfig c_;
  PacketRunResult result_;  // the packet figures; the run's are in run_ until the end

  // Per flow.
  std::vector<State> state_;
  FlowStalls stalls_;  // behind dead links
  std::vector<uint32_t> next_seq_, packet_count_;
  std::vector<uint64_t> received_;
  std::vector<uint8_t> on_port_;
  LossyResend resend_;   // lossy: lost packets and their resending
  DcqcnSenders cc_;      // DCQCN's senders and timers
  PacketPaths paths_;  // the paths each flow may use

  // Told of every packet on a wire (and, through the skeleton, of nodes computing).
  ActivityObserver* observer_ = nullptr;

  std::vector<LinkId> scratch_;  // a path routed during the run

  // Per port (directed link).
  PacketLinks wires_;     // the links' rates and timings as they change
  PortBuffers buffers_;   // queue occupancy, its histogram, PFC
  std::vector<PacketRing> fifo_;
  std::vector<uint8_t> busy_, in_service_transit_, rr_;
  std::vector<uint32_t> in_service_, in_service_bytes_;
  std::vector<uint32_t> tx_gen_;  // bumped when a failure voids the port's pending kTxDone
  std::vector<uint32_t> held_;    // lossless: the packet a failure cut, to send again
  std::vector<uint8_t> held_transit_;
  std::vector<SimTime> tx_start_;   // when the packet in service started
  std::vector<SimTime> tail_here_;  // when its tail was (or will be) at this port's node
  std::vector<std::vector<uint32_t>> sources_;  // flows that send from this port
  std::vector<uint32_t> cursor_;
  std::vector<SimTime> wake_at_;
  std::vector<uint64_t> link_bytes_;

  // Packets.
  std::vector<Packet> pool_;
  std::vector<uint32_t> free_;
};

}  // namespace

PacketRunResult run_packet_model(const topo::Topology& t, const FlowSet& flows,
                                 const Paths& paths, const PacketConfig& config,
                                 const RunOptions& options) {
  PacketModel model(t, flows, paths, config, options);
  return model.run();
}

}  // namespace roshni::net
