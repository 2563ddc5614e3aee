// The skewed all-to-all of issue 19: the case that stresses max-min sharing, because its
// flows finish at many distinct times (as in mixture-of-experts token routing), so the
// flow model re-solves rates after almost every completion.
//
// Network: a leaf-spine of N GPUs (N a multiple of 16): 16 GPUs per leaf, 8 spines, one
// link from every leaf to every spine (2:1 oversubscribed at the leaves); every link
// 400 Gb/s both ways, 220 ns; switches 200 ns. Routing: minimum hop count, ECMP.
//
// Flows: every ordered pair (s, d), s != d, one flow, all starting at time 0: N(N-1).
// Sizes: each sender s sends exactly 64 MiB in total (2^26 bytes), split over its N-1
// destinations in proportion to Pareto weights: w_d = (1 - u_d)^(-1/alpha) with shape
// alpha = 1.5 and scale 1 (finite mean, infinite variance: a few destinations get much
// more than the rest), u_d uniform in [0, 1) from SplitMix64 seeded with seed * 2^32 + s.
// Size(s, d) = floor(2^26 * w_d / sum of w), plus one byte for the first r destinations
// of s, where r is what the floors left over, so every sender's sizes add up to 64 MiB.
// The same (N, seed) gives the same sizes on every machine (integer PRNG, IEEE doubles).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace roshni::bench {

inline constexpr uint32_t kSkewedGpusPerLeaf = 16;
inline constexpr uint32_t kSkewedSpines = 8;
inline constexpr double kSkewedAlpha = 1.5;
inline constexpr uint64_t kSkewedBytesPerRank = uint64_t{1} << 26;  // 64 MiB

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): small, and the same on every platform.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Sizes in bytes of the flows s -> d in the order s = 0.., d = 0.. (d != s).
inline std::vector<uint64_t> skewed_alltoall_sizes(uint32_t n, uint64_t seed) {
  std::vector<uint64_t> sizes;
  sizes.reserve(static_cast<size_t>(n) * (n - 1));
  std::vector<double> w(n - 1);
  for (uint32_t s = 0; s < n; ++s) {
    uint64_t state = (seed << 32) + s;
    double sum = 0;
    for (auto& x : w) {
      const double u = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
      x = std::pow(1.0 - u, -1.0 / kSkewedAlpha);
      sum += x;
    }
    uint64_t given = 0;
    const size_t first = sizes.size();
    for (double x : w) {
      const auto b = static_cast<uint64_t>(std::floor(static_cast<double>(kSkewedBytesPerRank) * x / sum));
      sizes.push_back(b);
      given += b;
    }
    for (uint64_t i = 0; given > kSkewedBytesPerRank; ++i, --given) --sizes[first + i];  // rounding
    for (uint64_t i = 0; given < kSkewedBytesPerRank; ++i, ++given) ++sizes[first + i];
  }
  return sizes;
}

}  // namespace roshni::bench
