"""lifnet from Python: leaky integrate-and-fire networks on small-world graphs,
over the same engine as the `lifnet` command (time in ms, voltage in mV).

    import lifnet
    result = lifnet.run(lifnet.Config(N=1000, p=0.3, t_stop=500))
    result.chi, result.node_ids, result.times

Under `mpirun -np 4 python3 script.py`, run() distributes the network over
every rank (or over `comm=`, an mpi4py communicator)."""
from lifnet._core import Config, ConfigError, Error, FileError, Result, __version__, open, run

__all__ = ["Config", "ConfigError", "Error", "FileError", "Result", "run", "__version__"]


def _figure(result, draw, path, size):
    import matplotlib.pyplot as plt

    from lifnet import plots
    config = result.config.to_dict()
    fig, ax = plt.subplots(figsize=size)
    draw(plots, ax, config)
    plots.mark_run(ax, plots.run_title(config, result.chi, result.E), config["t_stop"], config["t_transient"])
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=150)
    return fig


def _plot_raster(self, path=None):
    """The spikes (time [ms] against node id) as a matplotlib Figure, saved to
    `path` when given; the same drawing as tools/lifnet-plot's raster."""
    return _figure(self, lambda plots, ax, c: plots.raster(ax, self.times, self.node_ids, c["N"]), path, (10, 5))


def _plot_vbar(self, path=None):
    """The population mean potential V̄(t) [mV] as a matplotlib Figure, saved
    to `path` when given; the same drawing as tools/lifnet-plot's vbar."""
    return _figure(self, lambda plots, ax, c: plots.vbar(ax, self.t, self.Vbar), path, (10, 4))


Result.plot_raster = _plot_raster
Result.plot_vbar = _plot_vbar
