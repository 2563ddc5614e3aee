#include "roshni/report/sweep.h"

#include "roshni/scenario/run.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "roshni/core/error.h"
#include "roshni/core/text.h"
#include "roshni/net/flow_model.h"
#include "roshni/report/csv.h"
#include "roshni/report/html.h"
#include "roshni/report/report.h"
#include "roshni/scenario/loader.h"

namespace roshni::report {
namespace {

/// "a.b.3" and "/a/b/3" to one JSON pointer, "/a/b/3" (as Document::apply_override
/// reads them).
std::string normalized_pointer(std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string(path);
  std::string out = "/";
  for (char c : path) out += c == '.' ? '/' : c;
  return out;
}

/// Splits at commas outside [], {} and "" (with \" escapes inside quotes).
std::vector<std::string> split_values(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 1 < text.size()) {
        cur += c;
        cur += text[++i];
        continue;
      }
      if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

scenario::LoadOptions load_options(const SweepSpec& spec, size_t index) {
  scenario::LoadOptions lo;
  lo.overrides = spec.overrides;
  lo.seed = spec.seed;
  const auto values = point_values(spec.axes, index);
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    lo.overrides.push_back(spec.axes[a].path + "=" + values[a]);
  }
  return lo;
}

using Json = nlohmann::ordered_json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<NumericAxis> numeric_axis(const std::vector<std::string>& values) {
  NumericAxis out;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string_view v = trim(values[i]);
    double d = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || end == v.data() || !std::isfinite(d)) return std::nullopt;
    const std::string unit(trim(std::string_view(end, v.data() + v.size() - end)));
    if (i == 0) {
      out.unit = unit;
    } else if (unit != out.unit) {
      return std::nullopt;  // "1 KiB,1 GiB": not one scale
    }
    out.values.push_back(d);
  }
  if (out.values.empty()) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(out.values.begin(), out.values.end());
  out.log = *lo > 0 && *hi > kLogSpan * *lo;
  return out;
}

bool log_scale(const std::vector<double>& values) {
  if (values.empty()) return false;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return *lo > 0 && *hi > kLogSpan * *lo;
}

std::vector<SweepAxis> parse_axes(const std::vector<std::string>& specs,
                                  const std::vector<std::string>& sets) {
  std::vector<SweepAxis> axes;
  std::vector<std::string> pointers;
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ScenarioError("--axis", "",
                          fmt::format("expected PATH=V1,V2,... (like topology.gpus=8,16), got {}",
                                      quote_text(spec)));
    }
    SweepAxis axis{spec.substr(0, eq), {}};
    const std::string pointer = normalized_pointer(axis.path);
    if (std::find(pointers.begin(), pointers.end(), pointer) != pointers.end()) {
      throw ScenarioError("--axis", pointer,
                          fmt::format("the axis {} is given twice; give its values once, "
                                      "separated by commas",
                                      quote_text(axis.path)));
    }
    for (const std::string& set : sets) {
      if (normalized_pointer(set.substr(0, set.find('='))) == pointer) {
        throw ScenarioError("--axis", pointer,
                            fmt::format("{} is both an axis and set with --set {}; drop one",
                                        quote_text(axis.path), quote_text(set)));
      }
    }
    if (eq + 1 == spec.size()) {
      throw ScenarioError("--axis", pointer,
                          fmt::format("the axis {} has no values; give them as {}=V1,V2,...",
                                      quote_text(axis.path), axis.path));
    }
    axis.values = split_values(std::string_view(spec).substr(eq + 1));
    for (size_t i = 0; i < axis.values.size(); ++i) {
      if (axis.values[i].empty()) {
        throw ScenarioError("--axis", pointer,
                            fmt::format("value {} of the axis {} is empty", i + 1,
                                        quote_text(axis.path)));
      }
      for (size_t j = 0; j < i; ++j) {
        if (axis.values[j] == axis.values[i]) {
          throw ScenarioError("--axis", pointer,
                              fmt::format("the axis {} has the value {} twice",
                                          quote_text(axis.path), quote_text(axis.values[i])));
        }
      }
    }
    pointers.push_back(pointer);
    axes.push_back(std::move(axis));
  }
  return axes;
}

size_t point_count(const std::vector<SweepAxis>& axes) {
  size_t n = 1;
  for (const auto& a : axes) n *= a.values.size();
  return n;
}

std::vector<std::string> point_values(const std::vector<SweepAxis>& axes, size_t index) {
  std::vector<std::string> values(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    values[a] = axes[a].values[index % axes[a].values.size()];
    index /= axes[a].values.size();
  }
  return values;
}

std::string check_axes(const SweepSpec& spec) {
  scenario::LoadOptions base;
  base.overrides = spec.overrides;
  base.seed = spec.seed;
  scenario::load_scenario(spec.scenario, base);  // the scenario and --set on their own
  std::optional<ScenarioError> first;
  const size_t n = point_count(spec.axes);
  for (size_t i = 0; i < n; ++i) {
    try {
      return scenario::load_scenario(spec.scenario, load_options(spec, i)).name;
    } catch (const ScenarioError& e) {
      if (!first) first = e;
    }
  }
  if (first->file() == "--set") throw ScenarioError("--axis", first->pointer(), first->message());
  throw *first;
}

