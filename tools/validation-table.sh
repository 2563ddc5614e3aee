#!/usr/bin/env bash
# Prints the collectives validation table of docs/validation.md: every row of
# bench/validation/nccl_tests.csv run with `roshni run` (through the test that also
# checks the large-message target). Usage: tools/validation-table.sh [BUILD_DIR]
set -euo pipefail
build="${1:-build}"
"$build/tests/test_e2e" --gtest_filter='Validation.NcclTestsLargeMessagesWithinTenPercent' |
  grep '^|'
