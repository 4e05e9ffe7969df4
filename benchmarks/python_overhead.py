#!/usr/bin/python3
"""The overhead of the Python module over the command line (issue 17): the
same run, end to end (process start, MPI start-up, graph, simulation, run
file), as `build/lifnet run` and as `lifnet.run` in /usr/bin/python3,
alternated, `--reps` times each; prints the median wall times and their ratio,
the same for the CPU time (user + system) of each command's processes, which
a loaded machine disturbs less than the wall time, and the wall time of the
lifnet.run call alone (in a running interpreter, numpy and lifnet imported:
what a notebook user waits for) against the CLI's whole command.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python_overhead.py --N 1e5 --t-stop 200
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env):
    """Wall and CPU (user + system, of the command's processes) seconds, and
    the last line the command printed, as a number (or NaN)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        printed = float(r.stdout.split()[-1])
    except (IndexError, ValueError):
        printed = float("nan")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), printed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--N", type=float, default=1e5)
    ap.add_argument("--t-stop", type=float, default=200.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--lifnet", default=os.path.join(ROOT, "build", "lifnet"))
    args = ap.parse_args()
    keys = {"N": int(args.N), "t_stop": args.t_stop, "record": "none"}
    out = os.path.join(tempfile.mkdtemp(), "run.h5")
    cli = [args.lifnet, "run", "-o", out] + [a for k, v in keys.items() for a in ("--set", f"{k}={v}")]
    python = ["/usr/bin/python3", "-c",
              "import time, numpy, lifnet\n"
              f"config = lifnet.Config(**{keys!r})\n"
              "start = time.perf_counter()\n"
              f"lifnet.run(config, output={out!r})\n"
              "print(time.perf_counter() - start)"]
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1")
    times = {"cli": [], "python": []}
    for _ in range(args.reps):
        times["cli"].append(timed(cli, env))
        times["python"].append(timed(python, env))
    print(f"N = {keys['N']}, t_stop = {args.t_stop} ms, {args.reps} runs each, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for i, what in enumerate(("wall", "cpu")):
        c = statistics.median(t[i] for t in times["cli"])
        p = statistics.median(t[i] for t in times["python"])
        print(f"  {what}: cli    median {c:.3f} s  ({', '.join(f'{t[i]:.3f}' for t in times['cli'])})")
        print(f"  {what}: python median {p:.3f} s  ({', '.join(f'{t[i]:.3f}' for t in times['python'])})")
        print(f"  {what}: python / cli = {p / c:.4f}")
    c = statistics.median(t[0] for t in times["cli"])
    p = statistics.median(t[2] for t in times["python"])
    print(f"  lifnet.run() alone median {p:.3f} s  ({', '.join(f'{t[2]:.3f}' for t in times['python'])})")
    print(f"  lifnet.run() alone / cli wall = {p / c:.4f}")


if __name__ == "__main__":
    main()
