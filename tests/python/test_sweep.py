#!/usr/bin/env python3
"""`lifnet sweep`: members split over groups of ranks give the same spikes and
measures as each member run alone; members are handed out dynamically; a killed
sweep resumes from its journal to the same summary as an uninterrupted one; bad
input is rejected with exit code 2 and no files; a [sweep] table in the TOML
file works.

The binary is $LIFNET_BIN (default build/lifnet, relative to the repository
root), MPI runs use $MPIEXEC (default mpirun). Run:
    /usr/bin/python3 tests/python/test_sweep.py
"""
import os
import shlex
import signal
import subprocess
import time
import unittest

import h5py
import numpy as np

from lifnet_harness import TempDirTest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.path.join(ROOT, os.environ.get("LIFNET_BIN", "build/lifnet"))
MPIEXEC = shlex.split(os.environ.get("MPIEXEC", "mpirun"))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_mpi_yield_when_idle="1")
MEASURES = ("chi", "E", "R", "rate_hz", "cv")


def setUpModule():
    if not os.access(LIFNET, os.X_OK):
        raise unittest.SkipTest(f"lifnet binary not found at {LIFNET} (set LIFNET_BIN)")


def command(args, ranks=None):
    """The lifnet command line, under MPIEXEC when `ranks` is given."""
    cmd = [LIFNET, *args]
    return [*MPIEXEC, "--oversubscribe", "-np", str(ranks), *cmd] if ranks else cmd


def journal_lines(path):
    """The complete (newline-terminated) lines of a journal, split into fields."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    return [line.split("\t") for line in text.split("\n")[:-1]]


def ok_lines(path):
    return [f for f in journal_lines(path) if len(f) >= 12 and f[6] == "ok"]


def finished_lines(path):
    """Every line but the records of members starting."""
    return [f for f in journal_lines(path) if f[6:7] != ["started"]]


def session_processes(sid):
    """Live (not zombie) processes of session `sid`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] not in "ZX":
            pids.append(int(entry))
    return pids


