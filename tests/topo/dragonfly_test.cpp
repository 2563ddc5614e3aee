#include "roshni/topo/dragonfly.h"

#include <chrono>
#include <cstdio>
#include <set>

#include <gtest/gtest.h>

#include "topo/route_check.h"

namespace roshni::topo {
namespace {

using test::for_each_route;

DragonflyParams with_rates(DragonflyParams p) {
  p.terminal_bandwidth = gbps(400);
  p.local_bandwidth = gbps(400);
  p.global_bandwidth = gbps(200);
  p.terminal_latency = SimTime::ps(10'000);
  p.local_latency = SimTime::ps(20'000);
  p.global_latency = SimTime::ps(500'000);
  p.router_latency = SimTime::ps(300'000);
  return p;
}

DragonflyParams dragonfly(uint32_t p, uint32_t a, uint32_t h, uint32_t g,
                          DragonflyRouting routing = DragonflyRouting::minimal,
                          GlobalArrangement arr = GlobalArrangement::absolute) {
  DragonflyParams d;
  d.p = p;
  d.a = a;
  d.h = h;
  d.g = g;
  d.routing = routing;
  d.arrangement = arr;
  return with_rates(d);
}

std::unique_ptr<DragonflyFabric> build(const DragonflyParams& p) {
  EXPECT_EQ(check(p), "");
  return make_dragonfly(p);
}

// Structure read back from the built topology, independently of the router.
struct View {
  const Topology& t;
  const DragonflyParams& p;
  uint32_t gpus() const { return p.p * p.a * p.g; }
  bool is_router(NodeId n) const { return n.value() >= gpus(); }
  uint32_t group(NodeId n) const {
    return is_router(n) ? (n.value() - gpus()) / p.a : n.value() / (p.p * p.a);
  }
  uint32_t router(NodeId n) const { return is_router(n) ? n.value() - gpus() : n.value() / p.p; }
};

// Kim et al. 2008, §3.1: N = a*p*g terminals on a*g routers; the all-to-all group has
// a(a-1)/2 local links, so g*a(a-1)/2 in all; every pair of groups has m = floor(a*h /
// (g-1)) global links, g(g-1)/2 * m in all, which is g*a*h/2 when g = a*h + 1 (each
// group's a*h ports all used). Router radix p + (a-1) + h.
//   p=2 a=4 h=2 g=9 (balanced):  72 GPUs, 36 routers, 54 local, 36 global (= 9*8/2)
//   p=1 a=2 h=1 g=3 (balanced):   6 GPUs,  6 routers,  3 local,  3 global
//   p=2 a=4 h=2 g=5:             40 GPUs, 20 routers, 30 local, m = 8/4 = 2: 20 global
//   p=3 a=5 h=1 g=6:             90 GPUs, 30 routers, 60 local, m = 1: 15 global
//   p=2 a=4 h=2 g=1:              8 GPUs,  4 routers,  6 local,  0 global
TEST(Dragonfly, CountsMatchClosedForm) {
  struct Case {
    uint32_t p, a, h, g, gpus, routers, local, m, global;
  };
  for (const Case& c : {Case{2, 4, 2, 9, 72, 36, 54, 1, 36}, Case{1, 2, 1, 3, 6, 6, 3, 1, 3},
                        Case{2, 4, 2, 5, 40, 20, 30, 2, 20}, Case{3, 5, 1, 6, 90, 30, 60, 1, 15},
                        Case{2, 4, 2, 1, 8, 4, 6, 0, 0}}) {
    for (auto arr : {GlobalArrangement::absolute, GlobalArrangement::relative}) {
      const DragonflyParams p = dragonfly(c.p, c.a, c.h, c.g, DragonflyRouting::minimal, arr);
      const auto f = build(p);
      const Topology& t = f->topology;
      EXPECT_EQ(f->shape.gpus, c.gpus);
      EXPECT_EQ(f->shape.routers, c.routers);
      EXPECT_EQ(f->shape.local_links, c.local);
      EXPECT_EQ(f->shape.links_per_pair, c.m);
      EXPECT_EQ(f->shape.global_links, c.global);
      EXPECT_EQ(t.gpus().size(), c.gpus);
      EXPECT_EQ(t.node_count(), c.gpus + c.routers);
      size_t terminal = 0, local = 0, global = 0;
      for (uint32_t l = 0; l < t.link_count(); l += 2) {
        const auto role = t.link_role(LinkId(l));
        terminal += role == "terminal";
        local += role == "local";
        global += role == "global";
      }
      EXPECT_EQ(terminal, c.gpus);
      EXPECT_EQ(local, c.local);
      EXPECT_EQ(global, c.global);
      // Every router: radix p + (a-1) + h; it uses p + (a-1) + its share of the m(g-1)
      // global ports in use, all of them when balanced.
      const uint32_t radix = c.p + (c.a - 1) + c.h;
      EXPECT_EQ(f->shape.router_radix, radix);
      for (uint32_t r = c.gpus; r < t.node_count(); ++r) {
        EXPECT_EQ(t.node_radix(NodeId(r)), radix);
        EXPECT_EQ(t.node_role(NodeId(r)), "router");
        EXPECT_LE(t.out_links(NodeId(r)).size(), radix);
        if (c.g == c.a * c.h + 1) {
          EXPECT_EQ(t.out_links(NodeId(r)).size(), radix);
        }
      }
    }
  }
}

// Names and node order: GPU (G, r, t) is node (G*a + r)*p + t, router (G, r) is node
// p*a*g + G*a + r. With p=2 a=4 g=9: gpu3_1_0 is node (12+1)*2 = 26, router3_1 is 72 + 13 = 85.
TEST(Dragonfly, NamesAndOrder) {
  const auto f = build(dragonfly(2, 4, 2, 9));
  const Topology& t = f->topology;
  EXPECT_EQ(t.node_name(NodeId(26)), "gpu3_1_0");
  EXPECT_EQ(t.node_name(NodeId(85)), "router3_1");
  EXPECT_EQ(t.link_to(t.out_links(NodeId(26))[0]), NodeId(85));
}

// In the balanced case (g = a*h + 1) every pair of groups is joined by exactly one
// global link, whichever arrangement: count global links per unordered group pair.
// Unbalanced (p=2 a=4 h=2 g=5): exactly m = 2 per pair.
TEST(Dragonfly, GlobalLinksJoinEveryPairOfGroupsEqually) {
  const std::vector<std::pair<DragonflyParams, uint32_t>> cases = {
      {dragonfly(2, 4, 2, 9), 1},
      {dragonfly(2, 4, 2, 9, {}, GlobalArrangement::relative), 1},
      {balanced_dragonfly(4), 1},
      {dragonfly(2, 4, 2, 5), 2},
      {dragonfly(2, 4, 2, 5, {}, GlobalArrangement::relative), 2}};
  for (const auto& [params, m] : cases) {
    const DragonflyParams p = with_rates(params);
    const auto f = build(p);
    const Topology& t = f->topology;
    const View v{t, p};
    std::vector<uint32_t> pairs(p.g * p.g, 0);
    for (uint32_t l = 0; l < t.link_count(); l += 2) {
      if (t.link_role(LinkId(l)) != "global") continue;
      const uint32_t x = v.group(t.link_from(LinkId(l))), y = v.group(t.link_to(LinkId(l)));
      ASSERT_NE(x, y);
      ++pairs[std::min(x, y) * p.g + std::max(x, y)];
    }
    for (uint32_t x = 0; x < p.g; ++x) {
      for (uint32_t y = x + 1; y < p.g; ++y) EXPECT_EQ(pairs[x * p.g + y], m) << x << "-" << y;
    }
  }
}

// Minimal routing (Kim et al. §4.1) between GPUs: up to the source router, then
//   same router: straight down (2 links, 0 router-to-router hops);
//   same group: one local hop (3 links);
//   other group: [local to R_a] global [local from R_b], where R_a and R_b are the ends
//   of the one global link between the groups, found here by scanning the links:
//   1 + (R_s != R_a) + (R_b != R_d) <= 3 router-to-router hops, exactly one global.
// All 72*71 ordered pairs of the balanced p=2 dragonfly, both arrangements.
TEST(Dragonfly, MinimalRoutesAreLocalGlobalLocal) {
  for (auto arr : {GlobalArrangement::absolute, GlobalArrangement::relative}) {
    const DragonflyParams p = dragonfly(2, 4, 2, 9, DragonflyRouting::minimal, arr);
    const auto f = build(p);
    const Topology& t = f->topology;
    const View v{t, p};
    // The routers at each end of the global link between groups x and y.
    std::vector<uint32_t> end(p.g * p.g, 0);
    for (uint32_t l = 0; l < t.link_count(); ++l) {
      if (t.link_role(LinkId(l)) != "global") continue;
      const NodeId from = t.link_from(LinkId(l)), to = t.link_to(LinkId(l));
      end[v.group(from) * p.g + v.group(to)] = v.router(from);
    }
    for_each_route(t, *f->router, 1u << 20, [&](NodeId s, NodeId d, const auto& path) {
      const uint32_t rs = v.router(s), rd = v.router(d), gs = v.group(s), gd = v.group(d);
      size_t expected = 2;
      if (gs != gd) {
        const uint32_t ra = end[gs * p.g + gd], rb = end[gd * p.g + gs];
        expected += 1 + (rs != ra) + (rb != rd);
      } else if (rs != rd) {
        expected += 1;
      }
      EXPECT_EQ(path.size(), expected) << t.node_name(s) << " -> " << t.node_name(d);
      size_t globals = 0;
      for (LinkId l : path) globals += t.link_role(l) == "global";
      EXPECT_EQ(globals, gs != gd ? 1u : 0u);
      EXPECT_LE(path.size() - 2, 3u);
    });
  }
}

// Valiant: minimal to a random intermediate group G_i != G_s, G_d (landing on whichever
// router the global link reaches), then minimal to the destination. Bound derived:
// local + global + (local + global + local) = at most 5 router-to-router hops, exactly
// 2 of them global and at most 3 local; pairs in one group go through a third router
// of that group: exactly 2 local hops. Paths never revisit a node. And the flow hash
// spreads the intermediate group over all g - 2 = 7 candidates.
TEST(Dragonfly, ValiantRoutesDetourThroughOneIntermediateGroup) {
  const DragonflyParams p = dragonfly(2, 4, 2, 9, DragonflyRouting::valiant);
  const auto f = build(p);
  const Topology& t = f->topology;
  const View v{t, p};
  for_each_route(t, *f->router, 1u << 20, [&](NodeId s, NodeId d, const auto& path) {
    size_t globals = 0, locals = 0;
    std::set<uint32_t> groups;
    for (LinkId l : path) {
      globals += t.link_role(l) == "global";
      locals += t.link_role(l) == "local";
      groups.insert(v.group(t.link_to(l)));
    }
    const uint32_t gs = v.group(s), gd = v.group(d);
    if (v.router(s) == v.router(d)) {
      EXPECT_EQ(path.size(), 2u);
    } else if (gs == gd) {
      EXPECT_EQ(locals, 2u);
      EXPECT_EQ(globals, 0u);
    } else {
      EXPECT_EQ(globals, 2u);
      EXPECT_LE(locals, 3u);
      EXPECT_LE(path.size() - 2, 5u);
      groups.erase(gs);
      groups.erase(gd);
      EXPECT_EQ(groups.size(), 1u);  // exactly one intermediate group
    }
  });
  // One pair, many flows: every one of the 7 possible intermediate groups is used.
  std::set<uint32_t> intermediates;
  const NodeId s(0), d(71);  // gpu0_0_0 in group 0, gpu8_3_1 in group 8
  for (uint32_t k = 0; k < 1000; ++k) {
    std::vector<LinkId> path;
    f->router->route(s, d, flow_hash(3, k), path);
    for (LinkId l : path) {
      const uint32_t grp = v.group(t.link_to(l));
      if (grp != 0 && grp != 8) intermediates.insert(grp);
    }
  }
  EXPECT_EQ(intermediates.size(), 7u);
}

// Routers are nodes too: routing router to router, or GPU to router, follows the same
// rules (router0_0 -> router8_3 minimal: at most 3 hops, no terminal links).
TEST(Dragonfly, RoutesBetweenRouters) {
  const DragonflyParams p = dragonfly(2, 4, 2, 9);
  const auto f = build(p);
  const Topology& t = f->topology;
  const NodeId r00 = *t.find_node("router0_0"), r83 = *t.find_node("router8_3");
  std::vector<LinkId> path;
  ASSERT_TRUE(f->router->route(r00, r83, 0, path));
  EXPECT_TRUE(test::is_route(t, r00, r83, path));
  EXPECT_LE(path.size(), 3u);
  path.clear();
  ASSERT_TRUE(f->router->route(NodeId(0), r83, 0, path));
  EXPECT_TRUE(test::is_route(t, NodeId(0), r83, path));
  EXPECT_LE(path.size(), 4u);
}

// balanced_dragonfly(p): a = 2p, h = p, g = a*h + 1 (Kim et al. §3.1).
TEST(Dragonfly, BalancedSizing) {
  const DragonflyParams d = balanced_dragonfly(8);
  EXPECT_EQ(d.a, 16u);
  EXPECT_EQ(d.h, 8u);
  EXPECT_EQ(d.g, 129u);
}

// Each bad parameter is named first: zero p, a, h or g; more groups than a*h + 1 can
// reach (a=4 h=2: at most 9); non-positive rates.
TEST(Dragonfly, CheckNamesTheBadParameter) {
  const auto starts = [](const std::string& msg, const std::string& param) {
    return msg.rfind(param + ":", 0) == 0;
  };
  EXPECT_TRUE(starts(check(dragonfly(0, 4, 2, 9)), "p"));
  EXPECT_TRUE(starts(check(dragonfly(2, 0, 2, 9)), "a"));
  EXPECT_TRUE(starts(check(dragonfly(2, 4, 0, 9)), "h"));
  EXPECT_TRUE(starts(check(dragonfly(2, 4, 2, 0)), "g"));
  EXPECT_TRUE(starts(check(dragonfly(2, 4, 2, 10)), "g"));
  EXPECT_EQ(check(dragonfly(2, 4, 2, 9)), "");
  EXPECT_TRUE(starts(check(dragonfly(70000, 4, 2, 9)), "p"));
  DragonflyParams p = dragonfly(2, 4, 2, 9);
  p.global_bandwidth = gbps(0);
  EXPECT_TRUE(starts(check(p), "global_bandwidth"));
  p = dragonfly(2, 4, 2, 9);
  p.terminal_bandwidth = gbps(0);
  EXPECT_TRUE(starts(check(p), "terminal_bandwidth"));
  p = dragonfly(2, 4, 2, 9);
  p.local_latency = SimTime::ps(-1);
  EXPECT_TRUE(starts(check(p), "local_latency"));
}

// The balanced p = 8 dragonfly: a = 16, h = 8, g = 129; 16*8*129 = 16,512 GPUs on 2,064
// routers; 129 * 16*15/2 = 15,480 local and 129*128/2 = 8,256 global links. Built, and
// 100,000 minimal and 100,000 Valiant routes checked, in well under a second each:
// routes come from the group arithmetic and per-router link tables, not all-pairs ones.
TEST(Dragonfly, BalancedP8BuildsAndRoutes) {
  for (auto routing : {DragonflyRouting::minimal, DragonflyRouting::valiant}) {
    const auto start = std::chrono::steady_clock::now();
    DragonflyParams p = with_rates(balanced_dragonfly(8));
    p.routing = routing;
    const auto f = build(p);
    EXPECT_EQ(f->shape.gpus, 16'512u);
    EXPECT_EQ(f->shape.routers, 2'064u);
    EXPECT_EQ(f->shape.local_links, 15'480u);
    EXPECT_EQ(f->shape.global_links, 8'256u);
    EXPECT_EQ(f->topology.link_count(), 2u * (16'512 + 15'480 + 8'256));
    const size_t bound = routing == DragonflyRouting::minimal ? 3 + 2 : 5 + 2;
    for_each_route(f->topology, *f->router, 100'000,
                   [&](NodeId, NodeId, const auto& path) { EXPECT_LE(path.size(), bound); });
    // Wall time is for bench/, not for a test (it failed under ASan on a loaded
    // machine): printed here for the reader only.
    std::printf("%.3f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace
}  // namespace roshni::topo
