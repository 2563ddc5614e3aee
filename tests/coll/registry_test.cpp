// The registry and the shape of what every algorithm emits: flow counts against the
// closed forms the loader trusts, acyclic dependencies, unique labels, and the bytes
// each rank sends and receives against what the collective must move.
#include "roshni/coll/registry.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <map>
#include <set>

#include "roshni/coll/phases.h"

namespace roshni::coll {
namespace {

constexpr double kN = 1 << 24;  // 16 MiB

std::vector<NodeId> ranks(uint32_t p) {
  std::vector<NodeId> r;
  for (uint32_t i = 0; i < p; ++i) r.push_back(NodeId(100 + i));  // ids need not start at 0
  return r;
}

/// The smallest divisor of p above 1 that is below p, or 0.
uint32_t divisor(uint32_t p) {
  for (uint32_t d = 2; d < p; ++d) {
    if (p % d == 0) return d;
  }
  return 0;
}

/// A collective of `kind` over p ranks that `a` can run, or nullopt (e.g. recursive
/// doubling on 6 ranks, hierarchical on a prime).
std::optional<Collective> make(const CollectiveAlgorithm& a, uint32_t p) {
  Collective c;
  c.kind = a.kind;
  c.ranks = ranks(a.kind == CollectiveKind::p2p ? 2 : p);
  c.size = bytes(kN);
  c.root = a.kind == CollectiveKind::broadcast || a.kind == CollectiveKind::reduce ? p / 2 : 0;
  if (a.name == "nvls") c.in_network = {{NodeId(99)}};  // the switch the ranks hang off
  if (a.name == "nvls_tree") {  // a switch per domain
    c.domain_size = divisor(p);
    for (uint32_t g = 0; c.domain_size > 0 && g < p / c.domain_size; ++g) {
      c.in_network.push_back({NodeId(200 + g)});
    }
  }
  if (a.name == "hierarchical") {
    c.domain_size = divisor(p);
    if (c.domain_size == 0) return std::nullopt;
  }
  if (a.name == "multi_dimensional" || a.name == "bidirectional_multi_dimensional") {
    const uint32_t d = divisor(p);
    c.dims = d == 0 ? std::vector<uint32_t>{p} : std::vector<uint32_t>{p / d, d};
  }
  if (check_collective(c, a)) return std::nullopt;
  return c;
}

struct Volume {
  std::vector<double> sent, received;
};
Volume volume(const net::FlowSet& flows, const std::vector<NodeId>& rk) {
  std::map<NodeId, size_t> index;
  for (size_t i = 0; i < rk.size(); ++i) index[rk[i]] = i;
  index[NodeId(99)] = rk.size();  // an in-network switch (nvls), counted apart
  Volume v{std::vector<double>(rk.size() + 1), std::vector<double>(rk.size() + 1)};
  for (uint32_t f = 0; f < flows.size(); ++f) {
    if (flows.is_task(FlowId(f))) continue;
    v.sent[index.at(flows.src(FlowId(f)))] += flows.flow_size(FlowId(f)).si();
    v.received[index.at(flows.dst(FlowId(f)))] += flows.flow_size(FlowId(f)).si();
  }
  return v;
}

// Every kind has algorithms; names are unique within a kind; each has a summary, a size
// formula and a builder; lookups find exactly what is listed.
TEST(CollectiveRegistry, ListsEveryKindsAlgorithmsOnce) {
  for (CollectiveKind k : kCollectiveKinds) {
    const auto names = algorithm_names(k);
    EXPECT_FALSE(names.empty()) << to_string(k);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    for (const auto& n : names) {
      const CollectiveAlgorithm* a = find_collective_algorithm(k, n);
      ASSERT_NE(a, nullptr);
      EXPECT_FALSE(a->summary.empty());
      EXPECT_NE(a->size, nullptr);
      EXPECT_NE(a->build, nullptr);
    }
    EXPECT_EQ(find_collective_algorithm(k, "auto"), nullptr);  // a rule, not an algorithm
    EXPECT_EQ(collective_kind(to_string(k)), k);
  }
  EXPECT_EQ(algorithm_names(CollectiveKind::all_reduce),
            (std::vector<std::string>{"ring", "bidirectional_ring", "tree", "rhd", "hierarchical",
                                      "multi_dimensional", "bidirectional_multi_dimensional",
                                      "nvls", "nvls_tree"}));
  EXPECT_EQ(algorithm_names(CollectiveKind::reduce), (std::vector<std::string>{"ring"}));
  EXPECT_EQ(find_collective_algorithm(CollectiveKind::all_gather, "rhd"), nullptr);
  EXPECT_FALSE(collective_kind("flow_trace"));
}

// For every algorithm over 2..16 ranks: the flow count is the closed form the loader
// checks against its limit (append_collective also asserts it transfer by transfer), the
// dependencies form a DAG, labels are unique, and the returned ends are all the flows
// nothing else waits for.
TEST(CollectiveRegistry, EveryAlgorithmEmitsItsCountedAcyclicFlows) {
  for (const CollectiveAlgorithm& a : collective_algorithms()) {
    for (uint32_t p = 2; p <= 16; ++p) {
      for (const std::string inter : {"ring", "rhd", "tree"}) {
        if (inter != "ring" && a.name != "hierarchical" && a.name != "nvls_tree") continue;
        auto c = make(a, p);
        if (!c) continue;
        c->inter = inter;
        c->chunks = 2;
        c->channels = 2;
        c->reduction_rate = bytes_per_second(1e11);
        const std::string at =
            fmt::format("{} {} p={} inter={}", to_string(a.kind), a.name, p, inter);
        net::FlowSet flows;
        const auto ends = append_collective(*c, a, flows);
        EXPECT_EQ(static_cast<double>(flows.size()), flow_count(*c, a)) << at;
        const ScheduleSize s = a.size(*c);
        EXPECT_EQ(static_cast<double>(flows.task_count()), 4 * s.reductions) << at;
        EXPECT_TRUE(net::find_dependency_cycle(flows).empty()) << at;
        std::set<std::string> labels;
        std::vector<uint8_t> waited(flows.size(), 0);
        for (uint32_t f = 0; f < flows.size(); ++f) {
          labels.insert(flows.label(FlowId(f)));
          for (FlowId d : flows.deps(FlowId(f))) waited[d.value()] = 1;
        }
        EXPECT_EQ(labels.size(), flows.size()) << at << ": labels repeat";
        std::set<uint32_t> end_set;
        for (FlowId e : ends) end_set.insert(e.value());
        for (uint32_t f = 0; f < flows.size(); ++f) {
          EXPECT_EQ(end_set.count(f) == 1, waited[f] == 0) << at << " " << flows.label(FlowId(f));
        }
      }
    }
  }
}

// All-reduce moves 2(p-1)/p n through each rank in each direction, the bandwidth-optimal
// volume (Patarasuk & Yuan 2009), for every algorithm that is bandwidth-optimal: ring,
// bidirectional ring, rhd at p = 2^k, hierarchical with a ring between domains
// (2(d-1)/d n + 2(G-1)/G n/d = 2(1 - 1/(dG)) n) and multi-dimensional (the same sum,
// telescoping over the dimensions). All-gather and reduce-scatter move (p-1)/p n, the
// all-to-alls (p-1)/p n out of each rank; a broadcast delivers n to every rank but the
// root.
TEST(CollectiveRegistry, EachRankMovesTheCollectivesVolume) {
  struct Expect {
    CollectiveKind kind;
    std::string_view name;
    double per_rank;  // x n, in each direction; p-dependent below
  };
  for (uint32_t p : {2u, 4u, 6u, 8u, 12u, 16u}) {
    const double ar = 2.0 * (p - 1) / p, ag = (p - 1.0) / p;
    for (const Expect& e : {Expect{CollectiveKind::all_reduce, "ring", ar},
                            Expect{CollectiveKind::all_reduce, "bidirectional_ring", ar},
                            Expect{CollectiveKind::all_reduce, "rhd", ar},
                            Expect{CollectiveKind::all_reduce, "hierarchical", ar},
                            Expect{CollectiveKind::all_reduce, "multi_dimensional", ar},
                            Expect{CollectiveKind::all_reduce, "bidirectional_multi_dimensional", ar},
                            Expect{CollectiveKind::all_gather, "ring", ag},
                            Expect{CollectiveKind::all_gather, "recursive_doubling", ag},
                            Expect{CollectiveKind::reduce_scatter, "ring", ag},
                            Expect{CollectiveKind::reduce_scatter, "recursive_halving", ag},
                            Expect{CollectiveKind::all_to_all, "direct", ag},
                            Expect{CollectiveKind::all_to_all, "pairwise", ag}}) {
      if (e.name == "rhd" && !std::has_single_bit(p)) continue;  // the fold is extra
      const auto c = make(*find_collective_algorithm(e.kind, e.name), p);
      if (!c) continue;
      net::FlowSet flows;
      append_collective(*c, *find_collective_algorithm(e.kind, e.name), flows);
      const Volume v = volume(flows, c->ranks);
      // Pieces are whole bytes, each at most one byte over its share: the 2k parts of
      // bidirectional_multi_dimensional send 4k sum(D_i - 1) pieces per rank (48 at p = 12,
      // dims {6, 2}), of n/(4 x 6) and smaller, not whole bytes.
      double pieces = 0;
      for (uint32_t d : c->dims) pieces += 4.0 * c->dims.size() * (d - 1);
      const double slack =
          1e-6 * kN + (e.name == "bidirectional_multi_dimensional" ? pieces : 0);
      for (uint32_t r = 0; r < p; ++r) {
        EXPECT_NEAR(v.sent[r], e.per_rank * kN, slack) << e.name << " p=" << p << " r=" << r;
        EXPECT_NEAR(v.received[r], e.per_rank * kN, slack) << e.name << " p=" << p;
      }
    }
    for (std::string_view name : {"ring", "tree"}) {
      const auto c = make(*find_collective_algorithm(CollectiveKind::broadcast, name), p);
      net::FlowSet flows;
      append_collective(*c, *find_collective_algorithm(CollectiveKind::broadcast, name), flows);
      const Volume v = volume(flows, c->ranks);
      for (uint32_t r = 0; r < p; ++r) {
        EXPECT_DOUBLE_EQ(v.received[r], r == c->root ? 0.0 : kN) << name << " p=" << p;
      }
    }
  }
}

// In-network reduction (nvls), by the mechanism (multimem.ld_reduce / multimem.st):
// all-reduce: each rank sends n (the switch reads its every slice) + n/p (its reduced
// slice stored back for multicast) and receives n/p (its reduced slice) + n (the
// multicast of all slices): n(1 + 1/p) each way. Reduce-scatter: n up, n/p down;
// all-gather: n/p up, n down. The switch (index p) sends and receives the sums.
// A reduce (ring): every rank but the root sends n once; every rank but the first of
// the chain (the one after the root) receives n once.
TEST(CollectiveRegistry, InNetworkAndReduceVolumes) {
  for (uint32_t p : {2u, 5u, 8u}) {
    struct Expect {
      CollectiveKind kind;
      double up, down;  // x n per rank
    };
    for (const Expect& e : {Expect{CollectiveKind::all_reduce, 1.0 + 1.0 / p, 1.0 + 1.0 / p},
                            Expect{CollectiveKind::reduce_scatter, 1.0, 1.0 / p},
                            Expect{CollectiveKind::all_gather, 1.0 / p, 1.0}}) {
      const CollectiveAlgorithm& a = *find_collective_algorithm(e.kind, "nvls");
      const auto c = make(a, p);
      ASSERT_TRUE(c) << p;
      net::FlowSet flows;
      append_collective(*c, a, flows);
      const Volume v = volume(flows, c->ranks);
      for (uint32_t r = 0; r < p; ++r) {
        EXPECT_NEAR(v.sent[r], e.up * kN, 1e-6 * kN) << to_string(e.kind) << " p=" << p;
        EXPECT_NEAR(v.received[r], e.down * kN, 1e-6 * kN) << to_string(e.kind) << " p=" << p;
      }
      EXPECT_NEAR(v.received[p], p * e.up * kN, 1e-6 * p * kN);
      EXPECT_NEAR(v.sent[p], p * e.down * kN, 1e-6 * p * kN);
    }
    const CollectiveAlgorithm& reduce = *find_collective_algorithm(CollectiveKind::reduce, "ring");
    const auto c = make(reduce, p);
    net::FlowSet flows;
    append_collective(*c, reduce, flows);
    const Volume v = volume(flows, c->ranks);
    for (uint32_t r = 0; r < p; ++r) {
      EXPECT_DOUBLE_EQ(v.sent[r], r == c->root ? 0.0 : kN) << "reduce p=" << p;
      EXPECT_DOUBLE_EQ(v.received[r], r == (c->root + 1) % p ? 0.0 : kN) << "reduce p=" << p;
    }
  }
}

// NVLS-Tree over G = 2 domains of d = 4 (switches 200, 201; with inter "sharp" rail
// switches 300 + j): each rank sends its domain switch n (reduce-scatter) + n/d (its
// slice, all-gather) and receives n/d + n; between domains each rail all-reduces its n/d
// shard: by ring, 2(G-1)/G n/d = n/4 each way to the other domain's rank; by sharp, n/d
// up to the rail switch and n/d back. The hierarchical all-reduce with inter "sharp"
// sends the same n/d to the rail switch.
TEST(CollectiveRegistry, NvlsTreeAndSharpVolumes) {
  const uint32_t p = 8, d = 4;
  const double ring_share = 2.0 * (2 - 1) / 2 / d;
  for (const std::string inter : {"ring", "sharp"}) {
    const CollectiveAlgorithm& a = *find_collective_algorithm(CollectiveKind::all_reduce, "nvls_tree");
    Collective c = *make(a, p);
    ASSERT_EQ(c.domain_size, 2u);  // make() takes the smallest divisor; use 4 here
    c.domain_size = d;
    c.in_network = {{NodeId(200)}, {NodeId(201)}};
    c.inter = inter;
    if (inter == "sharp") {
      for (uint32_t j = 0; j < d; ++j) c.in_network.push_back({NodeId(300 + j)});
    }
    ASSERT_FALSE(check_collective(c, a)) << check_collective(c, a)->message;
    net::FlowSet flows;
    append_collective(c, a, flows);
    EXPECT_EQ(static_cast<double>(flows.size()), flow_count(c, a));
    std::map<std::pair<uint32_t, uint32_t>, double> pair;  // (src, dst) -> bytes
    for (uint32_t f = 0; f < flows.size(); ++f) {
      pair[{flows.src(FlowId(f)).value(), flows.dst(FlowId(f)).value()}] +=
          flows.flow_size(FlowId(f)).si();
    }
    for (uint32_t i = 0; i < p; ++i) {
      const uint32_t rank = 100 + i, sw = 200 + i / d;
      EXPECT_NEAR(pair[std::make_pair(rank, sw)], kN * (1 + 1.0 / d), 1e-6 * kN) << inter << " " << i;
      EXPECT_NEAR(pair[std::make_pair(sw, rank)], kN * (1 + 1.0 / d), 1e-6 * kN) << inter << " " << i;
      const uint32_t other = 100 + (i + d) % p;
      if (inter == "ring") {
        EXPECT_NEAR(pair[std::make_pair(rank, other)], kN * ring_share, 1e-6 * kN) << i;
      } else {
        EXPECT_EQ(pair.count(std::make_pair(rank, other)), 0u);
        EXPECT_NEAR(pair[std::make_pair(rank, 300 + i % d)], kN / d, 1e-6 * kN) << i;
        EXPECT_NEAR(pair[std::make_pair(300 + i % d, rank)], kN / d, 1e-6 * kN) << i;
      }
    }
  }
  // Without a rail switch for every rail, sharp is refused.
  const CollectiveAlgorithm& h = *find_collective_algorithm(CollectiveKind::all_reduce, "hierarchical");
  Collective c = *make(h, p);
  c.inter = "sharp";
  const auto problem = check_collective(c, h);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->field, "inter");
}

// nvls without a switch to reduce in is refused, naming why.
TEST(CollectiveRegistry, NvlsNeedsASwitch) {
  Collective c;
  c.kind = CollectiveKind::all_reduce;
  c.ranks = ranks(4);
  c.size = bytes(kN);
  const auto problem = check_collective(c, *find_collective_algorithm(c.kind, "nvls"));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->message.find("switch"), std::string::npos);
}

