"""Bounded input and one reading of the graph file (issue 13, classes 5 and
7): config and graph files must be regular files no larger than the input
cap (--max-input-size); FIFOs, device nodes and directories are refused at
once, on every rank count; and the graph file is read by one rank, so every
rank builds from the same bytes."""
import os
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

from lifnet_harness import ENV, LIFNET, MPIEXEC


def lifnet(args, ranks=1, timeout=60):
    cmd = [LIFNET] + args
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class InputFilesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def path(self, name):
        return os.path.join(self.dir, name)

    def specials(self):
        """A FIFO, a directory and, where mknod is allowed, a zero device
        (major 1, minor 5: what /dev/zero is), all inside the temp dir."""
        out = {}
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        out["fifo"] = fifo
        os.mkdir(self.path("dir"))
        out["directory"] = self.path("dir")
        try:
            os.mknod(self.path("zero"), 0o600 | 0o020000, os.makedev(1, 5))
            out["device"] = self.path("zero")
        except PermissionError:
            pass
        return out

    def assert_refused(self, args, ranks, *messages):
        r = lifnet(args, ranks)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for m in messages:
            self.assertIn(m, r.stderr)
        return r

    def test_config_files_that_are_not_regular_are_refused(self):
        for kind, path in self.specials().items():
            for ranks in (1, 3):
                with self.subTest(kind, ranks=ranks):
                    out = self.path("out.h5")
                    # (CLI11 refuses a directory itself, as "File is actually a directory".)
                    for command in ("run", "sweep"):
                        self.assert_refused([command, path, "-o", out], ranks, path,
                                            "directory" if kind == "directory" else "not a regular file")
                        self.assertFalse(os.path.exists(out))

    def test_graph_files_that_are_not_regular_are_refused(self):
        for kind, path in self.specials().items():
            for ranks in (1, 3):
                with self.subTest(kind, ranks=ranks):
                    out = self.path("out.h5")
                    self.assert_refused(["run", "--set", "graph=file", "--set", f"graph_file={path}",
                                         "--set", "N=10", "-o", out], ranks, path, "not a regular file")
                    self.assertFalse(os.path.exists(out))

    def test_hdf5_inputs_that_are_not_regular_are_refused(self):
        for kind, path in self.specials().items():
            with self.subTest(kind, command="info"):
                self.assert_refused(["info", path], 1, path, "not a regular file")
            for ranks in (1, 3):
                with self.subTest(kind, command="restart", ranks=ranks):
                    # (CLI11 refuses a directory itself, as "File is actually a directory".)
                    self.assert_refused(["run", "--restart", path, "-o", self.path("r.h5")], ranks, path,
                                        "directory" if kind == "directory" else "not a regular file")

    def test_input_cap(self):
        edges = self.path("edges.txt")
        with open(edges, "w") as f:
            f.writelines(f"{i} {i + 1}\n" for i in range(99))
        toml = self.path("c.toml")
        with open(toml, "w") as f:
            f.write("N = 100\nt_stop = 20\nt_transient = 0\ngraph = \"file\"\ngraph_file = \"" + edges + "\"\n")
        size = os.path.getsize(edges)
        for ranks in (1, 3):
            with self.subTest(ranks=ranks):
                self.assert_refused(["--max-input-size", str(size - 1), "run", toml, "-o", self.path("o.h5")], ranks,
                                    edges, f"{size} bytes", "--max-input-size")
                self.assert_refused(["--max-input-size", "10", "run", toml, "-o", self.path("o.h5")], ranks,
                                    toml, "--max-input-size")
                r = lifnet(["--max-input-size", str(size), "run", toml, "-o", self.path(f"ok{ranks}.h5")], ranks)
                self.assertEqual(r.returncode, 0, r.stderr)
        for bad in ("0", "-1", "x", "1Q", "99999999999999999999999"):
            with self.subTest(bad):
                self.assert_refused(["--max-input-size", bad, "run", toml, "-o", self.path("o.h5")], 1,
                                    "--max-input-size")
        r = lifnet(["--max-input-size", "1M", "run", toml, "-o", self.path("suffix.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_graph_read_once_gives_every_rank_the_same_graph(self):
        # A text and a SONATA graph file give, at 1 and 3 ranks, exactly the
        # synapses of the file (exported with --save-graph).
        rng = np.random.default_rng(3)
        n = 200
        pairs = set()
        while len(pairs) < 600:
            u, v = (int(x) for x in rng.integers(0, n, 2))
            if u != v and (v, u) not in pairs:
                pairs.add((u, v))
        text = self.path("g.txt")
        with open(text, "w") as f:
            f.write("# an edge list\n" + "".join(f"{u} {v}\n" for u, v in sorted(pairs)))
        expected_text = sorted({(v, u) for u, v in pairs} | {(u, v) for u, v in pairs})
        sonata = self.path("g.h5")
        directed = sorted(pairs)
        with h5py.File(sonata, "w") as f:
            f["edges/x/source_node_id"] = np.array([u for u, _ in directed], dtype=np.uint64)
            f["edges/x/target_node_id"] = np.array([v for _, v in directed], dtype=np.uint64)
        for path, expected in ((text, expected_text), (sonata, directed)):
            spikes = []
            for ranks in (1, 3):
                with self.subTest(os.path.basename(path), ranks=ranks):
                    out = self.path(f"out-{ranks}.h5")
                    r = lifnet(["run", "--set", f"N={n}", "--set", "graph=file", "--set", f"graph_file={path}",
                                "--set", "t_stop=100", "--save-graph", "-o", out], ranks)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    with h5py.File(out) as f:
                        got = sorted(zip(f["edges/lifnet/source_node_id"][:].tolist(),
                                         f["edges/lifnet/target_node_id"][:].tolist()))
                        spikes.append(f["spikes/lifnet/node_ids"][:])
                    self.assertEqual(got, expected)
            self.assertTrue(np.array_equal(*spikes))


if __name__ == "__main__":
    unittest.main()
