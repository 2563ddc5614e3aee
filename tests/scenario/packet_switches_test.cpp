// The packet model's per-switch settings from the catalog: a switch whose part
// (energy.switches) has a buffer gets that buffer on each of its output ports, split
// evenly when the catalog says it is shared, with the PFC and ECN thresholds following
// it; a part that says how it switches (cut-through, store-and-forward) forwards so.
// network.packet's own buffer or switching, when given, applies to every port instead.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "roshni/core/error.h"
#include "roshni/scenario/loader.h"
#include "roshni/scenario/run.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;
namespace fs = std::filesystem;

// configs/switches.json: th5-51t-64x800g has a 100 MB shared buffer over 64 ports and
// forwards store-and-forward; quantum-2-ndr-ib cuts through and has no buffer figure.
constexpr uint64_t kTh5PortBuffer = 100'000'000 / 64;  // 1,562,500 B
constexpr uint64_t kMiB = uint64_t{1} << 20;

/// GPUs g0..g{n-1} on one switch "sw" (a 100 ns hop) over links of `rate` and 1 us;
/// `part` names the switch's catalog part; `extra` is spliced into the scenario object
/// (network, workload).
std::string star(int n, const std::string& rate, const std::string& part, const std::string& extra) {
  std::string nodes = R"({"name": "sw", "kind": "switch", "latency": "100 ns"})";
  std::string links;
  for (int i = 0; i < n; ++i) {
    nodes += R"(, {"name": "g)" + std::to_string(i) + R"(", "kind": "gpu"})";
    links += std::string(i ? ", " : "") + R"({"a": "g)" + std::to_string(i) +
             R"(", "b": "sw", "bandwidth": ")" + rate + R"(", "latency": "1 us"})";
  }
  return R"({"name": "pk", "topology": {"kind": "explicit", "nodes": [)" + nodes +
         R"(], "links": [)" + links + R"(]}, "energy": {"accelerator": "h100-sxm", "switches": ")" +
         part + R"("}, )" + extra + "}";
}

/// One 4 MiB flow g0 -> g1 over a four-GPU star of 400 Gb/s.
std::string one_flow(const std::string& part, const std::string& network) {
  return star(4, "400 Gbps", part, R"("network": )" + network + R"(,
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "g0", "dst": "g1", "size": "4 MiB"}]})");
}

Scenario load(const std::string& text, const std::string& catalog_dir = ROSHNI_DEFAULT_CATALOG_DIR) {
  LoadOptions o;
  o.catalog_dir = catalog_dir;
  return load_scenario_text(text, "pk.json", o);
}

uint32_t node_of(const Scenario& s, std::string_view name) {
  const auto id = s.topology.find_node(name);
  EXPECT_TRUE(id.has_value()) << name;
  return id ? id->value() : 0;
}

/// A copy of configs/ with one more packet switch, "small-8x400g": 8 ports of 400 Gb/s,
/// each with its own `buffer` (not shared), store-and-forward by default.
std::string catalog_with_small_switch(const std::string& name, const std::string& buffer) {
  const fs::path dir = fs::temp_directory_path() / ("roshni-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : fs::directory_iterator(ROSHNI_DEFAULT_CATALOG_DIR)) {
    fs::copy_file(f.path(), dir / f.path().filename());
  }
  std::ifstream in(dir / "switches.json");
  nlohmann::json j = nlohmann::json::parse(in);
  j["packet_switches"]["small-8x400g"] = {
      {"radix", 8}, {"port_rate", "400 Gbps"}, {"latency", "100 ns"},
      {"buffer", buffer}, {"buffer_shared", false},
      {"power", {{"typical", "50 W"}, {"max", "60 W"}}}, {"source", "a test part"}};
  std::ofstream(dir / "switches.json") << j.dump(2);
  return dir.string();
}