// Direct all-to-all: rank i sends exactly n/p to every other rank (its own piece stays).
// Hierarchical: (d-1) sends of n/d inside the domain, then (G-1) of n/G along the rail.
TEST(CollectiveRegistry, AllToAllPieces) {
  const uint32_t p = 12, d = 4, g = 3;
  Collective c = *make(*find_collective_algorithm(CollectiveKind::all_to_all, "direct"), p);
  net::FlowSet flows;
  append_collective(c, *find_collective_algorithm(CollectiveKind::all_to_all, "direct"), flows);
  std::map<std::pair<NodeId, NodeId>, double> pair;
  for (uint32_t f = 0; f < flows.size(); ++f) {
    pair[{flows.src(FlowId(f)), flows.dst(FlowId(f))}] += flows.flow_size(FlowId(f)).si();
  }
  EXPECT_EQ(pair.size(), p * (p - 1));
  // A transfer carries whole bytes (net::whole_bytes): n/p rounded up.
  for (const auto& [k, b] : pair) EXPECT_DOUBLE_EQ(b, std::ceil(kN / p));

  c.domain_size = d;
  net::FlowSet h;
  append_collective(c, *find_collective_algorithm(CollectiveKind::all_to_all, "hierarchical"), h);
  const Volume v = volume(h, c.ranks);
  for (uint32_t r = 0; r < p; ++r) {
    // Each of the rank's (d - 1) + (g - 1) transfers is rounded up to a whole byte.
    EXPECT_NEAR(v.sent[r], (d - 1) * kN / d + (g - 1) * kN / g, (d - 1) + (g - 1));
    EXPECT_GE(v.sent[r], (d - 1) * kN / d + (g - 1) * kN / g);
  }
}

