// From one chunk's schedule to the flows of every channel and chunk. The pipelining rule
// (chunk k of a transfer waits for chunk k-1 of the same transfer to be delivered) is
// what makes a chain broadcast of C chunks take (p-1 + C-1)(alpha + n beta/C), the
// textbook cost of a pipelined chain (Pjesivac-Grbovic et al., "Performance analysis of
// MPI collective operations", Cluster Computing 10(2), 2007): a connection delivers its
// chunks in order, one in flight at a time.
#include "roshni/coll/schedule.h"

#include <fmt/format.h>

#include "roshni/core/error.h"
#include "roshni/core/sim_time.h"

namespace roshni::coll {
namespace {

std::string_view default_prefix(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::all_reduce:
      return "allreduce";
    case CollectiveKind::all_gather:
      return "allgather";
    case CollectiveKind::reduce_scatter:
      return "reducescatter";
    case CollectiveKind::broadcast:
      return "broadcast";
    case CollectiveKind::reduce:
      return "reduce";
    case CollectiveKind::all_to_all:
      return "alltoall";
    case CollectiveKind::p2p:
      return "p2p";
  }
  return "collective";
}

}  // namespace

uint16_t Schedule::phase(const std::string& name, bool label_dst) {
  for (size_t i = 0; i < phases_.size(); ++i) {
    if (phases_[i].name == name) return static_cast<uint16_t>(i);
  }
  ROSHNI_ASSERT(phases_.size() < UINT16_MAX, "too many phases");
  phases_.push_back({name, label_dst});
  return static_cast<uint16_t>(phases_.size() - 1);
}

uint32_t Schedule::add(uint16_t phase, uint32_t step, uint32_t src, uint32_t dst, double share,
                       std::span<const uint32_t> deps, bool reduce) {
  ROSHNI_ASSERT(src != dst, "a transfer from rank {} to itself", src);
  ROSHNI_ASSERT(share > 0, "a transfer of share {}", share);
  const auto id = static_cast<uint32_t>(src_.size());
  ROSHNI_ASSERT(id < UINT32_MAX, "schedule too large");
  for (uint32_t d : deps) ROSHNI_ASSERT(d < id, "transfer {} waits for a later one, {}", id, d);
  src_.push_back(src);
  dst_.push_back(dst);
  step_.push_back(step);
  share_.push_back(share);
  phase_.push_back(phase);
  reduce_.push_back(reduce ? 1 : 0);
  deps_.insert(deps_.end(), deps.begin(), deps.end());
  dep_offset_.push_back(deps_.size());
  return id;
}

void Schedule::reserve(size_t transfers, size_t deps) {
  src_.reserve(transfers);
  dst_.reserve(transfers);
  step_.reserve(transfers);
  share_.reserve(transfers);
  phase_.reserve(transfers);
  reduce_.reserve(transfers);
  dep_offset_.reserve(transfers + 1);
  deps_.reserve(deps);
}

NodeId node_of_index(const Collective& c, uint32_t i, uint32_t k) {
  const auto p = static_cast<uint32_t>(c.ranks.size());
  if (i >= p) {
    const auto& planes = c.in_network[i - p];
    return planes[k % planes.size()];
  }
  if (const uint32_t d = c.channel_rotation; d > 1) {
    const uint32_t g = i / d;
    i = g * d + (i % d + k + d - g % d) % d;
  }
  return c.ranks[i];
}

