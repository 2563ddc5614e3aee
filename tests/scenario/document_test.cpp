// Reading scenario documents: "extends" chains and their deep merge, which file each
// value came from, malformed JSON, and --set overrides. Files live in an in-memory
// FileReader, so the tests say exactly which files exist.
#include "roshni/scenario/document.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "roshni/core/error.h"
#include "scenario/json_text.h"
#include "scenario/support.h"

namespace roshni::scenario {
namespace {

using testing::error_of;
using testing::memory;

using nlohmann::json;


bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const std::string kBase = R"({
  "topology": {"kind": "star", "gpus": 8,
               "link": {"bandwidth": "400 Gbps", "latency": "150 ns"}},
  "workload": {"kind": "all_reduce", "size": "1 GiB", "ranks": ["gpu0", "gpu1", "gpu2"]}
})";

// derived extends base: objects merge key by key (topology keeps kind and
// link.bandwidth from the base, takes gpus and link.latency from derived); arrays and
// scalars replace (ranks becomes exactly derived's two).
TEST(Document, ExtendsDeepMergesObjectsAndReplacesArraysAndScalars) {
  const auto reader = memory({
      {"cfg/base.json", kBase},
      {"cfg/derived.json", R"({"extends": "base.json", "name": "big",
         "topology": {"gpus": 16, "link": {"latency": "1 us"}},
         "workload": {"ranks": ["gpu3", "gpu4"]}})"},
  });
  const Document d = Document::load("cfg/derived.json", reader);
  const json expected = json::parse(R"({
    "name": "big",
    "topology": {"kind": "star", "gpus": 16,
                 "link": {"bandwidth": "400 Gbps", "latency": "1 us"}},
    "workload": {"kind": "all_reduce", "size": "1 GiB", "ranks": ["gpu3", "gpu4"]}
  })");
  EXPECT_EQ(d.json(), expected);  // "extends" itself is consumed
  EXPECT_EQ(d.path(), "cfg/derived.json");
}

// A three-file chain, with the middle file in another directory: each "extends" is
// relative to the file that wrote it, and the most derived value wins.
TEST(Document, ExtendsChainIsRelativeToEachIncludingFile) {
  const auto reader = memory({
      {"a/top.json", R"({"extends": "../b/mid.json", "seed": 3})"},
      {"b/mid.json", R"({"extends": "lib/root.json", "seed": 2, "name": "mid"})"},
      {"b/lib/root.json", R"({"seed": 1, "name": "root", "description": "from root"})"},
  });
  const Document d = Document::load("a/top.json", reader);
  EXPECT_EQ(d.json(), json::parse(R"({"seed": 3, "name": "mid", "description": "from root"})"));
  // Where each value came from, as error messages will report it.
  EXPECT_EQ(d.root().at("seed", "").file(), "a/top.json");
  EXPECT_EQ(d.root().at("name", "").file(), "b/mid.json");
  EXPECT_EQ(d.root().at("description", "").file(), "b/lib/root.json");
}

// A bad value that only the base file has must be blamed on the base file, even though
// the object holding it was merged from both files.
TEST(Document, ErrorInABaseValueNamesTheBaseFile) {
  const auto reader = memory({
      {"base.json", R"({"topology": {"link": {"bandwidth": "fast", "latency": "1 ns"}}})"},
      {"derived.json", R"({"extends": "base.json", "topology": {"link": {"latency": "2 ns"}}})"},
  });
  const Document d = Document::load("derived.json", reader);
  const JsonNode link = d.root().at("topology", "").at("link", "");
  const auto e = error_of([&] { link.at("bandwidth", "").as_data_rate(); });
  EXPECT_EQ(e.file(), "base.json");
  EXPECT_EQ(e.pointer(), "/topology/link/bandwidth");
  EXPECT_TRUE(contains(e.message(), "\"fast\"")) << e.what();
  // The overridden latency belongs to derived.json; the merged object itself too.
  EXPECT_EQ(link.at("latency", "").file(), "derived.json");
  EXPECT_EQ(link.file(), "derived.json");
}

