#!/usr/bin/env python3
"""MODEL.md §2 in Brian2, on the exact network of a lifnet run.

Reads a file written by `lifnet run ... --save-graph`: the synapses
(/edges/<population>/source_node_id, target_node_id: each row is one synapse),
the initial membrane potentials (/nodes/<population>/0/initial_v, by node id;
/network/initial_v in files before the SONATA node population) and every
model parameter (the file's `config` attribute, lifnet's TOML configuration),
builds the same network in Brian2, runs it and prints one JSON object.

    python3 benchmarks/peers/brian2_lif.py run.h5 --mode cpp_standalone --threads 2

Needs Debian's python3-brian (Brian2 2.5) and python3-h5py; g++ for the
cpp_standalone mode (Cython for the runtime mode).

Model mapping (MODEL.md §2):

    tau_m dV/dt   = -(V - V_rest) + I + I_bias + eta     (unless refractory)
    tau_syn dI/dt = -I
    on a presynaptic spike, after the delay d:  I_post += J

Noise. Two formulations (--noise):
  held (default): eta = sigma*sqrt(2 tau_m/dt)*randn(), drawn once per neuron
      per step and held constant within the step, exactly MODEL.md's eta
      (Brian2's `(constant over dt)` subexpression). The equations are then
      ordinary ODEs within a step, so Brian2 accepts method='rk4', the
      integrator lifnet uses.
  xi: Brian2's white noise, + sigma*sqrt(2/tau_m)*xi in dV/dt. Brian2 refuses
      'rk4' for stochastic equations (its RK4 is deterministic-only), so this
      uses method='euler' (Euler-Maruyama, exact in distribution for the
      additive noise, first order for the drift).
Either way the random numbers are Brian2's own (Mersenne Twister), not
MODEL.md §3's Philox stream, so with sigma > 0 the spike trains are NOT
spike-identical to lifnet's; rates and statistics agree. With sigma = 0 and
--noise held the computation is the same RK4 as lifnet's (Brian2 compiles
with -ffast-math, so the last bits may differ).

Timing conventions. Brian2 records a spike at the start of the step whose
update crossed threshold (t_n); lifnet records it at the step's end t_{n+1}.
Brian2 applies a delayed spike after the state update of step n + D, so it
acts from step n + D + 1 on, as in lifnet. Brian2 clamps a neuron for the
steps n' with (n' - n) < round(refractory/dt) after a spike in step n; MODEL.md
clamps steps n+1 ... n+R, so refractory = t_ref + dt here.

Output (JSON): neuron_steps_per_s = N * steps / run_seconds, where
run_seconds is the time of Brian2's simulation loop only (device._last_run_time:
for cpp_standalone the loop in the compiled binary, for runtime the Python
loop over code objects; neither includes code generation or compilation);
compile_seconds (cpp_standalone: `make`), codegen_seconds (the rest of
network set-up and code generation, cpp_standalone), spikes, mean rates, and
peak resident set sizes in kB: python_peak_rss_kb of this process and, for
cpp_standalone, binary_peak_rss_kb of the compiled simulation binary.
"""
import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None


def read_lifnet_file(path):
    with h5py.File(path, "r") as f:
        config_text = f.attrs["config"]
        if isinstance(config_text, bytes):
            config_text = config_text.decode()
        config = parse_config(config_text)
        pop = config.get("population", "lifnet")
        if "edges" not in f or pop not in f["edges"]:
            sys.exit(f"{path}: no /edges/{pop}: write it with `lifnet run ... --save-graph`")
        src = f[f"edges/{pop}/source_node_id"][...].astype(np.int64)
        tgt = f[f"edges/{pop}/target_node_id"][...].astype(np.int64)
        v0_path = f"nodes/{pop}/0/initial_v" if f"nodes/{pop}" in f else "network/initial_v"
        v0 = f[v0_path][...].astype(np.float64)
        lifnet_spikes = None
        if "spikes" in f and pop in f["spikes"]:
            lifnet_spikes = int(f[f"spikes/{pop}/node_ids"].shape[0])
    return config, src, tgt, v0, lifnet_spikes


