// Fuzzes the scenario front end: bytes -> Document (extends, --set) -> load_scenario_text
// (topology, workload, routing, cycle check). Every input must end as a Scenario or a
// ScenarioError whose message is one line; any other exception, a sanitizer report, a
// leak or a hang is a bug. Files named by "extends" and "file" come from a small fixed
// set held in memory, so the fuzzer reaches them without touching the disk.
//
// Input layout: leading lines of the form "--set PATH=VALUE\n" are overrides; the rest
// is the scenario text. Run through tools/fuzz.sh.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "roshni/core/error.h"
#include "roshni/scenario/loader.h"

namespace {

using roshni::scenario::FileReader;

// The scenario itself is "fz/s.json", so these are reachable as "base.json",
// "sub/mid.json", "traces/t.json" and so on.
const std::map<std::string, std::string>& files() {
  static const std::map<std::string, std::string> f = {
      {"fz/base.json",
       R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "100 Gbps", "latency": "1 us"}},
           "workload": {"kind": "all_reduce", "size": "1 MiB"}})"},
      {"fz/explicit.json",
       R"({"topology": {"kind": "explicit",
            "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
                      {"name": "sw0", "kind": "switch", "latency": "100 ns"}],
            "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "400 Gbps"},
                      {"a": "sw0", "b": "gpu1", "bandwidth": "400 Gbps", "reverse_bandwidth": "200 Gbps"}]}})"},
      {"fz/sub/mid.json", R"({"extends": "../base.json", "seed": 5, "name": "mid"})"},
      {"fz/loop.json", R"({"extends": "loop2.json"})"},
      {"fz/loop2.json", R"({"extends": "loop.json"})"},
      {"fz/bad.json", R"({"topology": [)"},
      {"fz/traces/t.json",
       R"({"description": "three flows", "flows": [
            {"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 MB"},
            {"id": "b", "src": "gpu1", "dst": "gpu0", "size": "2 MB", "after": ["a"], "start": "1 us"},
            {"id": "c", "src": "gpu0", "dst": "gpu1", "size": "1 KiB", "after": ["a", "b"],
             "path": ["gpu0", "sw0", "gpu1"]}]})"},
      {"fz/traces/cycle.json",
       R"({"flows": [{"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 MB", "after": ["b"]},
                     {"id": "b", "src": "gpu1", "dst": "gpu0", "size": "1 MB", "after": ["a"]}]})"},
      {"fz/traces/array.json", "[]"},
  };
  return f;
}

[[noreturn]] void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "scenario_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  roshni::scenario::LoadOptions options;
  options.reader = [](const std::string& path) -> std::optional<std::string> {
    const auto it = files().find(path);
    if (it != files().end()) return it->second;
    // The real hardware catalog, so physical, energy, thermal and facility sections are
    // explored past "cannot read" (read once per file, then kept).
    static std::map<std::string, std::optional<std::string>> catalog;
    if (!path.starts_with(ROSHNI_DEFAULT_CATALOG_DIR)) return std::nullopt;
    auto [c, fresh] = catalog.try_emplace(path);
    if (fresh) c->second = roshni::scenario::disk_reader()(path);
    return c->second;
  };
  // Keeps each input fast; the limit itself is exercised by the unit tests.
  options.max_flows = 20000;
  constexpr std::string_view kSet = "--set ";
  while (input.starts_with(kSet)) {
    const size_t nl = input.find('\n');
    if (nl == std::string_view::npos) break;
    options.overrides.emplace_back(input.substr(kSet.size(), nl - kSet.size()));
    input.remove_prefix(nl + 1);
  }

  try {
    const auto s = roshni::scenario::load_scenario_text(std::string(input), "fz/s.json", options);
    // What the loader returns must be consistent enough to run without further checks.
    if (s.flows.size() == 0) bug("valid scenario without flows", s.name);
    for (uint32_t f = 0; f < s.flows.size(); ++f) {
      // Compute steps use no link: only network flows need a path.
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
