"""What the Python tests share: where the lifnet binary and mpiexec are, the
environment for Open MPI as root, and finding and killing a run's processes."""
import os
import signal
import tempfile
import time
import unittest

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


def descendants(pid):
    """Every live process below `pid` (mpirun puts its ranks in their own
    process groups and a singleton's orted in its own session, so killpg
    alone does not reach them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def kill_tree(p):
    """SIGKILLs a process started with start_new_session=True, its group and
    every process below it; waits until they are gone. Returns their pids."""
    victims = descendants(p.pid)
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait(timeout=60)
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in victims) and time.monotonic() < deadline:
        time.sleep(0.1)
    return victims


class TempDirTest(unittest.TestCase):
    """A test case with a fresh folder for each test: self.dir, self.path(...)."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def path(self, *parts):
        return os.path.join(self.dir, *parts)
