/// Reading a scenario document: JSON text from a file, `extends` resolved (a base file
/// merged under the derived one, recursively), then `--set path=value` overrides applied.
/// Remembers which file each value came from, so errors name the right file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roshni/scenario/json_node.h"

namespace roshni::scenario {

/// Reads a whole file; nullopt when it cannot be read. Replaceable for tests and fuzzing.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;
/// Reads regular files of at most kMaxInputFileBytes from disk.
FileReader disk_reader();
inline constexpr uintmax_t kMaxInputFileBytes = uintmax_t{1} << 30;
/// Why disk_reader would refuse `path`, as " (...)" to append to a message, or "".
std::string why_unreadable(const std::string& path);

class Document {
 public:
  /// Parses `path` (through `reader`) and resolves its `extends` chain. Throws
  /// ScenarioError for unreadable files, malformed JSON (with line and column), a
  /// non-object top level, an `extends` that is not a string, and `extends` cycles.
  static Document load(const std::string& path, const FileReader& reader);
  /// Same, from text already in memory; `label` stands for the file name in messages.
  static Document from_text(const std::string& text, const std::string& label,
                            const FileReader& reader);

  /// Applies one override "a.b.3.c=value" (or "/a/b/3/c=value"): value is parsed as JSON
  /// if it is valid JSON, else taken as a string ("--set workload.size=2 GiB" works).
  /// Missing objects on the way are created; a path through a scalar is an error.
  void apply_override(const std::string& assignment);

  const nlohmann::json& json() const { return doc_; }
  JsonNode root() const { return JsonNode(doc_, "", &file_of_); }
  /// The file the scenario was loaded from (the most derived one).
  const std::string& path() const { return path_; }
  /// Directory that relative paths inside the value at `pointer` are relative to.
  std::string base_dir_of(const std::string& pointer) const;
  const FileReader& reader() const { return reader_; }

 private:
  nlohmann::json doc_;
  std::string path_;
  FileReader reader_;
  std::map<std::string, std::string> origin_;  // pointer prefix -> file; longest wins
  FileOf file_of_;
};

}  // namespace roshni::scenario