// The double binary tree: 2(p-1) transfers of n/2 up and as many down; a rank is an
// inner node (has children) in at most one of the two trees when p is even (the mirror
// construction; Sanders et al.'s property), which is what keeps each rank's traffic at
// about 2n.
TEST(CollectiveRegistry, DoubleBinaryTreeShape) {
  for (uint32_t p = 2; p <= 33; ++p) {
    uint32_t inner_in_both = 0;
    for (uint32_t r = 0; r < p; ++r) {
      const TreeLinks a = double_binary_tree(p, 0, r), b = double_binary_tree(p, 1, r);
      const bool inner_a = a.child0 >= 0 || a.child1 >= 0, inner_b = b.child0 >= 0 || b.child1 >= 0;
      inner_in_both += inner_a && inner_b;
      // Parent and child links agree.
      for (uint32_t t = 0; t < 2; ++t) {
        const TreeLinks l = t == 0 ? a : b;
        for (int ch : {l.child0, l.child1}) {
          if (ch >= 0) {
            EXPECT_EQ(double_binary_tree(p, t, ch).parent, static_cast<int>(r));
          }
        }
      }
    }
    if (p % 2 == 0) {
      EXPECT_EQ(inner_in_both, 0u) << "p=" << p;
    }
  }
  // NCCL's figures (src/graph/trees.cc) for 12 ranks (mirror) and 13 (shift by one).
  EXPECT_EQ(double_binary_tree(12, 0, 8).parent, 0);
  EXPECT_EQ(double_binary_tree(12, 0, 8).child0, 4);
  EXPECT_EQ(double_binary_tree(12, 0, 8).child1, 10);
  EXPECT_EQ(double_binary_tree(12, 1, 3).parent, 11);
  EXPECT_EQ(double_binary_tree(12, 1, 3).child0, 7);  // the mirror of 8's 4 and 10
  EXPECT_EQ(double_binary_tree(12, 1, 3).child1, 1);
  EXPECT_EQ(double_binary_tree(13, 0, 12).child0, 10);
  EXPECT_EQ(double_binary_tree(13, 0, 12).child1, -1);
  EXPECT_EQ(double_binary_tree(13, 1, 9).parent, 1);
  EXPECT_EQ(double_binary_tree(13, 1, 0).parent, 9);
  EXPECT_EQ(double_binary_tree(13, 1, 0).child0, 11);
  EXPECT_EQ(double_binary_tree(13, 1, 11).child0, 10);
  EXPECT_EQ(double_binary_tree(13, 1, 11).child1, 12);

  Collective c = *make(*find_collective_algorithm(CollectiveKind::all_reduce, "tree"), 8);
  net::FlowSet flows;
  append_collective(c, *find_collective_algorithm(CollectiveKind::all_reduce, "tree"), flows);
  EXPECT_EQ(flows.size(), 4u * 7);
  EXPECT_DOUBLE_EQ(flows.total_size().si(), 4 * 7 * kN / 2);
}

