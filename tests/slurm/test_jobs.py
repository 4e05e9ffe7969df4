#!/usr/bin/python3
"""Submits every jobs/ script to a real one-node SLURM (tools/local-slurm.sh)
with a tiny problem and checks what each wrote:

- run.sbatch (4 ranks): the run file exists, has spikes, and was run on 4 ranks;
- sweep.sbatch (4 ranks, 2 per member): its summary equals a direct
  `lifnet sweep` of the same members;
- sweep.sbatch stopped with SIGUSR1 mid-sweep (as --signal=USR1@120 does
  before the time limit): lifnet exits 3, the job requeues itself, and the
  requeued job runs only the members not yet done;
- sweep-array.sbatch (3 array tasks + the dependent merge job): every task
  wrote its part, the merge ran no member itself, and the merged summary equals
  the direct sweep's;
- strong-scaling.sbatch / weak-scaling.sbatch: a CSV row per rank count.

"Equals" means every dataset and root attribute, except /members/group and
/members/wall_seconds (which group ran a member, how long it took) and the
command_line attribute. The jobs run side by side (the node declares 4 CPUs
on this 2-core machine), each waited for with a bounded timeout.

SLURM is started if it is not running and stopped again at the end (left
running if it was). Needs root: exits 77 (ctest: skipped) otherwise.
Environment: LIFNET_BIN (the lifnet executable; default build/lifnet),
LIFNET_SLURM_TIMEOUT (seconds for all jobs, default 240).
"""
import csv
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCAL_SLURM = os.path.join(ROOT, "tools", "local-slurm.sh")
LIFNET = os.path.abspath(os.environ.get("LIFNET_BIN") or os.path.join(ROOT, "build", "lifnet"))
TIMEOUT = float(os.environ.get("LIFNET_SLURM_TIMEOUT", "240"))
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
            "BOOT_FAIL", "DEADLINE"}

# The tiny problem: 2 points x 6 seeds of a 200-neuron network, 200 ms.
PROBLEM = ["--set", "N=200", "--set", "t_stop=200", "--vary", "p=0,0.5"]
SEEDS = "1-6"

# The stop-and-resume sweep: 16 members of 2000 neurons, 1 s, on 2 ranks (several seconds).
RESUME_PROBLEM = ["--set", "N=2000", "--vary", "p=0,0.5", "--seeds", "1-8"]

failures = []


