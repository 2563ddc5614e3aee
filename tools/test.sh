#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
# Usage: tools/test.sh [--sanitize]   (--sanitize: under AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=release
dir=build
if [[ "${1:-}" == "--sanitize" ]]; then
  flavour=sanitize
  dir=build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
tools/setup.sh
tools/build.sh "$flavour"
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir "$dir" --output-on-failure -j "$jobs"
