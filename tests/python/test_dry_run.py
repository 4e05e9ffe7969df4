#!/usr/bin/env python3
"""`lifnet run --dry-run RANKS --as-rank R` against real runs of the same
network and seed at 2, 3 and 4 ranks (block and random partitions):

- rank R's synapses by source rank, neighbour ranks and routes equal what
  the real run's saved graph and partition give for rank R (the dry run's
  one approximation, rewired-edge collisions it cannot see, changes no edge
  at these sizes: measured, docs/user-guide.md);
- bytes per spike: the real run's exchange bytes equal 16 bytes times, over
  its spikes, the ranks each spike's neuron is routed to;
- memory: the dry run's set-up and loop figures are within 10 % of the real
  rank's reported peaks (every rank's, from the run summary), on networks
  large enough that the data, not the libraries, make most of it;
- `--simulate`: rank R's neurons alone, the other ranks' input replaced by
  Poisson spikes at the real run's rate, fire at the real run's rate (5 %);
- bad options are refused with exit code 2 naming the option, and so are a
  dry run under mpirun, ptscotch, er and a graph file.

Run: LIFNET_BIN=build/lifnet /usr/bin/python3 tests/python/test_dry_run.py
"""
import collections
import json
import os
import re
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

from lifnet_harness import ENV, LIFNET, MPIEXEC

NET = dict(N=20000, k=10, p=0.1, seed=7, t_stop=30, t_transient=0, record="none")


def setUpModule():
    if not (os.path.isfile(LIFNET) and os.access(LIFNET, os.X_OK)):
        raise unittest.SkipTest(f"lifnet binary not found at {LIFNET} (set LIFNET_BIN)")


def sets(**kv):
    return [a for k, v in kv.items() for a in ("--set", f"{k}={v}")]


def lifnet(args, ranks=1):
    cmd = [LIFNET, "run", *args]
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks), *cmd]
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)


class real_run:
    """A real run with its graph saved: per rank, what the dry run predicts."""

    def __init__(self, test, folder, ranks, net):
        path = os.path.join(folder, f"real{ranks}.h5")
        r = lifnet([*sets(**net), "--save-graph", "-o", path], ranks)
        test.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"peak memory per rank \(MB, up to the loop / in the loop\):(.*)", r.stdout)
        test.assertIsNotNone(m, r.stdout)
        self.memory = {int(a): (float(b) * 1e6, float(c) * 1e6)
                       for a, b, c in re.findall(r"(\d+): ([\d.]+) / ([\d.]+)", m.group(1))}
        self.exchange_bytes = int(re.search(r"spike exchange \(neighbour\): (\d+) bytes", r.stdout).group(1))
        with h5py.File(path) as f:
            self.rank = f["network/rank"][:]
            self.source = f["edges/lifnet/source_node_id"][:]
            self.target = f["edges/lifnet/target_node_id"][:]
            self.spike_ids = f["spikes/lifnet/node_ids"][:]

    def of_rank(self, R):
        onto = self.rank[self.target] == R
        by = collections.Counter(self.rank[self.source[onto]].tolist())
        neighbours = sorted(set(by) - {R})
        return {str(k): v for k, v in sorted(by.items())}, neighbours

    def routes_per_neuron(self):
        """For each neuron, the number of other ranks holding one of its targets."""
        pairs = np.unique(np.stack([self.source.astype(np.int64), self.rank[self.target].astype(np.int64)]), axis=1)
        pairs = pairs[:, pairs[1] != self.rank[pairs[0]]]
        return np.bincount(pairs[0], minlength=len(self.rank))


