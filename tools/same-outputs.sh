#!/usr/bin/env bash
# Byte-identical check for refactors: run every runnable scenario in scenarios/ and keep the
# outputs, then compare two such sets file by file.
#
#   tools/same-outputs.sh record DIR [ROSHNI]   run all scenarios with ROSHNI (default build/roshni)
#                                               into DIR/<scenario path>/
#   tools/same-outputs.sh diff DIR_A DIR_B      compare two recorded sets; exit 1 on any difference
#
# A refactor is checked by recording before (on the old commit's build) and after:
#   git stash; tools/build.sh release roshni; tools/same-outputs.sh record /tmp/before
#   git stash pop; tools/build.sh release roshni; tools/same-outputs.sh record /tmp/after
#   tools/same-outputs.sh diff /tmp/before /tmp/after
#
# Engine counters are not outputs of the model and are left out of the comparison: the lines
# naming `events` and `rate_solves` in report.json and report.html (how the engine got there,
# not where it got), and the run marker .roshni-run.json (a run id and inode numbers). Everything
# else, trace.json and the CSV files included, must be identical.
# Scenarios that are only bases for others (`validate` refuses them alone) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

files() { find . -type f ! -name .roshni-run.json | LC_ALL=C sort; }
engine_counters='"(events|rate_solves)"|<td>(events|rate_solves)</td>'

case "${1:-}" in
record)
  out=${2:?usage: tools/same-outputs.sh record DIR [ROSHNI]}
  roshni=${3:-build/roshni}
  mkdir -p "$out"
  ran=0 skipped=0
  while IFS= read -r scenario; do
    if ! "$roshni" -q validate "$scenario" >/dev/null 2>&1; then
      skipped=$((skipped + 1))
      continue
    fi
    dir="$out/${scenario%.json}"
    rm -rf "$dir"
    "$roshni" -q run "$scenario" -o "$dir"
    ran=$((ran + 1))
  done < <(find scenarios -name '*.json' | LC_ALL=C sort)
  echo "recorded $ran scenarios in $out ($skipped bases skipped)"
  ;;
diff)
  a=${2:?usage: tools/same-outputs.sh diff DIR_A DIR_B}
  b=${3:?usage: tools/same-outputs.sh diff DIR_A DIR_B}
  status=0
  if ! diff <(cd "$a" && files) <(cd "$b" && files); then
    echo "the two sets hold different files" >&2
    status=1
  fi
  compared=0
  while IFS= read -r file; do
    [[ -f "$b/$file" ]] || continue
    compared=$((compared + 1))
    if ! cmp -s <(grep -Ev "$engine_counters" "$a/$file") <(grep -Ev "$engine_counters" "$b/$file"); then
      echo "differs: $file" >&2
      status=1
    fi
  done < <(cd "$a" && files)
  if [[ $status == 0 ]]; then
    echo "identical: $compared files (engine counters aside)"
  fi
  exit $status
  ;;
*)
  sed -n '2,18p' "$0" >&2
  exit 2
  ;;
esac