// A value replaced wholesale forgets what the base file had inside it.
TEST(Document, ReplacedSubtreeBelongsToTheDerivedFile) {
  const auto reader = memory({
      {"base.json", R"({"workload": {"flows": [{"id": "a"}]}})"},
      {"derived.json", R"({"extends": "base.json", "workload": {"flows": [{"id": "b"}]}})"},
  });
  const Document d = Document::load("derived.json", reader);
  EXPECT_EQ(d.root().at("workload", "").at("flows", "")[0].at("id", "").file(), "derived.json");
}

TEST(Document, ExtendsCycleIsAnError) {
  const auto reader = memory({
      {"a.json", R"({"extends": "b.json"})"},
      {"b.json", R"({"extends": "./a.json"})"},
  });
  const auto e = error_of([&] { Document::load("a.json", reader); });
  EXPECT_EQ(e.file(), "b.json");
  EXPECT_EQ(e.pointer(), "/extends");
  EXPECT_EQ(e.message(), "extends cycle: a.json -> b.json -> a.json");
  // A file that extends itself is the shortest cycle.
  const auto self = memory({{"s.json", R"({"extends": "s.json"})"}});
  EXPECT_TRUE(contains(error_of([&] { Document::load("s.json", self); }).message(), "cycle"));
}

TEST(Document, MissingFilesAreNamed) {
  const auto reader = memory({{"d/derived.json", R"({"extends": "nope.json"})"}});
  const auto top = error_of([&] { Document::load("absent.json", reader); });
  EXPECT_EQ(top.file(), "absent.json");
  EXPECT_TRUE(contains(top.message(), "cannot read"));
  // The base is named as resolved, and the error points at the "extends" that named it.
  const auto base = error_of([&] { Document::load("d/derived.json", reader); });
  EXPECT_EQ(base.file(), "d/derived.json");
  EXPECT_EQ(base.pointer(), "/extends");
  EXPECT_TRUE(contains(base.message(), "\"d/nope.json\"")) << base.what();
}

TEST(Document, ExtendsMustBeAString) {
  const auto reader = memory({{"x.json", R"({"extends": ["a.json"]})"}});
  const auto e = error_of([&] { Document::load("x.json", reader); });
  EXPECT_EQ(e.pointer(), "/extends");
  EXPECT_TRUE(contains(e.message(), "got an array")) << e.what();
}

// Line 3, column 15 is where the parser stopped: the unquoted word after "gpus": .
TEST(Document, MalformedJsonGivesLineAndColumn) {
  const std::string text = "{\n  \"topology\": {\n    \"gpus\": eight\n  }\n}\n";
  const auto e = error_of([&] { Document::from_text(text, "bad.json", memory({})); });
  EXPECT_EQ(e.file(), "bad.json");
  EXPECT_EQ(e.pointer(), "");
  EXPECT_TRUE(contains(e.message(), "malformed JSON at line 3, column")) << e.what();
  // Truncated input and a trailing comma are malformed too.
  EXPECT_TRUE(
      contains(error_of([&] { Document::from_text("{\"a\": 1", "t.json", memory({})); }).message(),
               "malformed JSON"));
  EXPECT_TRUE(contains(
      error_of([&] { Document::from_text("{\"a\": 1,}", "t.json", memory({})); }).message(),
      "malformed JSON"));
}

TEST(Document, TopLevelMustBeAnObject) {
  const auto e = error_of([&] { Document::from_text("[1, 2]", "arr.json", memory({})); });
  EXPECT_EQ(e.message(), "expected a JSON object at the top level, got an array");
}

// JSON allows a key twice and most parsers keep the last; a scenario would then
// silently lose the first value, so it is an error at the repeated key.
TEST(Document, DuplicateKeyIsAnError) {
  const auto e = error_of([&] {
    Document::from_text(R"({"topology": {"gpus": 8, "gpus": 16}})", "dup.json", memory({}));
  });
  EXPECT_EQ(e.file(), "dup.json");
  EXPECT_EQ(e.pointer(), "/topology/gpus");
  EXPECT_TRUE(contains(e.message(), "appears twice")) << e.what();
}

TEST(Document, NestingIsBounded) {
  const std::string deep = "{\"a\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  const auto e = error_of([&] { Document::from_text(deep, "deep.json", memory({})); });
  EXPECT_TRUE(contains(e.message(), "nested deeper than")) << e.what();
}

Document base_document() { return Document::from_text(kBase, "s/base.json", memory({})); }

