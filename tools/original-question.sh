#!/usr/bin/env bash
# Reproduces every number, table and figure of docs/original-question.md:
# does the synchronisation error E first fall and then rise as the
# Watts–Strogatz rewiring probability p grows (MODEL.md §6)?
#
#   tools/original-question.sh            # sweeps + analysis (~9 min on 2 busy cores)
#   NP=8 tools/original-question.sh       # on 8 ranks (default: nproc)
#   tools/original-question.sh --analyse  # only redo tables and figures
#
# Sweep summaries go to results/original-question/ (OUT=... to change), the
# tables to results/original-question/tables.md, the figures to docs/figures/.
# Every sweep is resumable: running the script again skips finished members.
# Needs build/lifnet (tools/test.sh builds it) and /usr/bin/python3 with
# h5py, numpy and matplotlib. lifnet runs under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-results/original-question}
np=${NP:-$(nproc)}
mkdir -p "$out" docs/figures
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_mpi_yield_when_idle=1

sweep() {  # sweep NAME ARGS...: one lifnet sweep into $out/NAME.h5
  local name=$1; shift
  echo "== $name: lifnet sweep $*" >&2
  local try
  for try in 1 2 3; do  # a failed start (or a failed member) is retried; done members are kept
    nice -n 19 mpirun --oversubscribe -np "$np" build/lifnet sweep "$@" -o "$out/$name.h5" | tail -1 \
      && return 0
    echo "== $name: attempt $try failed" >&2; sleep 5
  done
  return 1
}

P6=0,0.1,0.3,0.5,0.7,0.9                 # the original study's p values
# p = 0 and 13 values log-spaced 1e-3 ... 1 (10^(-3 + i/4), 4 digits)
PLOG=0,0.001,0.001778,0.003162,0.005623,0.01,0.01778,0.03162,0.05623,0.1,0.1778,0.3162,0.5623,1
JN=J_norm=none,in_degree

if [ "${1:-}" != "--analyse" ]; then
  # 1. The original study (N = 100, k = 4, the six p of its [sweep] table, seeds 1-20),
  #    without and with in-degree normalisation. 240 members.
  sweep study-n100 configs/original-study.toml --vary $JN
  # 2. The same at N = 10,000 with 10 seeds (about 2.5 s per member on one busy core;
  #    120 members, ~5 min on 2 cores). No membrane report is kept (record = none).
  sweep study-n10000 configs/original-study.toml --set N=10000 --set record=none \
    --vary $JN --seeds 1-10
  # 3. A denser, log-spaced p grid at N = 100 and N = 1000, 20 seeds. The defaults
  #    are the original study's set-up (N = 100, k = 4, ws, rk4): no config file,
  #    because --vary p may not be added to a file that already varies p.
  sweep dense-n100  --vary p=$PLOG --vary $JN --seeds 1-20
  sweep dense-n1000 --vary p=$PLOG --vary $JN --seeds 1-20 --set N=1000 --set record=none
  # 4. Other regimes, N = 100, the six p, 20 seeds, J_norm = none:
  #    a. stronger excitatory coupling, J = 2 (default), 8, 16 mV;
  sweep regime-J configs/original-study.toml --vary J=2,8,16
  #    b. weak noise, sigma = 0.1 mV, J = 1, 2, 4 mV (the most synchronised regime found);
  sweep regime-lownoise configs/original-study.toml --set sigma=0.1 --vary J=1,2,4
  #    c. inhibition: a fraction f_inh = 0.2, 0.5, 1 of inhibitory neurons (g = 4), J = 16 mV;
  sweep regime-inh configs/original-study.toml --set J=16 --vary f_inh=0.2,0.5,1
  #    d. the weak-noise regime (sigma = 0.1 mV, J = 1 mV) on the dense p grid, N = 100 and 1000.
  sweep lownoise-dense-n100  --set sigma=0.1 --set J=1 --vary p=$PLOG --vary $JN --seeds 1-20
  sweep lownoise-dense-n1000 --set sigma=0.1 --set J=1 --vary p=$PLOG --vary $JN --seeds 1-20 \
    --set N=1000 --set record=none
  # 5. A confirmation on fresh seeds: weak noise, J = 1 and 2 mV, N = 100, seeds 21-60.
  #    Its test compares p = 0.3 (the minimum of E that sweep 4b found) with both ends.
  sweep lownoise-confirm configs/original-study.toml --set sigma=0.1 --vary J=1,2 --seeds 21-60
