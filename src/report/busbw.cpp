// `roshni busbw`: one collective swept over message sizes on the sweep machinery, printed
// as nccl-tests prints its out-of-place half (columns of NVIDIA/nccl-tests' common.cu
// output; algbw and busbw as its doc/PERFORMANCE.md defines them, GB = 1e9 B).
#include "roshni/report/busbw.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/core/unit_parse.h"
#include "roshni/report/csv.h"
#include "roshni/report/html.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {
namespace {

constexpr std::string_view kSizePointer = "/workload/size";

bool is_collective(std::string_view kind) {
  return kind != "training" && kind != "serving" && kind != "flow_trace" && kind != "goal" && !kind.empty();
}

/// nccl-tests' redop column: the reduction of the reducing collectives, "none" else.
std::string redop_of(std::string_view kind) {
  return kind == "all_reduce" || kind == "reduce_scatter" || kind == "reduce" ? "sum" : "none";
}

/// nccl-tests' root column: the root of rooted collectives, -1 else.
int64_t root_of(const BusbwCollective& c) {
  return c.kind == "broadcast" || c.kind == "reduce" ? static_cast<int64_t>(c.root) : -1;
}

/// Where each rank holds size/p of the buffer, nccl-tests' count per rank is count/p.
bool split_per_rank(std::string_view kind) {
  return kind == "all_gather" || kind == "reduce_scatter" || kind == "all_to_all";
}

std::string normalized(std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string(path);
  std::string out = "/";
  for (char ch : path) out += ch == '.' ? '/' : ch;
  return out;
}

const Figure* find(const std::vector<Figure>& figures, std::string_view name) {
  for (const auto& f : figures) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

/// nccl-tests prints the time with as many decimals as fit 7 characters.
std::string time_text(double us) {
  if (us < 1e4) return fmt::format("{:7.2f}", us);
  if (us < 1e5) return fmt::format("{:7.1f}", us);
  return fmt::format("{:7.0f}", us);
}

}  // namespace

ParsedSize parse_busbw_size(std::string_view text) {
  ParsedSize out;
  uint64_t plain = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), plain);
  double bytes = 0;
  if (ec == std::errc() && end == text.data() + text.size()) {
    bytes = static_cast<double>(plain);
  } else {
    const auto parsed = parse_quantity(text, QuantityKind::data_size);
    if (const auto* e = std::get_if<UnitError>(&parsed)) {
      out.error = e->message;
      return out;
    }
    bytes = std::get<double>(parsed);
  }
  const QuantityRange range = physical_range(QuantityKind::data_size);
  if (!(bytes >= 1) || bytes != std::floor(bytes)) {
    out.error = fmt::format("expected a whole number of bytes, at least 1 B, got {}",
                            quote_text(text));
  } else if (bytes > range.max) {
    out.error = fmt::format("{} is more than {}", quote_text(text), range.max_text);
  } else {
    out.bytes = static_cast<uint64_t>(bytes);
  }
  return out;
}

std::vector<uint64_t> busbw_sizes(uint64_t min, uint64_t max, uint64_t factor) {
  ROSHNI_ASSERT(min > 0 && min <= max && factor >= 2, "busbw sizes {}..{} x{}", min, max, factor);
  std::vector<uint64_t> out;
  for (uint64_t s = min;; s *= factor) {
    out.push_back(s);
    if (s > max / factor) break;  // the next one would pass max (or overflow)
  }
  return out;
}

BusbwCollective busbw_collective(const BusbwSpec& spec) {
  for (const auto& set : spec.overrides) {
    if (normalized(set.substr(0, set.find('='))) == kSizePointer) {
      throw ScenarioError("--set", std::string(kSizePointer),
                          fmt::format("busbw sets the size itself (--min, --max, --factor); "
                                      "drop --set {}",
                                      quote_text(set)));
    }
  }
  scenario::LoadOptions lo;
  lo.overrides = spec.overrides;
  lo.seed = spec.seed;
  const auto s = scenario::load_scenario(spec.scenario, lo);
  if (!is_collective(s.workload.kind)) {
    throw ScenarioError(
        spec.scenario, "/workload/kind",
        fmt::format("roshni busbw sweeps the size of one collective (all_reduce, all_gather, "
                    "reduce_scatter, broadcast, reduce, all_to_all, p2p); this workload is {}",
                    quote_text(s.workload.kind.empty() ? "none" : s.workload.kind)));
  }
  BusbwCollective c;
  c.name = s.name;
  c.kind = s.workload.kind;
  c.algorithm = s.workload.algorithm;
  c.auto_picked = !s.workload.selected_by.empty();
  c.ranks = s.workload.ranks;
  c.root = s.workload.root;
  return c;
}

