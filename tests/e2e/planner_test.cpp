// The planner scenarios (scenarios/planner/), cut to 4 NVL72-like racks (288 GPUs, DP 9)
// so the test stays quick: the same training iteration on copper, pluggable and CPO
// scale-out links. What must hold, from the catalog and the models, not from a run:
//  - the iteration takes the same time (all three carry 800 Gb/s; their fixed latencies
//    differ by ~100 ns a hop, nothing against a ~1 s bandwidth-bound iteration);
//  - optics power is the catalog's: n links x 2 ends x port power x (1 - 10% dynamic
//    share) while idle, at most the full datasheet figure when busy (17 W pluggable,
//    5.5 W CPO per end, configs/links.json; CPO +1% for its photonic temperature terms,
//    and at most one laser less per end, as its links' budgets may need less launch than
//    the catalog's: 8 lanes x 10^((-0.8 + 7) / 10) mW / 20 % = 0.1667 W);
//  - so IT energy orders pluggable > CPO, and the difference is the optics' difference.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli.h"

namespace roshni {
namespace {

nlohmann::json run(const std::string& variant) {
  const auto dir = testing::fresh_dir("planner-" + variant);
  const auto r = testing::run_cli("run " + std::string(ROSHNI_SOURCE_DIR) + "/scenarios/planner/" +
                                  variant + ".json -q --no-trace -o " + dir.string() +
                                  " --set topology.gpus=288 --set workload.parallelism.data=9"
                                  " --set workload.model.global_batch=72");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(testing::read_file(dir / "report.json"));
}

double cls(const nlohmann::json& j, const char* c, const char* what) {
  const auto& b = j["energy"]["by_class"];
  return b.contains(c) ? b[c][what].get<double>() : 0.0;
}

TEST(Planner, CopperPluggableAndCpoSideBySide) {
  const auto copper = run("copper"), pluggable = run("pluggable"), cpo = run("cpo");
  const double t = pluggable["summary"]["makespan"]["value"];
  for (const auto* j : {&copper, &cpo}) {
    EXPECT_NEAR((*j)["summary"]["makespan"]["value"].get<double>(), t, 1e-3 * t);
  }
  const double links = cls(pluggable, "optics", "count");
  EXPECT_EQ(cls(cpo, "optics", "count"), links);
  EXPECT_GT(links, 0);
  const double plug_w = cls(pluggable, "optics", "average_power");
  EXPECT_GE(plug_w, links * 2 * 17.0 * 0.9);
  EXPECT_LE(plug_w, links * 2 * 17.0);
  const double cpo_w = cls(cpo, "optics", "average_power");
  EXPECT_GE(cpo_w, links * 2 * (5.5 * 0.9 - 0.1667));
  EXPECT_LE(cpo_w, links * 2 * 5.5 * 1.01);
  const double e_plug = pluggable["energy"]["total"]["value"];
  const double e_cpo = cpo["energy"]["total"]["value"];
  EXPECT_GT(e_plug, e_cpo);
  // All else equal (GPUs, switches, NICs), the energy gap is the optics' gap, up to the
  // ~0.001% by which the iteration times differ.
  EXPECT_NEAR(e_plug - e_cpo, cls(pluggable, "optics", "energy") - cls(cpo, "optics", "energy"),
              1e-5 * e_plug);
  // Money and carbon in both currencies, solar from the site's on-site capacity.
  for (const auto* j : {&copper, &pluggable, &cpo}) {
    const auto& f = (*j)["facility"];
    EXPECT_EQ(f["currency"], "PKR");
    EXPECT_NEAR(f["energy_cost"]["value"].get<double>() / f["energy_cost_usd"]["value"].get<double>(),
                281.0, 1e-9);  // configs/facilities.json: 281 PKR per USD
    EXPECT_GT(f["solar_share"]["value"].get<double>(), 0.0);
    EXPECT_LT(f["solar_share"]["value"].get<double>(), 1.0);
    EXPECT_EQ((*j)["thermal"]["racks_over_limit"]["value"], 0);
    // A class's peak is its static power plus its own dynamic peak, never below its
    // average (the switches' traffic-dependent share once went missing from their peak);
    // equal, to rounding, for a class of constant power (NICs).
    for (const auto& [name, c] : (*j)["energy"]["by_class"].items()) {
      EXPECT_GE(c["peak_power"].get<double>(), c["average_power"].get<double>() * (1 - 1e-12))
          << name;
    }
  }
}

}  // namespace
}  // namespace roshni
