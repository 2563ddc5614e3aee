// Broken scenarios through the real CLI: `roshni validate FILE` must exit 1 and print
// exactly one line, "error: FILE:POINTER: message", naming the file the bad value is in
// and the JSON pointer of the value to fix. One row per kind of mistake; each row
// writes its files into a fresh directory, so what it tests is all on the row.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "chakra_et.h"
#include "e2e/cli.h"

namespace roshni {
namespace {

struct BadCase {
  std::string name;                          // also the test's name
  std::string scenario;                      // written to s.json (unless `main` differs)
  std::map<std::string, std::string> files;  // other files next to it
  std::string args;                          // extra command-line words
  std::string where;    // expected "FILE:POINTER" (FILE relative to the case directory),
                        // or, for a bad --set, the start of the message
  std::string keyword;  // a phrase the message must contain
  std::string main = "s.json";
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }

// Pieces of valid scenarios that the rows below break one at a time.
const std::string kStar =
    R"("topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps", "latency": "1 us"}})";
const std::string kAllReduce = R"("workload": {"kind": "all_reduce", "size": "1 GiB"})";
// gpu0 - sw0 - gpu1
const std::string kExplicit = R"("topology": {"kind": "explicit",
    "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
              {"name": "sw0", "kind": "switch"}],
    "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "400 Gbps"},
              {"a": "sw0", "b": "gpu1", "bandwidth": "400 Gbps"}]})";

std::string star_with(const std::string& workload) { return "{" + kStar + ", " + workload + "}"; }
std::string explicit_with(const std::string& flows) {
  return "{" + kExplicit + R"(, "workload": {"kind": "flow_trace", "flows": [)" + flows + "]}}";
}
const std::string kFlow = R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB"})";

// A small MoE served on the 4-GPU star: prefill on gpu0, the decode pool `decode` after it.
std::string serving_with(const std::string& decode, const std::string& input = "100") {
  return star_with(R"("workload": {"kind": "serving", "accelerator": "h100-sxm",
      "model": {"layers": 4, "dense_layers": 1, "hidden": 1024, "heads": 8, "vocabulary": 1000,
                "dense_ffn": 4096, "experts": 8, "top_k": 2, "expert_ffn": 512},
      "prefill": {"gpus": 1, "batch": 1}, )" + decode + R"(, "input_tokens": )" + input +
                   R"(, "output_tokens": 10})");
}

// gpu0 - sw0 - gpu1 and `extra` unlinked switches x0, x1, ..., each with a role of its own.
std::string explicit_with_roles(int extra) {
  std::string nodes = R"({"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"},
                         {"name": "sw0", "kind": "switch"})";
  for (int i = 0; i < extra; ++i) {
    nodes += R"(, {"name": "x)" + std::to_string(i) + R"(", "kind": "switch", "role": "r)" +
             std::to_string(i) + R"("})";
  }
  return R"({"topology": {"kind": "explicit", "nodes": [)" + nodes + R"(],
    "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "400 Gbps"},
              {"a": "sw0", "b": "gpu1", "bandwidth": "400 Gbps"}]}, )" + kAllReduce + "}";
}

// The 10,080-GPU reliability scenario with `reliability` merged over its section.
std::string reliability_with(const std::string& reliability) {
  return R"({"extends": {"file": ")" + std::string(ROSHNI_SOURCE_DIR) +
         R"(/scenarios/reliability/cpo.json"}, "reliability": )" + reliability + "}";
}

namespace et = roshni::testing::chakra;
const std::string kChakra1 = R"("workload": {"kind": "chakra", "prefix": "x.", "ranks": 1})";
std::string chakra_ok() { return et::file({et::comp(1, 1)}); }

// A three-block direct_connect fabric with `rest` (uplinks, layer, circuits) and one flow.
std::string direct_connect_with(const std::string& rest) {
  return R"({"topology": {"kind": "direct_connect", "blocks": 3, "gpus_per_block": 1,
      "link": {"bandwidth": "400 Gbps"}, "uplink": {"bandwidth": "400 Gbps"}, )" + rest + R"(},
    "workload": {"kind": "flow_trace", "flows": [{"src": "gpu0_0", "dst": "gpu1_0", "size": "1 MiB"}]}})";
}

