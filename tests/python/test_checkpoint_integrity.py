"""Damaged checkpoints are refused (issue 13, class 6): a checksum over every
state dataset, the counters and the configuration, independent of how the
state was split across ranks, is verified before anything is restored; and
one versioning policy: a checkpoint of another format version, or from a
lifnet with the old noise mapping, is refused with the reason."""
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

from lifnet_harness import ENV, LIFNET, MPIEXEC

MODEL = ["--set", "N=300", "--set", "k=6", "--set", "p=0.2", "--set", "f_inh=0.2", "--set", "t_transient=20",
         "--set", "sample_dt=0.5", "--set", "I_bias=20"]


def run(args, ranks=1):
    cmd = [LIFNET, "run"] + args
    if ranks > 1:
        cmd = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)


def flip_dataset(f, name, index, bit):
    data = f[name][:]
    raw = data.view(np.uint8)
    raw[index * data.itemsize + bit // 8] ^= 1 << (bit % 8)
    f[name][:] = data


def flip_attribute(f, name, bit):
    data = np.array(f.attrs[name])
    raw = data.reshape(-1).view(np.uint8)
    raw[bit // 8] ^= 1 << (bit % 8)
    f.attrs.modify(name, data)


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class CheckpointIntegrityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.ckpt = {}
        # Checkpoints written by 1 and by 3 ranks (the checksum must not depend on the split).
        for ranks in (1, 3):
            path = cls.path(f"w{ranks}.ckpt")
            r = run(MODEL + ["--set", "t_stop=60", "--checkpoint", path, "-o", cls.path(f"w{ranks}.h5")], ranks)
            assert r.returncode == 0, r.stderr
            cls.ckpt[ranks] = path

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def damaged(self, name, edit, written_by=1):
        path = self.path(name)
        shutil.copy(self.ckpt[written_by], path)
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    def restart(self, path, ranks):
        out = self.path(f"restart-{os.path.basename(path)}-{ranks}.h5")
        r = run(["--restart", path, "--set", "t_stop=80", "-o", out], ranks)
        return r, out

    def test_checkpoints_restart_across_rank_counts(self):
        for written_by in (1, 3):
            for ranks in (1, 3):
                with self.subTest(written_by=written_by, ranks=ranks):
                    r, out = self.restart(self.ckpt[written_by], ranks)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertTrue(os.path.exists(out))

    def test_both_writers_store_the_same_checksum(self):
        sums = []
        for ranks in (1, 3):
            with h5py.File(self.ckpt[ranks]) as f:
                self.assertEqual(int(f.attrs["format_version"]), 2)
                self.assertEqual(int(f.attrs["noise_mapping"]), 2)
                sums.append(int(f.attrs["checksum"]))
        self.assertEqual(sums[0], sums[1])

    def test_a_flipped_bit_anywhere_is_refused(self):
        with h5py.File(self.ckpt[1]) as f:
            self.assertGreater(f.attrs["spikes_total"], 0)
            ring = f["ring"][:]
            busy = int(np.flatnonzero(ring)[0])  # a pending spike count
        cases = {
            "ring": lambda f: flip_dataset(f, "ring", busy, 0),
            "ring_empty": lambda f: flip_dataset(f, "ring", 7, 0),
            "V": lambda f: flip_dataset(f, "V", 5, 0),
            "I": lambda f: flip_dataset(f, "I", 11, 3),
            "vbar": lambda f: flip_dataset(f, "vbar", 3, 1),
            "welford": lambda f: flip_dataset(f, "welford", 8, 2),
            "isi_welford": lambda f: flip_dataset(f, "isi_welford", 1, 5),
            "spike_counts": lambda f: flip_dataset(f, "spike_counts", 2, 40),
            "refractory": lambda f: flip_dataset(f, "refractory", 9, 0),
            "phase_sums": lambda f: flip_dataset(f, "phase_sums", 4, 0),
            "abs_deviation": lambda f: flip_attribute(f, "abs_deviation", 0),
            "config": lambda f: f.attrs.modify("config", f.attrs["config"].replace(b"t_stop = 60.0",
                                                                                   b"t_stop = 61.0")),
        }
        for name, edit in cases.items():
            for written_by, ranks in ((1, 1), (1, 3), (3, 1)):
                with self.subTest(name, written_by=written_by, ranks=ranks):
                    path = self.damaged(f"{name}-{written_by}.ckpt", edit, written_by)
                    r, out = self.restart(path, ranks)
                    self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                    self.assertIn("checksum", r.stderr)
                    self.assertIn(path, r.stderr)
                    self.assertFalse(os.path.exists(out))

    def test_other_versions_are_refused_with_the_reason(self):
        old = "written by an older lifnet with the old noise mapping (noise_mapping 1)"
        cases = {
            "no_version": (lambda f: f.attrs.__delitem__("format_version"), old),
            "old_format": (lambda f: (f.attrs.__delitem__("format_version"),
                                      f.attrs.__setitem__("format", np.bytes_("lifnet-checkpoint-2"))), old),
            "version_1": (lambda f: f.attrs.modify("format_version", np.int64(1)), old),
            "version_3": (lambda f: f.attrs.modify("format_version", np.int64(3)),
                          "format version 3; this lifnet reads version 2"),
            "version_str": (lambda f: f.attrs.__setitem__("format_version", np.bytes_("2")), "format_version"),
            "no_mapping": (lambda f: f.attrs.__delitem__("noise_mapping"), "noise_mapping"),
            "mapping_1": (lambda f: f.attrs.modify("noise_mapping", np.int64(1)), "noise_mapping 1"),
        }
        for name, (edit, message) in cases.items():
            for ranks in (1, 3):
                with self.subTest(name, ranks=ranks):
                    path = self.damaged(f"{name}.ckpt", edit)
                    r, out = self.restart(path, ranks)
                    self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                    self.assertIn(message, r.stderr)
                    self.assertIn(path, r.stderr)
                    self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