fi

/usr/bin/python3 - "$out" docs/figures <<'PY'
"""Tables (mean ± sem, n), the fall-then-rise test, and the figures."""
import sys, math
import h5py, numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out, figdir = sys.argv[1], sys.argv[2]

def s(x):
    return x.decode() if isinstance(x, bytes) else x

def load(name):
    """Members of a sweep: dict of column -> array, and the varied keys."""
    with h5py.File(f"{out}/{name}.h5") as f:
        varied = s(f.attrs["varied"]).split(",")
        m = {k: f["members"][k][:] for k in f["members"]}
    for k in m:
        if m[k].dtype.kind == "S":
            m[k] = np.array([s(v).strip() for v in m[k]])
    assert all(st == "ok" for st in m["status"]), f"{name}: not every member is ok"
    return m, varied

def stats(v):
    v = v[~np.isnan(v)]
    n = len(v)
    return v.mean(), (v.std(ddof=1) / math.sqrt(n) if n > 1 else float("nan")), n

def curves(name, by):
    """{value of `by` (or None): (p array, {measure: (mean, sem, n) arrays}, members mask list)}"""
    m, varied = load(name)
    groups = sorted(set(m[by])) if by else [None]
    if by == "J_norm":
        groups = ["none", "in_degree"]
    res = {}
    for g in groups:
        sel = np.ones(len(m["p"]), bool) if g is None else (m[by] == g)
        ps = np.array(sorted(set(m["p"][sel])))
        d = {}
        for meas in ("E", "chi", "rate_hz"):
            d[meas] = np.array([stats(m[meas][sel & (m["p"] == p)]) for p in ps])
        res[g] = (ps, d, m, sel)
    return res

def z(a, b):  # (mean, sem) pairs: (a - b) in combined sems
    return (a[0] - b[0]) / math.hypot(a[1], b[1])

def dip_test(ps, mean, sem, sign=+1):
    """Interior extremum vs both ends. sign=+1: interior minimum (E); -1: maximum (chi).
    Returns (p*, z_left, z_right): how many combined sems the ends lie above (E) or
    below (chi) the interior extremum."""
    inner = range(1, len(ps) - 1)
    i = min(inner, key=lambda j: sign * mean[j])
    zl = sign * z((mean[0], sem[0]), (mean[i], sem[i]))
    zr = sign * z((mean[-1], sem[-1]), (mean[i], sem[i]))
    return ps[i], zl, zr