// --set values are JSON when they parse as JSON (16 is a number), else strings
// ("2 GiB" with its space), and the value then belongs to "--set".
TEST(Document, SetNumberAndStringWithSpaces) {
  Document d = base_document();
  d.apply_override("topology.gpus=16");
  d.apply_override("workload.size=2 GiB");
  d.apply_override("name=\"quoted\"");
  EXPECT_EQ(d.json()["topology"]["gpus"], 16);
  EXPECT_EQ(d.json()["workload"]["size"], "2 GiB");
  EXPECT_EQ(d.json()["name"], "quoted");
  EXPECT_EQ(d.root().at("topology", "").at("gpus", "").file(), "--set");
  EXPECT_EQ(d.root().at("topology", "").at("kind", "").file(), "s/base.json");
  // Relative file names set on the command line are relative to the working directory.
  EXPECT_EQ(d.base_dir_of("/topology/gpus"), "");
  EXPECT_EQ(d.base_dir_of("/topology/kind"), "s");
}

TEST(Document, SetArrayIndexPointerFormAndNewObjects) {
  Document d = base_document();
  d.apply_override("workload.ranks.1=gpu7");    // replaces element 1
  d.apply_override("/workload/ranks/3=gpu9");   // index == size appends
  d.apply_override("/workload/ranks/-=gpu10");  // RFC 6901 "-" appends too
  d.apply_override("report.per_flow=false");    // creates the missing "report" object
  d.apply_override("/a~1b/c~0d=[1, 2]");        // "~1" is '/', "~0" is '~'
  EXPECT_EQ(d.json()["workload"]["ranks"],
            json::parse(R"(["gpu0", "gpu7", "gpu2", "gpu9", "gpu10"])"));
  EXPECT_EQ(d.json()["report"], json::parse(R"({"per_flow": false})"));
  EXPECT_EQ(d.json()["a/b"]["c~d"], json::parse("[1, 2]"));
}

TEST(Document, BadSetSyntax) {
  Document d = base_document();
  const auto check = [&](const std::string& assignment, const std::string& keyword) {
    const auto e = error_of([&] { d.apply_override(assignment); });
    EXPECT_TRUE(contains(e.what(), "--set '")) << e.what();
    EXPECT_TRUE(contains(e.what(), keyword)) << assignment << ": " << e.what();
  };
  check("topology.gpus", "expected PATH=VALUE");
  check("=5", "empty");
  check("topology..gpus=5", "empty part");
  check("topology.kind.x=1", "no member 'x'");  // through a string
  check("workload.ranks.x=1", "not an index");
  check("workload.ranks.7=gpu1", "out of range");
  check("workload.ranks.01=gpu1", "not an index");
  check("/a~2=1", "'~'");
  check("extends=other.json", "extends");
  // A failed override leaves the document as it was.
  EXPECT_EQ(d.json(), base_document().json());
}

// The FileOf lookup must survive copies and moves of the Document (it must not point
// into a Document that no longer exists).
TEST(Document, ProvenanceSurvivesCopyAndMove) {
  auto make = [] {
    Document d = Document::from_text(kBase, "m/base.json", memory({}));
    d.apply_override("topology.gpus=4");
    return d;
  };
  const Document moved = make();
  const Document copy = moved;
  EXPECT_EQ(copy.root().at("topology", "").at("gpus", "").file(), "--set");
  EXPECT_EQ(moved.root().at("workload", "").at("size", "").file(), "m/base.json");
}

}  // namespace
}  // namespace roshni::scenario

namespace roshni::scenario {
namespace {

// Pointers in messages follow RFC 6901: '~' is "~0" and '/' is "~1" inside a token; a
// control character is spelled \uXXXX so a message stays on one line.
TEST(JsonText, ChildPointersEscapeTheirTokens) {
  EXPECT_EQ(child_pointer("", "workload"), "/workload");
  EXPECT_EQ(child_pointer("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(child_pointer("/a", std::string_view("x\x01y", 3)), "/a/x\\u0001y");
  EXPECT_EQ(child_pointer("/flows", size_t{0}), "/flows/0");
  EXPECT_EQ(child_pointer("/flows", size_t{2095103}), "/flows/2095103");
  EXPECT_EQ(pointer_token("b/c~d"), "b~1c~0d");
}

}  // namespace
}  // namespace roshni::scenario
