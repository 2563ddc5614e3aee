#!/usr/bin/env bash
# From a fresh Debian 12 machine to a simulated run: installs what is missing, builds
# the `roshni` program and runs scenarios/quickstart.json (or the scenario given).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh release roshni >/dev/null
scenario=${1:-scenarios/quickstart.json}
exec build/roshni run "$scenario" -o roshni-out/quickstart
