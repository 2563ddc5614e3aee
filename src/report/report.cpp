#include "roshni/report/report.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "roshni/coll/collective.h"
#include "roshni/report/json_writer.h"
#include "roshni/report/packet_report.h"
#include "roshni/report/power_report.h"

namespace roshni::report {

std::vector<RoleUse> link_use_by_role(const scenario::Scenario& s, const net::RunResult& r) {
  const double t = r.makespan.duration().si();
  std::map<std::string, RoleUse, std::less<>> by_role;  // ordered by name: deterministic
  for (uint32_t l = 0; l < r.link_bytes.size(); ++l) {
    const double capacity = s.topology.link_capacity(LinkId(l)).si();
    const double u = t > 0 && capacity > 0 ? r.link_bytes[l].si() / (capacity * t) : 0.0;
    const std::string_view role = s.topology.link_role(LinkId(l));
    auto it = by_role.find(role);
    if (it == by_role.end()) {
      it = by_role.emplace(std::string(role), RoleUse{std::string(role)}).first;
    }
    RoleUse& use = it->second;
    if (l % 2 == 0) ++use.links;  // directed links 2k and 2k+1 are one physical link
    use.bytes += r.link_bytes[l];
    use.mean_utilisation += u;    // a sum until the end
    use.max_utilisation = std::max(use.max_utilisation, u);
  }
  std::vector<RoleUse> out;
  for (auto& [role, use] : by_role) {
    use.mean_utilisation /= 2.0 * static_cast<double>(use.links);
    out.push_back(std::move(use));
  }
  return out;
}

Summary summarize(const scenario::Scenario& s, const net::RunResult& r) {
  Summary out;
  out.makespan = r.makespan;
  out.flows = s.flows.size();
  // One replica standing for all: the whole cluster's payload (the flows are one replica's).
  out.payload = s.fold.replicas > 1 ? s.fold.payload : s.flows.total_size();
  out.events = r.events;
  out.rate_solves = r.rate_solves;
  const double t = r.makespan.duration().si();
  for (uint32_t l = 0; l < r.link_bytes.size(); ++l) {
    out.link_traffic += r.link_bytes[l];
    const double capacity = s.topology.link_capacity(LinkId(l)).si();
    const double u = t > 0 && capacity > 0 ? r.link_bytes[l].si() / (capacity * t) : 0.0;
    if (!out.busiest_link.valid() || u > out.busiest_utilisation) {
      out.busiest_link = LinkId(l);
      out.busiest_utilisation = u;
      out.busiest_bytes = r.link_bytes[l];
    }
  }
  out.by_role = link_use_by_role(s, r);
  // nccl-tests, doc/PERFORMANCE.md: algbw = S/t with S nccl-tests' size of the operation (the
  // workload's size, coll/collective.h: for all-gather the gathered output, for
  // reduce-scatter the input, for all-to-all each rank's send buffer); busbw = algbw x a
  // factor that makes it the bandwidth each rank's link needed: 2(n-1)/n for all-reduce,
  // (n-1)/n for all-gather, reduce-scatter and all-to-all, 1 for broadcast and p2p.
  const auto kind = coll::collective_kind(s.workload.kind);
  if (kind && t > 0) {
    const double n = s.workload.ranks;
    double factor = 1;
    switch (*kind) {
      case coll::CollectiveKind::all_reduce:
        factor = 2 * (n - 1) / n;
        break;
      case coll::CollectiveKind::all_gather:
      case coll::CollectiveKind::reduce_scatter:
      case coll::CollectiveKind::all_to_all:
        factor = (n - 1) / n;
        break;
      case coll::CollectiveKind::broadcast:
      case coll::CollectiveKind::reduce:
      case coll::CollectiveKind::p2p:
        factor = 1;
        break;
    }
    out.algorithm_bandwidth = bytes_per_second(s.workload.size.si() / t);
    out.bus_bandwidth = *out.algorithm_bandwidth * factor;
  }
  if (s.training) out.training = summarize_training(s, r);
  if (s.serving) out.serving = summarize_serving(s, r);
  out.circuit_changes = circuit_changes(s, r);
  return out;
}

namespace {

void write_links(JsonWriter& w, const scenario::Scenario& s, const net::RunResult& r) {
  const auto& topo = s.topology;
  const double t = r.makespan.duration().si();
  w.key("links").begin_object();
  w.key("columns").begin_row();
  for (const char* c : {"link", "from", "to", "capacity", "latency", "bytes", "utilisation",
                        "length", "part", "role"}) {
    w.value(c);
  }
  w.end_array();
  w.key("units").begin_row();
  for (const char* u : {"", "", "", "B/s", "ps", "B", "1", "m", "", ""}) w.value(u);
  w.end_array();
  w.key("rows").begin_array();
  for (uint32_t i = 0; i < topo.link_count(); ++i) {
    const LinkId l(i);
    const double capacity = topo.link_capacity(l).si();
    w.begin_row()
        .value(i)
        .value(topo.node_name(topo.link_from(l)))
        .value(topo.node_name(topo.link_to(l)))
        .value(capacity)
        .value(topo.link_latency(l).ps())
        .value(r.link_bytes[i].si())
        .value(t > 0 && capacity > 0 ? r.link_bytes[i].si() / (capacity * t) : 0.0)
        .value(topo.link_length(l).si())
        .value(topo.link_part(l))
        .value(topo.link_role(l))
        .end_array();
  }
  w.end_array().end_object();
}

/// The per-role table: one row per topology link role (Summary::by_role), "" for links
/// without one.
void write_links_by_role(JsonWriter& w, const Summary& sum) {
  w.key("links_by_role").begin_object();
  w.key("columns").begin_row();
  for (const char* c : {"role", "links", "bytes", "mean_utilisation", "max_utilisation"}) {
    w.value(c);
  }
  w.end_array();
  w.key("units").begin_row();
  for (const char* u : {"", "1", "B", "1", "1"}) w.value(u);
  w.end_array();
  w.key("rows").begin_array();
  for (const RoleUse& u : sum.by_role) {
    w.begin_row()
        .value(u.role)
        .value(u.links)
        .value(u.bytes.si())
        .value(u.mean_utilisation)
        .value(u.max_utilisation)
        .end_array();
  }
  w.end_array().end_object();
}

void write_flows(JsonWriter& w, const scenario::Scenario& s, const net::RunResult& r) {
  const auto& flows = s.flows;
  w.key("flows").begin_object();
  w.key("columns").begin_row();
  for (const char* c : {"id", "src", "dst", "size", "start", "end", "kind"}) w.value(c);
  w.end_array();
  w.key("units").begin_row();
  for (const char* u : {"", "", "", "B", "ps", "ps", ""}) w.value(u);
  w.end_array();
  w.key("rows").begin_array();
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowId f(i);
    w.begin_row()
        .value(flows.label(f))
        .value(s.topology.node_name(flows.src(f)))
        .value(s.topology.node_name(flows.dst(f)))
        .value(flows.flow_size(f).si())
        .value(r.start[i].ps())
        .value(r.end[i].ps())
        .value(flows.is_task(f) ? "compute" : "flow")
        .end_array();
  }
  w.end_array().end_object();
}

}  // namespace

