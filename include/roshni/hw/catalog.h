/// The hardware catalog: named, sourced parts that scenarios refer to by name. Read from
/// configs/*.json by scenario/ (which owns JSON); held here as plain data.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "roshni/core/sim_time.h"
#include "roshni/core/units.h"
#include "roshni/hw/link_part.h"

namespace roshni::hw {

/// An optical circuit switch: patches light port to port, adds loss, has no buffer.
struct OcsPart {
  std::string name;
  uint32_t ports = 0;
  SimTime reconfiguration_time;
  double insertion_loss_db = 0;
  Power power;
  std::string source;
};

/// An accelerator (GPU, NPU, TPU) as the training workload uses it: dense peak compute
/// by precision ("bf16", "fp8", ...) and HBM bandwidth. The catalog's other fields
/// (power, scale-up, price) belong to later models and are not read yet.
struct AcceleratorPart {
  std::string name;
  std::map<std::string, FlopRate> peak_flops;  // by precision, ordered by name
  DataRate hbm_bandwidth;
  std::optional<DataSize> hbm_capacity;  // usable HBM per accelerator
  /// For the energy and heat models (absent in some scenario-given parts).
  std::optional<Power> idle_power, peak_power;
  std::optional<Temperature> throttle_temperature;
  /// Per accelerator, constant: its share of the server or rack around it that is not
  /// modelled as a part of its own (host CPUs, DRAM, fans, DPUs, power conversion).
  std::optional<Power> host_power;
  uint32_t nics = 0;                       // scale-out NICs per accelerator
  /// Achievable fractions for the roofline by operation class (the catalog's
  /// "achievable"; docs/training.md "Compute by operation class"): of the dense peak by
  /// precision for GEMMs and the attention kernel's forward and backward, of the HBM
  /// bandwidth for memory-bound kernels. Empty when the entry gives none.
  std::map<std::string, double> gemm_fraction, attention_forward_fraction, attention_backward_fraction;
  std::optional<double> hbm_fraction;
  std::optional<double> price_usd;
  bool price_estimate = false;
  std::string source;
};

struct Catalog {
  std::map<std::string, LinkPart> links;  // ordered by name: iteration is deterministic
  std::map<std::string, OcsPart> ocs;
  std::map<std::string, AcceleratorPart> accelerators;  // read on demand (load_accelerators)
  std::string links_file, switches_file;  // where they were read, for messages
  std::string accelerators_file;
};

}  // namespace roshni::hw