// One row per case, kept on as few lines as the JSON allows.
// clang-format off
const std::vector<BadCase> kCases = {
    // ---- files and JSON ----
    {"MalformedJson", R"({"topology": {"kind": "star",}})", {}, "", "s.json:/",
     "malformed JSON at line 1"},
    {"MissingFile", "", {}, "", "absent.json:/", "cannot read", "absent.json"},
    {"TopLevelNotObject", "[1, 2]", {}, "", "s.json:/", "expected a JSON object"},
    {"DmodkOnRailLeaves",
     R"({"topology": {"kind": "rail_optimized", "tiers": 2, "radix": 8, "gpus": 16, "gpus_per_server": 4,
         "routing": "dmodk", "link": {"bandwidth": "400 Gbps"}}, )" + kAllReduce + "}", {}, "",
     "s.json:/topology/routing", "routes fat_tree fabrics only"},
    {"DuplicateJsonKey",
     R"({"topology": {"kind": "star", "gpus": 4, "gpus": 8}, )" + kAllReduce + "}", {}, "",
     "s.json:/topology/gpus", "appears twice"},
    {"ExtendsFileMissing", R"({"extends": "base.json"})", {}, "", "s.json:/extends",
     "cannot read the file it extends"},
    {"ExtendsCycle", R"({"extends": "a.json"})", {{"a.json", R"({"extends": "s.json"})"}}, "",
     "a.json:/extends", "extends cycle"},
    {"ErrorInBaseFileNamesBaseFile", R"({"extends": "base.json", "seed": 2})",
     {{"base.json", R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "fast"}}, )" +
                        kAllReduce + "}"}},
     "", "base.json:/topology/link/bandwidth", "expected a data rate"},
    // ---- --set ----
    {"BadSetSyntax", star_with(kAllReduce), {}, "--set topology.gpus", "--set 'topology.gpus'",
     "expected PATH=VALUE"},
    {"SetThroughScalar", star_with(kAllReduce), {}, "--set topology.kind.x=1",
     "--set 'topology.kind.x=1'", "no member 'x'"},
    {"BadSetValue", star_with(kAllReduce), {}, "--set 'topology.link.bandwidth=fast'",
     "--set:/topology/link/bandwidth", "expected a data rate"},
    // ---- top level ----
    {"UnsupportedSchema", R"({"schema": 2, )" + kStar + ", " + kAllReduce + "}", {}, "",
     "s.json:/schema", "unsupported schema 2"},
    {"UnknownKeyTopLevel",
     R"({"topolgy": {"kind": "star"}, )" + kAllReduce + "}", {}, "", "s.json:/topolgy",
     "did you mean 'topology'"},
    {"MissingTopology", "{" + kAllReduce + "}", {}, "", "s.json:/", "missing 'topology'"},
    {"MissingWorkload", "{" + kStar + "}", {}, "", "s.json:/", "missing 'workload'"},
    {"SeedOutOfRange", R"({"seed": -1, )" + kStar + ", " + kAllReduce + "}", {}, "",
     "s.json:/seed", "expected an integer"},
    {"UnknownNetworkModel", R"({"network": {"model": "pakcet"}, )" + kStar + ", " + kAllReduce + "}",
     {}, "", "s.json:/network/model", "unknown network model 'pakcet'"},
    // ---- topology ----
    {"UnknownTopologyKind", R"({"topology": {"kind": "stra", "gpus": 4}, )" + kAllReduce + "}",
     {}, "", "s.json:/topology/kind", "did you mean 'star'"},
    {"UnknownKeyNested",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwith": "400 Gbps"}}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/link/bandwith", "did you mean 'bandwidth'"},
    {"WrongType", R"({"topology": {"kind": "star", "gpus": "4", "link": {"bandwidth": "1 Gbps"}}, )" +
                      kAllReduce + "}",
     {}, "", "s.json:/topology/gpus", "expected an integer"},
    {"NonIntegerGpus",
     R"({"topology": {"kind": "star", "gpus": 8.5, "link": {"bandwidth": "1 Gbps"}}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/gpus", "expected an integer from 1 to 16777216, got 8.5"},
    {"MissingUnit",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400"}}, )" + kAllReduce +
         "}",
     {}, "", "s.json:/topology/link/bandwidth", "with a unit, like \"400 Gbps\""},
    {"NumberWithoutUnit",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": 400}}, )" + kAllReduce + "}",
     {}, "", "s.json:/topology/link/bandwidth", "with a unit"},
    {"UnknownUnit",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbs"}}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/link/bandwidth", "did you mean 'Gbps'"},
    {"UnitOfWrongKind",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1 GiB"}}, )" + kAllReduce +
         "}",
     {}, "", "s.json:/topology/link/bandwidth", "'GiB' is a data size; expected a data rate"},
    {"ZeroBandwidth",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "0 Gbps"}}, )" + kAllReduce +
         "}",
     {}, "", "s.json:/topology/link/bandwidth", "greater than zero"},
    {"NegativeLatency",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1 Gbps", "latency": "-5 ns"}}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/link/latency", "must not be negative"},
    {"SwitchNamedLikeAGpu",
     R"({"topology": {"kind": "star", "gpus": 4, "switch_name": "gpu2", "link": {"bandwidth": "1 Gbps"}}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/switch_name", "also the name of a GPU"},
    {"DanglingLinkEndpoint",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "sw0", "kind": "switch"}],
         "links": [{"a": "gpu0", "b": "sw1", "bandwidth": "1 Gbps"}]}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/links/0/b", "unknown node 'sw1', did you mean 'sw0'"},
    {"LinkToItself",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "gpu"}],
         "links": [{"a": "gpu0", "b": "gpu0", "bandwidth": "1 Gbps"}]}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/links/0/b", "two different nodes"},
    {"DuplicateNodeName",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu0", "kind": "switch"}],
         "links": []}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/nodes/1/name", "duplicate node name 'gpu0'"},
    {"EmptyNodes", R"({"topology": {"kind": "explicit", "nodes": [], "links": []}, )" + kAllReduce + "}",
     {}, "", "s.json:/topology/nodes", "empty"},
    {"NoGpuNodes",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "sw0", "kind": "switch"}], "links": []}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/nodes", "no node has kind 'gpu'"},
    {"UnknownNodeKind",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "GPU"}], "links": []}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/topology/nodes/0/kind", "did you mean 'gpu'"},
    // ---- workload: all_reduce ----
    {"UnknownWorkloadKind", star_with(R"("workload": {"kind": "allreduce", "size": "1 GiB"})"), {},
     "", "s.json:/workload/kind", "did you mean 'all_reduce'"},
    {"UnknownAlgorithm",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "rign", "size": "1 GiB"})"), {},
     "", "s.json:/workload/algorithm", "unknown all-reduce algorithm 'rign', did you mean 'ring'"},
    {"NegativeSize", star_with(R"("workload": {"kind": "all_reduce", "size": "-1 GiB"})"), {}, "",
     "s.json:/workload/size", "must not be negative"},
    {"ZeroSize", star_with(R"("workload": {"kind": "all_reduce", "size": "0 B"})"), {}, "",
     "s.json:/workload/size", "greater than zero"},
    {"MissingSize", star_with(R"("workload": {"kind": "all_reduce"})"), {}, "", "s.json:/workload",
     "missing 'size': expected a data size like \"1 GiB\""},
    {"RingWithOneRank",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB", "ranks": ["gpu0"]})"), {}, "",
     "s.json:/workload/ranks", "at least 2 ranks"},
    {"DanglingRank",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB", "ranks": ["gpu0", "gpu4"]})"),
     {}, "", "s.json:/workload/ranks/1", "unknown node 'gpu4'"},
    {"RingNoRoute",
     R"({"topology": {"kind": "explicit", "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "gpu1", "kind": "gpu"}],
         "links": []}, )" +
         kAllReduce + "}",
     {}, "", "s.json:/workload", "no route from 'gpu0' to 'gpu1'"},
    // ---- workload: collectives (coll/registry.h) ----
    {"AlgorithmOfAnotherKind",
     star_with(R"("workload": {"kind": "all_gather", "algorithm": "rhd", "size": "1 GiB"})"), {},
     "", "s.json:/workload/algorithm", "'rhd' is not an algorithm for all_gather"},
    {"UnknownAlgorithmForKind",
     star_with(R"("workload": {"kind": "all_to_all", "algorithm": "pairwize", "size": "1 GiB"})"),
     {}, "", "s.json:/workload/algorithm", "did you mean 'pairwise'"},
    {"ZeroChunks",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB", "chunks": 0})"), {}, "",
     "s.json:/workload/chunks", "expected an integer from 1"},
    {"ZeroChannels",
     star_with(R"("workload": {"kind": "broadcast", "size": "1 GiB", "channels": 0})"), {}, "",
     "s.json:/workload/channels", "expected an integer from 1"},
    {"RecursiveDoublingNeedsPowerOfTwo",
     star_with(R"("workload": {"kind": "all_gather", "algorithm": "recursive_doubling",
                  "size": "1 GiB", "ranks": ["gpu0", "gpu1", "gpu2"]})"),
     {}, "", "s.json:/workload/ranks", "needs a power-of-two number of ranks, got 3"},
    {"UnknownLibrary",
     star_with(R"("workload": {"kind": "all_reduce", "library": "ncll", "size": "1 GiB"})"), {}, "",
     "s.json:/workload/library", "unknown library 'ncll', did you mean 'nccl'"},
    {"UnknownProtocol",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB",
                  "library": {"name": "nccl", "protocol": "LL129"}})"),
     {}, "", "s.json:/workload/library/protocol", "unknown protocol 'LL129', did you mean 'LL128'"},
    {"LibraryEfficiencyZero",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB",
                  "library": {"name": "nccl", "link_efficiency": {"nvlink": "0 %"}}})"),
     {}, "", "s.json:/workload/library/link_efficiency/nvlink", "above 0 %"},
    {"LibraryUnknownKey",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB",
                  "library": {"name": "nccl", "launch": "5 us"}})"),
     {}, "", "s.json:/workload/library/launch", "unknown key"},
    {"NvlsWithoutScaleUpSwitch",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "nvls", "size": "1 GiB"})"), {},
     "", "s.json:/workload/algorithm", "nvls needs an NVSwitch-like scale-up switch"},
    {"NvlsWithAProtocolItCannotRun",
     R"({"topology": {"kind": "star", "gpus": 4, "scale_up": true,
         "link": {"bandwidth": "450 GB/s"}}, "workload": {"kind": "all_reduce",
         "algorithm": "nvls", "size": "1 GiB", "library": {"name": "nccl", "protocol": "LL"}}})",
     {}, "", "s.json:/workload/library/protocol", "nvls runs only the Simple protocol, not LL"},
    {"NvlsOffInTheLibrary",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "nvls", "size": "1 GiB",
                  "library": {"name": "nccl", "nvls": false}})"),
     {}, "", "s.json:/workload/algorithm", "nvls is off in this library"},
    {"SharpWithoutARailSwitch",
     R"({"topology": {"kind": "fat_tree", "tiers": 2, "radix": 8, "gpus": 16,
         "link": {"bandwidth": "400 Gbps"}, "scale_up": {"domain_size": 8, "bandwidth": "450 GB/s"}},
         "workload": {"kind": "all_reduce", "algorithm": "hierarchical", "inter": "sharp",
                      "size": "1 GiB"}})",
     {}, "", "s.json:/workload/inter", "sharp needs, for every rail"},
    {"DomainSizeNotDividingRanks",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "hierarchical", "size": "1 GiB",
                  "domain_size": 3})"),
     {}, "", "s.json:/workload/domain_size", "4 ranks do not divide into domains of 3"},
    {"HierarchicalWithoutDomains",
     star_with(R"("workload": {"kind": "all_to_all", "algorithm": "hierarchical", "size": "1 GiB"})"),
     {}, "", "s.json:/workload", "missing 'domain_size'"},
    {"UnknownInterAlgorithm",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "hierarchical", "size": "1 GiB",
                  "domain_size": 2, "inter": "rnig"})"),
     {}, "", "s.json:/workload/inter", "unknown inter-domain algorithm 'rnig', did you mean 'ring'"},
    {"InterWithoutHierarchical",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "ring", "size": "1 GiB",
                  "inter": "rhd"})"),
     {}, "", "s.json:/workload/inter", "applies only to the hierarchical algorithm"},
    {"DimsProductNotRanks",
     star_with(R"("workload": {"kind": "all_reduce", "algorithm": "multi_dimensional",
                  "size": "1 GiB", "dims": [3, 2]})"),
     {}, "", "s.json:/workload/dims", "multiply to 6, not to the 4 ranks"},
    {"DimsWithoutMultiDimensional",
     star_with(R"("workload": {"kind": "all_reduce", "size": "1 GiB", "dims": [2, 2]})"), {}, "",
     "s.json:/workload/dims", "applies only to the multi_dimensional algorithm"},
    {"BroadcastRootNotARank",
     star_with(R"("workload": {"kind": "broadcast", "size": "1 GiB", "ranks": ["gpu0", "gpu1"],
                  "root": "gpu3"})"),
     {}, "", "s.json:/workload/root", "the root 'gpu3' is not one of the ranks"},
    {"P2pToItself",
     star_with(R"("workload": {"kind": "p2p", "size": "1 GiB", "src": "gpu1", "dst": "gpu1"})"),
     {}, "", "s.json:/workload/dst", "two different nodes"},
    {"NegativeReductionRate",
     star_with(R"("workload": {"kind": "reduce_scatter", "size": "1 GiB",
                  "reduction_rate": "-1 GB/s"})"),
     {}, "", "s.json:/workload/reduction_rate", "must not be negative"},
    {"ReductionRateOnAllGather",
     star_with(R"("workload": {"kind": "all_gather", "size": "1 GiB",
                  "reduction_rate": "100 GB/s"})"),
     {}, "", "s.json:/workload/reduction_rate", "unknown key 'reduction_rate'"},
    // ---- workload: flow_trace ----
    {"EmptyFlows", explicit_with(""), {}, "", "s.json:/workload/flows", "empty"},
    {"DanglingFlowSrc",
     explicit_with(R"({"id": "f0", "src": "gpu7", "dst": "gpu1", "size": "1 MiB"})"), {}, "",
     "s.json:/workload/flows/0/src", "unknown node 'gpu7'"},
    {"SrcEqualsDst",
     explicit_with(R"({"id": "f0", "src": "gpu1", "dst": "gpu1", "size": "1 MiB"})"), {}, "",
     "s.json:/workload/flows/0/dst", "two different nodes"},
    // Issue 15.5: 250 PB at 400 Gb/s (5e10 B/s) is 5e6 s; one after the other 1e7 s, past
    // simulated time's end (2^63 - 1 ps = 9.22e6 s): refused before the run, at the second.
    {"WorkPastTheEndOfSimulatedTime",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "250 PB"},
                      {"id": "f1", "src": "gpu0", "dst": "gpu1", "size": "250 PB", "after": ["f0"]})"),
     {}, "", "s.json:/workload/flows/1", "cannot end within Roshni's simulated time"},
    // Issue 16.2: limits that were asserts deep in the build or the run. Roles share a
    // 16-bit table (60,000 for the scenario); a packet's hop count is 16 bits: a ring of
    // 131,072 GPUs puts gpu65536 65,536 hops from gpu0.
    {"TooManyRoles", explicit_with_roles(60'001), {}, "", "s.json:/topology/nodes/60003/role",
     "more than 60000 distinct roles"},
    {"PacketPathPast16BitHops",
     R"({"topology": {"kind": "ring", "gpus": 131072, "link": {"bandwidth": "400 Gbps"}},
         "network": {"model": "packet"},
         "workload": {"kind": "p2p", "size": "1 MiB", "src": "gpu0", "dst": "gpu65536"}})",
     {}, "", "s.json:/workload", "at most 65,534 hops"},
    {"DuplicateFlowId", explicit_with(kFlow + ", " + kFlow), {}, "", "s.json:/workload/flows/1/id",
     "duplicate flow id 'f0'"},
    {"DanglingDependency",
     explicit_with(kFlow + R"(, {"id": "f1", "src": "gpu1", "dst": "gpu0", "size": "1 MiB", "after": ["f3"]})"),
     {}, "", "s.json:/workload/flows/1/after/0", "unknown flow 'f3'"},
    {"DependencyCycle",
     explicit_with(R"({"id": "a", "src": "gpu0", "dst": "gpu1", "size": "1 MiB", "after": ["b"]},
                      {"id": "b", "src": "gpu1", "dst": "gpu0", "size": "1 MiB", "after": ["a"]})"),
     {}, "", "s.json:/workload/flows/0/after", "dependency cycle: 'a' -> 'b' -> 'a'"},
    {"NoRouteDisconnected",
     R"({"topology": {"kind": "explicit",
         "nodes": [{"name": "gpu0", "kind": "gpu"}, {"name": "sw0", "kind": "switch"}, {"name": "gpu1", "kind": "gpu"}],
         "links": [{"a": "gpu0", "b": "sw0", "bandwidth": "1 Gbps"}]},
        "workload": {"kind": "flow_trace", "flows": [)" +
         kFlow + "]}}",
     {}, "", "s.json:/workload/flows/0", "no route from 'gpu0' to 'gpu1'"},
    {"PathNotConnected",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB", "path": ["gpu0", "gpu1"]})"),
     {}, "", "s.json:/workload/flows/0/path/1", "no link from 'gpu0' to 'gpu1'"},
    {"PathNotFromSrc",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB", "path": ["sw0", "gpu1"]})"),
     {}, "", "s.json:/workload/flows/0/path/0", "must start at the flow's src 'gpu0'"},
    {"UnknownFlowKey",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB", "aftr": []})"), {},
     "", "s.json:/workload/flows/0/aftr", "did you mean 'after'"},
    {"FlowsAndFile",
     "{" + kExplicit + R"(, "workload": {"kind": "flow_trace", "file": "t.json", "flows": [)" + kFlow +
         "]}}",
     {}, "", "s.json:/workload", "not both"},
    {"MissingTraceFile",
     "{" + kExplicit + R"(, "workload": {"kind": "flow_trace", "file": "trace.json"}})", {}, "",
     "s.json:/workload/file", "cannot read the flow trace file"},
    {"ErrorInsideTraceFile",
     "{" + kExplicit + R"(, "workload": {"kind": "flow_trace", "file": "trace.json"}})",
     {{"trace.json", R"({"flows": [{"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 Mbps"}]})"}},
     "", "trace.json:/flows/0/size", "'Mbps' is a data rate; expected a data size"},
    {"MalformedTraceFile",
     "{" + kExplicit + R"(, "workload": {"kind": "flow_trace", "file": "trace.json"}})",
     {{"trace.json", "{\"flows\": [\n  {\"id\": }\n]}"}}, "", "trace.json:/",
     "malformed JSON at line 2"},
    // ---- workload: chakra (ET files; errors name the file and the node) ----
    {"ChakraFileMissing", star_with(kChakra1), {}, "", "s.json:/workload/prefix", "cannot read rank 0's trace"},
    {"ChakraMoreFilesThanRanks", star_with(kChakra1),
     {{"x.0.et", chakra_ok()}, {"x.1.et", chakra_ok()}}, "", "s.json:/workload/ranks", "there is also a trace"},
    {"ChakraTruncated", star_with(kChakra1), {{"x.0.et", chakra_ok().substr(0, chakra_ok().size() - 1)}}, "",
     "x.0.et:message 1", "rank 0: the file ends inside a message"},
    {"ChakraMalformedLength", star_with(kChakra1), {{"x.0.et", et::meta() + "\xff\xff\xff\xff\xff\xff"}}, "",
     "x.0.et:message 1", "malformed message length"},
    {"ChakraUnknownNodeType", star_with(kChakra1), {{"x.0.et", et::file({et::node(4, et::pb::INVALID_NODE)})}},
     "", "x.0.et:node 4", "unknown node type INVALID_NODE"},
    {"ChakraUnknownVersion", star_with(kChakra1), {{"x.0.et", et::file({et::comp(1, 1)}, "3.1")}}, "",
     "x.0.et:metadata", "version \"3.1\" is not one this reader knows"},
    {"ChakraUnknownDependency", star_with(kChakra1), {{"x.0.et", et::file({et::comp(1, 1, {9})})}}, "",
     "x.0.et:node 1", "depends on node 9, which is not in the file"},
    {"ChakraCycle", star_with(kChakra1), {{"x.0.et", et::file({et::comp(1, 1, {2}), et::comp(2, 1, {1})})}},
     "", "x.0.et:node 1", "dependency cycle"},
    // ---- workload: goal (a GOAL schedule; errors name its file and line) ----
    {"GoalFileMissing", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"), {}, "",
     "s.json:/workload/file", "cannot read the GOAL schedule"},
    {"GoalMissingNumRanks", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "// no count\nrank 0 {\n}\n"}}, "", "x.goal:line 2", "'num_ranks N' first"},
    {"GoalUnknownOperation", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 2\nrank 0 {\n  l1: put 8b to 1\n}\n"}}, "", "x.goal:line 3",
     "rank 0, 'l1': unknown operation 'put'"},
    {"GoalBadSize", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 2\nrank 0 {\n  l1: send 1.5b to 1\n}\n"}}, "", "x.goal:line 3",
     "bad size '1.5b'"},
    {"GoalSendWithoutRecv", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 2\nrank 0 {\n  l1: send 8b to 1 tag 4\n}\n"}}, "", "x.goal:line 3",
     "rank 0, 'l1': send of 8 B to rank 1 tag 4 has no matching recv in rank 1"},
    {"GoalUnknownLabel", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 1\nrank 0 {\n  a1: calc 5\n  a1 requires a2\n}\n"}}, "",
     "x.goal:line 4", "unknown label 'a2'"},
    {"GoalCycle", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 1\nrank 0 {\n  a: calc 5\n  b: calc 5\n  a requires b\n  b requires a\n}\n"}},
     "", "x.goal:line 3", "dependency cycle: 'r0:a' -> 'r0:b' -> 'r0:a'"},
    {"GoalMoreRanksThanGpus", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 9\n"}}, "", "x.goal:line 1", "9 ranks but the topology has 4 GPUs"},
    {"GoalRankOutOfRange", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 2\nrank 3 {\n}\n"}}, "", "x.goal:line 2", "rank 3 is not below num_ranks 2"},
    {"GoalDuplicateLabel", star_with(R"("workload": {"kind": "goal", "file": "x.goal"})"),
     {{"x.goal", "num_ranks 1\nrank 0 {\n  a: calc 5\n  a: calc 6\n}\n"}}, "", "x.goal:line 4",
     "duplicate label 'a' (first at line 3)"},
    {"GoalRanksListTooShort",
     star_with(R"("workload": {"kind": "goal", "file": "x.goal", "ranks": ["gpu1"]})"),
     {{"x.goal", "num_ranks 2\n"}}, "", "s.json:/workload/ranks", "says num_ranks is 2"},
    {"UnknownReportKey", R"({"report": {"per_flows": true}, )" + kStar + ", " + kAllReduce + "}",
     {}, "", "s.json:/report/per_flows", "did you mean 'per_flow'"},
    // ---- energy, heat, facility ----
    {"EnergyNegativeWatts", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "links": {"static_power": "-5 W"}}})", {}, "",
     "s.json:/energy/links/static_power", "must not be negative"},
    {"EnergyNegativeHostPower", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "host_power": "-150 W"}})", {}, "",
     "s.json:/energy/host_power", "must not be negative"},
    {"EnergyHostPowerWrongUnit", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "host_power": "150 J"}})", {}, "",
     "s.json:/energy/host_power", "expected a power"},
    {"EnergyUnknownModel", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"model": "photonik", "accelerator": "h100-sxm"}})", {}, "",
     "s.json:/energy/model", "did you mean 'photonic'"},
    {"EnergyUnknownAccelerator", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100"}})", {}, "",
     "s.json:/energy/accelerator", "unknown accelerator 'h100'"},
    {"EnergySwitchPartTooFewPorts", R"({"topology": {"kind": "star", "gpus": 100, "link": {"bandwidth": "400 Gbps"}}, )" + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}})", {}, "",
     "s.json:/energy/switches", "has 100 ports but the part 'th5-51t-64x800g' has only 64"},
    {"EnergyNoSwitchPart", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm"}})", {}, "",
     "s.json:/energy", "no packet switch part"},
    {"ThermalUnknownModel", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "lumped"}})", {}, "",
     "s.json:/thermal/model", "unknown thermal model 'lumped'"},
    {"ThermalZeroConductance", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "rc", "gpu": {"conductance": "0 W/K"}}})", {}, "",
     "s.json:/thermal/gpu/conductance", "greater than zero"},
    {"ThermalWrongUnit", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"supply_temperature": "35 C"}})", {}, "",
     "s.json:/thermal/supply_temperature", "unknown unit 'C'"},
    {"FacilityPueBelowOne", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"pue": 0.9, "tariff": {"amount": 0.08, "currency": "USD"}}})", {}, "",
     "s.json:/facility/pue", "at least 1"},
    {"FacilitySolarShareOverOne", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"share": "120 %"}}})", {}, "",
     "s.json:/facility/solar/share", "at most 100 %"},
    {"FacilityUnknownSite", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "pk-grid"}})", {}, "",
     "s.json:/facility/site", "unknown facility site"},
    {"FacilityCurrencyWithoutRate", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"tariff": {"amount": 34, "currency": "PKR"}}})", {}, "",
     "s.json:/facility", "needs 'per_usd'"},
    {"FacilitySolarProfileShort", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"capacity": "5 MW", "profile": [0, 1]}}})", {}, "",
     "s.json:/facility/solar/profile", "24 hourly capacity factors"},
    // Issue 17.5: prices by part name must name a part of the bill.
    {"EnergyPriceOfAnAbsentPart", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "prices": {"th5-51t-128x400g": {"amount": 1, "currency": "USD"}}}})", {}, "",
     "s.json:/energy/prices/th5-51t-128x400g", "not a part in this cluster's bill of materials"},
    {"EnergyPriceInEuros", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g", "prices": {"nic": {"amount": 1, "currency": "EUR"}}}})", {}, "",
     "s.json:/energy/prices/nic/currency", "part prices are in \"USD\""},
    // Issue 17.2: on-site solar's LCOE and battery.
    {"FacilityBatteryWithAFixedShare", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"share": "20 %", "battery": {"energy": "1 MWh", "power": "1 MW"}}}})", {}, "",
     "s.json:/facility/solar/battery", "needs the solar 'capacity'"},
    {"FacilityBatteryWithoutPower", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"capacity": "1 MW", "profile": [0,0,0,0,0,0,0.2,0.4,0.6,0.8,0.9,1,1,0.9,0.8,0.6,0.4,0.2,0,0,0,0,0,0], "battery": {"energy": "1 MWh"}}}})", {}, "",
     "s.json:/facility/solar/battery", "'power'"},
    {"FacilityBatteryOfZeroEnergy", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"capacity": "1 MW", "profile": [0,0,0,0,0,0,0.2,0.4,0.6,0.8,0.9,1,1,0.9,0.8,0.6,0.4,0.2,0,0,0,0,0,0], "battery": {"energy": "0 MWh", "power": "1 MW"}}}})", {}, "",
     "s.json:/facility/solar/battery/energy", "more than 0 J"},
    {"FacilityBatteryEfficiencyOverOne", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"capacity": "1 MW", "profile": [0,0,0,0,0,0,0.2,0.4,0.6,0.8,0.9,1,1,0.9,0.8,0.6,0.4,0.2,0,0,0,0,0,0], "battery": {"energy": "1 MWh", "power": "1 MW", "round_trip_efficiency": "120 %"}}}})", {}, "",
     "s.json:/facility/solar/battery/round_trip_efficiency", "at most 100 %"},
    {"FacilitySolarLcoeInAThirdCurrency", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "pk-grid-industrial-2025", "solar": {"share": "20 %", "lcoe": {"amount": 0.04, "currency": "EUR"}}}})", {}, "",
     "s.json:/facility/solar/lcoe/currency", "\"USD\" or the tariff's currency \"PKR\""},
    {"FacilitySolarWithoutShareOrCapacity", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "solar": {"lcoe": {"amount": 0.04, "currency": "USD"}}}})", {}, "",
     "s.json:/facility/solar", "a solar 'share'"},
    // Issue 16.1: values a double holds but no machine has, each of which aborted on an
    // assert (a non-finite figure, a singular thermal matrix) before it was bounded at load.
    // The bounds are in docs/scenario-reference.md ("Ranges").
    {"FlowOf1e308Bytes",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1e308 B"})"), {}, "",
     "s.json:/workload/flows/0/size", "a data size of at most 1 EB"},
    {"TwoFlowsOf8e307Bytes",
     explicit_with(R"({"id": "f0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB"},
                      {"id": "f1", "src": "gpu0", "dst": "gpu1", "size": "8e307 B"})"), {}, "",
     "s.json:/workload/flows/1/size", "at most 1 EB"},
    {"RateOf1e300Bps",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1e300 bps"}}, )" + kAllReduce + "}",
     {}, "", "s.json:/topology/link/bandwidth", "a data rate of at most 10 Pb/s"},
    {"RateBelowOneBitPerSecond",
     R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "1e-300 bps"}}, )" + kAllReduce + "}",
     {}, "", "s.json:/topology/link/bandwidth", "at least 1 b/s"},
    {"CoolingOf1e308Watts", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"site": "us-average", "cooling_per_rack": "1e308 W"}})", {}, "",
     "s.json:/facility/cooling_per_rack", "a power of at most 100 GW"},
    {"TariffOf1e308", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"tariff": {"amount": 1e308, "currency": "USD"}}})", {}, "",
     "s.json:/facility/tariff/amount", "a price per kWh from 0 to 1000000"},
    {"ExchangeRateOf5eMinus324", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "facility": {"tariff": {"amount": 34, "currency": "PKR"}, "per_usd": 5e-324}})", {}, "",
     "s.json:/facility/per_usd", "an exchange rate (currency units per USD) from 0.0001 to 10000000"},
    {"SupplyAt1e308Kelvin", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "rc", "supply_temperature": "1e308 K"}})", {}, "",
     "s.json:/thermal/supply_temperature", "a temperature of at most 1000 K"},
    {"HeatCapacityOf1e300MegajoulesPerKelvin", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "rc", "gpu": {"heat_capacity": "1e300 MJ/K"}}})", {}, "",
     "s.json:/thermal/gpu/heat_capacity", "a heat capacity of at most 1e13 J/K"},
    {"ConductanceOf1eMinus300WattsPerKelvin", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "rc", "gpu": {"conductance": "1e-300 W/K"}}})", {}, "",
     "s.json:/thermal/gpu/conductance", "a thermal conductance of at least 1e-6 W/K"},
    {"ConductanceOf1e300KilowattsPerKelvin", "{" + kStar + ", " + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "thermal": {"model": "rc", "rack": {"conductance": "1e300 kW/K"}}})", {}, "",
     "s.json:/thermal/rack/conductance", "a thermal conductance of at most 1e10 W/K"},
    // Issue 16.9: names go to terminals and file names: bounded, no control characters.
    {"NameWithControlCharacters", R"({"name": "a\u001b[2Jb", )" + kStar + ", " + kAllReduce + "}", {}, "",
     "s.json:/name", "must not hold control characters (here U+001B)"},
    {"NameOf100kCharacters", R"({"name": ")" + std::string(100'000, 'n') + R"(", )" + kStar + ", " + kAllReduce + "}", {}, "",
     "s.json:/name", "a scenario name of at most 200 bytes is expected, got 100000 bytes"},
    {"FlowIdWithNewline",
     explicit_with(R"({"id": "f\n0", "src": "gpu0", "dst": "gpu1", "size": "1 MiB"})"), {}, "",
     "s.json:/workload/flows/0/id", "a flow id must not hold control characters (here U+000A)"},
    // ---- topology: direct_connect (docs/topologies.md#direct_connect) ----
    {"DirectConnectMoreCircuitsThanPorts",
     direct_connect_with(R"("uplinks": 2, "ocs": {"part": "palomar-ocs-136", "count": 1},
         "circuits": [[0, 2, 1], [2, 0, 1], [1, 1, 0]])"), {}, "",
     "s.json:/topology/circuits/0", "block 0 has 3 circuits but only 2 uplink ports"},
    {"DirectConnectBlockWithoutUplinks",
     direct_connect_with(R"("uplinks": 0, "ocs": {"part": "palomar-ocs-136", "count": 1})"), {}, "",
     "s.json:/topology/uplinks", "needs at least one uplink port"},
    {"DirectConnectUnknownOcsPart",
     direct_connect_with(R"("uplinks": 2, "ocs": {"part": "palomar-ocs-999", "count": 1})"), {}, "",
     "s.json:/topology/ocs/part", "unknown optical circuit switch 'palomar-ocs-999'"},
    {"DirectConnectMorePortsThanTheOcsHas",
     direct_connect_with(R"("uplinks": 64, "ocs": {"part": "palomar-ocs-136", "count": 1})"), {}, "",
     "s.json:/topology/ocs/part", "takes 192 ports (3 blocks x 64 uplinks each); the part has 128"},
    // ---- workload: training (docs/training.md) ----
    {"TrainingTensorNotDividingHeads",
     star_with(R"("workload": {"kind": "training", "accelerator": "h100-sxm",
        "model": {"layers": 4, "hidden": 1536, "heads": 12, "vocabulary": 1000, "sequence": 512,
                  "global_batch": 8, "micro_batch": 1},
        "parallelism": {"tensor": 8, "pipeline": 1, "data": 1}})"),
     {}, "", "s.json:/workload/parallelism/tensor", "does not divide the 12 attention heads"},
    {"TrainingDegreesNotGpuCount",
     star_with(R"("workload": {"kind": "training", "accelerator": "h100-sxm",
        "model": {"layers": 4, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
                  "global_batch": 8, "micro_batch": 1},
        "parallelism": {"tensor": 2, "pipeline": 2, "data": 2}})"),
     {}, "", "s.json:/workload/parallelism", "= 8 GPUs, but the topology has 4"},
    {"TrainingBatchNotDivisible",
     star_with(R"("workload": {"kind": "training", "accelerator": "h100-sxm",
        "model": {"layers": 4, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
                  "global_batch": 6, "micro_batch": 2},
        "parallelism": {"data": 2, "tensor": 2}})"),
     {}, "", "s.json:/workload/model/global_batch", "not a multiple of micro-batch 2"},
    // Found by the scenario fuzzer (issue 16): an accelerator's peak named with a newline
    // was listed raw, making a two-line error.
    {"TrainingPeakNamedWithANewline",
     star_with(R"("workload": {"kind": "training",
        "model": {"layers": 4, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
                  "global_batch": 8, "micro_batch": 1},
        "parallelism": {"data": 4},
        "accelerator": {"name": "x", "peak_flops": {"b\nf16": "100 TFLOP/s"}, "hbm_bandwidth": "1 TB/s", "source": "test"}})"),
     {}, "", "s.json:/workload/model", "has no peak for 'bf16'; it lists 'b\\nf16'"},
    {"TrainingUnknownAccelerator",
     star_with(R"("workload": {"kind": "training", "accelerator": "h100_sxm",
        "model": {"layers": 4, "hidden": 1024, "heads": 16, "vocabulary": 1000, "sequence": 512,
                  "global_batch": 8, "micro_batch": 1},
        "parallelism": {"data": 4}})"),
     {}, "", "s.json:/workload/accelerator", "did you mean 'h100-sxm'"},
    // ---- workload: serving (docs/serving.md) ----
    {"ServingBatchZero", serving_with(R"("decode": {"gpus": 2, "batch": 0})"), {}, "",
     "s.json:/workload/decode/batch", "expected an integer from 1 to"},
    {"ServingExpertsNotDividedByThePlan", serving_with(R"("decode": {"gpus": 3, "batch": 3})"), {}, "",
     "s.json:/workload/decode", "expert parallelism 3 does not divide the 8 routed experts"},
    {"ServingKvCacheDoesNotFitHbm", serving_with(R"("decode": {"gpus": 2, "batch": 4})", "5000000"), {}, "",
     "s.json:/workload/decode/batch", "the decode pool does not fit in HBM"},
    {"ServingPoolsNeedMoreGpusThanTheTopology", serving_with(R"("decode": {"gpus": 4, "batch": 4})"), {}, "",
     "s.json:/workload", "the pools need 5 GPUs"},
    {"ServingBatchNotAMultipleOfAttentionGroups", serving_with(R"("decode": {"gpus": 2, "batch": 3})"), {}, "",
     "s.json:/workload/decode/batch", "not a multiple of the decode pool's 2 attention groups"},
    {"ServingEpOverheadNegative",
     serving_with(R"("decode": {"gpus": 2, "batch": 2}, "ep_overhead": "-1 us")"), {}, "",
     "s.json:/workload/ep_overhead", "a duration must not be negative"},
    {"ServingEpOverheadNotADuration",
     serving_with(R"("decode": {"gpus": 2, "batch": 2}, "ep_overhead": "fast")"), {}, "",
     "s.json:/workload/ep_overhead", "expected a duration like"},
    {"ServingUnknownModel",
     star_with(R"("workload": {"kind": "serving", "accelerator": "h100-sxm", "model": "deepseek-v4",
        "prefill": {"gpus": 1, "batch": 1}, "decode": {"gpus": 2, "batch": 2}, "input_tokens": 100, "output_tokens": 10})"),
     {}, "", "s.json:/workload/model", "unknown model 'deepseek-v4'"},
    {"ServingPrecisionWithoutPeak",
     star_with(R"("workload": {"kind": "serving", "accelerator": "ascend-910c", "precision": "fp8", "model": "deepseek-v3",
        "prefill": {"gpus": 1, "batch": 1}, "decode": {"gpus": 2, "batch": 2}, "input_tokens": 100, "output_tokens": 10})"),
     {}, "", "s.json:/workload/precision", "has no peak for 'fp8'"},
    {"ServingUnknownAttentionPrecision",
     serving_with(R"("decode": {"gpus": 2, "batch": 2}, "attention_precision": "bf8")"), {}, "",
     "s.json:/workload/attention_precision", "unknown attention precision 'bf8'"},
    {"ServingAttentionPrecisionNotAString",
     serving_with(R"("decode": {"gpus": 2, "batch": 2}, "attention_precision": 16)"), {}, "",
     "s.json:/workload/attention_precision", "expected a string"},
    {"ServingAttentionPrecisionWithoutPeak",
     serving_with(R"("decode": {"gpus": 2, "batch": 2}, "attention_precision": "int8")"), {}, "",
     "s.json:/workload/attention_precision", "has no peak for 'int8' to run the attention core at"},
    // ---- physical (issue 17.4): a named part of another rate used to replace the
    // link's bandwidth silently (400 Gb/s links became 800 Gb/s links) ----
    {"PhysicalPartChangesTheLinkRate", "{" + kStar + ", " + kAllReduce + R"(, "physical": {"media": "pluggable-dsp-800g-dr8"}})", {}, "",
     "s.json:/physical/media", "is 400 Gb/s (the topology's bandwidth) but 'pluggable-dsp-800g-dr8' carries 800 Gb/s"},
    {"PhysicalRolePartChangesTheLinkRate", R"({"topology": {"kind": "fat_tree", "tiers": 2, "radix": 4, "link": {"bandwidth": "400 Gbps"}}, )" + kAllReduce + R"(, "physical": {"roles": {"leaf-spine": "dac-800g-100g"}}})", {}, "",
     "s.json:/physical/roles/leaf-spine", "but 'dac-800g-100g' carries 800 Gb/s: a part must have its link's rate"},
    {"PhysicalScenarioPartChangesTheLinkRate", "{" + kStar + ", " + kAllReduce + R"(, "physical": {"media": "dac-x8", "parts": {"dac-x8": {"base": "dac-400g-100g", "lanes": 8, "rate": "800 Gbps"}}}})", {}, "",
     "s.json:/physical/media", "but 'dac-x8' carries 800 Gb/s"},
    // "use" limits what auto may pick: a 123 Gb/s part only for scale-out is no part for a
    // ring of GPUs (GPU to GPU: scale-up), one only for scale-up none for a star's NIC links.
    {"PhysicalAutoScaleOutPartOnAScaleUpLink", R"({"topology": {"kind": "ring", "gpus": 4, "link": {"bandwidth": "123 Gbps"}}, )" + kAllReduce + R"(, "physical": {"media": "auto", "parts": {"odd": {"base": "dac-400g-100g", "lanes": 1, "lane_rate": "123 Gbps", "rate": "123 Gbps", "use": "scale-out"}}}})", {}, "",
     "s.json:/physical/media", "no catalog part of 123 Gb/s for a scale-up link (parts whose catalog 'use' is scale-out only are out)"},
    {"PhysicalAutoScaleUpPartOnANicLink", R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "123 Gbps"}}, )" + kAllReduce + R"(, "physical": {"media": "auto", "parts": {"odd": {"base": "dac-400g-100g", "lanes": 1, "lane_rate": "123 Gbps", "rate": "123 Gbps", "use": ["scale-up"]}}}})", {}, "",
     "s.json:/physical/media", "no catalog part of 123 Gb/s for a scale-out link (parts whose catalog 'use' is scale-up only"},
    {"PhysicalPartUnknownUse", "{" + kStar + ", " + kAllReduce + R"(, "physical": {"media": "dac-up", "parts": {"dac-up": {"base": "dac-400g-100g", "use": ["scale-up", "scale-uot"]}}}})", {}, "",
     "s.json:/physical/parts/dac-up/use/1", "expected \"scale-up\" or \"scale-out\", got \"scale-uot\""},
    {"ReliabilityWithoutEnergy", "{" + kStar + ", " + kAllReduce + R"(, "reliability": {"work": "1 d", "checkpoint": {"write": "1 min"}, "restart": "5 min"}})", {}, "",
     "s.json:/reliability", "it needs an 'energy' section"},
    {"ReliabilityNegativeFit", reliability_with(R"({"rates": {"gpu": {"modes": [{"name": "hard", "fit": -1, "replace": "1 h"}]}}})"), {}, "",
     "s.json:/reliability/rates/gpu/modes/0/fit", "a failure rate in FIT"},
    {"ReliabilityUnknownRatesKey", reliability_with(R"({"rates": {"gpus": {"modes": [{"name": "hard", "fit": 1, "replace": "1 h"}]}}})"), {}, "",
     "s.json:/reliability/rates/gpus", "neither a class (gpu, host, nic, switch, ocs) nor a link part"},
    {"ReliabilityUnknownRepair", reliability_with(R"({"rates": {"gpu": {"modes": [{"name": "hard", "fit": 1, "replace": "1 h", "repair": "rack"}]}}})"), {}, "",
     "s.json:/reliability/rates/gpu/modes/0/repair", "expected \"unit\""},
    {"ReliabilityNoModes", reliability_with(R"({"rates": {"nic": {"modes": []}}})"), {}, "",
     "s.json:/reliability/rates/nic/modes", "a non-empty list of failure modes"},
    {"ReliabilityNegativeCheckpointWrite", reliability_with(R"({"checkpoint": {"write": "-1 s"}})"), {}, "",
     "s.json:/reliability/checkpoint/write", ""},
    {"ReliabilityZeroInterval", reliability_with(R"({"checkpoint": {"interval": "0 s"}})"), {}, "",
     "s.json:/reliability/checkpoint/interval", ""},
    {"ReliabilityJobNeverFinishes", reliability_with(R"({"spare_gpus": 0})"), {}, "",
     "s.json:/reliability", "the job would never finish"},
    {"ReliabilityLinkWithoutPart", R"({"topology": {"kind": "star", "gpus": 4, "link": {"bandwidth": "400 Gbps"}}, )" + kAllReduce + R"(, "energy": {"accelerator": "h100-sxm", "switches": "th5-51t-64x800g"}, "reliability": {"work": "1 d", "checkpoint": {"write": "1 min"}, "restart": "5 min"}})", {}, "",
     "s.json:/reliability", "has no catalog part, so its failure rate is unknown"},
};
// clang-format on

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

