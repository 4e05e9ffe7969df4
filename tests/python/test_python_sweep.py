#!/usr/bin/env python3
"""lifnet.sweep and lifnet.open of sweep summaries (issue 17): a sweep from
Python writes the CLI's table bit for bit; a Python sweep SIGKILLed mid-way
resumes from its journal to the same table, and one stopped by Ctrl-C raises
KeyboardInterrupt and resumes; the progress line; errors name
the key (ConfigError) or the path (FileError); hostile summaries raise
FileError without crashing the interpreter; the tables as numpy arrays, as a
pandas DataFrame when pandas is installed, and the sync-vs-p plot.

Needs the module on PYTHONPATH (ctest sets <build>/python) and $LIFNET_BIN."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

import lifnet
from lifnet_harness import ENV, LIFNET, MPIEXEC, kill_tree

MODEL = {"N": 60, "k": 4, "t_stop": 200.0, "t_transient": 50.0}
VARY = {"p": [0.0, 0.3, 0.9]}
SEEDS = [1, 2]
# Columns that may differ between two runs of one sweep: when and where.
TIMING = ("wall_seconds",)


def h5_table(path, table):
    """Every column of /members or /points of a summary, read by h5py."""
    with h5py.File(path, "r") as f:
        return {name: f[table][name][()] for name in f[table]}


def assert_tables_equal(test, mine, theirs, skip=TIMING):
    test.assertEqual(sorted(mine), sorted(theirs))
    for name in mine:
        if name in skip:
            continue
        a, b = np.asarray(mine[name]), np.asarray(theirs[name])
        a, b = (x.astype(str) if x.dtype.kind == "S" else x for x in (a, b))  # h5py gives strings as bytes
        test.assertEqual(a.shape, b.shape, name)
        if a.dtype.kind == "f":
            # Bit for bit: the same doubles, NaN where NaN.
            test.assertTrue(np.array_equal(a.view(np.uint64), b.astype(np.float64).view(np.uint64)), name)
        else:
            test.assertTrue(np.array_equal(a, b), f"{name}: {a} != {b}")


class SweepTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lifnet-pysweep-")
        cls.cli = os.path.join(cls.dir, "cli.h5")
        cmd = [LIFNET, "sweep", "-o", cls.cli, "--seeds", ",".join(map(str, SEEDS)),
               "--vary", "p=" + ",".join(f"{v:g}" for v in VARY["p"])]
        cmd += [a for k, v in MODEL.items() for a in ("--set", f"{k}={v}")]
        r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        cls.py_path = os.path.join(cls.dir, "py.h5")
        cls.py = lifnet.sweep(lifnet.Config(**MODEL), vary=VARY, seeds=SEEDS, output=cls.py_path)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_equals_the_cli(self):
        # The file Python wrote, and the arrays it returned, are the CLI's table.
        for table in ("members", "points"):
            assert_tables_equal(self, h5_table(self.py_path, table), h5_table(self.cli, table))
            assert_tables_equal(self, getattr(self.py, table), h5_table(self.cli, table))
        self.assertEqual(list(self.py.points["p"]), VARY["p"])
        self.assertEqual(list(self.py.members["seed"]), SEEDS * 3)
        self.assertTrue(all(s == "ok" for s in self.py.members["status"]))
        self.assertEqual((self.py.run_now, self.py.skipped, self.py.failed), (6, 0, 0))
        self.assertEqual(self.py.varied, ["p"])
        self.assertEqual(self.py.seeds, 2)
        self.assertEqual(self.py.config, lifnet.Config(**MODEL))
        self.assertGreater(np.min(self.py.points["rate_hz_mean"]), 0)

    def test_two_ranks_under_mpirun(self):
        # Two groups of one rank share the members: the CLI's table but for
        # which group ran what (and when).
        out = os.path.join(self.dir, "mpi.h5")
        code = ("import sys, lifnet; from mpi4py import MPI; "
                f"s = lifnet.sweep(lifnet.Config(**{MODEL!r}), vary={VARY!r}, seeds={SEEDS!r}, output=sys.argv[1], "
                "comm=MPI.COMM_WORLD); "
                # One write per rank (print's separate pieces interleave under
                # PYTHONUNBUFFERED, which the environment may set).
                "sys.stdout.write(f\"rank {MPI.COMM_WORLD.rank} {len(s.members['index'])} {s.run_now}\\n\"); "
                "sys.stdout.flush()")
        r = subprocess.run([MPIEXEC, "--oversubscribe", "-np", "2", sys.executable, "-c", code, out], env=ENV,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sorted(re.findall(r"rank \d+ \d+ \d+", r.stdout)), ["rank 0 6 6", "rank 1 6 6"], r.stdout)
        for table in ("members", "points"):
            assert_tables_equal(self, h5_table(out, table), h5_table(self.cli, table), skip=TIMING + ("group",))
        self.assertTrue(set(h5_table(out, "members")["group"]) <= {0, 1})  # who ran what is dynamic

    def test_open_reads_the_summary(self):
        for path in (self.cli, self.py_path):
            opened = lifnet.open(path)
            self.assertIsInstance(opened, lifnet.SweepResult)
            assert_tables_equal(self, opened.members, h5_table(self.cli, "members"))
            assert_tables_equal(self, opened.points, h5_table(self.cli, "points"))
            self.assertEqual(opened.path, path)
            self.assertEqual(opened.failed, 0)
        self.assertIn("lifnet sweep", lifnet.open(self.cli).command_line)

    def test_rerun_skips_every_member(self):
        again = lifnet.sweep(lifnet.Config(**MODEL), vary=VARY, seeds=SEEDS, output=self.py_path)
        self.assertEqual((again.run_now, again.skipped), (0, 6))
        assert_tables_equal(self, again.points, self.py.points, skip=())
        # numpy's values are the same sweep.
        again = lifnet.sweep(lifnet.Config(**MODEL), vary={"p": np.array(VARY["p"])}, seeds=np.array(SEEDS),
                             output=self.py_path)
        self.assertEqual((again.run_now, again.skipped), (0, 6))

    def test_toml_file_with_sweep_table(self):
        toml = os.path.join(self.dir, "sweep.toml")
        with open(toml, "w") as f:
            f.write(lifnet.Config(**MODEL).to_toml())
            f.write('\n[sweep]\nvary = { p = [0, 0.3, 0.9] }\nseeds = "1-2"\n')
        from_file = lifnet.sweep(toml, output=os.path.join(self.dir, "toml.h5"))
        assert_tables_equal(self, from_file.members, h5_table(self.cli, "members"))

    def test_dataframe_when_pandas_is_installed(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError) as caught:
                self.py.dataframe()
            self.assertIn("pandas", str(caught.exception))
            # What dataframe() gives pandas, seen through a stand-in module.
            import types
            stand_in = types.ModuleType("pandas")
            stand_in.DataFrame = lambda columns: ("DataFrame", columns)
            sys.modules["pandas"] = stand_in
            try:
                self.assertEqual(self.py.dataframe(), ("DataFrame", self.py.points))
                self.assertEqual(self.py.dataframe("members"), ("DataFrame", self.py.members))
                with self.assertRaises(ValueError):
                    self.py.dataframe("nodes")
            finally:
                del sys.modules["pandas"]
            return
        frame = self.py.dataframe()
        self.assertEqual(list(frame["p"]), VARY["p"])
        self.assertTrue(np.array_equal(frame["E_mean"].to_numpy(), self.py.points["E_mean"]))
        self.assertEqual(len(self.py.dataframe("members")), 6)

    def test_plot_sync_vs_p(self):
        import matplotlib
        matplotlib.use("Agg")
        png = os.path.join(self.dir, "sync.png")
        fig = self.py.plot_sync_vs_p(png)
        left, right = fig.axes
        self.assertEqual((left.get_xlabel(), left.get_ylabel(), right.get_ylabel()), ("p", "E [mV]", "χ"))
        x, y = left.lines[0].get_data()
        self.assertTrue(np.array_equal(x, VARY["p"]))
        self.assertTrue(np.array_equal(y, self.py.points["E_mean"]))
        self.assertGreater(os.path.getsize(png), 5000)

    def test_progress_line(self):
        code = ("import lifnet, sys; lifnet.sweep(lifnet.Config(N=40, t_stop=100.0), vary={'p': [0, 0.5]}, "
                "output=sys.argv[1], progress=sys.argv[2] == '1')")
        for on in (True, False):
            out = os.path.join(self.dir, f"progress{int(on)}.h5")
            r = subprocess.run([sys.executable, "-c", code, out, str(int(on))], env=ENV, capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual("sweep: 2/2 members done" in r.stderr, on, r.stderr)

    def test_errors_name_the_key_or_the_file(self):
        out = os.path.join(self.dir, "bad.h5")
        cases = [({"vary": {"bogus": [1]}}, "vary['bogus']"), ({"vary": {"p": [1.5]}}, "p"),
                 ({"vary": {"p": [0.1, 0.1]}}, "vary['p']"), ({"seeds": [-1]}, "seeds"),
                 ({"seeds": "5-1"}, "seeds"), ({"max_members": 3, "vary": VARY, "seeds": SEEDS}, "max_members"),
                 ({"ranks_per_member": -2}, "ranks_per_member"), ({"ranks_per_member": 2}, "ranks_per_member")]
        for keys, key in cases:
            with self.subTest(keys=keys):
                with self.assertRaises(lifnet.ConfigError) as caught:
                    lifnet.sweep(lifnet.Config(N=40), output=out, **keys)
                self.assertIn(key, caught.exception.keys)
                self.assertIn(key, str(caught.exception))
        missing = os.path.join(self.dir, "no", "such", "folder", "s.h5")
        with self.assertRaises(lifnet.FileError) as caught:
            lifnet.sweep(lifnet.Config(N=40), output=missing)
        self.assertEqual(caught.exception.path, missing)
        self.assertNotIsInstance(caught.exception, lifnet.ConfigError)
        self.assertFalse(os.path.exists(out))


# A sweep of 8 members, each long enough to be stopped in the middle of.
KILLED = """
import sys, lifnet
try:
    lifnet.sweep(lifnet.Config(N=200, t_stop=3000.0, t_transient=100.0), vary={"p": [0, 0.2, 0.5, 0.9]},
                 seeds=[3, 4], output=sys.argv[1])
    print("finished")
