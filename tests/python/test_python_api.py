#!/usr/bin/env python3
"""The Python module (issue 17): Config through the CLI's key table (round
trip, ConfigError naming every bad key), run() equal bit for bit to the CLI's
run file (spikes and the measures of /sync) at 1 rank, and at 2 ranks under
mpirun with mpi4py communicators (world, per rank, split).

Needs the module on PYTHONPATH (ctest sets <build>/python) and $LIFNET_BIN."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

import lifnet
from lifnet_harness import ENV, LIFNET, MPIEXEC, descendants

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL = {"N": 300, "k": 6, "p": 0.2, "f_inh": 0.2, "t_stop": 300.0, "seed": 7}
MEASURES = ("chi", "E", "R", "rate_hz", "cv")


def cli_run(path, ranks=1):
    cmd = [LIFNET, "run", "-o", path] + [a for k, v in MODEL.items() for a in ("--set", f"{k}={v}")]
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr


def load(path):
    with h5py.File(path) as f:
        return {"ids": f["spikes/lifnet/node_ids"][:], "times": f["spikes/lifnet/timestamps"][:],
                "Vbar": f["sync/Vbar"][:], "t": f["sync/t"][:], "sync": [f["sync/" + m][()] for m in MEASURES]}


class ConfigTest(unittest.TestCase):
    def test_keys_read_back(self):
        c = lifnet.Config(N=1000, p=0.3, t_stop=250.0, record=[3, 1, 2], graph="ring")
        self.assertEqual((c.N, c.p, c.t_stop, c.record, c.graph), (1000, 0.3, 250.0, "3,1,2", "ring"))
        self.assertEqual(c.k, 4)  # MODEL.md §7's default, as `lifnet run --help` says
        self.assertEqual(c.to_dict()["p"], 0.3)
        self.assertIn("p", [k[0] for k in lifnet.Config.keys()])

    def test_toml_round_trip(self):
        c = lifnet.Config(N=500, p=0.123456789012345, sigma=0.7, population="cortex")
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write(c.to_toml())
        back = lifnet.Config.from_toml(f.name)
        self.assertEqual(back, c)
        self.assertEqual(back.p, 0.123456789012345)
        self.assertEqual(lifnet.Config.from_toml(f.name, N=600).N, 600)
        self.assertNotEqual(back, c.replace(N=501))
        study = lifnet.Config.from_toml(os.path.join(ROOT, "configs", "original-study.toml"))
        self.assertEqual(study, lifnet.Config(**study.to_dict()))

    def assert_refused(self, keys, make=lambda k: lifnet.Config(**k)):
        with self.assertRaises(lifnet.ConfigError) as caught:
            make(keys)
        self.assertEqual(sorted(set(caught.exception.keys)), sorted(keys))
        for key in keys:
            self.assertIn(key, str(caught.exception))
        return caught.exception

    def test_config_errors_name_the_key(self):
        self.assert_refused({"bogus": 1})
        self.assert_refused({"N": 1.5})  # a real for an integer: refused, not truncated
        self.assert_refused({"N": -3})
        self.assert_refused({"N": True})  # a bool is not a count
        self.assert_refused({"p": 1.5})  # validate(): outside [0, 1]
        self.assert_refused({"dt": float("nan")})
        self.assert_refused({"record": [1, "x"]})
        self.assert_refused({"sigma": None})
        e = self.assert_refused({"p": 2.0, "tau_m": -1.0, "colour": "red"})  # every problem at once
        self.assertIsInstance(e, ValueError)
        self.assertIsInstance(e, lifnet.Error)
        self.assert_refused({"p": 7.0}, make=lambda k: lifnet.Config().replace(**k))

    def test_numpy_numbers_are_values(self):
        # numpy's integers and float64 as Python's; numpy's bool is no count either.
        c = lifnet.Config(N=np.int64(300), k=np.uint8(6), p=np.float64(0.1), record=np.array([3, 1], np.int32).tolist())
        self.assertEqual(c, lifnet.Config(N=300, k=6, p=0.1, record=[3, 1]))
        self.assertEqual(lifnet.Config(record=[np.int64(2), np.uint64(5)]), lifnet.Config(record=[2, 5]))
        self.assert_refused({"N": np.bool_(True)})
        self.assert_refused({"N": np.float32(300)})  # not exact in general: refused, not rounded

    def test_bad_toml_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("N = 100\nwho = 3\np = 'x'\n")
        e = self.assert_refused({"who": 0, "p": 0}, make=lambda k: lifnet.Config.from_toml(f.name))
        self.assertIn(f.name, str(e))
        self.assert_refused({"file": 0}, make=lambda k: lifnet.Config.from_toml("/nonexistent/x.toml"))


class RunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.cli_path = os.path.join(cls.dir, "cli.h5")
        cli_run(cls.cli_path)
        cls.cli = load(cls.cli_path)
        assert len(cls.cli["ids"]) > 1000, "the model must spike for the comparison to mean something"

    def assert_same(self, ids, times, Vbar, t, sync):
        self.assertEqual(ids.dtype, np.uint64)
        self.assertEqual(times.dtype, np.float64)
        self.assertTrue(np.array_equal(ids, self.cli["ids"]))
        self.assertTrue(np.array_equal(times, self.cli["times"]))  # exact, not close
        self.assertTrue(np.array_equal(Vbar, self.cli["Vbar"]))
        self.assertTrue(np.array_equal(t, self.cli["t"]))
        for name, mine, theirs in zip(MEASURES, sync, self.cli["sync"]):
            self.assertTrue(mine == theirs or (np.isnan(mine) and np.isnan(theirs)), name)

    def test_one_rank_equals_the_cli(self):
        out = os.path.join(self.dir, "py.h5")
        r = lifnet.run(lifnet.Config(**MODEL), output=out)
        self.assert_same(r.node_ids, r.times, r.Vbar, r.t, [r.chi, r.E, r.R, r.rate_hz, r.cv])
        self.assertEqual((r.rank, r.size, r.path), (0, 1, out))
        s = r.summary
        self.assertEqual(s["spikes"], len(self.cli["ids"]))
        self.assertEqual(s["neurons_per_rank"], [MODEL["N"]])
        self.assertGreater(s["seconds"]["simulate"], 0)
        # The file written from Python is the CLI's, spike for spike.
        mine = load(out)
        self.assertTrue(np.array_equal(mine["ids"], self.cli["ids"]))
        self.assertTrue(np.array_equal(mine["times"], self.cli["times"]))

    def test_plots(self):
        """Result.plot_raster and plot_vbar (the drawing of tools/lifnet-plot)
        give non-trivial images."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.image
        r = lifnet.open(self.cli_path)
        for name in ("raster", "vbar"):
            path = os.path.join(self.dir, f"{name}.png")
            fig = getattr(r, f"plot_{name}")(path)
            self.assertEqual(fig.axes[0].get_xlim(), (0.0, MODEL["t_stop"]))
            self.assertGreater(np.ptp(matplotlib.image.imread(path)), 0.1, name)
        self.assertEqual(len(fig.axes[0].lines[0].get_xdata()), len(self.cli["t"]))

    def test_no_output_file(self):
        before = set(os.listdir(self.dir))
        r = lifnet.run(lifnet.Config(**MODEL))
        self.assertEqual(r.path, "")
        self.assertEqual(set(os.listdir(self.dir)), before)
        self.assertTrue(np.array_equal(r.node_ids, self.cli["ids"]))

    def test_two_ranks_under_mpirun(self):
        npz = os.path.join(self.dir, "two.npz")
        cmd = [MPIEXEC, "--oversubscribe", "-np", "2", sys.executable, os.path.join(HERE, "python_api_driver.py"),
               npz] + [f"{k}={v}" for k, v in MODEL.items()]
        r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        d = np.load(npz)
        self.assertEqual(int(d["size"]), 2)
        self.assert_same(d["ids"], d["times"], d["Vbar"], d["t"], d["sync"])
        # Per rank: each rank's own spikes, together the whole run.
        self.assertTrue(all(c > 0 for c in d["own_counts"]))
        order = np.lexsort((d["own_ids"], d["own_times"]))
        self.assertTrue(np.array_equal(d["own_ids"][order], self.cli["ids"]))
        # Split into two one-rank communicators: each rank runs it alone.
        self.assertEqual(int(d["alone_size"]), 1)
        self.assertTrue(np.array_equal(d["alone_0"], self.cli["ids"]))
        self.assertTrue(np.array_equal(d["alone_1"], self.cli["ids"]))


