// CSV as RFC 4180 defines it (https://www.rfc-editor.org/rfc/rfc4180, section 2):
// records end with CRLF, the first record is a header, and a field containing a comma,
// a double quote, CR or LF is enclosed in double quotes with inner quotes doubled.
#include "roshni/report/csv.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "roshni/core/error.h"

namespace roshni::report {

void CsvWriter::separator() {
  if (!row_empty_) out_ += ',';
  row_empty_ = false;
}

CsvWriter& CsvWriter::field(std::string_view s) {
  separator();
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_ += s;
    return *this;
  }
  out_ += '"';
  for (char c : s) {
    if (c == '"') out_ += '"';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

CsvWriter& CsvWriter::field(double d) {
  if (!std::isfinite(d)) [[unlikely]] {
    // Which column: the separators since the row began (fields before it that hold a
    // quoted comma would shift it; the names of columns are plain).
    const size_t row = out_.rfind('\n');
    const auto from = out_.begin() + static_cast<std::ptrdiff_t>(row == std::string::npos ? 0 : row + 1);
    const auto column = std::count(from, out_.end(), ',') + (row_empty_ ? 0 : 1);
    throw NonFiniteFigure(fmt::format("in column {} of a table", column + 1), d);
  }
  separator();
  // The same text as report.json: shortest round-trip form, whole numbers bare.
  fmt::format_to(std::back_inserter(out_), "{}", d);
  return *this;
}

CsvWriter& CsvWriter::field(int64_t i) {
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", i);
  return *this;
}

CsvWriter& CsvWriter::field(uint64_t u) {
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", u);
  return *this;
}

CsvWriter& CsvWriter::end_row() {
  out_ += "\r\n";
  row_empty_ = true;
  return *this;
}

std::string flows_csv(const scenario::Scenario& s, const net::RunResult& r) {
  std::string out;
  write_flows_csv(s, r, [&](std::string_view piece) { out += piece; });
  return out;
}

void write_flows_csv(const scenario::Scenario& s, const net::RunResult& r,
                     const std::function<void(std::string_view)>& sink) {
  constexpr size_t kPiece = size_t{1} << 20;
  const auto& flows = s.flows;
  std::string out;
  out.reserve(kPiece + 4096);
  CsvWriter w(out);
  for (const char* c : {"id", "src", "dst", "size_bytes", "start_ps", "end_ps", "kind"}) {
    w.field(c);
  }
  w.end_row();
  for (uint32_t i = 0; i < flows.size(); ++i) {
    if (out.size() >= kPiece) {
      sink(out);
      out.clear();
    }
    const FlowId f(i);
    w.field(flows.label(f))
        .field(s.topology.node_name(flows.src(f)))
        .field(s.topology.node_name(flows.dst(f)))
        .field(flows.flow_size(f).si())
        .field(r.start[i].ps())
        .field(r.end[i].ps())
        .field(flows.is_task(f) ? "compute" : "flow")
        .end_row();
  }
  sink(out);
}

std::string links_csv(const scenario::Scenario& s, const net::RunResult& r) {
  const auto& topo = s.topology;
  const double t = r.makespan.duration().si();
  std::string out;
  out.reserve(128 + topo.link_count() * 64);
  CsvWriter w(out);
  for (const char* c : {"link", "from", "to", "capacity_bytes_per_s", "latency_ps", "bytes",
                        "utilisation", "length_m", "part", "role"}) {
    w.field(c);
  }
  w.end_row();
  for (uint32_t i = 0; i < topo.link_count(); ++i) {
    const LinkId l(i);
    const double capacity = topo.link_capacity(l).si();
    const double carried = r.link_bytes[i].si();
    w.field(i)
        .field(topo.node_name(topo.link_from(l)))
        .field(topo.node_name(topo.link_to(l)))
        .field(capacity)
        .field(topo.link_latency(l).ps())
        .field(carried)
        .field(capacity > 0 && t > 0 ? carried / (capacity * t) : 0.0)
        .field(topo.link_length(l).si())
        .field(topo.link_part(l))
        .field(topo.link_role(l))
        .end_row();
  }
  return out;
}

}  // namespace roshni::report
