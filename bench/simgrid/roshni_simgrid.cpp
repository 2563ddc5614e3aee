// roshni_simgrid: runs a Roshni scenario's flows on SimGrid (3.32, s4u), for comparing the
// flow model with SimGrid's max-min network model on the same flows and the same paths.
// Optional: built only with -DROSHNI_SIMGRID=ON (Debian: libsimgrid-dev); docs/performance.md
// says how the comparison is made and what it measured.
//
//   roshni_simgrid SCENARIO [-o FILE] [--latency after|links] [--cfg=name:value ...]
//
// The scenario is read with Roshni's own loader, so the flows, their dependencies, their
// sizes and their routed paths (ECMP choices included) are exactly those `roshni run`
// simulates. The platform is built from Roshni's topology: one SimGrid link per directed
// Roshni link (SHARED: one direction's capacity), bandwidth in bytes/s; one SimGrid host
// per flow endpoint, in one Full zone whose route from host to host is the flow's path.
// Two flows between the same pair of GPUs on different paths (ECMP) get different copies
// of the two hosts ("gpu3#1"), so that every flow follows its own path.
//
// SimGrid is set up as the pure max-min model (CM02 with every correction off): latency
// and bandwidth factors 1, weight-S 0, no TCP window bound (TCP-gamma 0), no reverse
// traffic (crosstraffic 0), maxmin/precision 1e-12 and surf/precision 1e-12. --cfg
// options after these on the command line replace them.
//
// Latency. Roshni's flow sends at its share from its start and is delivered one path
// latency after its last byte left (docs/models/flow-model.md); SimGrid's communication
// first waits the route's latency, then sends. With `--latency after` (the default) the
// links have no latency in SimGrid and each flow's actor sleeps its Roshni path latency
// (links plus switch forwarding) after the transfer: Roshni's time line exactly, so the
// two should agree to rounding. With `--latency links` the links carry their latency
// plus the forwarding latency of the node they lead into, and SimGrid's own rule applies
// (flows of unequal path latencies then start sharing at different instants).
//
// Each flow (and compute step, a sleep of its duration) is one actor, created once every
// flow it waits for is delivered; it sleeps until its earliest start, transfers with
// Comm::sendto, and records its start and delivery. Output: CSV "id,start_s,end_s" in
// flow order (the order of Roshni's flows.csv), times in seconds to 17 digits; the
// makespan on standard output. tools/compare-flows compares it with flows.csv.
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "roshni/core/error.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace sg4 = simgrid::s4u;
using namespace roshni;

namespace {

struct Harness {
  const scenario::Scenario* s = nullptr;
  bool latency_after = true;
  std::vector<sg4::Host*> from, to;        // per flow (compute steps: both its node's host)
  std::vector<double> latency;             // per flow, seconds (latency_after only)
  std::vector<uint32_t> dep_offset, dependents;  // flow -> the flows waiting for it (CSR)
  std::vector<uint32_t> waiting;           // dependencies not yet delivered
  std::vector<double> start, end;
};

Harness h;

void launch(uint32_t f);

// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void run_flow(uint32_t f) {
  const auto& flows = h.s->flows;
  const FlowId id(f);
  const double earliest = static_cast<double>(flows.earliest_start(id).ps()) * 1e-12;
  if (sg4::Engine::get_clock() < earliest) sg4::this_actor::sleep_until(earliest);
  h.start[f] = sg4::Engine::get_clock();
  if (flows.is_task(id)) {
    sg4::this_actor::sleep_for(static_cast<double>(flows.task_time(id).ps()) * 1e-12);
  } else {
    const auto bytes = static_cast<uint64_t>(flows.flow_size(id).si());
    if (h.from[f] != h.to[f]) sg4::Comm::sendto(h.from[f], h.to[f], bytes);
    if (h.latency_after) sg4::this_actor::sleep_for(h.latency[f]);
  }
  h.end[f] = sg4::Engine::get_clock();
  for (uint32_t k = h.dep_offset[f]; k < h.dep_offset[f + 1]; ++k) {
    const uint32_t d = h.dependents[k];
    if (--h.waiting[d] == 0) launch(d);
  }
}