class Resumer:
    """Sends SIGUSR1 to a sweep job's ranks once its journal has 2 finished members, then,
    when the job is back in the queue (requeued, begin time now + 120 s, SLURM's
    rule for requeued jobs), lets it start at once."""

    def __init__(self, job_id, journal, env):
        self.job_id, self.journal, self.env = job_id, journal, env
        self.signalled = self.released = False

    def tick(self):
        if not self.signalled:
            try:
                with open(self.journal) as fh:  # finished members, not the "started" records
                    records = sum(1 for line in fh if line.split("\t")[6:7] != ["started"])
            except FileNotFoundError:
                return
            if records >= 2:
                subprocess.run(["scancel", "--signal=USR1", self.job_id], env=self.env, check=True)
                self.signalled = True
                print(f"     resume: SIGUSR1 sent to job {self.job_id} after {records} members", flush=True)
        elif not self.released:
            out = subprocess.run(["scontrol", "-o", "show", "job", self.job_id], env=self.env, text=True,
                                 stdout=subprocess.PIPE).stdout
            if "JobState=PENDING" in out and "Restarts=1" in out:
                subprocess.run(["scontrol", "update", f"jobid={self.job_id}", "StartTime=now"], env=self.env,
                               check=True)
                self.released = True
                print(f"     resume: job {self.job_id} requeued; released", flush=True)


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def sh(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


def job_states(job_id, env):
    """{job or array-task id: (state, exit code)} from scontrol."""
    out = subprocess.run(["scontrol", "-o", "show", "job", str(job_id)], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    states = {}
    for line in out.splitlines():
        f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        jid = f.get("JobId", "?")
        if f.get("ArrayTaskId"):
            jid = f"{f.get('ArrayJobId')}_{f['ArrayTaskId']}"
        states[jid] = (f.get("JobState", "?"), f.get("ExitCode", "?"))
    return states


def wait_all(jobs, env, deadline, tick=lambda: None):
    """Waits until every job (name -> id) has ended, calling tick() every second;
    returns name -> {id: (state, exit)}."""
    done = {}
    while True:
        tick()
        for name, jid in jobs.items():
            if name in done:
                continue
            s = job_states(jid, env)
            # An array job shows its pending tasks as one line until they start.
            if s and all(st in TERMINAL for st, _ in s.values()) and not any("[" in k for k in s):
                done[name] = s
                print(f"     {name} (job {jid}) ended: {s}", flush=True)
        if len(done) == len(jobs):
            return done
        if time.monotonic() > deadline:
            for name, jid in jobs.items():
                if name not in done:
                    print(f"     {name} (job {jid}) still not done: {job_states(jid, env)}", flush=True)
                    subprocess.run(["scancel", str(jid)], env=env)
            return done
        time.sleep(1)


def ok_job(done, name):
    s = done.get(name)
    return check(s is not None and all(st == "COMPLETED" and ex == "0:0" for st, ex in s.values()),
                 f"{name}: every job completed with exit 0 ({s})")


def h5_content(path):
    """name -> numpy value for every dataset, '@attr' -> value for the root attributes."""
    items = {}
    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            items["@" + k] = v
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                items[name] = obj[()]
        f.visititems(visit)
    return items


def same_summary(a, b, what):
    skip = {"members/group", "members/wall_seconds", "@command_line"}
    ca, cb = h5_content(a), h5_content(b)
    if not check(set(ca) == set(cb), f"{what}: same datasets and attributes"):
        print("     only in one:", sorted(set(ca) ^ set(cb)))
        return
    diff = []
    for k in sorted(set(ca) - skip):
        x, y = np.asarray(ca[k]), np.asarray(cb[k])
        if x.dtype.kind == "f":
            equal = x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
        else:
            equal = x.shape == y.shape and np.array_equal(x, y)
        if not equal:
            diff.append(k)
    check(not diff, f"{what}: equal in every dataset but members/group and members/wall_seconds"
                    + (f" (differ: {diff})" if diff else ""))


def main():
    if os.geteuid() != 0:
        print("test_jobs: needs root (local SLURM daemons run as root); skipped")
        return 77
    if not os.access(LIFNET, os.X_OK):
        print(f"test_jobs: no lifnet executable at {LIFNET}")
        return 1
    t_start = time.monotonic()
    env = dict(os.environ)
    env["SLURM_CONF"] = os.path.join(env.get("LIFNET_SLURM_DIR", "/tmp/lifnet-slurm"), "slurm.conf")
    env["LIFNET"] = LIFNET
    # 4 ranks on 2 cores: waiting ranks must yield the core, or they starve each other.
    env["OMPI_MCA_mpi_yield_when_idle"] = "1"
    for k in list(env):  # nothing from an enclosing job or shell may leak into the submissions
        if k.startswith(("SLURM_", "SBATCH_", "SALLOC_", "SRUN_")) and k != "SLURM_CONF":
            del env[k]

    was_running = subprocess.run([LOCAL_SLURM, "status"], env=env, stdout=subprocess.DEVNULL).returncode == 0
    try:
        subprocess.run([LOCAL_SLURM, "start"], env=env, check=True, timeout=600)
    except subprocess.CalledProcessError:
        check(False, "tools/local-slurm.sh start")
        return 1
    print(f"     SLURM up after {time.monotonic() - t_start:.1f} s", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="lifnet-slurm-test-") as work:
            run_jobs(env, work)
    finally:
        if not was_running:
            subprocess.run([LOCAL_SLURM, "stop"], env=env)
    print(f"test_jobs: {len(failures)} failure(s), {time.monotonic() - t_start:.1f} s", flush=True)
    return 1 if failures else 0


def run_jobs(env, work):
    jobs_dir = os.path.join(ROOT, "jobs")

    def sbatch(script, opts, args=(), extra_env=None):
        e = dict(env, **(extra_env or {}))
        out = sh(["sbatch", "--parsable", "--time=5", f"--chdir={work}"] + opts
                 + [os.path.join(jobs_dir, script)] + list(args), env=e, cwd=work)
        return out.strip().split(";")[0]

    # Submit everything; the jobs run side by side as CPUs allow.
    jobs = {}
    # First the stop-and-resume sweep: stopped with SIGUSR1 (what --signal=USR1@120
    # sends before the time limit) once 2 members are done, it requeues itself
    # and the requeued job finishes the sweep.
    jobs["resume"] = sbatch("sweep.sbatch", ["-n", "2", "--output=resume.out"], RESUME_PROBLEM,
                            {"OUT": "resume.h5"})
    resume = Resumer(jobs["resume"], os.path.join(work, "resume.h5.journal"), env)
    jobs["run"] = sbatch("run.sbatch", ["-n", "4", "--output=run.out"], ["--set", "N=300", "--set", "t_stop=200"],
                         {"OUT": "run.h5"})
    jobs["sweep"] = sbatch("sweep.sbatch", ["-n", "4", "--output=sweep.out"], PROBLEM + ["--seeds", SEEDS],
                           {"OUT": "sweep.h5", "RANKS_PER_MEMBER": "2"})
    # The array: submitted by running the script, which submits the array and the merge job.
    array_env = dict(env, SEEDS=SEEDS, TASKS="3", OUT="array.h5", SBATCH_TIMELIMIT="5", ARRAY_ARGS="-n 1")
    out = sh(["bash", os.path.join(jobs_dir, "sweep-array.sbatch")] + PROBLEM, env=array_env, cwd=work)
    print("     " + out.strip(), flush=True)
    words = out.split()
    jobs["array"] = words[words.index("array") + 2]
    jobs["merge"] = words[words.index("merge") + 2]
    jobs["strong"] = sbatch("strong-scaling.sbatch", ["-n", "4", "--output=strong.out"],
                            ["--set", "t_stop=100"], {"N": "2000", "OUT": "strong.csv",
                                                      "SCALING": os.path.join(ROOT, "benchmarks", "scaling.py")})
    jobs["weak"] = sbatch("weak-scaling.sbatch", ["-n", "2", "--output=weak.out"],
                          ["--set", "t_stop=100"], {"N": "1000", "OUT": "weak.csv",
                                                    "SCALING": os.path.join(ROOT, "benchmarks", "scaling.py")})

    # Meanwhile, the reference: the same sweep run directly, on one rank, outside SLURM.
    direct = os.path.join(work, "direct.h5")
    subprocess.run([LIFNET, "sweep"] + PROBLEM + ["--seeds", SEEDS, "-o", direct], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    done = wait_all(jobs, env, time.monotonic() + TIMEOUT, resume.tick)
    logs = {}
    for name in ["run", "sweep", "merge", "strong", "weak", "resume"]:
        path = os.path.join(work, f"{name}.out")
        if name == "merge":
            path = os.path.join(work, f"lifnet-sweep-merge-{jobs['merge']}.out")
        logs[name] = open(path).read() if os.path.exists(path) else ""
    for name in jobs:
        if not ok_job(done, name):
            print(f"---- {name} log:\n{logs.get(name, '')}----", flush=True)

    # run.sbatch
    run_h5 = os.path.join(work, "run.h5")
    if check(os.path.exists(run_h5), "run.sbatch wrote run.h5"):
        with h5py.File(run_h5, "r") as f:
            spikes = f["spikes/lifnet/node_ids"].shape[0]
            check(spikes > 0, f"run.h5 has spikes ({spikes})")
            check(int(f.attrs["ranks"]) == 4, f"run.h5 ran on 4 ranks ({f.attrs['ranks']})")
            phases = f.attrs["wall_seconds_phases"]
            phases = (phases.decode() if isinstance(phases, bytes) else str(phases)).split(",")
            check(len(f.attrs["wall_seconds"]) == len(phases) and "simulate" in [p.strip() for p in phases],
                  f"run.h5 has wall_seconds per phase ({len(phases)})")
    check("wall time: startup" in logs["run"] and "simulate" in logs["run"], "run.sbatch's log has lifnet's summary")

    # sweep.sbatch
    sweep_h5 = os.path.join(work, "sweep.h5")
    if check(os.path.exists(sweep_h5), "sweep.sbatch wrote sweep.h5"):
        with h5py.File(sweep_h5, "r") as f:
            status = [s.decode() if isinstance(s, bytes) else s for s in f["members/status"][()]]
            check(len(status) == 12 and all(s == "ok" for s in status), "sweep.h5: 12 members, all ok")
            check(sorted(set(f["members/group"][()].tolist())) == [0, 1], "sweep.h5: members ran on 2 groups")
        same_summary(sweep_h5, direct, "sweep.sbatch summary vs direct sweep")

    # the stopped and requeued sweep
    check(resume.signalled, "resume: SIGUSR1 sent to the sweep's ranks while it ran")
    check(resume.released, "resume: the job was requeued (pending, Restarts=1)")
    check("requeueing, restart 1" in logs["resume"], "resume: sweep.sbatch requeued the job after lifnet's exit 3")
    m = re.search(r"16 members, (\d+) run now, (\d+) already done, 0 failed", logs["resume"])
    check(m is not None and int(m.group(2)) >= 2 and int(m.group(1)) + int(m.group(2)) == 16,
          f"resume: the requeued job ran only the members not done ({m.group(0) if m else 'no final line'})")
    resume_h5 = os.path.join(work, "resume.h5")
    if check(os.path.exists(resume_h5), "resume: summary written after the restart"):
        with h5py.File(resume_h5, "r") as f:
            status = [x.decode() if isinstance(x, bytes) else x for x in f["members/status"][()]]
            check(len(status) == 16 and all(x == "ok" for x in status), "resume: 16 members, all ok")

    # sweep-array.sbatch
    parts = os.path.join(work, "array.h5.parts")
    check(all(os.path.exists(os.path.join(parts, f"task-{i}.h5.journal")) for i in range(3)),
          "sweep-array: every array task wrote its journal")
    check("12 members, 0 run now, 12 already done" in logs["merge"],
          "sweep-array: the merge job found all 12 members done")
    array_h5 = os.path.join(work, "array.h5")
    if check(os.path.exists(array_h5), "sweep-array: the merge job wrote array.h5"):
        same_summary(array_h5, direct, "array merge summary vs direct sweep")

    # scaling
    for mode, ranks, n in [("strong", [1, 2, 4], lambda r: 2000), ("weak", [1, 2], lambda r: 1000 * r)]:
        path = os.path.join(work, f"{mode}.csv")
        if not check(os.path.exists(path), f"{mode}-scaling wrote its CSV"):
            continue
        with open(path) as fh:
            rows = list(csv.DictReader(fh))
        check([int(r["ranks"]) for r in rows] == ranks, f"{mode}: rows for ranks {ranks}")
        check([int(r["N"]) for r in rows] == [n(x) for x in ranks], f"{mode}: N per row")
        check(all(float(r["simulate_s"]) > 0 and float(r["neuron_steps_per_s"]) > 0 and r["launcher"] == "srun"
                  and int(r["spikes"]) > 0 for r in rows), f"{mode}: timings, throughput and spikes filled in")
        check(abs(float(rows[0]["efficiency"]) - 1) < 1e-9, f"{mode}: efficiency 1 at 1 rank")


if __name__ == "__main__":
    sys.exit(main())
