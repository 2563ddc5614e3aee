// report.html: the page of one finished run (summary, links, timeline, then the
// report's optional sections).
#include "roshni/report/html.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "roshni/report/check.h"
#include "roshni/report/readable_units.h"
#include "roshni/report/report.h"
#include "report/html_widgets.h"

namespace roshni::report {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

namespace {

HtmlSection summary_section(const scenario::Scenario& s, const Json& report) {
  HtmlTable run;
  run.columns = {"", ""};
  run.rows.push_back({"scenario", bounded(s.name, kMaxHtmlName)});
  if (!s.description.empty()) {
    run.rows.push_back({"description", bounded(s.description, kMaxHtmlDescription)});
  }
  run.rows.push_back({"file", report_path(s.file)});
  run.rows.push_back({"seed", std::to_string(s.seed)});
  run.rows.push_back({"network model", s.network_model});
  run.rows.push_back({"GPUs / nodes / links",
                      fmt::format("{} / {} / {}", s.topology.gpus().size(),
                                  s.topology.node_count(), s.topology.link_count() / 2)});
  std::string workload = s.workload.kind;
  if (!s.workload.algorithm.empty()) workload += ", algorithm " + s.workload.algorithm;
  if (!s.workload.selected_by.empty()) workload += " (" + s.workload.selected_by + ")";
  run.rows.push_back({"workload", workload});
  run.rows.push_back({"ranks", std::to_string(s.workload.ranks)});
  run.rows.push_back({"size", readable_figure(s.workload.size.si(), "B")});
  HtmlSection out = report.contains("summary")
                        ? json_section("summary", "Summary", report["summary"], false)
                        : HtmlSection{"summary", "Summary", "", {}};
  out.blocks.insert(out.blocks.begin(), std::move(run));
  return out;
}

HtmlSection links_section(const scenario::Scenario& s, const net::RunResult& r) {
  const auto& topo = s.topology;
  const double t = r.makespan.duration().si();
  const auto util = [&](uint32_t l) {
    const double cap = topo.link_capacity(LinkId(l)).si();
    return t > 0 && cap > 0 ? r.link_bytes[l].si() / (cap * t) : 0.0;
  };
  HtmlSection sec{"links", "Link utilisation",
                  "Utilisation of a directed link is the bytes it carried over its capacity "
                  "times the makespan (links.csv has every link).",
                  {}};
  // By topology role (report.json's links_by_role), when the topology gives roles.
  const auto by_role = link_use_by_role(s, r);
  if (std::any_of(by_role.begin(), by_role.end(), [](const RoleUse& u) { return !u.role.empty(); })) {
    HtmlTable roles;
    roles.columns = {"role", "links", "carried", "mean utilisation", "max utilisation"};
    roles.numeric = {false, true, true, true, true};
    for (const RoleUse& u : by_role) {
      roles.rows.push_back({u.role.empty() ? "(none)" : u.role, std::to_string(u.links),
                            readable_figure(u.bytes.si(), "B"),
                            fmt::format("{:.2f} %", 100 * u.mean_utilisation),
                            fmt::format("{:.2f} %", 100 * u.max_utilisation)});
    }
    sec.blocks.emplace_back(std::move(roles));
  }
  std::vector<uint32_t> order;
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    if (r.link_bytes[l].si() > 0) order.push_back(l);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return util(a) > util(b); });
  constexpr size_t kTop = 20;
  HtmlBarChart top;
  top.id = "chart-top-links";
  top.title = fmt::format("Busiest directed links: top {} of {} that carried traffic",
                          std::min(kTop, order.size()), order.size());
  top.unit = "%";
  top.max = 1.0;
  for (size_t i = 0; i < order.size() && i < kTop; ++i) {
    const uint32_t l = order[i];
    top.bars.push_back({topo.link_name(LinkId(l)), util(l),
                        fmt::format("{:.2f} %", 100 * util(l)),
                        "(" + readable_figure(r.link_bytes[l].si(), "B") + " carried)"});
  }
  sec.blocks.emplace_back(std::move(top));

