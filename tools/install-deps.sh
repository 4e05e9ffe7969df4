#!/usr/bin/env bash
# Installs the Debian 12 packages lifnet needs to build, test and plot;
# does nothing when they are all there. docs/dependencies.md says why each is needed.
set -euo pipefail
packages=(
  g++ make cmake pkg-config git
  openmpi-bin libopenmpi-dev libboost-mpi-dev
  petsc-dev libhdf5-openmpi-dev hdf5-tools
  librandom123-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-networkx python3-matplotlib python3-mpmath
  python3-dev pybind11-dev python3-mpi4py
  slurm-wlm munge
  clang-14 libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
