"""Sweeps outlive their members (issue 13, class 3): a member whose group
agrees on its failure (divergence, a run-time validation error, memory
refused) is recorded as failed with its cause and the sweep goes on; a member
that was started twice and never finished is recorded as crashed and skipped;
duplicate seeds and values are refused; resume identifies a member by its
full inputs, the graph file's content included."""
import os
import subprocess
import unittest

import h5py

from lifnet_harness import ENV, LIFNET, MPIEXEC, TempDirTest

SMALL = ["--set", "N=100", "--set", "t_stop=100"]


def command(args, ranks=None):
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks), LIFNET, *args] if ranks else [LIFNET, *args]


def strings(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


def journal(path):
    with open(path) as f:
        return [line.split("\t") for line in f.read().split("\n")[:-1]]


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class SweepFailuresTest(TempDirTest):

    def lifnet(self, args, ranks=None, env=ENV):
        return subprocess.run(command(args, ranks), env=env, capture_output=True, text=True, timeout=300,
                              cwd=self.dir)

    def status(self, summary):
        with h5py.File(summary) as f:
            return strings(f["members/status"][:])

    def test_failed_members_are_recorded_and_the_sweep_goes_on(self):
        bad_edges = self.path("bad.txt")
        with open(bad_edges, "w") as f:
            f.write("0 1\n1 2\n2 0\n0 1\n")  # a duplicate edge: found when the graph is built
        good_edges = self.path("good.txt")
        with open(good_edges, "w") as f:
            f.write("".join(f"{i} {(i + 1) % 100}\n" for i in range(100)))
        cases = [
            (["--vary", "sigma=1,1e300"], "diverged"),
            (["--vary", "N=100,100000000000"], "this run needs about"),
            (["--set", "graph=file", "--set", f"graph_file={good_edges}", "--set", "t_transient=0",
              "--vary", f"graph_file={good_edges},{bad_edges}"], "duplicate edge"),
        ]
        for ranks, per in ((None, 1), (3, 3), (3, 1)):
            for vary, cause in cases:
                summary = self.path(f"s-{ranks}-{per}-{len(cause)}.h5")
                args = ["sweep", *SMALL, *vary, "--seeds", "1-2", "--ranks-per-member", str(per), "-o", summary]
                r = self.lifnet(args, ranks)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("2 failed", r.stdout)
                status = self.status(summary)
                self.assertEqual(status[:2], ["ok", "ok"])
                for s in status[2:]:
                    self.assertTrue(s.startswith("failed: "), s)
                    self.assertIn(cause, s)
                failed = [f for f in journal(summary + ".journal") if f[6].startswith("failed")]
                self.assertEqual(len(failed), 2)
                # A resume keeps them failed and runs nothing again.
                again = self.lifnet(args, ranks)
                self.assertEqual(again.returncode, 1, again.stderr)
                self.assertIn("0 run now, 4 already done", again.stdout)
                self.assertEqual(self.status(summary), status)

    def test_a_member_started_twice_is_recorded_as_crashed(self):
        summary = self.path("s.h5")
        args = ["sweep", *SMALL, "--vary", "p=0,0.1,0.2", "-o", summary]
        self.assertEqual(self.lifnet(args).returncode, 0)
        lines = open(summary + ".journal").read().split("\n")[:-1]
        started = [l for l in lines if l.split("\t")[6] == "started"]
        self.assertEqual(len(started), 3)
        victim = started[1].split("\t")[1]  # the member with p = 0.1
        kept = [l for l in lines if l.split("\t")[1] != victim]
        # Started once and never finished (a kill): run again.
        with open(summary + ".journal", "w") as f:
            f.write("\n".join(kept + [started[1]]) + "\n")
        r = self.lifnet(args)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 run now, 2 already done", r.stdout)
        # Started twice and never finished: its process died twice; skipped.
        with open(summary + ".journal", "w") as f:
            f.write("\n".join(kept + [started[1], started[1]]) + "\n")
        r = self.lifnet(args)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("0 run now, 3 already done", r.stdout)
        status = self.status(summary)
        self.assertEqual(status[0], "ok")
        self.assertTrue(status[1].startswith("failed: crashed"), status)
        self.assertEqual(status[2], "ok")

    def test_a_member_that_kills_its_job_does_not_block_the_sweep(self):
        # Rank 1 of every group fails alone while writing: the job ends (no
        # fault tolerance in Open MPI 4.1); the member is retried once, then
        # recorded as crashed, and the sweep goes on to the next.
        summary = self.path("s.h5")
        os.mkdir(self.path("m"))
        env = dict(ENV, LIFNET_INJECT_FAULT="write@1")
        args = ["sweep", *SMALL, "--vary", "p=0,0.1", "--ranks-per-member", "3", "--member-output", self.path("m"),
                "-o", summary]
        codes = []
        for _ in range(5):
            codes.append(subprocess.run([MPIEXEC, "--oversubscribe", "-np", "3", "-x", "LIFNET_INJECT_FAULT", LIFNET,
                                         *args], env=env, capture_output=True, text=True, timeout=120,
                                        cwd=self.dir).returncode)
        self.assertNotIn(0, codes[:4])
        self.assertEqual(codes[4], 1)
        self.assertEqual(self.status(summary), ["failed: crashed (started twice, never finished)"] * 2)

    def test_duplicates_are_refused(self):
        for args, key in [(["--seeds", "1,1,2"], "--seeds"), (["--seeds", "1-3,2"], "--seeds"),
                          (["--vary", "p=0.1,0.10"], "--vary p"), (["--vary", "N=100,0100,200"], "--vary N")]:
            r = self.lifnet(["sweep", *SMALL, *args, "-o", "s.h5"])
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn(f"  {key}: ", r.stderr)
            self.assertIn("twice", r.stderr)
            self.assertFalse(os.path.exists(self.path("s.h5.journal")))

    def test_resume_sees_a_changed_graph_file(self):
        edges = self.path("g.txt")
        with open(edges, "w") as f:
            f.write("".join(f"{i} {(i + 1) % 100}\n" for i in range(100)))
        args = ["sweep", *SMALL, "--set", "graph=file", "--set", f"graph_file={edges}", "--seeds", "1-2",
                "-o", "s.h5"]
        self.assertEqual(self.lifnet(args).returncode, 0)
        r = self.lifnet(args)
        self.assertIn("0 run now, 2 already done", r.stdout)
        with open(edges, "a") as f:
            f.write("0 50\n")
        r = self.lifnet(args)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 run now, 0 already done", r.stdout)


if __name__ == "__main__":
    unittest.main()
