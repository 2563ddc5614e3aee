/// Seeded randomness, split into named streams so that adding a random draw in one model
/// never shifts the numbers another model sees. Everything here is specified bit for bit
/// (SplitMix64 seeding, xoshiro256** generation, our own range reduction), so a seed
/// gives the same numbers with every compiler and standard library — unlike
/// std::uniform_int_distribution, whose algorithm is implementation-defined.
#pragma once

#include <cstdint>
#include <string_view>

namespace roshni::sim {

/// xoshiro256** by Blackman & Vigna (2018), "Scrambled linear pseudorandom number
/// generators"; seeded from one 64-bit value by SplitMix64 as the authors recommend.
class RandomStream {
 public:
  explicit RandomStream(uint64_t seed);
  uint64_t next_u64();
  /// Uniform in [0, n) without modulo bias (Lemire's multiply-and-reject), n > 0.
  uint64_t uniform_below(uint64_t n);
  /// Uniform in [0, 1) with 53 random bits.
  double uniform01();

 private:
  uint64_t s_[4];
};

/// The run's root of randomness: one seed, any number of independent named streams.
class RandomStreams {
 public:
  explicit RandomStreams(uint64_t seed) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  /// The stream for `name`: same seed and name, same numbers.
  RandomStream stream(std::string_view name) const;

 private:
  uint64_t seed_;
};

/// 64-bit FNV-1a of a string: a stable hash (std::hash is not stable across platforms).
uint64_t stable_hash(std::string_view s);

}  // namespace roshni::sim
