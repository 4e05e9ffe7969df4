"""The drawing of a run's plots, shared by tools/lifnet-plot (which loads this
file by its path) and lifnet.Result (plot_raster, plot_vbar): one
implementation. Pure matplotlib on arrays; times in ms, potentials in mV."""
import numpy as np


def fmt(value):
    """A value for a label: reals in %g, bytes decoded."""
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return value.decode() if isinstance(value, bytes) else str(value)


def run_title(config, chi=None, E=None):
    """'N = 1000, k = 4, p = 0.3, seed = 1   χ = 0.123, E = 1.23 mV' from the
    configuration's dict and the measures (skipped when None)."""
    title = ", ".join(f"{k} = {fmt(config[k])}" for k in ("N", "k", "p", "seed") if k in config)
    if chi is not None and E is not None:
        title += f"   χ = {chi:.3f}, E = {E:.2f} mV"
    return title


def mark_run(ax, title, t_stop=None, t_transient=None):
    """The time axis [0, t_stop] ms with the transient excluded from the
    measures shaded, and the title."""
    if t_stop:
        ax.set_xlim(0, t_stop)
    if t_transient:
        ax.axvspan(0, t_transient, color="0.88", zorder=0)
        ax.axvline(t_transient, color="C3", ls="--", lw=1)
        ax.text(t_transient, 1.0, rf"$t_{{\rm transient}}$ = {t_transient:g} ms", color="C3",
                fontsize=8, va="bottom", ha="center", transform=ax.get_xaxis_transform())
    ax.set_title(title, fontsize=10, pad=14 if t_transient else 6)


def raster(ax, times, ids, n):
    """Spikes: times [ms] against node ids of a network of n neurons."""
    ax.plot(times, ids, "|" if n <= 300 else ".", color="k", rasterized=len(times) > 20000,
            ms=max(0.5, min(4.0, 800 / n)), mew=0.6 if n <= 300 else 0)
    ax.set(xlabel="time [ms]", ylabel="neuron id", ylim=(-0.5, n - 0.5))


def vbar(ax, t, Vbar):
    """The population mean potential V̄ [mV] at the sample times t [ms]."""
    ax.plot(t, Vbar, lw=0.8, color="C0")
    ax.set(xlabel="time [ms]", ylabel=r"population mean $\bar{V}(t)$ [mV]")


MEASURES = {"chi": ("χ", ""), "E": ("E", "mV"), "R": ("R", ""),
            "rate_hz": ("mean rate", "Hz"), "cv": ("CV of ISIs", "")}
UNITS = dict.fromkeys(["dt", "t_stop", "tau_m", "tau_syn", "t_ref", "d", "t_transient", "sample_dt",
                       "stim_start", "stim_dur"], "ms")
UNITS.update(dict.fromkeys(["V_th", "V_reset", "V_rest", "I_bias", "sigma", "J", "stim_amp"], "mV"))


def label(name, unit):
    """'name [unit]', or the name alone for a quantity without unit."""
    return f"{name} [{unit}]" if unit else name


