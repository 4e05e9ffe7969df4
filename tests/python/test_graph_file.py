"""Graphs read from SONATA edges files: a graph lifnet exports (--save-graph)
and reads back is the same graph, and a directed file (one synapse per row)
runs identically under every partitioner."""
import os
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.environ.get("LIFNET_BIN", os.path.join(ROOT, "build", "lifnet"))
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_mpi_yield_when_idle="1")


def run(args, ranks=1):
    cmd = [LIFNET, "run"] + args
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)


def spikes(path):
    with h5py.File(path) as f:
        return f["spikes/lifnet/timestamps"][:], f["spikes/lifnet/node_ids"][:]


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class GraphFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_exported_graph_reads_back_as_the_same_graph(self):
        common = ["--set", "N=600", "--set", "k=6", "--set", "t_stop=300", "--set", "f_inh=0.2"]
        r = run(common + ["--set", "p=0.3", "--save-graph", "-o", self.path("ws.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        reference = spikes(self.path("ws.h5"))
        self.assertGreater(len(reference[0]), 1000)
        for ranks in (1, 3):
            out = self.path(f"file{ranks}.h5")
            r = run(common + ["--set", "graph=file", "--set", f"graph_file={self.path('ws.h5')}",
                              "--save-graph", "-o", out], ranks)
            self.assertEqual(r.returncode, 0, r.stderr)
            for a, b in zip(spikes(out), reference):
                self.assertTrue(np.array_equal(a, b), f"{ranks} ranks")
            with h5py.File(out) as f, h5py.File(self.path("ws.h5")) as g:
                for name in ("source_node_id", "target_node_id"):
                    self.assertTrue(np.array_equal(f["edges/lifnet/" + name][:], g["edges/lifnet/" + name][:]))

    def write_directed(self, name, sources, targets):
        with h5py.File(self.path(name), "w") as f:
            group = f.create_group("edges/net")
            group["source_node_id"] = np.asarray(sources, dtype=np.uint64)
            group["target_node_id"] = np.asarray(targets, dtype=np.uint64)
        return self.path(name)

    def test_directed_file_is_partition_and_rank_invariant(self):
        rng = np.random.default_rng(5)
        n = 400
        sources = rng.integers(0, n, 3000)
        targets = (sources + rng.integers(1, n, 3000)) % n  # never a self-connection
        path = self.write_directed("directed.h5", sources, targets)
        common = ["--set", f"N={n}", "--set", "graph=file", "--set", f"graph_file={path}",
                  "--set", "t_stop=300", "--set", "J=1", "--set", "record=none"]
        r = run(common + ["-o", self.path("one.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("synapses 3000", r.stdout)
        reference = spikes(self.path("one.h5"))
        for partition in ("ptscotch", "block", "random"):
            out = self.path(f"{partition}.h5")
            r = run(common + ["--set", f"partition={partition}", "-o", out], 2)
            self.assertEqual(r.returncode, 0, r.stderr)
            for a, b in zip(spikes(out), reference):
                self.assertTrue(np.array_equal(a, b), partition)

    def test_bad_sonata_files_are_rejected(self):
        out_of_range = self.write_directed("range.h5", [0, 1, 7], [1, 2, 3])
        self_loop = self.write_directed("loop.h5", [0, 2], [1, 2])
        for path, message in ((out_of_range, "synapse 2: node id out of range"),
                              (self_loop, "synapse 1: self-connection")):
            r = run(["--set", "N=5", "--set", "graph=file", "--set", f"graph_file={path}",
                     "-o", self.path("x.h5")], 2)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.count(message), 1, r.stderr)
            self.assertFalse(os.path.exists(self.path("x.h5")))

    def test_in_degree_above_the_input_counts_range_is_rejected(self):
        # A neuron's input counts per step are 16-bit: 65,536 synapses onto
        # one neuron are refused with a clear error on every rank count.
        hub = 65536
        path = self.write_directed("hub.h5", np.arange(1, hub + 1), np.zeros(hub))
        for ranks in (1, 2):
            r = run(["--set", f"N={hub + 1}", "--set", "graph=file", "--set", f"graph_file={path}",
                     "--set", "t_stop=1", "--set", "t_transient=0", "-o", self.path("hub-out.h5")], ranks)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("neuron 0 has 65536 synapses onto it; lifnet supports at most 65535", r.stderr)
            self.assertFalse(os.path.exists(self.path("hub-out.h5")))
        # One fewer is accepted.
        path = self.write_directed("hub-ok.h5", np.arange(1, hub), np.zeros(hub - 1))
        r = run(["--set", f"N={hub}", "--set", "graph=file", "--set", f"graph_file={path}", "--set", "t_stop=1",
                 "--set", "t_transient=0", "--set", "record=none", "-o", self.path("hub-ok-out.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
