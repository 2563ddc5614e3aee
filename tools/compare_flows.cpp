// compare_flows: makespan and per-flow end-time differences between Roshni's flows.csv and
// another simulator's times for the same flows (bench/simgrid/roshni_simgrid's CSV);
// tools/flow_compare.h says what is read and how differences are taken.
//
//   compare_flows ROSHNI_FLOWS_CSV REFERENCE_CSV [--max-rel X]
//
// Exit 0, or 1 when a file cannot be read or compared, or when --max-rel is given and the
// worst per-flow relative difference exceeds it; 2 on a usage error.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "flow_compare.h"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  double max_rel = -1;
  if (argc == 5 && std::string(argv[3]) == "--max-rel") {
    max_rel = std::strtod(argv[4], nullptr);
  } else if (argc != 3) {
    std::fprintf(stderr, "usage: compare_flows ROSHNI_FLOWS_CSV REFERENCE_CSV [--max-rel X]\n");
    return 2;
  }
  try {
    const auto a = roshni::tools::read_flow_ends(slurp(argv[1]), argv[1]);
    const auto b = roshni::tools::read_flow_ends(slurp(argv[2]), argv[2]);
    const auto c = roshni::tools::compare_flow_ends(a, b);
    std::printf("flows                      %zu\n", c.flows);
    std::printf("makespan                   %.17g s  reference %.17g s\n", c.makespan_a,
                c.makespan_b);
    std::printf("makespan difference        %.3g (relative)\n", c.makespan_rel);
    std::printf("worst per-flow difference  %.3g (relative, flow %s), largest %.3g s\n",
                c.worst_rel, c.worst_id.empty() ? "-" : c.worst_id.c_str(), c.worst_abs_s);
    if (max_rel >= 0 && c.worst_rel > max_rel) {
      std::fprintf(stderr, "compare_flows: worst per-flow difference %.3g exceeds %.3g\n",
                   c.worst_rel, max_rel);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_flows: %s\n", e.what());
    return 1;
  }
  return 0;
}