class OpenTest(unittest.TestCase):
    """lifnet.open reads a run file through the engine's checked reader and
    refuses what it does not understand with FileError (never a crash)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.good = os.path.join(cls.dir, "good.h5")
        cli_run(cls.good)
        cls.cli = load(cls.good)

    def test_open_a_run_file(self):
        r = lifnet.open(self.good)
        self.assertTrue(np.array_equal(r.node_ids, self.cli["ids"]))
        self.assertTrue(np.array_equal(r.times, self.cli["times"]))
        self.assertTrue(np.array_equal(r.Vbar, self.cli["Vbar"]))
        self.assertTrue(np.array_equal(r.t, self.cli["t"]))
        for name, theirs in zip(MEASURES, self.cli["sync"]):
            mine = getattr(r, name)
            self.assertTrue(mine == theirs or (np.isnan(mine) and np.isnan(theirs)), name)
        self.assertEqual(r.config, lifnet.Config(**MODEL))
        self.assertEqual((r.summary["spikes"], r.summary["ranks"], r.path), (len(self.cli["ids"]), 1, self.good))
        self.assertGreater(r.summary["seconds"]["simulate"], 0)

    def copy(self, name, edit):
        """The good file copied to `name` and changed by edit(h5py.File)."""
        path = os.path.join(self.dir, name)
        with open(self.good, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    def assert_refused(self, path, words):
        with self.assertRaises(lifnet.FileError) as caught:
            lifnet.open(path)
        self.assertEqual(caught.exception.path, path)
        self.assertIn(words, str(caught.exception))

    def test_hostile_files_refused(self):
        text = os.path.join(self.dir, "text.h5")
        with open(text, "w") as f:
            f.write("not HDF5\n")
        self.assert_refused(text, "text.h5")
        self.assert_refused(os.path.join(self.dir, "missing.h5"), "missing.h5")
        truncated = os.path.join(self.dir, "truncated.h5")
        with open(self.good, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read()[: os.path.getsize(self.good) // 2])
        with self.assertRaises(lifnet.FileError):
            lifnet.open(truncated)

        def replace(name, data):
            def edit(f):
                del f[name]
                f[name] = data
            return edit
        ids = "spikes/lifnet/node_ids"
        n = len(self.cli["ids"])
        self.assert_refused(self.copy("float_ids.h5", replace(ids, self.cli["ids"].astype(np.float64))), "node_ids")
        self.assert_refused(self.copy("big_id.h5", replace(ids, np.full(n, MODEL["N"] + 5, np.uint64))), ">= N")
        self.assert_refused(self.copy("short_ids.h5", replace(ids, self.cli["ids"][:-1])), "one id per timestamp")
        self.assert_refused(self.copy("unordered.h5", replace("spikes/lifnet/timestamps", self.cli["times"][::-1])),
                            "order")
        self.assert_refused(self.copy("string_t.h5", replace("sync/t", np.array([b"a", b"b"]))), "sync/t")
        self.assert_refused(self.copy("no_sync.h5", lambda f: f.__delitem__("sync")), "not a lifnet run file")
        self.assert_refused(self.copy("bad_config.h5", lambda f: f.attrs.__setitem__("config", "N = -1\n")), "config")
        # Read as the sweep summary it claims to be: refused as one.
        self.assert_refused(self.copy("sweep.h5", lambda f: f.attrs.__setitem__("kind", "lifnet-sweep")), "varied")
        self.assert_refused(self.copy("other.h5", lambda f: f.attrs.__setitem__("kind", "lifnet-other")), "not a run")


# Runs a long network to `out` until a signal stops it, then a short one
# (so every rank returned, with MPI usable) and reports Python's handler.
STOPPED = """
import signal, sys
import lifnet
out, ranks = sys.argv[1], int(sys.argv[2])
comm = None
if ranks > 1:
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
try:
    lifnet.run(lifnet.Config(N=20000, t_stop=100000.0, record="none"), output=out, comm=comm)
    print("finished")