PointResult run_point(const SweepSpec& spec, size_t index) {
  PointResult out;
  try {
    auto s = scenario::load_scenario(spec.scenario, load_options(spec, index));
    const auto outcome = scenario::simulate(s);
    const auto& r = outcome.net;
    if (!r.unfinished.empty()) {
      out.status = "unfinished";
      out.message = fmt::format("the run ended with {} of {} flows unfinished",
                                r.unfinished.size(), s.flows.size());
      return out;
    }
    s.report.per_flow = false;  // only the summary is read back
    const Json doc = parse_report_text(report_json(s, r, summarize(s, r),
                                                   outcome.packet ? &*outcome.packet : nullptr,
                                                   outcome.power ? &*outcome.power : nullptr));
    out.figures = summary_figures(doc, s.file);
    out.algorithm = s.workload.algorithm;
    out.protocol = s.workload.protocol;
    out.status = "ok";
  } catch (const ScenarioError& e) {
    out.status = "invalid";
    out.message = e.what();
  } catch (const std::exception& e) {
    out.status = "failed";
    out.message = e.what();
  }
  return out;
}

std::vector<PointResult> run_points(const SweepSpec& spec, const std::vector<size_t>& indices,
                                    unsigned jobs, const std::function<void(size_t)>& done) {
  std::vector<PointResult> out(indices.size());
  const size_t n = indices.size();
  jobs = static_cast<unsigned>(std::clamp<size_t>(jobs, 1, std::max<size_t>(n, 1)));
  std::atomic<size_t> next{0};
  std::mutex m;
  std::condition_variable cv;
  size_t finished = 0;  // guarded by m
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < jobs; ++j) {
    workers.emplace_back([&]() {
      for (size_t k = next++; k < n; k = next++) {
        out[k] = run_point(spec, indices[k]);  // each slot written by one thread only
        {
          const std::lock_guard lock(m);
          ++finished;
        }
        cv.notify_one();
      }
    });
  }
  {
    std::unique_lock lock(m);
    size_t reported = 0;
    while (reported < n) {
      cv.wait(lock, [&]() { return finished > reported; });
      reported = finished;
      if (done) {
        lock.unlock();
        done(reported);
        lock.lock();
      }
    }
  }
  for (auto& w : workers) w.join();
  return out;
}

std::string encode_results(const std::vector<size_t>& indices,
                           const std::vector<PointResult>& results) {
  Json arr = Json::array();
  for (size_t k = 0; k < indices.size(); ++k) {
    Json figures = Json::array();
    for (const auto& f : results[k].figures) {
      Json exact = f.exact ? Json(*f.exact) : Json(nullptr);
      figures.push_back({f.name, f.value, f.unit, exact});
    }
    arr.push_back({indices[k], results[k].status, results[k].message, figures});
  }
  return arr.dump();
}

void decode_results(const std::string& text, std::vector<PointResult>& all) {
  for (const auto& e : Json::parse(text)) {
    const size_t index = e[0].get<size_t>();
    PointResult r;
    r.status = e[1].get<std::string>();
    r.message = e[2].get<std::string>();
    for (const auto& f : e[3]) {
      std::optional<int64_t> exact;
      if (f.size() > 3 && f[3].is_number_integer()) exact = f[3].get<int64_t>();
      r.figures.push_back({f[0].get<std::string>(), f[1].get<double>(), f[2].get<std::string>(), exact});
    }
    if (index < all.size()) all[index] = std::move(r);
  }
}

std::string figure_column(const Figure& f) {
  std::string suffix;
  if (f.unit == "1" || f.unit.empty()) {
    suffix = "";
  } else if (f.unit == "B") {
    suffix = "bytes";
  } else if (f.unit == "B/s") {
    suffix = "bytes_per_s";
  } else {
    for (char c : f.unit) {
      if (c == '/') {
        suffix += "_per_";
      } else {
        suffix += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      }
    }
  }
  if (suffix.empty() || f.name.ends_with("_" + suffix) || f.name.ends_with("." + suffix)) {
    return f.name;
  }
  return f.name + "_" + suffix;
}

