// The dynamic power's peaks and samples, taken by power::DynamicPower from the activity a
// network model reports (net::ActivityObserver). Expected figures from the arithmetic in
// each test's comment.
#include "roshni/power/dynamic_power.h"

#include <gtest/gtest.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::power {
namespace {

using net::FlowSet;
using net::RunOptions;
using net::RunResult;

topo::Topology star(SimTime link_latency) {
  topo::StarParams p;
  p.gpus = 2;
  p.link_bandwidth = gbps(400);
  p.link_latency = link_latency;
  p.switch_latency = SimTime::ps(0);
  return topo::make_star(p);
}

net::Paths paths_of(const topo::Topology& t, const FlowSet& f) {
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  return net::route_all(t, router, f, unroutable);
}

/// Runs the flow model (or the packet model) with a DynamicPower of `setup` attached and
/// returns the result with its peaks filled.
RunResult run(const topo::Topology& t, const FlowSet& f, DynamicPowerSetup setup,
              bool packet = false) {
  DynamicPower watch(std::move(setup));
  RunOptions o;
  o.observer = &watch;
  RunResult r = packet ? net::run_packet_model(t, f, paths_of(t, f), net::PacketConfig{}, o).run
                       : net::run_flow_model(t, f, paths_of(t, f), o);
  watch.fill(r);
  return r;
}

// gpu0 computes [0, 10) us and gpu1 [5, 15) us, 600 W busy power each: the compute peak
// is 1200 W (both busy in [5, 10) us). A 1 MB flow gpu0 -> gpu1 after gpu0's task runs at
// 50 GB/s over two links of 1e-9 J/byte each: 2 x 1e-9 x 50e9 = 100 W of link power,
// while gpu1 still computes: the dynamic peak is 1200 W, at 5 us.
TEST(DynamicPower, TracksPeakComputeAndLinkPower) {
  const auto t = star(SimTime::ps(0));
  FlowSet f;
  const FlowId a = f.add_task("a", t.gpus()[0], SimTime::ps(10'000'000));
  f.add_task("b", t.gpus()[1], SimTime::ps(10'000'000), {}, SimTime::ps(5'000'000));
  f.add("x", t.gpus()[0], t.gpus()[1], bytes(1e6), std::vector<FlowId>{a});
  DynamicPowerSetup s;
  s.node_busy_power.assign(t.node_count(), 0.0);
  s.node_busy_power[t.gpus()[0].value()] = 600;
  s.node_busy_power[t.gpus()[1].value()] = 600;
  s.link_energy_per_byte.assign(t.link_count(), 1e-9);
  const auto r = run(t, f, s);
  EXPECT_DOUBLE_EQ(r.peak_compute_power, 1200);
  EXPECT_NEAR(r.peak_link_power, 100, 1e-9);
  EXPECT_DOUBLE_EQ(r.peak_dynamic_power, 1200);
  EXPECT_EQ(r.peak_dynamic_at, SimTime::ps(5'000'000));
}

// Issue 15.2: an instant whose only network change is a flow leaving its links (which
// then carry nothing) still notes the peaks. x (50 kB at 50 GB/s, 1 us per link) leaves
// the wire at 1 us; c, 1 ns of work on gpu1 at 100 W, starts at that same 1 us and is
// over long before x is delivered (3 us). The compute peak is c's 100 W.
TEST(DynamicPower, PeakIsNotedWhenFlowsOnlyLeaveLinks) {
  const auto t = star(SimTime::ps(1'000'000));
  FlowSet f;
  f.add("x", t.gpus()[0], t.gpus()[1], bytes(50e3));
  f.add_task("c", t.gpus()[1], SimTime::ps(1'000), {}, SimTime::ps(1'000'000));
  DynamicPowerSetup s;
  s.node_busy_power.assign(t.node_count(), 0.0);
  s.node_busy_power[t.gpus()[1].value()] = 100;
  s.record_activity = true;
  const auto r = run(t, f, s);
  EXPECT_EQ(r.end[0], SimTime::ps(3'000'000));
  EXPECT_DOUBLE_EQ(r.peak_compute_power, 100);
  bool sampled = false;  // the trace's activity has c's 100 W at 1 us
  for (const auto& a : r.activity) sampled |= a.at == SimTime::ps(1'000'000) && a.dynamic_power == 100;
  EXPECT_TRUE(sampled);
  ASSERT_FALSE(r.activity.empty());
  EXPECT_EQ(r.activity.back().at, r.makespan);  // the samples end with the makespan, at 0 W
  EXPECT_EQ(r.activity.back().dynamic_power, 0);
}

// Two tasks of 10 and 4 us start together on gpu0 (600 W busy): they share the GPU, so
// it draws 600 W while busy, never 1200, in either model.
TEST(DynamicPower, OverlappingTasksDrawOneGpusBusyPower) {
  const auto t = star(SimTime::ps(0));
  FlowSet f;
  const NodeId g = t.gpus()[0];
  f.add_task("a", g, SimTime::ps(10'000'000));
  f.add_task("b", g, SimTime::ps(4'000'000));
  DynamicPowerSetup s;
  s.node_busy_power.assign(t.node_count(), 0.0);
  s.node_busy_power[g.value()] = 600;
  EXPECT_DOUBLE_EQ(run(t, f, s).peak_compute_power, 600);
  EXPECT_DOUBLE_EQ(run(t, f, s, /*packet=*/true).peak_compute_power, 600);
}

// Packet model: one 4 kB packet (one MTU) gpu0 -> switch -> gpu1 at 50 GB/s, 1e-9 J/byte
// on the first link and 3e-9 on the second. Store and forward with no latency, the packet
// is on one wire at a time: 50 W, then 150 W; the link peak is 150 W, not 200. By group
// (group 0 = all of link 0's, group 1 = all of link 1's energy): peaks 50 and 150 W.
TEST(DynamicPower, PacketOnTheWireDrawsItsLinksEnergyAtLineRate) {
  const auto t = star(SimTime::ps(0));
  FlowSet f;
  f.add("x", t.gpus()[0], t.gpus()[1], bytes(4096));
  const auto paths = paths_of(t, f);
  ASSERT_EQ(paths.offset[1] - paths.offset[0], 2u);
  const uint32_t l0 = paths.links[0].value(), l1 = paths.links[1].value();
  DynamicPowerSetup s;
  s.link_energy_per_byte.assign(t.link_count(), 0.0);
  s.link_energy_per_byte[l0] = 1e-9;
  s.link_energy_per_byte[l1] = 3e-9;
  s.link_energy_groups.assign(2, std::vector<double>(t.link_count(), 0.0));
  s.link_energy_groups[0][l0] = 1e-9;
  s.link_energy_groups[1][l1] = 3e-9;
  const auto r = run(t, f, s, /*packet=*/true);
  EXPECT_NEAR(r.peak_link_power, 150, 1e-9);
  ASSERT_EQ(r.peak_link_group_power.size(), 2u);
  EXPECT_NEAR(r.peak_link_group_power[0], 50, 1e-9);
  EXPECT_NEAR(r.peak_link_group_power[1], 150, 1e-9);
}

}  // namespace
}  // namespace roshni::power
