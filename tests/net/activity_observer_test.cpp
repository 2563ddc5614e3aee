// What the network models tell an ActivityObserver (activity_observer.h): exactly the
// activity a hand-worked case implies, call by call.
#include "roshni/net/activity_observer.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "roshni/net/flow_model.h"
#include "roshni/net/packet_model.h"
#include "roshni/topo/generators.h"
#include "roshni/topo/router.h"

namespace roshni::net {
namespace {

/// Writes every call as a line of text.
class Log final : public ActivityObserver {
 public:
  void node_busy(uint32_t n, double s) override { add(fmt::format("busy {} {}", n, s)); }
  void node_idle(uint32_t n, double s) override { add(fmt::format("idle {} {}", n, s)); }
  void node_speed(uint32_t n, double a, double b) override { add(fmt::format("speed {} {} {}", n, a, b)); }
  void flow_path(uint32_t f, std::span<const LinkId> p) override { add(fmt::format("path {} {}", f, p.size())); }
  void flow_rate(uint32_t f, double a, double b) override { add(fmt::format("rate {} {:g} {:g}", f, a, b)); }
  void wire_busy(uint32_t l, double r) override {
    ++busy[l];
    rate = r;
  }
  void wire_idle(uint32_t l) override { ++idle[l]; }
  void instant_end(SimTime now) override { add(fmt::format("end {}", now.ps())); }
  void run_end(SimTime m) override { add(fmt::format("over {}", m.ps())); }
  std::vector<std::string> lines;
  std::map<uint32_t, int> busy, idle;
  double rate = 0;

 private:
  void add(std::string s) { lines.push_back(std::move(s)); }
};

topo::Topology two_gpus() {
  topo::StarParams p;
  p.gpus = 2;
  p.link_bandwidth = gbps(400);  // 50e9 bytes/s
  p.link_latency = SimTime::ps(0);
  p.switch_latency = SimTime::ps(0);
  return topo::make_star(p);
}

Paths paths_of(const topo::Topology& t, const FlowSet& f) {
  topo::ShortestPathRouter router(t);
  std::vector<FlowId> unroutable;
  return route_all(t, router, f, unroutable);
}

// Flow model. Flow x, 1 MB gpu0 -> gpu1 over 2 links at 50 GB/s: 1e6 / 50e9 = 20 us; task
// c, 10 us on gpu1 from 0. At 0: c busy, x takes its path and its rate (0 -> 5e10); at
// 10 us c ends; at 20 us x's rate goes to 0 (delivered at once, no latency). One
// instant_end per instant (0, 10, 20 us), then run_end at 20 us.
TEST(ActivityObserver, FlowModelReportsRatesAndTasks) {
  const auto t = two_gpus();
  FlowSet f;
  f.add("x", t.gpus()[0], t.gpus()[1], bytes(1e6));
  f.add_task("c", t.gpus()[1], SimTime::ps(10'000'000));
  Log log;
  RunOptions o;
  o.observer = &log;
  run_flow_model(t, f, paths_of(t, f), o);
  const uint32_t g1 = t.gpus()[1].value();
  const std::vector<std::string> expected = {
      "path 0 2", fmt::format("busy {} 1", g1), "rate 0 0 5e+10", "end 0",
      fmt::format("idle {} 1", g1), "end 10000000",
      "rate 0 5e+10 0", "end 20000000", "over 20000000"};
  EXPECT_EQ(log.lines, expected);
}

// Packet model. 8,192 bytes in two 4,096-byte packets over two links: each packet is on
// each link's wire once, so 2 wire_busy and 2 wire_idle per link, at the line rate; the
// run ends at 2 x 81,920 ps (4,096 B / 50e9 B/s) + one more serialisation on the 2nd link.
TEST(ActivityObserver, PacketModelReportsEveryPacketOnEveryWire) {
  const auto t = two_gpus();
  FlowSet f;
  f.add("x", t.gpus()[0], t.gpus()[1], bytes(8192));
  const auto paths = paths_of(t, f);
  Log log;
  RunOptions o;
  o.observer = &log;
  PacketConfig c;
  c.mtu = 4096;
  run_packet_model(t, f, paths, c, o);
  ASSERT_EQ(log.busy.size(), 2u);
  for (LinkId l : paths.of(FlowId(0))) {
    EXPECT_EQ(log.busy[l.value()], 2) << l.value();
    EXPECT_EQ(log.idle[l.value()], 2) << l.value();
  }
  EXPECT_EQ(log.rate, 50e9);
  // Store and forward, no latency: S/B + (h-1) M/B = 163,840 + 81,920 ps.
  EXPECT_EQ(log.lines.back(), "over 245760");
}

}  // namespace
}  // namespace roshni::net
