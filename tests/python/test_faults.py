"""One rank fails, the job ends (and a run that cannot fit never starts): a failure injected on one rank only (the
test-only hook LIFNET_INJECT_FAULT=<point>@<rank>) while reading the edge
file, allocating, or writing the output ends every rank within seconds, with
a message naming the rank and the cause, and leaves no finished-looking file."""
import os
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.environ.get("LIFNET_BIN", os.path.join(ROOT, "build", "lifnet"))
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")


@unittest.skipUnless(os.path.exists(LIFNET), f"no lifnet binary at {LIFNET}")
class FaultTest(unittest.TestCase):
    def inject(self, point, extra=()):
        out = os.path.join(tempfile.mkdtemp(), "out.h5")
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_mpi_yield_when_idle="1", LIFNET_INJECT_FAULT=f"{point}@1")
        cmd = [MPIEXEC, "--oversubscribe", "-np", "3", "-x", "LIFNET_INJECT_FAULT", LIFNET, "run",
               "--set", "N=3000", "--set", "t_stop=500", "-o", out, *extra]
        start = time.monotonic()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - start
        self.assertNotEqual(r.returncode, 0)
        self.assertLess(elapsed, 30, "the job did not end promptly")
        self.assertFalse(os.path.exists(out), "a failed run left a finished-looking file")
        return r.stderr

    def test_edge_file_read_fails_on_one_rank(self):
        path = os.path.join(tempfile.mkdtemp(), "ring.txt")
        with open(path, "w") as f:
            f.writelines(f"{i} {(i + 1) % 3000}\n" for i in range(3000))
        err = self.inject("edge_read", ["--set", "graph=file", "--set", f"graph_file={path}"])
        self.assertEqual(err.count("lifnet: rank 1: injected fault at edge_read"), 1, err)

    def test_allocation_fails_on_one_rank(self):
        err = self.inject("alloc")
        self.assertIn("lifnet: rank 1: std::bad_alloc", err)

    def test_output_write_fails_on_one_rank(self):
        err = self.inject("write")
        self.assertIn("lifnet: rank 1: injected fault at write", err)


    def test_a_run_that_cannot_fit_is_refused_with_the_estimate(self):
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        out = os.path.join(tempfile.mkdtemp(), "out.h5")
        start = time.monotonic()
        r = subprocess.run([MPIEXEC, "--oversubscribe", "-np", "2", LIFNET, "run", "--set", "N=10000000000",
                            "--set", "k=10", "-o", out], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(r.stderr.count("this run needs about"), 1, r.stderr)
        self.assertIn("GiB per rank (2 ranks on this node", r.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(os.path.dirname(out)) if f.endswith(".tmp")], [])


if __name__ == "__main__":
    unittest.main()
