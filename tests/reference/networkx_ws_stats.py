#!/usr/bin/env python3
"""Reference small-world statistics of networkx Watts-Strogatz graphs.

For networkx.watts_strogatz_graph(n=1000, k=10, p, seed=s) with
p in {0, 0.001, 0.01, 0.1, 1} and seeds s = 0 .. N_SEEDS-1 (default 40),
compute the average clustering coefficient C (networkx.average_clustering)
and the mean shortest path length L (networkx.average_shortest_path_length
semantics: mean over ordered pairs of distinct nodes).  If a graph is
disconnected (possible in principle at p = 1), L is taken over its largest
connected component and the graph is counted in "disconnected".

For each p the output holds the mean, sample std (ddof=1) and standard
error of the mean (std / sqrt(seeds)) of C and L across seeds.

L is computed with scipy.sparse.csgraph.shortest_path when scipy is
available (much faster than networkx); otherwise networkx is used.  Both
give the same number: `--verify` checks it on one graph (p=0.1, seed=0),
where they agree to within 1e-12 (observed: bit-identical).

The resulting networkx_ws_stats.json is committed, so CI need not
recompute it.  Regenerate with (about 15 s on 2 cores with scipy):

    /usr/bin/python3 tests/reference/networkx_ws_stats.py
"""
import argparse
import json
import math
import os
from multiprocessing import Pool

import networkx as nx
import numpy as np

try:
    from scipy.sparse.csgraph import shortest_path
except ImportError:
    shortest_path = None

N, K = 1000, 10
PS = [0, 0.001, 0.01, 0.1, 1]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "networkx_ws_stats.json")


def mean_path_length(g, use_scipy=shortest_path is not None):
    """Mean shortest path length of a connected graph."""
    if not use_scipy:
        return nx.average_shortest_path_length(g)
    d = shortest_path(nx.to_scipy_sparse_array(g), method="D",
                      unweighted=True)
    m = g.number_of_nodes()
    return float(d.sum()) / (m * (m - 1))


def stats(job):
    """(C, L, disconnected) for one (p, seed)."""
    p, seed = job
    g = nx.watts_strogatz_graph(N, K, p, seed=seed)
    connected = nx.is_connected(g)
    if not connected:
        g_l = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    else:
        g_l = g
    return nx.average_clustering(g), mean_path_length(g_l), not connected


def summary(x):
    x = np.asarray(x)
    std = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    return float(x.mean()), std, std / math.sqrt(len(x))


def verify():
    g = nx.watts_strogatz_graph(N, K, 0.1, seed=0)
    a = nx.average_shortest_path_length(g)
    b = mean_path_length(g, use_scipy=True)
    print(f"networkx L = {a!r}, scipy L = {b!r}, |diff| = {abs(a - b):.3g}")
    assert abs(a - b) < 1e-12


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--verify", action="store_true",
                    help="check scipy L against networkx on one graph")
    args = ap.parse_args()
    if args.verify:
        verify()
        return

    jobs = [(p, s) for p in PS for s in range(args.seeds)]
    with Pool(args.procs) as pool:
        res = pool.map(stats, jobs, chunksize=1)

    points = []
    for i, p in enumerate(PS):
        c, l, disc = zip(*res[i * args.seeds:(i + 1) * args.seeds])
        c_mean, c_std, c_sem = summary(c)
        l_mean, l_std, l_sem = summary(l)
        points.append({"p": p, "C_mean": c_mean, "C_sem": c_sem,
                       "L_mean": l_mean, "L_sem": l_sem,
                       "C_std": c_std, "L_std": l_std,
                       "disconnected": int(sum(disc))})
        print(f"p={p:<6} C={c_mean:.6f}±{c_sem:.2g} "
              f"L={l_mean:.4f}±{l_sem:.2g} disconnected={sum(disc)}")

    out = {"generator": "networkx.watts_strogatz_graph",
           "networkx_version": nx.__version__,
           "n": N, "k": K, "seeds": args.seeds,
           "L_backend": ("scipy.sparse.csgraph.shortest_path"
                         if shortest_path is not None else "networkx"),
           "points": points}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
