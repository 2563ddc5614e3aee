// The "goal" workload (issue 24, item 3): a GOAL text schedule (LogGOPSim's format) read
// into flows and tasks. Each test writes its schedule inline, so what it checks is on the
// page; the expected graphs are drawn by hand from the mapping rules in docs/workloads.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "roshni/scenario/loader.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;
using testing::memory;

const std::string kStar4 =
    R"("topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1 Gbps"}})";

LoadOptions with_goal(const std::string& goal, size_t max_flows = 0) {
  LoadOptions o;
  o.reader = memory({{"run/x.goal", goal}});
  if (max_flows > 0) o.max_flows = max_flows;
  return o;
}

Scenario load_goal(const std::string& goal, const std::string& extra = "") {
  return load_scenario_text(
      "{" + kStar4 + R"(, "workload": {"kind": "goal", "file": "x.goal")" + extra + "}}",
      "run/s.json", with_goal(goal));
}

ScenarioError goal_error(const std::string& goal, const std::string& extra = "",
                         size_t max_flows = 0) {
  return error_of([&] {
    load_scenario_text(
        "{" + kStar4 + R"(, "workload": {"kind": "goal", "file": "x.goal")" + extra + "}}",
        "run/s.json", with_goal(goal, max_flows));
  });
}

std::vector<uint32_t> deps_of(const Scenario& s, uint32_t f) {
  std::vector<uint32_t> out;
  for (const FlowId d : s.flows.deps(FlowId(f))) out.push_back(d.value());
  std::sort(out.begin(), out.end());
  return out;
}

