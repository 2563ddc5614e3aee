// Energy, heat and money through the real program: conservation in the tables, exact
// static and per-bit energy on a hand-checkable fabric, and the heat model's feedback.
#include <cmath>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

nlohmann::json run(const std::string& scenario, const std::string& name,
                   std::filesystem::path* out_dir = nullptr) {
  const auto dir = testing::fresh_dir("energy-" + name);
  const auto r = testing::run_cli("run " + scenario + " -q --no-trace -o " + dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (out_dir) *out_dir = dir;
  return nlohmann::json::parse(testing::read_file(dir / "report.json"));
}

std::filesystem::path write_scenario(const std::string& name, const std::string& text) {
  const auto dir = testing::fresh_dir("energy-src-" + name);
  std::ofstream(dir / "s.json") << text;
  return dir / "s.json";
}

// Four GPUs on one switch; one 1 GiB flow gpu0 -> gpu1. Links have no catalog part, so
// they take the energy section's figures: 3 W static, 2 pJ per bit. gpu2's and gpu3's
// links carry nothing: exactly 3 W x T. gpu0's link carries 8 x 2^30 bits: 3 W x T + 2
// pJ x 8 x 2^30 on top. Every component row adds up to the report's total.
TEST(Energy, StaticAndPerBitEnergyAreExactAndConserved) {
  const auto file = write_scenario("exact", R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g",
               "links": {"static_power": "3 W", "energy_per_bit": "2 pJ/bit"}}})");
  std::filesystem::path dir;
  const auto j = run(file.string(), "exact", &dir);
  const double t = j["summary"]["makespan"]["value"];
  const double total = j["energy"]["total"]["value"];
  std::istringstream csv(testing::read_file(dir / "components.csv"));
  std::string line;
  std::getline(csv, line);  // header
  double sum = 0;
  std::map<std::string, double> energy;
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    ASSERT_EQ(f.size(), 8u) << line;
    energy[f[0]] = std::stod(f[6]);
    sum += std::stod(f[6]);
  }
  EXPECT_NEAR(sum, total, 1e-9 * total);
  ASSERT_TRUE(energy.count("gpu2<->switch")) << "link names";
  EXPECT_NEAR(energy["gpu2<->switch"], 3.0 * t, 1e-12);
  EXPECT_NEAR(energy["gpu3<->switch"], 3.0 * t, 1e-12);
  EXPECT_NEAR(energy["gpu0<->switch"], 3.0 * t + 2e-12 * 8 * 1073741824.0, 1e-12);
  // H100 idle 140 W (configs/accelerators.json): no compute, so a GPU draws 140 W x T.
  EXPECT_NEAR(energy["gpu3"], 140.0 * t, 1e-9);
}

// The peak of the dynamic power under the packet model: the one 1 GiB flow streams at
// 400 Gb/s over gpu0 -> switch -> gpu1, both links busy at once (store-and-forward keeps
// them so), so the network's dynamic peak is (2 pJ x 2 links + the switch's per-bit
// share, 913 W x 15 % / 51.2 Tb/s) x 400 Gb/s = 1.6 + 1.06992 = 2.66992 W, as in the flow
// model, and the cluster's peak is all static power plus that.
TEST(Energy, PacketModelTracksThePeakToo) {
  const std::string text = R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "network": {"model": "packet"},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g",
               "links": {"static_power": "3 W", "energy_per_bit": "2 pJ/bit"}}})";
  const auto j = run(write_scenario("peak-packet", text).string(), "peak-packet");
  const double dyn = (2 * 2e-12 + 913 * 0.15 / 51.2e12) * 400e9;
  ASSERT_TRUE(j["energy"].contains("peak_power"));
  EXPECT_NEAR(j["energy"]["network_dynamic_peak"]["value"].get<double>(), dyn, 1e-9 * dyn);
  // Static: 4 GPUs idle at 140 W with one 25 W NIC each and a 475 W host share
  // (configs/accelerators.json, models.json), 4 links at 3 W, the switch's 85 % of 913 W.
  const double stat = 4 * (140.0 + 25.0 + 475.0) + 4 * 3.0 + 0.85 * 913;
  EXPECT_NEAR(j["energy"]["peak_power"]["value"].get<double>(), stat + dyn, 1e-9 * stat);
}

