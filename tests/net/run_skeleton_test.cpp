// The run skeleton both network models share (src/net/run_skeleton.h), on a toy model
// whose flows are delivered `size` ps after they start (one byte = one ps, no links):
// what it releases and when, the coupling's ticks, routing at start, and the report of
// what is left. Expected times are worked out by hand in each test's comment.
#include "net/run_skeleton.h"

#include <gtest/gtest.h>

#include "roshni/net/dependents.h"
#include "roshni/topo/generators.h"

namespace roshni::net {
namespace {

topo::Topology two_gpus() {
  topo::StarParams p;
  p.gpus = 2;
  p.link_bandwidth = gbps(100);
  return topo::make_star(p);
}

/// Flows take `size` ps; a flow labelled "stuck" never ends; one labelled "unrouted"
/// waits for a live path until a capacity step (any) brings links up.
class Toy : public RunSkeleton<Toy> {
 public:
  Toy(const topo::Topology& t, const FlowSet& flows, const RunOptions& o)
      : RunSkeleton(t, flows, o), done_(flows.size(), 0) {}
  RunResult run() {
    schedule_start(16);
    sim_.run(*this);
    report_unfinished([&](uint32_t f) { return done_[f] != 0; }, [](uint32_t, Unfinished&) {});
    return std::move(run_);
  }
  void handle(const sim::Event& e) { ASSERT_TRUE(handle_run_event(e)); }
  void end_of_timestamp(SimTime now) {
    if (links_came_up_) retry_unrouted();
    links_came_up_ = false;
    schedule_next_tick(now);
  }
  std::vector<SimTime> steps_at;  // when each capacity step fired
  std::vector<RouteChoice> routes;

 private:
  friend class RunSkeleton<Toy>;
  void start(uint32_t f) {
    const SimTime now = sim_.now();
    run_.start[f] = now;
    if (flows_.is_task(FlowId(f))) {
      start_task(f, now);
      return;
    }
    routes.push_back(route_choice(f, [] { return true; }));
    if (flows_.label(FlowId(f)) == "stuck") return;
    if (flows_.label(FlowId(f)) == "unrouted" && !up_) {
      wait_for_route(f);
      return;
    }
    sim_.schedule(now + SimTime::ps(static_cast<int64_t>(flows_.flow_size(FlowId(f)).si())),
                  kDelivered, f);
  }
  void delivered(uint32_t f) {
    done_[f] = 1;
    release(f, sim_.now());
  }
  void apply_step(uint32_t) {
    steps_at.push_back(sim_.now());
    up_ = true;
    links_came_up_ = true;
  }
  std::vector<uint8_t> done_;
  bool up_ = false;
};

/// Counts its calls and when they came.
class Ticks final : public Coupling {
 public:
  explicit Ticks(SimTime period) : period_(period) {}
  SimTime period() const override { return period_; }
  void step(SimTime now, const NodeActivity&, std::span<double>) override { at.push_back(now); }
  std::vector<SimTime> at;

