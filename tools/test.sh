#!/usr/bin/env bash
# Builds lifnet and runs every test: installs what is missing, configures,
# builds, runs ctest (unit, MPI at 1–4 ranks, Python against the binary),
# then the unit and MPI tests again under ASan and UBSan (tools/sanitize.sh).
# Arguments go to ctest (e.g. -L unit); LIFNET_SKIP_SANITIZE=1 skips the
# sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
[ "${LIFNET_SKIP_SANITIZE:-0}" = 1 ] || tools/sanitize.sh
