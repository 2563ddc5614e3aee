#include "roshni/report/topology_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "roshni/topo/analysis.h"

namespace roshni::report {

std::string topology_report(const topo::Topology& t, const TopologyReportOptions& o) {
  const topo::TopologyCounts c = topo::count_parts(t);
  std::string out;
  out += fmt::format("  GPUs          {}\n", c.gpus);
  uint32_t switches = 0;
  for (const auto& [cls, n] : c.switches) switches += n;
  out += fmt::format("  switches      {}\n", switches);
  for (const auto& [cls, n] : c.switches) {
    out += fmt::format("    {:<12} {:>8}  ({}, tier {})\n", cls.role, n, topo::to_string(cls.kind),
                       cls.tier);
  }
  if (!t.sizing().empty()) out += fmt::format("  sizing        {}\n", t.sizing());
  out += fmt::format("  links         {} physical (each two directions)\n", c.physical_links);
  for (const auto& [role, n] : c.links_by_role) {
    out += fmt::format("    {:<12} {:>8}\n", role.empty() ? "(no role)" : role, n);
  }
  std::string cables;
  for (size_t b = 0; b < c.cables.size(); ++b) {
    if (c.cables[b] == 0) continue;
    cables += fmt::format("{}{}: {}", cables.empty() ? "" : ", ",
                          topo::to_string(static_cast<topo::CableBucket>(b)), c.cables[b]);
  }
  out += fmt::format("  cables        {}\n", cables.empty() ? "none" : cables);

  // Ports: the fullest switch of each role, and any over their radix.
  std::map<std::string, topo::PortUse> fullest;
  for (const auto& u : topo::port_usage(t)) {
    const std::string role(t.node_role(u.node));
    auto it = fullest.find(role);
    if (it == fullest.end() || u.used > it->second.used) fullest[role] = u;
  }
  for (const auto& [role, u] : fullest) {
    out += fmt::format("  ports {:<8} up to {} used of {} ({})\n", role, u.used,
                       u.radix == 0 ? std::string("unlimited") : fmt::format("{}", u.radix), u.name);
  }
  const auto over = topo::over_radix(t);
  if (!over.empty()) out += fmt::format("  OVER RADIX    {} switches, e.g. {}\n", over.size(), over[0].name);

  const topo::Diameter d = topo::gpu_diameter(t);
  if (!d.connected()) {
    out += "  diameter      infinite: some GPUs cannot reach each other\n";
  } else if (d.exact()) {
    out += fmt::format("  diameter      {} hops between GPUs\n", d.lower);
  } else {
    out += fmt::format("  diameter      between {} and {} hops (search budget reached)\n", d.lower,
                       d.upper);
  }
  if (o.bisection && c.gpus >= 2) {
    topo::BisectionOptions bo;
    bo.seed = o.seed;
    const topo::Bisection b = topo::bisection_bandwidth(t, bo);
    out += fmt::format("  bisection     {} per direction (max-flow, minimum over {} partitions)\n",
                       b.bandwidth, b.cuts.size());
    for (const auto& cut : b.cuts) out += fmt::format("    {:<12} {}\n", cut.partition, cut.flow);
  }
  return out;
}

}  // namespace roshni::report
