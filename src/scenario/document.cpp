#include "roshni/scenario/document.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "roshni/core/error.h"
#include "scenario/file_path.h"
#include "scenario/json_parse.h"
#include "scenario/json_text.h"

namespace roshni::scenario {
namespace {

using json = nlohmann::json;

// Longer chains than this are almost surely a loop the path check cannot see (a
// symbolic link to a parent directory makes every "d/d/d/base.json" a new name).
constexpr size_t kMaxExtendsDepth = 32;

// Where values set on the command line "come from" in error messages.
constexpr const char* kOverrideOrigin = "--set";

// ---- parse_json: a SAX handler that builds the DOM (after nlohmann's
// json_sax_dom_parser) and adds the duplicate-key and depth checks. ----

class DomBuilder {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit DomBuilder(json& root) : root_(root) {}
  /// Streams the elements of the root object's array `key`: each goes to `sink` as soon as
  /// it is complete and is not kept in the tree (the array stays empty).
  DomBuilder(json& root, std::string_view key, const JsonElementSink& sink)
      : root_(root), stream_key_(key), sink_(&sink) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(number_integer_t v) { return value(v); }
  bool number_unsigned(number_unsigned_t v) { return value(v); }
  bool number_float(number_float_t v, const string_t&) { return value(v); }
  bool string(string_t& v) { return value(std::move(v)); }
  bool binary(binary_t&) { return fail_here("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t& k) {
    if (stack_.back()->contains(k)) {
      pointer_.push_back(pointer_token(k));
      return fail_here(
          fmt::format("key '{}' appears twice in this object; keep one", escape_text(k)));
    }
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = true;
    position_ = position;
    message_ = e.what();
    return false;
  }

  bool syntax_error() const { return syntax_error_; }
  size_t position() const { return position_; }
  const std::string& message() const { return message_; }
  std::string pointer() const {
    std::string p;
    for (const auto& t : pointer_) p += "/" + t;
    return p;
  }

 private:
  // Adds `v` where the parser is: the root, the next array element or the member named
  // by the last key. Returns where it went.
  template <class V>
  json* place(V&& v) {
    if (stack_.empty()) {
      root_ = json(std::forward<V>(v));
      return &root_;
    }
    json& parent = *stack_.back();
    if (&parent == streamed_) {
      element_ = json(std::forward<V>(v));
      return &element_;
    }
    if (parent.is_array()) {
      parent.push_back(json(std::forward<V>(v)));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = json(std::forward<V>(v));
    return &slot;
  }

  template <class V>
  bool value(V&& v) {
    place(std::forward<V>(v));
    if (!stack_.empty() && stack_.back() == streamed_) emit();
    return true;
  }

  bool open(json::value_t type) {
    if (!stack_.empty()) {
      json& parent = *stack_.back();
      pointer_.push_back(&parent == streamed_ ? std::to_string(streamed_count_)
                         : parent.is_array() ? std::to_string(parent.size())
                                             : pointer_token(key_));
    }
    if (stack_.size() >= kMaxJsonDepth) {
      return fail_here(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
    }
    const bool stream = sink_ != nullptr && streamed_ == nullptr && type == json::value_t::array &&
                        stack_.size() == 1 && stack_[0]->is_object() && key_ == stream_key_;
    stack_.push_back(place(type));
    if (stream) streamed_ = stack_.back();
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (!pointer_.empty()) pointer_.pop_back();
    if (!stack_.empty() && stack_.back() == streamed_) emit();
    return true;
  }

  // A streamed element is complete: to the sink, and out of the tree.
  void emit() {
    (*sink_)(streamed_count_++, std::move(element_));
    element_ = json();
  }

  bool fail_here(std::string message) {
    message_ = std::move(message);
    return false;
  }

  json& root_;
  std::string_view stream_key_;
  const JsonElementSink* sink_ = nullptr;
  json* streamed_ = nullptr;  // the array being streamed, once open
  size_t streamed_count_ = 0;
  json element_;              // the streamed element being built
  std::vector<json*> stack_;
  std::vector<std::string> pointer_;  // tokens down to the value being built
  std::string key_;
  bool syntax_error_ = false;
  size_t position_ = 0;
  std::string message_;
};

/// "at line 3, column 5: syntax error while parsing ..." out of nlohmann's
/// "[json.exception.parse_error.101] parse error at line 3, ...", with the line and
/// column added when the message lacks them (number overflow), kept to one line.
std::string syntax_message(std::string_view text, size_t position, std::string what) {
  if (const size_t close = what.find("] ");
      what.starts_with("[json.exception.") && close != std::string::npos) {
    what.erase(0, close + 2);
  }
  if (what.starts_with("parse error ")) what.erase(0, 12);
  if (!what.starts_with("at line ")) {
    position = std::min(position, text.size());
    const std::string_view before = text.substr(0, position);
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t nl = before.rfind('\n');
    const size_t column = nl == std::string_view::npos ? position : position - nl - 1;
    what = fmt::format("at line {}, column {}: {}", line, column, what);
  }
  return "malformed JSON " + escape_text(what, 240);
}

// ---- provenance ----

using OriginMap = std::map<std::string, std::string>;

/// The file of the longest recorded prefix of `pointer` (whole tokens only).
std::string origin_of(const OriginMap& origin, std::string pointer) {
  while (true) {
    if (const auto it = origin.find(pointer); it != origin.end()) return it->second;
    if (pointer.empty()) return {};
    pointer.erase(pointer.rfind('/'));
  }
}

/// Forgets what was recorded inside `pointer` (its value is being replaced).
void erase_below(OriginMap& origin, const std::string& pointer) {
  const std::string prefix = pointer + "/";
  auto it = origin.lower_bound(prefix);
  while (it != origin.end() && it->first.starts_with(prefix)) it = origin.erase(it);
}

/// Deep merge of `overlay` (from `file`, the more derived document) onto `base`:
/// objects merge key by key, everything else replaces. `origin` follows along: a key
/// that only the base has keeps the file it had; anything the overlay brings is `file`.
void merge(json& base, const json& overlay, const std::string& pointer, const std::string& file,
           OriginMap& origin) {
  if (base.is_object() && overlay.is_object()) {
    // Pin every base member to the file it has now, before this object is marked as
    // the overlay's: members the overlay does not touch keep their file, and members
    // merged further down pin their own members the same way.
    for (const auto& [key, value] : base.items()) {
      const std::string p = child_pointer(pointer, key);
      origin[p] = origin_of(origin, p);
    }
    origin[pointer] = file;
    for (const auto& [key, value] : overlay.items()) {
      const std::string p = child_pointer(pointer, key);
      auto it = base.find(key);
      if (it == base.end()) {
        base[key] = value;
        erase_below(origin, p);
        origin[p] = file;
      } else {
        merge(*it, value, p, file, origin);
      }
    }
    return;
  }
  base = overlay;
  erase_below(origin, pointer);
  origin[pointer] = file;
}

std::string parent_dir(const std::string& file) {
  return std::filesystem::path(file).parent_path().string();
}

struct Loaded {
  json doc;
  OriginMap origin;
};

/// Parses `text` (the content of `file`) and everything it extends, merged.
/// `chain` holds the normalised paths of the files that extend this one.
bool split_path(const std::string& path, std::vector<std::string>& tokens, std::string& why);

Loaded load_chain(const std::string& text, const std::string& file, const FileReader& reader,
                  std::vector<std::string>& chain) {
  json doc = parse_json(text, file);
  if (!doc.is_object()) {
    throw ScenarioError(
        file, "",
        fmt::format("expected a JSON object at the top level, got {}", describe_value(doc)));
  }
  const auto ext = doc.find("extends");
  if (ext == doc.end()) return Loaded{std::move(doc), OriginMap{{"", file}}};

  const auto fail = [&](const std::string& message) -> void {
    throw ScenarioError(file, "/extends", message);
  };
  // "extends": "base.json", or {"file": "base.json", "replace": ["workload", ...]}: the
  // listed objects are taken whole from this file instead of merged into the base's.
  const json* file_value = &*ext;
  std::vector<std::vector<std::string>> replaced;
  if (ext->is_object()) {
    for (const auto& [key, value] : ext->items()) {
      if (key != "file" && key != "replace") {
        throw ScenarioError(file, "/extends/" + key,
                            fmt::format("unknown key '{}'; 'extends' takes 'file' and 'replace'",
                                        escape_text(key)));
      }
    }
    const auto f = ext->find("file");
    if (f == ext->end()) fail("expected 'file': the scenario file to extend, like \"base.json\"");
    file_value = &*f;
    if (const auto r = ext->find("replace"); r != ext->end()) {
      if (!r->is_array()) {
        throw ScenarioError(file, "/extends/replace",
                            fmt::format("expected a list of paths, like [\"workload\"], got {}",
                                        describe_value(*r)));
      }
      for (size_t i = 0; i < r->size(); ++i) {
        const std::string at = "/extends/replace/" + std::to_string(i);
        const json& item = (*r)[i];
        std::vector<std::string> tokens;
        std::string why;
        if (!item.is_string()) {
          throw ScenarioError(file, at, fmt::format("expected a path like \"workload\", got {}",
                                                    describe_value(item)));
        }
        if (!split_path(item.get<std::string>(), tokens, why)) throw ScenarioError(file, at, why);
        // The path must be an object this file sets: replacing with nothing is a typo.
        const json* here = &doc;
        for (const auto& t : tokens) {
          const auto it = here->is_object() ? here->find(t) : here->end();
          if (!here->is_object() || it == here->end()) {
            throw ScenarioError(file, at,
                                fmt::format("{} is not set in this file, so there is nothing to "
                                            "replace the base's with",
                                            quote_text(item.get<std::string>())));
          }
          here = &*it;
        }
        replaced.push_back(std::move(tokens));
      }
    }
  }
  if (!file_value->is_string()) {
    fail(fmt::format("expected the name of a scenario file to extend, like \"base.json\", got {}",
                     describe_value(*file_value)));
  }
  const std::string name = file_value->get<std::string>();
  const std::string base_path = resolve_relative(parent_dir(file), name);
  if (std::find(chain.begin(), chain.end(), base_path) != chain.end()) {
    std::string cycle;
    for (auto it = std::find(chain.begin(), chain.end(), base_path); it != chain.end(); ++it) {
      cycle += escape_text(*it, 200) + " -> ";
    }
    fail(fmt::format("extends cycle: {}{}", cycle, escape_text(base_path, 200)));
  }
  if (chain.size() >= kMaxExtendsDepth) {
    fail(fmt::format("extends chain longer than {} files", kMaxExtendsDepth));
  }
  const auto base_text = reader(base_path);
  if (!base_text) {
    fail(fmt::format("cannot read the file it extends, {}{}{}", quote_text(base_path),
                     base_path == name ? "" : " (" + quote_text(name) + " relative to this file)",
                     why_unreadable(base_path)));
  }
  chain.push_back(base_path);
  Loaded base = load_chain(*base_text, base_path, reader, chain);
  chain.pop_back();

  // Replaced objects leave the base before the merge, with the files recorded for them.
  for (const auto& tokens : replaced) {
    json* parent = &base.doc;
    std::string pointer;
    for (size_t k = 0; k + 1 < tokens.size() && parent != nullptr; ++k) {
      const auto it = parent->is_object() ? parent->find(tokens[k]) : parent->end();
      parent = (parent->is_object() && it != parent->end()) ? &*it : nullptr;
      pointer = child_pointer(pointer, tokens[k]);
    }
    if (parent == nullptr || !parent->is_object()) continue;  // the base has nothing there
    const std::string p = child_pointer(pointer, tokens.back());
    parent->erase(tokens.back());
    erase_below(base.origin, p);
    base.origin.erase(p);
  }
  doc.erase("extends");  // consumed: the merged document does not extend anything
  merge(base.doc, doc, "", file, base.origin);
  return base;
}

/// Splits "a.b.3.c" or "/a/b/3/c" into tokens; false when malformed.
bool split_path(const std::string& path, std::vector<std::string>& tokens, std::string& why) {
  tokens.clear();
  if (path.empty()) {
    why = "the path before '=' is empty";
    return false;
  }
  if (path.front() == '/') {
    // RFC 6901: tokens between slashes, "~1" is '/', "~0" is '~'.
    size_t start = 1;
    while (true) {
      const size_t end = path.find('/', start);
      std::string raw = path.substr(start, end == std::string::npos ? end : end - start);
      std::string token;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          token += raw[i];
        } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token += raw[++i] == '0' ? '~' : '/';
        } else {
          why = "'~' in a JSON pointer must be followed by 0 or 1";
          return false;
        }
      }
      tokens.push_back(std::move(token));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return true;
  }
  size_t start = 0;
  while (true) {
    const size_t end = path.find('.', start);
    std::string token = path.substr(start, end == std::string::npos ? end : end - start);
    if (token.empty()) {
      why = "the path has an empty part (two dots in a row, or a dot at either end)";
      return false;
    }
    tokens.push_back(std::move(token));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return true;
}

/// An array index: digits without a leading zero ("0", "12").
std::optional<size_t> parse_index(const std::string& token) {
  if (token.empty() || token.size() > 9) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

FileOf make_file_of(const OriginMap& origin) {
  return [snapshot = std::make_shared<const OriginMap>(origin)](const std::string& pointer) {
    return origin_of(*snapshot, pointer);
  };
}

}  // namespace

// ---- json_parse.h ----

nlohmann::json parse_json(std::string_view text, const std::string& file) {
  json root;
  DomBuilder builder(root);
  if (json::sax_parse(text.begin(), text.end(), &builder)) return root;
  if (builder.syntax_error()) {
    throw ScenarioError(file, "", syntax_message(text, builder.position(), builder.message()));
  }
  throw ScenarioError(file, builder.pointer(), builder.message());
}

nlohmann::json parse_json_streaming(std::string_view text, const std::string& file,
                                    std::string_view key, const JsonElementSink& sink) {
  json root;
  DomBuilder builder(root, key, sink);
  if (json::sax_parse(text.begin(), text.end(), &builder)) return root;
  if (builder.syntax_error()) {
    throw ScenarioError(file, "", syntax_message(text, builder.position(), builder.message()));
  }
  throw ScenarioError(file, builder.pointer(), builder.message());
}

bool try_parse_json(std::string_view text, nlohmann::json& out) {
  json root;
  DomBuilder builder(root);
  if (!json::sax_parse(text.begin(), text.end(), &builder)) return false;
  out = std::move(root);
  return true;
}

// ---- file_path.h ----

std::string resolve_relative(const std::string& dir, const std::string& relative) {
  const std::filesystem::path rel(relative);
  if (rel.is_absolute() || dir.empty()) return rel.lexically_normal().string();
  return (std::filesystem::path(dir) / rel).lexically_normal().string();
}

// ---- FileReader ----

std::string why_unreadable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return " (no such file)";
  if (!fs::is_regular_file(st)) {
    return " (not a regular file: a directory, FIFO or device is never read as input)";
  }
  if (fs::file_size(path, ec) > kMaxInputFileBytes) {
    return fmt::format(" (over the {} GiB limit for an input file)", kMaxInputFileBytes >> 30);
  }
  return "";
}

FileReader disk_reader() {
  return [](const std::string& path) -> std::optional<std::string> {
    // Regular files only, of a bounded size: a FIFO would block for ever and a device
    // such as /dev/zero would fill the memory.
    if (!why_unreadable(path).empty()) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(text).str();
  };
}

// ---- Document ----

Document Document::load(const std::string& path, const FileReader& reader) {
  const auto text = reader(path);
  if (!text) throw ScenarioError(path, "", "cannot read the scenario file" + why_unreadable(path));
  return from_text(*text, path, reader);
}

Document Document::from_text(const std::string& text, const std::string& label,
                             const FileReader& reader) {
  std::vector<std::string> chain{std::filesystem::path(label).lexically_normal().string()};
  Loaded loaded = load_chain(text, label, reader, chain);
  Document d;
  d.doc_ = std::move(loaded.doc);
  d.path_ = label;
  d.reader_ = reader;
  d.origin_ = std::move(loaded.origin);
  // The lookup owns a snapshot of the origins rather than pointing into this object, so
  // that Document stays safe to move and copy.
  d.file_of_ = make_file_of(d.origin_);
  return d;
}

void Document::apply_override(const std::string& assignment) {
  const auto fail = [&](const std::string& why) -> void {
    throw ScenarioError("", "", fmt::format("--set '{}': {}", escape_text(assignment, 120), why));
  };
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos) {
    fail("expected PATH=VALUE, like workload.size=\"2 GiB\" or /topology/gpus=16");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  std::vector<std::string> tokens;
  std::string why;
  if (!split_path(path, tokens, why)) fail(why);
  if (tokens.front() == "extends") {
    fail("'extends' is resolved when the file is read; it cannot be set from the command line");
  }

  // The value: JSON when it parses as JSON (16, true, [1,2], "x"), else the text itself.
  nlohmann::json value;
  if (!try_parse_json(text, value)) value = text;

  nlohmann::json* node = &doc_;
  std::string pointer;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    const std::string where = pointer.empty() ? "the top level" : "'" + pointer + "'";
    if (node->is_object()) {
      pointer = child_pointer(pointer, token);
      if (last) {
        (*node)[token] = std::move(value);
        break;
      }
      if (!node->contains(token)) {
        (*node)[token] = nlohmann::json::object();
        origin_[pointer] = kOverrideOrigin;  // created here, so any complaint is ours
      }
      node = &(*node)[token];
    } else if (node->is_array()) {
      // "-" (RFC 6901) or the current size appends; other indices must exist.
      std::optional<size_t> index = token == "-" ? std::optional(node->size()) : parse_index(token);
      if (!index) fail(fmt::format("{} is an array; '{}' is not an index", where, token));
      if (*index > node->size() || (*index == node->size() && !last)) {
        fail(fmt::format("{} has {} elements; index {} is out of range", where, node->size(),
                         *index));
      }
      pointer = child_pointer(pointer, *index);
      if (last) {
        if (*index == node->size()) {
          node->push_back(std::move(value));
        } else {
          (*node)[*index] = std::move(value);
        }
        break;
      }
      node = &(*node)[*index];
    } else {
      fail(fmt::format("{} is {}, which has no member '{}'", where, describe_value(*node),
                       escape_text(token)));
    }
  }
  erase_below(origin_, pointer);
  origin_[pointer] = kOverrideOrigin;
  file_of_ = make_file_of(origin_);
}

std::string Document::base_dir_of(const std::string& pointer) const {
  const std::string file = origin_of(origin_, pointer);
  if (file == kOverrideOrigin) return {};  // typed on the command line: relative to the cwd
  return parent_dir(file);
}

}  // namespace roshni::scenario
