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
