#!/usr/bin/env bash
# Checks that the CMake layer graph is the include graph (docs/architecture.md): every
# layer links exactly the layers its files include, PUBLIC those its public headers
# (include/roshni/<layer>/) include and PRIVATE those only its sources (src/<layer>/)
# include, and only layers declared before it (so the graph has no cycle).
#
#   tools/check-layers.sh [BUILD_DIR/layers.txt]
#
# layers.txt is written by CMakeLists.txt when it configures: one line per layer, in the
# order they are declared, "name|public layers|private layers" (space-separated).
# Exits 1 and names every file at fault when the two graphs differ. Run by ctest as
# Layers.IncludesMatchLinks.
set -euo pipefail
cd "$(dirname "$0")/.."
graph=${1:-build/layers.txt}
[[ -f $graph ]] || { echo "no $graph: configure first (tools/build.sh)" >&2; exit 2; }

declared=()
while IFS='|' read -r name _ _; do declared+=("$name"); done <"$graph"

# The layers the files under the given directories include, one per line, sorted.
included() {
  local dirs=()
  for d in "$@"; do [[ -d $d ]] && dirs+=("$d"); done
  ((${#dirs[@]})) || return 0
  grep -rhoE '^#include "(roshni/)?[a-z_]+/' "${dirs[@]}" | sed -E 's|^#include "(roshni/)?||; s|/$||' |
    LC_ALL=C sort -u | while read -r l; do
      for k in "${declared[@]}"; do [[ $l == "$k" ]] && echo "$l"; done
    done
}
# The files under the given directories that include layer $1.
files_including() {
  local layer=$1; shift
  local dirs=()
  for d in "$@"; do [[ -d $d ]] && dirs+=("$d"); done
  local files
  files=$(grep -rlE "^#include \"(roshni/)?$layer/" "${dirs[@]}" | LC_ALL=C sort)
  local n
  n=$(wc -l <<<"$files")
  head -3 <<<"$files" | paste -sd' ' -
  if ((n > 3)); then echo " and $((n - 3)) more"; fi
}
sorted() { tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort -u; }

status=0
seen=()
while IFS='|' read -r name public private; do
  hdr=(include/roshni/"$name")
  all=(include/roshni/"$name" src/"$name")
  want_public=$(included "${hdr[@]}" | grep -vx "$name" || true)
  want_all=$(included "${all[@]}" | grep -vx "$name" || true)
  have_public=$(sorted <<<"$public")
  have_all=$(sorted <<<"$public $private")
  for l in $(comm -23 <(echo "$want_all") <(echo "$have_all")); do
    echo "$name: includes $l ($(files_including "$l" "${all[@]}" | paste -sd "" -)) but does not link roshni_$l"
    status=1
  done
  for l in $(comm -13 <(echo "$want_all") <(echo "$have_all")); do
    echo "$name: links roshni_$l but no file of it includes $l"
    status=1
  done
  for l in $(comm -23 <(echo "$want_public") <(echo "$have_public")); do
    if grep -qx "$l" <<<"$have_all"; then
      echo "$name: public headers include $l ($(files_including "$l" "${hdr[@]}" | paste -sd "" -)): link it PUBLIC"
      status=1
    fi
  done
  for l in $(comm -13 <(echo "$want_public") <(echo "$have_public")); do
    if grep -qx "$l" <<<"$want_all"; then
      echo "$name: only src/$name includes $l: link it PRIVATE"
      status=1
    fi
  done
  for l in $have_all; do
    found=0
    for s in "${seen[@]}"; do [[ $s == "$l" ]] && found=1; done
    if ((!found)); then
      echo "$name: links roshni_$l, which is not declared before it (the graph must have no cycle)"
      status=1
    fi
  done
  seen+=("$name")
done <"$graph"
((status == 0)) && echo "layers: $(wc -l <"$graph") layers, every link is an include and every include a link"
exit $status