class BadInput : public ::testing::TestWithParam<BadCase> {};

// Every row: exit code 1; stderr is exactly one line, "error: " then where the
// problem is (file and JSON pointer), then a message with the row's keyword.
TEST_P(BadInput, FailsWithOneLineNamingFileAndPointer) {
  const BadCase& c = GetParam();
  const auto dir = testing::fresh_dir("bad-" + c.name);
  if (c.main == "s.json") write(dir / "s.json", c.scenario);
  for (const auto& [name, text] : c.files) write(dir / name, text);

  const auto r = testing::run_cli("validate " + (dir / c.main).string() + " " + c.args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not exactly one line:\n" << r.err;
  const std::string line = r.err.substr(0, r.err.find('\n'));
  const std::string where = c.where.starts_with("--set") ? c.where : (dir / c.where).string();
  EXPECT_TRUE(line.starts_with("error: " + where + (c.where.starts_with("--set '") ? "" : ": ")))
      << "expected it to start with \"error: " << where << "\":\n"
      << line;
  EXPECT_NE(line.find(c.keyword), std::string::npos) << "expected \"" << c.keyword << "\" in:\n"
                                                     << line;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Table, BadInput, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

// A usage error is exit code 2, not 1: the scenario was never read.
TEST(BadInputUsage, NoScenarioIsAUsageError) {
  EXPECT_EQ(testing::run_cli("validate").exit_code, 2);
}

}  // namespace
}  // namespace roshni
