"""Outputs that clash (issue 13, class 2): every file lifnet writes goes
through one safe-output mechanism. Its temporary is unique and created
exclusively, never through a symlink; a target that exists and is not a
regular file is refused; an output that is also an input of the same command
is refused (by file identity, not by name); every location is checked before
the simulation starts; a full disk ends with a clean error, also at 3 ranks;
a long output name works."""
import glob
import os
import signal
import stat
import subprocess
import time
import unittest

import h5py

from lifnet_harness import ENV, LIFNET, MPIEXEC, TempDirTest

SMALL = ["--set", "N=200", "--set", "t_stop=200"]


def command(args, ranks=None):
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks), LIFNET, *args] if ranks else [LIFNET, *args]


def wait_for(predicate, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class ClashingOutputsTest(TempDirTest):

    def lifnet(self, args, ranks=None, timeout=120):
        return subprocess.run(command(args, ranks), env=ENV, capture_output=True, text=True, timeout=timeout,
                              cwd=self.dir)

    def refused(self, args, words, ranks=None, timeout=60):
        r = self.lifnet(args, ranks, timeout)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertEqual(r.stderr.count("lifnet:"), 1, r.stderr)  # said once, by rank 0
        return r

    def leftovers(self, out):
        """Temporaries of `out` left in its folder."""
        d, name = os.path.split(out)
        return [f for f in os.listdir(d) if f.endswith(".tmp")]

    # Two runs with the same -o -------------------------------------------
    def test_two_runs_with_the_same_output_do_not_share_a_temporary(self):
        out = self.path("same.h5")
        slow = subprocess.Popen(command(["run", "--set", "N=3000", "--set", "t_stop=3000", "-o", out]), env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.dir)
        self.addCleanup(lambda: slow.poll() is None and slow.kill())
        self.assertTrue(wait_for(lambda: self.leftovers(out)), "the slow run never created its temporary")
        fast = self.lifnet(["run", "--set", "N=500", "--set", "t_stop=100", "-o", out])
        self.assertEqual(fast.returncode, 0, fast.stderr)
        with h5py.File(out) as f:
            self.assertLess(int(f["spikes/lifnet/node_ids"][:].max()), 500)
        _, err = slow.communicate(timeout=300)
        self.assertEqual(slow.returncode, 0, err)
        with h5py.File(out) as f:  # the slow run's own, complete file
            ids = f["spikes/lifnet/node_ids"][:]
            self.assertIn("N = 3000", f.attrs["config"] if isinstance(f.attrs["config"], str)
                          else f.attrs["config"].decode())
            self.assertGreater(int(ids.max()), 500)
            self.assertLess(int(ids.max()), 3000)
        self.assertEqual(self.leftovers(out), [])

    def test_symlink_at_the_old_temporary_name_is_not_written_through(self):
        out, victim = self.path("out.h5"), self.path("victim.txt")
        with open(victim, "w") as f:
            f.write("precious\n")
        os.symlink(victim, out + ".tmp")
        r = self.lifnet(["run", *SMALL, "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertTrue(h5py.is_hdf5(out))

    # Targets that are not regular files -----------------------------------
    def test_device_node_is_refused(self):
        node = self.path("null")
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("mknod needs root")
        for ranks in (None, 3):
            self.refused(["run", *SMALL, "-o", node], ["not a regular file", node], ranks)
            self.assertTrue(stat.S_ISCHR(os.lstat(node).st_mode))
            link = self.path("link-to-null.h5")
            if not os.path.lexists(link):
                os.symlink(node, link)
            self.refused(["run", *SMALL, "-o", link], ["not a regular file"], ranks)
            self.assertTrue(stat.S_ISCHR(os.lstat(node).st_mode))

    def test_fifo_and_directory_are_refused(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        self.refused(["run", *SMALL, "-o", fifo], ["not a regular file"], timeout=30)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        self.refused(["run", *SMALL, "-o", self.dir], ["not a regular file"])
        self.refused(["run", *SMALL, "-o", self.path("ok.h5"), "--checkpoint", fifo], ["--checkpoint"], timeout=30)

    # Outputs that are inputs -----------------------------------------------
    def test_checkpoint_and_output_the_same_file(self):
        x = self.path("x.h5")
        self.refused(["run", *SMALL, "--checkpoint", x, "-o", x], ["--checkpoint", "-o"])
        self.assertFalse(os.path.exists(x))
        # Also through another name for the same place.
        self.refused(["run", *SMALL, "--checkpoint", x, "-o", self.path(".", "x.h5")], ["--checkpoint"])
        self.refused(["run", *SMALL, "-o", x, "--checkpoint-every", "50ms", "--checkpoint", x], ["--checkpoint"])

    def test_output_that_is_the_config(self):
        cfg = self.path("cfg.toml")
        with open(cfg, "w") as f:
            f.write("N = 200\nt_stop = 200\n")
        for ranks in (None, 3):
            self.refused(["run", cfg, "-o", cfg], ["is also an input", "config"], ranks)
            with open(cfg) as f:
                self.assertEqual(f.read(), "N = 200\nt_stop = 200\n")
        os.link(cfg, self.path("hard.h5"))  # the same file under another name
        self.refused(["run", cfg, "-o", self.path("hard.h5")], ["is also an input"])
        os.symlink(cfg, self.path("soft.h5"))
        self.refused(["run", cfg, "-o", self.path("soft.h5")], ["is also an input"])

    def test_output_that_is_the_graph_file(self):
        edges = self.path("edges.txt")
        text = "".join(f"{i} {(i + 1) % 50}\n" for i in range(50))
        with open(edges, "w") as f:
            f.write(text)
        args = ["run", "--set", "graph=file", "--set", f"graph_file={edges}", "--set", "N=50", "--set", "t_stop=50",
                "--set", "t_transient=0"]
        for ranks in (None, 3):
            self.refused([*args, "-o", edges], ["is also an input", "graph_file"], ranks)
            self.refused([*args, "-o", self.path("a.h5"), "--checkpoint", edges], ["graph_file"], ranks)
            with open(edges) as f:
                self.assertEqual(f.read(), text)

    def test_restart_into_its_own_checkpoint_as_output(self):
        ckpt = self.path("a.ckpt")
        r = self.lifnet(["run", *SMALL, "--checkpoint", ckpt, "-o", self.path("a.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)
        before = open(ckpt, "rb").read()
        self.refused(["run", "--restart", ckpt, "--set", "t_stop=300", "-o", ckpt], ["is also an input", "--restart"])
        self.assertEqual(open(ckpt, "rb").read(), before)
        # Continuing into the same checkpoint file is allowed: it is read
        # before the first checkpoint replaces it.
        r = self.lifnet(["run", "--restart", ckpt, "--set", "t_stop=300", "--checkpoint", ckpt, "-o",
                         self.path("b.h5")])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_sweep_outputs_that_are_inputs(self):
        cfg = self.path("sweep.toml")
        with open(cfg, "w") as f:
            f.write("N = 100\nt_stop = 100\n")
        self.refused(["sweep", cfg, "--seeds", "1-2", "-o", cfg], ["is also an input"])
        os.mkdir(self.path("members"))
        self.refused(["sweep", cfg, "--seeds", "1-2", "--member-output", self.path("members"), "-o",
                      self.path("members", "member-1.h5")], ["member-1.h5"])
        journal_cfg = self.path("s.journal")  # the summary's journal would be the config
        with open(journal_cfg, "w") as f:
            f.write("N = 100\nt_stop = 100\n")
        self.refused(["sweep", journal_cfg, "--seeds", "1-2", "-o", self.path("s")], ["is also an input"])
        with open(journal_cfg) as f:
            self.assertEqual(f.read(), "N = 100\nt_stop = 100\n")

    # Locations checked before the simulation --------------------------------
    def test_unwritable_locations_are_found_before_the_run(self):
        long = ["--set", "N=20000", "--set", "t_stop=100000", "--set", "record=none"]
        blocker = self.path("file")
        open(blocker, "w").close()
        cases = [(["-o", self.path("missing", "out.h5")], "-o"),
                 (["-o", self.path("o.h5"), "--checkpoint", os.path.join(blocker, "c.ckpt")], "--checkpoint"),
                 (["-o", os.path.join(blocker, "o.h5")], "-o")]
        for ranks in (None, 3):
            for extra, key in cases:
                start = time.monotonic()
                self.refused(["run", *long, *extra], [key], ranks)
                self.assertLess(time.monotonic() - start, 30, "found only after the simulation")
        start = time.monotonic()
        self.refused(["sweep", *long, "--seeds", "1-2", "-o", self.path("missing", "s.h5")], ["-o"])
        self.refused(["sweep", *long, "--seeds", "1-2", "-o", self.path("s.h5"), "--member-output", blocker],
                     ["--member-output"])
        self.assertLess(time.monotonic() - start, 30)
        self.assertFalse(os.path.exists(self.path("s.h5.journal")))

    # A full disk ------------------------------------------------------------
    def test_full_disk_ends_cleanly(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], capture_output=True).returncode:
            self.skipTest("cannot mount a small tmpfs")
        self.addCleanup(lambda: subprocess.run(["umount", "-l", mnt]))
        for ranks in (None, 3):
            for extra in (["-o", os.path.join(mnt, "o.h5")],
                          ["-o", self.path("o.h5"), "--checkpoint", os.path.join(mnt, "c.ckpt")]):
                r = self.lifnet(["run", "--set", "N=4000", "--set", "t_stop=300", *extra], ranks)
                self.assertIn(r.returncode, (1, 2), r.stdout + r.stderr)
                self.assertNotIn("Segmentation", r.stderr)
                self.assertIn("No space left on device", r.stderr)
                self.assertEqual(os.listdir(mnt), [], "a full disk left files behind")

    # A long output name -----------------------------------------------------
    def test_long_output_names(self):
        for length in (226, 235):  # the SONATA configs' names (+17 bytes) still fit in 255
            out = self.path("o" * (length - 3) + ".h5")
            for ranks in (None, 3):
                r = self.lifnet(["run", *SMALL, "-o", out, "--checkpoint", out[:-3] + ".ck"], ranks)
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
                self.assertTrue(h5py.is_hdf5(out))
                os.remove(out)
        # A name longer than the file system allows is refused before the
        # run, also when only a SONATA config's name is too long.
        self.refused(["run", *SMALL, "-o", self.path("o" * 300 + ".h5")], ["-o"])
        self.refused(["run", *SMALL, "-o", self.path("o" * 247 + ".h5")], ["-o (its SONATA", "255 bytes"], 3)
        # A long folder: its temporary is named relative to the working
        # folder when that is shorter; one MPI-IO cannot open is refused.
        for length, ok in ((195, True), (215, False)):
            deep = self.path("d" * length)
            os.mkdir(deep)
            args = ["run", *SMALL, "-o", os.path.join(deep, "x.h5")]
            if ok:
                r = self.lifnet(args, 3)
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            else:
                self.refused(args, ["-o", "MPI-IO"], 3)


if __name__ == "__main__":
    unittest.main()
