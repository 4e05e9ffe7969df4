"""lifnet from Python: leaky integrate-and-fire networks on small-world graphs,
over the same engine as the `lifnet` command (time in ms, voltage in mV).

    import lifnet
    result = lifnet.run(lifnet.Config(N=1000, p=0.3, t_stop=500))
    result.chi, result.node_ids, result.times

Under `mpirun -np 4 python3 script.py`, run() distributes the network over
every rank (or over `comm=`, an mpi4py communicator)."""
from lifnet._core import Config, ConfigError, Error, FileError, Result, __version__, open, run

__all__ = ["Config", "ConfigError", "Error", "FileError", "Result", "run", "__version__"]
