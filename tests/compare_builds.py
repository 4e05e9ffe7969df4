#!/usr/bin/python3
"""Checks that two lifnet builds compute the same thing: a fixed set of runs
(1 and 3 ranks, or those --ranks lists; every partitioner, both routings,
sigma 0 and 1, f_inh = 0.2, a restart from a checkpoint) made with each
binary must give byte-identical /spikes, /report and /sync datasets.

    tests/compare_builds.py OLD_LIFNET NEW_LIFNET [--ranks 1,2,3,4]

Used for refactorings that must change no result (issue 12). Exit code 0
when every run matches, 1 otherwise; each difference is printed.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_mpi_yield_when_idle="1")
BASE = ["--set", "N=600", "--set", "k=6", "--set", "t_stop=300", "--set", "t_transient=50"]


def runs(rank_counts=(1, 3)):
    """(name, ranks, arguments) of every run compared."""
    for ranks in rank_counts:
        for partition in ("ptscotch", "block", "random"):
            for routing in ("neighbour", "allgather"):
                for sigma in (0, 1):
                    yield (f"np{ranks}-{partition}-{routing}-sigma{sigma}", ranks,
                           BASE + ["--set", f"partition={partition}", "--set", f"routing={routing}",
                                   "--set", f"sigma={sigma}"])
        yield f"np{ranks}-finh", ranks, BASE + ["--set", "f_inh=0.2", "--set", "J_norm=in_degree"]


def run(binary, ranks, args, out):
    subprocess.run([MPIEXEC, "-n", str(ranks), binary, "run", *args, "-o", out], env=ENV, check=True,
                   stdout=subprocess.DEVNULL)


def datasets(path):
    """Every dataset under /spikes, /report and /sync, as raw bytes with its dtype and shape."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                a = obj[()]
                out[name] = (str(obj.dtype), np.shape(a), np.asarray(a).tobytes())
        for group in ("spikes", "report", "sync"):
            if group in f:
                f[group].visititems(lambda n, o, g=group: visit(f"{g}/{n}", o))
    return out


def compare(name, a, b):
    da, db = datasets(a), datasets(b)
    problems = [f"{name}: {key} only in one file" for key in sorted(set(da) ^ set(db))]
    problems += [f"{name}: {key} differs" for key in sorted(set(da) & set(db)) if da[key] != db[key]]
    if not da.get("spikes/lifnet/node_ids", (0, (0,), b""))[1][0]:
        problems.append(f"{name}: no spikes (the comparison would be empty)")
    return problems


def main():
    args = sys.argv[1:]
    rank_counts = (1, 3)
    if len(args) == 4 and args[2] == "--ranks":
        rank_counts = tuple(int(r) for r in args[3].split(","))
        args = args[:2]
    if len(args) != 2:
        sys.exit(__doc__)
    old, new = args
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = list(runs(rank_counts))
        for i, (name, ranks, args) in enumerate(cases):
            files = [os.path.join(tmp, f"{name}-{tag}.h5") for tag in ("old", "new")]
            for binary, out in zip((old, new), files):
                run(binary, ranks, args, out)
            problems += compare(name, *files)
            print(f"[{i + 1}/{len(cases) + 1}] {name}", flush=True)
        # A restart: 150 ms, checkpoint, continue to 300 ms on another rank count.
        files = []
        for tag, binary in (("old", old), ("new", new)):
            ckpt = os.path.join(tmp, f"restart-{tag}.ckpt")
            run(binary, 2, BASE + ["--set", "t_stop=150", "--checkpoint", ckpt], os.path.join(tmp, f"first-{tag}.h5"))
            out = os.path.join(tmp, f"restart-{tag}.h5")
            run(binary, 3, ["--restart", ckpt, "--set", "t_stop=300"], out)
            files.append(out)
        problems += compare("restart", *files)
        print(f"[{len(cases) + 1}/{len(cases) + 1}] restart", flush=True)
    for p in problems:
        print("DIFFERENT", p)
    print("identical" if not problems else f"{len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
