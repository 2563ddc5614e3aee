#!/usr/bin/env bash
# Benchmarks: the Google Benchmark programs, then whole-program scale runs of `roshni run`
# timed with GNU time (wall seconds, peak resident memory). Usage: tools/bench-scale.sh [--quick]
#   ring all-reduce of 1 GiB on a star of N = 64, 256, 1024 GPUs (1024: ~2.1 million flows)
#   all-to-all of 1 MiB per pair on a 256-GPU star, replayed from a 65,280-flow trace file
#   hierarchical all-reduce of 1 GiB over 16,384 GPUs (NVLink domains of 8, k = 64 fat-tree)
#   skewed all-to-all on a leaf-spine, 64 and 128 GPUs (docs/performance.md)
#   a 1,024-rank Chakra trace: a 1,024-GPU training iteration exported, then read back
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh release roshni make_trace bench_event_queue bench_flow_model bench_topology \
  bench_collectives >/dev/null
out=build/bench-scale
mkdir -p "$out"
if [[ "${1:-}" != "--quick" ]]; then
  build/bench/bench_event_queue
  build/bench/bench_flow_model
  build/bench/bench_topology
  build/bench/bench_collectives
fi

timed() {  # label, then the command
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/log.txt" || {
    cat "$out/log.txt" >&2
    exit 1
  }
  read -r wall rss <"$out/time.txt"
  local events
  events=$(grep -o '"events": {"value": [0-9]*' "$out/$label/report.json" | grep -o '[0-9]*$')
  awk -v l="$label" -v w="$wall" -v r="$rss" -v e="$events" 'BEGIN {
    printf "%-28s %8.2f s  %8.0f MiB  %10d events  %12.0f events/s\n", l, w, r / 1024, e, e / (w > 0 ? w : 1e-3)
  }'
}

printf "%-28s %10s  %12s  %17s  %19s\n" "scale run" "wall" "peak RSS" "events" "(whole program)"
for n in 64 256 1024; do
  timed "ring-allreduce-star-$n" build/roshni run bench/scenarios/ring_star.json -q \
    --set topology.gpus=$n -o "$out/ring-allreduce-star-$n"
done
cp bench/scenarios/alltoall_star.json "$out/"
build/bench/make_trace alltoall 256 "1 MiB" >"$out/alltoall_256.trace.json"
timed "alltoall-star-256-trace" build/roshni run "$out/alltoall_star.json" -q \
  -o "$out/alltoall-star-256-trace"

# National-scale fabrics: build, route and simulate one all-to-all step (a shift
# permutation by one pod: 1024 GPUs on the k = 64 fat-tree, 4096 on the rail fabric).
cp bench/scenarios/fat_tree_65536.json bench/scenarios/rail_131072.json "$out/"
build/bench/make_trace shift 65536 "1 MiB" 1024 >"$out/shift_65536.trace.json"
build/bench/make_trace shift 131072 "1 MiB" 4096 >"$out/shift_131072.trace.json"
timed "fat-tree-65536-shift" build/roshni run "$out/fat_tree_65536.json" -q \
  -o "$out/fat-tree-65536-shift"
timed "rail-131072-shift" build/roshni run "$out/rail_131072.json" -q -o "$out/rail-131072-shift"

# A collective at scale: hierarchical all-reduce, a double binary tree between the 2,048
# domains in 4 chunks (1,179,520 flows; docs/collectives.md, "Scale").
timed "hier-allreduce-16384" build/roshni run bench/scenarios/hier_allreduce_16384.json -q \
  -o "$out/hier-allreduce-16384"

# The max-min stress case: a skewed all-to-all whose flows end at many distinct times
# (bench/skewed_alltoall.h; docs/performance.md, "Skewed all-to-all").
for n in 64 128; do
  build/bench/make_trace skewed $n 1 >"$out/skewed_$n.json"
  timed "skewed-alltoall-$n" build/roshni run "$out/skewed_$n.json" -q -o "$out/skewed-alltoall-$n"
done