std::vector<FlowId> expand(const Schedule& s, const Collective& c, net::FlowSet& flows,
                           std::span<const FlowId> after) {
  ROSHNI_ASSERT(c.chunks >= 1 && c.channels >= 1, "chunks {} channels {}", c.chunks, c.channels);
  const size_t n = s.size();
  const uint32_t chunks = c.chunks, channels = c.channels;
  const size_t per = static_cast<size_t>(chunks) * channels;  // instances of each transfer
  // Bytes of a share of 1 in one chunk of one channel.
  const double unit = c.size.si() / static_cast<double>(per);
  const bool costed = c.reduction_rate.si() > 0;
  const std::string prefix(c.label_prefix.empty() ? default_prefix(c.kind) : c.label_prefix);

  const auto first = static_cast<uint32_t>(flows.size());
  size_t dep_total = 0, reduced = 0;
  for (uint32_t t = 0; t < n; ++t) {
    dep_total += s.deps(t).size();
    reduced += s.reduced(t) ? 1 : 0;
  }
  const size_t adds = per * (n + (costed ? reduced : 0));
  flows.reserve(flows.size() + adds, flows.size() + per * (dep_total + n + reduced));

  // done[t * per + k * chunks + j]: what waits for transfer t of channel k, chunk j
  // waits for (its compute step when it is reduced at a cost, else the flow itself).
  std::vector<FlowId> done(n * per);
  std::vector<FlowId> deps;
  std::string label;
  const auto p = static_cast<uint32_t>(c.ranks.size());
  const auto node_of = [&](uint32_t i, uint32_t k) { return node_of_index(c, i, k); };
  const auto rank_name = [&](uint32_t i) {
    return i >= p ? fmt::format("sw{}", i - p) : fmt::format("r{}", i);
  };
  for (uint32_t t = 0; t < n; ++t) {
    const bool in_network = s.src(t) >= p || s.dst(t) >= p;
    ROSHNI_ASSERT(std::max(s.src(t), s.dst(t)) < p + c.in_network.size(),
                  "transfer {} names switch group {} of {}", t, std::max(s.src(t), s.dst(t)) - p,
                  c.in_network.size());
    // The library's costs (library.h): wire bytes per data byte and the per-step latency,
    // by the hop class of channel 0's path (every channel crosses the same kind of hop).
    double wire = 1;
    SimTime step_latency, launch;
    if (c.library) {
      const LibraryUse& use = *c.library;
      const HopClass h = use.path(node_of(s.src(t), 0), node_of(s.dst(t), 0)).hop;
      if (in_network) {
        wire = use.library.in_network_wire_factor(h);
        step_latency = use.library.in_network_step_latency(h);
      } else {
        wire = use.library.wire_factor(use.protocol, h);
        step_latency = use.library.costs(use.protocol).step_latency[static_cast<size_t>(h)];
      }
      if (s.deps(t).empty() && !in_network) launch = use.library.costs(use.protocol).launch;
    }
    const DataSize data = net::whole_bytes(bytes(s.share(t) * unit));  // the data it carries
    const DataSize size = wire == 1 ? data : net::whole_bytes(data * wire);  // on the wire
    const SimTime reduce_time =
        costed && s.reduced(t) ? to_sim_time_ceil(data / c.reduction_rate) : SimTime::zero();
    const std::string base =
        in_network ? fmt::format("{}/{}{}/{}-{}", prefix, s.phase_name(t), s.step(t),
                                 rank_name(s.src(t)), rank_name(s.dst(t)))
        : s.label_dst(t)
            ? fmt::format("{}/{}{}/r{}-r{}", prefix, s.phase_name(t), s.step(t), s.src(t), s.dst(t))
            : fmt::format("{}/{}{}/r{}", prefix, s.phase_name(t), s.step(t), s.src(t));
    for (uint32_t k = 0; k < channels; ++k) {
      const NodeId src = node_of(s.src(t), k), dst = node_of(s.dst(t), k);
      FlowId previous;  // this transfer's flow in the previous chunk of this channel
      for (uint32_t j = 0; j < chunks; ++j) {
        deps.clear();
        if (s.deps(t).empty()) {
          if (j == 0) deps.assign(after.begin(), after.end());
        } else {
          for (uint32_t d : s.deps(t)) deps.push_back(done[d * per + k * chunks + j]);
        }
        if (j > 0) deps.push_back(previous);
        label = base;
        if (channels > 1) label += fmt::format("/k{}", k);
        if (chunks > 1) label += fmt::format("/c{}", j);
        const FlowId f = flows.add(label, src, dst, size, deps);
        if (in_network && c.switch_link) {
          const LinkId l = c.switch_link(src, dst);
          flows.set_path(f, std::span(&l, 1));
        }
        // The per-step latency is paid once per step, by its first chunk: later chunks
        // stream behind it (NCCL's nsteps x latency, whatever the chunk count).
        if (c.library && j == 0) flows.set_extra_latency(f, step_latency + launch);
        previous = f;
        FlowId handle = f;
        if (costed && s.reduced(t)) {
          handle = flows.add_task(label + "/reduce", dst, reduce_time, std::span(&f, 1));
        }
        done[t * per + k * chunks + j] = handle;
      }
    }
  }

  // The ends: what nothing added here waits for (a sink transfer's last chunk, and every
  // chunk's reduction, which the next chunk does not wait for).
  std::vector<uint8_t> waited(flows.size() - first, 0);
  for (uint32_t f = first; f < flows.size(); ++f) {
    for (FlowId d : flows.deps(FlowId(f))) {
      if (d.value() >= first) waited[d.value() - first] = 1;
    }
  }
  std::vector<FlowId> ends;
  for (uint32_t f = first; f < flows.size(); ++f) {
    if (!waited[f - first]) ends.push_back(FlowId(f));
  }
  return ends;
}

}  // namespace roshni::coll
