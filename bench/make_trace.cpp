// Writes flow traces for the scale runs, in the documented trace format
// (docs/scenario-reference.md, "Flow traces"), to standard output:
//   make_trace alltoall N SIZE   every GPU sends SIZE to every other, all at time 0:
//                                N(N-1) flows that all share links at once.
//   make_trace shift N SIZE K    one all-to-all step: GPU i sends SIZE to GPU (i+K) mod N.
//   make_trace skewed N SEED     a whole scenario: the skewed all-to-all of issue 19 on an
//                                explicit leaf-spine (16 GPUs per leaf, 8 spines), N(N-1)
//                                flows of seeded Pareto-like sizes, 64 MiB sent per GPU;
//                                topology and size distribution in bench/skewed_alltoall.h.
//   make_trace ring N BYTES      a ring all-reduce of BYTES over N GPUs as a dependency graph:
//                                2(N-1) steps, at step k GPU r sends ceil(BYTES/N) bytes to
//                                GPU (r+1) mod N after it received step k-1's piece from
//                                GPU r-1; 2N(N-1) flows (N = 1024: 2,095,104). Run it with
//                                bench/scenarios/ring_trace_star.json.
// GPU names are gpu0..gpu{N-1}, as the star topology names them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "skewed_alltoall.h"

namespace {

int skewed(long n, long seed) {
  using namespace roshni::bench;
  if (n % kSkewedGpusPerLeaf != 0) {
    std::fprintf(stderr, "make_trace: N must be a multiple of %u\n", kSkewedGpusPerLeaf);
    return 2;
  }
  const auto leaves = static_cast<uint32_t>(n / kSkewedGpusPerLeaf);
  std::string out = fmt::format(
      "{{\n  \"schema\": 1,\n  \"name\": \"skewed-alltoall-{}\",\n  \"description\": \"Skewed "
      "all-to-all (issue 19, bench/skewed_alltoall.h): {} GPUs, 16 per leaf, 8 spines, {} flows "
      "of Pareto(1.5) sizes, 64 MiB sent per GPU, seed {}.\",\n  \"seed\": 1,\n"
      "  \"topology\": {{\n    \"kind\": \"explicit\",\n    \"routing\": \"ecmp\",\n    \"nodes\": [\n",
      n, n, n * (n - 1), seed);
  for (long g = 0; g < n; ++g) {
    fmt::format_to(std::back_inserter(out), "      {{\"name\": \"gpu{}\", \"kind\": \"gpu\"}},\n", g);
  }
  for (uint32_t l = 0; l < leaves; ++l) {
    fmt::format_to(std::back_inserter(out),
                   "      {{\"name\": \"leaf{}\", \"kind\": \"switch\", \"latency\": \"200 ns\", "
                   "\"role\": \"leaf\"}},\n", l);
  }
  for (uint32_t s = 0; s < kSkewedSpines; ++s) {
    fmt::format_to(std::back_inserter(out),
                   "      {{\"name\": \"spine{}\", \"kind\": \"switch\", \"latency\": \"200 ns\", "
                   "\"tier\": 2, \"role\": \"spine\"}}{}\n", s, s + 1 < kSkewedSpines ? "," : "");
  }
  out += "    ],\n    \"links\": [\n";
  const char* link = "\"bandwidth\": \"400 Gbps\", \"latency\": \"220 ns\"";
  for (long g = 0; g < n; ++g) {
    fmt::format_to(std::back_inserter(out), "      {{\"a\": \"gpu{}\", \"b\": \"leaf{}\", {}}},\n", g,
                   g / kSkewedGpusPerLeaf, link);
  }
  for (uint32_t l = 0; l < leaves; ++l) {
    for (uint32_t s = 0; s < kSkewedSpines; ++s) {
      fmt::format_to(std::back_inserter(out), "      {{\"a\": \"leaf{}\", \"b\": \"spine{}\", {}}}{}\n", l,
                     s, link, l + 1 < leaves || s + 1 < kSkewedSpines ? "," : "");
    }
  }
  out += "    ]\n  },\n  \"workload\": {\n    \"kind\": \"flow_trace\",\n    \"flows\": [\n";
  const auto sizes = skewed_alltoall_sizes(static_cast<uint32_t>(n), static_cast<uint64_t>(seed));
  size_t i = 0;
  for (long s = 0; s < n; ++s) {
    for (long d = 0; d < n; ++d) {
      if (s == d) continue;
      fmt::format_to(std::back_inserter(out),
                     "{}      {{\"id\": \"a2a.{}.{}\", \"src\": \"gpu{}\", \"dst\": \"gpu{}\", \"size\": \"{} B\"}}",
                     i == 0 ? "" : ",\n", s, d, s, d, sizes[i]);
      ++i;
    }
  }
  out += "\n    ]\n  }\n}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int ring(long n, long long size) {
  const long long piece = (size + n - 1) / n;
  std::string out = fmt::format(
      "{{\n  \"description\": \"ring all-reduce of {} B over {} GPUs: 2(N-1) steps, GPU r sends "
      "{} B to GPU r+1 after receiving the previous step's piece\",\n  \"flows\": [\n",
      size, n, piece);
  for (long k = 0; k < 2 * (n - 1); ++k) {
    for (long r = 0; r < n; ++r) {
      fmt::format_to(std::back_inserter(out),
                     "{}    {{\"id\": \"ring.{}.{}\", \"src\": \"gpu{}\", \"dst\": \"gpu{}\", \"size\": \"{} B\"",
                     k == 0 && r == 0 ? "" : ",\n", k, r, r, (r + 1) % n, piece);
      if (k > 0) fmt::format_to(std::back_inserter(out), ", \"after\": [\"ring.{}.{}\"]", k - 1, (r + n - 1) % n);
      out += '}';
    }
    if (out.size() > (size_t{1} << 24)) {  // stream out in pieces: the 1,024-GPU trace is ~250 MB
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  out += "\n  ]\n}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "skewed" && argc == 4) {
    const long n = std::strtol(argv[2], nullptr, 10);
    if (n < 16 || n > 4096) {
      std::fprintf(stderr, "make_trace: N must be between 16 and 4096\n");
      return 2;
    }
    return skewed(n, std::strtol(argv[3], nullptr, 10));
  }
  if (mode == "ring" && argc == 4) {
    const long n = std::strtol(argv[2], nullptr, 10);
    const long long size = std::strtoll(argv[3], nullptr, 10);
    if (n < 2 || n > 65536 || size <= 0) {
      std::fprintf(stderr, "make_trace: ring needs 2 <= N <= 65536 and BYTES > 0\n");
      return 2;
    }
    return ring(n, size);
  }
  if (!((mode == "alltoall" && argc == 4) || (mode == "shift" && argc == 5))) {
    std::fprintf(stderr,
                 "usage: make_trace alltoall N SIZE     (e.g. make_trace alltoall 256 '1 MiB')\n"
                 "       make_trace shift N SIZE K      (e.g. make_trace shift 65536 '1 MiB' 1024)\n"
                 "       make_trace skewed N SEED       (e.g. make_trace skewed 128 1 > skewed.json)\n"
                 "       make_trace ring N BYTES        (e.g. make_trace ring 64 1073741824)\n");
    return 2;
  }
  const long n = std::strtol(argv[2], nullptr, 10);
  if (n < 2 || n > 10000000) {
    std::fprintf(stderr, "make_trace: N must be between 2 and 10000000\n");
    return 2;
  }
  const std::string size = argv[3];
  if (mode == "shift") {
    const long k = std::strtol(argv[4], nullptr, 10);
    if (k <= 0 || k >= n) {
      std::fprintf(stderr, "make_trace: K must be between 1 and N-1\n");
      return 2;
    }
    std::string out = "{\n  \"description\": \"one all-to-all step: GPU i sends " + size +
                      " to GPU (i + " + std::to_string(k) + ") mod N\",\n  \"flows\": [\n";
    for (long s = 0; s < n; ++s) {
      fmt::format_to(std::back_inserter(out),
                     "{}    {{\"id\": \"shift.{}\", \"src\": \"gpu{}\", \"dst\": \"gpu{}\", \"size\": \"{}\"}}",
                     s == 0 ? "" : ",\n", s, s, (s + k) % n, size);
    }
    out += "\n  ]\n}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::string out = "{\n  \"description\": \"all-to-all: every GPU sends " + size +
                    " to every other\",\n  \"flows\": [\n";
  bool first = true;
  for (long s = 0; s < n; ++s) {
    for (long d = 0; d < n; ++d) {
      if (s == d) continue;
      fmt::format_to(std::back_inserter(out),
                     "{}    {{\"id\": \"a2a.{}.{}\", \"src\": \"gpu{}\", \"dst\": \"gpu{}\", \"size\": \"{}\"}}",
                     first ? "" : ",\n", s, d, s, d, size);
      first = false;
    }
  }
  out += "\n  ]\n}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
