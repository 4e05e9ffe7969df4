#pragma once
// Element-wise sums of 128-bit integers over the ranks, which MPI has no
// type for: the reduction behind the measures' exact sums.
#include "comm/mpi_util.hpp"

#include <boost/mpi/communicator.hpp>

#include <vector>

namespace lifnet {

__extension__ typedef __int128 int128;

// Collective: element-wise sum over the ranks of `comm`, in place.
void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<int128>& values);

// The same sum, non-blocking (MPI_Iallreduce): started by every rank of
// `comm` in the same order, completed by wait(), which the ranks may reach
// at different times. Integer sums, so the result does not depend on when
// or in which order MPI adds.
class nonblocking_sum {
public:
    explicit nonblocking_sum(const boost::mpi::communicator& comm): comm_(comm) {}
    // Collective, non-blocking: starts the sum of `values`; none may be in flight.
    void start(std::vector<int128> values);
    bool in_flight() const { return request_.active(); }
    // Completes the sum in flight: the element-wise sums over the ranks.
    const std::vector<int128>& wait();

private:
    boost::mpi::communicator comm_;
    std::vector<int128> values_; // MPI's until wait()
    collective_request request_;
};

} // namespace lifnet
