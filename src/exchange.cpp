#include "exchange.hpp"

#include "mpi_util.hpp"

#include <algorithm>

namespace lifnet {

exchanged exchange_spikes(const boost::mpi::communicator& comm, const std::vector<spike>& local, bool stop) {
    const int size = comm.size();
    // Byte counts travel with the stop flag in their lowest bit.
    const int mine = static_cast<int>(local.size() * sizeof(spike)) * 2 + (stop ? 1 : 0);
    std::vector<int> tagged(size), count(size), displ(size);
    mpi_check(MPI_Allgather(&mine, 1, MPI_INT, tagged.data(), 1, MPI_INT, comm), "MPI_Allgather");
    exchanged out;
    long total = 0;
    for (int r = 0; r < size; ++r) {
        out.stop |= (tagged[r] & 1) != 0;
        count[r] = tagged[r] / 2;
        displ[r] = static_cast<int>(total);
        total += count[r];
    }
    out.spikes.resize(total / sizeof(spike));
    mpi_check(MPI_Allgatherv(local.data(), count[comm.rank()], MPI_BYTE, out.spikes.data(), count.data(), displ.data(),
                             MPI_BYTE, comm),
              "MPI_Allgatherv");
    std::sort(out.spikes.begin(), out.spikes.end());
    return out;
}

} // namespace lifnet
