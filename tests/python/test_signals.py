"""A signal (SLURM's SIGTERM, or SIGUSR1 before a time limit) stops lifnet
cleanly: exit code 3, no output file that looks finished, and a sweep that
resumes where it stopped."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

import h5py

from lifnet_harness import ENV, LIFNET, MPIEXEC, lifnet_pids


def wait_for(predicate, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class SignalTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_run_stops_on_sigterm(self):
        out = os.path.join(self.dir, "run.h5")
        p = subprocess.Popen([LIFNET, "run", "--set", "N=20000", "--set", "t_stop=100000",
                              "--set", "record=none", "-o", out], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        temporaries = lambda: [f for f in os.listdir(self.dir) if f.endswith(".tmp")]
        self.assertTrue(wait_for(temporaries), "the run never started")
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, err)
        self.assertIn("stopped by a signal", err)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(temporaries(), [])

    def test_sweep_stops_on_sigusr1_and_resumes(self):
        summary = os.path.join(self.dir, "s.h5")
        journal = summary + ".journal"
        cmd = [MPIEXEC, "--oversubscribe", "-np", "2", LIFNET, "sweep", "--vary", "p=0,0.1,0.2,0.3",
               "--seeds", "1-4", "--set", "N=1500", "--set", "t_stop=400", "-o", summary]

        def lines():
            if not os.path.exists(journal):
                return 0
            with open(journal) as f:  # finished members, not the "started" records
                return sum(1 for line in f if line.endswith("\n") and line.split("\t")[6] != "started")

        p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertTrue(wait_for(lambda: lines() >= 2), "the sweep never finished a member")
        # SLURM signals every task; here each rank gets SIGUSR1.
        for pid in lifnet_pids(summary):
            os.kill(pid, signal.SIGUSR1)
        p.communicate(timeout=120)
        self.assertEqual(p.returncode, 3)
        self.assertFalse(os.path.exists(summary), "an interrupted sweep must not write its summary")
        done = lines()
        self.assertGreaterEqual(done, 2)
        self.assertLess(done, 16, "the signal came too late to test anything")

        again = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn(f"{16 - done} run now, {done} already done", again.stdout)
        with h5py.File(summary) as f:
            status = [s.decode() for s in f["members/status"][:]]
        self.assertEqual(status, ["ok"] * 16)


if __name__ == "__main__":
    unittest.main()