void launch(uint32_t f) {
  sg4::Actor::create("f" + std::to_string(f), h.from[f], [f]() { run_flow(f); });
}

// The platform: links, hosts (copies per path variant) and one route per (pair, variant).
void build_platform(const scenario::Scenario& s) {
  const auto& t = s.topology;
  const auto& flows = s.flows;
  auto* zone = sg4::create_full_zone("roshni");
  std::vector<sg4::Link*> links(t.link_count(), nullptr);
  const auto link = [&](LinkId l) {
    auto& sl = links[l.value()];
    if (sl == nullptr) {
      double lat = 0;
      if (!h.latency_after) {
        lat = static_cast<double>(t.link_latency(l).ps() + t.forwarding_latency(t.link_to(l)).ps()) *
              1e-12;
      }
      sl = zone->create_link(fmt::format("l{}", l.value()), t.link_capacity(l).si())
               ->set_latency(lat)
               ->seal();
    }
    return sl;
  };
  // Path variants per ordered pair: variant v of (a, b) is the v-th distinct path seen.
  std::map<std::pair<uint32_t, uint32_t>, std::vector<std::vector<uint32_t>>> variants;
  std::vector<uint32_t> variant(flows.size(), 0);
  std::vector<uint32_t> copies(t.node_count(), 1);
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowId f(i);
    if (flows.is_task(f) || flows.src(f) == flows.dst(f)) continue;
    std::vector<uint32_t> path;
    for (LinkId l : s.paths.of(f)) path.push_back(l.value());
    auto& known = variants[{flows.src(f).value(), flows.dst(f).value()}];
    uint32_t v = 0;
    while (v < known.size() && known[v] != path) ++v;
    if (v == known.size()) known.push_back(std::move(path));
    variant[i] = v;
    copies[flows.src(f).value()] = std::max(copies[flows.src(f).value()], v + 1);
    copies[flows.dst(f).value()] = std::max(copies[flows.dst(f).value()], v + 1);
  }
  std::vector<std::vector<sg4::Host*>> hosts(t.node_count());
  const auto host = [&](NodeId n, uint32_t v) {
    auto& hs = hosts[n.value()];
    if (hs.empty()) {
      for (uint32_t k = 0; k < copies[n.value()]; ++k) {
        const std::string name = k == 0 ? t.node_name(n) : fmt::format("{}#{}", t.node_name(n), k);
        hs.push_back(zone->create_host(name, 1e9)->seal());
      }
    }
    return hs[v];
  };
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowId f(i);
    h.from[i] = host(flows.src(f), variant[i]);
    h.to[i] = host(flows.dst(f), variant[i]);
  }
  for (const auto& [pair, paths] : variants) {
    for (uint32_t v = 0; v < paths.size(); ++v) {
      std::vector<sg4::LinkInRoute> route;
      for (uint32_t l : paths[v]) route.emplace_back(link(LinkId(l)));
      zone->add_route(hosts[pair.first][v]->get_netpoint(), hosts[pair.second][v]->get_netpoint(),
                      nullptr, nullptr, route, false);
    }
  }
  zone->seal();
}

}  // namespace