// Options: K channels x C chunks repeat each transfer KC times with n/(KC) bytes; a
// reduction rate R adds one compute step of bytes/R on the receiver after each reduced
// transfer (ring all-reduce over 4: 12 of its 24 transfers); chunk c waits for chunk
// c-1 of the same transfer. Labels carry /k and /c.
TEST(CollectiveRegistry, ChunksChannelsAndReductions) {
  Collective c = *make(*find_collective_algorithm(CollectiveKind::all_reduce, "ring"), 4);
  c.chunks = 3;
  c.channels = 2;
  c.reduction_rate = bytes_per_second(1e9);
  net::FlowSet flows;
  append_collective(c, *find_collective_algorithm(CollectiveKind::all_reduce, "ring"), flows);
  EXPECT_EQ(flows.size(), 6u * (24 + 12));
  EXPECT_EQ(flows.task_count(), 6u * 12);
  const double piece = std::ceil(kN / 4 / 6);  // whole bytes (net::whole_bytes)
  for (uint32_t f = 0; f < flows.size(); ++f) {
    const FlowId id(f);
    if (flows.is_task(id)) {
      // ceil to the picosecond of piece / 1e9 s
      EXPECT_EQ(flows.task_time(id).ps(),
                static_cast<int64_t>(std::ceil(piece / 1e9 * 1e12 - 1e-3)));
      ASSERT_EQ(flows.deps(id).size(), 1u);
      EXPECT_EQ(flows.dst(flows.deps(id)[0]), flows.src(id));
    } else {
      EXPECT_DOUBLE_EQ(flows.flow_size(id).si(), piece);
    }
  }
  // The first transfer: rank 0 to 1 in step 0; its 6 instances come first, channel-major.
  EXPECT_EQ(flows.label(FlowId(0)), "allreduce/rs0/r0/k0/c0");
  EXPECT_EQ(flows.label(FlowId(1)), "allreduce/rs0/r0/k0/c0/reduce");
  EXPECT_EQ(flows.label(FlowId(2)), "allreduce/rs0/r0/k0/c1");
  ASSERT_EQ(flows.deps(FlowId(2)).size(), 1u);
  EXPECT_EQ(flows.deps(FlowId(2))[0], FlowId(0));  // chunk 1 after chunk 0's delivery
  EXPECT_TRUE(flows.deps(FlowId(6)).empty());      // channel 1, chunk 0: independent
  EXPECT_EQ(flows.label(FlowId(6)), "allreduce/rs0/r0/k1/c0");
}