uint64_t busbw_smallest(const BusbwCollective& c) {
  return split_per_rank(c.kind) ? kBusbwElement * c.ranks : kBusbwElement;
}

std::vector<BusbwRow> run_busbw(const BusbwSpec& spec, const BusbwCollective& c, unsigned jobs,
                                const std::function<void(size_t, size_t)>& done) {
  SweepSpec sweep;
  sweep.scenario = spec.scenario;
  sweep.overrides = spec.overrides;
  sweep.seed = spec.seed;
  SweepAxis axis{std::string(kSizePointer), {}};
  std::vector<BusbwRow> rows;
  std::vector<size_t> run;  // indices into rows (and into the axis values)
  const uint64_t unit = busbw_smallest(c);
  for (uint64_t requested : spec.sizes) {
    // As nccl-tests: whole elements (per rank where each rank holds size/p), the size
    // rounded down to them; its count column is the elements per rank there.
    BusbwRow r;
    r.size = requested / unit * unit;
    r.count = requested / unit;  // unit: one float, or one per rank
    r.redop = redop_of(c.kind);
    r.root = root_of(c);
    if (r.size == 0) {
      r.size = requested;
      r.status = "skipped";
      r.message = split_per_rank(c.kind)
                      ? fmt::format("less than one {}-byte float per rank ({} ranks: {} B)",
                                    kBusbwElement, c.ranks, unit)
                      : fmt::format("less than one {}-byte float", kBusbwElement);
    } else {
      run.push_back(rows.size());
      axis.values.push_back(fmt::format("{} B", r.size));
    }
    rows.push_back(std::move(r));
  }
  sweep.axes.push_back(std::move(axis));
  std::vector<size_t> indices(run.size());
  for (size_t i = 0; i < run.size(); ++i) indices[i] = i;
  const auto results = run_points(sweep, indices, jobs, [&](size_t n) {
    if (done) done(n, run.size());
  });
  for (size_t i = 0; i < run.size(); ++i) {
    BusbwRow& r = rows[run[i]];
    const PointResult& p = results[i];
    r.status = p.status;
    r.message = p.message;
    if (p.status != "ok") continue;
    const Figure* t = find(p.figures, "makespan_ps");
    const Figure* alg = find(p.figures, "algorithm_bandwidth");
    const Figure* bus = find(p.figures, "bus_bandwidth");
    if (t == nullptr || alg == nullptr || bus == nullptr) {
      r.status = "failed";
      r.message = "the run's report has no makespan or bus bandwidth";
      continue;
    }
    r.makespan_ps = t->exact ? *t->exact : static_cast<int64_t>(std::llround(t->value));
    r.algbw = alg->value;
    r.busbw = bus->value;
    r.algorithm = p.algorithm;
    r.protocol = p.protocol;
  }
  return rows;
}

std::string busbw_table(const BusbwCollective& c, const std::vector<BusbwRow>& rows) {
  // The widths of nccl-tests' out-of-place columns; the header's first cell starts '#'.
  const auto line = [](std::string_view a, std::string_view b, std::string_view type,
                       std::string_view redop, std::string_view root, std::string_view time,
                       std::string_view algbw, std::string_view busbw) {
    return fmt::format("{:>12}  {:>12}  {:>8}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}", a, b, type,
                       redop, root, time, algbw, busbw);
  };
  std::string out = fmt::format("# roshni busbw: {}, {} over {} ranks, algorithm {}{}\n", c.name,
                                c.kind, c.ranks, c.algorithm,
                                c.auto_picked ? " (auto's pick at the scenario's own size; it "
                                                "may pick another per size: busbw.csv says which ran)"
                                              : "");
  out += "#\n";
  std::string h1 = line("size", "count", "type", "redop", "root", "time", "algbw", "busbw");
  std::string h2 = line("(B)", "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)");
  h1[0] = '#';
  h2[0] = '#';
  while (!h2.empty() && h2.back() == ' ') h2.pop_back();
  out += h1 + "\n" + h2 + "\n";
  size_t ok = 0;
  for (const auto& r : rows) {
    if (r.status != "ok") {
      out += fmt::format("# {} B: {}: {}\n", r.size, r.status, r.message);
      continue;
    }
    ++ok;
    out += line(std::to_string(r.size), std::to_string(r.count), "float", r.redop,
                std::to_string(r.root), time_text(static_cast<double>(r.makespan_ps) / 1e6),
                fmt::format("{:6.2f}", r.algbw / 1e9), fmt::format("{:6.2f}", r.busbw / 1e9));
    out += "\n";
  }
  double sum = 0;
  for (const auto& r : rows) sum += r.status == "ok" ? r.busbw / 1e9 : 0;
  out += fmt::format("# Avg bus bandwidth    : {:g}\n#\n",
                     ok > 0 ? sum / static_cast<double>(ok) : 0.0);
  return out;
}

