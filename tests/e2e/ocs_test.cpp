// An optical-circuit-switched fabric whose circuit map changes between two phases of
// a workload: the reconfiguration time must show in the makespan, exactly.
#include <algorithm>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

const std::string kScenario =
    std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/two_phase_reconfiguration.json";

// Each phase is one flow of S = 256 MiB per circuit over GPU link, block switch,
// circuit, block switch, GPU link: L = 150 + 300 + 500 + 300 + 150 ns = 1.4 us and
// S/B = 2^28 / 5e10 s = 5.36870912 ms, so a phase takes 5.37010912 ms. Phase 2 needs
// circuits that phase 1 does not have; they come up R = 10 ms after phase 1 ends:
// makespan = 2 x 5.37010912 ms + R.
TEST(Ocs, ReconfigurationTimeShowsInTheMakespan) {
  const double phase = 1.4e-6 + 268435456.0 / 50e9;
  for (const auto& [r, set] : {std::pair{10e-3, std::string()},
                               std::pair{0.0, std::string(" --set 'topology.ocs.reconfiguration_time=0 s'")},
                               std::pair{50e-3, std::string(" --set 'topology.ocs.reconfiguration_time=50 ms'")}}) {
    const auto dir = testing::fresh_dir("ocs");
    const auto res = testing::run_cli("run " + kScenario + set + " -q -o " + dir.string());
    ASSERT_EQ(res.exit_code, 0) << res.err;
    const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
    const double expected = 2 * phase + r;
    EXPECT_NEAR(j["summary"]["makespan"]["value"].get<double>(), expected, 1e-9) << set;
    // Phase 2 starts exactly R after phase 1 is delivered.
    const auto& rows = j["flows"]["rows"];
    EXPECT_EQ(rows[2][4].get<int64_t>() - rows[0][5].get<int64_t>(),
              static_cast<int64_t>(std::llround(r * 1e12)));
  }
}

