#!/usr/bin/env python3
"""End-to-end benchmarks: lifnet against Brian2 cpp_standalone, and lifnet's cost growth.

Comparison (default mode). For each sigma and N, lifnet first writes the
network with --save-graph (not timed); then, R times, lifnet (1 and 2 MPI
ranks) and Brian2 cpp_standalone (1 and 2 OpenMP threads, benchmarks/peers/
brian2_lif.py on that very graph) run alternately, spikes only:

    python3 benchmarks/end_to_end.py                   # N = 1e3, 1e4, 1e5; sigma = 1; R = 3
    python3 benchmarks/end_to_end.py --sigma0          # sigma = 0 as well
    python3 benchmarks/end_to_end.py --big             # N = 1e6 as well

Cost growth (lifnet alone):

    python3 benchmarks/end_to_end.py --scaling         # time per simulated second vs N, k and firing rate

Definitions (every number is a median over the R repetitions; ratios are
medians of the per-repetition ratios of runs made next to each other):
  lifnet sim     N*steps / `simulate` seconds of lifnet's summary (the neuron
                 update loop; excludes spike exchange and delivery, output, measures)
  lifnet loop    N*steps / (simulate + exchange + deliver) seconds: the update plus spike
                 exchange and delivery, the same work as Brian2's loop
  lifnet wall    seconds of the whole `mpirun ... lifnet run` command: what the user
                 waits for, start-up to exit
  brian2 binary  seconds of Brian2's compiled simulation binary (`./main`, start-up
                 to exit: what a Brian2 user waits for once the code is compiled)
  ratio whole    brian2 binary / lifnet wall: the whole-run ratio (> 1: lifnet faster)
  brian2         N*steps / Brian2's simulation-loop seconds (no code generation,
                 compilation or file loading), compile = `make` seconds of the first build
  RSS            peak resident set size (/usr/bin/time %M, the "Maximum resident
                 set size" of time -v): lifnet summed over its ranks; Brian2 of the
                 compiled simulation binary
Rates are mean firing rates over the whole run (spikes / (N t_stop)).
Waiting: unless --spin, Brian2 runs with OMP_WAIT_POLICY=passive and lifnet with
OMPI_MCA_mpi_yield_when_idle=1, so that neither busy-waits for a core that
another process holds (on a 2-core machine shared with other jobs, spinning
OpenMP barriers made Brian2's 2-thread runs 5-15x slower).

Writes every run as a CSV row (--csv) and prints the median tables.
"""
import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", PYTHONWARNINGS="ignore")