  HtmlBarChart hist;
  hist.id = "chart-utilisation-histogram";
  hist.title = fmt::format("Directed links by utilisation ({} links)", topo.link_count());
  hist.unit = "links";
  std::array<uint64_t, 11> bins{};  // idle, then [0,10%), ..., [90%, 100%]
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    if (r.link_bytes[l].si() <= 0) {
      ++bins[0];
    } else {
      ++bins[1 + std::min<size_t>(9, static_cast<size_t>(util(l) * 10))];
    }
  }
  for (size_t b = 0; b < bins.size(); ++b) {
    const std::string label =
        b == 0 ? "idle" : fmt::format("{}-{}%", (b - 1) * 10, b * 10);
    hist.bars.push_back({label, static_cast<double>(bins[b]), std::to_string(bins[b]) + " links", ""});
  }
  sec.blocks.emplace_back(std::move(hist));

  // Node-by-node heatmap of the busiest link from row to column, small fabrics only.
  constexpr size_t kMaxHeatmapNodes = 48;
  std::vector<uint32_t> nodes;
  std::vector<int> index(topo.node_count(), -1);
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    for (NodeId n : {topo.link_from(LinkId(l)), topo.link_to(LinkId(l))}) {
      if (index[n.value()] < 0) {
        index[n.value()] = 0;
        nodes.push_back(n.value());
      }
    }
  }
  std::sort(nodes.begin(), nodes.end());
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = static_cast<int>(i);
  if (nodes.size() > kMaxHeatmapNodes) {
    sec.note += fmt::format(" The node-by-node heatmap is drawn for fabrics of up to {} nodes; "
                            "this one has {}.",
                            kMaxHeatmapNodes, nodes.size());
    return sec;
  }
  const size_t n = nodes.size();
  std::vector<double> cell(n * n, -1);  // -1: no link
  for (uint32_t l = 0; l < topo.link_count(); ++l) {
    const size_t i = index[topo.link_from(LinkId(l)).value()];
    const size_t j = index[topo.link_to(LinkId(l)).value()];
    cell[i * n + j] = std::max(cell[i * n + j], util(l));
  }
  const double size = std::min(16.0, 560.0 / std::max<size_t>(n, 1));
  const double left = 120, top_y = 110;
  const int height = static_cast<int>(top_y + size * static_cast<double>(n) + 40);
  std::string svg = svg_open("chart-link-heatmap", height, "link utilisation heatmap", "%");
  svg += svg_text(0, 16, "Utilisation of the link from row to column (darkest: 100%)", "start",
                  "title");
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = topo.node_name(NodeId(nodes[i]));
    const double y = top_y + size * static_cast<double>(i);
    svg += svg_text(left - 4, y + size * 0.75, shorten(name, 16), "end");
    const double x = left + size * static_cast<double>(i) + size * 0.7;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" transform=\"rotate(-60 {} {})\">{}</text>\n",
                       px(x), px(top_y - 4), px(x), px(top_y - 4), html_escape(shorten(name, 16)));
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double u = cell[i * n + j];
      if (u < 0) continue;
      svg += fmt::format(
          "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "stroke=\"#fff\"><title>{}</title></rect>\n",
          px(left + size * static_cast<double>(j)), px(top_y + size * static_cast<double>(i)),
          px(size), px(size), heat_colour(u),
          html_escape(fmt::format("{} -> {}: {:.2f}%", topo.node_name(NodeId(nodes[i])),
                                  topo.node_name(NodeId(nodes[j])), 100 * u)));
    }
  }
  const double ly = top_y + size * static_cast<double>(n) + 14;
  for (int k = 0; k <= 10; ++k) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{}\"/>\n",
                       px(left + 16 * k), px(ly), heat_colour(k / 10.0));
  }
  svg += svg_text(left - 4, ly + 9, "0%", "end");
  svg += svg_text(left + 16 * 11 + 4, ly + 9, "100%");
  svg += "</svg>\n";
  sec.blocks.emplace_back(HtmlMarkup{std::move(svg)});
  return sec;
}

}  // namespace

