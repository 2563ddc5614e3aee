/// `roshni sweep`: one scenario run at every point of the cartesian product of some
/// `--set` overrides ("axes"), each run independent and deterministic, the results in
/// one table (sweep.csv) and one page of line plots (sweep.html). Points are numbered
/// with the first axis varying slowest; the table lists them in that order whatever
/// order they finished in, so the bytes depend only on the inputs. Running the points
/// is here (threads on local cores); splitting them over MPI ranks is the CLI's.
/// Not a design-space optimiser and not a batch scheduler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/report/check.h"

namespace roshni::report {

struct SweepAxis {
  std::string path;                 // as given: "topology.gpus" or "/topology/gpus"
  std::vector<std::string> values;  // override values, as --set takes them
};

/// Parses the `--axis PATH=V1,V2,...` arguments. Values are split at commas outside
/// brackets, braces and double quotes (`--axis 'x=[1,2],[3,4]'` has two values). Throws
/// ScenarioError at "--axis" for a missing "=" or path, an empty axis or value, a value
/// given twice, a path given twice (also as "a.b" and "/a/b"), or a path also in `sets`.
std::vector<SweepAxis> parse_axes(const std::vector<std::string>& specs,
                                  const std::vector<std::string>& sets);

/// The number of points: the product of the axes' sizes.
size_t point_count(const std::vector<SweepAxis>& axes);
/// The axis values of point `index` (first axis slowest, last fastest).
std::vector<std::string> point_values(const std::vector<SweepAxis>& axes, size_t index);

struct SweepSpec {
  std::string scenario;                // file
  std::vector<std::string> overrides;  // --set, applied before the axes
  std::optional<uint64_t> seed;
  std::vector<SweepAxis> axes;
};

/// Checks every axis path the way the loader checks `--set` (unknown keys with the
/// nearest name suggested, paths through scalars) by loading the scenario at its points,
/// first to last, until one loads: a bad value marks only its point's row (at the first
/// point as at any other), and the sweep is refused only when no point loads. Throws the
/// first point's ScenarioError then; one about an axis override is re-labelled with
/// "--axis" as its file. Returns the scenario's name (of the first point that loads).
std::string check_axes(const SweepSpec& spec);

struct PointResult {
  std::string status;          // "ok" | "unfinished" | "invalid"
  std::string message;         // why, when not ok
  std::vector<Figure> figures; // report.json's summary figures, when ok
  std::string algorithm;       // the collective algorithm that ran ("" for other workloads)
  std::string protocol;        // with a communication library: its protocol, else ""
};

/// Runs point `index`: loads the scenario with the overrides, runs the flow model and
/// reads the figures of the report it would write. Never throws for bad input at the
/// point (that is status "invalid").
PointResult run_point(const SweepSpec& spec, size_t index);

/// Runs `indices` on `jobs` threads (each point on one thread). `done` is called from
/// the calling thread's loop after each point finishes, with the count so far (for a
/// progress line). The results are in the order of `indices`.
std::vector<PointResult> run_points(const SweepSpec& spec, const std::vector<size_t>& indices,
                                    unsigned jobs,
                                    const std::function<void(size_t done)>& done = {});

/// Results as text and back, for gathering them from MPI ranks (JSON; doubles round-trip
/// exactly).
std::string encode_results(const std::vector<size_t>& indices,
                           const std::vector<PointResult>& results);
void decode_results(const std::string& text, std::vector<PointResult>& all);

/// sweep.csv (RFC 4180, as csv.h): point, one column per axis (its path), status,
/// message, then one column per summary figure, named after it with its unit
/// ("makespan_s", "bus_bandwidth_bytes_per_s", "flows"), in the order the points first
/// give them; a figure a point lacks is empty. One row per point in point order.
std::string sweep_csv(const SweepSpec& spec, const std::vector<PointResult>& all);

/// The column name of a figure: its name and a unit suffix unless the name ends in it.
std::string figure_column(const Figure& f);

/// More than two decades between the smallest and the largest (positive) value: sweep.html
/// draws that axis on a log scale.
inline constexpr double kLogSpan = 100;

/// An axis whose every value is a number with one unit text after it ("4", "200 Gbps",
/// "1e9 B"; the unit may be empty, the same for all): the numbers, the unit, and whether
/// they span more than kLogSpan (all > 0). Any other axis ("ring,tree", "1 KiB,1 GiB",
/// JSON strings or arrays) is categorical: nullopt.
struct NumericAxis {
  std::vector<double> values;
  std::string unit;
  bool log = false;
};
std::optional<NumericAxis> numeric_axis(const std::vector<std::string>& values);
/// Whether values (of a plotted figure) span more than kLogSpan, all > 0.
bool log_scale(const std::vector<double>& values);

/// The figures sweep.html plots against the first axis, when the points have them.
inline constexpr std::string_view kSweepPlotted[] = {
    "makespan", "bus_bandwidth", "busiest_link.utilisation", "link_power", "energy",
    "network_energy_per_payload_bit", "energy_cost_usd"};

/// sweep.html: a line plot per plotted figure, x = the first axis's values, one line per
/// combination of the other axes' values; then the whole table. x is numeric (linear, or
/// log past kLogSpan) when numeric_axis() says so, else categorical; y is log when the
/// plotted values span more than kLogSpan.
std::string sweep_html(const SweepSpec& spec, const std::string& name,
                       const std::vector<PointResult>& all);

}  // namespace roshni::report
