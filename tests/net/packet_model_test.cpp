#include "roshni/net/packet_model.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/coll/ring_all_reduce.h"
#include "roshni/net/flow_model.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

// 100 Gb/s = 12.5e9 B/s: one byte takes exactly 80 ps, so serialisations are whole
// picoseconds and the closed forms below hold to the picosecond.
constexpr int64_t kPsPerByte100G = 80;

struct Case {
  explicit Case(topo::Topology topology) : t(std::move(topology)) {}
  topo::Topology t;
  FlowSet flows;
  Paths paths;
  PacketConfig config;
  PacketRunResult result;
  RunResult fluid;
  void route() {
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    paths = route_all(t, router, flows, unroutable);
    ASSERT_TRUE(unroutable.empty());
  }
  void go() {
    route();
    result = run_packet_model(t, flows, paths, config);
    ASSERT_TRUE(result.run.unfinished.empty());
  }
  void go_fluid() { fluid = run_flow_model(t, flows, paths); }
};

/// gpu n0 - switch n1 - ... - switch n{h-1} - gpu n{h}: h links, h-1 switches.
topo::Topology line(uint32_t hops, std::vector<DataRate> rates, std::vector<SimTime> latencies,
                    SimTime switch_latency = SimTime::zero()) {
  topo::TopologyBuilder b;
  std::vector<NodeId> n;
  for (uint32_t i = 0; i <= hops; ++i) {
    const bool end = i == 0 || i == hops;
    n.push_back(b.add_node("n" + std::to_string(i),
                           end ? topo::NodeKind::gpu : topo::NodeKind::switch_,
                           end ? SimTime::zero() : switch_latency));
  }
  for (uint32_t i = 0; i < hops; ++i) {
    b.add_link(n[i], n[i + 1], rates[i], rates[i], latencies[i]);
  }
  return std::move(b).build();
}

topo::Topology star(uint32_t gpus, DataRate rate, SimTime link_latency, SimTime switch_latency) {
  topo::StarParams p;
  p.gpus = gpus;
  p.link_bandwidth = rate;
  p.link_latency = link_latency;
  p.switch_latency = switch_latency;
  return topo::make_star(p);
}

// One flow of S bytes in packets of M over h store-and-forward hops, each of rate B and
// latency L, no switch latency. Packets leave the sender back to back; packet i
// (1-based) finishes hop 1 at i·M/B. At every later hop the link is free when a packet
// arrives (its predecessor arrived M/B earlier and took M/B to forward), so nothing
// queues. The sender's last byte leaves at S/B; the last packet then crosses h-1 more
// hops of serialisation M/B (if it is shorter than M, it waits behind the full packet
// before it for the difference, which gives the same sum) and h latencies:
//   end = S/B + (h-1)·M/B + h·L.
// S = 1e6 B, M = 4096 B, B = 100 Gb/s (80 ps/B), L = 1 us, h = 3:
//   80,000,000 + 2 x 327,680 + 3 x 1,000,000 = 83,655,360 ps.
TEST(PacketModel, OneFlowOverStoreAndForwardHopsMatchesClosedForm) {
  for (uint32_t h : {1u, 2u, 3u, 5u}) {
    Case r{line(h, std::vector<DataRate>(h, gbps(100)),
                std::vector<SimTime>(h, SimTime::ps(1'000'000)))};
    r.flows.add("f", NodeId(0), NodeId(h), bytes(1e6));
    r.go();
    const int64_t s_over_b = 1'000'000 * kPsPerByte100G;
    const int64_t m_over_b = 4096 * kPsPerByte100G;
    const int64_t expected = s_over_b + (h - 1) * m_over_b + h * 1'000'000;
    EXPECT_EQ(r.result.run.end[0].ps(), expected) << h << " hops";
    EXPECT_EQ(r.result.run.makespan.ps(), expected);
    // ceil(1e6 / 4096) = 245 packets, each crossing h links.
    EXPECT_EQ(r.result.packet.packets, 245u);
    EXPECT_EQ(r.result.packet.packet_hops, 245u * h);
    EXPECT_DOUBLE_EQ(r.result.run.link_bytes[0].si(), 1e6);
    EXPECT_EQ(r.result.packet.drops, 0u);
  }
}

// FlowSet::extra_latency (a library's per-step cost) is added after the last byte
// arrives: the closed form above for h = 2 plus X = 5 us:
// 80,000,000 + 327,680 + 2,000,000 + 5,000,000 = 87,327,680 ps.
TEST(PacketModel, ExtraLatencyIsAddedAfterTheLastByte) {
  Case r{line(2, {gbps(100), gbps(100)}, {SimTime::ps(1'000'000), SimTime::ps(1'000'000)})};
  const FlowId f = r.flows.add("f", NodeId(0), NodeId(2), bytes(1e6));
  r.flows.set_extra_latency(f, SimTime::ps(5'000'000));
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 87'327'680);
}

