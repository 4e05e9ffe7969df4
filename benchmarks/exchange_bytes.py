#!/usr/bin/python3
"""Spike traffic per step: the all-gather against the neighbour exchange.

    benchmarks/exchange_bytes.py [--ranks 4] [--N 100000] [--k 10] [--t-stop 200]
                                 [--partitions ptscotch,random,block]

For each partitioner, runs `lifnet run` on --ranks ranks twice, with
routing = allgather and routing = neighbour (the same spikes), and reports
what each measured: the spike bytes sent between ranks per simulated step
and the exchange's wall time (rank 0). In a run

  allgather  every spike (16 bytes: step, node id) goes from its rank to each
             of the other ranks - 1 (MPI_Allgatherv);
  neighbour  each spike goes only to the ranks other than its own that hold
             one of its targets (MPI_Neighbor_alltoallv).

The runs save their synapses (--save-graph), and the bytes each routing
should send are computed independently from the file: its spikes, synapses
(/edges) and partition (/network/rank). The script fails if lifnet's count
(the file's `exchange_bytes`) differs. Payload bytes only (no counts, no MPI headers). Prints a Markdown
table; --csv also writes the rows.
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


def run(args, partition, routing, path):
    """Runs lifnet; returns (bytes sent between ranks, exchange seconds of rank 0)."""
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "--oversubscribe", "-np", str(args.ranks), args.lifnet, "run", "--save-graph", "-o", path]
    for kv in [f"N={args.N}", f"k={args.k}", f"t_stop={args.t_stop}", f"partition={partition}", "record=none",
               f"routing={routing}"]:
        cmd += ["--set", kv]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"exchange_bytes.py: lifnet failed ({' '.join(cmd)}):\n{r.stdout}{r.stderr}")
    with h5py.File(path, "r") as f:
        raw = f.attrs["wall_seconds_phases"]
        phases = (raw.decode() if isinstance(raw, bytes) else str(raw)).split(", ")
        return int(f.attrs["exchange_bytes"]), float(f.attrs["wall_seconds"][phases.index("exchange")])


def traffic(path):
    """From a run file written with --save-graph: the bytes each routing must
    send, computed from its spikes, synapses and partition."""
    with h5py.File(path, "r") as f:
        rank = f["network/rank"][()]
        pop = next(iter(f["edges"]))
        src = f[f"edges/{pop}/source_node_id"][()]
        tgt = f[f"edges/{pop}/target_node_id"][()]
        spiking = f[f"spikes/{pop}/node_ids"][()]
    ranks = int(rank.max()) + 1
    N = rank.size
    # For each source, the number of ranks other than its own that hold a target of it.
    pairs = np.unique(src.astype(np.int64) * ranks + rank[tgt])
    pair_src, pair_rank = pairs // ranks, pairs % ranks
    foreign = pair_rank != rank[pair_src]
    fan_out = np.bincount(pair_src[foreign], minlength=N)
    spikes_per_source = np.bincount(spiking.astype(np.int64), minlength=N)
    spikes = int(spikes_per_source.sum())
    return {"ranks": ranks, "spikes": spikes, "edge_cut": float(np.mean(rank[src] != rank[tgt])),
            "allgather": SPIKE_BYTES * spikes * (ranks - 1),
            "neighbour": SPIKE_BYTES * int((spikes_per_source * fan_out).sum())}


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
    steps = round(args.t_stop / 0.1)  # the runs use the default dt = 0.1 ms
    with tempfile.TemporaryDirectory() as work:
        for partition in args.partitions.split(","):
            path = os.path.join(work, f"{partition}.h5")
            gathered, gather_s = run(args, partition, "allgather", path)
            sent, neighbour_s = run(args, partition, "neighbour", path)
            expected = traffic(path)
            if (gathered, sent) != (expected["allgather"], expected["neighbour"]):
                sys.exit(f"exchange_bytes.py: {partition}: lifnet sent {gathered} and {sent} bytes, "
                         f"the run's file says {expected['allgather']} and {expected['neighbour']}")
            rows.append({"partition": partition, "ranks": expected["ranks"], "edge_cut": expected["edge_cut"],
                         "spikes": expected["spikes"], "allgather_B_per_step": gathered / steps,
                         "neighbour_B_per_step": sent / steps, "allgather_exchange_s": gather_s,
                         "neighbour_exchange_s": neighbour_s,
                         "ranks_per_spike": sent / SPIKE_BYTES / max(expected["spikes"], 1)})
    print("| partition | ranks | edge cut | all-gather B/step | neighbour B/step | bytes ratio | "
          "other ranks a spike goes to | exchange s, all-gather | exchange s, neighbour |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["allgather_B_per_step"] / r["neighbour_B_per_step"] if r["neighbour_B_per_step"] else float("inf")
        print(f"| {r['partition']} | {r['ranks']} | {100 * r['edge_cut']:.1f} % | {r['allgather_B_per_step']:,.0f} | "
              f"{r['neighbour_B_per_step']:,.0f} | {ratio:.1f} | {r['ranks_per_spike']:.2f} of {r['ranks'] - 1} | "
              f"{r['allgather_exchange_s']:.3f} | {r['neighbour_exchange_s']:.3f} |")
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