int main(int argc, char** argv) {
  // SimGrid's settings first, so that --cfg options given by the caller come after them.
  std::vector<std::string> own = {
      "--cfg=network/model:CM02",         "--cfg=network/latency-factor:1",
      "--cfg=network/bandwidth-factor:1", "--cfg=network/weight-S:0",
      "--cfg=network/TCP-gamma:0",        "--cfg=network/crosstraffic:0",
      "--cfg=maxmin/precision:1e-12",     "--cfg=surf/precision:1e-12",
      "--cfg=contexts/stack-size:64",     "--log=root.thres:warning",
      // One actor per flow, each stack with a guard page of its own mapping: 65,280 flows
      // (the 256-rank skewed all-to-all) pass Linux's default vm.max_map_count (65,530)
      // and SimGrid aborts ("Failed to protect stack"). No guard pages, no extra mappings.
      "--cfg=contexts/guard-size:0"};
  std::vector<char*> args = {argv[0]};
  for (auto& o : own) args.push_back(o.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  sg4::Engine engine(&n, args.data());

  std::string scenario_path, out_path, latency = "after";
  for (int i = 1; i < n; ++i) {
    const std::string a = args[i];
    if ((a == "-o" || a == "--out") && i + 1 < n) {
      out_path = args[++i];
    } else if (a == "--latency" && i + 1 < n) {
      latency = args[++i];
    } else if (scenario_path.empty() && a[0] != '-') {
      scenario_path = a;
    } else {
      scenario_path.clear();
      break;
    }
  }
  if (scenario_path.empty() || (latency != "after" && latency != "links")) {
    std::fprintf(stderr,
                 "usage: roshni_simgrid SCENARIO [-o FILE] [--latency after|links] "
                 "[--cfg=name:value ...]\n");
    return 2;
  }

  scenario::Scenario s;
  try {
    s = scenario::load_scenario(scenario_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "roshni_simgrid: %s\n", e.what());
    return 1;
  }
  const auto& flows = s.flows;
  const auto count = static_cast<uint32_t>(flows.size());
  h.s = &s;
  h.latency_after = latency == "after";
  h.from.assign(count, nullptr);
  h.to.assign(count, nullptr);
  h.start.assign(count, -1);
  h.end.assign(count, -1);
  h.latency.assign(count, 0);
  h.waiting.assign(count, 0);
  h.dep_offset.assign(count + 1, 0);
  for (uint32_t i = 0; i < count; ++i) {
    const FlowId f(i);
    h.latency[i] = static_cast<double>(topo::path_latency(s.topology, s.paths.of(f)).ps()) * 1e-12;
    h.waiting[i] = static_cast<uint32_t>(flows.deps(f).size());
    for (FlowId d : flows.deps(f)) ++h.dep_offset[d.value() + 1];
  }
  for (uint32_t i = 0; i < count; ++i) h.dep_offset[i + 1] += h.dep_offset[i];
  h.dependents.resize(h.dep_offset[count]);
  std::vector<uint32_t> fill(h.dep_offset.begin(), h.dep_offset.end() - 1);
  for (uint32_t i = 0; i < count; ++i) {
    for (FlowId d : flows.deps(FlowId(i))) h.dependents[fill[d.value()]++] = i;
  }

  build_platform(s);
  for (uint32_t i = 0; i < count; ++i) {
    if (h.waiting[i] == 0) launch(i);
  }
  engine.run();

  double makespan = 0;
  std::string out = "id,start_s,end_s\n";
  for (uint32_t i = 0; i < count; ++i) {
    if (h.end[i] < 0) {
      std::fprintf(stderr, "roshni_simgrid: flow %s never ended\n", flows.label(FlowId(i)).c_str());
      return 1;
    }
    makespan = std::max(makespan, h.end[i]);
    out += fmt::format("{},{:.17g},{:.17g}\n", csv_field(flows.label(FlowId(i))), h.start[i],
                       h.end[i]);
  }
  if (!out_path.empty()) {
    std::FILE* file = std::fopen(out_path.c_str(), "wb");
    if (file == nullptr || std::fwrite(out.data(), 1, out.size(), file) != out.size() ||
        std::fclose(file) != 0) {
      std::fprintf(stderr, "roshni_simgrid: cannot write %s\n", out_path.c_str());
      return 1;
    }
  }
  std::printf("flows %u, makespan %.17g s (%s, latency %s)\n", count, makespan,
              SIMGRID_VERSION_STRING, latency.c_str());
  return 0;
}
