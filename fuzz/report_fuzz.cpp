// Fuzzes the report reader of `check` and `compare`: bytes -> parse_report (the parser
// behind read_report: tables skipped, depth bounded, pointers in errors) -> schema check
// -> summary_figures -> check_figures, format_drifts and every compare_table format.
// Every input must end in results or a ScenarioError whose message is one line; any other
// exception, a sanitizer report, a leak or a hang is a bug.
//
// Input layout: the report's text, optionally followed by a NUL byte and a baseline's
// text (without one the report is its own baseline). Run through
// tools/fuzz.sh SECONDS report.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/core/error.h"
#include "roshni/report/check.h"
#include "roshni/report/compare.h"

namespace {

[[noreturn]] void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "report_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_error(const roshni::ScenarioError& e) {
  const std::string what = e.what();
  if (what.find('\n') != std::string::npos) bug("multi-line error message", what);
  if (e.message().empty()) bug("empty error message", what);
  if (what.size() > 4096) bug("error message over 4 KiB", what.substr(0, 200));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace rr = roshni::report;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view report_text = input.substr(0, nul);
  const std::string_view baseline_text =
      nul == std::string_view::npos ? report_text : input.substr(nul + 1);

  try {
    const auto report = rr::parse_report(report_text, "fz/report.json");
    const auto baseline = rr::parse_report(baseline_text, "fz/baseline.json");
    // compare's path: any object with a summary, report or not.
    std::vector<rr::ComparedRun> runs;
    try {
      runs.push_back({"report", rr::summary_figures(report, "fz/report.json")});
      runs.push_back({"baseline", rr::summary_figures(baseline, "fz/baseline.json")});
      for (const auto f : {rr::TableFormat::terminal, rr::TableFormat::markdown,
                           rr::TableFormat::csv, rr::TableFormat::html}) {
        if (rr::compare_table(runs, f).empty()) bug("empty compare table", "");
      }
    } catch (const roshni::ScenarioError& e) {
      check_error(e);
    }
    // check's path.
    rr::require_same_schema(report, "fz/report.json", baseline, "fz/baseline.json");
    const auto now = rr::summary_figures(report, "fz/report.json");
    const auto base = rr::summary_figures(baseline, "fz/baseline.json");
    const auto result = rr::check_figures(now, base, 0.01);
    (void)rr::format_drifts(result);
    // A report always passes against itself at tolerance 0, when its figures' dotted
    // names are unique ({"a.b": F} and {"a": {"b": F}} are both "a.b"; check compares
    // the first of them).
    std::set<std::string> names;
    bool unique = true;
    for (const auto& f : now) unique = names.insert(f.name).second && unique;
    const auto self = rr::check_figures(now, now, 0);
    if (unique && !self.passed()) bug("a report drifts against itself", rr::format_drifts(self));
  } catch (const roshni::ScenarioError& e) {
    check_error(e);
  }
  return 0;
}
