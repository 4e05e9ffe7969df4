"""Numbers that overflow or mislead (issue 13, class 4): every time key
converts to a step count that fits or is refused with exit 2 naming the key;
nan and inf are refused in TOML as on the command line; no sample in the
measured window is a configuration error, not "diverged"; the memory estimate
cannot overflow and counts what grows with the samples, so absurd sizes are
refused at once with the estimate."""
import os
import subprocess
import tempfile
import time
import unittest

from lifnet_harness import ENV, LIFNET, MPIEXEC


def command(args, ranks=None):
    return [MPIEXEC, "--oversubscribe", "-np", str(ranks), LIFNET, *args] if ranks else [LIFNET, *args]


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class AbsurdNumbersTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def refused(self, args, key, ranks=None, words=()):
        out = os.path.join(self.dir, "out.h5")
        start = time.monotonic()
        r = subprocess.run(command([*args, "-o", out], ranks), env=ENV, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertLess(time.monotonic() - start, 30)
        self.assertIn(f"  {key}: ", r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertNotIn("diverged", r.stderr)
        self.assertEqual(r.stderr.count("lifnet:"), 1, r.stderr)
        self.assertFalse(os.path.exists(out))
        return r.stderr

    def test_huge_times_are_refused(self):
        for key, value in [("d", "1e300"), ("sample_dt", "1e18"), ("t_ref", "1e300"), ("stim_dur", "1e300"),
                           ("stim_start", "1e300"), ("t_stop", "1e300"), ("t_transient", "1e300"),
                           ("d", "1e17"), ("stim_dur", "9.3e17")]:
            for ranks in (None, 3):
                err = self.refused(["run", "--set", f"{key}={value}"], key, ranks)
                self.assertIn("steps", err)

    def test_tiny_dt_is_refused(self):
        self.refused(["run", "--set", "dt=1e-300", "--set", "d=1e-300", "--set", "sample_dt=1e-300",
                      "--set", "t_ref=0"], "t_stop")

    def test_nan_and_inf_in_toml(self):
        for key, value in [("J", "nan"), ("t_stop", "inf"), ("V_th", "-inf"), ("p", "nan"), ("dt", "+inf"),
                           ("sigma", "-nan")]:
            cfg = os.path.join(self.dir, "c.toml")
            with open(cfg, "w") as f:
                f.write(f"{key} = {value}\n")
            err = self.refused(["run", cfg], key)
            self.assertIn("finite", err)

    def test_no_sample_in_the_window_is_a_configuration_error(self):
        # The first multiple of 3 ms at or after 1000 ms is past t_stop.
        for ranks in (None, 3):
            err = self.refused(["run", "--set", "t_stop=1000", "--set", "t_transient=1000", "--set", "sample_dt=3"],
                               "sample_dt", ranks)
            self.assertIn("t_transient", err)
        self.refused(["run", "--set", "t_stop=10", "--set", "t_transient=1", "--set", "sample_dt=20"], "sample_dt")

    def test_memory_estimate_cannot_overflow(self):
        for ranks in (None, 3):
            self.refused(["run", "--set", "N=18446744073709551615", "--set", "k=4"], "N", ranks,
                         ["this run needs about"])
        self.refused(["run", "--set", "graph=ring", "--set", "N=4611686018427387904", "--set", "k=4611686018427387902"], "N",
                     words=["this run needs about"])

    def test_er_at_a_hundred_million_is_refused_with_the_estimate(self):
        for ranks in (None, 3):
            self.refused(["run", "--set", "graph=er", "--set", "N=100000000"], "N", ranks, ["this run needs about"])

    def test_samples_count_in_the_estimate(self):
        # Few neurons, very many samples: V̄(t) and the phase sums grow with the samples.
        self.refused(["run", "--set", "N=10", "--set", "k=2", "--set", "t_stop=1e14", "--set", "sample_dt=0.1",
                      "--set", "t_transient=0", "--set", "record=none"], "N", words=["this run needs about"])


if __name__ == "__main__":
    unittest.main()
