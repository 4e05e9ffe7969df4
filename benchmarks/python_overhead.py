#!/usr/bin/python3
"""The overhead of the Python module over the command line (issue 17): the
same run, end to end (process start, MPI start-up, graph, simulation, run
file), as `build/lifnet run` and as `lifnet.run` in /usr/bin/python3,
alternated, `--reps` times each; prints the median wall times and their ratio.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python_overhead.py --N 1e5 --t-stop 200
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env):
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


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
    python = ["/usr/bin/python3", "-c", f"import lifnet; lifnet.run(lifnet.Config(**{keys!r}), output={out!r})"]
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1")
    times = {"cli": [], "python": []}
    for _ in range(args.reps):
        times["cli"].append(timed(cli, env))
        times["python"].append(timed(python, env))
    c, p = statistics.median(times["cli"]), statistics.median(times["python"])
    print(f"N = {keys['N']}, t_stop = {args.t_stop} ms, {args.reps} runs each")
    print(f"  cli    median {c:.3f} s  ({', '.join(f'{t:.3f}' for t in times['cli'])})")
    print(f"  python median {p:.3f} s  ({', '.join(f'{t:.3f}' for t in times['python'])})")
    print(f"  python / cli = {p / c:.4f}")


if __name__ == "__main__":
    main()