std::string busbw_csv(const std::vector<BusbwRow>& rows) {
  std::string out;
  CsvWriter w(out);
  w.field("size_bytes").field("count").field("type").field("redop").field("root");
  w.field("time_us").field("algbw_GBps").field("busbw_GBps").field("makespan_ps");
  w.field("algorithm").field("protocol").end_row();
  for (const auto& r : rows) {
    if (r.status != "ok") continue;
    w.field(r.size).field(r.count).field("float").field(r.redop).field(r.root);
    w.field(static_cast<double>(r.makespan_ps) / 1e6).field(r.algbw / 1e9).field(r.busbw / 1e9);
    w.field(r.makespan_ps).field(r.algorithm).field(r.protocol).end_row();
  }
  return out;
}

std::string busbw_html(const BusbwSpec& spec, const BusbwCollective& c,
                       const std::vector<BusbwRow>& rows) {
  HtmlPage page;
  page.title = "Roshni busbw: " + c.name;
  size_t ok = 0;
  for (const auto& r : rows) ok += r.status == "ok";
  page.subtitle = fmt::format("{} · {} over {} ranks, {} · {} sizes, {} run", spec.scenario,
                              c.kind, c.ranks, c.algorithm, rows.size(), ok);
  HtmlSection plots{"plots", "Bus bandwidth by size",
                    "nccl-tests' busbw and algbw (doc/PERFORMANCE.md), log-log; sizes that were "
                    "skipped or failed are left out.",
                    {}};
  HtmlLinePlot plot;
  plot.id = "plot-busbw";
  plot.title = "busbw and algbw vs size";
  plot.x_label = "size (B)";
  plot.unit = "B/s";
  plot.figure = "bus_bandwidth";
  plot.x_scale = "log";
  plot.log_y = true;
  HtmlSeries bus{"busbw", {}}, alg{"algbw", {}};
  for (const auto& r : rows) {
    if (r.status != "ok" || !(r.busbw > 0) || !(r.algbw > 0)) continue;
    plot.x.push_back(fmt::format("{} B", r.size));
    plot.x_values.push_back(static_cast<double>(r.size));
    bus.y.emplace_back(r.busbw);
    alg.y.emplace_back(r.algbw);
  }
  plot.series = {std::move(bus), std::move(alg)};
  plots.blocks.emplace_back(std::move(plot));
  page.sections.push_back(std::move(plots));

  HtmlSection table{"sizes", "Sizes", "The rows of busbw.csv; skipped sizes say why.", {}};
  HtmlTable t;
  t.columns = {"size (B)", "count", "type", "redop", "root", "time (us)", "algbw (GB/s)",
               "busbw (GB/s)", "algorithm", "protocol", "status"};
  t.numeric = {true, true, false, false, true, true, true, true, false, false, false};
  for (const auto& r : rows) {
    const bool run = r.status == "ok";
    t.rows.push_back({std::to_string(r.size), std::to_string(r.count), "float", r.redop,
                      std::to_string(r.root),
                      run ? fmt::format("{:.2f}", static_cast<double>(r.makespan_ps) / 1e6) : "-",
                      run ? fmt::format("{:.2f}", r.algbw / 1e9) : "-",
                      run ? fmt::format("{:.2f}", r.busbw / 1e9) : "-", r.algorithm,
                      r.protocol, run ? "ok" : r.status + ": " + r.message});
  }
  table.blocks.emplace_back(std::move(t));
  page.sections.push_back(std::move(table));
  return render_html(page);
}

}  // namespace roshni::report
