/// `roshni busbw`: a scenario whose workload is one collective, run at every message size
/// from --min to --max (x --factor), printed as nccl-tests prints its out-of-place columns
/// (size, count, type, redop, root, time, algbw, busbw), so simulated and measured
/// curves can be laid side by side; also busbw.csv and busbw.html. The points run on the
/// sweep machinery (sweep.h): one axis, /workload/size. Not an nccl-tests emulator: no
/// in-place half, no #wrong column, one float type.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshni/report/sweep.h"

namespace roshni::report {

/// Bytes in an nccl-tests element (its default type, float).
inline constexpr uint64_t kBusbwElement = 4;

/// "8 B", "1 GiB", "4096" (bytes when there is no unit): a whole number of bytes > 0, or
/// why not ("expected a data size like 1 GiB ...").
struct ParsedSize {
  uint64_t bytes = 0;
  std::string error;  // empty when parsed
};
ParsedSize parse_busbw_size(std::string_view text);

/// min, min x factor, ... up to max (inclusive). Requires 0 < min <= max, factor >= 2.
std::vector<uint64_t> busbw_sizes(uint64_t min, uint64_t max, uint64_t factor);

struct BusbwSpec {
  std::string scenario;                // file
  std::vector<std::string> overrides;  // --set (not /workload/size: the sweep sets it)
  std::optional<uint64_t> seed;
  std::vector<uint64_t> sizes;         // bytes, ascending
};

/// The collective of the scenario as loaded with the overrides.
struct BusbwCollective {
  std::string name;       // the scenario's
  std::string kind;       // "all_reduce", ...
  std::string algorithm;  // as loaded at the scenario's own size (auto may pick per size)
  bool auto_picked = false;
  uint32_t ranks = 0;
  uint32_t root = 0;  // broadcast: the root's index among the ranks
};

/// Loads the scenario; throws ScenarioError at "/workload/kind" (the file named) when
/// its workload is not one collective (a training step, a flow trace), and at "--set"
/// when an override sets /workload/size (busbw sets it).
BusbwCollective busbw_collective(const BusbwSpec& spec);

/// The smallest size a collective can be run at as nccl-tests counts it: one element
/// per rank where each rank holds size/p (all_gather, reduce_scatter, all_to_all), else
/// one element.
uint64_t busbw_smallest(const BusbwCollective& c);

struct BusbwRow {
  uint64_t size = 0;   // as run: the size asked for rounded down to whole elements
                       // (busbw_smallest()); as asked when skipped
  uint64_t count = 0;  // nccl-tests' count: size / 4 floats, per rank for the kinds
                       // where each rank holds size/p
  std::string redop;   // "sum" for reductions, else "none"
  int64_t root = -1;   // broadcast's root index, else -1
  std::string status;  // "ok", "skipped" (below busbw_smallest), or the sweep's
                       // "invalid" / "unfinished" / "failed"
  std::string message;
  int64_t makespan_ps = 0;
  double algbw = 0, busbw = 0;  // B/s (as report.json's summary)
  std::string algorithm, protocol;  // what ran at this size (a library's tuner may change
                                    // them from size to size); protocol "" without one
};

/// Runs every size of spec.sizes, rounded down to a multiple of busbw_smallest() as
/// nccl-tests rounds it (threads as run_points); a size below it is "skipped" with the
/// reason. Rows in size order.
std::vector<BusbwRow> run_busbw(const BusbwSpec& spec, const BusbwCollective& c, unsigned jobs,
                                const std::function<void(size_t done, size_t total)>& done = {});

/// The table as nccl-tests prints its out-of-place half: '#' header lines, one row per
/// size run (time in us, algbw and busbw in GB/s, GB = 1e9 B), skipped sizes and
/// failed points as '#' comment lines.
std::string busbw_table(const BusbwCollective& c, const std::vector<BusbwRow>& rows);
/// busbw.csv: size_bytes, count, type, redop, root, time_us, algbw_GBps, busbw_GBps,
/// makespan_ps; one row per size run (skipped and failed sizes are left out).
std::string busbw_csv(const std::vector<BusbwRow>& rows);
/// busbw.html: busbw and algbw against size, log-log, and the table.
std::string busbw_html(const BusbwSpec& spec, const BusbwCollective& c,
                       const std::vector<BusbwRow>& rows);

}  // namespace roshni::report
