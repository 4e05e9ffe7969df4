#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang and runs each for a
# short fixed time (FUZZ_SECONDS, default 20) from the committed seed corpus,
# with a fixed random seed (FUZZ_SEED, default 1) so that CI is repeatable.
# Every input must end in a clear error or a valid result: a crash, a hang,
# a sanitizer report or an unexpected exception fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
CXX=clang++-14 cmake -S tests/fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)"
# As in tools/sanitize.sh: Open MPI's own leaks (the HDF5 harness starts
# MPI) are suppressed, which needs slow unwinding and its plugins kept loaded.
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:fast_unwind_on_malloc=0:malloc_context_size=40
export OMPI_MCA_mca_base_component_disable_dlclose=1
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for target in config edge_list journal sonata_edges checkpoint info; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $target for $seconds s"
  log="$corpus.log"
  status=0
  build-fuzz/fuzz_"$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$corpus/" "$corpus" >"$log" 2>&1 || status=$?
  grep -E "^(Done|==[0-9]+==|SUMMARY)|ERROR" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz: $target found a failing input (exit $status); it is in $corpus"
    exit 1
  fi
  rm -rf "$corpus" "$log"
done
echo "fuzz: no failing input"
