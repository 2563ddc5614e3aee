#!/usr/bin/env bash
# Configures and builds Roshni. Usage: tools/build.sh [release|sanitize] [cmake targets...]
#   release   build/       RelWithDebInfo (-O2 -g): what users and benchmarks run
#   sanitize  build-asan/  clang, AddressSanitizer + UndefinedBehaviorSanitizer at -O1 -g1,
#                          the tests and the libFuzzer target (tools/fuzz.sh) on the same
#                          libraries; without MPI (the Open MPI runtime's own leaks would
#                          fail LSan)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) dir=build; flags=() ;;
  sanitize) dir=build-asan; flags=(-DCMAKE_CXX_COMPILER=clang++ -DROSHNI_SANITIZE=ON -DROSHNI_FUZZ=ON
                                    -DROSHNI_BUILD_BENCH=OFF -DROSHNI_MPI=OFF) ;;
  *) echo "usage: tools/build.sh [release|sanitize] [targets...]" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
