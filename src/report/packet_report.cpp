// report.json's "packet" section. Completion-time percentiles are nearest-rank (the
// smallest value with at least p of the flows at or below it) over network flows;
// queue percentiles come from the model's time-weighted histogram per port.
#include "roshni/report/packet_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace roshni::report {
namespace {

/// Nearest-rank percentile of sorted values (p in (0, 1]).
int64_t nearest_rank(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<int64_t> sorted_completions(const scenario::Scenario& s, const net::PacketStats& p) {
  std::vector<int64_t> fct;
  for (uint32_t i = 0; i < s.flows.size(); ++i) {
    if (!s.flows.is_task(FlowId(i))) fct.push_back(p.completion[i].ps());
  }
  std::sort(fct.begin(), fct.end());
  return fct;
}

uint64_t highest_queue(const net::PacketStats& p) {
  uint64_t queue_max = 0;
  for (uint64_t q : p.queue_max) queue_max = std::max(queue_max, q);
  return queue_max;
}

}  // namespace

void write_packet_summary(JsonWriter& w, const scenario::Scenario& s, const net::PacketStats& p) {
  const auto fct = sorted_completions(s, p);
  w.figure("flow_completion_p50", nearest_rank(fct, 0.50) * 1e-12, "s");
  w.figure("flow_completion_p99", nearest_rank(fct, 0.99) * 1e-12, "s");
  w.figure("packet_drops", p.drops, "1");
  w.figure("packet_pauses", p.pauses, "1");
  w.figure("queue_max", highest_queue(p), "B");
}

std::string packet_human_summary(const scenario::Scenario& s, const net::PacketStats& p) {
  const auto fct = sorted_completions(s, p);
  std::string out = fmt::format("  packets         {} over {} link hops\n", p.packets, p.packet_hops);
  out += fmt::format("  flow completion p50 {}, p99 {}\n", SimTime::ps(nearest_rank(fct, 0.5)),
                     SimTime::ps(nearest_rank(fct, 0.99)));
  out += fmt::format("  queues          highest {} B; {} pauses, {} drops, {} ECN marks\n",
                     highest_queue(p), p.pauses, p.drops, p.ecn_marks);
  if (p.packets_cut > 0) {
    out += fmt::format("  link failures   {} packets cut on the wire ({})\n", p.packets_cut,
                       s.packet.mode == net::LossMode::lossy ? "lost, resent after the timeout"
                                                             : "sent again when the link was back");
  }
  if (p.headroom_overruns > 0) {
    out += fmt::format("  warning         {} packets accepted above a full buffer: PFC headroom "
                       "(buffer - xoff) is too small for these links\n",
                       p.headroom_overruns);
  }
  return out;
}

void write_packet_section(JsonWriter& w, const scenario::Scenario& s, const net::PacketStats& p) {
  const auto& c = s.packet;
  w.key("packet").begin_object();
  w.key("config").begin_object();
  w.figure("mtu", c.mtu, "B");
  w.figure("buffer", c.buffer, "B");
  w.key("switching").value(c.switching == net::Switching::cut_through ? "cut_through"
                                                                        : "store_and_forward");
  w.key("mode").value(c.mode == net::LossMode::lossy ? "lossy" : "lossless");
  w.figure("xoff", c.xoff, "B");
  w.figure("xon", c.xon, "B");
  w.figure("ecn_threshold", c.ecn_threshold, "B");
  w.key("congestion_control").value(c.congestion_control == net::CongestionControl::dcqcn ? "dcqcn"
                                                                                          : "none");
  w.key("load_balance").value(c.load_balance == net::LoadBalance::spray ? "spray" : "ecmp");
  w.end_object();

  w.figure("packets", p.packets, "1");
  w.figure("packet_hops", p.packet_hops, "1");
  w.figure("drops", p.drops, "1");
  w.figure("retransmissions", p.retransmissions, "1");
  w.figure("pauses", p.pauses, "1");
  w.figure("ecn_marks", p.ecn_marks, "1");
  w.figure("cnps", p.cnps, "1");
  w.figure("headroom_overruns", p.headroom_overruns, "1");
  w.figure("packets_cut", p.packets_cut, "1");
  w.figure("queue_max", highest_queue(p), "B");

  const auto fct = sorted_completions(s, p);
  w.key("flow_completion").begin_object();
  w.figure("p50", nearest_rank(fct, 0.50), "ps");
  w.figure("p99", nearest_rank(fct, 0.99), "ps");
  w.figure("max", fct.empty() ? int64_t{0} : fct.back(), "ps");
  w.end_object();

  // Ports that queued, paused or dropped anything, in link order.
  w.key("ports").begin_object();
  w.key("columns").begin_row();
  for (const char* col :
       {"link", "name", "queue_max", "queue_p50", "queue_p99", "pauses", "drops", "buffer"}) {
    w.value(col);
  }
  w.end_array();
  w.key("units").begin_row();
  for (const char* u : {"", "", "B", "B", "B", "1", "1", "B"}) w.value(u);
  w.end_array();
  w.key("rows").begin_array();
  for (uint32_t l = 0; l < p.queue_max.size(); ++l) {
    if (p.queue_max[l] == 0 && p.pauses_sent[l] == 0 && p.port_drops[l] == 0) continue;
    w.begin_row()
        .value(l)
        .value(s.topology.link_name(LinkId(l)))
        .value(p.queue_max[l])
        .value(p.queue_p50[l])
        .value(p.queue_p99[l])
        .value(p.pauses_sent[l])
        .value(p.port_drops[l])
        .value(c.node_limits.empty() ? c.buffer
                                     : c.node_limits[s.topology.link_from(LinkId(l)).value()].buffer)
        .end_array();
  }
  w.end_array().end_object();
  w.end_object();
}

}  // namespace roshni::report
