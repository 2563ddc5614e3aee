#include "scenario/packet_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "roshni/core/text.h"

namespace roshni::scenario {
namespace {

const std::vector<std::string> kSwitching = {"store_and_forward", "cut_through"};
const std::vector<std::string> kModes = {"lossless", "lossy"};
const std::vector<std::string> kCongestionControl = {"none", "dcqcn"};
const std::vector<std::string> kLoadBalance = {"ecmp", "spray"};
constexpr double kMaxBytes = 1e15;  // a petabyte of buffer is a typo, not a switch

/// The index of the string at `node` in `known`; `what` names the choice.
size_t pick(const JsonNode& node, const std::vector<std::string>& known, std::string_view what) {
  const std::string s = node.as_string();
  const auto it = std::find(known.begin(), known.end(), s);
  if (it != known.end()) return static_cast<size_t>(it - known.begin());
  node.fail(fmt::format("unknown {} '{}'{}; known ones: {}", what, escape_text(s),
                        did_you_mean(s, known), quoted_list(known)));
}

/// A data size that is a whole number of bytes (> 0).
uint64_t whole_bytes(const JsonNode& node) {
  const double b = node.as_data_size().si();
  if (b > kMaxBytes) node.fail(fmt::format("expected at most 1 PB, got {} B", b));
  if (b != std::floor(b)) {
    node.fail(fmt::format("expected a whole number of bytes, got {} B", b));
  }
  return static_cast<uint64_t>(b);
}

}  // namespace

net::Switching read_switching(const JsonNode& node) {
  return static_cast<net::Switching>(pick(node, kSwitching, "switching"));
}

net::PacketConfig read_packet_config(const JsonNode& spec) {
  if (!spec.is_object()) spec.fail("expected an object with the packet model's settings");
  spec.expect_keys({"mtu", "buffer", "switching", "mode", "pfc", "ecn_threshold",
                    "congestion_control", "load_balance", "retransmit_timeout", "spray_paths",
                    "dcqcn"});
  net::PacketConfig c;
  if (const auto n = spec.get("buffer")) c.buffer = whole_bytes(*n);
  if (const auto n = spec.get("mtu")) c.mtu = whole_bytes(*n);
  if (c.mtu > c.buffer) {
    const JsonNode at = spec.has("mtu") ? *spec.get("mtu") : *spec.get("buffer");
    at.fail(fmt::format("the MTU ({} B) is larger than the per-port buffer ({} B): no packet "
                        "would fit in a queue",
                        c.mtu, c.buffer));
  }
  if (c.mtu > 65535u * 1024) spec.get("mtu")->fail("expected an MTU of at most 64 MiB");
  c.xoff = c.buffer / 2;
  c.xon = c.buffer / 4;
  c.ecn_threshold = c.buffer / 8;
  if (const auto n = spec.get("switching")) {
    c.switching = read_switching(*n);
  }
  if (const auto n = spec.get("mode")) {
    c.mode = static_cast<net::LossMode>(pick(*n, kModes, "packet mode"));
  }
  if (const auto p = spec.get("pfc")) {
    if (!p->is_object()) p->fail("expected an object like {\"xoff\": \"512 KiB\", \"xon\": \"256 KiB\"}");
    p->expect_keys({"xoff", "xon"});
    if (const auto n = p->get("xoff")) c.xoff = whole_bytes(*n);
    if (const auto n = p->get("xon")) c.xon = whole_bytes(*n);
  }
  // The thresholds, given or following the buffer, in order: xon < xoff <= buffer - mtu.
  // A message points at the value the user wrote (xoff, xon, else the mtu or buffer).
  const auto pfc_node = [&](std::string_view key) -> JsonNode {
    if (const auto p = spec.get("pfc")) {
      if (const auto n = p->get(key)) return *n;
    }
    if (const auto n = spec.get("mtu")) return *n;
    if (const auto n = spec.get("buffer")) return *n;
    return spec;
  };
  if (c.xoff + c.mtu > c.buffer) {
    pfc_node("xoff").fail(fmt::format(
        "xoff ({} B) leaves less than one MTU ({} B) of the {} B buffer above it; expected "
        "xoff <= buffer - mtu",
        c.xoff, c.mtu, c.buffer));
  }
  if (c.xon >= c.xoff) {
    const bool has_xon = spec.has("pfc") && spec.get("pfc")->has("xon");
    pfc_node(has_xon ? "xon" : "xoff")
        .fail(fmt::format("thresholds out of order: xon ({} B) must be below xoff ({} B)", c.xon,
                          c.xoff));
  }
  if (const auto n = spec.get("ecn_threshold")) {
    c.ecn_threshold = whole_bytes(*n);
    if (c.ecn_threshold >= c.buffer) {
      n->fail(fmt::format("the ECN threshold ({} B) must be below the buffer ({} B)",
                          c.ecn_threshold, c.buffer));
    }
  }
  if (const auto n = spec.get("congestion_control")) {
    c.congestion_control =
        static_cast<net::CongestionControl>(pick(*n, kCongestionControl, "congestion control"));
  }
  if (const auto n = spec.get("load_balance")) {
    c.load_balance = static_cast<net::LoadBalance>(pick(*n, kLoadBalance, "load balance"));
  }
  if (const auto n = spec.get("retransmit_timeout")) c.retransmit_timeout = n->as_sim_time(false);
  if (const auto n = spec.get("spray_paths")) c.spray_paths = static_cast<uint32_t>(n->as_int(1, 64));
  if (const auto d = spec.get("dcqcn")) {
    if (!d->is_object()) d->fail("expected an object with DCQCN's constants");
    d->expect_keys({"g", "period", "cnp_interval", "fast_recovery_steps", "additive_increase",
                    "min_rate"});
    if (const auto n = d->get("g")) {
      const double g = n->raw().is_number() ? n->raw().get<double>() : -1;
      if (!(g > 0 && g < 1)) n->fail("expected a number between 0 and 1 (exclusive), like 0.00390625");
      c.dcqcn.g = g;
    }
    if (const auto n = d->get("period")) c.dcqcn.period = n->as_sim_time(false);
    if (const auto n = d->get("cnp_interval")) c.dcqcn.cnp_interval = n->as_sim_time(true);
    if (const auto n = d->get("fast_recovery_steps")) {
      c.dcqcn.fast_recovery_steps = static_cast<uint32_t>(n->as_int(0, 1000));
    }
    if (const auto n = d->get("additive_increase")) c.dcqcn.additive_increase = n->as_data_rate();
    if (const auto n = d->get("min_rate")) c.dcqcn.min_rate = n->as_data_rate();
  }
  return c;
}

void apply_switch_parts(const std::optional<JsonNode>& spec, const topo::Topology& t,
                        const SwitchParts& parts, const JsonNode& parts_at,
                        net::PacketConfig& c) {
  const auto given = [&](std::string_view key) -> std::optional<JsonNode> {
    return spec ? spec->get(key) : std::nullopt;
  };
  const auto pfc_given = [&](std::string_view key) -> std::optional<JsonNode> {
    const auto p = given("pfc");
    return p ? p->get(key) : std::nullopt;
  };
  const bool own_buffers = !given("buffer");
  const bool own_switching = !given("switching");
  const uint32_t n = t.node_count();
  std::vector<net::PortLimits> limits(n, {c.buffer, c.xoff, c.xon, c.ecn_threshold});
  std::vector<net::Switching> switching(n, c.switching);
  bool any_limits = false, any_switching = false;
  for (uint32_t i = 0; i < n; ++i) {
    const NodeId node(i);
    if (t.node_kind(node) != topo::NodeKind::switch_) continue;
    const SwitchPart* part = parts.of_role(t.node_role(node));
    if (!part) continue;
    if (own_switching && part->switching) {
      switching[i] = *part->switching;
      any_switching = true;
    }
    if (!own_buffers || !part->port_buffer) continue;
    const uint64_t b = *part->port_buffer;
    const std::string who = fmt::format("switch '{}' (part '{}', {} B per port)",
                                        escape_text(t.node_name(node)), part->name, b);
    if (b < c.mtu) {
      (given("mtu") ? *given("mtu") : parts_at)
          .fail(fmt::format("the MTU ({} B) is larger than the per-port buffer of {}: no "
                            "packet would fit in its queues",
                            c.mtu, who));
    }
    net::PortLimits& l = limits[i];
    l.buffer = b;
    l.xoff = pfc_given("xoff") ? c.xoff : b / 2;
    l.xon = pfc_given("xon") ? c.xon : b / 4;
    l.ecn_threshold = given("ecn_threshold") ? c.ecn_threshold : b / 8;
    if (l.xoff + c.mtu > b) {
      if (pfc_given("xoff")) {
        pfc_given("xoff")->fail(fmt::format("xoff ({} B) leaves less than one MTU ({} B) above "
                                            "it in {}; expected xoff <= buffer - mtu",
                                            l.xoff, c.mtu, who));
      }
      parts_at.fail(fmt::format("the MTU ({} B) is more than half the per-port buffer of {}, "
                                "so the default xoff (buffer/2) leaves no room for a packet "
                                "above it; lower network.packet.mtu or set pfc.xoff",
                                c.mtu, who));
    }
    if (l.xon >= l.xoff) {
      (pfc_given("xon") ? *pfc_given("xon") : pfc_given("xoff") ? *pfc_given("xoff") : parts_at)
          .fail(fmt::format("thresholds out of order at {}: xon ({} B) must be below xoff ({} B)",
                            who, l.xon, l.xoff));
    }
    if (l.ecn_threshold >= b) {
      given("ecn_threshold")->fail(fmt::format(
          "the ECN threshold ({} B) must be below the per-port buffer of {}", l.ecn_threshold, who));
    }
    any_limits = true;
  }
  if (any_limits) c.node_limits = std::move(limits);
  if (any_switching) c.node_switching = std::move(switching);
}

}  // namespace roshni::scenario