except KeyboardInterrupt as e:
    print("interrupted:", e)
"""


def finished(journal):
    try:
        with open(journal) as f:
            return sum(line.split("\t")[6:7] == ["ok"] for line in f.read().split("\n")[:-1])
    except FileNotFoundError:
        return 0


class ResumeTest(unittest.TestCase):
    def test_sigkilled_sweep_resumes_to_the_same_table(self):
        d = tempfile.mkdtemp(prefix="lifnet-pyresume-")
        self.addCleanup(shutil.rmtree, d, True)
        out = os.path.join(d, "killed.h5")
        p = subprocess.Popen([sys.executable, "-c", KILLED, out], env=ENV, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while finished(out + ".journal") < 2 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        kill_tree(p)
        done = finished(out + ".journal")
        self.assertGreaterEqual(done, 2, "the child finished no member before the deadline")
        self.assertLess(done, 8, "the child finished before it was killed: make its members longer")
        self.assertFalse(os.path.exists(out), "a killed sweep has no summary")
        # The same call again: the finished members are skipped.
        config = lifnet.Config(N=200, t_stop=3000.0, t_transient=100.0)
        vary = {"p": [0, 0.2, 0.5, 0.9]}
        resumed = lifnet.sweep(config, vary=vary, seeds=[3, 4], output=out)
        self.assertEqual(resumed.skipped, done)
        self.assertEqual(resumed.run_now, 8 - done)
        whole = lifnet.sweep(config, vary=vary, seeds=[3, 4], output=os.path.join(d, "whole.h5"))
        self.assertEqual(whole.run_now, 8)
        for table in ("members", "points"):
            assert_tables_equal(self, getattr(resumed, table), getattr(whole, table), skip=TIMING)
            assert_tables_equal(self, h5_table(out, table), h5_table(whole.path, table), skip=TIMING)


    def test_ctrl_c_stops_between_members(self):
        d = tempfile.mkdtemp(prefix="lifnet-pyctrlc-")
        self.addCleanup(shutil.rmtree, d, True)
        out = os.path.join(d, "stopped.h5")
        p = subprocess.Popen([sys.executable, "-c", KILLED, out], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while finished(out + ".journal") < 1 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.02)
        os.kill(p.pid, signal.SIGINT)
        stdout, stderr = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0, stderr)
        self.assertIn("interrupted: stopped by a signal", stdout, stderr)
        self.assertFalse(os.path.exists(out), "a stopped sweep writes no summary")
        done = finished(out + ".journal")
        self.assertTrue(1 <= done < 8, done)
        resumed = lifnet.sweep(lifnet.Config(N=200, t_stop=3000.0, t_transient=100.0),
                               vary={"p": [0, 0.2, 0.5, 0.9]}, seeds=[3, 4], output=out)
        self.assertEqual((resumed.skipped, resumed.run_now), (done, 8 - done))
        self.assertTrue(all(s == "ok" for s in resumed.members["status"]))


class HostileSummaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lifnet-pyhostile-")
        cls.good = os.path.join(cls.dir, "good.h5")
        lifnet.sweep(lifnet.Config(N=40, t_stop=100.0), vary={"p": [0, 0.5], "graph": ["ws", "er"]}, seeds=[1, 2],
                     output=cls.good)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def copy(self, name, edit):
        path = os.path.join(self.dir, name)
        shutil.copyfile(self.good, path)
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    def test_good_file_reads(self):
        s = lifnet.open(self.good)
        self.assertEqual(s.varied, ["p", "graph"])
        self.assertEqual(list(s.points["graph"]), ["ws", "er", "ws", "er"])
        self.assertEqual(len(s.members["index"]), 8)

    def test_hostile_files_raise(self):
        def replace(name, data):
            def edit(f):
                del f[name]
                f[name] = data
            return edit

        def attr(name, value):
            return lambda f: f.attrs.__setitem__(name, value)
        cases = {
            "kind.h5": (attr("kind", "lifnet-other"), "a lifnet-other file"),
            "varied_key.h5": (attr("varied", "p,../../members/index"), "not a configuration key"),
            "varied_twice.h5": (attr("varied", "p,p"), "varied twice"),
            "seeds_zero.h5": (attr("seeds", 0), "seeds"),
            "seeds_odd.h5": (attr("seeds", 3), "do not divide"),
            "seeds_float.h5": (attr("seeds", 2.5), "seeds"),
            "config.h5": (attr("config", "N = -1\n"), "config"),
            "short_chi.h5": (replace("members/chi", np.zeros(3)), "members/chi"),
            "string_E.h5": (replace("points/E_mean", np.array([b"a"] * 4)), "points/E_mean"),
            "float_seed.h5": (replace("members/seed", np.zeros(8)), "members/seed"),
            "status_numbers.h5": (replace("members/status", np.zeros(8)), "members/status"),
            "no_points.h5": (lambda f: f.__delitem__("points"), "points"),
            "matrix_n.h5": (replace("points/n", np.zeros((2, 2), np.uint64)), "points/n"),
            # 2^40 rows declared, none stored: refused before any allocation.
            "huge_index.h5": (lambda f: (f.__delitem__("members/index"),
                                         f.create_dataset("members/index", shape=(2**40,), dtype=np.uint64)),
                              "stores 0 bytes"),
        }
        for name, (edit, words) in cases.items():
            with self.subTest(name):
                path = self.copy(name, edit)
                with self.assertRaises(lifnet.FileError) as caught:
                    lifnet.open(path)
                self.assertEqual(caught.exception.path, path)
                self.assertIn(words, str(caught.exception))
        truncated = os.path.join(self.dir, "truncated.h5")
        with open(self.good, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read()[: os.path.getsize(self.good) // 2])
        with self.assertRaises(lifnet.FileError):
            lifnet.open(truncated)
        with self.assertRaises(lifnet.FileError):
            lifnet.open(self.dir)  # a folder


if __name__ == "__main__":
    unittest.main()
