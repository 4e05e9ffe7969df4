"""What the Python tests share: where the lifnet binary and mpiexec are, the
environment for Open MPI as root, and finding a run's processes."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.environ.get("LIFNET_BIN", os.path.join(ROOT, "build", "lifnet"))
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_mpi_yield_when_idle="1")


def lifnet_pids(marker):
    """The pids of lifnet processes whose command line contains `marker`
    (mpirun starts its ranks in their own process groups, so a test that
    signals a run's ranks finds them here)."""
    pids = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmd.startswith(LIFNET) and marker in cmd:
            pids.append(int(pid))
    return pids
