/// A finished run written out by hand, for tests of what the report layer makes of a
/// result (tables, trace) without running a network model.
///
/// gpu0 - sw0 - gpu1 on 100 Gb/s (12.5e9 B/s) links of 1 ns; directed links
/// 0 gpu0->sw0, 1 sw0->gpu0, 2 gpu1->sw0, 3 sw0->gpu1. Entries, in id order:
///   0 "a"        gpu0 -> gpu1, 1000 B, 0 .. 2 us
///   1 "b,\"q\""  gpu0 -> gpu1, 2000 B, 1 .. 3.5 us   (overlaps "a" without nesting)
///   2 "c"        gpu0 -> gpu1,  500 B, 2 .. 2.5 us   (starts as "a" ends)
///   3 "k"        compute on gpu1, 0.75 us, 0.5 .. 1.25 us
/// Makespan 3.5 us. Links 0 and 3 carried all 3500 B; links 1 and 2 nothing.
#pragma once

#include "roshni/net/flow_model.h"
#include "roshni/scenario/loader.h"
#include "roshni/topo/topology.h"

namespace roshni::testing {

struct TinyRun {
  scenario::Scenario s;
  net::RunResult r;
};

inline TinyRun tiny_run() {
  TinyRun t;
  topo::TopologyBuilder b;
  const NodeId g0 = b.add_node("gpu0", topo::NodeKind::gpu);
  const NodeId g1 = b.add_node("gpu1", topo::NodeKind::gpu);
  const NodeId sw = b.add_node("sw0", topo::NodeKind::switch_, SimTime::ps(300'000));
  b.add_link(g0, sw, gbps(100), gbps(100), SimTime::ps(1000));
  b.add_link(g1, sw, gbps(100), gbps(100), SimTime::ps(1000));
  t.s.name = "tiny";
  t.s.file = "tiny.json";
  t.s.topology = std::move(b).build();
  t.s.flows.add("a", g0, g1, bytes(1000));
  t.s.flows.add("b,\"q\"", g0, g1, bytes(2000));
  t.s.flows.add("c", g0, g1, bytes(500));
  t.s.flows.add_task("k", g1, SimTime::ps(750'000));
  t.r.start = {SimTime::ps(0), SimTime::ps(1'000'000), SimTime::ps(2'000'000),
               SimTime::ps(500'000)};
  t.r.end = {SimTime::ps(2'000'000), SimTime::ps(3'500'000), SimTime::ps(2'500'000),
             SimTime::ps(1'250'000)};
  t.r.makespan = SimTime::ps(3'500'000);
  t.r.link_bytes = {bytes(3500), bytes(0), bytes(0), bytes(3500)};
  return t;
}

}  // namespace roshni::testing
