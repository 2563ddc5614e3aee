// csv_plot: draws a CSV table as a line plot in a standalone SVG file with the report's own
// chart code (report/html.h, line_plot_svg), for the figures in docs/images/.
//
//   csv_plot TABLE.csv OUT.svg TITLE X_LABEL Y_UNIT [--log]
//
// TABLE.csv: a header "x,<series>,<series>..." and one row per x value (a number), each
// series' y in the unit Y_UNIT ("s", "B"; an empty cell is a missing point). --log draws
// both axes in decades (every x and y > 0).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "roshni/report/html.h"

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const bool log = argc == 7 && std::string(argv[6]) == "--log";
  if (argc != 6 && !log) {
    std::fprintf(stderr, "usage: csv_plot TABLE.csv OUT.svg TITLE X_LABEL Y_UNIT [--log]\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "csv_plot: cannot read %s\n", argv[1]);
    return 1;
  }
  roshni::report::HtmlLinePlot p;
  p.id = "chart-plot";
  p.title = argv[3];
  p.x_label = argv[4];
  p.unit = argv[5];
  p.x_scale = log ? "log" : "linear";
  p.log_y = log;
  std::string line;
  std::getline(in, line);
  const auto head = split(line);
  for (size_t k = 1; k < head.size(); ++k) p.series.push_back({head[k], {}});
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    const auto cells = split(line);
    p.x.push_back(cells[0]);
    p.x_values.push_back(std::strtod(cells[0].c_str(), nullptr));
    for (size_t k = 1; k < head.size(); ++k) {
      std::optional<double> y;
      if (k < cells.size() && !cells[k].empty()) y = std::strtod(cells[k].c_str(), nullptr);
      p.series[k - 1].y.push_back(y);
    }
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << roshni::report::line_plot_svg(p);
  if (!out) {
    std::fprintf(stderr, "csv_plot: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
