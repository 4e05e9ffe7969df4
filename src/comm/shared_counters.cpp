#include "comm/shared_counters.hpp"

#include "comm/mpi_util.hpp"

namespace lifnet {

shared_counters::shared_counters(const boost::mpi::communicator& comm) {
    const MPI_Aint bytes = comm.rank() == 0 ? 2 * sizeof(long) : 0;
    mpi_check(MPI_Win_allocate(bytes, sizeof(long), MPI_INFO_NULL, comm, &base_, &window_), "MPI_Win_allocate");
    if (comm.rank() == 0) base_[0] = base_[1] = 0;
    comm.barrier();
    mpi_check(MPI_Win_lock_all(0, window_), "MPI_Win_lock_all");
}

shared_counters::~shared_counters() {
    MPI_Win_unlock_all(window_);
    MPI_Win_free(&window_);
}

long shared_counters::add(int which, long by) {
    long old = 0;
    mpi_check(MPI_Fetch_and_op(&by, &old, MPI_LONG, 0, which, MPI_SUM, window_), "MPI_Fetch_and_op");
    mpi_check(MPI_Win_flush(0, window_), "MPI_Win_flush");
    return old + by;
}

} // namespace lifnet