std::string report_path(const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec || file.empty()) return file;
  // Lexical only: the path as typed and the working directory as the kernel gives it,
  // no symlinks resolved (a file reached through a link keeps the link's name).
  const fs::path abs = (fs::path(file).is_absolute() ? fs::path(file) : cwd / file).lexically_normal();
  const fs::path rel = abs.lexically_proximate(cwd);
  return rel.empty() ? file : rel.generic_string();
}

std::string report_json(const scenario::Scenario& s, const net::RunResult& r,
                        const Summary& sum, const net::PacketStats* packet,
                        const scenario::PowerOutcome* power) {
  std::string out;
  const bool flow_rows = s.report.flow_rows_in_json(s.flows.size());
  out.reserve(1024 + (flow_rows ? s.flows.size() * 64 : 0) +
              s.topology.link_count() * 64);
  JsonWriter w(out);
  w.begin_object();
  w.key("schema").value(kReportSchema);
  w.key("generator").begin_object().key("name").value("roshni").key("version").value(kVersion)
      .end_object();
  w.key("scenario").begin_object()
      .key("name").value(s.name)
      .key("file").value(report_path(s.file))
      .key("seed").value(s.seed)
      .key("network_model").value(s.network_model)
      .end_object();
  w.key("workload").begin_object().key("kind").value(s.workload.kind);
  if (!s.workload.algorithm.empty()) {
    w.key("algorithm").value(s.workload.algorithm);
    if (!s.workload.selected_by.empty()) w.key("selected_by").value(s.workload.selected_by);
    if (!s.workload.inter.empty()) w.key("inter").value(s.workload.inter);
    if (!s.workload.library.empty()) {
      w.key("library").value(s.workload.library);
      w.key("protocol").value(s.workload.protocol);
    }
    w.figure("chunks", s.workload.chunks, "1");
    w.figure("channels", s.workload.channels, "1");
  }
  w.figure("ranks", s.workload.ranks, "1");
  w.figure("size", s.workload.size.si(), "B");
  w.end_object();

  w.key("summary").begin_object();
  w.figure("makespan", sum.makespan.duration().si(), "s");
  w.figure("makespan_ps", sum.makespan.ps(), "ps");
  w.figure("flows", static_cast<uint64_t>(sum.flows), "1");
  w.figure("payload_bytes", sum.payload.si(), "B");
  w.figure("link_bytes", sum.link_traffic.si(), "B");
  if (sum.algorithm_bandwidth) {
    w.figure("algorithm_bandwidth", sum.algorithm_bandwidth->si(), "B/s");
    w.figure("bus_bandwidth", sum.bus_bandwidth->si(), "B/s");
  }
  if (sum.busiest_link.valid()) {
    w.key("busiest_link").begin_object()
        .key("name").value(s.topology.link_name(sum.busiest_link));
    w.figure("bytes", sum.busiest_bytes.si(), "B");
    w.figure("utilisation", sum.busiest_utilisation, "1");
    w.end_object();
  }
  w.figure("events", sum.events, "1");
  w.figure("rate_solves", sum.rate_solves, "1");
  w.figure("flows_rerouted", r.flows_rerouted, "1");
  if (!s.catalog.links.empty()) {
    // The physical layer's share: what the chosen link parts draw while the ports are up
    // (both ends of every link), by part. Energy over time is the energy model's job.
    std::map<std::string, std::pair<uint64_t, double>> by_part;  // links, watts
    double total = 0;
    for (uint32_t l = 0; l < s.topology.link_count(); l += 2) {
      const std::string part(s.topology.link_part(LinkId(l)));
      const auto it = s.catalog.links.find(part);
      const double watts = it == s.catalog.links.end() ? 0.0 : 2 * hw::port_power(it->second).si();
      by_part[part].first += 1;
      by_part[part].second += watts;
      total += watts;
    }
    w.figure("link_power", total, "W");
    w.key("links_by_part").begin_object();
    for (const auto& [part, v] : by_part) {
      w.key(part.empty() ? "(none)" : part).begin_compact_object()
          .key("links").value(v.first).key("power").value(v.second).key("unit").value("W")
          .end_object();
    }
    w.end_object();
    w.figure("budget_warnings", static_cast<uint64_t>(s.budget_warnings), "1");
  }
  w.figure("flows_stalled", r.flows_stalled, "1");
  if (!sum.circuit_changes.empty()) {
    // What the circuit maps' changes cost (docs/topologies.md, "Reconfiguring during a run").
    uint64_t waited = 0;
    SimTime wait;
    for (const auto& c : sum.circuit_changes) {
      waited += c.flows_waited;
      wait += c.wait_total;
    }
    w.figure("circuit_changes", static_cast<uint64_t>(sum.circuit_changes.size()), "1");
    w.figure("flows_waited_for_circuits", waited, "1");
    w.figure("circuit_wait", wait.duration().si(), "s");
  }
  // Where the per-flow rows went when report.json does not hold them.
  if (!s.report.flow_rows_in_json(s.flows.size())) {
    w.key("flow_rows").value(s.report.flows_csv() ? "flows.csv" : "none");
  }
  if (packet) write_packet_summary(w, s, *packet);
  if (sum.training) write_training_summary(w, s, *sum.training);
  if (sum.serving) write_serving_summary(w, s, *sum.serving, power);
  if (power) write_power_summary(w, s, *power);
  w.end_object();
  if (power) write_power_json(w, s, *power);
  if (sum.training) write_training(w, s, *sum.training);
  if (sum.serving) write_serving(w, s, *sum.serving, power);

  write_circuit_changes(w, sum.circuit_changes);
  write_links_by_role(w, sum);
  write_links(w, s, r);
  if (flow_rows) write_flows(w, s, r);
  if (packet) write_packet_section(w, s, *packet);
  w.end_object();
  return out;
}

