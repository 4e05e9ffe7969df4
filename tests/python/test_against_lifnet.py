#!/usr/bin/env python3
"""lifnet against the independent NumPy reference, spike for spike.

The binary is $LIFNET_BIN (default build/lifnet, relative to the repository
root); the tests skip only if it is missing. MPI runs use mpirun -np 2.

Run: LIFNET_BIN=build/lifnet /usr/bin/python3 tests/python/test_against_lifnet.py
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_model as rm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
LIFNET = os.path.join(ROOT, os.environ.get("LIFNET_BIN", "build/lifnet"))
MPIRUN = shutil.which("mpirun")
TIMEOUT_S = 600

# Keys lifnet takes that do not change the spikes, so the reference ignores them.
CLI_ONLY = {"graph", "graph_file", "partition", "exchange", "population",
            "record", "record_every", "report_dtype"}

COUPLED = dict(N=200, t_stop=200, sigma=1, f_inh=0.2, J=1)
# J = 0: the default ws graph carries no current, so the reference needs no
# edges (I += 0 * counts leaves I unchanged bit for bit).
NOISY = dict(N=1000, J=0, sigma=2, I_bias=14, t_stop=1000)


def setUpModule():
    if not (os.path.isfile(LIFNET) and os.access(LIFNET, os.X_OK)):
        raise unittest.SkipTest(
            f"lifnet binary not found at {LIFNET} (set LIFNET_BIN); "
            "build it to compare with the NumPy reference")


def random_edges(N=200, M=800, seed=20240611):
    """A simple undirected graph with M distinct edges and no self-loops, so
    that the file's meaning does not hinge on how duplicates are read."""
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, N, size=(4 * M, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    canon = np.sort(pairs, axis=1)
    _, first = np.unique(canon, axis=0, return_index=True)
    # Keep draw order and the drawn orientation: the reader must not rely on u < v.
    return pairs[np.sort(first)[:M]]


def write_edge_list(path, edges):
    with open(path, "w") as f:
        f.write("# random test graph for lifnet, 0-based, one undirected edge per line\n")
        for u, v in edges:
            f.write(f"{u} {v}\n")


@functools.lru_cache(maxsize=None)
def _reference(items, with_edges):
    params = dict(items)
    N = params.pop("N")
    edges = random_edges() if with_edges else np.zeros((0, 2), dtype=np.int64)
    return rm.simulate(params, edges, N)


def reference(settings, with_edges):
    """Reference spikes; runs differing only in CLI_ONLY keys share one."""
    items = tuple(sorted((k, v) for k, v in settings.items() if k not in CLI_ONLY))
    return _reference(items, with_edges)


def run_lifnet(settings, out, ranks=None):
    """Run lifnet with --set key=value for each setting; return the spikes
    as (steps, ids) from the SONATA spike datasets."""
    cmd = [LIFNET, "run"]
    for key, value in settings.items():
        cmd += ["--set", f"{key}={value}"]
    cmd += ["-o", out]
    env = dict(os.environ)
    if ranks:
        cmd = [MPIRUN, "-np", str(ranks), "--oversubscribe"] + cmd
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    dt = rm.full_params({k: v for k, v in settings.items() if k not in CLI_ONLY})["dt"]
    with h5py.File(out, "r") as f:
        group = f["/spikes/" + settings.get("population", "lifnet")]
        t = group["timestamps"][()]
        ids = group["node_ids"][()]
    assert t.dtype == np.float64 and ids.dtype == np.uint64, (t.dtype, ids.dtype)
    steps = np.rint(t / dt).astype(np.int64) - 1
    # The times must be on the step grid, not merely round to it.
    np.testing.assert_allclose(t, (steps + 1) * dt, rtol=1e-12, atol=0)
    return steps, ids.astype(np.int64)


class AgainstReference(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.graph = os.path.join(self.tmp.name, "graph.txt")
        write_edge_list(self.graph, random_edges())

    def tearDown(self):
        self.tmp.cleanup()

    def assert_same_spikes(self, got, want, what):
        (gs, gi), (ws, wi) = got, want
        if len(gs) == len(ws) and (gs == ws).all() and (gi == wi).all():
            return
        n = min(len(gs), len(ws))
        diff = np.flatnonzero((gs[:n] != ws[:n]) | (gi[:n] != wi[:n]))
        k = int(diff[0]) if diff.size else n
        self.fail(f"{what}: {len(gs)} spikes from lifnet, {len(ws)} from the "
                  f"reference; first difference at index {k}: lifnet "
                  f"{list(zip(gs[k:k + 3], gi[k:k + 3]))}, reference "
                  f"{list(zip(ws[k:k + 3], wi[k:k + 3]))} (step, id)")

    def coupled(self, extra):
        return {"graph": "file", "graph_file": self.graph, **COUPLED, **extra}

    def check_coupled(self, extra, ranks=None):
        settings = self.coupled(extra)
        want = reference({**COUPLED, **extra}, True)
        self.assertGreater(len(want[0]), 500)  # a run with nothing to compare proves little
        got = run_lifnet(settings, os.path.join(self.tmp.name, "out.h5"), ranks)
        self.assert_same_spikes(got, want, f"{extra} on {ranks or 1} rank(s)")

    def test_coupled_network(self):
        for extra in ({}, {"integrator": "rk4"}, {"J_norm": "in_degree"},
                      {"stim_amp": 5.0, "stim_start": 50.0, "stim_dur": 20.0},
                      {"d": 0.5, "t_ref": 1.0}, {"exchange": "step"}):
            with self.subTest(**extra):
                self.check_coupled(extra)

    @unittest.skipUnless(MPIRUN, "mpirun not found")
    def test_coupled_network_two_ranks(self):
        for extra in ({}, {"partition": "block"}, {"partition": "random"},
                      {"exchange": "step"}, {"d": 0.5, "t_ref": 1.0}):
            with self.subTest(**extra):
                self.check_coupled(extra, ranks=2)

    def check_noisy(self, ranks=None):
        want_steps, _ = want = reference(NOISY, False)
        got = run_lifnet(NOISY, os.path.join(self.tmp.name, "noisy.h5"), ranks)
        rate = rm.mean_rate(got[0], NOISY, NOISY["N"])
        # Same spike count after the transient: the rate is equal exactly.
        self.assertEqual(rate, rm.mean_rate(want_steps, NOISY, NOISY["N"]))
        # Plausible: near the Siegert rate (27.97 Hz; dt = 0.1 ms lowers it ~5 %).
        self.assertAlmostEqual(rate / rm.siegert_rate(NOISY), 0.95, delta=0.05)
        self.assert_same_spikes(got, want, f"uncoupled noisy population on {ranks or 1} rank(s)")

    def test_noisy_population(self):
        self.check_noisy()

    @unittest.skipUnless(MPIRUN, "mpirun not found")
    def test_noisy_population_two_ranks(self):
        self.check_noisy(ranks=2)


if __name__ == "__main__":
    unittest.main()
