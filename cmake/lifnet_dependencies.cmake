# Every dependency is a Debian 12 package; tools/install-deps.sh installs them.
# The INTERFACE target lifnet-private-deps bundles what src/ needs, so that the
# public headers in include/lifnet stay free of MPI, HDF5 and PETSc flags.
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Boost 1.74 REQUIRED COMPONENTS mpi serialization)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc)
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5-openmpi)

# HDF5 must be the parallel build: the output is written collectively.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_INCLUDES ${HDF5_INCLUDE_DIRS} ${MPI_C_INCLUDE_DIRS})
check_symbol_exists(H5_HAVE_PARALLEL "H5pubconf.h" LIFNET_HDF5_IS_PARALLEL)
unset(CMAKE_REQUIRED_INCLUDES)
if(NOT LIFNET_HDF5_IS_PARALLEL)
  message(FATAL_ERROR "lifnet needs a parallel HDF5 (Debian: libhdf5-openmpi-dev); "
                      "the HDF5 found at ${HDF5_INCLUDE_DIRS} is a serial build.")
endif()

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)

add_library(lifnet-private-deps INTERFACE)
target_link_libraries(lifnet-private-deps INTERFACE
  MPI::MPI_CXX Boost::mpi PkgConfig::PETSC PkgConfig::HDF5 tomlplusplus::tomlplusplus)
target_include_directories(lifnet-private-deps SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

# Bit-for-bit reproducibility across ranks and with other simulators
# (MODEL.md §3): no fast-math, no FMA contraction. A switch on an enum names
# every value (no default), so that a new mode is an error wherever it is
# not handled.
add_library(lifnet-compile-options INTERFACE)
target_compile_options(lifnet-compile-options INTERFACE
  -Wall -Wextra -Wpedantic -Werror=switch-enum -ffp-contract=off $<$<BOOL:${LIFNET_NATIVE}>:-march=native>)
if(LIFNET_SANITIZE)
  target_compile_options(lifnet-compile-options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(lifnet-compile-options INTERFACE -fsanitize=address,undefined)
endif()
