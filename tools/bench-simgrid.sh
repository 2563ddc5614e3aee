#!/usr/bin/env bash
# Roshni and SimGrid back to back on the same flows and paths (docs/performance.md):
#   tools/bench-simgrid.sh skewed|ring N [REPS [SIMGRID_REPS]]
# skewed: make_trace skewed N 1 (the skewed all-to-all, bench/skewed_alltoall.h);
# ring:   make_trace ring N 1073741824 on bench/scenarios/ring_trace_star.json (N GPUs).
# Each simulator runs REPS times (default 3; SimGrid SIMGRID_REPS, default REPS), one after
# the other, timed by GNU time; the row appended to build/bench-simgrid/results.csv has the
# median wall time and peak RSS of each, the makespan difference and the worst per-flow
# relative end-time difference (tools/compare_flows). Needs the SimGrid harness:
# cmake -S . -B build -DROSHNI_SIMGRID=ON (Debian: libsimgrid-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=$1 n=$2 reps=${3:-3} sgreps=${4:-${3:-3}}
cmake -S . -B build -DROSHNI_SIMGRID=ON >/dev/null
tools/build.sh release roshni make_trace compare_flows roshni_simgrid >/dev/null
out=build/bench-simgrid/$kind-$n
mkdir -p "$out"
case $kind in
  skewed) build/bench/make_trace skewed "$n" 1 >"$out/scenario.json" ;;
  ring)
    build/bench/make_trace ring "$n" 1073741824 >"$out/ring.trace.json"
    sed "s/\"gpus\": 64/\"gpus\": $n/" bench/scenarios/ring_trace_star.json >"$out/scenario.json" ;;
  *) echo "usage: tools/bench-simgrid.sh skewed|ring N [REPS [SIMGRID_REPS]]" >&2; exit 2 ;;
esac
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
timed() {  # file for "wall rss" lines, then the command
  local log=$1
  shift
  /usr/bin/time -f "%e %M" -a -o "$log" "$@" >/dev/null
}
rm -f "$out"/roshni.time "$out"/simgrid.time
for ((i = 0; i < reps; ++i)); do
  timed "$out/roshni.time" build/roshni run "$out/scenario.json" -q -o "$out/roshni"
done
for ((i = 0; i < sgreps; ++i)); do
  timed "$out/simgrid.time" build/bench/simgrid/roshni_simgrid "$out/scenario.json" -o "$out/simgrid.csv"
done
build/compare_flows "$out/roshni/flows.csv" "$out/simgrid.csv" | tee "$out/compare.txt"
flows=$(awk '/^flows/ {print $2}' "$out/compare.txt")
mrel=$(awk '/^makespan difference/ {print $3}' "$out/compare.txt")
wrel=$(awk '/^worst per-flow/ {print $4}' "$out/compare.txt")
rw=$(cut -d' ' -f1 "$out/roshni.time" | median); rm_=$(cut -d' ' -f2 "$out/roshni.time" | median)
sw=$(cut -d' ' -f1 "$out/simgrid.time" | median); sm=$(cut -d' ' -f2 "$out/simgrid.time" | median)
results=build/bench-simgrid/results.csv
[[ -f $results ]] || echo "case,ranks,flows,roshni_wall_s,roshni_rss_kb,roshni_runs,simgrid_wall_s,simgrid_rss_kb,simgrid_runs,makespan_rel,worst_flow_rel" >"$results"
echo "$kind,$n,$flows,$rw,$rm_,$reps,$sw,$sm,$sgreps,$mrel,$wrel" | tee -a "$results"
echo "runs (wall s, peak RSS KB): roshni $(tr '\n' ';' <"$out/roshni.time") simgrid $(tr '\n' ';' <"$out/simgrid.time")"
