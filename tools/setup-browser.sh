#!/usr/bin/env bash
# Installs headless Chromium (Debian package `chromium`) for the HTML report tests
# (tests/e2e/html_browser_test.cpp), which skip themselves without it. Kept apart from
# tools/setup.sh so that a normal build stays light; .ci/run calls it. Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "roshni setup-browser: installing chromium" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