SUMMARY_WALL = re.compile(r"wall time: (.*)")
SUMMARY_PHASE = re.compile(r"(\w+) ([\d.]+) s")
SUMMARY_SPIKES = re.compile(r"spikes (\d+), mean rate ([\d.]+) Hz")
# The phases of lifnet's summary line, in its order (startup and finish only
# in versions that time them; a phase a version does not print is None).
PHASES = ["startup", "build", "partition", "simulate", "exchange", "deliver", "write", "measures", "finish"]


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rss_of_run(lifnet, out):
    """Summed VmRSS (kB) of the running lifnet processes whose command line names the file `out`."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            if not argv or os.path.basename(argv[0]) != b"lifnet" or out.encode() not in argv:
                continue
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def run_lifnet(args, ranks, sets, out, save_graph=False, sample_rss=False):
    """One `mpirun -np ranks lifnet run`, each rank under /usr/bin/time for its peak RSS."""
    rss_prefix = out + ".rss"
    cmd = ["mpirun", "-np", str(ranks), "--bind-to", "none",
           "sh", "-c", '/usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"', rss_prefix,
           args.lifnet, "run"]
    for key, value in sets.items():
        cmd += ["--set", f"{key}={value}"]
    cmd += ["-o", out]
    if save_graph:
        cmd.append("--save-graph")
    t0 = time.perf_counter()
    samples = []
    if sample_rss:
        # Poll VmRSS of this run's lifnet processes (summed over ranks) every 50 ms.
        with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
            p = subprocess.Popen(cmd, env=ENV, stdout=so, stderr=se, text=True)
            while p.poll() is None:
                samples.append((time.perf_counter() - t0, rss_of_run(args.lifnet, out)))
                time.sleep(0.05)
            so.seek(0)
            se.seek(0)
            proc = subprocess.CompletedProcess(cmd, p.returncode, so.read(), se.read())
    else:
        proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"lifnet failed ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")
    m = SUMMARY_WALL.search(proc.stdout)
    s = SUMMARY_SPIKES.search(proc.stdout)
    if not m or not s:
        sys.exit(f"cannot parse lifnet's summary:\n{proc.stdout}")
    printed = {name: float(v) for name, v in SUMMARY_PHASE.findall(m.group(1))}
    row = {p: printed.get(p) for p in PHASES}
    row["spikes"] = int(s.group(1))
    row["rate_hz"] = float(s.group(2))
    row["wall"] = wall
    rss = []
    for r in range(ranks):
        try:
            with open(f"{rss_prefix}.{r}") as fh:
                rss.append(int([l for l in fh.read().split() if l.isdigit()][-1]))
            os.remove(f"{rss_prefix}.{r}")
        except (OSError, IndexError):
            pass
    row["rss_kb"] = sum(rss) if len(rss) == ranks else None
    if samples:
        # The simulation phase: the last (simulate + exchange + deliver) seconds before the
        # final measures and write, shrunk by 20 % at both ends.
        loop = row["simulate"] + row["exchange"] + row["deliver"]
        end = wall - 0.3
        window = [kb for t, kb in samples if end - 0.8 * loop <= t <= end - 0.2 * loop and kb > 0]
        row["sim_rss_kb"] = max(window) if window else None
        row["sampled_peak_rss_kb"] = max(kb for _, kb in samples)
    row["rss_max_rank_kb"] = max(rss) if rss else None
    if not save_graph and os.path.exists(out):
        os.remove(out)
    return row


def run_brian2(args, graph, threads, build_dir, extra=()):
    cmd = [args.python, os.path.join(HERE, "peers", "brian2_lif.py"), graph, "--mode", "cpp_standalone",
           "--threads", str(threads), "--build-dir", build_dir, *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"brian2 failed ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def print_table(header, rows, file=sys.stdout):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]
    line = "| " + " | ".join(str(h).rjust(w) for h, w in zip(header, widths)) + " |"
    print(line, file=file)
    print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|", file=file)
    for r in rows:
        print("| " + " | ".join(str(c).rjust(w) for c, w in zip(r, widths)) + " |", file=file)


def comparison(args, work):
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    if args.big and 1000000 not in sizes:
        sizes.append(1000000)
    sigmas = [float(x) for x in args.sigmas.split(",")]
    if args.sigma0 and 0.0 not in sigmas:
        sigmas.append(0.0)
    widths = [int(x) for x in args.widths.split(",")]
    raw = []
    summary = []
    for sigma in sigmas:
        for N in sizes:
            sets = {"N": N, "k": args.k, "p": args.p, "dt": args.dt, "t_stop": args.t_stop, "sigma": sigma,
                    "record": "none", "seed": args.seed}
            graph = os.path.join(work, f"graph_N{N}_s{sigma:g}.h5")
            g = run_lifnet(args, 1, sets, graph, save_graph=True)
            steps = round(args.t_stop / args.dt)
            print(f"# sigma={sigma:g} N={N}: graph written ({g['spikes']} spikes, {g['wall']:.1f} s)", flush=True)
            runs = {("lifnet", w): [] for w in widths}
            runs.update({("brian2", w): [] for w in widths})
            ratios = {w: [] for w in widths}
            ratios_loop = {w: [] for w in widths}
            ratios_whole = {w: [] for w in widths}
            for rep in range(args.reps):
                for w in widths:
                    order = ["lifnet", "brian2"] if rep % 2 == 0 else ["brian2", "lifnet"]
                    got = {}
                    for engine in order:
                        if engine == "lifnet":
                            r = run_lifnet(args, w, sets, os.path.join(work, f"run_N{N}_w{w}.h5"))
                            r["nsps_sim"] = N * steps / r["simulate"]
                            r["nsps_loop"] = N * steps / (r["simulate"] + r["exchange"] + r["deliver"])
                            rec = {"engine": "lifnet", "width": w, "N": N, "sigma": sigma, "rep": rep,
                                   "neuron_steps_per_s": r["nsps_sim"], "loop_neuron_steps_per_s": r["nsps_loop"],
                                   "wall_s": r["wall"], "spikes": r["spikes"], "rate_hz": r["rate_hz"],
                                   "peak_rss_kb": r["rss_kb"], **{p + "_s": r[p] for p in PHASES}}
                        else:
                            bdir = os.path.join(work, f"brian2_N{N}_s{sigma:g}_t{w}")
                            r = run_brian2(args, graph, w, bdir, extra=["--noise", args.noise])
                            rec = {"engine": "brian2", "width": w, "N": N, "sigma": sigma, "rep": rep,
                                   "neuron_steps_per_s": r["neuron_steps_per_s"],
                                   "loop_neuron_steps_per_s": r["neuron_steps_per_s"], "wall_s": r["wall"],
                                   "spikes": r["spikes"], "rate_hz": r["mean_rate_hz"],
                                   "peak_rss_kb": r.get("binary_peak_rss_kb"),
                                   "brian2_run_s": r["run_seconds"], "brian2_binary_s": r["run_binary_seconds"],
                                   "brian2_compile_s": r["compile_seconds"],
                                   "brian2_codegen_s": r["codegen_seconds"], "brian2_method": r["method"],
                                   "brian2_python_rss_kb": r["python_peak_rss_kb"]}
                        got[engine] = rec
                        runs[(engine, w)].append(rec)
                        raw.append(rec)
                        write_csv(args.csv, raw, quiet=True)  # as we go: a stopped run keeps what it measured
                        print(f"  rep {rep} {engine} x{w}: {rec['neuron_steps_per_s']:.3g} neuron-steps/s, "
                              f"wall {rec['wall_s']:.1f} s, rate {rec['rate_hz']:.2f} Hz", flush=True)
                    ratios[w].append(got["lifnet"]["neuron_steps_per_s"] / got["brian2"]["neuron_steps_per_s"])
                    ratios_loop[w].append(got["lifnet"]["loop_neuron_steps_per_s"] / got["brian2"]["neuron_steps_per_s"])
                    ratios_whole[w].append(got["brian2"]["brian2_binary_s"] / got["lifnet"]["wall_s"])
            if os.path.exists(graph):
                os.remove(graph)
            for w in widths:
                L, B = runs[("lifnet", w)], runs[("brian2", w)]
                summary.append({
                    "sigma": sigma, "N": N, "width": w,
                    "lifnet_sim": median([x["neuron_steps_per_s"] for x in L]),
                    "lifnet_loop": median([x["loop_neuron_steps_per_s"] for x in L]),
                    "lifnet_wall": median([x["wall_s"] for x in L]),
                    "brian2": median([x["neuron_steps_per_s"] for x in B]),
                    "brian2_compile": max([x["brian2_compile_s"] for x in B]),
                    "brian2_wall": median([x["wall_s"] for x in B]),
                    "brian2_binary": median([x["brian2_binary_s"] for x in B]),
                    "ratio_sim": median(ratios[w]), "ratio_loop": median(ratios_loop[w]),
                    "ratio_whole": median(ratios_whole[w]),
                    "rate_lifnet": median([x["rate_hz"] for x in L]),
                    "rate_brian2": median([x["rate_hz"] for x in B]),
                    "rss_lifnet_mb": median([x["peak_rss_kb"] for x in L]) / 1024,
                    "rss_brian2_mb": (median([x["peak_rss_kb"] for x in B]) or 0) / 1024,
                    **{"lifnet_" + p: median([x[p + "_s"] for x in L if x[p + "_s"] is not None]) for p in PHASES},
                })
    write_csv(args.csv, raw)
    write_csv(os.path.splitext(args.csv)[0] + "_summary.csv", summary)
    header = ["sigma", "N", "ranks/threads", "lifnet wall s", "brian2 binary s", "ratio whole",
              "lifnet sim nsps", "lifnet loop nsps", "brian2 nsps", "ratio sim", "ratio loop",
              "brian2 compile s", "brian2 script s", "rate lifnet Hz", "rate brian2 Hz", "RSS lifnet MB",
              "RSS brian2 MB"]
    rows = [[f"{s['sigma']:g}", f"{s['N']:.0e}", s["width"], fmt(s["lifnet_wall"], ".2f"),
             fmt(s["brian2_binary"], ".2f"), fmt(s["ratio_whole"], ".2f"), fmt(s["lifnet_sim"], ".3g"),
             fmt(s["lifnet_loop"], ".3g"), fmt(s["brian2"], ".3g"), fmt(s["ratio_sim"], ".2f"),
             fmt(s["ratio_loop"], ".2f"), fmt(s["brian2_compile"], ".1f"), fmt(s["brian2_wall"], ".1f"),
             fmt(s["rate_lifnet"], ".2f"), fmt(s["rate_brian2"], ".2f"), fmt(s["rss_lifnet_mb"], ".1f"),
             fmt(s["rss_brian2_mb"], ".1f")] for s in summary]
    print(f"\nMedians of {args.reps} repetitions (nsps = neuron-steps/s; ratio = lifnet/brian2, per-repetition pairs):")
    print_table(header, rows)
    header = ["sigma", "N", "ranks", *PHASES]
    rows = [[f"{s['sigma']:g}", f"{s['N']:.0e}", s["width"], *(fmt(s["lifnet_" + p], ".3f") for p in PHASES)]
            for s in summary]
    print("\nlifnet phase seconds (medians):")
    print_table(header, rows)


def t_stop_for(N, args):
    """Simulated time for the N sweep: 1 s while N*steps <= budget, else shorter (>= 100 ms)."""
    steps = args.scaling_budget / N
    t = min(1000.0, max(100.0, round(steps * args.dt / 100.0) * 100.0))
    return t


def scaling(args, work):
    ranks_list = [int(x) for x in args.scaling_ranks.split(",")]
    raw = []
    tables = {}
    # 1. against N (k fixed)
    Ns = [int(float(x)) for x in args.scaling_sizes.split(",")]
    ks = [int(x) for x in args.scaling_ks.split(",")]
    experiments = [("N", N, {"N": N, "k": args.k, "t_stop": t_stop_for(N, args)}) for N in Ns]
    for k in ks:
        J = args.J * args.k / k if not args.k_fixed_J else args.J
        experiments.append(("k", k, {"N": args.scaling_k_N, "k": k, "J": J, "t_stop": args.scaling_k_t_stop}))
    # 3. against the firing rate, set by the constant input I_bias (N and t_stop as for k)
    for I_bias in [float(x) for x in args.scaling_I_bias.split(",")]:
        experiments.append(("rate", I_bias, {"N": args.scaling_k_N, "k": args.k, "I_bias": I_bias,
                                             "t_stop": args.scaling_k_t_stop}))
    sweeps = args.scaling_sweeps.split(",")
    experiments = [e for e in experiments if e[0] in sweeps]
    for kind, value, sets in experiments:
        for ranks in ranks_list:
            full = {"p": args.p, "dt": args.dt, "sigma": args.scaling_sigma, "record": "none", "seed": args.seed, **sets}
            reps = []
            for rep in range(args.reps):
                r = run_lifnet(args, ranks, full, os.path.join(work, "scaling.h5"), sample_rss=True)
                t_s = full["t_stop"] / 1000.0
                steps = round(full["t_stop"] / args.dt)
                rec = {"sweep": kind, "value": value, "ranks": ranks, "rep": rep, **full,
                       "sim_per_s": r["simulate"] / t_s, "loop_per_s": (r["simulate"] + r["exchange"] + r["deliver"]) / t_s,
                       "wall_s": r["wall"], "rate_hz": r["rate_hz"], "peak_rss_kb": r["rss_kb"],
                       "sim_rss_kb": r.get("sim_rss_kb"), "nsps_sim": full["N"] * steps / r["simulate"],
                       **{p + "_s": r[p] for p in PHASES}}
                reps.append(rec)
                raw.append(rec)
                write_csv(args.csv, raw, quiet=True)
                print(f"  {kind}={value} ranks={ranks} rep {rep}: simulate {r['simulate']:.3f} s, "
                      f"exchange {r['exchange']:.3f} s, wall {r['wall']:.2f} s, rate {r['rate_hz']:.1f} Hz, "
                      f"RSS {r['rss_kb']} kB", flush=True)
            tables.setdefault(kind, []).append(reps)
    write_csv(args.csv, raw)
    base_rss = base_sim_rss = None
    for kind, groups in tables.items():
        header = ["ranks", "N", "k", "J mV", "I_bias mV", "t_stop ms", "loop s per sim s", "sim s per sim s",
                  "exch+deliver s per sim s", "measures s", "build s", "partition s", "write s", "wall s", "sim nsps",
                  "rate Hz", "peak RSS MB", "peak B/neuron", "sim-phase RSS MB", "sim-phase B/neuron"]
        rows = []
        for reps in groups:
            r0 = reps[0]
            t_s = r0["t_stop"] / 1000.0
            rss = median([x["peak_rss_kb"] for x in reps])
            sim_rss = median([x["sim_rss_kb"] for x in reps])
            if kind == "N" and r0["N"] == 1000 and r0["ranks"] == ranks_list[0]:
                # the process baseline (MPI, PETSc, HDF5 and the code): the N = 1e3 run's peak; its
                # simulation phase is too short to sample
                base_rss = base_sim_rss = rss
            per_neuron = sim_per_neuron = None
            if base_rss is not None and r0["N"] > 1000 and r0["ranks"] == ranks_list[0]:
                # bytes per neuron above the process baseline (the N = 1e3 run's peak)
                if rss is not None:
                    per_neuron = (rss - base_rss) * 1024 / (r0["N"] - 1000)
                if sim_rss is not None:
                    sim_per_neuron = (sim_rss - base_sim_rss) * 1024 / (r0["N"] - 1000)
            rows.append([r0["ranks"], f"{r0['N']:.0e}", r0["k"], f"{r0.get('J', args.J):.3g}",
                         f"{r0.get('I_bias', 16.0):g}", f"{r0['t_stop']:g}",
                         fmt(median([x["loop_per_s"] for x in reps]), ".4g"),
                         fmt(median([x["sim_per_s"] for x in reps]), ".4g"),
                         fmt(median([(x["exchange_s"] + x["deliver_s"]) / t_s for x in reps]), ".4g"),
                         fmt(median([x["measures_s"] for x in reps]), ".3f"),
                         fmt(median([x["build_s"] for x in reps]), ".3f"),
                         fmt(median([x["partition_s"] for x in reps]), ".3f"),
                         fmt(median([x["write_s"] for x in reps]), ".3f"),
                         fmt(median([x["wall_s"] for x in reps]), ".2f"),
                         fmt(median([x["nsps_sim"] for x in reps]), ".3g"),
                         fmt(median([x["rate_hz"] for x in reps]), ".2f"),
                         fmt(rss / 1024 if rss else None, ".1f"), fmt(per_neuron, ".0f"),
                         fmt(sim_rss / 1024 if sim_rss else None, ".1f"), fmt(sim_per_neuron, ".0f")])
        print(f"\nlifnet cost against {kind} (medians of {args.reps}; sigma = {args.scaling_sigma:g}):")
        print_table(header, rows)
    if args.startup:
        startup(args, work)


def startup(args, work):
    """The original study's 120 runs (6 p x 20 seeds, N = 100, k = 4): one `lifnet sweep`, and one `lifnet run`."""
    cfg = os.path.join(ROOT, "configs", "original-study.toml")
    rows = []
    for ranks in [1, 2]:
        walls = []
        for rep in range(args.reps):
            out = os.path.join(work, "study.h5")
            for f in (out, out + ".journal"):
                if os.path.exists(f):
                    os.remove(f)
            cmd = ["mpirun", "-np", str(ranks), "--bind-to", "none", args.lifnet, "sweep", cfg, "-o", out]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
            walls.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                sys.exit(f"sweep failed:\n{proc.stdout}\n{proc.stderr}")
        rows.append(["lifnet sweep configs/original-study.toml (120 runs)", ranks, f"{median(walls):.2f}"])
        walls = []
        for rep in range(args.reps):
            r = run_lifnet(args, ranks, {"N": 100, "k": 4, "record": "none"}, os.path.join(work, "one.h5"))
            walls.append(r["wall"])
        rows.append(["one `lifnet run` N=100 k=4 (x120 = study by single runs)", ranks,
                     f"{median(walls):.3f} (x120 = {120 * median(walls):.0f})"])
    print(f"\nStart-up (medians of {args.reps}):")
    print_table(["what", "ranks", "wall s"], rows)


