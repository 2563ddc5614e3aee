#!/usr/bin/env bash
# Builds a fuzz target (clang, libFuzzer + ASan + UBSan) in the sanitizer build,
# build-asan/ (tools/build.sh sanitize: the tests' libraries are the fuzzer's), and runs a
# bounded campaign on it. Exits non-zero if the fuzzer finds a crash, leak, hang or
# out-of-memory; the input that triggered it is left in build-asan/fuzz-artifacts/ (the
# scenario target) or build-asan/fuzz-artifacts/<target>/.
#
#   tools/fuzz.sh [SECONDS] [scenario|report|goal|chakra]   # default 60 s, the scenario parser
#
#   scenario   scenario_fuzz: the scenario front end (fuzz/scenario_fuzz.cpp)
#   report     report_fuzz: the report reader of check and compare (fuzz/report_fuzz.cpp)
#   goal       goal_fuzz: the GOAL schedule reader (fuzz/goal_fuzz.cpp)
#   chakra     chakra_fuzz: the Chakra execution-trace reader (fuzz/chakra_fuzz.cpp)
#
# The campaign starts from the target's seed corpus (fuzz/corpus/, fuzz/corpus-report/ or
# fuzz/corpus-goal/ or fuzz/corpus-chakra/, read-only) plus whatever earlier campaigns found (build-asan/fuzz-corpus/ or
# build-asan/fuzz-corpus-report/, where new inputs are written).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/fuzz.sh [SECONDS] [scenario|report|goal|chakra]" >&2
  exit 2
}
seconds="${1:-60}"
target="${2:-scenario}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then usage; fi
case "$target" in
  scenario)
    binary=scenario_fuzz seeds=fuzz/corpus found=fuzz-corpus suffix=""
    dict=(-dict=fuzz/scenario.dict) ;;
  report)
    binary=report_fuzz seeds=fuzz/corpus-report found=fuzz-corpus-report suffix="-report"
    dict=() ;;
  goal)
    binary=goal_fuzz seeds=fuzz/corpus-goal found=fuzz-corpus-goal suffix="-goal"
    dict=() ;;
  chakra)
    binary=chakra_fuzz seeds=fuzz/corpus-chakra found=fuzz-corpus-chakra suffix="-chakra"
    dict=() ;;
  *) usage ;;
esac

tools/setup.sh
tools/build.sh sanitize "$binary"

out=build-asan
artifacts=$out/fuzz-artifacts${suffix:+/$target}
mkdir -p "$out/$found" "$artifacts"
# -timeout: one input taking 30 s is a hang; -rss_limit_mb: 2 GiB is an out-of-memory.
# libFuzzer's progress lines go to build-asan/fuzz.log (fuzz-report.log); the terminal
# gets the verdict.
log=$out/fuzz$suffix.log
status=0
"$out/fuzz/$binary" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
  "${dict[@]}" -artifact_prefix="$artifacts/" -print_final_stats=1 \
  "$out/$found" "$seeds" >"$log" 2>&1 || status=$?
if ((status != 0)); then
  tail -n 80 "$log" >&2
  echo "fuzz: FAILED (exit $status); the input is in $artifacts/, the log in $log" >&2
  exit "$status"
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
echo "fuzz: $binary: no crash, leak, hang or out-of-memory in ${seconds} s"
