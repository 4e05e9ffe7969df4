"""lifnet from Python: leaky integrate-and-fire networks on small-world graphs,
over the same engine as the `lifnet` command (time in ms, voltage in mV).

    import lifnet
    result = lifnet.run(lifnet.Config(N=1000, p=0.3, t_stop=500))
    result.chi, result.node_ids, result.times
    sweep = lifnet.sweep(lifnet.Config(N=100), vary={"p": [0, 0.1, 0.3]}, seeds="1-5", output="sweep.h5")
    sweep.points["E_mean"]

Under `mpirun -np 4 python3 script.py`, run() and sweep() distribute the work
over every rank (or over `comm=`, an mpi4py communicator)."""
import os

from lifnet import _core
from lifnet._core import Config, ConfigError, Error, FileError, Result, __version__, run

__all__ = ["Config", "ConfigError", "Error", "FileError", "Result", "SweepResult", "open", "run", "sweep",
           "__version__"]


class SweepResult:
    """A sweep's summary (from sweep() or open()): every member and every
    point of the varied keys, as numpy arrays.

    members: dict of columns, one row per member in sweep order: index, seed,
      each varied key, chi, E [mV], R, rate_hz [Hz], cv, wall_seconds [s],
      group, status ("ok", "failed: ..." or "missing") and hash.
    points: dict of columns, one row per combination of the varied values:
      each varied key, n (members ok), and for each measure m its
      m_mean, m_std (sample std over seeds), m_sem and m_n (values counted).
    config: the base Config; varied: the varied keys; seeds: seeds per point;
    path: the summary file. From sweep() also run_now, skipped (members
    already done by an earlier, interrupted call) and failed."""

    def __init__(self, table):
        self.config = table["config"]
        self.varied = list(table["varied"])
        self.seeds = int(table["seeds"])
        self.members = dict(table["members"])
        self.points = dict(table["points"])
        self.path = table["path"]
        self.command_line = table["command_line"]
        self.lifnet_version = table["lifnet_version"]
        self.run_now = table.get("run_now")
        self.skipped = table.get("skipped")
        self.failed = table.get("failed", int(sum(s.startswith("failed") for s in self.members["status"])))

    def dataframe(self, table="points"):
        """The points (or members) table as a pandas DataFrame; pandas is
        needed for this method only (ImportError naming it otherwise)."""
        try:
            import pandas
        except ImportError as e:
            raise ImportError("SweepResult.dataframe() needs pandas (Debian: python3-pandas); "
                              "the tables are also plain numpy arrays in .points and .members") from e
        if table not in ("points", "members"):
            raise ValueError(f"table is 'points' or 'members', not {table!r}")
        return pandas.DataFrame(getattr(self, table))

    def plot_sync_vs_p(self, path=None):
        """E [mV] and χ, mean ± sem over seeds, against the first varied key
        (p in the original study) as a matplotlib Figure, saved to `path`
        when given; the same drawing as tools/lifnet-plot's sync_vs_<key>."""
        import matplotlib.pyplot as plt

        from lifnet import plots
        fig = plt.figure(figsize=(7, 4.5))
        plots.sync_vs(fig, self.points, self.varied, plots.sweep_title(os.path.basename(self.path), self.points))
        if path:
            fig.savefig(path, dpi=150)
        return fig

    def __repr__(self):
        return (f"<lifnet.SweepResult: {len(self.members['index'])} members over {', '.join(self.varied) or 'seeds'}"
                f" from {self.path}, {self.failed} failed>")


def open(path):
    """Reads a file lifnet wrote, through the engine's checked readers: a run
    file (`lifnet run -o`, run(output=...)) as a Result (configuration, spikes
    with times [ms], synchrony measures, the report [mV] if recorded, the
    spike count, ranks and wall time per phase [s]), a sweep summary
    (`lifnet sweep -o`, sweep(output=...)) as a SweepResult. Raises FileError
    naming the file and the object for anything else (a checkpoint, other
    HDF5, a damaged or crafted file)."""
    opened = _core._open(os.fspath(path))
    return SweepResult(opened) if isinstance(opened, dict) else opened


def sweep(config=None, *, vary=None, seeds=None, output, member_output=None, ranks_per_member=0,
          max_members=100000, save_graph=False, progress=False, comm=None):
    """Runs every combination of the varied keys x every seed, as `lifnet
    sweep` does (the same engine, journal and summary file), and returns a
    SweepResult.

    config: a Config (the base of every member), or the path of a TOML file,
      read as `lifnet sweep FILE` reads it, its [sweep] table included.
    vary: {key: [values]}, the axes in order (the last varies fastest), e.g.
      {"p": [0, 0.1, 0.3]}; values in the key's unit (ms, mV).
    seeds: a list of seeds, or a range text such as "1-20" (default: the
      [sweep] table's, else 1).
    output: the summary file (HDF5); the journal is <output>.journal. The
      same call after an interruption (Ctrl-C, a kill, a time limit) runs
      only the members not yet finished.
    member_output: a folder for every member's full run file.
    ranks_per_member: ranks that run one member (must divide the ranks of
      comm; 0: the [sweep] table's, else 1); max_members: refuse larger
      sweeps (points x seeds); save_graph: members' run
      files hold their edges; progress: rank 0 prints a line per finished
      member (with the elapsed time [s] and an estimate of the rest) to stderr.
    comm: an mpi4py communicator (default: every rank of the job).

    Collective over comm; the GIL is released while members run. Ctrl-C,
    SIGTERM or SIGUSR1 stop every rank between members and raise
    KeyboardInterrupt; finished members stay in the journal. Raises
    ConfigError naming the key for a bad configuration, vary or seeds, and
    FileError naming the path for an output that cannot be written. A
    member that fails is recorded with its cause (status) and the sweep goes
    on: see SweepResult.failed."""
    return SweepResult(_core._sweep(config if isinstance(config, (Config, type(None))) else os.fspath(config),
                                    vary=vary, seeds=seeds, output=os.fspath(output),
                                    member_output=None if member_output is None else os.fspath(member_output),
                                    ranks_per_member=ranks_per_member, max_members=max_members,
                                    save_graph=save_graph, progress=progress, comm=comm))


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


def _plot_heatmap(self, path=None):
    """The membrane potential V [mV] of the recorded neurons against time
    [ms] as a matplotlib Figure, saved to `path` when given; the same drawing
    as tools/lifnet-plot's heatmap. Error when the result has no report."""
    if self.report is None:
        raise Error("this result has no membrane-potential report (record = none, or run() without output=)")
    t0 = self.report_t[0] if len(self.report_t) else 0.0
    return _figure(self, lambda plots, ax, c: plots.heatmap(ax, self.report, self.report_ids, t0, c["sample_dt"]),
                   path, (10, 5))


Result.plot_raster = _plot_raster
Result.plot_vbar = _plot_vbar
Result.plot_heatmap = _plot_heatmap
