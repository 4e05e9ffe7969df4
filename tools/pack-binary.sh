#!/bin/bash
# Packs a built lifnet with the shared libraries it needs into one tar.xz, to
# run on a machine that has Open MPI 4.1 and a C++ runtime but not PETSc,
# parallel HDF5 or Boost.MPI (e.g. a borrowed benchmark node):
#
#   tools/pack-binary.sh [build/lifnet] [device/lifnet-bin.tar.xz]
#
# The archive holds bin/lifnet (the front end), bin/lifnet-engine beside it
# and lib/*.so* (the engine's libraries, liblifnet among them). Left out, because the target's
# own must be used: glibc (libc, libm, libmvec, ...), libstdc++, libgcc_s and
# Open MPI with its PMIx, hwloc and libevent. Unpack and run with
#   tar xf lifnet-bin.tar.xz && export LD_LIBRARY_PATH=$PWD/lifnet-bin/lib
#   mpirun -np 16 -x LD_LIBRARY_PATH lifnet-bin/bin/lifnet run ...
set -euo pipefail
binary=${1:-build/lifnet}
archive=${2:-device/lifnet-bin.tar.xz}
[ -x "$binary" ] || { echo "pack-binary.sh: $binary is not an executable" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lifnet-bin/bin" "$stage/lifnet-bin/lib" "$(dirname "$archive")"
engine=$(dirname "$binary")/lifnet-engine
[ -x "$engine" ] || { echo "pack-binary.sh: no engine $engine beside $binary" >&2; exit 2; }
cp "$binary" "$stage/lifnet-bin/bin/lifnet"
cp "$engine" "$stage/lifnet-bin/bin/lifnet-engine"
skip='/(libc|libm|libmvec|libpthread|libdl|librt|libstdc\+\+|libgcc_s|libmpi|libopen-[a-z]+|libpmix|libhwloc|libevent[a-z_]*|ld-linux[^/]*)[.-][^/]*$'
ldd "$engine" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -Ev "$skip" |
  while read -r lib; do cp -L "$lib" "$stage/lifnet-bin/lib/"; done
tar -C "$stage" -cJf "$archive" lifnet-bin
echo "pack-binary.sh: $archive ($(du -h "$archive" | cut -f1), $(ls "$stage/lifnet-bin/lib" | wc -l) libraries)"
