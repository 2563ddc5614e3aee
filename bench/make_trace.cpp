// Writes flow traces for the scale runs, in the documented trace format
// (docs/scenario-reference.md, "Flow traces"), to standard output:
//   make_trace alltoall N SIZE   every GPU sends SIZE to every other, all at time 0:
//                                N(N-1) flows that all share links at once.
// GPU names are gpu0..gpu{N-1}, as the star topology names them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

int main(int argc, char** argv) {
  if (argc != 4 || std::string(argv[1]) != "alltoall") {
    std::fprintf(stderr, "usage: make_trace alltoall N SIZE   (e.g. make_trace alltoall 256 '1 MiB')\n");
    return 2;
  }
  const long n = std::strtol(argv[2], nullptr, 10);
  if (n < 2 || n > 100000) {
    std::fprintf(stderr, "make_trace: N must be between 2 and 100000\n");
    return 2;
  }
  const std::string size = argv[3];
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