// A class's peak is its static power plus the peak of its own dynamic power, so it is
// never below its average. The 1 GiB flow of the star above streams at 400 Gb/s through
// the switch: the switch's peak is 85 % x 913 W + 15 % x 913 W / 51.2 Tb/s x 400 Gb/s
// (one direction enters it), and the two busy links (no catalog part: class "link") add
// 2 x 2 pJ x 400 Gb/s = 1.6 W to their 4 x 3 W. The GPUs do no compute: their peak is
// their idle power. Both network models.
TEST(Energy, EveryClassPeakHasItsOwnDynamicPeakAndIsNotBelowItsAverage) {
  for (const std::string model : {"flow", "packet"}) {
    const std::string text = R"({
      "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
      "network": {"model": ")" + model + R"("},
      "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
      "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g",
                 "links": {"static_power": "3 W", "energy_per_bit": "2 pJ/bit"}}})";
    const auto j = run(write_scenario("class-peak-" + model, text).string(), "class-peak-" + model);
    const auto& c = j["energy"]["by_class"];
    const double sw = 0.85 * 913 + 913 * 0.15 / 51.2e12 * 400e9;
    EXPECT_NEAR(c["switch"]["peak_power"].get<double>(), sw, 1e-9 * sw) << model;
    EXPECT_NEAR(c["link"]["peak_power"].get<double>(), 4 * 3.0 + 2 * 2e-12 * 400e9, 1e-9) << model;
    EXPECT_NEAR(c["gpu"]["peak_power"].get<double>(), 4 * 140.0, 1e-9) << model;
    for (const auto& [name, k] : c.items()) {
      const double avg = k["average_power"].get<double>();
      EXPECT_GE(k["peak_power"].get<double>(), avg * (1 - 1e-12)) << model << " " << name;
    }
  }
}

// The rc model's feedback. Poor cooling (6 W/K to a 35 degC supply): a GPU busy at
// 700 W would settle 117 K above the supply, past its 87 degC throttle temperature, so
// it must throttle to 70% speed and the reduction-bound all-reduce must take longer;
// good cooling (40 W/K: 17.5 K rise) must not throttle. Throttled compute takes at most
// 1/0.7 as long, which bounds the slowdown.
TEST(Energy, HotGpusThrottleAndTheRunTakesLonger) {
  const std::string dir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/";
  const auto hot = run(dir + "throttle_poor_cooling.json", "hot");
  const auto cool = run(dir + "throttle_good_cooling.json", "cool");
  const double t_hot = hot["summary"]["makespan"]["value"];
  const double t_cool = cool["summary"]["makespan"]["value"];
  EXPECT_EQ(cool["thermal"]["gpus_throttled"]["value"], 0);
  EXPECT_EQ(hot["thermal"]["gpus_throttled"]["value"], 8);
  EXPECT_GT(t_hot, 1.05 * t_cool);
  EXPECT_LE(t_hot, t_cool / 0.7 * (1 + 1e-9));
  EXPECT_LT(cool["thermal"]["hottest_gpu_temperature"]["value"].get<double>(), 87.0);
  ASSERT_FALSE(hot["thermal"]["warnings"].empty());
  EXPECT_NE(hot["thermal"]["warnings"][0].get<std::string>().find("throttle temperature"),
            std::string::npos);
  // Same work either way: the GPUs' busy energy is the same (it scales with speed), so
  // the hot run costs more only through its longer idle time.
  EXPECT_GT(hot["energy"]["total"]["value"].get<double>(), cool["energy"]["total"]["value"].get<double>());
}

// Per GPU, a components.csv column (4 static J, 5 dynamic J) of every "gpu<i>" row.
std::map<std::string, double> gpu_column(const std::filesystem::path& dir, size_t column) {
  std::istringstream csv(testing::read_file(dir / "components.csv"));
  std::string line;
  std::getline(csv, line);  // header
  std::map<std::string, double> out;
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() > column && f[1] == "gpu") out[f[0]] = std::stod(f[column]);
  }
  return out;
}