except KeyboardInterrupt:
    print("interrupted", flush=True)
r = lifnet.run(lifnet.Config(N=100, t_stop=150.0), comm=comm)
print("again", r.size, r.summary["spikes"] > 0, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode(errors="replace")


class SignalTest(unittest.TestCase):
    """A signal stops a run on every rank at one epoch: KeyboardInterrupt, no
    output file left, and the interpreter (and MPI) usable afterwards."""

    def stop(self, ranks, sig):
        out = os.path.join(tempfile.mkdtemp(), "stopped.h5")
        cmd = [sys.executable, "-c", STOPPED, out, str(ranks)]
        if ranks > 1:
            cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
        p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        folder = os.path.dirname(out)
        temporaries = lambda: [f for f in os.listdir(folder) if f.endswith(".tmp")]  # noqa: E731
        while not temporaries() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        self.assertTrue(temporaries(), "the run never started")
        ranks_pids = [p.pid] if ranks == 1 else [pid for pid in descendants(p.pid) if out in cmdline(pid)]
        self.assertEqual(len(ranks_pids), ranks)
        for pid in ranks_pids:  # as SLURM signals every task, or the terminal the process
            os.kill(pid, sig)
        stdout, stderr = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0, stderr)
        self.assertEqual(stdout.count("interrupted"), ranks, stdout + stderr)
        self.assertNotIn("finished", stdout)
        self.assertEqual(stdout.count(f"again {ranks} True True"), ranks, stdout + stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(temporaries(), [])  # rank 0 removes it as the run unwinds

    def test_ctrl_c_one_process(self):
        self.stop(1, signal.SIGINT)

    def test_sigterm_two_ranks(self):
        self.stop(2, signal.SIGTERM)


if __name__ == "__main__":
    unittest.main()
