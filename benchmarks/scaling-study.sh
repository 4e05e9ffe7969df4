#!/bin/bash
# The whole scaling study in one go, for a borrowed node with many cores and
# no SLURM: strong scaling at two sizes, weak scaling (each with the default
# neighbour routing, and N = 1e5 strong and weak with the all-gather too),
# and the partitioners at the largest rank count. Each part writes its CSV (and plot) to OUTDIR as
# soon as it is done, so a study cut short keeps the parts that finished.
#
#   benchmarks/scaling-study.sh LIFNET OUTDIR [MAX_RANKS]
#
# LIFNET may be a lifnet executable or a tools/pack-binary.sh archive
# (unpacked into a temporary folder, run with its libraries).
# PARTS picks parts (default: all, "strong-1e5 strong-1e5-allgather weak-5e4
# weak-5e4-allgather strong-1e6 partition-random partition-block"); REPEAT
# overrides the runs per point; BIND is mpirun's binding (default
# "--bind-to core": Open MPI binds more than 2 ranks only to a socket, and a
# rank that migrates adds to the wait of every epoch; BIND= for none).
# At the end the scaling model (benchmarks/scaling_model.py, numpy) is
# refitted on the CSVs and compared with them: OUTDIR/model-validation.md.
# Python: the first python3 on PATH that has h5py (scaling.py reads the run
# files with it); matplotlib for the plots, if present.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,19p "$0" >&2; exit 2; }
lifnet=$1 outdir=$2 max=${3:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
if [[ "$lifnet" == *.tar.xz ]]; then
  unpack=$(mktemp -d)
  tar -C "$unpack" -xJf "$lifnet"
  export LD_LIBRARY_PATH="$unpack/lifnet-bin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  lifnet="$unpack/lifnet-bin/bin/lifnet"
fi
python=$(for p in python3 /usr/bin/python3; do "$p" -c 'import h5py, tomllib' 2>/dev/null && { echo "$p"; break; }; done)
[ -n "$python" ] || { echo "scaling-study.sh: no python3 with h5py" >&2; exit 2; }
plot=()
"$python" -c 'import matplotlib' 2>/dev/null && plot=(--plot "$outdir")
ranks=1
for ((r = 2; r <= max; r *= 2)); do ranks+=",$r"; done
((max & (max - 1))) && ranks+=",$max"
launch=(--lifnet "$lifnet" --cores "$(nproc)" --launcher mpirun --launcher-arg=-x --launcher-arg=LD_LIBRARY_PATH)
for arg in ${BIND---bind-to core}; do launch+=("--launcher-arg=$arg"); done
{ echo "# $(date -u +%FT%TZ) $(uname -n): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  mpirun --version | head -1; "$lifnet" --version; echo "ranks $ranks"; } | tee "$outdir/machine.txt"
parts=" ${PARTS:-strong-1e5 strong-1e5-allgather weak-5e4 weak-5e4-allgather strong-1e6 partition-random partition-block} "
part() { # name, scaling.py arguments...
  local name=$1; shift
  [[ "$parts" == *" $name "* ]] || return 0
  [ -n "${REPEAT:-}" ] && set -- "$@" --repeat "$REPEAT"
  local t0=$SECONDS
  "$python" "$here/scaling.py" "$@" "${launch[@]}" -o "$outdir/$name.csv" "${plot[@]}" 2>"$outdir/$name.log" ||
    { echo "scaling-study.sh: $name failed; see $name.log" >&2; tail -5 "$outdir/$name.log" >&2; return 1; }
  echo "== $name ($((SECONDS - t0)) s)"; cat "$outdir/$name.csv"
}
# N = 1e5 for 1 s, as issue 6's benchmark network; best of 3.
part strong-1e5 strong --ranks "$ranks" --N 100000 --set k=10 --repeat 3
part strong-1e5-allgather strong --ranks "$ranks" --N 100000 --set k=10 --set routing=allgather --repeat 3
part weak-5e4 weak --ranks "$ranks" --N 50000 --set k=10 --repeat 2
part weak-5e4-allgather weak --ranks "$ranks" --N 50000 --set k=10 --set routing=allgather --repeat 2
part strong-1e6 strong --ranks "$ranks" --N 1000000 --set k=10 --set t_stop=200 --repeat 1
for partition in random block; do
  part "partition-$partition" strong --ranks "$max" --N 100000 --set k=10 --set "partition=$partition" --repeat 2
done
csvs=("$outdir"/*.csv)
if [ -e "${csvs[0]}" ] && "$python" -c 'import numpy' 2>/dev/null; then
  "$python" "$here/scaling_model.py" validate --fit "${csvs[@]}" >"$outdir/model-validation.md" &&
    echo "== model: $outdir/model-validation.md"
fi