TEST(PacketSwitches, SharedCatalogBufferIsSplitOverThePartsPorts) {
  const Scenario s = load(one_flow("th5-51t-64x800g", R"({"model": "packet"})"));
  ASSERT_EQ(s.packet.node_limits.size(), s.topology.node_count());
  const auto& sw = s.packet.node_limits[node_of(s, "sw")];
  EXPECT_EQ(sw.buffer, kTh5PortBuffer);
  // Thresholds not given follow the port's buffer: 1/2, 1/4, 1/8.
  EXPECT_EQ(sw.xoff, kTh5PortBuffer / 2);
  EXPECT_EQ(sw.xon, kTh5PortBuffer / 4);
  EXPECT_EQ(sw.ecn_threshold, kTh5PortBuffer / 8);
  // A GPU's port has no catalog buffer: network.packet's default, 1 MiB, and its thresholds.
  const auto& g = s.packet.node_limits[node_of(s, "g0")];
  EXPECT_EQ(g.buffer, kMiB);
  EXPECT_EQ(g.xoff, kMiB / 2);
  ASSERT_EQ(s.packet.node_switching.size(), s.topology.node_count());
  EXPECT_EQ(s.packet.node_switching[node_of(s, "sw")], net::Switching::store_and_forward);
}

TEST(PacketSwitches, GivenThresholdsAreKept) {
  const Scenario s = load(one_flow(
      "th5-51t-64x800g", R"({"model": "packet", "packet": {"pfc": {"xoff": "768 KiB", "xon": "512 KiB"}}})"));
  const auto& sw = s.packet.node_limits[node_of(s, "sw")];
  EXPECT_EQ(sw.buffer, kTh5PortBuffer);
  EXPECT_EQ(sw.xoff, 768 * uint64_t{1024});
  EXPECT_EQ(sw.xon, 512 * uint64_t{1024});
  EXPECT_EQ(sw.ecn_threshold, kTh5PortBuffer / 8);
}

TEST(PacketSwitches, ScenarioBufferAndSwitchingApplyToEveryPort) {
  const Scenario s = load(one_flow(
      "th5-51t-64x800g",
      R"({"model": "packet", "packet": {"buffer": "2 MiB", "switching": "cut_through"}})"));
  EXPECT_TRUE(s.packet.node_limits.empty());
  EXPECT_TRUE(s.packet.node_switching.empty());
  EXPECT_EQ(s.packet.buffer, 2 * kMiB);
  EXPECT_EQ(s.packet.switching, net::Switching::cut_through);
}

TEST(PacketSwitches, FlowModelScenariosIgnoreThem) {
  const Scenario s = load(one_flow("th5-51t-64x800g", R"({"model": "flow"})"));
  EXPECT_TRUE(s.packet.node_limits.empty());
  EXPECT_TRUE(s.packet.node_switching.empty());
}

// One flow of S = 4 MiB in M = 4096 B packets over h = 2 hops of B = 400 Gb/s through one
// switch. Store-and-forward: the switch sends the last packet once its tail is in, so the
// flow ends at S/B + M/B + 2 L + F. Cut-through: it may start it once the 64-byte header
// is in, but cannot finish before the tail arrives, and the switch's port stays behind
// the first hop's by one header: S/B + 64/B + 2 L + F. The difference is (M - 64)/B =
// 4032 x 8 / 400e9 s = 80.64 ns, exactly 80,640 ps (both serialisations are whole ps).
TEST(PacketSwitches, CatalogCutThroughSavesAPacketTimePerForwardingHop) {
  const Scenario ct = load(one_flow("quantum-2-ndr-ib", R"({"model": "packet"})"));
  ASSERT_EQ(ct.packet.node_switching.size(), ct.topology.node_count());
  EXPECT_EQ(ct.packet.node_switching[node_of(ct, "sw")], net::Switching::cut_through);
  EXPECT_TRUE(ct.packet.node_limits.empty());  // no buffer figure in the catalog
  const Scenario sf = load(one_flow(
      "quantum-2-ndr-ib", R"({"model": "packet", "packet": {"switching": "store_and_forward"}})"));
  const SimTime t_ct = simulate(ct).net.makespan, t_sf = simulate(sf).net.makespan;
  EXPECT_EQ((t_sf - t_ct).ps(), 80'640);
  // And the store-and-forward closed form itself: S/B + M/B + 2 L + F.
  const int64_t s_over_b = 4 * kMiB * 8 * 1000 / 400;  // ps: bytes x 8 / 400 Gb/s
  EXPECT_EQ(t_sf.ps(), s_over_b + 81'920 + 2 * 1'000'000 + 100'000);
}

// Lossy incast of 8 x 2 MB into one 400 Gb/s port of the Tomahawk 5 part: the queue
// fills to the part's per-port 1,562,500 B (not the 1 MiB default) and then drops.
TEST(PacketSwitches, LossyIncastFillsTheCatalogBuffer) {
  std::string flows;
  for (int i = 0; i < 8; ++i) {
    flows += std::string(i ? ", " : "") + R"({"id": "f)" + std::to_string(i) + R"(", "src": "g)" +
             std::to_string(i) + R"(", "dst": "g8", "size": "2 MB"})";
  }
  const Scenario s = load(star(9, "400 Gbps", "th5-51t-64x800g",
                               R"("network": {"model": "packet", "packet": {"mode": "lossy"}},
                                  "workload": {"kind": "flow_trace", "flows": [)" + flows + "]}"));
  const RunOutcome r = simulate(s);
  ASSERT_TRUE(r.packet.has_value());
  const auto sw = *s.topology.find_node("sw");
  const auto g8 = *s.topology.find_node("g8");
  uint64_t to_rx = 0;
  for (const LinkId l : s.topology.out_links(sw)) {
    if (s.topology.link_to(l) == g8) to_rx = r.packet->queue_max[l.value()];
  }
  EXPECT_GT(r.packet->drops, 0u);
  EXPECT_LE(to_rx, kTh5PortBuffer);
  EXPECT_GT(to_rx, kTh5PortBuffer - 4096);  // full to within one packet
}