// A ping-pong with a calc in the middle. Entry i is the i-th calc or send in the file
// (a recv makes no entry: it joins its send's flow):
//   rank 0 l1 (send)             -> entry 0: flow gpu0 -> gpu1, 1024 B
//   rank 1 l3 (calc 2500)        -> entry 1: task on gpu1, 2500 ns, after entry 0 (l1's recv)
//   rank 1 l2 (send)             -> entry 2: flow gpu1 -> gpu0, 2048 B, after entry 1 (the
//                                   send requires l3) and entry 0 (rank 0's recv l2
//                                   requires its send l1)
TEST(GoalWorkload, PingPongBecomesFlowsAndATask) {
  const Scenario s = load_goal(R"(// a ping-pong
num_ranks 2
rank 0 {
  l1: send 1024b to 1 tag 7
  l2: recv 2048b from 1 tag 7
  l2 requires l1
}
/* rank 1 answers
   after a calc */
rank 1 {
  l1: recv 1024b from 0 tag 7
  l3: calc 2500
  l2: send 2048b to 0 tag 7
  l3 requires l1
  l2 requires l3
}
)");
  ASSERT_EQ(s.flows.size(), 3u);
  const auto& t = s.topology;
  EXPECT_EQ(s.workload.kind, "goal");
  EXPECT_EQ(s.workload.ranks, 2u);
  EXPECT_EQ(s.workload.size.si(), 3072.0);
  EXPECT_FALSE(s.flows.is_task(FlowId(0)));
  EXPECT_EQ(t.node_name(s.flows.src(FlowId(0))), "gpu0");
  EXPECT_EQ(t.node_name(s.flows.dst(FlowId(0))), "gpu1");
  EXPECT_EQ(s.flows.flow_size(FlowId(0)).si(), 1024.0);
  EXPECT_TRUE(deps_of(s, 0).empty());
  EXPECT_EQ(s.flows.label(FlowId(0)), "r0:l1>r1:l1");
  ASSERT_TRUE(s.flows.is_task(FlowId(1)));
  EXPECT_EQ(t.node_name(s.flows.src(FlowId(1))), "gpu1");
  EXPECT_EQ(s.flows.task_time(FlowId(1)).ps(), 2'500'000);  // calc counts nanoseconds
  EXPECT_EQ(deps_of(s, 1), (std::vector<uint32_t>{0}));
  EXPECT_EQ(s.flows.label(FlowId(1)), "r1:l3");
  EXPECT_FALSE(s.flows.is_task(FlowId(2)));
  EXPECT_EQ(t.node_name(s.flows.src(FlowId(2))), "gpu1");
  EXPECT_EQ(t.node_name(s.flows.dst(FlowId(2))), "gpu0");
  EXPECT_EQ(s.flows.flow_size(FlowId(2)).si(), 2048.0);
  EXPECT_EQ(deps_of(s, 2), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(s.flows.label(FlowId(2)), "r1:l2>r0:l2");
}

// Rendezvous: a pair's flow waits for what its send requires AND what its recv requires.
// Sends and recvs of one (source, destination, tag) match in posting order; the tag is 0
// when not written.
//   entry 0 c (calc 100, rank 0)   entry 1 s1/r1   entry 2 s2/r2   entry 3 d (calc 300, rank 1)
//   s1 requires c, r1 requires d   -> entry 1 after {0, 3}
//   r2 requires r1                 -> entry 2 after {1}
TEST(GoalWorkload, APairWaitsForBothSidesAndMatchesInOrder) {
  const Scenario s = load_goal(R"(num_ranks 2
rank 0 {
  c: calc 100
  s1: send 10b to 1
  s2: send 20b to 1 tag 0
  s1 requires c
}
rank 1 {
  d: calc 300
  r1: recv 10b from 0 tag 0
  r2: recv 20b from 0
  r1 requires d
  r2 requires r1
}
)");
  ASSERT_EQ(s.flows.size(), 4u);
  EXPECT_EQ(s.flows.flow_size(FlowId(1)).si(), 10.0);
  EXPECT_EQ(s.flows.flow_size(FlowId(2)).si(), 20.0);
  EXPECT_EQ(deps_of(s, 1), (std::vector<uint32_t>{0, 3}));
  EXPECT_EQ(deps_of(s, 2), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(deps_of(s, 3).empty());
}

// "x irequires y": x may start once y has started. An entry starts exactly when the
// entries it waits for have ended, so y's start is the end of what y's own side waits
// for: x waits for that (expanded through y's own irequires).
//   rank 0: a (e0, calc 1000); b (e1, calc 2000) requires a; s (e2, send) irequires b;
//           t (e3, calc 50) irequires s
//   rank 1: z (e4, calc 5); r (recv of s) requires z; q (e5, calc 10) irequires r
//   e2 = s/r: send side irequires b -> b's start = after {e0}; recv side requires z -> {e4}
//   e3: s's start on its side = {e0};  e5: r's side = {e4}
TEST(GoalWorkload, IrequiresWaitsForTheStart) {
  const Scenario s = load_goal(R"(num_ranks 2
rank 0 {
  a: calc 1000
  b: calc 2000
  b requires a
  s: send 8b to 1 tag 1
  s irequires b
  t: calc 50
  t irequires s
}
rank 1 {
  z: calc 5
  r: recv 8b from 0 tag 1
  r requires z
  q: calc 10
  q irequires r
}
)");
  ASSERT_EQ(s.flows.size(), 6u);
  EXPECT_EQ(deps_of(s, 1), (std::vector<uint32_t>{0}));
  EXPECT_EQ(deps_of(s, 2), (std::vector<uint32_t>{0, 4}));
  EXPECT_EQ(deps_of(s, 3), (std::vector<uint32_t>{0}));
  EXPECT_TRUE(deps_of(s, 4).empty());
  EXPECT_EQ(deps_of(s, 5), (std::vector<uint32_t>{4}));
}

// Rank r runs on topology.gpus()[r] unless "ranks" lists a node per rank; ops without a
// label are allowed (LogGOPSim's grammar) and named by their line.
TEST(GoalWorkload, RankMappingAndUnlabelledOps) {
  const std::string goal = "num_ranks 2\nrank 0 {\n  send 5b to 1\n}\nrank 1 {\n  recv 5b from 0\n}\n";
  const Scenario d = load_goal(goal);
  EXPECT_EQ(d.topology.node_name(d.flows.src(FlowId(0))), "gpu0");
  EXPECT_EQ(d.flows.label(FlowId(0)), "r0:line3>r1:line6");
  const Scenario m = load_goal(goal, R"(, "ranks": ["gpu3", "gpu1"])");
  EXPECT_EQ(m.topology.node_name(m.flows.src(FlowId(0))), "gpu3");
  EXPECT_EQ(m.topology.node_name(m.flows.dst(FlowId(0))), "gpu1");
  const auto twice = error_of([&] { load_goal(goal, R"(, "ranks": ["gpu2", "gpu2"])"); });
  EXPECT_EQ(twice.pointer(), "/workload/ranks/1");
  EXPECT_NE(twice.message().find("ranks 0 and 1 are both on 'gpu2'"), std::string::npos)
      << twice.what();
  const auto count = error_of([&] { load_goal(goal, R"(, "ranks": ["gpu2"])"); });
  EXPECT_EQ(count.pointer(), "/workload/ranks");
  EXPECT_NE(count.message().find("num_ranks is 2"), std::string::npos) << count.what();
}

// Every error names the GOAL file and its line, and the rank and label where there are
// ones; the message says what is wrong.
TEST(GoalWorkload, ErrorsNameFileLineRankAndLabel) {
  struct Row {
    std::string goal;
    std::string line;     // expected pointer
    std::string phrase;   // expected in the message
  };
  const std::string head = "num_ranks 2\n";
  const std::string r1recv = "rank 1 {\n  l1: recv 8b from 0\n}\n";
  const std::vector<Row> rows = {
      {"rank 0 {\n}\n", "line 1", "'num_ranks N' first"},
      {"", "line 1", "'num_ranks N' first"},
      {head + "rank 0 {\n  l1: sned 8b to 1\n}\n", "line 3", "rank 0, 'l1': unknown operation 'sned'"},
      {head + "rank 0 {\n  l1: send 8 to 1\n}\n" + r1recv, "line 3", "rank 0, 'l1': bad size '8'"},
      {head + "rank 0 {\n  l1: send 8kb to 1\n}\n" + r1recv, "line 3", "bad size '8kb'"},
      {head + "rank 0 {\n  l1: send 8b to 1\n}\nrank 1 {\n}\n", "line 3",
       "rank 0, 'l1': send of 8 B to rank 1 tag 0 has no matching recv in rank 1"},
      {head + "rank 0 {\n}\n" + r1recv, "line 5",
       "rank 1, 'l1': recv of 8 B from rank 0 tag 0 has no matching send in rank 0"},
      {head + "rank 0 {\n  l1: send 8b to 1\n  l1 requires l9\n}\n" + r1recv, "line 4",
       "rank 0, 'l1': unknown label 'l9'"},
      {head + "rank 0 {\n  a: recv 8b from 1\n  b: send 8b to 1\n  b requires a\n}\n"
              "rank 1 {\n  a: recv 8b from 0\n  b: send 8b to 0\n  b requires a\n}\n",
       "line 4", "dependency cycle: 'r0:b>r1:a' -> 'r1:b>r0:a' -> 'r0:b>r1:a'"},
      {head + "rank 2 {\n}\n", "line 2", "rank 2 is not below num_ranks 2"},
      {head + "rank 0 {\n  l1: send 8b to 3\n}\n", "line 3", "rank 0, 'l1': rank 3 is not below num_ranks 2"},
      {"num_ranks 5\n", "line 1", "5 ranks but the topology has 4 GPUs"},
      {head + "rank 0 {\n  l1: calc 5\n  l1: calc 6\n}\n", "line 4",
       "rank 0, 'l1': duplicate label 'l1' (first at line 3)"},
      {head + "rank 0 {\n  l1: calc 5\n}\nrank 0 {\n}\n", "line 5", "rank 0 appears twice"},
      {head + "rank 0 {\n  l1: calc 5\n", "line 2", "rank 0 is not closed"},
      {head + "rank 0 {\n  l1: send 8b to 0\n}\n", "line 3", "rank 0, 'l1': a send to its own rank"},
      {head + "rank 1 {\n  l1: recv 8b from -1\n}\n", "line 3", "any-source"},
      {head + "rank 0 {\n  l1: calc 5 lots\n}\n", "line 3", "unexpected 'lots'"},
      {head + "rank 0 {\n  a: calc 5\n  b: calc 5\n  a irequires b\n  b irequires a\n}\n", "line 6",
       "rank 0, 'b': 'b irequires a' closes a cycle of irequires"},
      {head + "rank 0 {\n  l1: send 16b to 1\n}\n" + r1recv, "line 6",
       "rank 1, 'l1': recv of 8 B is smaller than its matching send of 16 B (rank 0, line 3)"},
      {head + "rank 0 {\n  l1: send 8b to 1 tag -1\n}\n", "line 3", "any-tag (-1) is not supported"},
      {head + "/* open\nrank 0 {\n}\n", "line 2", "a comment opened with '/*' is not closed"},
      {head + "rank 0 {\n  l1: calc 5\nrank 1 {\n}\n", "line 4", "rank 0's block (line 2) is not closed"},
      {head + "rank 0 {\n  1x: calc 5\n}\n", "line 3", "'1x' is not a label"},
      {head + "rank 0 {\n  a: calc 5\n  a requires bb\n  bc: calc 1\n}\n", "line 4",
       "unknown label 'bb' in rank 0, did you mean 'bc'"},
  };
  for (const Row& r : rows) {
    const auto e = goal_error(r.goal);
    EXPECT_EQ(e.file(), "run/x.goal") << r.goal;
    EXPECT_EQ(e.pointer(), r.line) << r.goal << "\n" << e.what();
    EXPECT_NE(e.message().find(r.phrase), std::string::npos) << r.goal << "\n" << e.what();
  }
}

// A message quotes labels cut short (a label may be any length): one line of at most a
// few hundred bytes, even for a cycle of 5000-character labels.
TEST(GoalWorkload, LongLabelsAreCutInMessages) {
  const std::string a(5000, 'a'), b(5000, 'b');
  const auto e = goal_error("num_ranks 1\nrank 0 {\n  " + a + ": calc 1\n  " + b + ": calc 1\n  " + a +
                            " irequires " + b + "\n  " + b + " irequires " + a + "\n}\n");
  EXPECT_EQ(e.pointer(), "line 6");
  EXPECT_NE(e.message().find("closes a cycle of irequires"), std::string::npos) << e.what();
  EXPECT_LT(e.message().size(), 1024u) << e.message().size();
}

// The schedule is read line by line: one over the flow limit is refused at the line
// where the count passes it, before the reader reaches the broken rest of the file.
TEST(GoalWorkload, OverTheFlowLimitIsRefusedAsSoonAsTheCountPassesIt) {
  const auto e = goal_error("num_ranks 1\nrank 0 {\n  a: calc 1\n  b: calc 1\n  c: calc 1\n  d: ???\n",
                            "", 2);
  EXPECT_EQ(e.file(), "run/x.goal");
  EXPECT_EQ(e.pointer(), "line 5");
  EXPECT_NE(e.message().find("more than the limit of 2"), std::string::npos) << e.what();
  const auto missing = error_of([&] {
    load_scenario_text("{" + kStar4 + R"(, "workload": {"kind": "goal", "file": "y.goal"}})",
                       "run/s.json", with_goal(""));
  });
  EXPECT_EQ(missing.pointer(), "/workload/file");
  EXPECT_NE(missing.message().find("cannot read the GOAL schedule"), std::string::npos)
      << missing.what();
}

}  // namespace
}  // namespace roshni::scenario
