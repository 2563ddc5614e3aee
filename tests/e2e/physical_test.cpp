// The same fabric built with three media policies: the reports must differ in latency
// and port power exactly as the catalog's datasheet figures imply. Expected values are
// computed here from configs/links.json, read independently of the program.
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

const std::string kDir = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/physical/";

nlohmann::json run(const std::string& scenario, const std::string& extra = "") {
  const auto dir = testing::fresh_dir("physical-" + scenario);
  const auto r = testing::run_cli("run " + kDir + scenario + ".json -q" + extra + " -o " + dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(testing::read_file(dir / "report.json"));
}

// "20 ns" -> 20000 ps; "4.9 ns/m" -> 4900 ps per metre (the catalog writes these units).
double ps_of(const std::string& s) {
  const double v = std::stod(s);
  if (s.find(" ns") != std::string::npos) return v * 1e3;
  ADD_FAILURE() << "unexpected unit in " << s;
  return 0;
}

struct Part {
  double fixed_ps, per_metre_ps, watts, reach_m;
  std::string form, medium;
};

std::map<std::string, Part> catalog() {
  const auto j = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/links.json"));
  std::map<std::string, Part> out;
  for (const auto& [name, e] : j["links"].items()) {
    Part p;
    p.fixed_ps = ps_of(e["latency"]["serdes"]) + ps_of(e["latency"]["fec"]) + ps_of(e["latency"]["dsp"]);
    p.per_metre_ps = ps_of(e["propagation"].get<std::string>());
    p.watts = e["power_model"] == "static" ? std::stod(e["static_power"].get<std::string>()) : 0.0;
    p.reach_m = std::stod(e["reach"].get<std::string>());
    p.form = e["form"];
    p.medium = e["medium"];
    out[name] = p;
  }
  return out;
}

// Every link's latency is the topology's own (0 here) + the part's SerDes, FEC and DSP +
// its length x propagation; the port power is 2 ends x the part's static watts.
TEST(Physical, LatencyAndPowerFollowTheCatalog) {
  const auto parts = catalog();
  for (const char* variant : {"copper_auto", "all_pluggable", "all_cpo"}) {
    const auto j = run(variant);
    double watts = 0;
    for (const auto& row : j["links"]["rows"]) {
      const Part& p = parts.at(row[8].get<std::string>());
      const double length = row[7].get<double>();
      EXPECT_NEAR(row[4].get<double>(), std::ceil(p.fixed_ps + length * p.per_metre_ps - 1e-6), 1.0)
          << variant << " link " << row[0];
      EXPECT_LE(length, p.reach_m);
      if (row[0].get<int>() % 2 == 0) watts += 2 * p.watts;
    }
    EXPECT_NEAR(j["summary"]["link_power"]["value"].get<double>(), watts, 1e-9) << variant;
  }
}

// All-pluggable vs all-CPO on the same cables: each link differs by the parts' fixed
// latencies (pluggable 20 + 100 + 100 ns, CPO 10 + 100 + 0 ns: 110 ns) and the port power
// ratio is 17 W / 5.5 W. Copper-auto puts passive copper wherever 3 m reaches (0 W).
TEST(Physical, PluggableVsCpoDifferExactlyByTheirParts) {
  const auto parts = catalog();
  const auto plug = run("all_pluggable"), cpo = run("all_cpo"), auto_ = run("copper_auto");
  const Part& p = parts.at("pluggable-dsp-800g-dr8");
  const Part& c = parts.at("cpo-800g-bailly");
  const auto& pr = plug["links"]["rows"];
  const auto& cr = cpo["links"]["rows"];
  ASSERT_EQ(pr.size(), cr.size());
  for (size_t i = 0; i < pr.size(); ++i) {
    EXPECT_NEAR(pr[i][4].get<double>() - cr[i][4].get<double>(), p.fixed_ps - c.fixed_ps, 1.0);
  }
  EXPECT_NEAR(plug["summary"]["link_power"]["value"].get<double>() /
                  cpo["summary"]["link_power"]["value"].get<double>(),
              p.watts / c.watts, 1e-12);
  // Copper-auto: the cheapest form that reaches; passive copper for every cable <= 3 m.
  for (const auto& row : auto_["links"]["rows"]) {
    const Part& chosen = parts.at(row[8].get<std::string>());
    if (row[7].get<double>() <= parts.at("dac-800g-100g").reach_m) EXPECT_EQ(chosen.form, "dac");
  }
  // Same bandwidth everywhere: the makespans differ only by latency, CPO below pluggable.
  EXPECT_LT(cpo["summary"]["makespan"]["value"].get<double>(),
            plug["summary"]["makespan"]["value"].get<double>());
}

// A 400 Gb/s fabric (an H100's ConnectX-7 NIC) under "media": "auto": the cheapest
// catalog part of 400 Gb/s that serves scale-out links and reaches the cable. The 2-tier
// radix-16 fabric has 16 leaves (two per GPU rack, 16 GPUs per rack) and 8 spines in
// network rack 8. With racks_per_row 3, rack r is at x = 0.6 (r mod 3), y = 2.4 floor(r/3);
// N8 at (1.2, 4.8). A leaf-spine cable is |dx| + |dy| + 1.5 m slack:
//   rack 0: 1.2 + 4.8 + 1.5 = 7.5 m   -> past AEC's 7 m: DR4 pluggable
//   racks 1..5: 6.9, 6.3, 5.1, 4.5, 3.9 m -> AEC (3 < L <= 7)
//   racks 6, 7: 2.7, 2.1 m             -> passive DAC (<= 3 m)
// Each rack's two leaves have 8 uplinks each (16 per rack), GPU cables are 1.5 m (DAC):
// DAC 2 x 16 + 128 = 160, AEC 5 x 16 = 80, DR4 16. Never a backplane (NVLink) or the
// CloudMatrix scale-up LPO (lpo-400g-cm384, 100 m, which would undercut DR4 on cost).
// Port power: 2 ends x (80 x 5 W + 16 x 9 W) = 1,088 W.
TEST(Physical, AutoAt400GbpsPicksCopperByReachThenPluggables) {
  const auto j = run("copper_auto", " --set 'topology.link.bandwidth=400 Gbps'"
                                    " --set topology.placement.racks_per_row=3");
  std::map<std::string, int> count;
  for (const auto& row : j["links"]["rows"]) {
    if (row[0].get<int>() % 2 != 0) continue;
    const double length = row[7].get<double>();
    const std::string part = row[8];
    const std::string want = length <= 3 ? "dac-400g-100g"
                             : length <= 7 ? "aec-400g"
                                           : "pluggable-dsp-400g-dr4";
    EXPECT_EQ(part, want) << row[1] << "--" << row[2] << " " << length << " m";
    ++count[part];
  }
  EXPECT_EQ(count["dac-400g-100g"], 160);
  EXPECT_EQ(count["aec-400g"], 80);
  EXPECT_EQ(count["pluggable-dsp-400g-dr4"], 16);
  EXPECT_EQ(count.size(), 3u);
  EXPECT_NEAR(j["summary"]["link_power"]["value"].get<double>(), 2 * (80 * 5.0 + 16 * 9.0), 1e-9);
}

// The 400 Gb/s parts an H100 fabric is built from, three ways (copper, pluggable, CPO):
// each is sourced with a grade, has the H100 NIC's rate (4 x 100G lanes) and figures in
// the range its class allows: passive DAC at 100G/lane reaches 3 m (NVIDIA sells none
// longer; IEEE 802.3ck) and draws nothing of its own; an AEC reaches 5-7 m with a few
// watts of retimer per end (half the 800G AEC's 10 W: 5 W); the CPO port is half a
// Bailly 800G port, 5.5 W / 2 = 2.75 W, below the 9 W DR4 module it replaces.
TEST(Catalog, FourHundredGigPartsAreSourcedAndPlausible) {
  const auto j = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/links.json"))["links"];
  const auto watts = [](const nlohmann::json& e) { return std::stod(e["static_power"].get<std::string>()); };
  const auto metres = [](const nlohmann::json& e) { return std::stod(e["reach"].get<std::string>()); };
  for (const char* name : {"dac-400g-100g", "aec-400g", "cpo-400g-bailly"}) {
    ASSERT_TRUE(j.contains(name)) << name;
    const auto& e = j[name];
    EXPECT_EQ(e["rate"], "400 Gbps") << name;
    EXPECT_EQ(e["lanes"], 4) << name;
    EXPECT_EQ(e["lane_rate"], "100 Gbps") << name;
    const std::string src = e["source"];
    EXPECT_TRUE(src.find("(A)") != std::string::npos || src.find("(B)") != std::string::npos ||
                src.find(" C") != std::string::npos)
        << name << ": no grade in " << src;
    EXPECT_FALSE(e.contains("use") && e["use"] == "scale-up") << name;
  }
  const auto& dac = j["dac-400g-100g"];
  EXPECT_EQ(dac["form"], "dac");
  EXPECT_EQ(dac["power_model"], "none");
  EXPECT_DOUBLE_EQ(metres(dac), 3.0);
  EXPECT_TRUE(dac.contains("price"));
  const auto& aec = j["aec-400g"];
  EXPECT_EQ(aec["form"], "aec");
  EXPECT_GE(metres(aec), 5.0);
  EXPECT_LE(metres(aec), 7.0);
  EXPECT_DOUBLE_EQ(watts(aec), watts(j["aec-800g"]) / 2);
  EXPECT_TRUE(aec.contains("price"));
  const auto& cpo = j["cpo-400g-bailly"];
  EXPECT_EQ(cpo["form"], "cpo");
  EXPECT_DOUBLE_EQ(watts(cpo), watts(j["cpo-800g-bailly"]) / 2);
  EXPECT_LT(watts(cpo), watts(j["pluggable-dsp-400g-dr4"]));
  EXPECT_GE(metres(cpo), metres(j["pluggable-dsp-400g-dr4"]));
}

// The copper loss budget (docs/physical-layer.md, "Copper loss budget"): channel loss =
// cable loss per metre x length + connectors x loss per connector + the two hosts'
// board and package loss, against the SerDes's channel budget. One 400G DAC link of
// 2 m between two GPUs (in one rack, so its cable is the placement's slack, 2 m), the part's figures given in the scenario: 6.5 dB/m x 2 m + 2 x
// 1 dB + 5 dB = 13 + 2 + 5 = 20 dB (exact in binary). A 20 dB budget loads; 19.9 dB
// fails, naming the file, the policy's path, the link, its loss and the budget; "warn"
// loads with a warning counted. The catalog's DACs carry budgets that hold to their reach.
std::string copper_budget_scenario(const std::string& budget, const std::string& mode) {
  return R"({
    "topology": {"kind": "explicit", "routing": "first",
      "nodes": [{"name": "g0", "kind": "gpu"}, {"name": "g1", "kind": "gpu"}],
      "links": [{"a": "g0", "b": "g1", "bandwidth": "400 Gbps", "role": "scale-up"}],
      "placement": {"slack": "2 m"}},
    "physical": {"roles": {"scale-up": "dac-thin"}, "budget": ")" + mode + R"(",
      "parts": {"dac-thin": {"base": "dac-400g-100g",
        "electrical": {"cable_loss": "6.5 dB/m", "connector_loss": "1 dB", "connectors": 2,
                       "host_loss": "5 dB", "channel_budget": ")" + budget + R"("}}}},
    "workload": {"kind": "flow_trace", "flows": [{"id": "f", "src": "g0", "dst": "g1", "size": "1 MiB"}]}})";
}

