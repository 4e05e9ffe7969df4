#!/usr/bin/env bash
# Builds lifnet and runs every test: installs what is missing, configures,
# builds, and runs ctest (unit, MPI at 1–4 ranks, Python against the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
