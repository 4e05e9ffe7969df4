"""Run by test_python_results.py under `mpirun -np R /usr/bin/python3`: runs
the model of argv[3..] (key=value) with lifnet.run over mpi4py's COMM_WORLD,
writing the run file argv[2], and saves rank 0's spikes, measures and report
into argv[1] (.npz); every other rank checks that it holds none of them."""
import sys

import numpy as np
from mpi4py import MPI

import lifnet

keys = {}
for arg in sys.argv[3:]:
    key, value = arg.split("=", 1)
    keys[key] = float(value) if "." in value else int(value) if value.lstrip("-").isdigit() else value
r = lifnet.run(lifnet.Config(**keys), comm=MPI.COMM_WORLD, output=sys.argv[2])
if MPI.COMM_WORLD.rank == 0:
    np.savez(sys.argv[1], ids=r.node_ids, times=r.times, Vbar=r.Vbar, t=r.t,
             sync=np.array([r.chi, r.E, r.R, r.rate_hz, r.cv]), size=r.size, report=r.report,
             report_ids=r.report_ids, report_t=r.report_t)
else:
    assert len(r.node_ids) == 0 and r.report is None, "only rank 0 holds the gathered spikes and the report"
