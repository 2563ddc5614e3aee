/// Checks shared by the topology tests: that a route is a walk of existing links from
/// its source to its destination, and hop distances by a plain breadth-first search
/// that shares no code with any router (the independent reference routes are held to).
#pragma once

#include <algorithm>
#include <deque>
#include <limits>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "roshni/topo/router.h"
#include "roshni/topo/topology.h"

namespace roshni::topo::test {

/// Success iff `path` is non-empty, starts at src, ends at dst, each link starts where
/// the previous one ended, and (`simple`) no node is visited twice.
inline ::testing::AssertionResult is_route(const Topology& t, NodeId src, NodeId dst,
                                           std::span<const LinkId> path, bool simple = true) {
  if (path.empty()) return ::testing::AssertionFailure() << "empty path";
  for (LinkId l : path) {
    if (l.value() >= t.link_count()) {
      return ::testing::AssertionFailure() << "link id " << l.value() << " does not exist";
    }
  }
  if (t.link_from(path.front()) != src) {
    return ::testing::AssertionFailure() << "starts at " << t.node_name(t.link_from(path.front()))
                                         << ", not " << t.node_name(src);
  }
  std::vector<NodeId> seen{src};
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0 && t.link_from(path[i]) != t.link_to(path[i - 1])) {
      return ::testing::AssertionFailure()
             << "hop " << i << " (" << t.link_name(path[i]) << ") does not start where "
             << t.link_name(path[i - 1]) << " ends";
    }
    const NodeId at = t.link_to(path[i]);
    if (simple) {
      for (NodeId s : seen) {
        if (s == at) return ::testing::AssertionFailure() << "revisits " << t.node_name(at);
      }
    }
    seen.push_back(at);
  }
  if (t.link_to(path.back()) != dst) {
    return ::testing::AssertionFailure()
           << "ends at " << t.node_name(t.link_to(path.back())) << ", not " << t.node_name(dst);
  }
  return ::testing::AssertionSuccess();
}

constexpr uint32_t kUnreached = std::numeric_limits<uint32_t>::max();

/// Hops from `src` to every node, by breadth-first search over out_links.
inline std::vector<uint32_t> bfs_hops(const Topology& t, NodeId src) {
  std::vector<uint32_t> d(t.node_count(), kUnreached);
  std::deque<NodeId> q{src};
  d[src.value()] = 0;
  while (!q.empty()) {
    const NodeId u = q.front();
    q.pop_front();
    for (LinkId l : t.out_links(u)) {
      const NodeId v = t.link_to(l);
      if (d[v.value()] == kUnreached) {
        d[v.value()] = d[u.value()] + 1;
        q.push_back(v);
      }
    }
  }
  return d;
}

/// The largest hop distance between two nodes (kUnreached if disconnected).
inline uint32_t diameter(const Topology& t) {
  uint32_t best = 0;
  for (uint32_t s = 0; s < t.node_count(); ++s) {
    for (uint32_t x : bfs_hops(t, NodeId(s))) best = std::max(best, x);
  }
  return best;
}

/// Routes GPU pairs with `r` — all ordered pairs if there are at most `max_pairs`, else
/// `max_pairs` pairs drawn by a fixed hash — checks each path with is_route, and hands
/// (src, dst, path) to `on_path` for the caller's own expectations.
template <class F>
void for_each_route(const Topology& t, Router& r, size_t max_pairs, F&& on_path,
                    bool simple = true) {
  const auto& g = t.gpus();
  const size_t n = g.size();
  std::vector<LinkId> path;
  const auto one = [&](NodeId s, NodeId d, uint64_t hash) {
    path.clear();
    ASSERT_TRUE(r.route(s, d, hash, path)) << t.node_name(s) << " -> " << t.node_name(d);
    ASSERT_TRUE(is_route(t, s, d, path, simple)) << t.node_name(s) << " -> " << t.node_name(d);
    on_path(s, d, path);
  };
  if (n * (n - 1) <= max_pairs) {
    uint32_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) {
        if (i != j) one(g[i], g[j], flow_hash(7, k++));
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
    return;
  }
  for (uint32_t k = 0; k < max_pairs; ++k) {
    const uint64_t h = flow_hash(11, k);
    const size_t i = h % n, j = (i + 1 + (h >> 32) % (n - 1)) % n;  // j != i
    one(g[i], g[j], flow_hash(7, k));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace roshni::topo::test
