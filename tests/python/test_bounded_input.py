"""Unbounded work on tiny input, and signals (issue 13, class 5): a
Watts-Strogatz graph too dense to rewire is refused before any rewiring; seed
ranges and sweeps are bounded by a cap that can be raised; SIGTERM and SIGINT
end a run cleanly (exit 3, nothing left behind) in every phase, not only in
the time loop, at 1 and 3 ranks."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

from lifnet_harness import ENV, LIFNET, MPIEXEC, kill_tree, lifnet_pids


def command(args, ranks=None):
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks), LIFNET, *args] if ranks else [LIFNET, *args]


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class BoundedInputTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def lifnet(self, args, ranks=None, timeout=60):
        return subprocess.run(command(args, ranks), env=ENV, capture_output=True, text=True, timeout=timeout,
                              cwd=self.dir)

    def test_ws_too_dense_is_refused_before_rewiring(self):
        for ranks in (None, 3):
            start = time.monotonic()
            r = self.lifnet(["run", "--set", "N=3000", "--set", "k=2996", "--set", "p=0.5", "-o", "o.h5"], ranks)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("  k: ", r.stderr)
            self.assertIn("N / 2", r.stderr)
            self.assertLess(time.monotonic() - start, 20)
        # The complete graph (k = N - 1) and the ring lattice (p = 0) have nothing to rewire.
        self.assertEqual(self.lifnet(["run", "--set", "N=31", "--set", "k=30", "--set", "t_stop=20", "--set", "t_transient=0", "-o", "o.h5"])
                         .returncode, 0)
        self.assertEqual(self.lifnet(["run", "--set", "N=30", "--set", "k=26", "--set", "p=0", "--set", "t_stop=20", "--set", "t_transient=0",
                                      "-o", "o.h5"]).returncode, 0)

    def test_seed_ranges_are_bounded(self):
        start = time.monotonic()
        r = self.lifnet(["sweep", "--seeds", "0-4294967295", "-o", "s.h5"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--max-members", r.stderr)
        self.assertLess(time.monotonic() - start, 10)
        r = self.lifnet(["sweep", "--seeds", "1-3", "--vary", "p=0,0.1", "--max-members", "5", "-o", "s.h5"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("6 members", r.stderr)
        r = self.lifnet(["sweep", "--seeds", "1-3", "--vary", "p=0,0.1", "--max-members", "6", "--set", "N=50",
                         "--set", "t_stop=50", "--set", "t_transient=0", "-o", "s.h5"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.lifnet(["sweep", "--seeds", "1-200001", "-o", "s2.h5"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--max-members", r.stderr)

    def signalled_early(self, args, sig, ranks, delay):
        """Starts a run whose set-up takes long, signals it after `delay` s
        (every rank, as SLURM does), and returns (rc, stderr, seconds to end)."""
        out = os.path.join(self.dir, "o.h5")
        p = subprocess.Popen(command([*args, "-o", out], ranks), env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.addCleanup(lambda: p.poll() is None and kill_tree(p))
        time.sleep(delay)
        self.assertIsNone(p.poll(), "the run ended before the signal")
        pids = lifnet_pids(out)
        self.assertTrue(pids)
        for pid in pids:
            os.kill(pid, sig)
        start = time.monotonic()
        _, err = p.communicate(timeout=120)
        elapsed = time.monotonic() - start
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])
        return p.returncode, err, elapsed

    def test_signals_during_graph_building(self):
        # An Erdos-Renyi graph of 4 M neurons takes tens of seconds to build.
        big = ["run", "--set", "graph=er", "--set", "N=4000000", "--set", "k=10", "--set", "record=none"]
        for ranks, sig in ((None, signal.SIGTERM), (3, signal.SIGINT)):
            rc, err, elapsed = self.signalled_early(big, sig, ranks, 2.0)
            self.assertEqual(rc, 3, err)
            self.assertIn("stopped by a signal", err)
            self.assertLess(elapsed, 10, "the signal was honoured only later")

    def test_signals_during_partitioning(self):
        # PT-Scotch on a ring of 3 M neurons: the build is quick, the partition is not.
        big = ["run", "--set", "graph=ring", "--set", "N=3000000", "--set", "k=2", "--set", "record=none"]
        rc, err, elapsed = self.signalled_early(big, signal.SIGTERM, 3, 6.0)
        self.assertEqual(rc, 3, err)
        self.assertLess(elapsed, 30)


if __name__ == "__main__":
    unittest.main()
