// Link capacities that change during a run: failures, repairs, circuits torn down and
// set up again. Every expected time is derived from S/B arithmetic in the comments.
#include <gtest/gtest.h>

#include "net/link_fixtures.h"
#include "roshni/core/error.h"
#include "roshni/net/flow_model.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

using testing::at;
using testing::kUs;
using testing::outage_begins;
using testing::outage_ends;
using testing::pair_of_gpus;
using testing::two_paths;

// 1 MB at 100 Gb/s (12.5 GB/s) takes 80 us on the wire; latency 1 us per link.
const double kSize = 1e6;

struct Case {
  explicit Case(topo::Topology topology) : t(std::move(topology)) {}
  topo::Topology t;
  FlowSet flows;
  RunOptions options;
  RunResult run() {
    topo::ShortestPathRouter router(t);
    std::vector<FlowId> unroutable;
    const Paths paths = route_all(t, router, flows, unroutable);
    EXPECT_TRUE(unroutable.empty());
    return run_flow_model(t, flows, paths, options);
  }
};

// The link dies at 30 us and returns at 50 us: the flow sends 30 us worth, waits 20 us,
// sends the remaining 50 us worth: transmission ends at 100 us, delivery at 101 us.
TEST(LinkDynamics, OutageDelaysTheFlowByItsLength) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(30 * kUs, LinkId(0), DataRate()), at(50 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.end[0].ps(), 101 * kUs);
  EXPECT_EQ(r.flows_stalled, 1u);
  EXPECT_EQ(r.stalled_for[0].ps(), 20 * kUs);
}

// Capacity halves at 40 us: 0.5 MB sent, the other 0.5 MB at 6.25 GB/s takes 80 us:
// transmission ends at 120 us, delivery at 121 us.
TEST(LinkDynamics, CapacityChangeReratesTheFlow) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(40 * kUs, LinkId(0), gbps(50))};
  const auto r = c.run();
  EXPECT_EQ(r.end[0].ps(), 121 * kUs);
}

// The path through s0 (the router's first choice) is dead from t = 0: the flow is
// rerouted through s1 and takes its normal 80 us + 2 links of 1 us.
TEST(LinkDynamics, StartingFlowIsReroutedAroundADeadLink) {
  Case c{two_paths()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.initial_capacities = {{LinkId(0), DataRate()}};  // a -> s0 is down
  const auto r = c.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.flows_rerouted, 1u);
  EXPECT_EQ(r.end[0].ps(), 82 * kUs);
  EXPECT_EQ(r.link_bytes[0].si(), 0.0);
  EXPECT_EQ(r.link_bytes[4].si(), kSize);  // a -> s1
}

// With no live path the flow waits for one: the only link is down until 200 us, so the
// flow starts then and is delivered at 200 + 80 + 1 us.
TEST(LinkDynamics, FlowWithoutAnyLivePathWaitsForARepair) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.initial_capacities = {{LinkId(0), DataRate()}};
  c.options.steps = {at(200 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.start[0].ps(), 200 * kUs);
  EXPECT_EQ(r.end[0].ps(), 281 * kUs);
}

// The circuit-switch pattern: when flow A is delivered (81 us), its link is torn down
// and comes back after a 10 ms reconfiguration. B waits for A and needs that link:
// it starts at 81 us + 10 ms and is delivered 81 us later. Makespan = 2 x 81 us + 10 ms.
TEST(LinkDynamics, ReconfigurationBetweenPhasesShowsInTheMakespan) {
  Case c{pair_of_gpus()};
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
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.makespan.ps(), 2 * 81 * kUs + 10'000 * kUs);
}

// A link that never comes back leaves the flow unfinished, and the result says which
// link it is stalled behind.
TEST(LinkDynamics, PermanentFailureIsReportedNotHung) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(10 * kUs, LinkId(0), DataRate())};
  const auto r = c.run();
  ASSERT_EQ(r.unfinished.size(), 1u);
  EXPECT_EQ(r.unfinished[0].state, Unfinished::State::transmitting);
  EXPECT_EQ(r.unfinished[0].dead_link, LinkId(0));
}


// Issue 15.3: a flow that starts behind a dead link (not rerouted) is stalled from its
// start, not from time 0. The link is down over [10, 50) us; the flow may start at
// 30 us: it waits 20 us, then takes 80 + 1 us: delivered at 131 us.
TEST(LinkDynamics, FlowStartingBehindADeadLinkIsStalledFromItsStart) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize), {}, SimTime::ps(30 * kUs));
  c.options.reroute = false;
  c.options.steps = {at(10 * kUs, LinkId(0), DataRate()), at(50 * kUs, LinkId(0), gbps(100))};
  const auto r = c.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.start[0].ps(), 30 * kUs);
  EXPECT_EQ(r.end[0].ps(), 131 * kUs);
  EXPECT_EQ(r.flows_stalled, 1u);
  EXPECT_EQ(r.stalled_for[0].ps(), 20 * kUs);
}


// Issue 15.5: the link slows to 1e-3 b/s at 10 us with most of the 1 MB left: ~7e9 s,
// past the end of simulated time (2^63 - 1 ps = 9.22e6 s). The run ends with an error,
// not with a saturated "success".
TEST(LinkDynamics, WorkPastTheEndOfSimulatedTimeIsAnError) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {at(10 * kUs, LinkId(0), gbps(1e-12))};
  EXPECT_THROW(c.run(), TimeExhausted);
}

// Outages overlap and capacities change under them: link 0 is down [30, 130] us (a
// 10 us outage [40, 50] inside it changes nothing), and its capacity is set to 50 Gb/s
// at 60 us, while it is down. The flow sends 30 us worth (375 kB), waits until 130 us,
// then sends the other 625 kB at 6.25 GB/s in 100 us: delivered at 230 + 1 us.
TEST(LinkDynamics, OverlappingOutagesEndWithTheLast) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {outage_begins(30 * kUs, LinkId(0)), outage_begins(40 * kUs, LinkId(0)),
                     outage_ends(50 * kUs, LinkId(0)), at(60 * kUs, LinkId(0), gbps(50)),
                     outage_ends(130 * kUs, LinkId(0))};
  const auto r = c.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.end[0].ps(), 231 * kUs);
  EXPECT_EQ(r.stalled_for[0].ps(), 100 * kUs);
}

// A link whose capacity a step sets to 0 while an outage covers it stays dark when the
// outage ends (a circuit torn down during its failure, or before its reconfiguration
// ended): the flow never finishes.
TEST(LinkDynamics, OutageEndingDoesNotLightALinkSetToZero) {
  Case c{pair_of_gpus()};
  c.flows.add("f", NodeId(0), NodeId(1), bytes(kSize));
  c.options.steps = {outage_begins(30 * kUs, LinkId(0)), at(40 * kUs, LinkId(0), DataRate()),
                     outage_ends(50 * kUs, LinkId(0))};
  const auto r = c.run();
  ASSERT_EQ(r.unfinished.size(), 1u);
  EXPECT_EQ(r.unfinished[0].dead_link, LinkId(0));
}

}  // namespace
}  // namespace roshni::net
