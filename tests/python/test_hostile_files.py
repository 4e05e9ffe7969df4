"""Readers do not trust the file (issue 13, class 1): `lifnet info`, the
SONATA edges reader and the population name. Every crafted file ends in exit
code 2 and a message that names the file and the object, never in a crash, a
hang or a silent misreading."""
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

from lifnet_harness import ENV, LIFNET, MPIEXEC


def lifnet(args, ranks=1, timeout=120):
    cmd = [LIFNET] + args
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


def replace(f, path, data):
    """Replaces the dataset at `path` by `data` (any shape and type)."""
    del f[path]
    f[path] = data


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class HostileFilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        r = lifnet(["run", "--set", "N=60", "--set", "t_stop=50", "--set", "t_transient=0", "--save-graph",
                    "-o", cls.path("run.h5")])
        assert r.returncode == 0, r.stderr
        r = lifnet(["sweep", "--vary", "p=0,0.5", "--vary", "integrator=rk4,exact", "--seeds", "1-2",
                    "--set", "N=60", "--set", "t_stop=50", "--set", "t_transient=0", "-o", cls.path("sweep.h5")])
        assert r.returncode == 0, r.stderr

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def crafted(self, source, name, edit):
        path = self.path(name)
        shutil.copy(self.path(source), path)
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    def assert_refused(self, args, *messages, ranks=1):
        r = lifnet(args, ranks)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for m in messages:
            self.assertIn(m, r.stderr)
        self.assertNotIn("Segmentation", r.stderr)
        return r

    def test_pristine_files_are_described(self):
        r = lifnet(["info", self.path("run.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("population lifnet:", r.stdout)
        r = lifnet(["info", self.path("sweep.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("  n = 2  "), 4, r.stdout)

    def test_info_refuses_run_files_of_another_shape(self):
        pop = "spikes/lifnet/"
        cases = {
            "cut64.h5": (lambda f: replace(f, "network/edge_cut", np.arange(64, dtype=np.uint64)),
                         "network/edge_cut"),
            "cutstr.h5": (lambda f: replace(f, "network/edge_cut", np.bytes_("x" * 200)), "network/edge_cut"),
            "imbalance.h5": (lambda f: replace(f, "network/imbalance", np.zeros((2, 2))), "network/imbalance"),
            "chi.h5": (lambda f: replace(f, "sync/chi", np.zeros(8)), "sync/chi"),
            "scalar_ts.h5": (lambda f: replace(f, pop + "timestamps", 1.5), pop + "timestamps"),
            "report1d.h5": (lambda f: replace(f, "report/lifnet/data", np.zeros(10, dtype=np.float32)),
                            "report/lifnet/data"),
            "config_int.h5": (lambda f: f.attrs.__setitem__("config", np.arange(4)), "config"),
            # 2^40 values declared, none stored: refused before they are allocated.
            "unstored.h5": (lambda f: (f.__delitem__("nodes/lifnet/0/inhibitory"),
                                       f.create_dataset("nodes/lifnet/0/inhibitory", shape=(2 ** 40,), dtype=np.uint8,
                                                        chunks=(4096,))), "nodes/lifnet/0/inhibitory"),
            "version_missing.h5": (lambda f: f.attrs.__delitem__("lifnet_version"), "lifnet_version"),
        }
        for name, (edit, obj) in cases.items():
            with self.subTest(name):
                path = self.crafted("run.h5", name, edit)
                self.assert_refused(["info", path], path, obj)

    def test_info_refuses_sweep_summaries_of_another_shape(self):
        cases = {
            "long_n.h5": (lambda f: replace(f, "points/n", np.arange(100000, dtype=np.uint64)), "points/n"),
            "short_E.h5": (lambda f: replace(f, "points/E_mean", np.zeros(1)), "points/E_mean"),
            "short_str.h5": (lambda f: replace(f, "points/integrator", np.array([b"rk4"])), "points/integrator"),
            "int_column.h5": (lambda f: replace(f, "points/p", np.arange(4, dtype=np.int8)), "points/p"),
            "scalar_index.h5": (lambda f: replace(f, "members/index", np.uint64(3)), "members/index"),
            "varied_missing.h5": (lambda f: f.attrs.__setitem__("varied", "p,nothing"), "points/nothing"),
        }
        for name, (edit, obj) in cases.items():
            with self.subTest(name):
                path = self.crafted("sweep.h5", name, edit)
                self.assert_refused(["info", path], path, obj)

    def test_info_refuses_what_is_not_a_lifnet_file(self):
        text = self.path("text.h5")
        with open(text, "w") as f:
            f.write("not hdf5\n")
        self.assert_refused(["info", text], text, "not an HDF5 file")
        empty = self.path("empty.h5")
        h5py.File(empty, "w").close()
        self.assert_refused(["info", empty], empty, "neither a lifnet run file nor a sweep summary")

    def write_edges(self, name, sources, targets):
        path = self.path(name)
        with h5py.File(path, "w") as f:
            group = f.create_group("edges/net")
            group["source_node_id"] = sources
            group["target_node_id"] = targets
        return path

    def test_sonata_ids_that_are_not_node_ids_are_refused(self):
        cases = {
            "negative.h5": (np.array([0, -1, 2], dtype=np.int64), np.array([1, 2, 3], dtype=np.int64),
                            "negative"),
            "float.h5": (np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]), "not integers"),
            "float_frac.h5": (np.array([0.5, 1.0]), np.array([1.0, 2.0]), "not integers"),
            "two_d.h5": (np.zeros((2, 2), dtype=np.uint64), np.zeros((2, 2), dtype=np.uint64), "one-dimensional"),
            "lengths.h5": (np.array([0, 1, 2], dtype=np.uint64), np.array([1, 2], dtype=np.uint64),
                           "source_node_id: has 3 rows, target_node_id 2"),
            "strings.h5": (np.array([b"0", b"1"]), np.array([b"1", b"2"]), "not integers"),
        }
        for name, (sources, targets, message) in cases.items():
            path = self.write_edges(name, sources, targets)
            for ranks in (1, 3):
                with self.subTest(name, ranks=ranks):
                    out = self.path(f"out-{name}-{ranks}.h5")
                    self.assert_refused(["run", "--set", "N=5", "--set", "graph=file", "--set", f"graph_file={path}",
                                         "-o", out], path, message, ranks=ranks)
                    self.assertFalse(os.path.exists(out))

    def test_sonata_rows_beyond_what_n_neurons_can_receive_are_refused(self):
        # A tiny file that declares 2^40 rows (unallocated storage, a fill
        # value of synapse 0 -> 1) is refused before any row is read.
        path = self.path("huge.h5")
        with h5py.File(path, "w") as f:
            for name, fill in (("source_node_id", 0), ("target_node_id", 1)):
                f.create_dataset("edges/net/" + name, shape=(2 ** 40,), dtype=np.uint64, chunks=(1024,),
                                 fillvalue=fill)
        self.assertLess(os.path.getsize(path), 100000)
        for ranks in (1, 3):
            with self.subTest(ranks=ranks):
                self.assert_refused(["run", "--set", "N=5", "--set", "graph=file", "--set", f"graph_file={path}",
                                     "-o", self.path("huge-out.h5")], path, "1099511627776 synapses", ranks=ranks)

    def test_signed_sonata_ids_are_read(self):
        # int64 ids (as some tools write them) are read when they are node ids.
        signed = self.write_edges("signed.h5", np.array([0, 1, 2, 3], dtype=np.int64),
                                  np.array([1, 2, 3, 4], dtype=np.int64))
        unsigned = self.write_edges("unsigned.h5", np.array([0, 1, 2, 3], dtype=np.uint64),
                                    np.array([1, 2, 3, 4], dtype=np.uint64))
        spikes = []
        for path in (signed, unsigned):
            out = path + ".out.h5"
            r = lifnet(["run", "--set", "N=5", "--set", "graph=file", "--set", f"graph_file={path}", "--set",
                        "t_stop=100", "--set", "J=5", "--save-graph", "-o", out])
            self.assertEqual(r.returncode, 0, r.stderr)
            with h5py.File(out) as f:
                self.assertEqual(list(f["edges/lifnet/source_node_id"][:]), [0, 1, 2, 3])
                spikes.append(f["spikes/lifnet/node_ids"][:])
        self.assertTrue(np.array_equal(*spikes))

    def test_population_names_that_are_not_link_names_are_refused(self):
        for name in ("a/b", "/", "..", ".", "", "a\nb", "tab\tname", "x\x7f"):
            with self.subTest(repr(name)):
                out = self.path("pop.h5")
                r = self.assert_refused(["run", "--set", f"population={name}", "--set", "t_stop=10", "--set", "t_transient=0", "-o", out],
                                        "population:")
                self.assertFalse(os.path.exists(out))
        toml = self.path("pop.toml")
        with open(toml, "w") as f:
            f.write('population = "../x"\nt_stop = 10\nt_transient = 0\n')
        self.assert_refused(["run", toml, "-o", self.path("pop2.h5")], "population:")
        r = lifnet(["run", "--set", "population=V1_exc-2.b", "--set", "t_stop=10", "--set", "t_transient=0", "-o", self.path("ok.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