TEST(PacketSwitches, GivenXoffAboveACatalogBufferIsAnError) {
  const std::string dir = catalog_with_small_switch("pkt-small-xoff", "256 KiB");
  // 512 KiB fits the GPUs' 1 MiB ports, not the part's 256 KiB.
  const auto e = error_of([&] {
    load(one_flow("small-8x400g", R"({"model": "packet", "packet": {"pfc": {"xoff": "512 KiB"}}})"), dir);
  });
  const std::string m = e.what();
  EXPECT_NE(m.find("/network/packet/pfc/xoff"), std::string::npos) << m;
  EXPECT_NE(m.find("small-8x400g"), std::string::npos) << m;
  EXPECT_NE(m.find("'sw'"), std::string::npos) << m;
}

TEST(PacketSwitches, MtuAboveACatalogBufferIsAnError) {
  const std::string dir = catalog_with_small_switch("pkt-small-mtu", "256 KiB");
  const auto e = error_of([&] {
    load(one_flow("small-8x400g", R"({"model": "packet", "packet": {"mtu": "300 KiB"}})"), dir);
  });
  const std::string m = e.what();
  EXPECT_NE(m.find("/network/packet/mtu"), std::string::npos) << m;
  EXPECT_NE(m.find("larger than the per-port buffer"), std::string::npos) << m;
}

TEST(PacketSwitches, CatalogBufferTooSmallForDefaultThresholdsIsAnError) {
  // 6 KiB ports and 4 KiB packets: xoff = 3 KiB leaves less than one packet above it.
  const std::string dir = catalog_with_small_switch("pkt-small-buf", "6 KiB");
  const auto e = error_of([&] { load(one_flow("small-8x400g", R"({"model": "packet"})"), dir); });
  const std::string m = e.what();
  EXPECT_NE(m.find("/energy/switches"), std::string::npos) << m;
  EXPECT_NE(m.find("more than half the per-port buffer"), std::string::npos) << m;
  EXPECT_NE(m.find("xoff"), std::string::npos) << m;
}

TEST(PacketSwitches, CatalogSwitchingMustBeKnown) {
  const std::string dir = catalog_with_small_switch("pkt-small-sw", "256 KiB");
  {
    std::ifstream in(fs::path(dir) / "switches.json");
    nlohmann::json j = nlohmann::json::parse(in);
    j["packet_switches"]["small-8x400g"]["switching"] = "wormhole";
    std::ofstream(fs::path(dir) / "switches.json") << j.dump(2);
  }
  const auto e = error_of([&] { load(one_flow("small-8x400g", R"({"model": "packet"})"), dir); });
  const std::string m = e.what();
  EXPECT_NE(m.find("switches.json"), std::string::npos) << m;
  EXPECT_NE(m.find("wormhole"), std::string::npos) << m;
}

}  // namespace
}  // namespace roshni::scenario
