// The packet model with links that change during the run (failures, repairs, circuits
// torn down and set up), beside the flow model's link_dynamics_test.cpp. Every expected
// time is derived in the comments from whole-picosecond serialisations.
#include <gtest/gtest.h>

#include "net/link_fixtures.h"
#include "roshni/core/error.h"
#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

using testing::at;
using testing::kUs;
using testing::outage_begins;
using testing::outage_ends;
using testing::pair_of_gpus;
using testing::two_paths;

// 1 MB at 100 Gb/s (12.5 GB/s, 80 ps per byte) takes 80 us on the wire; 1 us per link.
// In packets of M = 4096 B: 244 full ones and one of 576 B; M/B = 327,680 ps.
constexpr int64_t kMtuTime = 4096 * 80;
const double kSize = 1e6;

struct Case {
  explicit Case(topo::Topology topology) : t(std::move(topology)) {}
  topo::Topology t;
  FlowSet flows;
  RunOptions options;
  PacketConfig config;
  PacketRunResult run() {
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const Paths paths = route_all(t, router, flows, unroutable);
    EXPECT_TRUE(unroutable.empty());
    return run_packet_model(t, flows, paths, config, options);
  }
};

// a - s - z: links a->s (0), s->a (1), s->z (2), z->s (3).
topo::Topology through_a_switch() {
  topo::TopologyBuilder b;
  const NodeId a = b.add_node("a", topo::NodeKind::gpu), z = b.add_node("z", topo::NodeKind::gpu);
  const NodeId s = b.add_node("s", topo::NodeKind::switch_);
  b.add_link(a, s, gbps(100), gbps(100), SimTime::ps(kUs));
  b.add_link(s, z, gbps(100), gbps(100), SimTime::ps(kUs));
  return std::move(b).build();
}

// The sender's link dies at t_f = 30 us and returns at 50 us (D = 20 us). Packets leave
// back to back, packet k at k M/B, so the one on the wire at t_f started at
// t_k = 91 x 327,680 = 29,818,880 ps. Lossless: the port keeps it and sends it again,
// whole, at 50 us; everything after it shifts by D + (t_f - t_k) = 20,181,120 ps. The
// flow model (no packets) ends at S/B + L + D = 101 us; the packet model
// t_f - t_k = 181,120 ps later, at 101,181,120 ps.
TEST(PacketLinkDynamics, LosslessOutageReplaysTheCutPacket) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(30 * kUs, LinkId(0), DataRate()), at(50 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  const int64_t t_k = 91 * kMtuTime;
  EXPECT_EQ(r.run.end[0].ps(), 80 * kUs + kUs + 20 * kUs + (30 * kUs - t_k));
  EXPECT_EQ(r.packet.packets_cut, 1u);
  EXPECT_EQ(r.packet.drops, 0u);
  EXPECT_EQ(r.run.link_bytes[0].si(), kSize);  // the cut packet's bytes count once
  // Stalled while its path was down, [30, 50) us, as in the flow model (issue 15.3).
  EXPECT_EQ(r.run.flows_stalled, 1u);
  EXPECT_EQ(r.run.stalled_for[0].ps(), 20 * kUs);
}