void write_file_atomically(const std::string& dir, const std::string& name,
                           const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create directory '{}': {}", dir, ec.message()));
  const fs::path given = fs::path(dir) / name;
  // A symlink is followed: its target is replaced and the link stays a link.
  fs::path final_path = given;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(final_path, ec)); ++hops) {
    const fs::path to = fs::read_symlink(final_path, ec);
    if (ec || hops == 40) {
      throw std::runtime_error(fmt::format("cannot follow the symlink '{}': {}", given.string(),
                                           ec ? ec.message() : "too many levels"));
    }
    final_path = to.is_absolute() ? to : final_path.parent_path() / to;
  }
  const fs::file_status st = fs::status(final_path, ec);
  if (fs::is_directory(st)) {
    throw std::runtime_error(fmt::format("cannot write '{}': it is a directory", given.string()));
  }
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    // A FIFO, a device or a socket is written through, as a shell redirection would:
    // renaming over it would replace it with a regular file.
    std::ofstream f(final_path, std::ios::binary);
    if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", given.string()));
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.flush();
    if (!f) throw std::runtime_error(fmt::format("error writing '{}'", given.string()));
    return;
  }
  // The temporary name carries the process id, so that runs writing into one directory
  // at once do not write into each other's temporary files.
  const fs::path tmp_path = final_path.parent_path() /
                            fmt::format(".{}.{}.tmp", final_path.filename().string(), ::getpid());
  const auto fail = [&](const std::string& what) {
    fs::remove(tmp_path, ec);
    throw std::runtime_error(what);
  };
  {
    std::ofstream f(tmp_path, std::ios::binary | std::ios::trunc);
    if (!f) fail(fmt::format("cannot write '{}'", tmp_path.string()));
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.flush();
    if (!f) fail(fmt::format("error writing '{}'", tmp_path.string()));
  }
  fs::rename(tmp_path, final_path, ec);
  if (ec) {
    fail(fmt::format("cannot rename '{}' to '{}': {}", tmp_path.string(), final_path.string(),
                     ec.message()));
  }
}