def kill_session(p):
    """SIGKILL a job started with start_new_session: mpiexec's process group,
    then every other process of the session (Open MPI starts each rank in a
    process group of its own, so killpg alone leaves the ranks running)."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in session_processes(p.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()
    deadline = time.monotonic() + 20
    while session_processes(p.pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes of session {p.pid} survive SIGKILL")
        time.sleep(0.05)


def read_tree(path, skip=()):
    """Every dataset of an HDF5 file, by path, and the root attributes."""
    data = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name.split("/")[-1] not in skip:
                data[name] = obj[()]
        f.visititems(visit)
        attrs = {k: f.attrs[k] for k in f.attrs}
    return data, attrs


def strings(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


class SweepTest(TempDirTest):

    def lifnet(self, args, ranks=None, cwd=None, expect=0):
        p = subprocess.run(command(args, ranks), cwd=cwd or self.dir, env=ENV, capture_output=True, text=True,
                           timeout=120)
        out = p.stdout + p.stderr
        if expect is not None:
            self.assertEqual(p.returncode, expect, f"{' '.join(args)}\n{out}")
        return p

    # 1 -----------------------------------------------------------------------
    def test_groups_match_members_run_alone(self):
        common = ["--set", "N=200", "--set", "t_stop=300"]
        p = self.lifnet(["sweep", "--vary", "p=0,0.3", "--vary", "J=1,2", "--seeds", "1-2", *common,
                         "--ranks-per-member", "2", "-o", "s.h5", "--member-output", "members"], ranks=4)
        self.assertIn("sweep: 8 members, 8 run now, 0 already done, 0 failed", p.stdout)
        self.assertIn("sweep: 8/8 members done", p.stderr)

        # Members in order: p, then J (fastest of the axes), then the seed.
        expect_p = [0, 0, 0, 0, 0.3, 0.3, 0.3, 0.3]
        expect_J = [1, 1, 2, 2, 1, 1, 2, 2]
        expect_seed = [1, 2] * 4
        with h5py.File(self.path("s.h5"), "r") as f:
            self.assertEqual(strings([f.attrs["kind"]]), ["lifnet-sweep"])
            self.assertEqual(strings([f.attrs["varied"]]), ["p,J"])
            m = {k: f["members"][k][()] for k in f["members"]}
            pts = {k: f["points"][k][()] for k in f["points"]}
        np.testing.assert_array_equal(m["index"], np.arange(8))
        np.testing.assert_array_equal(m["p"], expect_p)
        np.testing.assert_array_equal(m["J"], expect_J)
        np.testing.assert_array_equal(m["seed"], expect_seed)
        self.assertEqual(strings(m["status"]), ["ok"] * 8)
        self.assertEqual(len(set(strings(m["hash"]))), 8)
        self.assertTrue(set(m["group"].tolist()) <= {0, 1}, m["group"])
        self.assertTrue(np.all(m["wall_seconds"] > 0))

        journal = ok_lines(self.path("s.h5.journal"))
        self.assertEqual(len(journal), 8)
        self.assertEqual(sorted(int(f[2]) for f in journal), list(range(8)))
        self.assertTrue({int(f[4]) for f in journal} <= {0, 1})

        for i in range(8):
            with self.subTest(member=i):
                alone = f"alone-{i}.h5"
                self.lifnet(["run", "--set", f"p={expect_p[i]}", "--set", f"J={expect_J[i]}",
                             "--set", f"seed={expect_seed[i]}", *common, "-o", alone])
                with h5py.File(self.path("members", f"member-{i}.h5"), "r") as a, \
                        h5py.File(self.path(alone), "r") as b:
                    for ds in ("timestamps", "node_ids"):
                        x, y = a["spikes/lifnet"][ds][()], b["spikes/lifnet"][ds][()]
                        self.assertEqual(x.dtype, y.dtype)
                        self.assertGreater(len(x), 0)
                        self.assertTrue(np.array_equal(x, y), f"{ds} differ: {len(x)} vs {len(y)} spikes")
                    np.testing.assert_array_equal(a["report/lifnet/data"][()], b["report/lifnet/data"][()])
                    for k in MEASURES:
                        x, y = float(a["sync"][k][()]), float(b["sync"][k][()])
                        self.assertTrue(np.isfinite(x), k)
                        np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, err_msg=k)
                        # The summary holds the member file's value (journal: %.17g).
                        self.assertEqual(m[k][i], x, k)

        # Aggregates per point (p, J) over the two seeds.
        np.testing.assert_array_equal(pts["p"], [0, 0, 0.3, 0.3])
        np.testing.assert_array_equal(pts["J"], [1, 2, 1, 2])
        np.testing.assert_array_equal(pts["n"], [2] * 4)
        for k in MEASURES:
            v = m[k].reshape(4, 2)
            np.testing.assert_array_equal(pts[f"{k}_n"], [2] * 4)
            np.testing.assert_allclose(pts[f"{k}_mean"], v.mean(axis=1), rtol=1e-12, atol=1e-15, err_msg=k)
            np.testing.assert_allclose(pts[f"{k}_std"], v.std(axis=1, ddof=1), rtol=1e-12, atol=1e-15, err_msg=k)
            np.testing.assert_allclose(pts[f"{k}_sem"], v.std(axis=1, ddof=1) / np.sqrt(2), rtol=1e-12,
                                       atol=1e-15, err_msg=k)

    # 2 -----------------------------------------------------------------------
    def test_dynamic_hand_out(self):
        # Member 0 (N = 3000) takes ~30 times as long as each of the others
        # (N = 100 ... 106; a value given twice is refused): while one group
        # runs it, the other runs all the rest.
        p = self.lifnet(["sweep", "--vary", "N=3000," + ",".join(str(100 + i) for i in range(7)), "--set", "t_stop=500",
                         "--ranks-per-member", "1", "-o", "d.h5"], ranks=2)
        self.assertIn("sweep: 8 members, 8 run now, 0 already done, 0 failed", p.stdout)
        journal = ok_lines(self.path("d.h5.journal"))
        self.assertEqual(len(journal), 8)
        group = {int(f[2]): int(f[4]) for f in journal}
        wall = {int(f[2]): float(f[5]) for f in journal}
        self.assertEqual(sorted(group), list(range(8)))
        others = {group[i] for i in range(1, 8)}
        self.assertEqual(len(others), 1, f"members 1-7 ran on groups {group}, wall {wall}")
        self.assertNotEqual(group[0], others.pop(), f"groups {group}, wall {wall}")
        with h5py.File(self.path("d.h5"), "r") as f:
            self.assertEqual(f["members/group"][()].tolist(), [group[i] for i in range(8)])

    # 3 -----------------------------------------------------------------------
    def test_kill_and_resume(self):
        args = ["sweep", "--vary", "p=0,0.1,0.2,0.3", "--seeds", "1-3", "--set", "N=500", "--set", "t_stop=500",
                "-o", "k.h5"]
        os.mkdir(self.path("killed"))
        os.mkdir(self.path("whole"))
        journal = self.path("killed", "k.h5.journal")

        log = open(self.path("killed.log"), "w")
        self.addCleanup(log.close)
        job = subprocess.Popen(command(args, ranks=2), cwd=self.path("killed"), env=ENV, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(lambda: job.poll() is None and kill_session(job))
        deadline = time.monotonic() + 60
        while len(ok_lines(journal)) < 3:
            self.assertIsNone(job.poll(), "the sweep ended before it could be killed")
            self.assertLess(time.monotonic(), deadline, "no 3 journal lines in 60 s")
            time.sleep(0.01)
        kill_session(job)

        self.assertFalse(os.path.exists(self.path("killed", "k.h5")), "summary written by a killed sweep")
        left = os.listdir(self.path("killed"))
        self.assertTrue(all(n == "k.h5.journal" or (n.startswith("k.h5.") and n.endswith(".tmp")) for n in left), left)
        before = ok_lines(journal)
        self.assertEqual(len(finished_lines(journal)), len(before), "a failed or damaged journal line")
        self.assertTrue(3 <= len(before) <= 11, f"{len(before)} journal lines at the kill")

        p = self.lifnet(args, ranks=2, cwd=self.path("killed"))
        done = len(before)
        self.assertIn(f"sweep: 12 members, {12 - done} run now, {done} already done, 0 failed", p.stdout)
        after = finished_lines(journal)
        self.assertEqual([f[1] for f in after[:done]], [f[1] for f in before], "the journal was rewritten")
        hashes = [f[1] for f in after if f[6] == "ok"]
        self.assertEqual(len(after), 12, "a member ran twice or not at all")
        self.assertEqual(len(set(hashes)), 12)

        self.lifnet(args, ranks=2, cwd=self.path("whole"))
        resumed, resumed_attrs = read_tree(self.path("killed", "k.h5"), skip=("wall_seconds", "group"))
        whole, whole_attrs = read_tree(self.path("whole", "k.h5"), skip=("wall_seconds", "group"))
        self.assertEqual(set(strings(resumed["members/hash"])), set(hashes))
        self.assertEqual(strings(resumed["members/status"]), ["ok"] * 12)
        self.assertEqual(sorted(resumed), sorted(whole))
        for name in whole:
            with self.subTest(dataset=name):
                self.assertEqual(resumed[name].dtype, whole[name].dtype)
                self.assertTrue(np.array_equal(resumed[name], whole[name], equal_nan=resumed[name].dtype.kind == "f"),
                                f"{resumed[name]} != {whole[name]}")
        self.assertEqual(sorted(resumed_attrs), sorted(whole_attrs))
        for k in whole_attrs:
            np.testing.assert_array_equal(resumed_attrs[k], whole_attrs[k], err_msg=k)

    # 4 -----------------------------------------------------------------------
    def test_bad_input(self):
        base = ["--set", "N=100", "--set", "t_stop=100", "-o", "bad.h5"]
        cases = [  # (arguments, ranks, strings the message must contain)
            (["--vary", "foo=1,2"], None, ["foo"]),
            (["--vary", "p=abc"], None, ["p:", "abc"]),
            (["--vary", "p=0,2"], None, ["p:", "[0, 1]"]),
            (["--vary", "p="], None, ["--vary", "p", "empty"]),
            (["--ranks-per-member", "3"], 2, ["--ranks-per-member"]),
            (["--seeds", "5-1"], None, ["--seeds", "5-1"]),
            (["--seeds", "x"], None, ["--seeds", "x"]),
        ]
        for args, ranks, names in cases:
            with self.subTest(args=args):
                p = self.lifnet(["sweep", *args, *base], ranks=ranks, expect=2)
                out = p.stdout + p.stderr
                for name in names:
                    self.assertIn(name, out)
                self.assertEqual(os.listdir(self.dir), [], f"files left behind\n{out}")

    # 5 -----------------------------------------------------------------------
    def test_sweep_table_in_toml(self):
        table = 'N = 100\nt_stop = 200\n\n[sweep]\nvary = { p = [0, 0.5] }\nseeds = "1-2"\n'
        with open(self.path("c.toml"), "w") as f:
            f.write(table)
        p = self.lifnet(["sweep", "c.toml", "-o", "c.h5"])
        self.assertIn("sweep: 4 members, 4 run now, 0 already done, 0 failed", p.stdout)
        with h5py.File(self.path("c.h5"), "r") as f:
            self.assertEqual(strings([f.attrs["varied"]]), ["p"])
            np.testing.assert_array_equal(f["members/p"][()], [0, 0, 0.5, 0.5])
            np.testing.assert_array_equal(f["members/seed"][()], [1, 2, 1, 2])
            np.testing.assert_array_equal(f["points/p"][()], [0, 0.5])
            self.assertEqual(strings(f["members/status"][()]), ["ok"] * 4)

        # ranks_per_member from the table: on 2 ranks, one group of 2.
        with open(self.path("c2.toml"), "w") as f:
            f.write(table + "ranks_per_member = 2\n")
        p = self.lifnet(["sweep", "c2.toml", "-o", "c2.h5"], ranks=2)
        self.assertIn("1 groups of 2 ranks", p.stderr)
        self.assertEqual({int(f[4]) for f in ok_lines(self.path("c2.h5.journal"))}, {0})


if __name__ == "__main__":
    unittest.main()