def write_csv(path, rows, quiet=False):
    if not rows:
        return
    keys = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    if not quiet:
        print(f"# wrote {path}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--lifnet", default=os.path.join(ROOT, "build", "lifnet"))
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    help="Python with brian2 and h5py (Debian's python3-brian, python3-h5py)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--sizes", default="1e3,1e4,1e5", help="N values of the comparison")
    ap.add_argument("--big", action="store_true", help="add N = 1e6 to the comparison")
    ap.add_argument("--sigma0", action="store_true", help="also compare at sigma = 0")
    ap.add_argument("--sigmas", default="1", help="sigma values of the comparison (mV; default 1)")
    ap.add_argument("--widths", default="1,2", help="lifnet ranks = Brian2 threads to compare (default 1,2)")
    ap.add_argument("--noise", choices=["held", "xi"], default="held", help="Brian2's noise formulation (see brian2_lif.py)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--p", type=float, default=0.1)
    ap.add_argument("--J", type=float, default=2.0, help="J (mV) at k = --k; the k sweep scales it as J*k0/k")
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--t-stop", type=float, default=1000.0, help="simulated ms (comparison)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", help="CSV of every run (default results/end_to_end[_scaling].csv); medians in *_summary.csv")
    ap.add_argument("--workdir", help="scratch folder (default: a temporary one)")
    ap.add_argument("--scaling", action="store_true", help="lifnet alone: cost against N and k")
    ap.add_argument("--scaling-sizes", default="1e3,1e4,1e5,1e6")
    ap.add_argument("--scaling-budget", type=float, default=2e8,
                    help="N sweep: t_stop = 1 s while N*steps <= this, else shorter (>= 100 ms)")
    ap.add_argument("--scaling-ks", default="4,10,20,50,100")
    ap.add_argument("--scaling-k-N", type=int, default=100000)
    ap.add_argument("--scaling-k-t-stop", type=float, default=200.0)
    ap.add_argument("--scaling-I-bias", default="15,16,20,30,50",
                    help="I_bias values (mV) of the firing-rate sweep (N = --scaling-k-N, k = --k)")
    ap.add_argument("--scaling-sweeps", default="N,k,rate", help="which of the N, k and rate sweeps to run")
    ap.add_argument("--k-fixed-J", action="store_true", help="k sweep: keep J instead of scaling it as J*k0/k")
    ap.add_argument("--scaling-sigma", type=float, default=1.0)
    ap.add_argument("--scaling-ranks", default="1")
    ap.add_argument("--startup", action="store_true", help="with --scaling: time the original study's 120 runs")
    ap.add_argument("--spin", action="store_true",
                    help="keep busy-waiting: by default both engines yield the CPU while they wait "
                         "(Brian2: OMP_WAIT_POLICY=passive; lifnet: OMPI_MCA_mpi_yield_when_idle=1), "
                         "which on a shared, oversubscribed machine is many times faster for 2 threads/ranks")
    args = ap.parse_args()
    if not args.spin:
        ENV.setdefault("OMP_WAIT_POLICY", "passive")
        ENV.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
    if not os.path.exists(args.lifnet):
        sys.exit(f"{args.lifnet} not found: build lifnet first")
    if args.csv is None:
        os.makedirs(os.path.join(ROOT, "results"), exist_ok=True)
        args.csv = os.path.join(ROOT, "results", "end_to_end_scaling.csv" if args.scaling else "end_to_end.csv")
    work = args.workdir or tempfile.mkdtemp(prefix="lifnet_e2e_")
    os.makedirs(work, exist_ok=True)
    try:
        print(f"# {time.strftime('%Y-%m-%dT%H:%M:%S')} load average {os.getloadavg()}; "
              f"OMP_WAIT_POLICY={ENV.get('OMP_WAIT_POLICY', '')} "
              f"OMPI_MCA_mpi_yield_when_idle={ENV.get('OMPI_MCA_mpi_yield_when_idle', '')}", flush=True)
        head = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True)
        print(f"# lifnet {args.lifnet} built {time.ctime(os.path.getmtime(args.lifnet))}, "
              f"tree {head.stdout.strip() or '?'}", flush=True)
        if args.scaling:
            scaling(args, work)
        else:
            comparison(args, work)
        print(f"# done {time.strftime('%Y-%m-%dT%H:%M:%S')} load average {os.getloadavg()}", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