std::string human_summary(const scenario::Scenario& s, const Summary& sum) {
  std::string out = fmt::format("{}: {} flows{} over {} links, network model '{}'\n", s.name,
                                sum.flows,
                                s.fold.replicas > 1
                                    ? fmt::format(" (one replica's of {}; traffic below is all's)", s.fold.replicas)
                                    : "",
                                s.topology.link_count() / 2, s.network_model);
  if (s.workload.selected_by.starts_with("auto: ")) {
    // What the auto rule chose and why (chunks and channels are the scenario's: the rule
    // does not choose them, docs/collectives.md).
    const auto count = [](uint32_t n, const char* what) {
      return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
    };
    out += fmt::format("  auto rule       {}{}, {}, {}; why: {}\n", s.workload.algorithm,
                       s.workload.inter.empty() ? "" : " (" + s.workload.inter + " between domains)",
                       count(s.workload.chunks, "chunk"), count(s.workload.channels, "channel"),
                       s.workload.selected_by.substr(6));
  }
  if (!s.workload.library.empty()) {
    // The library's choice (coll/tuner.h) and why, when its tuner made one.
    const size_t why = s.workload.selected_by.find("tuner): ");
    out += fmt::format("  library         {}: {} {}{}\n", s.workload.library, s.workload.algorithm,
                       s.workload.protocol,
                       why == std::string::npos ? "" : "; " + s.workload.selected_by.substr(why + 8));
  }
  out += fmt::format("  makespan        {}\n", sum.makespan);
  out += fmt::format("  payload moved   {}\n", sum.payload);
  if (sum.bus_bandwidth) {
    // In GB/s, as nccl-tests prints it, so the two can be put side by side.
    out += fmt::format("  bus bandwidth   {:.2f} GB/s (algorithm bandwidth {:.2f} GB/s)\n",
                       sum.bus_bandwidth->si() / 1e9, sum.algorithm_bandwidth->si() / 1e9);
  }
  if (sum.busiest_link.valid()) {
    out += fmt::format("  busiest link    {}: {} carried, {:.1f}% utilised\n",
                       s.topology.link_name(sum.busiest_link), sum.busiest_bytes,
                       100.0 * sum.busiest_utilisation);
  }
  // Link use by topology role, when the topology gives its links roles.
  if (std::any_of(sum.by_role.begin(), sum.by_role.end(),
                  [](const RoleUse& u) { return !u.role.empty(); })) {
    out += "  links by role   (physical links, bytes carried, mean / max utilisation of their "
           "directed links)\n";
    for (const RoleUse& u : sum.by_role) {
      out += fmt::format("    {:<14}{:>6} links  {:>11}  mean {:5.1f}%  max {:5.1f}%\n",
                         u.role.empty() ? "(none)" : u.role, u.links, to_string(u.bytes),
                         100 * u.mean_utilisation, 100 * u.max_utilisation);
    }
  }
  out += circuit_changes_human(sum.circuit_changes);
  if (sum.training) out += training_text(s, *sum.training);
  if (sum.serving) out += serving_text(s, *sum.serving);
  return out;
}

}  // namespace roshni::report