HtmlMarkup timeline_svg(const scenario::Scenario& s, const net::RunResult& r, size_t max_rows) {
  const auto& flows = s.flows;
  const auto& topo = s.topology;
  const int64_t span = std::max<int64_t>(1, r.makespan.ps());
  constexpr double kLeft = 130, kPlot = 800, kRow = 16, kTop = 30;
  const double ps_per_px = static_cast<double>(span) / kPlot;
  const auto xpos = [&](int64_t t) { return kLeft + kPlot * static_cast<double>(t) / span; };

  // Lanes of label groups: "allreduce/rs3/r5" is collective "allreduce", step
  // "allreduce/rs3". A group spans its flows' first start to last end.
  struct Group {
    int64_t start, end;
    uint64_t count;
  };
  constexpr size_t kMaxGroups = 400;
  std::array<std::unordered_map<std::string, size_t>, 2> lookup;  // lookup only
  std::array<std::vector<std::pair<std::string, Group>>, 2> groups;
  std::array<bool, 2> too_many{false, false};
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const std::string& label = flows.label(FlowId(i));
    const auto first = label.find('/');
    const auto last = label.rfind('/');
    if (first == std::string::npos) continue;
    for (int lane = 0; lane < 2; ++lane) {
      if (too_many[lane]) continue;
      std::string key = label.substr(0, lane == 0 ? first : last);
      auto [it, inserted] = lookup[lane].try_emplace(key, groups[lane].size());
      if (inserted) {
        if (groups[lane].size() == kMaxGroups) {
          too_many[lane] = true;
          continue;
        }
        groups[lane].push_back({key, {r.start[i].ps(), r.end[i].ps(), 0}});
      }
      Group& g = groups[lane][it->second].second;
      g.start = std::min(g.start, r.start[i].ps());
      g.end = std::max(g.end, r.end[i].ps());
      ++g.count;
    }
  }
  const bool step_lane = !groups[1].empty() && !too_many[1] &&
                         !(groups[1].size() == groups[0].size());
  const int lanes = (groups[0].empty() || too_many[0] ? 0 : 1) + (step_lane ? 1 : 0);

  // Rows: sending nodes (and nodes with compute steps) in id order.
  std::vector<int> row_of(topo.node_count(), -1);
  for (uint32_t i = 0; i < flows.size(); ++i) row_of[flows.src(FlowId(i)).value()] = 0;
  std::vector<uint32_t> rows;
  size_t senders = 0;
  for (uint32_t n = 0; n < topo.node_count(); ++n) {
    if (row_of[n] < 0) continue;
    ++senders;
    if (rows.size() < max_rows) {
      row_of[n] = static_cast<int>(rows.size());
      rows.push_back(n);
    } else {
      row_of[n] = -1;
    }
  }
  // Per row and kind (0 flow, 1 compute), intervals merged when less than half a pixel
  // apart: at most one rectangle per pixel column, whatever the number of flows.
  std::vector<std::array<std::vector<std::pair<int64_t, int64_t>>, 2>> spans(rows.size());
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const int row = row_of[flows.src(FlowId(i)).value()];
    if (row < 0) continue;
    spans[row][flows.is_task(FlowId(i)) ? 1 : 0].emplace_back(r.start[i].ps(), r.end[i].ps());
  }

  const double rows_top = kTop + lanes * (kRow + 4) + 6;
  const int height = static_cast<int>(rows_top + kRow * static_cast<double>(rows.size()) + 44);
  // The time axis in one unit, from the span ("ms" for every tick of a 37.6 ms run).
  const DisplayScale scale = display_scale(static_cast<double>(span), "ps");
  std::string svg = svg_open("chart-timeline", height, "timeline", scale.symbol);
  svg += svg_text(0, 16,
                  fmt::format("Timeline: {} of {} sending nodes, 0 to {}", rows.size(), senders,
                              format_in(static_cast<double>(r.makespan.ps()), scale)),
                  "start", "title");
  int lane_row = 0;
  for (int lane = 0; lane < 2; ++lane) {
    if (lane == 0 && (groups[0].empty() || too_many[0])) continue;
    if (lane == 1 && !step_lane) continue;
    const double y = kTop + lane_row++ * (kRow + 4);
    svg += svg_text(kLeft - 6, y + 12, lane == 0 ? "collective" : "step", "end");
    std::vector<std::pair<std::string, Group>> g = groups[lane];
    std::stable_sort(g.begin(), g.end(),
                     [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    for (size_t k = 0; k < g.size(); ++k) {
      const auto& [name, grp] = g[k];
      svg += fmt::format(
          "<rect class=\"phase\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"0.75\"><title>{}</title></rect>\n",
          px(xpos(grp.start)), px(y), px(std::max(1.0, xpos(grp.end) - xpos(grp.start))),
          kRow, k % 2 == 0 ? "#6a5acd" : "#a79ee8",
          html_escape(fmt::format("{}: {} entries, {} to {}", name, grp.count,
                                  to_string(SimTime::ps(grp.start)),
                                  to_string(SimTime::ps(grp.end)))));
    }
  }
  for (size_t row = 0; row < rows.size(); ++row) {
    const double y = rows_top + kRow * static_cast<double>(row);
    const std::string& name = topo.node_name(NodeId(rows[row]));
    svg += svg_text(kLeft - 6, y + 12, shorten(name, 18), "end");
    for (int kind = 0; kind < 2; ++kind) {
      auto& v = spans[row][kind];
      std::sort(v.begin(), v.end());
      size_t i = 0;
      while (i < v.size()) {
        int64_t a = v[i].first, b = v[i].second;
        uint64_t count = 1;
        while (++i < v.size() && static_cast<double>(v[i].first - b) < ps_per_px / 2) {
          b = std::max(b, v[i].second);
          ++count;
        }
        svg += fmt::format(
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
            "<title>{}</title></rect>\n",
            kind == 0 ? "span" : "span compute", px(xpos(a)),
            px(y + (kind == 0 ? 2 : kRow / 2)), px(std::max(1.0, xpos(b) - xpos(a))),
            px(kind == 0 ? kRow - 4 : kRow / 2 - 2), kind == 0 ? "#3b7dd8" : "#e8a33d",
            html_escape(fmt::format("{}: {} {} from {} to {}", name, count,
                                    kind == 0 ? (count == 1 ? "flow" : "flows")
                                              : (count == 1 ? "compute step" : "compute steps"),
                                    to_string(SimTime::ps(a)),
                                    to_string(SimTime::ps(b)))));
      }
    }
  }
  // Time axis.
  const double axis_y = rows_top + kRow * static_cast<double>(rows.size()) + 4;
  svg += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(kLeft),
                     px(axis_y), px(kLeft + kPlot), px(axis_y));
  const double step = nice_step(static_cast<double>(span), 8);
  for (double t = 0; t <= static_cast<double>(span) * (1 + 1e-9); t += step) {
    const double x = xpos(static_cast<int64_t>(std::llround(t)));
    svg += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", px(x),
                       px(axis_y), px(x), px(axis_y + 4));
    svg += svg_text(x, axis_y + 17, format_in(std::round(t), scale), "middle");
  }
  const double ly = axis_y + 32;
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"8\" fill=\"#3b7dd8\"/>\n",
                     px(kLeft), px(ly - 8));
  svg += svg_text(kLeft + 16, ly, "sending (start of transfer to delivery)");
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"8\" fill=\"#e8a33d\"/>\n",
                     px(kLeft + 300), px(ly - 8));
  svg += svg_text(kLeft + 316, ly, "compute step");
  svg += "</svg>\n";
  return {std::move(svg)};
}