// What the energy model promises under throttling (docs/models/energy.md): a GPU at
// speed v draws P_busy x v on top of idle, so its dynamic energy is P_busy x W for W
// the work done (seconds at full speed), whatever the temperature did; only its idle
// energy grows with the longer run. The ring all-reduce of 4 GiB over N = 8 GPUs has
// each GPU reduce N - 1 pieces of S/N = 512 MiB at 2 GB/s: W = 7 x 2^29 / 2e9 s, and
// with P_busy = 700 - 140 W (h100-sxm) every GPU spends 560 x W = 1052.26698752 J in the
// hot run (8 throttled) and in the cool one (none), and 140 W x makespan idle.
TEST(Energy, GpuDynamicEnergyIsTheSameHotOrCool) {
  const std::string dir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/";
  std::filesystem::path hot_dir, cool_dir;
  const auto hot = run(dir + "throttle_poor_cooling.json", "dyn-hot", &hot_dir);
  const auto cool = run(dir + "throttle_good_cooling.json", "dyn-cool", &cool_dir);
  ASSERT_EQ(hot["thermal"]["gpus_throttled"]["value"], 8);
  ASSERT_EQ(cool["thermal"]["gpus_throttled"]["value"], 0);
  const double dynamic = 560.0 * 7 * 536870912.0 / 2e9;
  for (const auto& [run_dir, report] : {std::pair{hot_dir, hot}, std::pair{cool_dir, cool}}) {
    const auto dyn = gpu_column(run_dir, 5);
    const auto stat = gpu_column(run_dir, 4);
    ASSERT_EQ(dyn.size(), 8u);
    const double t = report["summary"]["makespan"]["value"];
    for (const auto& [gpu, joules] : dyn) {
      EXPECT_NEAR(joules, dynamic, 1e-9 * dynamic) << run_dir << " " << gpu;
      EXPECT_NEAR(stat.at(gpu), 140.0 * t, 1e-9 * 140.0 * t) << run_dir << " " << gpu;
    }
  }
}

// The same feedback under the packet model, on a smaller run (256 MiB, and a GPU heat
// capacity of 0.3 J/K so that tau = C/G = 50 ms is inside it): the GPUs throttle, the
// run takes longer than with good cooling, and, as the all-reduce is bound by its 2 GB/s
// reductions rather than the 400 Gb/s links, the packet model's makespan and throttled
// time agree with the flow model's within 0.1%.
TEST(Energy, PacketModelRunsTheHeatFeedbackToo) {
  const std::string dir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/";
  const std::string small =
      R"( --set 'workload.size="256 MiB"' --set 'thermal.gpu.heat_capacity="0.3 J/K"')";
  const std::string packet = " --set network.model=packet";
  const auto hot = run(dir + "throttle_poor_cooling.json" + small + packet, "pkt-hot");
  const auto cool = run(dir + "throttle_good_cooling.json" + small + packet, "pkt-cool");
  const auto fluid = run(dir + "throttle_poor_cooling.json" + small, "pkt-fluid");
  EXPECT_EQ(hot["scenario"]["network_model"], "packet");
  EXPECT_EQ(hot["thermal"]["gpus_throttled"]["value"], 8);
  EXPECT_EQ(cool["thermal"]["gpus_throttled"]["value"], 0);
  const double t_hot = hot["summary"]["makespan"]["value"];
  const double t_cool = cool["summary"]["makespan"]["value"];
  const double t_fluid = fluid["summary"]["makespan"]["value"];
  EXPECT_GT(t_hot, 1.05 * t_cool);
  EXPECT_NEAR(t_hot / t_fluid, 1.0, 1e-3);
  const double slow_hot = hot["thermal"]["throttled_time"]["value"];
  const double slow_fluid = fluid["thermal"]["throttled_time"]["value"];
  EXPECT_NEAR(slow_hot / slow_fluid, 1.0, 1e-3);
}