def parse_config(text):
    if tomllib is not None:
        return tomllib.loads(text)
    config = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        key, value = (s.strip() for s in line.split("=", 1))
        if value.startswith("'") or value.startswith('"'):
            config[key] = value.strip("'\"")
        else:
            try:
                config[key] = int(value)
            except ValueError:
                try:
                    config[key] = float(value)
                except ValueError:
                    config[key] = value
    return config


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph", help="lifnet output file written with --save-graph")
    ap.add_argument("--mode", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
    ap.add_argument("--threads", type=int, default=1,
                    help="cpp_standalone OpenMP threads (1 = serial code, no OpenMP, the fastest for 1 thread)")
    ap.add_argument("--noise", choices=["held", "xi"], default="held")
    ap.add_argument("--sigma", type=float, help="override the file's sigma (mV)")
    ap.add_argument("--t-stop", type=float, help="override the file's t_stop (ms)")
    ap.add_argument("--seed", type=int, default=1, help="Brian2's random seed")
    ap.add_argument("--build-dir", help="cpp_standalone project directory (reused: unchanged code is not recompiled); "
                    "default: a fresh temporary directory, removed afterwards")
    ap.add_argument("--spikes-out", help="write Brian2's spikes (node_ids, timestamps in lifnet's convention t_{n+1}) to this .npz")
    args = ap.parse_args()

    t_start_all = time.perf_counter()
    config, src, tgt, v0, lifnet_spikes = read_lifnet_file(args.graph)
    N = int(config["N"])
    assert v0.shape[0] == N, "initial_v does not have N entries"
    if float(config.get("f_inh", 0.0)) != 0.0 or config.get("J_norm", "none") != "none":
        sys.exit("only f_inh = 0 and J_norm = none are implemented here")
    if float(config.get("stim_amp", 0.0)) != 0.0 and float(config.get("stim_dur", 0.0)) != 0.0:
        sys.exit("stim_amp is not implemented here")
    if config.get("integrator", "rk4") != "rk4":
        sys.exit("only integrator = rk4 is mirrored here")
    sigma_mV = float(config["sigma"]) if args.sigma is None else args.sigma
    t_stop_ms = float(config["t_stop"]) if args.t_stop is None else args.t_stop
    dt_ms = float(config["dt"])
    nsteps = int(round(t_stop_ms / dt_ms))

    # Brian2's import is slow (and prints warnings); keep it after argument parsing.
    import brian2 as b2
    from brian2 import ms, mV, prefs

    tmpdir = None
    if args.mode == "cpp_standalone":
        build_dir = args.build_dir
        if build_dir is None:
            tmpdir = tempfile.mkdtemp(prefix="brian2_lif_")
            build_dir = tmpdir
        os.makedirs(build_dir, exist_ok=True)
        prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        rss_file = os.path.join(os.path.abspath(build_dir), "results", "maxrss_kb.txt")
        if os.path.exists("/usr/bin/time"):
            prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", rss_file, "./main"]
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=True)
    else:
        prefs.codegen.target = "cython"
        if args.threads != 1:
            print("warning: --threads is ignored in runtime mode", file=sys.stderr)
    b2.seed(args.seed)
    b2.defaultclock.dt = dt_ms * ms

    ns = dict(
        tau_m=float(config["tau_m"]) * ms,
        tau_syn=float(config["tau_syn"]) * ms,
        V_rest=float(config["V_rest"]) * mV,
        V_reset=float(config["V_reset"]) * mV,
        V_th=float(config["V_th"]) * mV,
        I_bias=float(config["I_bias"]) * mV,
        sigma=sigma_mV * mV,
        J=float(config["J"]) * mV,
    )
    if args.noise == "held":
        eqs = """
        dV/dt = (-(V - V_rest) + I + I_bias + eta) / tau_m : volt (unless refractory)
        dI/dt = -I / tau_syn : volt
        eta = sigma * sqrt(2 * tau_m / dt) * randn() : volt (constant over dt)
        """
        method = "rk4"
    else:
        eqs = """
        dV/dt = (-(V - V_rest) + I + I_bias) / tau_m + sigma * sqrt(2 / tau_m) * xi : volt (unless refractory)
        dI/dt = -I / tau_syn : volt
        """
        method = "euler"
    if sigma_mV == 0.0:
        # No random draw at all: the deterministic model.
        eqs = """
        dV/dt = (-(V - V_rest) + I + I_bias) / tau_m : volt (unless refractory)
        dI/dt = -I / tau_syn : volt
        """
        method = "rk4"

    t_ref_ms = float(config["t_ref"])
    G = b2.NeuronGroup(N, eqs, threshold="V >= V_th", reset="V = V_reset",
                       refractory=(t_ref_ms + dt_ms) * ms, method=method, namespace=ns, name="lif")
    G.V = v0 * mV
    G.I = 0 * mV
    S = b2.Synapses(G, G, on_pre="I_post += J", delay=float(config["d"]) * ms, namespace=ns, name="syn")
    S.connect(i=src, j=tgt)
    M = b2.SpikeMonitor(G, name="spikes")
    net = b2.Network(G, S, M)

    t0 = time.perf_counter()
    net.run(nsteps * dt_ms * ms)
    run_call_seconds = time.perf_counter() - t0

    dev = b2.get_device()
    run_seconds = float(dev._last_run_time)
    result = {
        "simulator": f"brian2 {b2.__version__}",
        "mode": args.mode,
        "threads": args.threads if args.mode == "cpp_standalone" else 1,
        "noise": args.noise if sigma_mV > 0 else "none",
        "method": method,
        "graph": os.path.abspath(args.graph),
        "N": N,
        "synapses": int(src.shape[0]),
        "dt_ms": dt_ms,
        "t_stop_ms": t_stop_ms,
        "steps": nsteps,
        "sigma_mV": sigma_mV,
        "run_seconds": run_seconds,
        "neuron_steps_per_s": N * nsteps / run_seconds,
        "run_call_seconds": run_call_seconds,
    }
    if args.mode == "cpp_standalone":
        timers = dev.timers
        compile_s = sum(v for v in timers["compile"].values() if v is not None)
        result["compile_seconds"] = compile_s
        result["run_binary_seconds"] = timers["run_binary"]
        # set-up of the network objects and code generation (everything but make and ./main)
        result["codegen_seconds"] = run_call_seconds - compile_s - (timers["run_binary"] or 0.0)
        if os.path.exists(rss_file):
            with open(rss_file) as fh:
                lines = [l for l in fh.read().split() if l.strip().isdigit()]
            if lines:
                result["binary_peak_rss_kb"] = int(lines[-1])
    else:
        result["compile_seconds"] = None
    # Read the spikes (in cpp_standalone this loads them from the result files)
    ids = np.asarray(M.i[:], dtype=np.int64)
    ts_ms = np.asarray(M.t[:] / ms, dtype=np.float64) + dt_ms  # lifnet's t_{n+1} convention
    nspk = int(ids.shape[0])
    t_tr = float(config.get("t_transient", 100.0))
    result["spikes"] = nspk
    result["mean_rate_hz"] = 1000.0 * nspk / (N * t_stop_ms)
    if t_stop_ms > t_tr:
        result["mean_rate_after_transient_hz"] = 1000.0 * int(np.count_nonzero(ts_ms > t_tr + 1e-9 * dt_ms)) / (
            N * (t_stop_ms - t_tr))
    if lifnet_spikes is not None:
        result["lifnet_spikes_in_file"] = lifnet_spikes
    result["python_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["total_seconds"] = time.perf_counter() - t_start_all
    if args.spikes_out:
        order = np.lexsort((ids, np.round(ts_ms / dt_ms).astype(np.int64)))
        np.savez(args.spikes_out, node_ids=ids[order], timestamps=ts_ms[order])
    if tmpdir is not None:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