HtmlPage run_page(const scenario::Scenario& s, const net::RunResult& r, const Json& report) {
  HtmlPage page;
  page.title = "Roshni report: " + bounded(s.name, kMaxHtmlName);
  page.subtitle = fmt::format("{} · seed {} · roshni {} · {} flows, makespan {}", report_path(s.file), s.seed,
                              kVersion, s.flows.size(), to_string(r.makespan));
  page.sections.push_back(summary_section(s, report));
  page.sections.push_back(links_section(s, r));
  constexpr size_t kMaxRows = 64;
  HtmlSection timeline{"timeline", "Timeline",
                       "Each row is a node that sends: a bar from the start of a transfer to "
                       "the delivery of its last byte, merged where flows follow each other "
                       "within half a pixel (hover for counts). The top lanes span each "
                       "collective and each of its steps, from their flows' labels. trace.json "
                       "has every flow.",
                       {}};
  timeline.blocks.emplace_back(timeline_svg(s, r, kMaxRows));
  page.sections.push_back(std::move(timeline));
  // The report's optional sections: the known ones in their order, then any other.
  const auto core = {"schema",  "generator", "scenario",      "workload",
                     "summary", "links",     "links_by_role", "flows"};
  for (const auto& o : kOptionalSections) {
    const std::string key(o.key);
    if (report.contains(key)) page.sections.push_back(json_section(key, std::string(o.title), report[key]));
  }
  for (const auto& [key, value] : report.items()) {
    if (std::find(std::begin(core), std::end(core), key) != std::end(core)) continue;
    bool known = false;
    for (const auto& o : kOptionalSections) known = known || o.key == key;
    if (!known) page.sections.push_back(json_section(key, key, value));
  }
  return page;
}

std::string run_html(const scenario::Scenario& s, const net::RunResult& r,
                     const std::string& report_text) {
  return render_html(run_page(s, r, parse_report_text(report_text)));
}

}  // namespace roshni::report
