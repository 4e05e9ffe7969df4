#!/usr/bin/env python3
"""The Python module installed by `cmake --install` (issue 17) works from
outside the source and build trees: it is found in the prefix's
site-packages, finds liblifnet through its RPATH, and computes the spikes
of the build tree's module; its sweep, open and plots work too. The build tree is the folder of $LIFNET_BIN."""
import glob
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import lifnet
from lifnet_harness import LIFNET

SCRIPT = """
import sys, numpy as np, lifnet
assert lifnet.__file__.startswith(sys.argv[1]), lifnet.__file__
r = lifnet.run(lifnet.Config(N=200, p=0.2, t_stop=200.0))
np.save(sys.argv[2], r.node_ids)
# A sweep, its summary read back, and a plot from the installed plots.py.
import matplotlib
matplotlib.use("Agg")
s = lifnet.sweep(lifnet.Config(N=50, t_stop=100.0), vary={"p": [0, 0.5]}, output=sys.argv[3])
assert lifnet.open(sys.argv[3]).points["E_mean"].tolist() == s.points["E_mean"].tolist()
assert s.plot_sync_vs_p().axes[0].get_xlabel() == "p"
print("sweep", s.run_now)
"""


class InstallTest(unittest.TestCase):
    def test_installed_module_runs_outside_the_tree(self):
        prefix = tempfile.mkdtemp()
        build = os.path.dirname(LIFNET)
        r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        packages = glob.glob(os.path.join(prefix, "lib", "python3*", "*-packages", "lifnet", "__init__.py"))
        self.assertEqual(len(packages), 1, packages)
        site = os.path.dirname(os.path.dirname(packages[0]))
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
        env["PYTHONPATH"] = site
        ids = os.path.join(prefix, "ids.npy")
        r = subprocess.run([sys.executable, "-c", SCRIPT, prefix, ids, os.path.join(prefix, "sweep.h5")], cwd="/",
                           env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sweep 2", r.stdout)
        here = lifnet.run(lifnet.Config(N=200, p=0.2, t_stop=200.0))
        self.assertGreater(len(here.node_ids), 0)
        self.assertTrue(np.array_equal(np.load(ids), here.node_ids))


if __name__ == "__main__":
    unittest.main()