def heatmap(ax, data, ids, t0, dt, unit="mV"):
    """The membrane potential as an image: data [samples, recorded neurons]
    (numpy or h5py; at most about 2000 x 1000 pixels are read) of the
    neurons `ids`, sampled every dt [ms] from t0 [ms]; a colour bar in `unit`."""
    st, sn = max(1, data.shape[0] // 2000), max(1, data.shape[1] // 1000)  # pixel budget
    v = np.asarray(data[::st, ::sn]).T
    ids = np.asarray(ids)[::sn]
    step = np.diff(ids.astype(np.int64))
    even = len(ids) > 1 and np.all(step == step[0])
    dy = step[0] / 2 if even else 0.5
    y = (ids[0] - dy, ids[-1] + dy) if even or len(ids) == 1 else (-0.5, len(ids) - 0.5)
    im = ax.imshow(v, aspect="auto", origin="lower", interpolation="nearest", cmap="viridis",
                   extent=(t0 - st * dt / 2, t0 + (data.shape[0] - st / 2) * dt, *y))
    if not even and len(ids) > 1:
        ticks = np.linspace(0, len(ids) - 1, min(len(ids), 8)).round().astype(int)
        ax.set_yticks(ticks, [str(i) for i in ids[ticks]])
    ax.figure.colorbar(im, ax=ax, pad=0.01).set_label(label("membrane potential V", unit))
    ax.set(xlabel="time [ms]", ylabel="neuron id")
    return im


def _sweep_axes(points, varied):
    """x (the first varied key's values) and the groups of rows, one per
    value of a second varied key."""
    if not varied or any(k not in points for k in varied):
        raise ValueError(f"varied = {varied!r} does not name columns of the points table")
    x = np.asarray(points[varied[0]]).astype(float)
    groups = [(None, np.ones(len(x), bool))]
    if len(varied) > 1:
        col = np.asarray(points[varied[1]])
        groups = [(f"{varied[1]} = {fmt(v)}", col == v) for v in np.unique(col)]
    return x, groups


def _draw_measure(ax, points, varied, m, color, marker="o", ls="-", lab=None):
    """Measure m's mean ± sem over seeds per point against the first varied key."""
    x, groups = _sweep_axes(points, varied)
    for i, (name, sel) in enumerate(groups):
        order = np.argsort(x[sel])
        y, e = np.asarray(points[f"{m}_mean"])[sel][order], np.asarray(points[f"{m}_sem"])[sel][order]
        ax.errorbar(x[sel][order], y, yerr=np.nan_to_num(e), color=color or f"C{i}", marker=marker, ls=ls,
                    ms=4, capsize=3, lw=1.2, label=lab if lab else name)
    if len(x) and np.all(x > 0) and x.max() / x.min() > 50:
        ax.set_xscale("log")
    ax.set_ylabel(label(*MEASURES[m]))
    ax.set_xlabel(label(varied[0], UNITS.get(varied[0], "")))


def sweep_title(name, points):
    """'name (n runs per point)' from the points table's n column."""
    n = np.asarray(points["n"]) if "n" in points else np.zeros(0)
    if not len(n) or not n.max():
        return name
    lo, hi = int(n.min()), int(n.max())
    runs = (f"{lo}" if lo == hi else f"{lo}–{hi}") + (" run per point" if hi == 1 else " runs per point")
    return f"{name} ({runs})"


def sync_vs(fig, points, varied, title):
    """E [mV] (left axis) and χ (right axis), mean ± sem over seeds, against
    the first varied key; one line per value of a second varied key."""
    ax = fig.add_subplot()
    ax2 = ax.twinx()
    one = len(_sweep_axes(points, varied)[1]) == 1
    _draw_measure(ax, points, varied, "E", "C0" if one else None, "o", "-", "E" if one else None)
    _draw_measure(ax2, points, varied, "chi", "C3" if one else None, "s", "--", "χ" if one else None)
    if one:
        ax.yaxis.label.set_color("C0")
        ax2.yaxis.label.set_color("C3")
        handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax2.legend(handles, ["E", "χ"], fontsize=8, loc="best")  # ax2 is drawn on top
    else:
        import matplotlib.lines as lines
        style = [lines.Line2D([], [], color="k", marker="o", ms=4, ls="-", label="E (left)"),
                 lines.Line2D([], [], color="k", marker="s", ms=4, ls="--", label="χ (right)")]
        ax2.legend(handles=ax.get_legend_handles_labels()[0] + style, fontsize=8, loc="best")
    ax.set_title(f"{title}: synchrony vs {varied[0]}", fontsize=10)
    fig.tight_layout()
    return ax, ax2


def measures_vs(fig, points, varied, title):
    """R, the mean rate [Hz] and the CV of ISIs against the first varied key,
    one panel each; False when the table has none of them."""
    rest = [m for m in ("R", "rate_hz", "cv") if f"{m}_mean" in points]
    if not rest:
        return False
    one = len(_sweep_axes(points, varied)[1]) == 1
    axes = fig.subplots(1, len(rest), squeeze=False)[0]
    for ax, m in zip(axes, rest):
        _draw_measure(ax, points, varied, m, "C0" if one else None)
        ax.set_title(MEASURES[m][0], fontsize=10)
    if not one:
        axes[0].legend(fontsize=8)
    fig.suptitle(f"{title}: measures vs {varied[0]}", fontsize=10)
    fig.tight_layout()
    return True
