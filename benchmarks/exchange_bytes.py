#!/usr/bin/python3
"""Spike traffic per step: lifnet's all-gather against a neighbourhood exchange.

    benchmarks/exchange_bytes.py [--ranks 4] [--N 100000] [--t-stop 200] [--partitions ptscotch,random,block]

Runs `lifnet run --save-graph` on --ranks ranks for each partitioner and
computes, from the run file's spikes, synapses (/edges) and partition
(/network/rank), the bytes that cross between ranks per simulated step:

  allgather     what lifnet does: every spike (16 bytes: step, node id) goes
                from its rank to each of the other ranks - 1
  neighbourhood what an exchange over a distributed-graph communicator
                (MPI_Neighbor_alltoallv) would send: each spike goes only to
                the ranks other than its own that hold one of its targets

The neighbourhood figure is computed from the run, not measured: lifnet
does not have that exchange yet. Both count payload bytes only (no counts,
no MPI headers). Prints a Markdown table; --csv also writes the rows.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SPIKE_BYTES = 16


def run(args, partition, path):
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "--oversubscribe", "-np", str(args.ranks), args.lifnet, "run", "--save-graph", "-o", path]
    for kv in [f"N={args.N}", f"k={args.k}", f"t_stop={args.t_stop}", f"partition={partition}", "record=none"]:
        cmd += ["--set", kv]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"exchange_bytes.py: lifnet failed ({' '.join(cmd)}):\n{r.stdout}{r.stderr}")


def traffic(path):
    with h5py.File(path, "r") as f:
        rank = f["network/rank"][()]
        pop = next(iter(f["edges"]))
        src = f[f"edges/{pop}/source_node_id"][()]
        tgt = f[f"edges/{pop}/target_node_id"][()]
        spiking = f[f"spikes/{pop}/node_ids"][()]
        config = f.attrs["config"]
    config = config.decode() if isinstance(config, bytes) else str(config)
    values = dict(line.split(" = ", 1) for line in config.splitlines() if " = " in line)
    steps = round(float(values["t_stop"]) / float(values["dt"]))
    ranks = int(rank.max()) + 1
    N = rank.size
    # For each source, the number of ranks other than its own that hold a target of it.
    pairs = np.unique(src.astype(np.int64) * ranks + rank[tgt])
    pair_src, pair_rank = pairs // ranks, pairs % ranks
    foreign = pair_rank != rank[pair_src]
    fan_out = np.bincount(pair_src[foreign], minlength=N)
    spikes_per_source = np.bincount(spiking.astype(np.int64), minlength=N)
    spikes = int(spikes_per_source.sum())
    allgather = SPIKE_BYTES * spikes * (ranks - 1)
    neighbourhood = SPIKE_BYTES * int((spikes_per_source * fan_out).sum())
    cut = float(np.mean(rank[src] != rank[tgt]))
    return {"ranks": ranks, "N": N, "steps": steps, "spikes": spikes, "edge_cut": cut,
            "allgather_B_per_step": allgather / steps, "neighbourhood_B_per_step": neighbourhood / steps,
            "mean_fan_out": float((spikes_per_source * fan_out).sum() / max(spikes, 1))}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ranks", type=int, default=4)
    p.add_argument("--N", type=int, default=100000)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--t-stop", type=float, default=200.0)
    p.add_argument("--partitions", default="ptscotch,random,block")
    p.add_argument("--lifnet", default=os.path.join(ROOT, "build", "lifnet"))
    p.add_argument("--csv")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for partition in args.partitions.split(","):
            path = os.path.join(work, f"{partition}.h5")
            run(args, partition, path)
            rows.append({"partition": partition, **traffic(path)})
    print("| partition | ranks | edge cut | spikes | all-gather B/step | neighbourhood B/step | ratio | "
          "ranks a spike goes to (neighbourhood) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["allgather_B_per_step"] / r["neighbourhood_B_per_step"] if r["neighbourhood_B_per_step"] else float("inf")
        print(f"| {r['partition']} | {r['ranks']} | {100 * r['edge_cut']:.1f} % | {r['spikes']} | "
              f"{r['allgather_B_per_step']:.0f} | {r['neighbourhood_B_per_step']:.0f} | {ratio:.1f} | "
              f"{r['mean_fan_out']:.2f} of {r['ranks'] - 1} |")
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
