#!/usr/bin/env bash
# The main job: the original study (configs/original-study.toml) as a sweep
# over p x 20 seeds on all local cores, then its plots:
#   results/original-study/sync_vs_p.png   E and chi against p (error bars: sem)
#   results/original-study/heatmap-p<p>.png one membrane-potential heat map per p (seed 1)
# Installs what is missing and builds lifnet first. Running it again resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target lifnet-cli >/dev/null
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=results/original-study
mkdir -p "$out"
mpirun --oversubscribe -np "$(nproc)" build/lifnet sweep configs/original-study.toml \
  -o "$out/summary.h5" --member-output "$out/members" "$@"
/usr/bin/python3 tools/lifnet-plot "$out/summary.h5" -o "$out/plots" >/dev/null
cp "$out/plots/summary-sync_vs_p.png" "$out/sync_vs_p.png"
# One heat map per p: the members with seed 1 (member index = point x seeds).
/usr/bin/python3 - "$out" <<'PY'
import subprocess, sys, h5py
out = sys.argv[1]
with h5py.File(f"{out}/summary.h5") as f:
    members = f["members"]
    for index, p, seed in zip(members["index"][:], members["p"][:], members["seed"][:]):
        if seed != 1:
            continue
        subprocess.run(["/usr/bin/python3", "tools/lifnet-plot", f"{out}/members/member-{index}.h5",
                        "-o", f"{out}/plots"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cp", f"{out}/plots/member-{index}-heatmap.png", f"{out}/heatmap-p{p:g}.png"], check=True)
PY
echo "results in $out: sync_vs_p.png, heatmap-p*.png, summary.h5 (build/lifnet info $out/summary.h5)"