// The OCS part named in physical.ocs must be the topology's OCS: palomar-ocs-136 has 136
// ports and reconfigures in 10 ms (configs/switches.json), so a 300-port, 1 us OCS is
// an error at the topology's field that says what the part has.
TEST(Ocs, CatalogPartMustMatchTheTopologysOcs) {
  const auto dir = testing::fresh_dir("ocs-part");
  const auto write = [&](const std::string& name, const std::string& ocs, const std::string& named) {
    std::ofstream(dir / name) << R"({"extends": ")" << kScenario << R"(",
      "topology": {"ocs": )" << ocs << "}, " << named << "}";
    return (dir / name).string();
  };
  const std::string physical = R"("physical": {"ocs": "palomar-ocs-136", "budget": "warn"})";
  auto r = testing::run_cli("validate " + write("big.json", R"({"count": 2, "ports": 300, "reconfiguration_time": "1 us"})", physical));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("big.json:/topology/ocs/ports: expected 136 ports: the OCS part "
                       "'palomar-ocs-136' named in /physical/ocs ("),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("configs/switches.json) has 136, this topology's OCS has 300"),
            std::string::npos)
      << r.err;
  r = testing::run_cli("validate " + write("fast.json", R"({"count": 2, "ports": 136, "reconfiguration_time": "1 us"})", physical));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("fast.json:/topology/ocs/reconfiguration_time: expected 10 ms: the OCS "
                       "part 'palomar-ocs-136' named in /physical/ocs"),
            std::string::npos)
      << r.err;
  // The part as it is: accepted.
  r = testing::run_cli("validate " + write("same.json", R"({"count": 2, "ports": 136, "reconfiguration_time": "10 ms"})", physical));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The energy section's OCS part is held to the same.
  const std::string energy =
      R"("energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "ocs": "palomar-ocs-136"})";
  r = testing::run_cli("validate " + write("energy.json", R"({"count": 2, "ports": 300, "reconfiguration_time": "10 ms"})", energy));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("energy.json:/topology/ocs/ports: expected 136 ports: the OCS part "
                       "'palomar-ocs-136' named in /energy/ocs"),
            std::string::npos)
      << r.err;
  r = testing::run_cli("validate " + write("energy_ok.json", R"({"count": 2, "ports": 136, "reconfiguration_time": "10 ms"})", energy));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every optical switching tier of the catalog (configs/switches.json: nanosecond tunable
// lasers, microsecond rotor switches, millisecond MEMS, minutes for a robotic patch
// panel) on the two-phase fabric: phase 2 starts exactly the part's reconfiguration time
// after phase 1 ends, and the makespan less R is the same for every tier (the two phases),
// from 3.84 ns to 2 min.
TEST(Ocs, EveryCatalogTierCostsItsReconfigurationTime) {
  const auto catalog = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/switches.json"));
  const std::map<std::string, double> unit = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"min", 60.0}};
  const double phase = 1.4e-6 + 268435456.0 / 50e9;
  const auto dir = testing::fresh_dir("ocs-tiers");
  size_t tiers = 0;
  double first_rest = 0;
  for (const auto& [name, part] : catalog["optical_circuit_switches"].items()) {
    const std::string text = part["reconfiguration_time"];
    const double r = std::stod(text) * unit.at(text.substr(text.find(' ') + 1));
    const std::string file = (dir / (name + ".json")).string();
    std::ofstream(file) << R"({"extends": ")" << kScenario << R"(", "topology": {"ocs": {"count": 2, "ports": )"
                        << part["ports"] << R"(, "reconfiguration_time": ")" << text
                        << R"("}}, "physical": {"ocs": ")" << name << R"(", "budget": "warn"}})";
    const auto out = dir / name;
    const auto res = testing::run_cli("run " + file + " -q -o " + out.string());
    ASSERT_EQ(res.exit_code, 0) << res.err;
    const auto j = nlohmann::json::parse(testing::read_file(out / "report.json"));
    // The physical parts add their fixed latencies (SerDes, FEC, fibre) to each phase, the
    // same for every tier: what is left after R is the same two phases, at least 2 x phase.
    const double rest = j["summary"]["makespan"]["value"].get<double>() - r;
    if (tiers == 0) first_rest = rest;
    EXPECT_NEAR(rest, first_rest, 1e-12 * (1 + r)) << name;
    EXPECT_GE(rest, 2 * phase) << name;
    EXPECT_LT(rest, 2 * phase + 2e-6) << name;
    const auto& rows = j["flows"]["rows"];
    EXPECT_EQ(rows[2][4].get<int64_t>() - rows[0][5].get<int64_t>(), std::llround(r * 1e12)) << name;
    ++tiers;
  }
  EXPECT_GE(tiers, 5u);
}

// A map asking block 0 for three circuits when it has one port on each of two OCS.
TEST(Ocs, MapThatDoesNotFitIsAnError) {
  const auto r = testing::run_cli(
      "validate " + kScenario +
      " --set 'topology.circuits.1.map=[{\"a\": 0, \"b\": 2, \"count\": 3}]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/circuits/1/map/0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no OCS has a free port"), std::string::npos) << r.err;
}

