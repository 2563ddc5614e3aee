#!/usr/bin/env bash
# Regenerates docs/images/report.png: report.html of a scenario in headless Chromium.
# Usage: tools/report-screenshot.sh [SCENARIO] [HEIGHT]   (needs build/roshni, chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/topologies/explicit_two_leaves.json}
height=${2:-1950}
out=$(mktemp -d)
build/roshni run "$scenario" -q --no-trace -o "$out/run"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$out/profile" --window-size=1050,"$height" \
  --screenshot="$PWD/docs/images/report.png" "file://$out/run/report.html" 2>/dev/null
rm -rf "$out"
echo "wrote docs/images/report.png"