namespace {

/// The figures of all points in the order the points first give them.
std::vector<Figure> figure_columns(const std::vector<PointResult>& all) {
  std::vector<Figure> cols;
  for (const auto& p : all) {
    for (const auto& f : p.figures) {
      const bool seen = std::any_of(cols.begin(), cols.end(),
                                    [&](const Figure& c) { return c.name == f.name; });
      if (!seen) cols.push_back({f.name, 0, f.unit});
    }
  }
  return cols;
}

const Figure* find_figure(const PointResult& p, const std::string& name) {
  for (const auto& f : p.figures) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

std::string sweep_csv(const SweepSpec& spec, const std::vector<PointResult>& all) {
  const auto cols = figure_columns(all);
  std::string out;
  CsvWriter w(out);
  w.field("point");
  for (const auto& a : spec.axes) w.field(a.path);
  w.field("status").field("message");
  for (const auto& c : cols) w.field(figure_column(c));
  w.end_row();
  for (size_t i = 0; i < all.size(); ++i) {
    w.field(static_cast<uint64_t>(i));
    for (const auto& v : point_values(spec.axes, i)) w.field(v);
    w.field(all[i].status).field(all[i].message);
    for (const auto& c : cols) {
      const Figure* f = find_figure(all[i], c.name);
      if (f == nullptr) {
        w.field("");
      } else if (f->unit != c.unit) {
        w.field(fmt::format("{} {}", f->value, f->unit));
      } else if (f->exact) {
        w.field(*f->exact);  // as report.json wrote it: makespan_ps in whole picoseconds
      } else {
        w.field(f->value);
      }
    }
    w.end_row();
  }
  return out;
}

std::string sweep_html(const SweepSpec& spec, const std::string& name,
                       const std::vector<PointResult>& all) {
  HtmlPage page;
  page.title = "Roshni sweep: " + name;
  size_t ok = 0;
  for (const auto& p : all) ok += p.status == "ok";
  std::string axes;
  for (const auto& a : spec.axes) {
    axes += fmt::format("{}{} ({} values)", axes.empty() ? "" : " × ", a.path, a.values.size());
  }
  page.subtitle = fmt::format("{} · {} · {} points, {} ok", spec.scenario, axes, all.size(), ok);

  HtmlSection plots{"plots", "Plots", "", {}};
  if (!spec.axes.empty()) {
    const SweepAxis& x = spec.axes[0];
    const std::optional<NumericAxis> x_numeric = numeric_axis(x.values);
    const size_t others = all.size() / x.values.size();  // combinations of the other axes
    plots.note = spec.axes.size() > 1
                     ? fmt::format("x: {}; one line per value of {}", x.path,
                                   [&]() {
                                     std::string s;
                                     for (size_t a = 1; a < spec.axes.size(); ++a) {
                                       s += (a > 1 ? ", " : "") + spec.axes[a].path;
                                     }
                                     return s;
                                   }())
                     : fmt::format("x: {}", x.path);
    for (std::string_view plotted : kSweepPlotted) {
      const std::string fig(plotted);
      std::string unit;
      for (const auto& p : all) {
        if (const Figure* f = find_figure(p, fig); f != nullptr && unit.empty()) unit = f->unit;
      }
      if (unit.empty()) continue;
      HtmlLinePlot plot;
      plot.id = "plot-" + fig;
      for (char& c : plot.id) c = c == '.' || c == '_' ? '-' : c;
      plot.title = fmt::format("{} vs {}", fig, x.path);
      plot.x_label = x.path;
      plot.unit = unit;
      plot.figure = fig;
      plot.x = x.values;
      if (x_numeric) {
        plot.x_scale = x_numeric->log ? "log" : "linear";
        plot.x_values = x_numeric->values;
        if (!x_numeric->unit.empty()) plot.x_label += " (" + x_numeric->unit + ")";
      }
      std::vector<double> ys;
      for (size_t k = 0; k < others; ++k) {
        HtmlSeries series;
        // Point index = xi * others + k (the first axis varies slowest).
        const auto values = point_values(spec.axes, k);
        for (size_t a = 1; a < spec.axes.size(); ++a) {
          series.name += (a > 1 ? ", " : "") + spec.axes[a].path + "=" + values[a];
        }
        if (series.name.empty()) series.name = fig;
        for (size_t xi = 0; xi < x.values.size(); ++xi) {
          const Figure* f = find_figure(all[xi * others + k], fig);
          series.y.push_back(f != nullptr && f->unit == unit ? std::optional(f->value)
                                                             : std::nullopt);
          if (series.y.back()) ys.push_back(*series.y.back());
        }
        plot.series.push_back(std::move(series));
      }
      plot.log_y = log_scale(ys);
      plots.blocks.emplace_back(std::move(plot));
    }
  }
  page.sections.push_back(std::move(plots));

  HtmlSection table{"points", "Points", "The rows of sweep.csv, values in readable units.", {}};
  HtmlTable t;
  const auto cols = figure_columns(all);
  t.columns.push_back("point");
  for (const auto& a : spec.axes) t.columns.push_back(a.path);
  t.columns.push_back("status");
  for (const auto& c : cols) t.columns.push_back(c.name);
  t.numeric.assign(t.columns.size(), true);
  for (size_t a = 0; a <= spec.axes.size(); ++a) t.numeric[1 + a] = false;
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<std::string> row{std::to_string(i)};
    for (const auto& v : point_values(spec.axes, i)) row.push_back(v);
    row.push_back(all[i].status == "ok" ? "ok" : all[i].status + ": " + all[i].message);
    for (const auto& c : cols) {
      const Figure* f = find_figure(all[i], c.name);
      row.push_back(f == nullptr ? "-" : readable(f->value, f->unit, c.name));
    }
    t.rows.push_back(std::move(row));
  }
  table.blocks.emplace_back(std::move(t));
  page.sections.push_back(std::move(table));
  return render_html(page);
}

}  // namespace roshni::report
