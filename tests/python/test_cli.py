#!/usr/bin/env python3
"""The lifnet command line: bad input is rejected once, clearly, with exit code
2 and no output file; a valid run writes a sorted SONATA spike file.

The binary is $LIFNET_BIN (default build/lifnet, relative to the repository
root), MPI runs use $MPIEXEC (default mpirun). Run:
    /usr/bin/python3 tests/python/test_cli.py
"""
import os
import re
import shlex
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.path.join(ROOT, os.environ.get("LIFNET_BIN", "build/lifnet"))
MPIEXEC = shlex.split(os.environ.get("MPIEXEC", "mpirun"))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def setUpModule():
    if not os.access(LIFNET, os.X_OK):
        raise unittest.SkipTest(f"lifnet binary not found at {LIFNET} (set LIFNET_BIN)")


class CliTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)
        return name

    def run_lifnet(self, args, ranks=1):  # not `run`: that is unittest's own method
        """Run `lifnet run ARGS -o out.h5` in the temp dir; (rc, stdout + stderr)."""
        cmd = [LIFNET, "run", *args, "-o", "out.h5"]
        if ranks > 1:
            cmd = [*MPIEXEC, "--oversubscribe", "-np", str(ranks), *cmd]
        p = subprocess.run(cmd, cwd=self.dir, env=ENV, capture_output=True, text=True, timeout=300)
        return p.returncode, p.stdout + p.stderr

    def assertRejected(self, args, *names, ranks=1):
        """Exit code 2, every string in `names` in the message, no output file."""
        rc, out = self.run_lifnet(args, ranks)
        self.assertEqual(rc, 2, out)
        for name in names:
            self.assertIn(name, out)
        for f in os.listdir(self.dir):  # neither the file nor a temporary of it
            self.assertFalse(f.startswith("out.h5"), f"{f} left behind\n{out}")
        return out

    def test_bad_values(self):
        cases = [  # (--set flags, strings the message must contain)
            (["k=3"], ["k:", "2 <= k < N"]),
            (["k=100"], ["k:", "2 <= k < N"]),
            (["p=1.5"], ["p:", "[0, 1]"]),
            (["p=-0.1"], ["p:", "[0, 1]"]),
            (["dt=0"], ["dt:", "> 0"]),
            (["dt=-0.1"], ["dt:"]),
            (["dt=0.1", "t_stop=100.05", "d=0.15"], ["t_stop:", "d:"]),
            (["dt=0.1", "d=0.05"], ["d:"]),
            (["seed=4294967296"], ["seed:", "2^32"]),
            (["foo=1"], ["foo:"]),
            (["graph=torus"], ["graph:", "ws"]),
            (["partition=metis"], ["partition:", "ptscotch"]),
            (["p=abc"], ["p:", "abc"]),
            (["k=3", "p=2"], ["k:", "p:"]),
        ]
        for sets, names in cases:
            with self.subTest(sets=sets):
                self.assertRejected([a for s in sets for a in ("--set", s)], *names)

    def test_rk4_limit_names_only_dt(self):
        # limit 2.78 * 0.1 ms; every time parameter is a multiple of 0.5 ms
        out = self.assertRejected(["--set", "tau_syn=0.1", "--set", "dt=0.5"], "dt:", "2.78")
        self.assertEqual(re.findall(r"^\s+(\w+):", out, re.M), ["dt"], out)

    def test_malformed_toml(self):
        self.assertRejected([self.write("bad.toml", "N = 50\np = = 3\n")], "bad.toml:2")

    def test_unknown_key_in_toml(self):
        self.assertRejected([self.write("cfg.toml", "N = 50\nfoo = 1\n")], "foo", "cfg.toml:2")

    def test_edge_files(self):
        def edges(text):
            return ["--set", "N=10", "--set", "graph=file",
                    "--set", "graph_file=" + self.write("e.txt", text)]

        with self.subTest("unreadable"):
            self.assertRejected(["--set", "graph=file", "--set", "graph_file=/nonexistent"],
                                "/nonexistent")
        with self.subTest("malformed line 3"):
            self.assertRejected(edges("0 1\n1 2\n1 x\n"), "e.txt:3")
        with self.subTest("id >= N"):
            self.assertRejected(edges("# comment\n0 1\n2 10\n"), "e.txt:3")

    def test_bad_flag(self):
        self.assertRejected(["--bogus"], "--bogus")

    def test_printed_once_under_mpi(self):
        out = self.assertRejected(["--set", "k=3"], "k:", ranks=3)
        self.assertEqual(len(re.findall(r"(?<!\w)k:", out)), 1, out)
        edges = self.write("e.txt", "0 1\n1 2\n1 x\n")
        out = self.assertRejected(["--set", "graph=file", "--set", "graph_file=" + edges],
                                  "e.txt:3", ranks=3)
        self.assertEqual(out.count("e.txt:3"), 1, out)
        out = self.assertRejected([self.write("bad.toml", "p = = 3\n")], "bad.toml:1", ranks=3)
        self.assertEqual(out.count("bad.toml:1"), 1, out)

    def check_spikes(self, N, t_stop):
        with h5py.File(os.path.join(self.dir, "out.h5"), "r") as f:
            g = f["/spikes/lifnet"]
            t, ids = g["timestamps"][:], g["node_ids"][:]
            self.assertEqual(int(g.attrs["sorting"]), 2)  # by_time
            self.assertEqual(h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)["by_time"], 2)
        self.assertGreater(len(t), 0)
        self.assertEqual(len(t), len(ids))
        order = np.lexsort((ids, t))
        self.assertTrue(np.array_equal(order, np.arange(len(t))), "not ordered by (time, id)")
        self.assertTrue(np.all(ids < N))
        self.assertLessEqual(t.max(), t_stop)
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])

    def probes_network(self, ranks=1, **env):
        """Whether a short run's MPI_Init opened Open MPI's cm layer (which
        probes libfabric and PSM): lifnet picks ob1 on one node instead,
        unless the user chose, or the job spans nodes."""
        cmd = [LIFNET, "run", "--set", "t_stop=110", "--set", "record=none", "-o", "out.h5"]
        if ranks > 1:
            cmd = [*MPIEXEC, "--oversubscribe", "-np", str(ranks), *cmd]
        run_env = {k: v for k, v in ENV.items() if k not in ("OMPI_MCA_pml", "SLURM_NNODES")}
        run_env.update(env, OMPI_MCA_pml_base_verbose="100")
        p = subprocess.run(cmd, cwd=self.dir, env=run_env, capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return "found loaded component cm" in p.stdout + p.stderr

    def test_one_node_skips_network_probing(self):
        if not self.probes_network(SLURM_NNODES="2"):
            self.skipTest("this Open MPI has no cm layer to skip")
        self.assertTrue(self.probes_network(OMPI_MCA_pml="ob1,cm"), "the user's choice was replaced")
        self.assertFalse(self.probes_network(), "one rank")
        self.assertFalse(self.probes_network(ranks=2), "two ranks on one node")

    def test_valid_run(self):
        rc, out = self.run_lifnet(["--set", "t_stop=200"])
        self.assertEqual(rc, 0, out)
        self.check_spikes(100, 200)

    def test_peak_memory_reported(self):
        # The set-up (graph building, partitioning) needs more than the loop,
        # whose peak is measured on its own: the set-up's memory is given back.
        rc, out = self.run_lifnet(["--set", "N=200000", "--set", "k=10", "--set", "t_stop=101",
                                   "--set", "record=none"])
        self.assertEqual(rc, 0, out)
        m = re.search(r"peak memory \(all ranks\): ([0-9.]+) MB up to the loop, ([0-9.]+) MB in the loop", out)
        self.assertIsNotNone(m, out)
        setup, loop = float(m.group(1)), float(m.group(2))
        self.assertGreater(loop, 20)  # at least the process itself
        self.assertLess(loop, setup - 50, out)  # the build's ~90 B per synapse are gone

    def test_toml_config_honoured(self):
        rc, out = self.run_lifnet([self.write("cfg.toml", "# a run\nN = 50\nt_stop = 200\n")])
        self.assertEqual(rc, 0, out)
        self.assertIn("N = 50", out)
        self.check_spikes(50, 200)

    def test_help(self):
        p = subprocess.run([LIFNET, "run", "--help"], env=ENV, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        for key in ("N", "k", "p", "seed", "graph", "partition", "integrator", "record"):
            self.assertRegex(p.stdout, rf"(?m)^\s+{key}\s")
        for key in ("dt [ms]", "t_stop [ms]", "tau_m [ms]", "V_th [mV]", "I_bias [mV]",
                    "sigma [mV]"):
            self.assertIn(key, p.stdout)



class FrontEndTest(unittest.TestCase):
    """`lifnet` is a thin front end: it answers --help, --version and
    configuration errors without the engine (no MPI, HDF5 or PETSc loaded),
    and execs lifnet-engine beside it for the rest."""

    def libraries(self, binary):
        return subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout

    def test_front_end_links_no_mpi_hdf5_or_petsc(self):
        front = self.libraries(LIFNET)
        for lib in ("libmpi", "libhdf5", "libpetsc", "libboost_mpi", "liblifnet"):
            self.assertNotIn(lib, front)
        engine = self.libraries(os.path.join(os.path.dirname(LIFNET), "lifnet-engine"))
        for lib in ("libmpi", "libhdf5", "libpetsc", "liblifnet"):
            self.assertIn(lib, engine)

    def test_answers_alone_and_fast(self):
        # The front end copied where no engine is: what it answers, it answers alone.
        with tempfile.TemporaryDirectory() as tmp:
            alone = os.path.join(tmp, "lifnet")
            with open(LIFNET, "rb") as src, open(alone, "wb") as dst:
                dst.write(src.read())
            os.chmod(alone, 0o755)
            env = dict(ENV, PATH="/usr/bin:/bin")  # no lifnet-engine on PATH either
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                p = subprocess.run([alone, "--version"], capture_output=True, text=True, env=env)
                times.append(time.perf_counter() - t0)
                self.assertEqual((p.returncode, p.stdout.strip()), (0, "0.1.0"))
            print(f"lifnet --version: median {sorted(times)[2] * 1000:.1f} ms")
            self.assertLess(sorted(times)[2], 0.1)
            p = subprocess.run([alone, "run", "--help"], capture_output=True, text=True, env=env)
            self.assertEqual(p.returncode, 0)
            self.assertIn("routing", p.stdout)
            p = subprocess.run([alone, "run", "--set", "N=abc", "--set", "nokey=1"], capture_output=True, text=True,
                               env=env)
            self.assertEqual(p.returncode, 2)
            self.assertIn("N: 'abc'", p.stderr)
            self.assertIn("nokey", p.stderr)
            p = subprocess.run([alone, "sweep", "--set", "dt=-1"], capture_output=True, text=True, env=env)
            self.assertEqual(p.returncode, 2)
            self.assertIn("dt", p.stderr)
            # A sweep's own options and every member's configuration, too.
            for args, named in [(["--vary", "bogus=1,2"], "--vary bogus"), (["--seeds", "1,1"], "--seeds"),
                                (["--vary", "N=10,0"], "member with N = 0"), (["--save-graph"], "--save-graph"),
                                (["--seeds", "1-200", "--max-members", "10"], "--max-members")]:
                p = subprocess.run([alone, "sweep", *args], capture_output=True, text=True, env=env)
                self.assertEqual(p.returncode, 2, args)
                self.assertIn(named, p.stderr)
            # A valid run needs the engine, and says so when it is missing.
            p = subprocess.run([alone, "run", "-o", os.path.join(tmp, "x.h5")], capture_output=True, text=True,
                               env=env)
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot start the engine", p.stderr)

if __name__ == "__main__":
    unittest.main()