// The photonic model's blocks on the all-CPO leaf-spine (Bailly-class engines: 8 lanes,
// 20 % wall-plug efficiency, 7 dB from laser to fibre, receiver -4.4 dBm + 0.6 dB margin;
// configs/links.json). Every cable is 1.5 to 6 m, so its loss is the two connectors'
// 1.0 dB plus at most 0.0024 dB of fibre: the budget needs a launch of -4.4 + 0.6 + 1.0 =
// -2.8 dBm, not the catalog's -0.8, and each end's laser draws
// 8 x 10^((-2.8 + 7) / 10) mW / 0.2 = 105.2 mW (at most 105.3), not 166.7 mW. The blocks
// add up to the optics' energy.
TEST(Energy, PhotonicBlocksWithLasersSetByTheLinkBudget) {
  const auto src = write_scenario("photonic-blocks", R"({
    "extends": ")" + std::string(ROSHNI_SOURCE_DIR) + R"(/scenarios/physical/all_cpo.json",
    "energy": {"model": "photonic", "accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}})");
  const auto j = run(src.string(), "photonic-blocks");
  const auto& pb = j["energy"]["photonic_blocks"];
  const double links = j["energy"]["by_class"]["optics"]["count"];
  ASSERT_GT(links, 0);
  EXPECT_EQ(pb["engines"]["value"].get<double>(), links);
  const double optics = j["energy"]["by_class"]["optics"]["energy"];
  EXPECT_NEAR(pb["energy"]["value"].get<double>(), optics, 1e-9 * optics);
  double sum = 0, laser = 0;
  for (const auto& row : pb["rows"]) {
    sum += row[1].get<double>();
    if (row[0] == "laser") laser = row[1];
  }
  EXPECT_NEAR(sum, optics, 1e-9 * optics);
  const double t = j["energy"]["run_time"]["value"];
  const double per_end_low = 8 * std::pow(10.0, 4.2 / 10) * 1e-3 / 0.2;
  const double per_end_high = 8 * std::pow(10.0, 4.2024 / 10) * 1e-3 / 0.2;
  EXPECT_GE(laser, links * 2 * per_end_low * t * (1 - 1e-9));
  EXPECT_LE(laser, links * 2 * per_end_high * t);
}

// A rack over its cooling limit is a warning naming the rack. 32 H100s per rack (the
// default floor) at 700 W peak = 22.4 kW > the 20 kW air limit of the site.
TEST(Energy, RackOverItsCoolingLimitIsNamed) {
  const auto file = write_scenario("rack", R"({
    "topology": {"kind": "star", "gpus": 32, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "all_reduce", "size": "64 MiB"},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"},
    "thermal": {"model": "rack", "cooling": "air"},
    "facility": {"site": "us-average"}})");
  const auto j = run(file.string(), "rack");
  EXPECT_EQ(j["thermal"]["racks_over_limit"]["value"], 1);
  const std::string w = j["thermal"]["warnings"][0];
  EXPECT_NE(w.find("rack rack0"), std::string::npos) << w;
  EXPECT_NE(w.find("20 kW"), std::string::npos) << w;
}

