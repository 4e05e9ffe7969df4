#pragma once
#include <boost/mpi/communicator.hpp>
#include <mpi.h>

namespace lifnet {

// Counters on world rank 0 that every group's leader updates atomically:
// [0] the next member to hand out, [1] the members finished.
class shared_counters {
public:
    // Collective over `comm`.
    explicit shared_counters(const boost::mpi::communicator& comm);
    ~shared_counters();
    shared_counters(const shared_counters&) = delete;
    shared_counters& operator=(const shared_counters&) = delete;

    // Adds `by` to counter `which` and returns its new value.
    long add(int which, long by);

private:
    MPI_Win window_ = MPI_WIN_NULL;
    long* base_ = nullptr;
};

} // namespace lifnet