// 'after' must name flows of the trace.
TEST(Ocs, AfterMustNameKnownFlows) {
  const auto r = testing::run_cli("validate " + kScenario +
                                  " --set 'topology.circuits.1.after=[\"p1.c\"]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/circuits/1/after/0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown flow 'p1.c'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// The circuit map changes at 1 ms, in the middle of phase 1 (which needs 5.37 ms), and
// the new map no longer joins blocks 0 and 1: p1.a stalls for good, p2 can never start.
// The run must end (no hang), say which flows never finished and why, and exit 3.
TEST(Ocs, RunThatCannotFinishSaysWhyAndExits3) {
  const auto dir = testing::fresh_dir("ocs-stuck");
  const auto r = testing::run_cli(
      "run " + kScenario +
      " --set 'topology.circuits.1={\"at\": \"1 ms\", \"map\": [{\"a\": 0, \"b\": 2, \"count\": 2}, "
      "{\"a\": 1, \"b\": 3, \"count\": 2}]}' -o " + dir.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("flows unfinished"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("flow 'p1.a' stalled: its path crosses 'block0->block1', which is down"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("flow 'p2.a' never started: waits for"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "report.json"));
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// Circuit maps at 1, 2 and 20 ms with a 10 ms reconfiguration; 2 OCS, so each block has
// two ports. Map 1 asks for blocks 0-2 and 1-3, map 2 takes them back before they have
// lit (they would light at 11 ms): they must never light, or blocks 0 and 2 would hold
// four circuits on two ports. Flow x (gpu0_0 -> gpu2_0, 256 MiB) starts at 11.5 ms, when
// map 2's circuits (0-1, 2-3) are still dark: it has no path, and none when they light
// at 12 ms; map 3 (20 ms) asks for 0-2 again, lit at 30 ms: x is routed then and ends
// at 30 ms + L + S/B = 30 ms + 1.4 us + 5.36870912 ms (the phase of the test above).
std::string four_maps(const std::string& map2_at) {
  return R"({
  "topology": {"kind": "ocs", "blocks": 4, "gpus_per_block": 2,
    "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
    "uplink": {"bandwidth": "400 Gbps", "latency": "500 ns"},
    "switch_latency": "300 ns",
    "ocs": {"count": 2, "ports": 136, "reconfiguration_time": "10 ms"},
    "circuits": [
      {"map": [{"a": 0, "b": 1, "count": 2}, {"a": 2, "b": 3, "count": 2}]},
      {"at": "1 ms", "map": [{"a": 0, "b": 2, "count": 2}, {"a": 1, "b": 3, "count": 2}]},
      {"at": ")" + map2_at + R"(", "map": [{"a": 0, "b": 1, "count": 2}, {"a": 2, "b": 3, "count": 2}]},
      {"at": "20 ms", "map": [{"a": 0, "b": 2, "count": 2}, {"a": 1, "b": 3, "count": 2}]}]},
  "workload": {"kind": "flow_trace", "flows": [
    {"id": "x", "src": "gpu0_0", "dst": "gpu2_0", "size": "256 MiB", "start": "11.5 ms"}]}
})";
}

TEST(Ocs, CircuitsALaterMapRemovedNeverLight) {
  const auto dir = testing::fresh_dir("ocs-removed");
  const std::string path = (dir / "s.json").string();
  std::ofstream(path) << four_maps("2 ms");
  for (const std::string model : {"flow", "packet"}) {
    const auto out = testing::fresh_dir("ocs-removed-out");
    const auto r = testing::run_cli("run " + path + " --set network.model=" + model + " -q -o " +
                                    out.string());
    ASSERT_EQ(r.exit_code, 0) << model << ": " << r.err;
    const auto j = nlohmann::json::parse(testing::read_file(out / "report.json"));
    const double phase = 1.4e-6 + 268435456.0 / 50e9;
    // Packets add one MTU serialisation per store-and-forward hop after the first (3 links:
    // 2 x 4096 B / 50e9 B/s = 163.84 ns).
    const double expected = 30e-3 + phase + (model == "packet" ? 2 * 4096 / 50e9 : 0.0);
    EXPECT_NEAR(j["summary"]["makespan"]["value"].get<double>(), expected, 1e-9) << model;
  }
}

// Maps given by time must be listed in time order; one that is not is refused, naming
// the file and the map's 'at'.
TEST(Ocs, MapsOutOfTimeOrderAreRefused) {
  const auto dir = testing::fresh_dir("ocs-order");
  const std::string path = (dir / "s.json").string();
  std::ofstream(path) << four_maps("0.5 ms");
  const auto r = testing::run_cli("validate " + path);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/topology/circuits/2/at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("before"), std::string::npos) << r.err;
}

// scenarios/ocs/tpu_pod_slice_all_reduce.json: an 8x8x8 slice of a TPU v4-like pod on
// the 8 healthy cubes left after 5 failed, patched by the OCSes into a torus; an all-reduce
// over every dimension and both directions. Closed form with every link alike
// (docs/collectives.md): 2D(k-1) alpha + (p-1)/p n/(D B), D = 3, k = 8, p = 512, n = 2^30 B,
// B = 5e10 B/s: 42 alpha + 7.14429781 ms. Each ring of 8 has 6 electrical links (alpha =
// 120 ns) and 2 optical (270 ns), so the makespan lies between the form at 120 ns and at
// 270 ns. The slice avoids the failed cubes: its first rank is on cube 4.
TEST(Ocs, TpuPodSliceAllReduceIsBetweenTheTorusForms) {
  const auto dir = testing::fresh_dir("tpu-pod-ar");
  const auto res = testing::run_cli("run " + std::string(ROSHNI_SOURCE_DIR) +
                                    "/scenarios/ocs/tpu_pod_slice_all_reduce.json -q -o " +
                                    dir.string());
  ASSERT_EQ(res.exit_code, 0) << res.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  const double bw = 511.0 / 512.0 * 1073741824.0 / (3 * 50e9);
  const double t = j["summary"]["makespan"]["value"].get<double>();
  EXPECT_GE(t, (bw + 42 * 120e-9) * (1 - 1e-9));
  EXPECT_LE(t, (bw + 42 * 270e-9) * (1 + 1e-9));
  const std::string flows = j.dump();  // links are named "cube4_gpu0_0_0->..."
  EXPECT_NE(flows.find("\"cube4_gpu0_0_0->"), std::string::npos);
  for (const char* failed : {"\"cube0_", "\"cube1_", "\"cube2_", "\"cube3_", "\"cube9_"}) {
    EXPECT_EQ(flows.find(failed), std::string::npos) << failed;
  }
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// A training iteration on two blocks of one GPU each (data parallel 2, one gradient
// bucket), whose only circuit lights after the backward pass (issue 23.3: reconfiguring
// a fabric region between phases of an iteration). The gradient all-reduce depends on the
// last backward step, so it is ready when that step ends (T_b), has no path until the
// circuit lights at T_b + R, and then runs as it would on a fabric whose circuit was
// there all along: the iteration is exactly R longer than on that static fabric, both
// reduce-scatter transfers waited R (2 R in all; with R = 0 none waited), and the
// critical path puts R of the exposed time on the circuits.
const std::string kTrainingOnCircuits = R"({
  "topology": {
    "kind": "ocs", "blocks": 2, "gpus_per_block": 1,
    "link": {"bandwidth": "400 Gbps", "latency": "150 ns"},
    "uplink": {"bandwidth": "400 Gbps", "latency": "500 ns"},
    "switch_latency": "300 ns",
    "ocs": {"count": 1, "ports": 8, "reconfiguration_time": "10 ms"},
    "circuits": [{"map": []}, {"after_training": ["backward"], "map": [{"a": 0, "b": 1}]}]
  },
  "workload": {
    "kind": "training",
    "model": {"layers": 2, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
              "global_batch": 4, "micro_batch": 1},
    "parallelism": {"data": 2, "bucket": "1 TB"},
    "accelerator": "h100-sxm"
  }
})";

TEST(Ocs, GradientsWaitForTheCircuitThatLightsAfterTheBackwardPass) {
  const auto dir = testing::fresh_dir("ocs-training");
  const std::string file = (dir / "training.json").string();
  std::ofstream(file) << kTrainingOnCircuits;
  const auto run = [&](const std::string& name, const std::string& set) {
    const auto res = testing::run_cli("run " + file + " -q -o " + (dir / name).string() + set);
    EXPECT_EQ(res.exit_code, 0) << res.err;
    return nlohmann::json::parse(testing::read_file(dir / name / "report.json"));
  };
  const auto fixed = run("static", " --set 'topology.circuits=[{\"map\": [{\"a\": 0, \"b\": 1}]}]'");
  const int64_t static_ps = std::llround(fixed["summary"]["makespan"]["value"].get<double>() * 1e12);
  EXPECT_EQ(fixed.count("circuit_changes"), 0u);
  // A change given by time for after the run's end changes nothing and is not reported.
  const auto late = run("late", " --set 'topology.circuits=[{\"map\": [{\"a\": 0, \"b\": 1}]}, "
                                "{\"at\": \"10 s\", \"map\": []}]'");
  EXPECT_EQ(late["summary"]["makespan"], fixed["summary"]["makespan"]);
  EXPECT_EQ(late.count("circuit_changes"), 0u);
  for (const auto& [r_ps, set] : {std::pair{int64_t{10'000'000'000}, std::string()},
                                  std::pair{int64_t{20'000'000}, std::string(" --set 'topology.ocs.reconfiguration_time=20 us'")},
                                  std::pair{int64_t{0}, std::string(" --set 'topology.ocs.reconfiguration_time=0 s'")}}) {
    const auto j = run("reconfigured", set);
    const int64_t makespan = std::llround(j["summary"]["makespan"]["value"].get<double>() * 1e12);
    EXPECT_NEAR(static_cast<double>(makespan - static_ps), static_cast<double>(r_ps), 1.0) << set;
    // The backward's end, and the reduce-scatter's start, from the flow rows.
    int64_t backward_end = 0, rs_start = -1;
    int64_t rs_bytes = 0;
    for (const auto& row : j["flows"]["rows"]) {
      const std::string id = row[0];
      if (id.starts_with("bwd")) backward_end = std::max(backward_end, row[5].get<int64_t>());
      if (id.starts_with("dp/rs")) {
        rs_start = row[4].get<int64_t>();
        rs_bytes += row[3].get<int64_t>();
      }
    }
    EXPECT_EQ(rs_start, backward_end + r_ps) << set;
    ASSERT_EQ(j["circuit_changes"].size(), 1u);
    const auto& c = j["circuit_changes"][0];
    EXPECT_EQ(c["trigger"], "after_training");
    EXPECT_EQ(c["kinds"], nlohmann::json::array({"backward"}));
    EXPECT_NEAR(c["began"]["value"].get<double>(), backward_end * 1e-12, 1e-15);
    EXPECT_NEAR(c["lit"]["value"].get<double>(), (backward_end + r_ps) * 1e-12, 1e-15);
    EXPECT_EQ(c["circuits_torn_down"]["value"], 0);
    EXPECT_EQ(c["circuits_set_up"]["value"], 1);
    // With R = 0 the circuit lights the instant the transfers are ready: none waited.
    EXPECT_EQ(c["flows_waited"]["value"], r_ps > 0 ? 2 : 0);
    EXPECT_EQ(c["bytes_waited"]["value"].get<int64_t>(), r_ps > 0 ? rs_bytes : 0);
    EXPECT_NEAR(c["wait_total"]["value"].get<double>(), 2 * r_ps * 1e-12, 1e-15);
    EXPECT_NEAR(c["wait_longest"]["value"].get<double>(), r_ps * 1e-12, 1e-15);
    EXPECT_NEAR(j["summary"]["exposed_circuits"]["value"].get<double>(), r_ps * 1e-12, 1e-15);
    EXPECT_NEAR(j["training"]["exposed_by_class"]["circuits"].get<double>(), r_ps * 1e-12, 1e-15);
    // What the static fabric exposed as dp is exposed as dp here too: R is the circuits'.
    EXPECT_NEAR(j["summary"]["exposed_dp"]["value"].get<double>(),
                fixed["summary"]["exposed_dp"]["value"].get<double>(), 1e-12);
  }
}

// 'after_training' is checked against the workload: a kind it has, of a training run that
// simulates every replica; the map takes effect by one rule only.
TEST(Ocs, AfterTrainingNamesKindsTheIterationHas) {
  const auto dir = testing::fresh_dir("ocs-training-bad");
  const std::string file = (dir / "training.json").string();
  std::ofstream(file) << kTrainingOnCircuits;
  const auto error = [&](const std::string& set) {
    const auto r = testing::run_cli("validate " + file + " --set '" + set + "'");
    EXPECT_EQ(r.exit_code, 1) << set;
    return r.err;
  };
  std::string e = error("topology.circuits.1.after_training=[\"backwards\"]");
  EXPECT_NE(e.find("/topology/circuits/1/after_training/0: unknown kind 'backwards'"), std::string::npos) << e;
  e = error("topology.circuits.1.after_training=[\"ep\"]");
  EXPECT_NE(e.find("/topology/circuits/1/after_training/0: this training plan has no 'ep' entries"),
            std::string::npos) << e;
  e = error("topology.circuits.1.after_training=[]");
  EXPECT_NE(e.find("/topology/circuits/1/after_training: expected at least one kind"), std::string::npos) << e;
  e = error("topology.circuits.1.at=1 ms");
  EXPECT_NE(e.find("/topology/circuits/1: give when this map takes effect: one of"), std::string::npos) << e;
  e = error("topology.circuits.1.after_training=[\"backward\", \"backward\"]");
  EXPECT_NE(e.find("/topology/circuits/1/after_training/1: 'backward' is listed twice"), std::string::npos) << e;
  e = error("topology.circuits.1.stages=[2]");
  EXPECT_NE(e.find("/topology/circuits/1/stages/0: expected an integer from 0 to 0"), std::string::npos) << e;
  e = error("topology.circuits.1.stages=[]");
  EXPECT_NE(e.find("/topology/circuits/1/stages: expected at least one pipeline stage"), std::string::npos) << e;
  e = error("topology.circuits.1={\"at\": \"1 ms\", \"stages\": [0], \"map\": []}");
  EXPECT_NE(e.find("/topology/circuits/1/stages: 'stages' narrows 'after_training'"), std::string::npos) << e;
  e = error("topology.circuits.0.after_training=[\"backward\"]");
  EXPECT_NE(e.find("/topology/circuits/0: the first circuit map is in place from time 0"), std::string::npos) << e;
  // Not a training workload.
  const std::string trace = (dir / "trace.json").string();
  std::ofstream(trace) << R"({"extends": ")" << kScenario
                       << R"(", "topology": {"circuits": [
    {"map": [{"a": 0, "b": 1, "count": 2}, {"a": 2, "b": 3, "count": 2}]},
    {"after_training": ["backward"], "map": [{"a": 0, "b": 2, "count": 2}, {"a": 1, "b": 3, "count": 2}]}]}})";
  const auto r = testing::run_cli("validate " + trace);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/topology/circuits/1/after_training: 'after_training' names kinds of a "
                       "training iteration's entries; this workload is not a training iteration"),
            std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// Region by region (scenarios/ocs/training_regional_reconfiguration.json): map k + 1 takes
