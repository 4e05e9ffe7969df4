"""Run by test_python_api.py under `mpirun -np 2 /usr/bin/python3`: runs the
model of argv[2..] (key=value) through lifnet.run with mpi4py's
COMM_WORLD (gathered, and per rank) and on two halves of a split communicator,
and saves the spikes and measures of rank 0 into argv[1] (.npz)."""
import sys

import numpy as np
from mpi4py import MPI

import lifnet

keys = {}
for arg in sys.argv[2:]:
    key, value = arg.split("=", 1)
    keys[key] = float(value) if "." in value else int(value)
config = lifnet.Config(**keys)
world = MPI.COMM_WORLD
gathered = lifnet.run(config, comm=world)
own = lifnet.run(config, comm=world, gather=False)
# Every rank's own spikes, joined on rank 0 through mpi4py.
own_ids = world.gather(own.node_ids, root=0)
own_times = world.gather(own.times, root=0)
# Each rank alone (a split communicator of one rank) runs the same network.
alone = lifnet.run(config, comm=world.Split(world.rank, 0))
alone_ids = world.gather(alone.node_ids, root=0)
if world.rank == 0:
    np.savez(sys.argv[1], ids=gathered.node_ids, times=gathered.times, Vbar=gathered.Vbar, t=gathered.t,
             sync=np.array([gathered.chi, gathered.E, gathered.R, gathered.rate_hz, gathered.cv]),
             size=gathered.size, own_ids=np.concatenate(own_ids), own_times=np.concatenate(own_times),
             own_counts=np.array([len(i) for i in own_ids]), alone_0=alone_ids[0], alone_1=alone_ids[1],
             alone_size=alone.size)
else:
    assert len(gathered.node_ids) == 0 and len(gathered.times) == 0, "only rank 0 holds the gathered spikes"
