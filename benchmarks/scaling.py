#!/usr/bin/python3
"""Strong and weak scaling of `lifnet run`: one problem at several rank counts.

    benchmarks/scaling.py strong --ranks 1,2,4 --N 100000 -o strong.csv
    benchmarks/scaling.py weak   --ranks 1,2,4 --N 50000  -o weak.csv   # N per rank

strong: the same network (N neurons) at every rank count.
weak:   N neurons per rank, so N x ranks in all.

Each point runs `lifnet run` --repeat times, in rounds over the rank counts
(1, 2, 4, 1, 2, 4, ...), keeps the run with the fastest time-stepping loop, and
reads the timings from the run file. Launcher: `srun` inside a SLURM
allocation (SLURM_JOB_ID set), `mpirun` outside; --launcher picks one.
Every `--set` goes to lifnet (defaults here: record=none, so that the
membrane-potential report is not what is measured, and t_stop=1000).

CSV columns (one row per rank count):
  ranks, N, steps, oversubscribed (ranks > cores), launcher
  build_s .. measures_s   lifnet's wall time per phase: the root attribute
                          wall_seconds, as measured on rank 0 only. `simulate`
                          is rank 0's neuron update; `exchange` is the spike
                          exchange, including the wait for slower ranks;
                          `deliver` is the delivery into the delay ring
  loop_s                  simulate + exchange + deliver: the time-stepping loop without I/O
  neuron_steps_per_s      N x steps / simulate_s (update throughput from rank 0's update
                          time; it assumes every rank updates as fast as rank 0, and
                          overstates when ranks share cores)
  neuron_steps_per_s_loop N x steps / loop_s (the throughput of the whole loop)
  speedup, efficiency     from loop_s against the first row (normally 1 rank):
                          strong: T1 / Tp and T1 / (p Tp) x ranks1;
                          weak:   efficiency T1 / Tp (speedup = efficiency x p / p1)
  load_balance            mean / max of /network/update_seconds, every rank's neuron-update
                          time (1 = perfectly balanced)
  imbalance_neurons       max / mean of /network/neurons_per_rank
  imbalance_synapses      max / mean of /network/synapses_per_rank (delivery work)
  edge_cut                fraction of synapses that cross ranks
  spikes                  spikes of the whole run
  routing                 the run's spike routing: allgather or neighbour
  bytes_sent_per_rank_per_step  measured: the run file's exchange_bytes (16 bytes, step
                          and node id, per spike and destination rank) / ranks / steps
  gathered_bytes_per_step 16 x spikes / steps: what every rank would receive per step
                          from an all-gather
  update_max_s, update_mean_s  the slowest rank's and the mean neuron-update time
                          (/network/update_seconds); slowest_rank is which rank, and
                          update_seconds_per_rank every rank's, separated by ";"
                          (docs/scaling-model.md, load balance)
  peak_setup_mb, peak_loop_mb  peak resident memory per rank [MB] up to the loop and in
                          it (lifnet's summary line, all ranks / ranks)
  runs                    how many runs the row is the best of
  load_before             the 1-minute load average just before the kept run, on the
                          node running this script: above ~0 on an idle node, other
                          work was competing for the cores
"""
import argparse
import csv
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

PHASES = ["build", "partition", "simulate", "exchange", "deliver", "write", "measures"]
SPIKE_BYTES = 16  # struct spike {int64 step; uint64 node id} in include/lifnet/spike.hpp


def parse_ranks(text):
    ranks = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            ranks.extend(range(int(a), int(b) + 1))
        else:
            ranks.append(int(part))
    if not ranks or min(ranks) < 1:
        raise argparse.ArgumentTypeError(f"bad rank list {text!r}")
    return ranks


def cores_available():
    """Cores this harness may use: the CPUs of this process, times the nodes of the allocation."""
    local = len(os.sched_getaffinity(0))
    nodes = int(os.environ.get("SLURM_JOB_NUM_NODES", "1") or 1)
    return local * nodes


def default_lifnet():
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, "..", "build", "lifnet")
    if os.path.exists(built):
        return os.path.normpath(built)
    return shutil.which("lifnet") or "lifnet"


def launch_command(args, ranks, oversubscribed):
    launcher = args.launcher
    if launcher == "auto":
        launcher = "srun" if os.environ.get("SLURM_JOB_ID") else "mpirun"
    env = dict(os.environ)
    if oversubscribed:
        # More ranks than cores: let waiting ranks give up the core (otherwise
        # Open MPI busy-polls and the ranks starve each other).
        env.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
    if launcher == "srun":
        cmd = ["srun", f"--mpi={args.srun_mpi}", "-n", str(ranks)]
        if oversubscribed:
            cmd.append("--overcommit")
        cmd += args.launcher_arg
    elif launcher == "mpirun":
        cmd = [args.mpirun, "-np", str(ranks)]
        if oversubscribed:
            cmd.append("--oversubscribe")
        cmd += args.launcher_arg
        if os.geteuid() == 0:
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    else:  # none: one process, no MPI launcher
        if ranks != 1:
            sys.exit("scaling.py: --launcher none runs 1 rank only")
        cmd = []
    return launcher, cmd, env


