#!/usr/bin/env bash
# Builds the scenario fuzzer (clang, libFuzzer + ASan + UBSan) in the sanitizer build,
# build-asan/ (tools/build.sh sanitize: the tests' libraries are the fuzzer's), and runs a
# bounded campaign on it. Exits non-zero if the fuzzer finds a crash, leak, hang or
# out-of-memory; the input that triggered it is left in build-asan/fuzz-artifacts/.
#
#   tools/fuzz.sh [SECONDS]        # default 60
#
# The campaign starts from the seed corpus in fuzz/corpus/ (read-only) plus whatever
# earlier campaigns found (build-asan/fuzz-corpus/, where new inputs are written).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: tools/fuzz.sh [SECONDS]" >&2
  exit 2
fi

tools/setup.sh
tools/build.sh sanitize scenario_fuzz

out=build-asan
mkdir -p "$out/fuzz-corpus" "$out/fuzz-artifacts"
# -timeout: one input taking 30 s is a hang; -rss_limit_mb: 2 GiB is an out-of-memory.
# libFuzzer's progress lines go to build-asan/fuzz.log; the terminal gets the verdict.
log=$out/fuzz.log
status=0
"$out/fuzz/scenario_fuzz" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
  -dict=fuzz/scenario.dict -artifact_prefix="$out/fuzz-artifacts/" -print_final_stats=1 \
  "$out/fuzz-corpus" fuzz/corpus >"$log" 2>&1 || status=$?
if ((status != 0)); then
  tail -n 80 "$log" >&2
  echo "fuzz: FAILED (exit $status); the input is in $out/fuzz-artifacts/, the log in $log" >&2
  exit "$status"
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
echo "fuzz: no crash, leak, hang or out-of-memory in ${seconds} s"

