#pragma once
// Element-wise sums of 128-bit integers over the ranks, which MPI has no
// type for: the reduction behind the measures' exact sums.
#include <boost/mpi/communicator.hpp>

#include <vector>

namespace lifnet {

__extension__ typedef __int128 int128;

// Collective: element-wise sum over the ranks of `comm`, in place.
void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<int128>& values);

} // namespace lifnet
