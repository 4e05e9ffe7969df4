#!/usr/bin/env python3
"""tools/lifnet-plot: a lifnet run file and a (fake) sweep file each give their
PNGs (non-trivial images), --pdf adds PDFs, a file that is not HDF5 or neither
kind gives exit code 2.

The binary is $LIFNET_BIN (default build/lifnet, relative to the repository
root). Run:
    /usr/bin/python3 tests/python/test_plot.py
"""
import os
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.path.join(ROOT, os.environ.get("LIFNET_BIN", "build/lifnet"))
PLOT = os.path.join(ROOT, "tools", "lifnet-plot")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           MPLBACKEND="Agg")
MEASURES = ("chi", "E", "R", "rate_hz", "cv")


def write_sweep(path, varied):
    """A sweep file as the sweep tool will write it: /points columns, attr `varied`."""
    rng = np.random.default_rng(0)
    p = np.array([0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0])
    cols = {"p": p}
    if len(varied) > 1:
        cols = {"p": np.tile(p, 3), "N": np.repeat([100, 200, 400], len(p))}
    x = np.log10(cols["p"])
    with h5py.File(path, "w") as f:
        f.attrs["varied"] = ",".join(varied)
        g = f.create_group("points")
        for key, col in cols.items():
            g[key] = col
        n = len(cols["p"])
        for i, m in enumerate(MEASURES):
            g[f"{m}_mean"] = (i + 1) / (1 + np.exp(-2 * (x + 2))) + 0.05 * rng.random(n)
            g[f"{m}_sem"] = 0.03 * (i + 1) * rng.random(n)
        g["n"] = np.full(n, 5, dtype=np.int64)


class PlotTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def plot(self, *args):
        p = subprocess.run([PLOT, *args], cwd=self.dir, env=ENV,
                           capture_output=True, text=True, timeout=300)
        return p.returncode, p.stdout, p.stderr

    def assertImage(self, path):
        """A PNG that is more than a blank canvas."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.image
        self.assertTrue(os.path.isfile(path), path)
        self.assertGreater(os.path.getsize(path), 5000, path)
        img = matplotlib.image.imread(path)
        self.assertGreater(np.ptp(img), 0.1, f"{path} is constant")

    def assertPlots(self, args, names, pdf=False):
        out = os.path.join(self.dir, "out")
        rc, stdout, stderr = self.plot(*args, "-o", out, *(["--pdf"] if pdf else []))
        self.assertEqual(rc, 0, stdout + stderr)
        for name in names:
            for ext in ("png", "pdf") if pdf else ("png",):
                path = os.path.join(out, f"{name}.{ext}")
                self.assertIn(path, stdout.splitlines())
                if ext == "png":
                    self.assertImage(path)
                else:
                    self.assertGreater(os.path.getsize(path), 1000, path)
                    with open(path, "rb") as f:
                        self.assertEqual(f.read(5), b"%PDF-")
        return stdout

    def run_lifnet(self, name, *sets):
        if not os.access(LIFNET, os.X_OK):
            self.skipTest(f"lifnet binary not found at {LIFNET} (set LIFNET_BIN)")
        cmd = [LIFNET, "run", *[a for s in sets for a in ("--set", s)], "-o", name]
        p = subprocess.run(cmd, cwd=self.dir, env=ENV, capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return os.path.join(self.dir, name)

    def test_run_file(self):
        run = self.run_lifnet("run.h5", "N=200", "p=0.2", "t_stop=500")
        self.assertPlots([run], ["run-heatmap", "run-raster", "run-vbar"])

    def test_run_file_pdf(self):
        run = self.run_lifnet("pdf.h5", "t_stop=300")
        self.assertPlots([run], ["pdf-heatmap", "pdf-raster", "pdf-vbar"], pdf=True)

    def test_run_file_without_report(self):
        run = self.run_lifnet("norec.h5", "record=none", "t_stop=300")
        stdout = self.assertPlots([run], ["norec-raster", "norec-vbar"])
        self.assertIn("heat map skipped", stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out", "norec-heatmap.png")))

    def test_sweep_file(self):
        one, two = os.path.join(self.dir, "sw1.h5"), os.path.join(self.dir, "sw2.h5")
        write_sweep(one, ["p"])
        write_sweep(two, ["p", "N"])
        self.assertPlots([one, two], ["sw1-sync_vs_p", "sw1-measures_vs_p",
                                      "sw2-sync_vs_p", "sw2-measures_vs_p"], pdf=True)

    def test_scaling_csv(self):
        path = os.path.join(self.dir, "strong.csv")
        with open(path, "w") as f:
            f.write("ranks,N,speedup,efficiency,oversubscribed\n1,1000,1,1,no\n2,1000,1.8,0.9,no\n"
                    "4,1000,2.1,0.52,yes\n")
        rc, out, err = self.plot(path)
        self.assertEqual(rc, 0, err)
        self.assertImage(os.path.join(self.dir, "strong-scaling.png"))

    def test_bad_files(self):
        junk = os.path.join(self.dir, "junk.h5")
        with open(junk, "w") as f:
            f.write("not an HDF5 file\n")
        other = os.path.join(self.dir, "other.h5")
        with h5py.File(other, "w") as f:
            f["x"] = 1
        for path, why in [(junk, "not an HDF5 file"), (other, "neither"),
                          (os.path.join(self.dir, "missing.h5"), "no such file")]:
            rc, stdout, stderr = self.plot(path, "-o", os.path.join(self.dir, "bad"))
            self.assertEqual(rc, 2, stdout + stderr)
            self.assertIn(why, stderr)
            self.assertIn(os.path.basename(path), stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "bad")))


if __name__ == "__main__":
    unittest.main()
