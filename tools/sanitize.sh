#!/usr/bin/env bash
# Builds lifnet with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/) and runs the unit tests and the MPI tests (2 and 4 ranks)
# under them. Leaks inside Open MPI, PETSc, HDF5 and PT-Scotch are
# suppressed by tests/lsan.supp; any report about lifnet fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLIFNET_SANITIZE=ON -DLIFNET_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j"$(nproc)" --target unit-tests mpi-tests
export ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=40:abort_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:fast_unwind_on_malloc=0:malloc_context_size=40
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Keep Open MPI's plugins loaded so that their leaks have names to suppress.
export OMPI_MCA_mca_base_component_disable_dlclose=1 OMPI_MCA_mpi_yield_when_idle=1
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
build-asan/tests/unit-tests --gtest_brief=1
for ranks in 2 4; do
  echo "sanitize: mpi-tests on $ranks ranks"
  mpirun --oversubscribe -np "$ranks" -x ASAN_OPTIONS -x LSAN_OPTIONS -x UBSAN_OPTIONS \
    -x OMPI_MCA_mca_base_component_disable_dlclose -x OMPI_MCA_mpi_yield_when_idle \
    build-asan/tests/mpi-tests --gtest_brief=1
done
echo "sanitize: no AddressSanitizer, LeakSanitizer or UBSan report"
