// Fuzzes the Chakra execution-trace reader (scenario/chakra.cpp): the input bytes are cut
// at each "|RANK|" into the ET files of up to 4 ranks, run by a fixed scenario on an
// 8-GPU star. Every input must end as a Scenario or a ScenarioError whose message is one
// line; any other exception, a sanitizer report, a leak or a hang is a bug. Run through
// tools/fuzz.sh SECONDS chakra.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "roshni/core/error.h"
#include "roshni/scenario/loader.h"

namespace {

[[noreturn]] void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "chakra_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> files;
  size_t at = 0;
  for (int r = 0; r < 4; ++r) {
    const size_t cut = r == 3 ? std::string_view::npos : all.find("|RANK|", at);
    files["fz/x." + std::to_string(r) + ".et"] = std::string(all.substr(at, cut == std::string_view::npos ? all.npos : cut - at));
    if (cut == std::string_view::npos) break;
    at = cut + 6;
  }
  const size_t ranks = files.size();
  roshni::scenario::LoadOptions options;
  options.reader = [&files](const std::string& path) -> std::optional<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  // Keeps each input fast; the limit itself is exercised by the unit tests.
  options.max_flows = 20000;
  const std::string scenario =
      R"({"topology": {"kind": "star", "gpus": 8, "link": {"bandwidth": "100 Gbps", "latency": "1 us"}},
          "workload": {"kind": "chakra", "prefix": "x.", "ranks": )" + std::to_string(ranks) + "}}";
  try {
    const auto s = roshni::scenario::load_scenario_text(scenario, "fz/s.json", options);
    for (uint32_t f = 0; f < s.flows.size(); ++f) {
      if (!s.flows.is_task(roshni::FlowId(f)) && s.paths.of(roshni::FlowId(f)).empty())
        bug("flow without a path", s.flows.label(roshni::FlowId(f)));
    }
  } catch (const roshni::ScenarioError& e) {
    const std::string what = e.what();
    if (what.find('\n') != std::string::npos) bug("multi-line error message", what);
    if (e.message().starts_with("internal error")) bug("internal error", what);
    if (e.message().empty()) bug("empty error message", what);
  }
  return 0;
}
