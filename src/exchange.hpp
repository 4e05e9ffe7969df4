#pragma once
// Spike exchange: every rank gets every spike of the epoch (MPI_Allgatherv),
// sorted by (time, id). The count exchange also carries each rank's stop
// request, so that all ranks agree to stop at the same epoch at no extra cost.
#include <lifnet/spike.hpp>

#include <boost/mpi/communicator.hpp>

#include <vector>

namespace lifnet {

struct exchanged {
    std::vector<spike> spikes; // of all ranks, sorted
    bool stop = false;         // some rank asked to stop
};

exchanged exchange_spikes(const boost::mpi::communicator& comm, const std::vector<spike>& local, bool stop);

} // namespace lifnet