def read_run(path):
    import h5py  # Debian's python3-h5py
    import numpy as np

    with h5py.File(path, "r") as f:
        wall = [float(x) for x in f.attrs["wall_seconds"]]
        names = f.attrs.get("wall_seconds_phases")
        if names is not None:
            names = [s.strip() for s in (names.decode() if isinstance(names, bytes) else str(names)).split(",")]
        else:
            names = PHASES[: len(wall)]
        phases = dict(zip(names, wall))
        config = tomllib.loads(f.attrs["config"].decode() if isinstance(f.attrs["config"], bytes) else f.attrs["config"])
        npr = np.asarray(f["network/neurons_per_rank"][()], dtype=float)
        spr = np.asarray(f["network/synapses_per_rank"][()], dtype=float)
        spikes = sum(int(g["node_ids"].shape[0]) for g in f["spikes"].values())
        synapses = float(spr.sum())
        edge_cut = float(f["network/edge_cut"][()])
        update = np.asarray(f["network/update_seconds"][()], dtype=float) if "update_seconds" in f["network"] else None
        exchange_bytes = int(f.attrs["exchange_bytes"])
    steps = round(config["t_stop"] / config["dt"])
    return {
        "phases": phases,
        "N": int(config["N"]),
        "steps": steps,
        "imbalance_neurons": float(npr.max() / npr.mean()),
        "load_balance": float(update.mean() / update.max()) if update is not None and update.max() > 0 else float("nan"),
        "imbalance_synapses": float(spr.max() / spr.mean()) if spr.mean() > 0 else 1.0,
        "edge_cut": edge_cut / synapses if synapses > 0 else 0.0,
        "spikes": spikes,
        "exchange_bytes": exchange_bytes,
        "routing": config.get("routing", "allgather"),
        "update": [] if update is None else [float(x) for x in update],
    }


