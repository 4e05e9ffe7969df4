#!/usr/bin/env bash
# Builds lifnet and runs every test: installs what is missing, configures,
# builds (the Python module too), runs ctest (unit, MPI at 1–4 ranks, Python against the binary and the module),
# then the unit and MPI tests again under ASan and UBSan (tools/sanitize.sh),
# then the libFuzzer harnesses for a short fixed time (tools/fuzz.sh).
# Arguments go to ctest (e.g. -L unit); LIFNET_SKIP_SANITIZE=1 skips the
# sanitizer and fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
[ "${LIFNET_SKIP_SANITIZE:-0}" = 1 ] || { tools/sanitize.sh && tools/fuzz.sh; }
