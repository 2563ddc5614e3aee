// The phases algorithms are built from. Sources:
// - ring: Patarasuk & Yuan, "Bandwidth optimal all-reduce algorithms for clusters of
//   workstations", JPDC 69(2), 2009;
// - recursive halving / doubling and Rabenseifner's all-reduce: Thakur, Rabenseifner &
//   Gropp, "Optimization of collective communication operations in MPICH", IJHPCA
//   19(1), 2005 (sec. 4.1 for the non-power-of-two fold);
// - double binary tree: Sanders, Speck & Traeff, "Two-tree algorithms for full bandwidth
//   broadcast, reduction and scan", Parallel Computing 35(12), 2009, with the trees NCCL
//   builds (ncclGetBtree / ncclGetDtree, NVIDIA/nccl src/graph/trees.cc).
#include "roshni/coll/phases.h"

#include <algorithm>
#include <bit>
#include <string>

#include "roshni/core/error.h"

namespace roshni::coll {
namespace {

std::string name(std::string_view tag, std::string_view phase) {
  std::string s(tag);
  s += phase;
  return s;
}

std::span<const uint32_t> one(const uint32_t& t) { return {&t, 1}; }

}  // namespace

void ring_reduce_scatter(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                         std::string_view tag) {
  const size_t m = g.size();
  if (m < 2) return;
  const uint16_t ph = s.phase(name(tag, "rs"));
  const double piece = share / static_cast<double>(m);
  // recv[i]: what rank g[i] received in the previous step (from its predecessor); it
  // reduces that piece with its own contribution and forwards it in the next step, so
  // every step waits for the piece and for the contribution (ready: its arrival may be
  // uneven, as after a reduce-scatter in another group). The piece never carries the
  // contribution itself: it comes from ranks that have not met this one yet.
  std::vector<uint32_t> recv(m), next(m), deps;
  for (uint32_t step = 0; step + 1 < m; ++step) {
    for (size_t i = 0; i < m; ++i) {
      const size_t to = (i + 1) % m;
      deps.assign(ready[g[i]].begin(), ready[g[i]].end());
      if (step > 0) deps.push_back(recv[i]);
      next[to] = s.add(ph, step, g[i], g[to], piece, deps, true);
    }
    std::swap(recv, next);
  }
  // A rank's reduced piece: the last one it received, reduced with its contribution.
  for (size_t i = 0; i < m; ++i) ready[g[i]].push_back(recv[i]);
}

void ring_all_gather(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                     std::string_view tag) {
  const size_t m = g.size();
  if (m < 2) return;
  const uint16_t ph = s.phase(name(tag, "ag"));
  const double piece = share / static_cast<double>(m);
  std::vector<uint32_t> recv(m), next(m);
  std::vector<std::vector<uint32_t>> got(m);  // every piece a rank received
  for (uint32_t step = 0; step + 1 < m; ++step) {
    for (size_t i = 0; i < m; ++i) {
      const size_t to = (i + 1) % m;
      const auto deps = step == 0 ? std::span<const uint32_t>(ready[g[i]]) : one(recv[i]);
      next[to] = s.add(ph, step, g[i], g[to], piece, deps, false);
    }
    std::swap(recv, next);
    for (size_t i = 0; i < m; ++i) got[i].push_back(recv[i]);
  }
  // A rank holds the whole buffer once its own piece was ready and every piece arrived.
  for (size_t i = 0; i < m; ++i) {
    auto& r = ready[g[i]];
    r.insert(r.end(), got[i].begin(), got[i].end());
  }
}

void halving_reduce_scatter(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                            std::string_view tag) {
  const size_t m = g.size();
  if (m < 2) return;
  ROSHNI_ASSERT(std::has_single_bit(m), "recursive halving over {} ranks", m);
  const uint16_t ph = s.phase(name(tag, "rs"));
  std::vector<uint32_t> recv(m), next(m), deps;
  uint32_t step = 0;
  for (size_t dist = m / 2; dist >= 1; dist /= 2, ++step) {
    // Each rank keeps the half of its current data on its side and sends the other
    // half, n dist/m bytes, to its partner, which reduces it into its own half. A step
    // is an exchange (MPI_Sendrecv): it starts when both partners finished the last.
    const double piece = share * static_cast<double>(dist) / static_cast<double>(m);
    for (size_t i = 0; i < m; ++i) {
      const size_t to = i ^ dist;
      if (step == 0) {
        deps.assign(ready[g[i]].begin(), ready[g[i]].end());
        deps.insert(deps.end(), ready[g[to]].begin(), ready[g[to]].end());
      } else {
        deps.assign({recv[i], recv[to]});
      }
      next[to] = s.add(ph, step, g[i], g[to], piece, deps, true);
    }
    std::swap(recv, next);
  }
  for (size_t i = 0; i < m; ++i) ready[g[i]] = {recv[i]};
}

void doubling_all_gather(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                         std::string_view tag) {
  const size_t m = g.size();
  if (m < 2) return;
  ROSHNI_ASSERT(std::has_single_bit(m), "recursive doubling over {} ranks", m);
  const uint16_t ph = s.phase(name(tag, "ag"));
  std::vector<uint32_t> recv(m), deps;
  uint32_t step = 0;
  for (size_t dist = 1; dist < m; dist *= 2, ++step) {
    // Each rank sends all it has gathered so far (dist pieces of n/m): it waits for
    // every earlier piece, which ready accumulates, and (an exchange) for its partner's.
    const double piece = share * static_cast<double>(dist) / static_cast<double>(m);
    for (size_t i = 0; i < m; ++i) {
      const size_t to = i ^ dist;
      deps.assign(ready[g[i]].begin(), ready[g[i]].end());
      deps.insert(deps.end(), ready[g[to]].begin(), ready[g[to]].end());
      recv[to] = s.add(ph, step, g[i], g[to], piece, deps, false);
    }
    for (size_t i = 0; i < m; ++i) ready[g[i]].push_back(recv[i]);
  }
}

void rhd_all_reduce(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                    std::string_view tag) {
  const size_t m = g.size();
  if (m < 2) return;
  const size_t m2 = std::bit_floor(m), extra = m - m2;
  std::vector<uint32_t> core;  // the power-of-two group
  core.reserve(m2);
  if (extra > 0) {
    const uint16_t fold = s.phase(name(tag, "fold"));
    for (size_t i = 0; i < extra; ++i) {
      const uint32_t even = g[2 * i], odd = g[2 * i + 1];
      const uint32_t t = s.add(fold, 0, even, odd, share, ready[even], true);
      ready[odd].push_back(t);
      core.push_back(odd);
    }
  }
  for (size_t i = 2 * extra; i < m; ++i) core.push_back(g[i]);
  halving_reduce_scatter(s, core, share, ready, tag);
  doubling_all_gather(s, core, share, ready, tag);
  if (extra > 0) {
    const uint16_t unfold = s.phase(name(tag, "unfold"));
    for (size_t i = 0; i < extra; ++i) {
      const uint32_t even = g[2 * i], odd = g[2 * i + 1];
      ready[even] = {s.add(unfold, 0, odd, even, share, ready[odd], false)};
    }
  }
}

TreeLinks double_binary_tree(uint32_t m, uint32_t tree, uint32_t rank) {
  // NCCL's ncclGetBtree: an in-order binary tree whose node r's parent and children
  // follow from r's lowest set bit; rank 0 is the root, with one child.
  const auto btree = [m](uint32_t r) {
    TreeLinks l;
    uint32_t bit = 1;
    while (bit < m && !(bit & r)) bit <<= 1;
    if (r == 0) {
      if (m > 1) l.child0 = static_cast<int>(bit >> 1);
      return l;
    }
    uint32_t up = (r ^ bit) | (bit << 1);
    if (up >= m) up = r ^ bit;
    l.parent = static_cast<int>(up);
    uint32_t low = bit >> 1;
    if (low == 0) return l;
    l.child0 = static_cast<int>(r - low);
    uint32_t down1 = r + low;
    while (down1 >= m && low > 0) {  // the right child may fall off the end: go lower
      low >>= 1;
      down1 = r + low;
    }
    if (low > 0 && down1 < m) l.child1 = static_cast<int>(down1);
    return l;
  };
  if (tree == 0) return btree(rank);
  // ncclGetDtree: the second tree is the mirror of the first (m even) or the first
  // shifted by one rank (m odd), so a rank inner in one tree is a leaf in the other.
  const auto map = [&](int r, bool mirror) -> int {
    if (r < 0) return -1;
    return mirror ? static_cast<int>(m) - 1 - r : (r + 1) % static_cast<int>(m);
  };
  const bool mirror = m % 2 == 0;
  const uint32_t image = mirror ? m - 1 - rank : (rank + m - 1) % m;
  const TreeLinks l = btree(image);
  return {map(l.parent, mirror), map(l.child0, mirror), map(l.child1, mirror)};
}

void tree_all_reduce(Schedule& s, std::span<const uint32_t> g, double share, Ready& ready,
                     std::string_view tag) {
  const uint32_t m = static_cast<uint32_t>(g.size());
  if (m < 2) return;
  const double half = share / 2;  // each tree carries half of the data
  Ready final_ready(ready.size());
  std::vector<TreeLinks> links(m);
  std::vector<uint32_t> depth(m), height(m), order(m), up(m), down(m);
  for (uint32_t tree = 0; tree < 2; ++tree) {
    int root = -1;
    for (uint32_t r = 0; r < m; ++r) {
      links[r] = double_binary_tree(m, tree, r);
      if (links[r].parent < 0) root = static_cast<int>(r);
    }
    ROSHNI_ASSERT(root >= 0, "tree {} over {} ranks has no root", tree, m);
    // Depth by walking from the root (breadth first), height by walking back up.
    order.clear();
    order.push_back(static_cast<uint32_t>(root));
    depth[root] = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      for (int c : {links[order[i]].child0, links[order[i]].child1}) {
        if (c < 0) continue;
        depth[c] = depth[order[i]] + 1;
        order.push_back(static_cast<uint32_t>(c));
      }
    }
    ROSHNI_ASSERT(order.size() == m, "tree {} over {} ranks reaches {}", tree, m, order.size());
    std::fill(height.begin(), height.end(), 0);
    for (size_t i = m; i-- > 1;) {
      const uint32_t v = order[i], p = static_cast<uint32_t>(links[v].parent);
      height[p] = std::max(height[p], height[v] + 1);
    }
    // Up (reduce): leaves first, so every transfer's dependencies come before it.
    std::vector<uint32_t> by_height(order.begin() + 1, order.end());
    std::stable_sort(by_height.begin(), by_height.end(),
                     [&](uint32_t a, uint32_t b) { return height[a] < height[b]; });
    const std::string t = "t" + std::to_string(tree) + "_";
    const uint16_t ph_up = s.phase(name(tag, t + "up"));
    const uint16_t ph_down = s.phase(name(tag, t + "down"), true);
    std::vector<uint32_t> deps;
    const auto received_from_children = [&](uint32_t v) {
      deps.assign(ready[g[v]].begin(), ready[g[v]].end());
      for (int c : {links[v].child0, links[v].child1}) {
        if (c >= 0) deps.push_back(up[c]);
      }
    };
    for (uint32_t v : by_height) {
      received_from_children(v);
      up[v] = s.add(ph_up, height[v], g[v], g[links[v].parent], half, deps, true);
    }
    // Down (broadcast): the root once it has reduced its children's data, then each
    // rank once it has received.
    for (uint32_t v : order) {
      if (static_cast<int>(v) == root) {
        received_from_children(v);
      } else {
        deps.assign(1, down[v]);
      }
      for (int c : {links[v].child0, links[v].child1}) {
        if (c >= 0) down[c] = s.add(ph_down, depth[v], g[v], g[c], half, deps, false);
      }
      auto& f = final_ready[g[v]];
      f.insert(f.end(), deps.begin(), deps.end());
    }
  }
  for (uint32_t v = 0; v < m; ++v) ready[g[v]] = std::move(final_ready[g[v]]);
}