 private:
  SimTime period_;
};

SimTime ps(int64_t v) { return SimTime::ps(v); }

// Diamond a -> {b, c} -> d: a's dependents are b, c (in id order); d is ready only after
// both: releasing b frees nothing, releasing c frees d.
TEST(Dependents, ReleaseFreesAnEntryWhenItsLastDependencyIsDone) {
  const auto t = two_gpus();
  const NodeId g0 = t.gpus()[0], g1 = t.gpus()[1];
  FlowSet f;
  const FlowId a = f.add("a", g0, g1, bytes(1));
  const FlowId b = f.add("b", g0, g1, bytes(1), std::vector{a});
  const FlowId c = f.add("c", g0, g1, bytes(1), std::vector{a});
  f.add("d", g0, g1, bytes(1), std::vector{b, c});
  Dependents deps(f);
  EXPECT_EQ(deps.pending(3), 2u);
  ASSERT_EQ(deps.of(0).size(), 2u);
  EXPECT_EQ(deps.of(0)[0], 1u);
  EXPECT_EQ(deps.of(0)[1], 2u);
  std::vector<uint32_t> ready;
  deps.release(0, [&](uint32_t d) { ready.push_back(d); });
  deps.release(1, [&](uint32_t d) { ready.push_back(d); });
  EXPECT_EQ(ready, (std::vector<uint32_t>{1, 2}));
  deps.release(2, [&](uint32_t d) { ready.push_back(d); });
  EXPECT_EQ(ready, (std::vector<uint32_t>{1, 2, 3}));
}

// A task of 5 ps; flow x (100 B = 100 ps) waits for it and may not start before 20 ps:
// it starts at 20, ends at 120. A capacity step 3 ps after x fires at 123. Flow y (7 B)
// waits for the task only: starts at 5, ends at 12. Makespan 120.
TEST(RunSkeleton, ReleasesDependentsAtTheirEarliestStartAndTriggersSteps) {
  const auto t = two_gpus();
  const NodeId g0 = t.gpus()[0], g1 = t.gpus()[1];
  FlowSet f;
  const FlowId task = f.add_task("task", g0, ps(5));
  const FlowId x = f.add("x", g0, g1, bytes(100), std::vector{task}, ps(20));
  f.add("y", g0, g1, bytes(7), std::vector{task});
  RunOptions o;
  CapacityStep s;
  s.after = {x};
  s.delay = ps(3);
  o.steps.push_back(s);
  Toy toy(t, f, o);
  const RunResult r = toy.run();
  ASSERT_TRUE(r.unfinished.empty());
  EXPECT_EQ(r.end[0], ps(5));
  EXPECT_EQ(r.start[1], ps(20));
  EXPECT_EQ(r.end[1], ps(120));
  EXPECT_EQ(r.start[2], ps(5));
  EXPECT_EQ(r.end[2], ps(12));
  EXPECT_EQ(r.makespan, ps(120));
  EXPECT_EQ(toy.steps_at, (std::vector<SimTime>{ps(123)}));
  EXPECT_EQ(r.busy_ps[g0.value()], 5);
}

// A task of 25 ps under a coupling of period 10: ticks at 10 and 20 (at 20 the task's end
// is still to come, so one more is scheduled at 30, which finds the run over and does
// not call the coupling). Two calls.
TEST(RunSkeleton, TicksWhileWorkRemains) {
  const auto t = two_gpus();
  FlowSet f;
  f.add_task("task", t.gpus()[0], ps(25));
  Ticks c(ps(10));
  RunOptions o;
  o.coupling = &c;
  Toy toy(t, f, o);
  toy.run();
  EXPECT_EQ(c.at, (std::vector<SimTime>{ps(10), ps(20)}));
}

// The next tick is scheduled at the end of the instant, not in the tick: at 10 a capacity
// step (scheduled before the tick, so it runs first) brings links up; when the tick runs
// nothing else is queued, and only the end of the instant starts the flow that waited for
// a route (15 ps: 10 -> 25). The ticks go on at 20 (and 30 finds the run over): calls at
// 10 and 20. Scheduled from the tick, the queue would be empty then and ticks would stop.
TEST(RunSkeleton, TicksGoOnForWorkReleasedAtTheEndOfTheInstant) {
  const auto t = two_gpus();
  FlowSet f;
  f.add("unrouted", t.gpus()[0], t.gpus()[1], bytes(15));
  Ticks c(ps(10));
  RunOptions o;
  o.coupling = &c;
  CapacityStep s;
  s.at = ps(10);
  o.steps.push_back(s);
  Toy toy(t, f, o);
  const RunResult r = toy.run();
  EXPECT_EQ(r.end[0], ps(25));
  EXPECT_EQ(c.at, (std::vector<SimTime>{ps(10), ps(20)}));
}

// Pinned paths are kept; with route_at_start the others are routed; otherwise a flow is
// rerouted only when its planned path is not up (the toy says it always is: keep).
TEST(RunSkeleton, RouteChoiceKeepsPinnedPathsAndRoutesAtStartWhenAsked) {
  const auto t = two_gpus();
  FlowSet f;
  f.add("free", t.gpus()[0], t.gpus()[1], bytes(1));
  const FlowId pinned = f.add("pinned", t.gpus()[0], t.gpus()[1], bytes(1));
  const LinkId l(0);
  f.set_path(pinned, std::span(&l, 1));
  RunOptions o;
  {
    Toy toy(t, f, o);
    toy.run();
    EXPECT_EQ(toy.routes, (std::vector<RouteChoice>{RouteChoice::keep, RouteChoice::keep}));
  }
  o.route_at_start = true;
  Toy toy(t, f, o);
  toy.run();
  EXPECT_EQ(toy.routes, (std::vector<RouteChoice>{RouteChoice::route, RouteChoice::keep}));
}

// "stuck" never ends; "after" waits for it: both unfinished, "after" waiting for "stuck"
// (entry 0), "stuck" waiting for nothing.
TEST(RunSkeleton, ReportsUnfinishedEntriesAndWhatTheyWaitFor) {
  const auto t = two_gpus();
  FlowSet f;
  const FlowId stuck = f.add("stuck", t.gpus()[0], t.gpus()[1], bytes(1));
  f.add("after", t.gpus()[0], t.gpus()[1], bytes(1), std::vector{stuck});
  const RunOptions o;  // the skeleton keeps a reference: it must outlive the toy
  Toy toy(t, f, o);
  const RunResult r = toy.run();
  ASSERT_EQ(r.unfinished.size(), 2u);
  EXPECT_EQ(r.unfinished[0].flow, FlowId(0));
  EXPECT_FALSE(r.unfinished[0].waiting_for.valid());
  EXPECT_EQ(r.unfinished[1].flow, FlowId(1));
  EXPECT_EQ(r.unfinished[1].waiting_for, FlowId(0));
  EXPECT_EQ(r.unfinished[1].state, Unfinished::State::waiting);
}

}  // namespace
}  // namespace roshni::net
