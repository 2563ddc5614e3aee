// Writes flow traces for the scale runs, in the documented trace format
// (docs/scenario-reference.md, "Flow traces"), to standard output:
//   make_trace alltoall N SIZE   every GPU sends SIZE to every other, all at time 0:
//                                N(N-1) flows that all share links at once.
//   make_trace shift N SIZE K    one all-to-all step: GPU i sends SIZE to GPU (i+K) mod N.
// GPU names are gpu0..gpu{N-1}, as the star topology names them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "alltoall" && argc == 4) || (mode == "shift" && argc == 5))) {
    std::fprintf(stderr,
                 "usage: make_trace alltoall N SIZE     (e.g. make_trace alltoall 256 '1 MiB')\n"
                 "       make_trace shift N SIZE K      (e.g. make_trace shift 65536 '1 MiB' 1024)\n");
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
