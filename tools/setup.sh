#!/usr/bin/env bash
# Install Roshni's build dependencies from Debian 12 packages. Idempotent: installs
# only what is missing, so running it again is a no-op. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-graph-dev libeigen3-dev libfmt-dev libspdlog-dev
  nlohmann-json3-dev libcli11-dev
  libprotobuf-dev protobuf-compiler  # Chakra execution traces (workload kind "chakra")
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev   # libFuzzer for the parser fuzz target
  time                       # GNU time, for tools/bench-scale.sh
  libopenmpi-dev openmpi-bin # optional: roshni sweep under mpirun (ROSHNI_MPI)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "roshni setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