TEST(Physical, CopperLinkExactlyAtItsLossBudgetLoadsAndJustOverFails) {
  const auto dir = testing::fresh_dir("copper-budget");
  std::ofstream(dir / "at.json") << copper_budget_scenario("20 dB", "error");
  std::ofstream(dir / "over.json") << copper_budget_scenario("19.9 dB", "error");
  std::ofstream(dir / "warn.json") << copper_budget_scenario("19.9 dB", "warn");
  auto r = testing::run_cli("validate " + (dir / "at.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = testing::run_cli("validate " + (dir / "over.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("over.json:/physical/roles/scale-up: link g0--g1 (2 m of 'dac-thin'): copper "
                       "loss budget not met: 20.00 dB of channel loss, 19.90 dB allowed"),
            std::string::npos)
      << r.err;
  r = testing::run_cli("validate " + (dir / "warn.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The catalog's passive copper: every DAC with a budget holds it at its full reach.
  const auto links = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/links.json"))["links"];
  int with_budget = 0;
  for (const auto& [name, e] : links.items()) {
    if (!e.contains("electrical")) continue;
    ++with_budget;
    const auto& el = e["electrical"];
    const auto db = [](const nlohmann::json& v) { return std::stod(v.get<std::string>()); };
    const double loss = db(el["cable_loss"]) * std::stod(e["reach"].get<std::string>()) +
                        el["connectors"].get<int>() * db(el["connector_loss"]) + db(el["host_loss"]);
    EXPECT_LE(loss, db(el["channel_budget"])) << name;
    EXPECT_TRUE(e["sources"].contains("electrical")) << name << ": the budget needs a source";
  }
  EXPECT_GE(with_budget, 3);
}

// An explicit topology's own link lengths stand when there is no placement: the same
// DAC link given "length": "3 m" and no placement loses 6.5 dB/m x 3 m + 2 x 1 dB + 5 dB =
// 26.5 dB (exact in binary), so a 26.5 dB budget loads and 26.4 dB fails at 3 m. (The
// default floor used to be laid over the given lengths, placing the link at its slack.)
TEST(Physical, ExplicitLinkLengthsStandWithoutAPlacement) {
  const auto dir = testing::fresh_dir("copper-length");
  const auto scenario = [](const std::string& budget) {
    std::string s = copper_budget_scenario(budget, "error");
    const std::string placed = R"("role": "scale-up"}],
      "placement": {"slack": "2 m"}},)";
    s.replace(s.find(placed), placed.size(), R"("role": "scale-up", "length": "3 m"}]},)");
    return s;
  };
  std::ofstream(dir / "at.json") << scenario("26.5 dB");
  std::ofstream(dir / "over.json") << scenario("26.4 dB");
  auto r = testing::run_cli("validate " + (dir / "at.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = testing::run_cli("validate " + (dir / "over.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("link g0--g1 (3 m of 'dac-thin'): copper loss budget not met: 26.50 dB"),
            std::string::npos)
      << r.err;
}

// Issue 23.5: 1.6 Tb/s parts, pluggable beside co-packaged (NVIDIA: ~9 W per CPO port
// against ~30 W for a pluggable, B; 3.5x, A): both 8 x 200G, the CPO port under 40 % of
// the pluggable's 25 W (9 / 25 = 36 %).
TEST(Catalog, SixteenHundredGigPartsAreSourced) {
  const auto root = std::string(ROSHNI_SOURCE_DIR) + "/configs/";
  const auto links = nlohmann::json::parse(testing::read_file(root + "links.json"))["links"];
  const auto watts = [](const nlohmann::json& e) { return std::stod(e["static_power"].get<std::string>()); };
  for (const char* name : {"pluggable-dsp-1600g-dr8", "cpo-1600g-spectrum-x"}) {
    ASSERT_TRUE(links.contains(name)) << name;
    EXPECT_EQ(links[name]["rate"], "1600 Gbps") << name;
    EXPECT_EQ(links[name]["lanes"], 8) << name;
    const std::string src = links[name]["source"];
    bool graded = false;
    for (const char* g : {"(A)", "(B)", "(C)", "(A:", "(B:", "(C:", ", A)", ", B)", ", C)"}) {
      graded = graded || src.find(g) != std::string::npos;
    }
    EXPECT_TRUE(graded) << name << ": no grade in " << src;
  }
  EXPECT_EQ(links["cpo-1600g-spectrum-x"]["form"], "cpo");
  EXPECT_DOUBLE_EQ(watts(links["cpo-1600g-spectrum-x"]), 9.0);
  EXPECT_LT(watts(links["cpo-1600g-spectrum-x"]), 0.4 * watts(links["pluggable-dsp-1600g-dr8"]));
}

TEST(Physical, ImpossiblePhysicsIsAnError) {
  // Copper past its reach: 6 m leaf-spine cables cannot be passive copper.
  auto r = testing::run_cli("validate " + kDir + "copper_auto.json --set physical.media=dac-800g-100g");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/physical/media: link "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("past the 3 m reach of 'dac-800g-100g'"), std::string::npos) << r.err;
  // Unknown part: the nearest name is suggested.
  r = testing::run_cli("validate " + kDir + "copper_auto.json --set physical.media=cpo-800g-baily");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean 'cpo-800g-bailly'"), std::string::npos) << r.err;
  // A media policy for a role no link has (a typo) is an error, not a silent no-op.
  r = testing::run_cli("validate " + kDir + "copper_auto.json --set 'physical.roles={\"hots\": \"auto\"}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/physical/roles/hots: no link of this topology has role 'hots', did you "
                       "mean 'host'?"),
            std::string::npos)
      << r.err;
  // A link rate the catalog has no part for.
  r = testing::run_cli("validate " + kDir + "copper_auto.json --set 'topology.link.bandwidth=300 Gbps'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no catalog part of 300 Gb/s"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// Datasheet arithmetic across the whole catalog: every powered part's energy_per_bit is
// its static power per end divided by its rate (the catalog's stated derivation), and
// every rate is lanes x lane rate.
TEST(Catalog, EnergyPerBitAndLaneArithmeticHold) {
  const auto j = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/links.json"));
  auto gbps = [](const std::string& s) {
    EXPECT_NE(s.find(" Gbps"), std::string::npos) << s;
    return std::stod(s) * 1e9;
  };
  for (const auto& [name, e] : j["links"].items()) {
    const double rate = gbps(e["rate"]);
    EXPECT_DOUBLE_EQ(rate, e["lanes"].get<int>() * gbps(e["lane_rate"])) << name;
    if (e["power_model"] == "static") {
      const double w = std::stod(e["static_power"].get<std::string>());
      const double pj = std::stod(e["energy_per_bit"].get<std::string>());
      EXPECT_NEAR(pj, w / rate * 1e12, 0.01 * pj) << name;
    }
    EXPECT_FALSE(e["source"].get<std::string>().empty()) << name;
  }
}

// Circuits through an optical circuit switch: DR4 optics have 1.8 dB to spare at 500 m
// and the OCS eats 2 dB, so the budget fails — an error naming the link; with
// "budget": "warn" the run goes ahead and counts the links that do not close.
TEST(Physical, OcsInsertionLossBreaksTheBudget) {
  const std::string ocs = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/two_phase_reconfiguration.json";
  const std::string set =
      " --set 'physical={\"media\": \"pluggable-dsp-400g-dr4\", \"ocs\": \"palomar-ocs-136\"}'";
  auto r = testing::run_cli("validate " + ocs + set);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("through 1 OCS): optical budget not met"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dB more launch power would close it"), std::string::npos) << r.err;
  const auto dir = testing::fresh_dir("budget-warn");
  r = testing::run_cli("run " + ocs + set + " --set physical.budget=warn -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  // Every circuit (a block-to-block link) passes the OCS and fails its budget; no other
  // link does (GPU links have no OCS pass and 1.8 dB to spare).
  int circuits = 0;
  for (const auto& row : j["links"]["rows"]) {
    if (row[0].get<int>() % 2 == 0 && row[1].get<std::string>().rfind("block", 0) == 0 &&
        row[2].get<std::string>().rfind("block", 0) == 0) {
      ++circuits;
    }
  }
  EXPECT_GT(circuits, 0);
  EXPECT_EQ(j["summary"]["budget_warnings"]["value"].get<int>(), circuits);
}

// What a real build puts where, under "media": "auto" with the catalog OCS named. The
// OCS scenario's links are all 400 Gb/s and 1.5 m long (default floor). The catalog's
// 400 Gb/s parts: dac-400g-100g (3 m), nvlink5-backplane (scale-up only), aec-400g (7 m),
// lpo-400g-cm384 (CloudMatrix scale-up optics, scale-up only), pluggable-dsp-400g-dr4
// (500 m), cpo-400g-bailly (500 m). A circuit passes the OCS, which switches light, so it
// must be optical and scale-out: the cheaper such form, the DR4 pluggable. A GPU-to-block
// link is a NIC link: passive copper reaches 1.5 m. Through the OCS the DR4 budget is
// short (1.5 m: 0.0006 + 2 x 0.5 + 2 dB OCS = 3.0006 dB against 3.0 dB), so with
// "budget": "warn" each of the 8 circuits is counted; a copper NIC link has no budget.
TEST(Physical, OcsCircuitsAreOpticalAndNicLinksGetNicMedia) {
  const std::string ocs = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/two_phase_reconfiguration.json";
  const auto dir = testing::fresh_dir("ocs-auto");
  auto r = testing::run_cli("run " + ocs +
                            " --set 'physical={\"ocs\": \"palomar-ocs-136\", \"budget\": \"warn\"}'"
                            " -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report.json"));
  int circuits = 0, nic = 0;
  for (const auto& row : j["links"]["rows"]) {
    if (row[0].get<int>() % 2 != 0) continue;
    const std::string from = row[1], to = row[2], part = row[8];
    EXPECT_DOUBLE_EQ(row[7].get<double>(), 1.5) << from << "--" << to;
    if (from.rfind("block", 0) == 0 && to.rfind("block", 0) == 0) {
      ++circuits;
      EXPECT_EQ(part, "pluggable-dsp-400g-dr4") << from << "--" << to;
    } else {
      ++nic;
      EXPECT_EQ(part, "dac-400g-100g") << from << "--" << to;
    }
  }
  EXPECT_EQ(circuits, 8);
  EXPECT_EQ(nic, 8);
  EXPECT_EQ(j["summary"]["budget_warnings"]["value"].get<int>(), 8);
  // Copper named for the circuits is refused, naming the policy that chose it.
  r = testing::run_cli("validate " + ocs +
                       " --set 'physical={\"ocs\": \"palomar-ocs-136\", \"roles\": "
                       "{\"circuit\": \"nvlink5-backplane\"}}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/physical/roles/circuit: link block0--block1 is a circuit through an "
                       "optical circuit switch"),
            std::string::npos)
      << r.err;
  r = testing::run_cli("validate " + ocs +
                       " --set 'physical={\"ocs\": \"palomar-ocs-136\", \"roles\": "
                       "{\"circuit\": \"copper\"}}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/physical/roles/circuit: link block0--block1 is a circuit through an "
                       "optical circuit switch, which switches light: it needs an optical part, "
                       "not the copper policy"),
            std::string::npos)
      << r.err;
}

// The budget error prints the real shortfall. LPO 400G through the OCS, 1.5 m of fibre:
// loss = 0.4 dB/km x 0.0015 km + 2 connectors x 0.5 dB + 2 dB (OCS) = 3.0006 dB;
// received = -0.8 - 3.0006 = -3.8006 dBm; needed = -4.4 + 0.6 margin = -3.8 dBm: short
// by 0.0006 dB, which two decimals would print as "-3.80 ... -3.80; 0.00 dB more".
TEST(Physical, OcsBudgetErrorShowsTheRealShortfall) {
  const std::string ocs = std::string(ROSHNI_SOURCE_DIR) + "/scenarios/ocs/two_phase_reconfiguration.json";
  const auto r = testing::run_cli(
      "validate " + ocs +
      " --set 'physical={\"ocs\": \"palomar-ocs-136\", \"media\": \"lpo-400g-cm384\"}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("optical budget not met: -3.8006 dBm received, -3.8000 dBm needed; "
                       "0.0006 dB more launch power would close it"),
            std::string::npos)
      << r.err;
}

// A catalog entry with a wrong unit: the error names the catalog file and the field.
TEST(Catalog, WrongUnitInAPartIsAnError) {
  const auto dir = testing::fresh_dir("bad-catalog");
  auto links = nlohmann::json::parse(
      testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/links.json"));
  links["links"]["aec-800g"]["reach"] = "7 ns";
  std::ofstream(dir / "links.json") << links.dump(2);
  std::ofstream(dir / "switches.json")
      << testing::read_file(std::string(ROSHNI_SOURCE_DIR) + "/configs/switches.json");
  const auto r = testing::run_cli("validate " + kDir + "copper_auto.json --set 'physical.catalog=" +
                                  dir.string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("links.json:/links/aec-800g/reach"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("length"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace roshni

namespace roshni {
namespace {

// A what-if part: the catalog's CPO with 4 W per port instead of 5.5 W. Everything else
// is inherited, so link latencies are unchanged and link power scales by 4 / 5.5.
TEST(Physical, ScenarioPartsOverrideCatalogFields) {
  const auto base = run("all_cpo");
  const auto cheaper = run("all_cpo", " --set 'physical.parts={\"cpo-4w\": {\"base\": "
                                      "\"cpo-800g-bailly\", \"static_power\": \"4 W\"}}'"
                                      " --set physical.media=cpo-4w");
  EXPECT_NEAR(cheaper["summary"]["link_power"]["value"].get<double>() /
                  base["summary"]["link_power"]["value"].get<double>(),
              4.0 / 5.5, 1e-12);
  EXPECT_EQ(cheaper["summary"]["makespan"], base["summary"]["makespan"]);
  // A bad override names the scenario's pointer.
  const auto r = testing::run_cli(
      "validate " + kDir + "all_cpo.json --set 'physical.parts={\"x\": {\"base\": "
      "\"cpo-800g-bailly\", \"reach\": \"far\"}}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/physical/parts/x/reach"), std::string::npos) << r.err;
}

// The photonic blocks' figures are checked like every other: shares that, with the laser,
// exceed the port's power; blocks on a part without laser figures; a negative loss.
TEST(Physical, BadPhotonicBlocksAreErrors) {
  const struct {
    const char* part;
    const char* pointer;
    const char* message;
  } cases[] = {
      {R"({"base": "cpo-800g-bailly", "power_blocks": {"driver": "60 %", "serdes": "40 %"}})",
       "/physical/parts/x/power_blocks", "exceed the port's"},
      {R"({"base": "dac-800g-100g", "power_blocks": {"driver": "10 %"}})",
       "/physical/parts/x/power_blocks", "need the laser's figures"},
      {R"({"base": "cpo-800g-bailly", "thermal": {"wall_plug_efficiency": "20 %", "laser_to_fiber_loss": "-3 dB"}})",
       "/physical/parts/x/thermal/laser_to_fiber_loss", "cannot be negative"},
      {R"({"base": "cpo-800g-bailly", "power_blocks": {"laser": "10 %"}})",
       "/physical/parts/x/power_blocks", "laser"},
  };
  for (const auto& c : cases) {
    const auto r = testing::run_cli("validate " + kDir + "all_cpo.json --set 'physical.parts={\"x\": " +
                                    std::string(c.part) + "}' --set physical.media=x");
    EXPECT_EQ(r.exit_code, 1) << c.part;
    EXPECT_NE(r.err.find(c.pointer), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace roshni