// Issue 15.3, as the flow model's LinkDynamics.FlowStartingBehindADeadLinkIsStalledFromItsStart:
// the link is down over [10, 50) us, the flow (not rerouted) may start at 30 us: stalled
// 20 us from its start; its 245 packets then leave back to back from 50 us, the last
// (576 B, 46,080 ps) after 244 M/B: delivered at 50 us + 80 us + 1 us = 131 us.
TEST(PacketLinkDynamics, FlowStartingBehindADeadLinkIsStalledFromItsStart) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize), {}, SimTime::ps(30 * kUs));
  c.options.reroute = false;
  c.options.steps = {at(10 * kUs, LinkId(0), DataRate()), at(50 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  EXPECT_EQ(r.run.start[0].ps(), 30 * kUs);
  EXPECT_EQ(r.run.end[0].ps(), 131 * kUs);
  EXPECT_EQ(r.run.flows_stalled, 1u);
  EXPECT_EQ(r.run.stalled_for[0].ps(), 20 * kUs);
}

// Lossy: the cut packet (k = 91, sent at t_k) is lost. At 50 us the sender goes on with
// the 153 packets after it (152 x 4096 B + 576 B = 49,853,440 ps: done at 99,853,440 ps);
// the lost one is resent one timeout (100 us) after it was sent, at t_k + 100 us =
// 129,818,880 ps, and arrives M/B + L later: 131,146,560 ps.
TEST(PacketLinkDynamics, LossyOutageLosesTheCutPacketAndResendsIt) {
  Case c{pair_of_gpus()};
  c.config.mode = LossMode::lossy;
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(30 * kUs, LinkId(0), DataRate()), at(50 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  const int64_t t_k = 91 * kMtuTime;
  EXPECT_EQ(r.run.end[0].ps(), t_k + 100 * kUs + kMtuTime + kUs);
  EXPECT_EQ(r.packet.packets_cut, 1u);
  EXPECT_EQ(r.packet.drops, 1u);
  EXPECT_EQ(r.packet.retransmissions, 1u);
}

// The switch's link to z dies at t_f = 30 us for D = 100 us. Store-and-forward, packet k
// starts on s->z when it has arrived at s, at (k+1) M/B + L: the one cut at t_f started
// at t_k = 88 x 327,680 + 1 us = 29,835,840 ps. During the outage the sender fills s's
// queue past xoff (512 KiB of the 1 MiB buffer: at ~72 us) and PFC pauses it; nothing is
// dropped; after the repair the queue drains without a gap (it resumes the sender at
// xon = 256 KiB, far above the few packets a pause round trip takes), so the flow ends
// D + (t_f - t_k) after its unbroken S/B + M/B + 2 L.
TEST(PacketLinkDynamics, OutageBehindASwitchPausesTheSenderAndLosesNothing) {
  Case c{through_a_switch()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(30 * kUs, LinkId(2), DataRate()), at(130 * kUs, LinkId(2), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  const int64_t t_k = 88 * kMtuTime + kUs;
  EXPECT_EQ(r.run.end[0].ps(), 80 * kUs + kMtuTime + 2 * kUs + 100 * kUs + (30 * kUs - t_k));
  EXPECT_GE(r.packet.pauses, 1u);
  EXPECT_GE(r.packet.pauses_sent[0], 1u);  // s paused a's port
  EXPECT_EQ(r.packet.drops, 0u);
  EXPECT_EQ(r.packet.headroom_overruns, 0u);
  EXPECT_GT(r.packet.queue_max[2], 512u * 1024);
}

// A short outage behind the switch (D = 0.5 us, under one link latency): the cut packet
// is replayed as soon as the link is back, not held until the time its tail would have
// reached the next node had it not been cut, so the same D + (t_f - t_k) holds.
TEST(PacketLinkDynamics, ShortOutageReplaysAtTheRepair) {
  Case c{through_a_switch()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(30 * kUs, LinkId(2), DataRate()),
                     at(30 * kUs + kUs / 2, LinkId(2), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  const int64_t t_k = 88 * kMtuTime + kUs;
  EXPECT_EQ(r.run.end[0].ps(), 80 * kUs + kMtuTime + 2 * kUs + kUs / 2 + (30 * kUs - t_k));
}

// A switch's link that dies for good, lossy: the packets lost at it are not resent
// towards it every timeout for ever (which would never end the run); they wait for a
// link to come up, and the run ends, reporting the flow stuck behind that link. Lossless:
// the ports paused behind it are waiting for it, not a PFC deadlock.
TEST(PacketLinkDynamics, PermanentTransitFailureEndsTheRun) {
  for (const LossMode mode : {LossMode::lossless, LossMode::lossy}) {
    Case c{through_a_switch()};
    c.config.mode = mode;
    c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
    c.options.steps = {at(30 * kUs, LinkId(2), DataRate())};
    const auto r = c.run();
    ASSERT_EQ(r.run.unfinished.size(), 1u);
    EXPECT_EQ(r.run.unfinished[0].dead_link, LinkId(2));
    EXPECT_EQ(r.packet.deadlocked_ports, 0u);
  }
}

// Two links come up in the same instant, by two steps: a flow waiting for a route is
// routed once both are in (as the flow model does), so both models put it on the same
// path.
TEST(PacketLinkDynamics, WaitingFlowIsRoutedAfterEveryStepOfTheInstant) {
  Case c{two_paths()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.initial_capacities = {{LinkId(0), DataRate()}, {LinkId(4), DataRate()}};
  c.options.steps = {at(100 * kUs, LinkId(4), gbps(100)), at(100 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  topo::ShortestPathRouter router(c.t);
  std::vector<FlowId> unroutable;
  const auto fluid = run_flow_model(c.t, c.flows, route_all(c.t, router, c.flows, unroutable), c.options);
  for (uint32_t l = 0; l < c.t.link_count(); ++l) {
    EXPECT_EQ(r.run.link_bytes[l].si(), fluid.link_bytes[l].si()) << "link " << l;
  }
  // The hash picks s0 given both; routed after the first step alone it would be on s1.
  EXPECT_EQ(r.run.link_bytes[0].si(), kSize);
}

// The path through s0 (the router's first choice) is dead from t = 0: the flow is
// rerouted through s1 and takes its unbroken S/B + M/B + 2 L (the 576-byte last packet
// waits behind the full one before it, which gives the same sum).
TEST(PacketLinkDynamics, StartingFlowIsReroutedAroundADeadLink) {
  Case c{two_paths()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.initial_capacities = {{LinkId(0), DataRate()}};  // a -> s0 is down
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  EXPECT_EQ(r.run.flows_rerouted, 1u);
  EXPECT_EQ(r.run.end[0].ps(), 80 * kUs + kMtuTime + 2 * kUs);
  EXPECT_EQ(r.run.link_bytes[0].si(), 0.0);
  EXPECT_EQ(r.run.link_bytes[4].si(), kSize);  // a -> s1
}

// With no live path the flow waits for one: the only link is down until 200 us, so the
// flow starts then and is delivered at 200 + 80 + 1 us, as in the flow model.
TEST(PacketLinkDynamics, FlowWithoutAnyLivePathWaitsForARepair) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.initial_capacities = {{LinkId(0), DataRate()}};
  c.options.steps = {at(200 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  EXPECT_EQ(r.run.start[0].ps(), 200 * kUs);
  EXPECT_EQ(r.run.end[0].ps(), 281 * kUs);
}

// The circuit-switch pattern: when A is delivered (81 us) its link is torn down and
// comes back after a 10 ms reconfiguration. B waits for A and needs that link; B's first
// packet, put on the wire in the instant the link goes, is kept (not a bit was sent),
// in lossy mode too. Makespan = 2 x 81 us + 10 ms, the flow model's.
TEST(PacketLinkDynamics, ReconfigurationBetweenPhasesShowsInTheMakespan) {
  for (const LossMode mode : {LossMode::lossless, LossMode::lossy}) {
    Case c{pair_of_gpus()};
    c.config.mode = mode;
    const FlowId a = c.flows.add("A", NodeId(0), NodeId(1), bytes(kSize));
    c.flows.add("B", NodeId(0), NodeId(1), bytes(kSize), std::span(&a, 1));
    CapacityStep down, up;
    down.after = {a};
    down.capacities = {{LinkId(0), DataRate()}};
    up.after = {a};
    up.delay = SimTime::ps(10'000 * kUs);
    up.capacities = {{LinkId(0), gbps(100)}};
    c.options.steps = {down, up};
    const auto r = c.run();
    ASSERT_TRUE(r.run.unfinished.empty());
    EXPECT_EQ(r.run.makespan.ps(), 2 * 81 * kUs + 10'000 * kUs);
    EXPECT_EQ(r.packet.packets_cut, 0u);
    EXPECT_EQ(r.packet.drops, 0u);
  }
}

// Halving a link's rate at 40 us: packets that start after it take 2 M/B. The packet in
// service at 40 us (k = 122, started 39,976,960 ps) finishes at the old rate at
// 40,304,640 ps; the other 121 full and one 576-byte packet then take
// 121 x 655,360 + 576 x 160 = 79,390,720 ps: the last byte leaves at 119,695,360 ps and
// arrives 1 us later. (The flow model, fluid, says 121 us.)
TEST(PacketLinkDynamics, CapacityChangeAppliesFromTheNextPacket) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(40 * kUs, LinkId(0), gbps(50))};
  const auto r = c.run();
  EXPECT_EQ(r.run.end[0].ps(), 123 * kMtuTime + 121 * 2 * kMtuTime + 576 * 160 + kUs);
}

// A link that never comes back leaves the flow unfinished, and the result says which
// link it is stuck behind, in both modes.
TEST(PacketLinkDynamics, PermanentFailureIsReportedNotHung) {
  for (const LossMode mode : {LossMode::lossless, LossMode::lossy}) {
    Case c{pair_of_gpus()};
    c.config.mode = mode;
    c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
    c.options.steps = {at(10 * kUs, LinkId(0), DataRate())};
    const auto r = c.run();
    ASSERT_EQ(r.run.unfinished.size(), 1u);
    EXPECT_EQ(r.run.unfinished[0].state, Unfinished::State::transmitting);
    EXPECT_EQ(r.run.unfinished[0].dead_link, LinkId(0));
  }
}


// Issue 15.5: the link slows to 1e-3 b/s at 10 us with most of the 1 MB left: ~7e9 s,
// past the end of simulated time (2^63 - 1 ps = 9.22e6 s). The run ends with an error,
// not with a saturated "success".
TEST(PacketLinkDynamics, WorkPastTheEndOfSimulatedTimeIsAnError) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(10 * kUs, LinkId(0), gbps(1e-12))};
  EXPECT_THROW(c.run(), TimeExhausted);
}

// The flow model's OverlappingOutagesEndWithTheLast with packets: link 0 is down
// [30, 130] us (with [40, 50] inside) and set to 50 Gb/s at 60 us, while down. The packet
// on the wire at 30 us started at t_k = 91 M/B = 29,818,880 ps; lossless, it is sent again
// whole at 130 us, at 160 ps/B, with the 1e6 - 91 x 4096 = 627,264 B not yet through:
// the last byte leaves at 130 us + 100,362,240 ps and arrives 1 us later: 231,362,240 ps.
TEST(PacketLinkDynamics, OverlappingOutagesEndWithTheLast) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {outage_begins(30 * kUs, LinkId(0)), outage_begins(40 * kUs, LinkId(0)),
                     outage_ends(50 * kUs, LinkId(0)), at(60 * kUs, LinkId(0), gbps(50)),
                     outage_ends(130 * kUs, LinkId(0))};
  const auto r = c.run();
  ASSERT_TRUE(r.run.unfinished.empty());
  EXPECT_EQ(r.run.end[0].ps(), 231'362'240);
  EXPECT_EQ(r.packet.packets_cut, 1u);
  EXPECT_EQ(r.run.stalled_for[0].ps(), 100 * kUs);  // [30, 130] us, as the flow model
}

// A link set to 0 under an outage stays dark when the outage ends.
TEST(PacketLinkDynamics, OutageEndingDoesNotLightALinkSetToZero) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {outage_begins(30 * kUs, LinkId(0)), at(40 * kUs, LinkId(0), DataRate()),
                     outage_ends(50 * kUs, LinkId(0))};
  const auto r = c.run();
  ASSERT_EQ(r.run.unfinished.size(), 1u);
  EXPECT_EQ(r.run.unfinished[0].dead_link, LinkId(0));
}

}  // namespace
}  // namespace roshni::net