void all_reduce_phase(std::string_view algorithm, Schedule& s, std::span<const uint32_t> group,
                      double share, Ready& ready, std::string_view tag) {
  if (algorithm == "ring") {
    ring_reduce_scatter(s, group, share, ready, tag);
    ring_all_gather(s, group, share, ready, tag);
  } else if (algorithm == "rhd") {
    rhd_all_reduce(s, group, share, ready, tag);
  } else if (algorithm == "tree") {
    tree_all_reduce(s, group, share, ready, tag);
  } else {
    ROSHNI_ASSERT(false, "no all-reduce phase '{}'", algorithm);
  }
}

namespace {

/// Every rank of `g` sends `up` x share to switch `sw` once ready; the switch sends each
/// `down` x share once all are up; a rank is then ready with what came down.
void through_switch(Schedule& s, std::span<const uint32_t> g, double up, double down,
                    uint32_t sw, Ready& ready, std::string_view tag, std::string_view what) {
  if (g.size() < 2) return;
  const uint16_t to = s.phase(name(tag, std::string(what) + "_up"));
  const uint16_t from = s.phase(name(tag, std::string(what) + "_down"));
  std::vector<uint32_t> ups(g.size());
  for (size_t i = 0; i < g.size(); ++i) ups[i] = s.add(to, 0, g[i], sw, up, ready[g[i]], false);
  for (size_t i = 0; i < g.size(); ++i) {
    ready[g[i]] = {s.add(from, 1, sw, g[i], down, ups, false)};
  }
}

}  // namespace

void switch_reduce_scatter(Schedule& s, std::span<const uint32_t> g, double share, uint32_t sw,
                           Ready& ready, std::string_view tag) {
  through_switch(s, g, share, share / static_cast<double>(g.size()), sw, ready, tag, "rs");
}

void switch_all_gather(Schedule& s, std::span<const uint32_t> g, double share, uint32_t sw,
                       Ready& ready, std::string_view tag) {
  through_switch(s, g, share / static_cast<double>(g.size()), share, sw, ready, tag, "ag");
}

void switch_all_reduce(Schedule& s, std::span<const uint32_t> g, double share, uint32_t sw,
                       Ready& ready, std::string_view tag) {
  through_switch(s, g, share, share, sw, ready, tag, "ar");
}

}  // namespace roshni::coll
