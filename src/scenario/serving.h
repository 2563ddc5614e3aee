/// The "serving" workload of a scenario: a model (a named one or inline), the prefill and
/// decode pools' plans, the request shape and an accelerator, read and checked (every bad
/// field a ScenarioError at its JSON pointer), then built into flows by work/serving.h.
/// Private to scenario/; the fields are in docs/scenario-reference.md, the model in
/// docs/serving.md.
#pragma once

#include "roshni/net/flow_set.h"
#include "roshni/scenario/json_node.h"
#include "roshni/work/serving.h"
#include "scenario/training.h"

namespace roshni::scenario {

/// Reads the workload at `w` (kind "serving") and appends its flows to `flows`. Uses
/// the training workload's context (topology, catalog, flow limit).
work::ServingInfo load_serving(const JsonNode& w, const TrainingContext& ctx, net::FlowSet& flows);

}  // namespace roshni::scenario