def heldout_test(m, sel, meas, sign=+1):
    """Pick the interior extremum on the first half of the seeds, test it on the second half."""
    seeds = np.array(sorted(set(m["seed"][sel])))
    a, b = seeds[: len(seeds) // 2], seeds[len(seeds) // 2:]
    ps = np.array(sorted(set(m["p"][sel])))
    def pt(p, half):
        return stats(m[meas][sel & (m["p"] == p) & np.isin(m["seed"], half)])[:2]
    first = [pt(p, a)[0] for p in ps]
    i = min(range(1, len(ps) - 1), key=lambda j: sign * first[j])
    e0, ei, e1 = pt(ps[0], b), pt(ps[i], b), pt(ps[-1], b)
    return ps[i], sign * z(e0, ei), sign * z(e1, ei)

def fmt(mean, sem, digits):
    return f"{mean:.{digits}f} ± {sem:.{digits}f}"

lines = []   # the measure tables, one per sweep
tests = []   # the fall-then-rise tests, one table for all sweeps
tests.append("| sweep | curve | E: interior min at p | ends above it (sem): first, last "
             "| held out: p, first, last (sem) | E(last) − E(first) (mV, sem) "
             "| chi: interior max at p | ends below it (sem) |\n|---|---|---|---|---|---|---|---|")
def table(title, name, by, labels):
    res = curves(name, by)
    ns = {int(d["E"][j][2]) for ps, d, m, sel in res.values() for j in range(len(ps))}
    ns |= {int(d["chi"][j][2]) for ps, d, m, sel in res.values() for j in range(len(ps))}
    assert len(ns) == 1, f"{name}: n differs between points"
    lines.append(f"### {title}\n\n`{name}.h5`, n = {ns.pop()} seeds at every point "
                 "(every member ok); mean ± sem over seeds\n")
    groups = list(res)
    ps = res[groups[0]][0]
    head = "| p | " + " | ".join(f"E (mV), {labels(g)} | chi, {labels(g)} | rate (Hz)" for g in groups) + " |"
    lines.append(head + "\n|---|" + "---|---|---|" * len(groups))
    for j, p in enumerate(ps):
        row = [f"{p:g}"]
        for g in groups:
            d = res[g][1]
            row += [fmt(*d["E"][j][:2], 4), fmt(*d["chi"][j][:2], 4), f"{d['rate_hz'][j][0]:.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for g in groups:
        ps, d, m, sel = res[g]
        E, c = d["E"], d["chi"]
        pe, zl, zr = dip_test(ps, E[:, 0], E[:, 1], +1)
        pc, cl, cr = dip_test(ps, c[:, 0], c[:, 1], -1)
        hp, hl, hr = heldout_test(m, sel, "E", +1)
        trend = z((E[-1, 0], E[-1, 1]), (E[0, 0], E[0, 1]))
        tests.append(f"| {name} | {labels(g)} | {pe:g} | {zl:+.1f}, {zr:+.1f} | {hp:g}: {hl:+.1f}, {hr:+.1f} "
                     f"| {E[-1,0]-E[0,0]:+.4f} ({trend:+.1f}) | {pc:g} | {cl:+.1f}, {cr:+.1f} |")
    return res

jn = lambda g: f"J_norm = {g}"
r_n100 = table("N = 100, the original study's p", "study-n100", "J_norm", jn)
r_n1e4 = table("N = 10,000, the original study's p", "study-n10000", "J_norm", jn)
r_d100 = table("Dense p grid, N = 100", "dense-n100", "J_norm", jn)
r_d1000 = table("Dense p grid, N = 1000", "dense-n1000", "J_norm", jn)
r_J = table("Stronger excitatory coupling (sigma = 1 mV), N = 100", "regime-J", "J",
            lambda g: f"J = {g:g} mV")
r_ln = table("Weak noise (sigma = 0.1 mV), N = 100", "regime-lownoise", "J",
             lambda g: f"J = {g:g} mV")
r_inh = table("Inhibition (J = 16 mV, g = 4, sigma = 1 mV), N = 100", "regime-inh", "f_inh",
              lambda g: f"f_inh = {g:g}")
r_ld100 = table("Weak noise (sigma = 0.1 mV, J = 1 mV), dense p grid, N = 100",
                "lownoise-dense-n100", "J_norm", jn)
r_ld1000 = table("Weak noise (sigma = 0.1 mV, J = 1 mV), dense p grid, N = 1000",
                 "lownoise-dense-n1000", "J_norm", jn)
r_conf = table("Weak noise (sigma = 0.1 mV), N = 100, fresh seeds 21-60", "lownoise-confirm", "J",
               lambda g: f"J = {g:g} mV")
confirm = ["| curve | E(0.3) − E(0) (mV, sem) | E(0.3) − E(0.9) (mV, sem) "
           "| chi(0.3) − chi(0) (sem) | chi(0.3) − chi(0.9) (sem) |\n|---|---|---|---|---|"]
for g, (ps, d, m, sel) in r_conf.items():
    i, a, b = list(ps).index(0.3), 0, len(ps) - 1
    E, c = d["E"], d["chi"]
    confirm.append(f"| J = {g:g} mV | {E[i,0]-E[a,0]:+.3f} ({z(E[i], E[a]):+.1f}) "
                   f"| {E[i,0]-E[b,0]:+.3f} ({z(E[i], E[b]):+.1f}) "
                   f"| {c[i,0]-c[a,0]:+.3f} ({z(c[i], c[a]):+.1f}) | {c[i,0]-c[b,0]:+.3f} ({z(c[i], c[b]):+.1f}) |")
lines.append("### Confirmation at p = 0.3 fixed in advance (fresh seeds 21-60)\n")
lines += confirm + [""]
text = "\n".join(lines) + "\n### Tests\n\n" + "\n".join(tests) + "\n"
with open(f"{out}/tables.md", "w") as f:
    f.write(text)
print(text)

# ---- figures ----
P0 = 3e-4  # where p = 0 is drawn on a log axis
def draw(ax, res, meas, labels, logx=False, styles=None):
    for k, (g, (ps, d, m, sel)) in enumerate(res.items()):
        x = np.where(ps == 0, P0, ps) if logx else ps
        mean, sem = d[meas][:, 0], d[meas][:, 1]
        ax.errorbar(x, mean, yerr=sem, marker="os^v"[k % 4], ms=4, capsize=3, lw=1.2,
                    label=labels(g))
    if logx:
        ax.set_xscale("log")
        ticks = [P0, 1e-3, 1e-2, 1e-1, 1]
        ax.set_xticks(ticks, ["0", "$10^{-3}$", "$10^{-2}$", "$10^{-1}$", "1"])
        ax.axvline(math.sqrt(P0 * 1e-3), color="0.8", lw=0.8, ls=":")
    ax.set_xlabel("rewiring probability p")
    ax.set_ylabel({"E": "synchronisation error E (mV)", "chi": "coherence chi",
                   "rate_hz": "rate (Hz)"}[meas])
    ax.grid(alpha=0.3)

def grid2(panels, fname, title, logx=False):
    fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 6.4), squeeze=False)
    for c, (ptitle, res, lab) in enumerate(panels):
        draw(axes[0, c], res, "E", lab, logx)
        draw(axes[1, c], res, "chi", lab, logx)
        axes[0, c].set_title(ptitle, fontsize=10)
        axes[0, c].legend(fontsize=8)
    fig.suptitle(title + "  (mean ± sem over seeds)", fontsize=10)
    fig.tight_layout()
    fig.savefig(f"{figdir}/{fname}", dpi=80)
    plt.close(fig)

