/// A run's tables as CSV (RFC 4180: CRLF line ends, a header row, a field in double
/// quotes when it holds a comma, quote, CR or LF, inner quotes doubled), for
/// spreadsheets and pandas. Units are in the header names ("size_bytes"), numbers are
/// written as report.json writes them (shortest round-trip text), so the bytes are the
/// same for the same scenario and seed on every machine. Not a CSV reader.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "roshni/net/run_contract.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {

/// Appends fields and rows to a string.
class CsvWriter {
 public:
  explicit CsvWriter(std::string& out) : out_(out) {}

  CsvWriter& field(std::string_view s);  // quoted only when RFC 4180 requires it
  CsvWriter& field(const char* s) { return field(std::string_view(s)); }
  CsvWriter& field(double d);            // must be finite
  CsvWriter& field(int64_t i);
  CsvWriter& field(uint64_t u);
  CsvWriter& field(uint32_t u) { return field(static_cast<uint64_t>(u)); }
  CsvWriter& field(int i) { return field(static_cast<int64_t>(i)); }
  /// Ends the current row with CRLF.
  CsvWriter& end_row();

 private:
  void separator();
  std::string& out_;
  bool row_empty_ = true;
};

/// flows.csv: id, src, dst, size_bytes, start_ps, end_ps, kind ("flow" | "compute");
/// one row per entry of the flow set, in id order (the rows of report.json's "flows").
std::string flows_csv(const scenario::Scenario& s, const net::RunResult& r);
/// The same text handed to `sink` in pieces of about 1 MiB, so that millions of rows
/// never sit in memory at once.
void write_flows_csv(const scenario::Scenario& s, const net::RunResult& r,
                     const std::function<void(std::string_view)>& sink);

/// links.csv: link, from, to, capacity_bytes_per_s, latency_ps, bytes, utilisation,
/// length_m, part; one row per directed link in id order (the rows of report.json's
/// "links"). utilisation = bytes / (capacity x makespan), 0 when either is 0; length 0
/// and part "" when the scenario has no physical layout or catalog.
std::string links_csv(const scenario::Scenario& s, const net::RunResult& r);

}  // namespace roshni::report
