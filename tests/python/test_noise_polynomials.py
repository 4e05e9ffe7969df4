#!/usr/bin/env python3
"""The polynomial coefficients in src/neurons/noise.cpp are the ones that
tools/fit_noise_polynomials.py fits (mpmath), bit for bit, and each fit's
worst error is below 3e-17 of its function's value.

Run:
    /usr/bin/python3 tests/python/test_noise_polynomials.py
"""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifnet_harness import ROOT  # noqa: E402


class NoisePolynomials(unittest.TestCase):
    def test_source_holds_the_fitted_coefficients(self):
        fitted = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fit_noise_polynomials.py")],
                                check=True, capture_output=True, text=True).stdout
        fits = re.findall(r"^(\w+) \((\d+) terms, worst relative error ([0-9.e-]+)\):\n\s+(.*)$", fitted, re.M)
        self.assertEqual([f[0] for f in fits], ["log_series", "sin_series", "cos_series"], fitted)
        with open(os.path.join(ROOT, "src", "neurons", "noise.cpp"), encoding="utf-8") as f:
            source = f.read()
        for name, terms, worst, coefficients in fits:
            self.assertLess(float(worst), 3e-17, name)
            declared = re.search(r"std::array<double, (\d+)> " + name + r" = \{([^}]*)\}", source)
            self.assertIsNotNone(declared, name)
            self.assertEqual(int(declared.group(1)), int(terms), name)
            in_source = [float.fromhex(c) for c in re.findall(r"-?0x[0-9a-f.]+p[-+]\d+", declared.group(2))]
            self.assertEqual(in_source, [float.fromhex(c) for c in coefficients.split(", ")], name)


if __name__ == "__main__":
    unittest.main()