// Issue 16.8: conductances within their ranges can still give temperatures no RC model
// describes. A rack conductance of 1e-6 W/K (0.001 mW/K) holds the rack's idle watts (hundreds: 8 GPUs,
// a switch) at T_supply + P / G, about 1e8 K above the supply: refused naming /thermal
// instead of reported (before: a report with the rack at ~1e8 K, and for 1e300 kW/K
// GPUs at absolute zero).
TEST(Energy, AnUnphysicalThermalResultIsRefused) {
  const std::string dir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/";
  const auto out = testing::fresh_dir("energy-unphysical");
  const auto r = testing::run_cli("run " + dir + "throttle_poor_cooling.json --set "
                                  "'thermal.rack={\"conductance\": \"0.001 mW/K\"}' -q --no-trace -o " +
                                  out.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("throttle_poor_cooling.json:/thermal: the rc thermal model put rack 0's "
                       "coolant at"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("outside what it can describe"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "report.json"));
}

// Issue 17.10: the terminal gives money and tonnes in readable amounts (k, M, bn), not
// "2.3e+06 PKR", and says what "per run" is. The poor-cooling scenario's yearly bill is
// millions of rupees: 20.87 kJ of facility energy over a 2.70 s run is 7.72 kW, and
// 7.72 kW x 8,766 h x 34 PKR/kWh = 2.3 M PKR.
TEST(Energy, TerminalAmountsAreReadable) {
  const std::string file =
      std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/throttle_poor_cooling.json";
  const auto out = testing::fresh_dir("energy-readable");
  const auto r = testing::run_cli("run " + file + " --no-trace -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("  facility ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  EXPECT_EQ(line.find("e+"), std::string::npos) << line;
  EXPECT_NE(line.find(" M PKR / "), std::string::npos) << line;
  EXPECT_NE(line.find(" USD per run;"), std::string::npos) << line;  // a collective: per run
  const auto cap = r.out.find("  capital (priced) ");
  ASSERT_NE(cap, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(cap, r.out.find('\n', cap) - cap).find("e+"), std::string::npos);
}

// Same scenario and seed, same bytes, with the rc model riding along.
TEST(Energy, ReportsAreByteIdentical) {
  const std::string file = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/energy/throttle_poor_cooling.json";
  std::filesystem::path a, b;
  run(file, "det-a", &a);
  run(file, "det-b", &b);
  for (const char* f : {"report.json", "components.csv", "racks.csv"}) {
    EXPECT_EQ(testing::read_file(a / f), testing::read_file(b / f)) << f;
  }
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// Issue 17.6: a switch part whose ports differ from the topology's radix is charged one
// box per switch, and says so. A radix-32 leaf-spine with 64 GPUs (16 down / 16 up per
// leaf: 4 leaves, each spine taking t = min(16, floor(32/4)) = 8 uplinks of every leaf, so
// ceil(16/8) = 2 spines of 32 used ports) built of 64-port boxes: 6 switches, 6 boxes of
// 'th5-51t-64x800g' in the bill (6 x 913 W typical), and one note per role naming radix 32
// against 64 ports, in report.json, the terminal summary and a warning on stderr.
TEST(Energy, SwitchPartWithOtherPortsThanTheRadixIsNoted) {
  const auto file = write_scenario("radix-mismatch", R"({
    "topology": {"kind": "fat_tree", "tiers": 2, "radix": 32, "gpus": 64,
                 "link": {"bandwidth": "400 Gbps"}},
    "workload": {"kind": "all_reduce", "size": "1 MiB"},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}})");
  const auto dir = testing::fresh_dir("energy-radix-mismatch");
  const auto r = testing::run_cli("run " + file.string() + " --no-trace -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  uint64_t boxes = 0;
  for (const auto& row : j["bill_of_materials"]["rows"]) {
    if (row[0] == "switch") boxes += row[2].get<uint64_t>();
  }
  EXPECT_EQ(boxes, 6u);
  const auto& notes = j["bill_of_materials"]["notes"];
  ASSERT_EQ(notes.size(), 2u) << j["bill_of_materials"].dump();
  const std::string leaf = notes[0].get<std::string>(), spine = notes[1].get<std::string>();
  EXPECT_NE(leaf.find("4 switches of role 'leaf' have radix 32 in the topology but part "
                      "'th5-51t-64x800g' has 64 ports"),
            std::string::npos)
      << leaf;
  EXPECT_NE(leaf.find("using at most 32 of its ports"), std::string::npos) << leaf;
  EXPECT_NE(spine.find("2 switches of role 'spine' have radix 32"), std::string::npos) << spine;
  EXPECT_NE(r.out.find("note: 4 switches of role 'leaf'"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("4 switches of role 'leaf'"), std::string::npos) << r.err;
}

// A GPU's host share (CPUs, DRAM, fans, DPUs, power conversion) defaults to its catalog
// part's (issue 17.3: without energy.host_power, racks read 25-30 % low). h100-sxm's is
// 475 W: (DGX H100's 10.2 kW - 8 x 700 W GPUs - 4 x 150 W NVSwitch - 8 x 25 W NICs) / 8
// (configs/accelerators.json). Constant, so the host class averages exactly GPUs x 475 W;
// the scenario's host_power replaces it, and "0 W" leaves the class out.
TEST(Energy, HostShareDefaultsToTheAcceleratorsCatalogFigure) {
  const auto scenario = [](const std::string& host) {
    return R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g")" +
           host + "}}";
  };
  const auto by_default = run(write_scenario("host-default", scenario("")).string(), "host-default");
  ASSERT_TRUE(by_default["energy"]["by_class"].contains("host"));
  const auto& host = by_default["energy"]["by_class"]["host"];
  EXPECT_EQ(host["count"], 4);
  EXPECT_NEAR(host["average_power"].get<double>(), 4 * 475.0, 1e-9 * 4 * 475);
  const auto given = run(write_scenario("host-given", scenario(R"(, "host_power": "200 W")")).string(),
                         "host-given");
  EXPECT_NEAR(given["energy"]["by_class"].at("host").at("average_power").get<double>(), 4 * 200.0,
              1e-9 * 800);
  const auto none = run(write_scenario("host-none", scenario(R"(, "host_power": "0 W")")).string(),
                        "host-none");
  EXPECT_FALSE(none["energy"]["by_class"].contains("host"));
  // The default's share of the run's energy is exactly what leaving it out removes.
  const double t = by_default["summary"]["makespan"]["value"];
  EXPECT_NEAR(by_default["energy"]["total"]["value"].get<double>() -
                  none["energy"]["total"]["value"].get<double>(),
              4 * 475.0 * t, 1e-6 * 4 * 475 * t);
}

// On-site solar with a battery through the CLI (issue 17.2). The run's mean facility
// power D is read from the report; a plant sized far above it (1 GW, capacity factor 1
// from 06:00 to 18:00) covers the 12 daylight hours directly, and a battery of 1 GWh and
// 1 GW covers the other 12 (12 D < 1 GWh, charged well within the first sunny hour), so
// the share is 1 and half of it came through the battery. The grid bills nothing; solar
// bills the plant's whole generation, 1 GW x 12/24 x run time, at the default LCOE
// (0.044 USD/kWh, configs/models.json). The battery is capital: 1,000,000 kWh x 165 USD.
TEST(Energy, SolarWithABatteryRunsPastDaylight) {
  std::string profile;
  for (int h = 0; h < 24; ++h) profile += std::string(h ? "," : "") + (h >= 6 && h < 18 ? "1" : "0");
  const auto file = write_scenario("battery", R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"},
    "facility": {"pue": 1.2, "tariff": {"amount": 0.1, "currency": "USD"},
      "carbon_intensity": "400 gCO2/kWh",
      "solar": {"capacity": "1 GW", "profile": [)" + profile + R"(],
                "battery": {"energy": "1 GWh", "power": "1 GW"}}}})");
  const auto j = run(file.string(), "battery");
  const auto& f = j.at("facility");
  const auto v = [&](const char* k) { return f.at(k).at("value").get<double>(); };
  EXPECT_NEAR(v("solar_share"), 1.0, 1e-12);
  EXPECT_NEAR(v("battery_share"), 0.5, 1e-12);
  EXPECT_NEAR(v("grid_energy_cost"), 0.0, 1e-18);
  const double t = j["summary"]["makespan"]["value"];
  EXPECT_NEAR(v("solar_generated"), 1e9 * 0.5 * t, 1e-9 * 1e9 * t);
  EXPECT_NEAR(v("energy_cost"), 1e9 * 0.5 * t / 3.6e6 * 0.044, 1e-9 * v("energy_cost"));
  bool battery_line = false;
  for (const auto& row : j.at("bill_of_materials").at("rows")) {
    if (row[0] != "battery") continue;
    battery_line = true;
    EXPECT_EQ(row[2], 1000000);
    EXPECT_EQ(row[3], 165);
  }
  EXPECT_TRUE(battery_line);
  EXPECT_GE(j["summary"]["capital_priced"]["value"].get<double>(), 165e6);
}

// Every part can be priced in the scenario (issue 17.5: energy.switches.*.price was an
// unknown key and NICs had no price). A star of 4 H100s on one TH5 box: 4 x 27,500 (GPUs,
// catalog) + 1 x 30,000 (switch, scenario over the catalog's 37,300) + 4 x 1,200 (NICs,
// scenario over models.json's 2,000) = 144,800 USD, nothing unpriced. Without the
// override the NICs take the catalog default: 110,000 + 37,300 + 8,000 = 155,300 USD.
TEST(Energy, EveryPartCanBePricedInTheScenario) {
  const auto scenario = [](const std::string& prices) {
    return R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g")" + prices + "}}";
  };
  const auto priced = run(write_scenario("priced", scenario(R"(, "prices": {
      "th5-51t-64x800g": {"amount": 30000, "currency": "USD"},
      "nic": {"amount": 1200, "currency": "USD", "estimate": true}})")).string(), "priced");
  EXPECT_EQ(priced["summary"]["capital_priced"]["value"].get<double>(), 144800.0);
  EXPECT_EQ(priced["summary"]["capital_unpriced_items"]["value"].get<double>(), 0.0);
  const auto by_default = run(write_scenario("default-prices", scenario("")).string(), "default-prices");
  EXPECT_EQ(by_default["summary"]["capital_priced"]["value"].get<double>(), 155300.0);
}

// The terminal names what the capital figure leaves out: a star on one 'quantum-2-ndr-ib'
// box, which has no catalog price, is 1 unpriced item (issue 17.5).
TEST(Energy, TerminalNamesTheUnpricedParts) {
  const auto file = write_scenario("unpriced", R"({
    "topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "gpu0", "dst": "gpu1", "size": "1 GiB"}]},
    "energy": {"accelerator": "h100-sxm", "switches": "quantum-2-ndr-ib"}})");
  const auto dir = testing::fresh_dir("energy-unpriced-out");
  const auto r = testing::run_cli("run " + file.string() + " --no-trace -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 4 x 27,500 (GPUs) + 4 x 2,000 (NICs) = 118,000 USD priced, read as "118 k".
  EXPECT_NE(r.out.find("capital (priced) 118 k USD; leaves out 1 unpriced items "
                       "(1 \"quantum-2-ndr-ib\")"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace roshni
