/// The rules of the Chrome Trace Event Format that our trace.json must follow, checked
/// on the parsed JSON (nlohmann_json as the independent reader). From the format's
/// specification (link in include/roshni/report/trace.h): a JSON object with a
/// "traceEvents" array; every event has name (string), ph (phase letter), ts
/// (microseconds, a number), pid and tid (integers); "X" (complete) events have a dur
/// >= 0; "C" (counter) events carry numbers in args; "M" (metadata) events name a
/// process or thread in args; "i" (instant) events have a scope s of g, p or t.
/// Our own rules on top: every event has cat and args objects, ts >= 0, and every
/// thread that holds a slice is named.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace roshni::testing {

/// The rule violations found in `trace`, empty when it conforms.
inline std::vector<std::string> trace_schema_errors(const nlohmann::json& trace) {
  std::vector<std::string> errors;
  if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array()) {
    return {"the top level must be an object with a \"traceEvents\" array"};
  }
  if (trace.contains("displayTimeUnit")) {
    const auto& u = trace["displayTimeUnit"];
    if (!u.is_string() || (u != "ms" && u != "ns")) errors.push_back("displayTimeUnit: ms or ns");
  }
  std::set<std::pair<int64_t, int64_t>> named_threads, slice_threads;
  size_t i = 0;
  for (const auto& e : trace["traceEvents"]) {
    const std::string at = "event " + std::to_string(i++) + ": ";
    if (!e.is_object()) {
      errors.push_back(at + "not an object");
      continue;
    }
    for (const char* k : {"name", "cat", "ph"}) {
      if (!e.contains(k) || !e[k].is_string()) errors.push_back(at + k + " must be a string");
    }
    for (const char* k : {"pid", "tid"}) {
      if (!e.contains(k) || !e[k].is_number_integer()) {
        errors.push_back(at + k + " must be an integer");
      }
    }
    if (!e.contains("ts") || !e["ts"].is_number() || e["ts"].get<double>() < 0) {
      errors.push_back(at + "ts must be a number >= 0");
    }
    if (!e.contains("args") || !e["args"].is_object()) {
      errors.push_back(at + "args must be an object");
    }
    if (!e.contains("ph") || !e["ph"].is_string() || !e.contains("args") ||
        !e["args"].is_object() || !e.contains("tid") || !e["tid"].is_number_integer() ||
        !e.contains("pid") || !e["pid"].is_number_integer()) {
      continue;
    }
    const std::string ph = e["ph"];
    const auto thread = std::pair(e["pid"].get<int64_t>(), e["tid"].get<int64_t>());
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) {
        errors.push_back(at + "an X event needs dur >= 0");
      }
      slice_threads.insert(thread);
    } else if (ph == "C") {
      if (e["args"].empty()) errors.push_back(at + "a counter needs at least one value");
      for (const auto& [k, v] : e["args"].items()) {
        if (!v.is_number()) errors.push_back(at + "counter value " + k + " must be a number");
      }
    } else if (ph == "M") {
      const std::string name = e.value("name", "");
      if (name == "process_name" || name == "thread_name") {
        if (!e["args"].contains("name") || !e["args"]["name"].is_string()) {
          errors.push_back(at + name + " needs args.name, a string");
        }
        if (name == "thread_name") named_threads.insert(thread);
      } else if (name == "process_sort_index" || name == "thread_sort_index") {
        if (!e["args"].contains("sort_index") || !e["args"]["sort_index"].is_number_integer()) {
          errors.push_back(at + name + " needs args.sort_index, an integer");
        }
      } else if (name == "process_labels") {
        if (!e["args"].contains("labels") || !e["args"]["labels"].is_string()) {
          errors.push_back(at + "process_labels needs args.labels, a string");
        }
      } else {
        errors.push_back(at + "unknown metadata event " + name);
      }
    } else if (ph == "i" || ph == "I") {
      const std::string s = e.value("s", "t");
      if (s != "g" && s != "p" && s != "t") {
        errors.push_back(at + "instant scope must be g, p or t");
      }
    } else {
      errors.push_back(at + "phase " + ph + " is not one we write");
    }
  }
  for (const auto& t : slice_threads) {
    if (!named_threads.contains(t)) {
      errors.push_back("thread " + std::to_string(t.second) + " holds slices but has no name");
    }
  }
  return errors;
}

}  // namespace roshni::testing
