"""Checkpoint and restart: a run 0 -> T equals, bit for bit, 0 -> T/2 followed
by a restart to T, also on another number of ranks and another partitioner;
a signal leaves a checkpoint to continue from; foreign or damaged
checkpoints are refused."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

from lifnet_harness import ENV, LIFNET, MPIEXEC, lifnet_pids
MODEL = ["--set", "N=600", "--set", "k=6", "--set", "p=0.2", "--set", "f_inh=0.2", "--set", "report_dtype=float64"]
MEASURES = ("chi", "E", "R", "rate_hz", "cv")


def command(args, ranks):
    cmd = [LIFNET, "run"] + args
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd if ranks > 1 else cmd


def run(args, ranks=1):
    return subprocess.run(command(args, ranks), env=ENV, capture_output=True, text=True, timeout=300)


def load(path):
    with h5py.File(path) as f:
        return {"t": f["spikes/lifnet/timestamps"][:], "id": f["spikes/lifnet/node_ids"][:],
                "V": f["report/lifnet/data"][:], "Vbar": f["sync/Vbar"][:],
                "sync": {m: f["sync/" + m][()] for m in MEASURES}}


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class CheckpointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        r = run(MODEL + ["--set", "t_stop=400", "-o", cls.path("full.h5")])
        assert r.returncode == 0, r.stderr
        cls.full = load(cls.path("full.h5"))

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def assert_continues(self, second, first=None):
        """`second` continues the full run: its spikes and report are the full
        run's from the restart on (after `first`'s, when given), and its
        measures, over the whole run, are the full run's."""
        for key in ("t", "id", "V"):
            full = self.full[key]
            if first is not None:
                self.assertTrue(np.array_equal(np.concatenate([first[key], second[key]]), full), key)
            else:
                self.assertTrue(np.array_equal(second[key], full[len(full) - len(second[key]):]), key)
        self.assertTrue(np.array_equal(second["Vbar"], self.full["Vbar"]))
        for m in MEASURES:
            self.assertEqual(second["sync"][m], self.full["sync"][m], m)

    def test_half_then_restart_on_other_ranks_and_partitioner(self):
        r = run(MODEL + ["--set", "t_stop=200", "--checkpoint", self.path("half.ckpt"), "-o", self.path("a.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        for ranks, partition in ((1, "ptscotch"), (3, "random"), (2, "block")):
            out = self.path(f"b{ranks}.h5")
            r = run(["--restart", self.path("half.ckpt"), "--set", "t_stop=400", "--set", f"partition={partition}",
                     "--set", "exchange=step", "-o", out], ranks)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assert_continues(load(out), first=load(self.path("a.h5")))

    def test_two_ranks_with_periodic_checkpoints_then_restart(self):
        # V̄'s reduction and the spike count are still in flight at the end
        # of every epoch on several ranks (issue 16): each checkpoint epoch
        # completes them, so that V̄, chi and E continue bit for bit.
        ckpt = self.path("periodic.ckpt")
        r = run(MODEL + ["--set", "t_stop=200", "--checkpoint-every", "30ms", "--checkpoint", ckpt,
                         "-o", self.path("p2.h5")], 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run(["--restart", ckpt, "--set", "t_stop=400", "-o", self.path("p3.h5")], 3)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_continues(load(self.path("p3.h5")), first=load(self.path("p2.h5")))

    def test_signal_leaves_a_checkpoint_to_continue_from(self):
        ckpt = self.path("sig.ckpt")
        args = MODEL + ["--set", "t_stop=400", "--checkpoint-every", "50ms", "--checkpoint", ckpt,
                        "-o", self.path("sig.h5")]
        # Signal as soon as the first periodic checkpoint exists.
        p = subprocess.Popen(command(args, 2), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        end = time.time() + 60
        while not os.path.exists(ckpt) and time.time() < end and p.poll() is None:
            time.sleep(0.01)
        for pid in lifnet_pids(ckpt):
            os.kill(pid, signal.SIGTERM)
        _, err = p.communicate(timeout=120)
        if p.returncode == 0:
            self.skipTest("the run finished before the signal arrived")
        self.assertEqual(p.returncode, 3, err)
        self.assertFalse(os.path.exists(self.path("sig.h5")))
        with h5py.File(ckpt) as f:
            step = int(f.attrs["step"])
        self.assertLess(step, 4000)
        r = run(["--restart", ckpt, "-o", self.path("rest.h5")], 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        rest = load(self.path("rest.h5"))
        self.assertTrue(np.all(rest["t"] > step * 0.1 - 1e-9))
        self.assert_continues(rest)

    def test_foreign_and_damaged_checkpoints_are_refused(self):
        ckpt = self.path("ok.ckpt")
        r = run(MODEL + ["--set", "t_stop=100", "--checkpoint", ckpt, "-o", self.path("ok.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        damaged = self.path("damaged.ckpt")
        with open(ckpt, "rb") as f, open(damaged, "wb") as g:
            g.write(f.read()[: os.path.getsize(ckpt) // 2])
        cases = [(["--restart", ckpt, "--set", "J=3"], "another configuration"),
                 (["--restart", self.path("ok.h5")], "not a lifnet checkpoint"),
                 (["--restart", damaged], "damaged.ckpt")]
        for args, message in cases:
            r = run(args + ["-o", self.path("x.h5")], 2)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.count(message), 1, r.stderr)
            self.assertFalse(os.path.exists(self.path("x.h5")))


if __name__ == "__main__":
    unittest.main()