class dry_run_against_real_runs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp()

    def dry(self, ranks, R, net, extra=()):
        path = os.path.join(self.folder, f"dry{ranks}_{R}.json")
        r = lifnet([*sets(**net), "--dry-run", str(ranks), "--as-rank", str(R), "-o", path, *extra])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path) as f:
            return json.load(f)

    def check(self, ranks, partition):
        net = dict(NET, partition=partition)
        real = real_run(self, self.folder, ranks, net)
        routes = real.routes_per_neuron()
        # Bytes per spike: 16 bytes per spike and route, over the real run's spikes.
        self.assertEqual(real.exchange_bytes, 16 * int(routes[real.spike_ids].sum()))
        for R in range(ranks):
            with self.subTest(ranks=ranks, partition=partition, rank=R):
                d = self.dry(ranks, R, net)
                by, neighbours = real.of_rank(R)
                self.assertEqual(d["synapses_by_source_rank"], by)
                self.assertEqual(d["neighbours"], neighbours)
                self.assertEqual(d["neighbour_ranks"], len(neighbours))
                self.assertEqual(d["synapses"], sum(by.values()))
                self.assertEqual(d["routes"], int(routes[real.rank == R].sum()))
                self.assertEqual(d["exchange"]["bytes_per_spike"], 16)

    def test_two_ranks_block(self):
        self.check(2, "block")

    def test_three_ranks_random(self):
        self.check(3, "random")

    def test_four_ranks_block(self):
        self.check(4, "block")

    def check_memory(self, ranks, net):
        r = lifnet([*sets(**net), "-o", os.path.join(self.folder, f"mem{ranks}.h5")], ranks)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"peak memory per rank \(MB, up to the loop / in the loop\):(.*)", r.stdout)
        real = {int(a): (float(b) * 1e6, float(c) * 1e6) for a, b, c in re.findall(r"(\d+): ([\d.]+) / ([\d.]+)", m.group(1))}
        for R in range(ranks):
            with self.subTest(ranks=ranks, rank=R):
                mem = self.dry(ranks, R, net)["memory"]
                setup, loop = real[R]
                self.assertAlmostEqual(mem["setup_bytes"] / setup, 1, delta=0.1)
                self.assertAlmostEqual(mem["loop_bytes"] / loop, 1, delta=0.1)
                # The data, not only the libraries: the set-up's peak is well above the start.
                self.assertGreater(mem["setup_bytes"] - mem["baseline_bytes"], 0.3 * setup)

    def test_memory_two_ranks(self):
        self.check_memory(2, dict(NET, N=200000, partition="block"))

    def test_memory_four_ranks_random(self):
        self.check_memory(4, dict(NET, N=200000, partition="random"))

    def test_simulated_alone_with_poisson_input_fires_at_the_real_rate(self):
        # Random: half of R's synapses come from the other rank (without their
        # input R's neurons fire at 41 Hz, not 48).
        net = dict(NET, partition="random", t_stop=100)
        r = lifnet([*sets(**net), "-o", os.path.join(self.folder, "sim.h5")], 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        real_rate = float(re.search(r"mean rate ([\d.]+) Hz", r.stdout).group(1))
        d = self.dry(2, 1, net, ["--simulate", "100", "--rate", str(real_rate)])["simulated"]
        self.assertEqual(d["steps"], 1000)
        self.assertEqual(d["remote_input"], "poisson")
        self.assertAlmostEqual(d["rate_hz"] / real_rate, 1, delta=0.05)
        self.assertGreater(d["update_seconds_per_step"], 0)

    def test_rate_gives_the_bytes_per_step(self):
        d = self.dry(2, 0, dict(NET, partition="block"), ["--rate", "10"])
        self.assertEqual(d["exchange"]["rate_source"], "option")
        # 10 Hz, dt = 0.1 ms: 1e-3 spikes per neuron and step, 16 bytes per route.
        self.assertAlmostEqual(d["exchange"]["bytes_sent_per_step"], d["routes"] * 1e-3 * 16)
        self.assertAlmostEqual(d["exchange"]["bytes_received_per_step"], d["remote_sources"] * 1e-3 * 16)


class dry_run_refusals(unittest.TestCase):
    def refused(self, args, words, ranks=1):
        r = lifnet(args, ranks)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)

    def test_bad_values(self):
        base = sets(N=1000, partition="block")
        self.refused([*base, "--dry-run", "0"], ["--dry-run"])
        self.refused([*base, "--dry-run", "abc"], ["--dry-run"])
        self.refused([*base, "--dry-run", "4", "--as-rank", "4"], ["--as-rank"])
        self.refused([*base, "--dry-run", "4", "--as-rank", "-1"], ["--as-rank"])
        self.refused([*base, "--dry-run", "2000"], ["--dry-run", "more than the N"])
        self.refused([*base, "--as-rank", "1"], ["--as-rank", "--dry-run"])
        self.refused([*base, "--dry-run", "2", "--rate", "-3"], ["--rate"])
        self.refused([*base, "--dry-run", "2", "--simulate", "-1"], ["--simulate"])
        self.refused([*base, "--simulate", "10"], ["--simulate", "--dry-run"])

    def test_what_needs_the_whole_graph(self):
        self.refused([*sets(N=1000), "--dry-run", "2"], ["partition", "ptscotch"])
        self.refused([*sets(N=1000, partition="block", graph="er"), "--dry-run", "2"], ["graph", "er"])

    def test_the_record_is_the_only_file_left(self):
        # The scratch run file the dry run opens beside it is removed.
        with tempfile.TemporaryDirectory() as d:
            r = lifnet([*sets(N=1000, partition="random"), "--dry-run", "3", "-o", os.path.join(d, "x.json")])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(os.listdir(d), ["x.json"])
            with open(os.path.join(d, "x.json")) as f:
                d = json.load(f)
            self.assertEqual((d["format"], d["ranks"], d["rank"], d["config"]["partition"]), ("lifnet-dry-run", 3, 0, "random"))

    def test_several_ranks(self):
        with tempfile.TemporaryDirectory() as d:
            self.refused([*sets(N=1000, partition="block"), "--dry-run", "2", "-o", os.path.join(d, "x.json")],
                         ["one process"], ranks=2)
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    unittest.main()