// The first transfers wait for `after`, so collectives chain.
TEST(CollectiveRegistry, ChainsAfterEarlierFlows) {
  net::FlowSet flows;
  const FlowId before = flows.add("before", NodeId(0), NodeId(1), bytes(1));
  Collective c = *make(*find_collective_algorithm(CollectiveKind::all_to_all, "direct"), 3);
  append_collective(c, *find_collective_algorithm(CollectiveKind::all_to_all, "direct"), flows,
                    std::span(&before, 1));
  for (uint32_t f = 1; f < flows.size(); ++f) {
    ASSERT_EQ(flows.deps(FlowId(f)).size(), 1u);
    EXPECT_EQ(flows.deps(FlowId(f))[0], before);
  }
}

// What each algorithm cannot do is named by the option at fault.
TEST(CollectiveRegistry, ChecksNameTheOptionAtFault) {
  const auto problem = [](CollectiveKind k, std::string_view name, auto&& edit) {
    Collective c;
    c.kind = k;
    c.ranks = ranks(6);
    c.size = bytes(kN);
    edit(c);
    return check_collective(c, *find_collective_algorithm(k, name));
  };
  const auto none = [](Collective&) {};
  EXPECT_EQ(problem(CollectiveKind::all_gather, "recursive_doubling", none)->field, "ranks");
  EXPECT_EQ(problem(CollectiveKind::reduce_scatter, "recursive_halving", none)->field, "ranks");
  EXPECT_FALSE(problem(CollectiveKind::all_reduce, "rhd", none));  // any p, by the fold
  EXPECT_EQ(
      problem(CollectiveKind::all_reduce, "hierarchical", [](Collective& c) { c.domain_size = 4; })
          ->field,
      "domain_size");
  EXPECT_EQ(problem(CollectiveKind::all_reduce, "hierarchical",
                    [](Collective& c) {
                      c.domain_size = 3;
                      c.inter = "mesh";
                    })
                ->field,
            "inter");
  EXPECT_EQ(problem(CollectiveKind::all_reduce, "multi_dimensional",
                    [](Collective& c) {
                      c.dims = {2, 2};
                    })
                ->field,
            "dims");
  EXPECT_EQ(problem(CollectiveKind::all_reduce, "bidirectional_multi_dimensional",
                    [](Collective& c) { c.dims = {}; })
                ->field,
            "dims");
  EXPECT_EQ(problem(CollectiveKind::broadcast, "ring", [](Collective& c) { c.root = 6; })->field,
            "root");
  EXPECT_EQ(problem(CollectiveKind::all_reduce, "ring", [](Collective& c) { c.chunks = 0; })->field,
            "chunks");
  EXPECT_EQ(problem(CollectiveKind::p2p, "direct", none)->field, "ranks");
  EXPECT_EQ(
      problem(CollectiveKind::all_reduce, "ring", [](Collective& c) { c.ranks[1] = c.ranks[0]; })
          ->field,
      "ranks");
}

}  // namespace
}  // namespace roshni::coll