// The same with S a whole number of packets (S = 100 x 4096 B), 2 hops:
//   409,600 x 80 + 327,680 + 2 x 1,000,000 = 35,095,680 ps.
TEST(PacketModel, WholePacketsOverTwoHops) {
  Case r{line(2, {gbps(100), gbps(100)}, {SimTime::ps(1'000'000), SimTime::ps(1'000'000)})};
  r.flows.add("f", NodeId(0), NodeId(2), bytes(409'600));
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 35'095'680);
}

// A single packet's latency is the sum of its parts: per hop its serialisation b/B_j and
// the link's latency L_j, plus the forwarding latency F of each switch it crosses.
// b = 1000 B over 100, 200 and 400 Gb/s (80, 40, 20 ps/B), L = 1 us, 2 us, 0.5 us, two
// switches of F = 300 ns: 80,000 + 40,000 + 20,000 + 3,500,000 + 600,000 = 4,240,000 ps.
TEST(PacketModel, SinglePacketLatencyIsSumOfParts) {
  Case r{line(3, {gbps(100), gbps(200), gbps(400)},
              {SimTime::ps(1'000'000), SimTime::ps(2'000'000), SimTime::ps(500'000)},
              SimTime::ps(300'000))};
  r.flows.add("p", NodeId(0), NodeId(3), bytes(1000));
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 4'240'000);
  EXPECT_EQ(r.result.packet.packets, 1u);
}

// Cut-through: a packet leaves a switch once its 64-byte header is in, but cannot
// finish before its tail has arrived. One packet of b = 1000 B over 2 hops of 100 Gb/s,
// L = 1 us: the switch has the header at 64 x 80 + 1 us = 1,005,120 ps; the next
// serialisation would end at 1,085,120 ps but the tail is only in at 1,080,000 ps, so
// it ends at 1,085,120 ps and arrives 1 us later: 2,085,120 ps (store-and-forward:
// 2 x 80,000 + 2 us = 2,160,000 ps).
TEST(PacketModel, CutThroughSavesAllButTheHeader) {
  Case r{line(2, {gbps(100), gbps(100)}, {SimTime::ps(1'000'000), SimTime::ps(1'000'000)})};
  r.flows.add("p", NodeId(0), NodeId(2), bytes(1000));
  r.config.switching = Switching::cut_through;
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 2'085'120);
  r.config.switching = Switching::store_and_forward;
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 2'160'000);
}

// Ring all-reduce of S = 64 MiB over 8 GPUs on a 400 Gb/s star: every step's flows are
// alone on their links, so the flow model gives 2(N-1)(L_path + S/(N B)); the packet
// model adds one MTU serialisation per step at the switch (4096 B / 50e9 B/s = 82 ns
// against 168 us of transfer per step), far inside the 2% the issue asks.
TEST(PacketModel, RingAllReduceOnStarAgreesWithFlowModel) {
  Case r{star(8, gbps(400), SimTime::ps(150'000), SimTime::ps(300'000))};
  coll::append_ring_all_reduce({r.t.gpus(), bytes(64.0 * 1024 * 1024)}, r.flows);
  r.go();
  r.go_fluid();
  const double p = static_cast<double>(r.result.run.makespan.ps());
  const double f = static_cast<double>(r.fluid.makespan.ps());
  EXPECT_NEAR(p / f, 1.0, 0.02);
  EXPECT_GE(p, f);  // packets can only add store-and-forward delay here
  // Every link carries the same bytes in both models.
  for (size_t l = 0; l < r.t.link_count(); ++l) {
    EXPECT_DOUBLE_EQ(r.result.run.link_bytes[l].si(), r.fluid.link_bytes[l].si());
  }
}

// Issue 15.6: pieces smaller than a byte. A 4 B ring all-reduce over 16 GPUs makes
// 2 x 15 steps x 16 flows of 4/16 = 0.25 B; a transfer carries whole bytes, so each is
// 1 B (0.25 rounded up) and both models move the same 480 B over each direction of
// every GPU's link pair: 2 x 15 = 30 B out of each GPU, 30 B into it.
TEST(PacketModel, SubBytePiecesAreWholeBytesInBothModels) {
  Case r{star(16, gbps(400), SimTime::ps(150'000), SimTime::ps(300'000))};
  coll::append_ring_all_reduce({r.t.gpus(), bytes(4)}, r.flows);
  EXPECT_EQ(r.flows.flow_size(FlowId(0)).si(), 1.0);
  EXPECT_EQ(r.flows.total_size().si(), 480.0);
  r.go();
  r.go_fluid();
  double packet_bytes = 0, fluid_bytes = 0;
  for (size_t l = 0; l < r.t.link_count(); ++l) {
    EXPECT_DOUBLE_EQ(r.result.run.link_bytes[l].si(), r.fluid.link_bytes[l].si());
    packet_bytes += r.result.run.link_bytes[l].si();
    fluid_bytes += r.fluid.link_bytes[l].si();
  }
  EXPECT_EQ(packet_bytes, 2 * 480.0);  // each byte crosses two links: gpu -> switch -> gpu
  EXPECT_EQ(fluid_bytes, 2 * 480.0);
  EXPECT_EQ(whole_bytes(bytes(1000.5)).si(), 1001.0);
  EXPECT_EQ(whole_bytes(bytes(1073741824.0 / 3 * 3)).si(), 1073741824.0);  // binary noise
}

// Two flows of 10 MB from gpu0 and gpu1 to gpu2 share the switch's port to gpu2: the flow
// model gives each B/2, so both end at 2S/B + L_path; the packet model keeps that port
// busy (its queue fills, PFC holds the senders back) and must end within 2%.
TEST(PacketModel, TwoFlowsSharingOneLinkAgreeWithFlowModel) {
  Case r{star(3, gbps(100), SimTime::ps(1'000'000), SimTime::ps(300'000))};
  r.flows.add("a", NodeId(0), NodeId(2), bytes(1e7));
  r.flows.add("b", NodeId(1), NodeId(2), bytes(1e7));
  r.go();
  r.go_fluid();
  const double p = static_cast<double>(r.result.run.makespan.ps());
  const double f = static_cast<double>(r.fluid.makespan.ps());
  EXPECT_NEAR(p / f, 1.0, 0.02);
  // Round-robin service of the shared port: the two finish within a few packets.
  const double gap = std::abs(static_cast<double>(r.result.run.end[0].ps() - r.result.run.end[1].ps()));
  EXPECT_LT(gap, 0.02 * f);
}

// Compute steps and dependencies behave as in the flow model: b waits for a compute step
// of 5 us that waits for flow a (one packet of 1000 B over 1 hop: 80 ns + 1 us).
// b starts at 1,080,000 + 5,000,000 = 6,080,000 ps and ends 1,080,000 ps later.
TEST(PacketModel, ComputeStepsAndDependencies) {
  Case r{line(1, {gbps(100)}, {SimTime::ps(1'000'000)})};
  const FlowId a = r.flows.add("a", NodeId(0), NodeId(1), bytes(1000));
  const FlowId c = r.flows.add_task("c", NodeId(1), SimTime::ps(5'000'000), std::vector{a});
  r.flows.add("b", NodeId(1), NodeId(0), bytes(1000), std::vector{c});
  r.go();
  EXPECT_EQ(r.result.run.end[0].ps(), 1'080'000);
  EXPECT_EQ(r.result.run.end[1].ps(), 6'080'000);
  EXPECT_EQ(r.result.run.start[2].ps(), 6'080'000);
  EXPECT_EQ(r.result.run.end[2].ps(), 7'160'000);
}

// The same inputs give the same result, field for field.
TEST(PacketModel, Deterministic) {
  Case a{star(6, gbps(100), SimTime::ps(500'000), SimTime::ps(300'000))};
  Case b{star(6, gbps(100), SimTime::ps(500'000), SimTime::ps(300'000))};
  for (Case* c : {&a, &b}) {
    for (uint32_t s = 0; s < 6; ++s) {
      for (uint32_t d = 0; d < 6; ++d) {
        if (s != d) c->flows.add("x", NodeId(s), NodeId(d), bytes(100'000 + 1000 * s));
      }
    }
    c->go();
  }
  EXPECT_EQ(a.result.run.end, b.result.run.end);
  EXPECT_EQ(a.result.packet.queue_max, b.result.packet.queue_max);
  EXPECT_EQ(a.result.run.events, b.result.run.events);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// Incast: N senders on a 100 Gb/s star each send S to one receiver; the switch's port to
// the receiver is the bottleneck. Whatever the flow control, a work-conserving port
// delivers N·S in N·S/B: the last byte lands at about N·S/B + the path latency.
struct Incast {
  static constexpr uint32_t kSenders = 8;
  explicit Incast(uint32_t senders, double size, PacketConfig config)
      : c{star(senders + 1, gbps(100), SimTime::ps(1'000'000), SimTime::ps(300'000))}, n(senders) {
    c.config = config;
    for (uint32_t s = 0; s < senders; ++s) c.flows.add("in", NodeId(s), NodeId(senders), bytes(size));
    c.go();
  }
  /// The switch's port to the receiver (the bottleneck) and a sender's port into the switch.
  uint32_t bottleneck() const {
    for (LinkId l : c.t.out_links(*c.t.find_node("switch"))) {
      if (c.t.link_to(l) == NodeId(n)) return l.value();
    }
    return 0;
  }
  uint32_t uplink(uint32_t s) const { return c.t.out_links(NodeId(s)).front().value(); }
  Case c;
  uint32_t n;
};

// Lossless: buffer 1 MiB, xoff 256 KiB, xon 128 KiB. The bottleneck queue grows at
// (N-1)·B until it passes xoff; then every sender that adds to it is paused. A pause
// takes 64 B / B + 1 us to reach the sender, which meanwhile sends at most
// ~(2 x 1 us x 12.5 GB/s + 4 KiB) = 29 KB more; 8 x 29 KB + 256 KiB < 1 MiB, so the
// buffer never overflows and nothing is lost.
TEST(PacketIncast, LosslessQueueReachesXoffAndPausesUpstream) {
  PacketConfig cfg;
  cfg.buffer = 1 << 20;
  cfg.xoff = 256 << 10;
  cfg.xon = 128 << 10;
  cfg.ecn_threshold = 64 << 10;
  Incast x(Incast::kSenders, 2e6, cfg);
  const auto& p = x.c.result.packet;
  const uint32_t b = x.bottleneck();
  EXPECT_GE(p.queue_max[b], cfg.xoff);
  EXPECT_LE(p.queue_max[b], cfg.buffer);
  EXPECT_EQ(p.drops, 0u);
  EXPECT_EQ(p.headroom_overruns, 0u);
  EXPECT_GT(p.pauses, 0u);
  for (uint32_t s = 0; s < x.n; ++s) EXPECT_GT(p.pauses_sent[x.uplink(s)], 0u) << "sender " << s;
  EXPECT_EQ(p.pauses_sent[b], 0u);  // the receiver never pauses the switch
  // N·S/B = 16e6 B / 12.5e9 B/s = 1.28 ms, plus 2 us + 300 ns of path.
  const double expected = 1.28e-3 + 2.3e-6;
  EXPECT_NEAR(x.c.result.run.makespan.duration().si(), expected, 0.02 * expected);
}

// Lossy: buffer 256 KiB, no PFC. The bottleneck queue fills to the buffer and the port
// drops what does not fit; every drop is resent after the timeout, all flows finish.
TEST(PacketIncast, LossyDropsAtTheFullBufferAndRetransmits) {
  PacketConfig cfg;
  cfg.mode = LossMode::lossy;
  cfg.buffer = 256 << 10;
  cfg.xoff = 128 << 10;
  cfg.xon = 64 << 10;
  cfg.ecn_threshold = 32 << 10;
  Incast x(Incast::kSenders, 2e6, cfg);
  const auto& p = x.c.result.packet;
  const uint32_t b = x.bottleneck();
  EXPECT_GT(p.drops, 0u);
  EXPECT_EQ(p.port_drops[b], p.drops);  // all at the bottleneck
  EXPECT_EQ(p.retransmissions, p.drops);
  EXPECT_EQ(p.pauses, 0u);
  EXPECT_LE(p.queue_max[b], cfg.buffer);
  EXPECT_GT(p.queue_max[b], cfg.buffer - cfg.mtu);  // it did fill
  // The port stays busy while any sender has data, so the payload still takes ~N·S/B;
  // retransmitted packets queue again, hence the looser bound above.
  const double lower = 1.28e-3;
  EXPECT_GE(x.c.result.run.makespan.duration().si(), lower);
  EXPECT_LE(x.c.result.run.makespan.duration().si(), 1.25 * lower);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// DCQCN on the incast: N = 4 senders of S = 20 MB at 100 Gb/s into one port. Marking
// at 32 KiB makes every sender cut its rate; fast recovery and additive increase bring
// it back; symmetric senders settle around the fair share B/N = 3.125e9 B/s each.
// DCQCN oscillates around that point (the sawtooth of AIMD), so the band is wide:
// each sender's current rate within [0.7, 1.4]·B/N when its flow ends, their sum within
// [0.8, 1.25]·B, and each flow's mean rate S/FCT within 10% of B/N (the port is shared
// round-robin). With CC the queue stays far below the PFC threshold that line-rate
// senders hit, so far fewer pauses are sent.
TEST(PacketIncast, DcqcnSendersConvergeNearFairShare) {
  PacketConfig cfg;
  cfg.buffer = 1 << 20;
  cfg.xoff = 256 << 10;
  cfg.xon = 128 << 10;
  cfg.ecn_threshold = 32 << 10;
  PacketConfig none = cfg;
  cfg.congestion_control = CongestionControl::dcqcn;
  constexpr uint32_t n = 4;
  const double size = 20e6, link = 12.5e9, fair = link / n;
  Incast with(n, size, cfg);
  Incast without(n, size, none);
  const auto& p = with.c.result.packet;
  double sum = 0;
  for (uint32_t s = 0; s < n; ++s) {
    const double rate = p.final_rate[s];
    sum += rate;
    EXPECT_GE(rate, 0.7 * fair) << "sender " << s;
    EXPECT_LE(rate, 1.4 * fair) << "sender " << s;
    const double mean = size / with.c.result.packet.completion[s].duration().si();
    EXPECT_NEAR(mean / fair, 1.0, 0.1) << "sender " << s;
  }
  EXPECT_GE(sum, 0.8 * link);
  EXPECT_LE(sum, 1.25 * link);
  EXPECT_GT(p.ecn_marks, 0u);
  EXPECT_GT(p.cnps, 0u);
  const uint32_t b = with.bottleneck();
  EXPECT_LT(p.queue_max[b], without.c.result.packet.queue_max[b]);
  EXPECT_LT(p.pauses, without.c.result.packet.pauses);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// Spraying: two leaves, two spines, all links 100 Gb/s. gpu0 -> gpu2 and gpu1 -> gpu3
// both cross from leaf0 to leaf1; routed "first equal-cost link" they collide on spine 0
// and share its links: 2S/B. Sprayed packet by packet over both spines, each flow has
// B of leaf0's two uplinks between them: S/B (+ latencies). S = 4 MB: 0.32 ms vs 0.64 ms.
TEST(PacketModel, SprayingSpreadsCollidingFlowsOverBothSpines) {
  topo::TopologyBuilder b;
  std::vector<NodeId> g;
  for (int i = 0; i < 4; ++i) g.push_back(b.add_node("gpu" + std::to_string(i), topo::NodeKind::gpu));
  const NodeId l0 = b.add_node("leaf0", topo::NodeKind::switch_);
  const NodeId l1 = b.add_node("leaf1", topo::NodeKind::switch_);
  const NodeId s0 = b.add_node("spine0", topo::NodeKind::switch_);
  const NodeId s1 = b.add_node("spine1", topo::NodeKind::switch_);
  const SimTime lat = SimTime::ps(500'000);
  for (int i = 0; i < 4; ++i) b.add_link(g[i], i < 2 ? l0 : l1, gbps(100), gbps(100), lat);
  for (NodeId leaf : {l0, l1}) {
    for (NodeId spine : {s0, s1}) b.add_link(leaf, spine, gbps(100), gbps(100), lat);
  }
  const auto t = std::move(b).build();
  const double expected_spray = 4e6 / 12.5e9, expected_ecmp = 2 * expected_spray;
  for (LoadBalance lb : {LoadBalance::ecmp, LoadBalance::spray}) {
    Case r{t};
    r.flows.add("a", g[0], g[2], bytes(4e6));
    r.flows.add("b", g[1], g[3], bytes(4e6));
    r.config.load_balance = lb;
    r.go();
    const double m = r.result.run.makespan.duration().si();
    if (lb == LoadBalance::ecmp) {
      EXPECT_NEAR(m, expected_ecmp, 0.02 * expected_ecmp);
    } else {
      EXPECT_NEAR(m, expected_spray, 0.03 * expected_spray);
    }
  }
}

}  // namespace
}  // namespace roshni::net

#include "roshni/sim/random.h"

namespace roshni::net {
namespace {

// Random traffic on a 6-GPU star (100 Gb/s, 1 us links, 300 ns switch), in every mode.
// Whatever the queues did, three bounds hold for every run and every flow:
//  - each link carries exactly the bytes of the flows crossing it (lossless), or more
//    by the resent packets (lossy: at least that);
//  - no flow ends before its alone-on-the-path closed form S/B + (h-1)·M/B + h·L + F
//    (here h = 2, F = 300 ns);
//  - the makespan is no shorter than the busiest port's bytes at its rate.
TEST(PacketModel, RandomTrafficRespectsLowerBounds) {
  sim::RandomStream rng(42);
  uint64_t drops = 0, pauses = 0, marks = 0;
  for (int round = 0; round < 12; ++round) {
    Case r{star(6, gbps(100), SimTime::ps(1'000'000), SimTime::ps(300'000))};
    r.config.buffer = 256 << 10;
    r.config.xoff = 128 << 10;
    r.config.xon = 64 << 10;
    r.config.ecn_threshold = 32 << 10;
    r.config.mode = round % 2 ? LossMode::lossy : LossMode::lossless;
    r.config.congestion_control = round % 4 >= 2 ? CongestionControl::dcqcn : CongestionControl::none;
    r.config.switching = round % 3 == 2 ? Switching::cut_through : Switching::store_and_forward;
    const int n = 4 + static_cast<int>(rng.uniform_below(20));
    for (int i = 0; i < n; ++i) {
      const auto s = static_cast<uint32_t>(rng.uniform_below(6));
      auto d = static_cast<uint32_t>(rng.uniform_below(5));
      if (d >= s) ++d;
      const double size = 1.0 + static_cast<double>(rng.uniform_below(3'000'000));
      const SimTime at = SimTime::ps(static_cast<int64_t>(rng.uniform_below(200'000'000)));
      r.flows.add("r", NodeId(s), NodeId(d), bytes(size), {}, at);
    }
    r.go();
    std::vector<double> expected(r.t.link_count(), 0.0);
    for (uint32_t f = 0; f < r.flows.size(); ++f) {
      const double size = r.flows.flow_size(FlowId(f)).si();
      for (LinkId l : r.paths.of(FlowId(f))) expected[l.value()] += size;
      const double first = std::min<double>(size, 4096);
      // S/B + (h-1)·m/B + h·L + F with m the first packet (a lower bound for any m).
      // (Cut-through skips the second serialisation: S/B + h·L + F only.)
      const bool saf = r.config.switching == Switching::store_and_forward;
      const int64_t bound = static_cast<int64_t>(size) * kPsPerByte100G +
                            (saf ? static_cast<int64_t>(first) * kPsPerByte100G : 0) +
                            2 * 1'000'000 + 300'000;
      EXPECT_GE((r.result.run.end[f] - r.result.run.start[f]).ps(), bound) << "round " << round;
      EXPECT_GE(r.result.run.start[f], r.flows.earliest_start(FlowId(f)));
    }
    double busiest = 0;
    for (size_t l = 0; l < r.t.link_count(); ++l) {
      if (r.config.mode == LossMode::lossless) {
        EXPECT_DOUBLE_EQ(r.result.run.link_bytes[l].si(), expected[l]) << "round " << round;
      } else {
        EXPECT_GE(r.result.run.link_bytes[l].si(), expected[l]) << "round " << round;
      }
      busiest = std::max(busiest, expected[l] / 12.5e9);
    }
    EXPECT_GE(r.result.run.makespan.duration().si(), busiest);
    if (r.config.mode == LossMode::lossless) {
      EXPECT_EQ(r.result.packet.drops, 0u);
    }
    EXPECT_EQ(r.result.packet.retransmissions, r.result.packet.drops);
    drops += r.result.packet.drops;
    pauses += r.result.packet.pauses;
    marks += r.result.packet.ecn_marks;
  }
  // The instances are hard enough to exercise what the bounds are about.
  EXPECT_GT(drops, 0u);
  EXPECT_GT(pauses, 0u);
  EXPECT_GT(marks, 0u);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// Queue percentiles are time-weighted. Two senders at B = 100 Gb/s each send S = 4 MB
// to a third through one switch whose buffer (16 MiB, xoff above anything reached) never
// pushes back. For T = S/B = 320 us the port to the receiver gains 2B and drains B: its
// queue rises linearly from 0 to S; then it drains linearly back to 0 in another T.
// Over the 2T (plus ~2 us of start and end) the occupancy is uniform on [0, S], so the
// median is S/2 = 2 MB, the 99th percentile 0.99·S = 3.96 MB, the maximum S less about
// one packet. The histogram's buckets are 16 MiB / 64 = 262,144 B wide, and a
// percentile is given as its bucket's upper edge: within one bucket above the truth.
TEST(PacketModel, QueuePercentilesAreTimeWeighted) {
  Case r{star(3, gbps(100), SimTime::ps(1'000'000), SimTime::ps(0))};
  r.config.buffer = 16 << 20;
  r.config.xoff = (16 << 20) - 4096;
  r.config.xon = 1 << 20;
  r.config.ecn_threshold = 1 << 20;
  r.flows.add("a", NodeId(0), NodeId(2), bytes(4e6));
  r.flows.add("b", NodeId(1), NodeId(2), bytes(4e6));
  r.go();
  uint32_t port = 0;
  for (LinkId l : r.t.out_links(*r.t.find_node("switch"))) {
    if (r.t.link_to(l) == NodeId(2)) port = l.value();
  }
  const auto& p = r.result.packet;
  const double width = (16 << 20) / 64.0;
  EXPECT_NEAR(static_cast<double>(p.queue_max[port]), 4e6, 2 * 4096);
  EXPECT_GE(static_cast<double>(p.queue_p50[port]), 2e6 - 0.02 * 4e6);
  EXPECT_LE(static_cast<double>(p.queue_p50[port]), 2e6 + width + 0.02 * 4e6);
  EXPECT_GE(static_cast<double>(p.queue_p99[port]), 3.96e6 - 0.02 * 4e6);
  EXPECT_LE(static_cast<double>(p.queue_p99[port]), static_cast<double>(p.queue_max[port]));
  EXPECT_EQ(p.pauses, 0u);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// The thresholds, pinned by exact closed forms on one bottleneck: gpu n0 sends over a
// 100 Gb/s link (s1 = M/B1 = 4096 x 80 ps = 327,680 ps per packet) to a switch whose
// port to gpu n2 runs at 10 Gb/s (s2 = 10 s1 = 3,276,800 ps). Store-and-forward, no
// forwarding latency: packet i (from 0) reaches the switch at a_i = (i+1) s1 + L1 and the
// port finishes its first packet at a_0 + s2 = a_10. So a burst of k <= 10 packets all
// queue: the port holds i·M bytes when packet i joins it and k·M once the last is in.
constexpr uint64_t kMtu = 4096;
constexpr int64_t kS1 = 327'680, kS2 = 3'276'800, kL = 10'000'000;  // ps

Case bottleneck(uint32_t packets, PacketConfig config) {
  Case r{line(2, {gbps(100), gbps(10)}, {SimTime::ps(kL), SimTime::ps(kL)})};
  r.config = config;
  r.flows.add("burst", NodeId(0), NodeId(2), bytes(static_cast<double>(packets * kMtu)));
  r.go();
  return r;
}

uint32_t port_to(const Case& r, NodeId from, NodeId to) {
  for (LinkId l : r.t.out_links(from)) {
    if (r.t.link_to(l) == to) return l.value();
  }
  return 0;
}

// PFC sends a pause only for a queue above xoff: 8 packets peak at exactly 8 M = xoff and
// pause nothing; one byte lower, the 8th packet's arrival sends exactly one pause (the
// sender has sent all 8 by 8 s1 = 2.6 us, long before it arrives: nothing else changes).
TEST(PacketThresholds, QueuePeakingExactlyAtXoffSendsNoPause) {
  PacketConfig cfg;
  cfg.buffer = 1 << 20;
  cfg.xoff = 8 * kMtu;
  cfg.xon = kMtu;
  Case r = bottleneck(8, cfg);
  const uint32_t port = port_to(r, NodeId(1), NodeId(2));
  EXPECT_EQ(r.result.packet.queue_max[port], 8 * kMtu);
  EXPECT_EQ(r.result.packet.pauses, 0u);
  cfg.xoff = 8 * kMtu - 1;
  r = bottleneck(8, cfg);
  EXPECT_EQ(r.result.packet.pauses, 1u);
  EXPECT_EQ(r.result.packet.pauses_sent[port_to(r, NodeId(0), NodeId(1))], 1u);
}

// The resume is sent once the queue falls below xon (not to it), and the pause when it
// passes xoff (not reaches it). N = 70 packets, xoff = 4 M, xon = 2 M, L1 = L2 = 10 us:
//  - packet 4 joins a queue of 4 M, making 5 M > xoff: the pause leaves at a_4 = 5 s1 + L1
//    and reaches the sender after 64 B x 80 ps + L1: P = 5 s1 + 2 L1 + 5,120 ps =
//    21,643,520 ps. The sender started packets j with j·s1 < P: j <= 66, 67 packets.
//  - all 67 are in by a_66 = 67 s1 + L1 < a_0 + 7 s2, so the port works without a break:
//    packet j leaves it at d_j = a_0 + (j+1) s2 = (10 j + 11) s1 + L1; 6 have left when
//    the last arrives (d_5 < a_66 < d_6), so the queue peaks at 61 M then. After d_65 one
//    packet (M < xon) is left:
//    the resume leaves at d_65 = a_0 + 66 s2 (at d_64, 2 M remained: not below xon).
//  - it reaches the sender 5,120 ps + L1 later; packet 67 reaches the switch s1 + L1
//    after that, when the port has long been idle (d_66 = d_65 + s2 < d_65 + 2 L1);
//    packets 68 and 69 follow s1 apart (3 M <= xoff: no second pause) and the port sends
//    the three back to back; the last arrives L2 after it leaves:
//  end = a_0 + 66 s2 + 5,120 + 2 L1 + s1 + 3 s2 + L2 = 2 s1 + 3 L1 + 69 s2 + 5,120 + L2
//      = 655,360 + 30,000,000 + 226,099,200 + 5,120 + 10,000,000 = 266,759,680 ps.
TEST(PacketThresholds, PauseAboveXoffResumeBelowXonMatchClosedForm) {
  PacketConfig cfg;
  cfg.buffer = 1 << 20;
  cfg.xoff = 4 * kMtu;
  cfg.xon = 2 * kMtu;
  const Case r = bottleneck(70, cfg);
  const int64_t end = 2 * kS1 + 3 * kL + 69 * kS2 + 5'120 + kL;
  EXPECT_EQ(end, 266'759'680);
  EXPECT_EQ(r.result.run.end[0].ps(), end);
  EXPECT_EQ(r.result.packet.pauses, 1u);
  EXPECT_EQ(r.result.packet.queue_max[port_to(r, NodeId(1), NodeId(2))], 61 * kMtu);
  EXPECT_EQ(r.result.packet.drops, 0u);
}

// Tail drop only for a packet that does not fit: k = 8 MTU-sized packets into a buffer of
// exactly 8 M all fit (queue_max == buffer, nothing dropped); into 8 M - 1 the 8th is
// dropped (7 M + M > 8 M - 1), once, and resent after the timeout.
TEST(PacketThresholds, KPacketsFillAKPacketBufferExactly) {
  PacketConfig cfg;
  cfg.mode = LossMode::lossy;
  cfg.buffer = 8 * kMtu;
  cfg.ecn_threshold = 4 * kMtu;
  Case r = bottleneck(8, cfg);
  const uint32_t port = port_to(r, NodeId(1), NodeId(2));
  EXPECT_EQ(r.result.packet.queue_max[port], cfg.buffer);
  EXPECT_EQ(r.result.packet.drops, 0u);
  cfg.buffer = 8 * kMtu - 1;
  r = bottleneck(8, cfg);
  EXPECT_EQ(r.result.packet.queue_max[port], 7 * kMtu);
  EXPECT_EQ(r.result.packet.drops, 1u);
  EXPECT_EQ(r.result.packet.port_drops[port], 1u);
  EXPECT_EQ(r.result.packet.retransmissions, 1u);
}

// ECN marks a packet that joins a queue holding more than the threshold: packet i of the
// burst joins i·M, so with K = 3 M packets 4..7 are marked: k - 1 - K/M = 4 marks (not 5).
// The receiver answers the first with a CNP (DCQCN on; all marks fall in one 50 us
// interval: the last packet arrives at about 8 s2 + 2 L = 46 us).
TEST(PacketThresholds, EcnMarksExactlyThePacketsAboveTheThreshold) {
  PacketConfig cfg;
  cfg.buffer = 1 << 20;
  cfg.ecn_threshold = 3 * kMtu;
  Case r = bottleneck(8, cfg);
  EXPECT_EQ(r.result.packet.ecn_marks, 4u);
  EXPECT_EQ(r.result.packet.cnps, 0u);  // no congestion control: marks, nobody answers
  cfg.congestion_control = CongestionControl::dcqcn;
  r = bottleneck(8, cfg);
  EXPECT_EQ(r.result.packet.ecn_marks, 4u);
  EXPECT_EQ(r.result.packet.cnps, 1u);
}

}  // namespace
}  // namespace roshni::net

namespace roshni::net {
namespace {

// DCQCN's α decays in every period that passes without a CNP, including the first one
// after a CNP (the timer restarts at the CNP, so its first expiry closes a CNP-free
// period). On a 100 Gb/s star (R = 12.5e9 B/s, 1 us links, 300 ns switch), flow F sends
// gpu0 -> gpu2 from t = 0 while two bursts of 20 packets, at 0 and at 300 us, go from
// gpu1 to gpu2; ECN marks above 4 packets (16 KiB). Each burst drives the port to gpu2
// over the threshold for a few tens of microseconds (< the 50 us CNP interval), so F gets
// exactly two CNPs: the first at t1 ~ 10 us, before its first timer (55 us), when α = 1;
// the second at t2 ~ 310 us, when 5 periods have passed (t1 + 275 < t2 < t1 + 330 us).
//  - CNP 1:   R_T = R,  R_C = R (1 - 1/2) = R/2,  α = (1 - g) + g = 1.
//  - 5 periods without a CNP (fast recovery, F = 5): R_C = R - (R/2)/2^5 = 63 R/64, and
//    α = (1 - g)^5 (the defect skipped the first decay: (1 - g)^4).
//  - CNP 2:   R_C = 63 R/64 · (1 - (1 - g)^5 / 2).
// F's size makes it end before the next period after CNP 2 (it is then R_C's final value).
TEST(PacketDcqcn, AlphaDecaysInTheFirstPeriodAfterACnp) {
  Case r{star(3, gbps(100), SimTime::ps(1'000'000), SimTime::ps(300'000))};
  r.config.buffer = 16 << 20;
  r.config.xoff = 8 << 20;
  r.config.xon = 4 << 20;
  r.config.ecn_threshold = 4 * 4096;
  r.config.congestion_control = CongestionControl::dcqcn;
  r.flows.add("F", NodeId(0), NodeId(2), bytes(3.3e6));
  r.flows.add("burst1", NodeId(1), NodeId(2), bytes(20 * 4096));
  r.flows.add("burst2", NodeId(1), NodeId(2), bytes(20 * 4096), {}, SimTime::ps(300'000'000));
  r.go();
  const double line = 12.5e9, g = r.config.dcqcn.g;
  const double expected = 63 * line / 64 * (1 - std::pow(1 - g, 5) / 2);
  EXPECT_NEAR(r.result.packet.final_rate[0], expected, 1e-9 * expected)
      << "with α = (1-g)^4: " << 63 * line / 64 * (1 - std::pow(1 - g, 4) / 2);
  EXPECT_EQ(r.result.packet.cnps, 4u);  // two to F, one to each burst
}

}  // namespace
}  // namespace roshni::net