grid2([("N = 100, 20 seeds", r_n100, jn), ("N = 10,000, 10 seeds", r_n1e4, jn)],
      "oq-study.png", "Original study's p values, k = 4, defaults (I_bias = 16 mV, sigma = 1 mV, J = 2 mV)")
grid2([("N = 100, 20 seeds", r_d100, jn), ("N = 1000, 20 seeds", r_d1000, jn)],
      "oq-dense.png", "Dense p grid, k = 4, defaults", logx=True)
grid2([("sigma = 1 mV, J varied", r_J, lambda g: f"J = {g:g} mV"),
       ("sigma = 0.1 mV, J varied", r_ln, lambda g: f"J = {g:g} mV"),
       ("J = 16 mV, g = 4, f_inh varied", r_inh, lambda g: f"f_inh = {g:g}")],
      "oq-regimes.png", "Other regimes, N = 100, k = 4, J_norm = none, 20 seeds")
grid2([("N = 100, 20 seeds", r_ld100, jn), ("N = 1000, 20 seeds", r_ld1000, jn)],
      "oq-lownoise-dense.png", "Weak noise (sigma = 0.1 mV, J = 1 mV), dense p grid, k = 4", logx=True)
print(f"tables: {out}/tables.md; figures: {figdir}/oq-*.png")
PY