def run_once(args, ranks, rep, workdir, cores):
    n = args.N if args.mode == "strong" else args.N * ranks
    oversubscribed = ranks > cores
    launcher, cmd, env = launch_command(args, ranks, oversubscribed)
    out = os.path.join(workdir, f"{args.mode}-r{ranks}-{rep}.h5")
    full = cmd + [args.lifnet, "run"]
    if args.config:
        full.append(args.config)
    for kv in ["record=none", "t_stop=1000"] + args.set + [f"N={n}"]:
        full += ["--set", kv]
    full += ["-o", out]
    print("scaling:", " ".join(full), file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    proc = subprocess.run(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        sys.exit(f"scaling.py: lifnet failed at {ranks} ranks (exit {proc.returncode})")
    r = read_run(out)
    peak = re.search(r"peak memory \(all ranks\): ([\d.]+) MB up to the loop, ([\d.]+) MB in the loop", proc.stdout)
    r["peak"] = (float(peak.group(1)) / ranks, float(peak.group(2)) / ranks) if peak else (math.nan, math.nan)
    if not args.keep:
        os.remove(out)
    r["loop"] = sum(r["phases"].get(k, 0.0) for k in ("simulate", "exchange", "deliver"))
    r["load"] = load
    r.update(ranks=ranks, oversubscribed=oversubscribed, launcher=launcher, runs=args.repeat)
    return r


def run_all(args, workdir, cores):
    """Every rank count once per round, --repeat rounds (so that a passing load
    hits all rank counts alike); the run with the fastest loop per rank count is kept."""
    best = {}
    for rep in range(args.repeat):
        for ranks in args.ranks:
            r = run_once(args, ranks, rep, workdir, cores)
            if ranks not in best or r["loop"] < best[ranks]["loop"]:
                best[ranks] = r
    return [best[ranks] for ranks in args.ranks]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["strong", "weak"])
    p.add_argument("--ranks", type=parse_ranks, default=[1, 2, 4], help="rank counts: 1,2,4 or 1-4 (default 1,2,4)")
    p.add_argument("--N", type=int, default=20000, help="neurons (strong) or neurons per rank (weak); default 20000")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="passed to lifnet run (repeatable); e.g. --set k=10 --set t_stop=500")
    p.add_argument("--config", help="TOML file passed to lifnet run")
    p.add_argument("--repeat", type=int, default=1,
                   help="runs per point, in rounds over the rank counts; the fastest loop is kept (default 1)")
    p.add_argument("-o", "--output", default="-", help="CSV file (default: standard output)")
    p.add_argument("--lifnet", default=os.environ.get("LIFNET") or default_lifnet(),
                   help="lifnet executable (default: $LIFNET, else build/lifnet next to benchmarks/, else PATH)")
    p.add_argument("--launcher", choices=["auto", "srun", "mpirun", "none"], default="auto",
                   help="auto: srun inside a SLURM job, mpirun outside (default)")
    p.add_argument("--launcher-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for srun/mpirun (repeatable), e.g. --launcher-arg=--cpu-bind=cores")
    p.add_argument("--srun-mpi", default=os.environ.get("SRUN_MPI", "pmix"), help="srun --mpi= plugin (default pmix)")
    p.add_argument("--mpirun", default="mpirun")
    p.add_argument("--cores", type=int, help="cores available (default: this process's CPUs x SLURM nodes); "
                                             "more ranks than this is marked oversubscribed")
    p.add_argument("--workdir", help="folder for the run files (default: a temporary folder, removed)")
    p.add_argument("--keep", action="store_true", help="keep the run files")
    p.add_argument("--plot", metavar="DIR",
                   help="also draw speed-up and efficiency against ranks (tools/lifnet-plot) into this folder")
    args = p.parse_args()
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    for kv in args.set:
        if kv.split("=", 1)[0].strip() == "N":
            p.error("give N with --N, not --set")

    cores = args.cores or cores_available()
    tmp = None
    workdir = args.workdir
    if not workdir:
        # Beside the CSV rather than in /tmp: on a cluster /tmp is per node.
        base = os.path.dirname(os.path.abspath(args.output)) if args.output != "-" else None
        tmp = workdir = tempfile.mkdtemp(prefix="lifnet-scaling-", dir=base)
    os.makedirs(workdir, exist_ok=True)
    try:
        rows = run_all(args, workdir, cores)
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    ref = rows[0]
    fields = ["ranks", "N", "steps", "oversubscribed", "launcher"] + [f"{ph}_s" for ph in PHASES] + [
        "loop_s", "neuron_steps_per_s", "neuron_steps_per_s_loop", "speedup", "efficiency", "load_balance", "imbalance_neurons", "imbalance_synapses",
        "edge_cut", "spikes", "routing", "bytes_sent_per_rank_per_step", "gathered_bytes_per_step",
        "update_max_s", "update_mean_s", "slowest_rank", "update_seconds_per_rank", "peak_setup_mb", "peak_loop_mb",
        "runs", "load_before"]
    table = []
    for r in rows:
        ph = r["phases"]
        if args.mode == "strong":
            speedup = ref["loop"] / r["loop"] if r["loop"] > 0 else math.nan
            efficiency = speedup * ref["ranks"] / r["ranks"]
        else:
            efficiency = ref["loop"] / r["loop"] if r["loop"] > 0 else math.nan
            speedup = efficiency * r["ranks"] / ref["ranks"]
        sim = ph.get("simulate", math.nan)
        row = {
            "ranks": r["ranks"], "N": r["N"], "steps": r["steps"],
            "oversubscribed": "yes" if r["oversubscribed"] else "no", "launcher": r["launcher"],
            **{f"{k}_s": f"{ph.get(k, math.nan):.6g}" for k in PHASES},
            "loop_s": f"{r['loop']:.6g}",
            "neuron_steps_per_s": f"{r['N'] * r['steps'] / sim:.6g}" if sim > 0 else "nan",
            "neuron_steps_per_s_loop": f"{r['N'] * r['steps'] / r['loop']:.6g}" if r["loop"] > 0 else "nan",
            "speedup": f"{speedup:.4g}", "efficiency": f"{efficiency:.4g}",
            "load_balance": f"{r['load_balance']:.4g}",
            "imbalance_neurons": f"{r['imbalance_neurons']:.4g}",
            "imbalance_synapses": f"{r['imbalance_synapses']:.4g}",
            "edge_cut": f"{r['edge_cut']:.4g}", "spikes": r["spikes"],
            "routing": r["routing"],
            "bytes_sent_per_rank_per_step": f"{r['exchange_bytes'] / r['ranks'] / r['steps']:.6g}",
            "gathered_bytes_per_step": f"{SPIKE_BYTES * r['spikes'] / r['steps']:.6g}",
            "update_max_s": f"{max(r['update']):.6g}" if r["update"] else "nan",
            "update_mean_s": f"{sum(r['update']) / len(r['update']):.6g}" if r["update"] else "nan",
            "slowest_rank": r["update"].index(max(r["update"])) if r["update"] else "",
            "update_seconds_per_rank": ";".join(f"{x:.5g}" for x in r["update"]),
            "peak_setup_mb": f"{r['peak'][0]:.4g}", "peak_loop_mb": f"{r['peak'][1]:.4g}",
            "runs": r["runs"],
            "load_before": f"{r['load']:.2f}",
        }
        table.append(row)

    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="")
    w = csv.DictWriter(out, fieldnames=fields)
    w.writeheader()
    w.writerows(table)
    if out is not sys.stdout:
        out.close()
        print(f"scaling: {len(table)} rows in {args.output}", file=sys.stderr)

    if args.plot:  # tools/lifnet-plot draws it: <csv stem>-scaling.png
        if args.output == "-":
            sys.exit("scaling.py: --plot needs -o FILE.csv")
        lifnet_plot = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "lifnet-plot")
        subprocess.run([sys.executable, lifnet_plot, args.output, "-o", args.plot], check=True)


if __name__ == "__main__":
    main()