// effect once pipeline stage 3 - k's backward steps and pipeline sends are delivered, and
// changes only that stage's blocks (2s, 2s + 1: GPUs gpu<2s>_*, gpu<2s+1>_*). From the flow
// rows alone: each change begins at the last end of those entries of that stage's GPUs,
// lights R later, and no gradient transfer of the stage starts before it lit (the stage's
// replicas have no circuit between them until then), the first exactly when it lit.
TEST(Ocs, EachStagesRegionIsRepatchedWhenThatStageIsDone) {
  const auto dir = testing::fresh_dir("ocs-regional");
  const std::string file =
      std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/training_regional_reconfiguration.json";
  const int64_t r_ps = 20'000'000;
  const auto res = testing::run_cli("run " + file + " -q -o " + dir.string() +
                                    " --set 'topology.ocs.reconfiguration_time=20 us'");
  ASSERT_EQ(res.exit_code, 0) << res.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  const auto& changes = j["circuit_changes"];
  ASSERT_EQ(changes.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const int stage = 3 - k;
    const auto of_stage = [&](const std::string& src) {
      const int block = std::stoi(src.substr(3, src.find('_') - 3));
      return block / 2 == stage;
    };
    int64_t done = 0, first_dp = -1;
    for (const auto& row : j["flows"]["rows"]) {
      const std::string id = row[0];
      if (!of_stage(row[1])) continue;
      const std::string head = id.substr(0, id.find('/'));
      if (id.starts_with("bwd") || head == "pp") done = std::max(done, row[5].get<int64_t>());
      if (id.starts_with("dp/")) {
        const int64_t start = row[4];
        first_dp = first_dp < 0 ? start : std::min(first_dp, start);
      }
    }
    const auto& c = changes[k];
    EXPECT_EQ(c["map"]["value"], k + 1);
    EXPECT_NEAR(c["began"]["value"].get<double>(), done * 1e-12, 1e-15) << "stage " << stage;
    EXPECT_NEAR(c["lit"]["value"].get<double>(), (done + r_ps) * 1e-12, 1e-15) << "stage " << stage;
    EXPECT_EQ(first_dp, done + r_ps) << "stage " << stage;
    EXPECT_GT(c["flows_waited"]["value"].get<int>(), 0) << "stage " << stage;
  }
}

}  // namespace
}  // namespace roshni