# Run time that follows the work (issue 19, item 2; docs/performance.md): a tree all-reduce
# on a 4,096-GPU fat-tree whose flows form one component (16 chunks; 64 with the full
# run), and a 1,056-GPU dragonfly all-to-all, minimal and Valiant routing.
timed "tree-allreduce-4096-c16" build/roshni run bench/scenarios/tree_allreduce_4096.json -q \
  -o "$out/tree-allreduce-4096-c16"
timed "dragonfly-1056-minimal" build/roshni run bench/scenarios/dragonfly_alltoall_1056.json -q \
  -o "$out/dragonfly-1056-minimal"
timed "dragonfly-1056-valiant" build/roshni run bench/scenarios/dragonfly_alltoall_1056.json -q \
  --set topology.routing=valiant -o "$out/dragonfly-1056-valiant"
if [[ "${1:-}" != "--quick" ]]; then
  timed "tree-allreduce-4096-c64" build/roshni run bench/scenarios/tree_allreduce_4096.json -q \
    --set workload.chunks=64 -o "$out/tree-allreduce-4096-c64"
fi

# Chakra execution traces at 1,024 ranks: a training iteration exported as 1,024 ET files
# (`roshni export-chakra`), then read back, routed and checked (`validate`), and run
# (docs/workloads.md, "Chakra execution traces").
mkdir -p "$out/chakra"
cp bench/scenarios/chakra_replay_1024.json "$out/"
/usr/bin/time -f "%e %M" -o "$out/time.txt" build/roshni export-chakra -q \
  bench/scenarios/chakra_training_1024.json "$out/chakra/it." >/dev/null
read -r wall rss <"$out/time.txt"
printf "%-28s %8.2f s  %8.0f MiB  (%s MB of traces)\n" "chakra-export-1024" "$wall" "$((rss / 1024))" \
  "$(du -sm "$out/chakra" | cut -f1)"
/usr/bin/time -f "%e %M" -o "$out/time.txt" build/roshni validate "$out/chakra_replay_1024.json" \
  >"$out/log.txt"
read -r wall rss <"$out/time.txt"
printf "%-28s %8.2f s  %8.0f MiB  %s\n" "chakra-load-1024" "$wall" "$((rss / 1024))" "$(cat "$out/log.txt")"
timed "chakra-replay-1024" build/roshni run "$out/chakra_replay_1024.json" -q --no-trace \
  -o "$out/chakra-replay-1024"

# National scale: training iterations with one data-parallel replica standing for all
# (docs/models/scale.md, issue 20's targets), then the fold's error at 4,096 GPUs against
# the expanded run (every replica simulated: ~1 minute and 4.3 GB with D-mod-K, ~3
# minutes with ECMP; skipped with --quick).
for s in llama3_405b_16384 llama3_405b_131072 llama3_70b_16384 llama3_70b_4096; do
  timed "$s" build/roshni run "bench/scenarios/$s.json" -q --no-trace -o "$out/$s"
done
if [[ "${1:-}" != "--quick" ]]; then
  for routing in dmodk ecmp; do
    for simulate in one_replica all_replicas; do
      # ECMP's replicas are not copies: the fold runs there only as a lower bound.
      as=$simulate
      [[ $routing == ecmp && $simulate == one_replica ]] && as=one_replica_lower_bound
      timed "llama3-70b-4096-$routing-$simulate" build/roshni run bench/scenarios/llama3_70b_4096.json \
        -q --no-trace --set topology.routing=$routing --set workload.simulate=$as \
        -o "$out/llama3-70b-4096-$routing-$simulate"
    done
    awk -v r="$routing" '/"makespan"/ { gsub(/[^0-9.e-]/, "", $3); t[FILENAME] = $3 }
      END { for (f in t) if (f ~ /one_replica/) one = t[f]; else all = t[f];
            printf "  fold error (%s): %+.3f %% (one replica %.6f s, all %.6f s)\n", r,
                   100 * (one / all - 1), one, all }' \
      "$out/llama3-70b-4096-$routing-one_replica/report.json" \
      "$out/llama3-70b-4096-$routing-all_replicas/report.json"
  done
fi
