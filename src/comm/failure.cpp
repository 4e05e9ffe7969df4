#include "comm/context.hpp"

#include <mpi.h>

#include <cstdio>

namespace lifnet {

void abort_alone(const context& ctx, const std::exception& e) {
    const auto& comm = ctx.get().comm;
    if (comm.size() == 1) return; // nobody waits for this rank: the caller rethrows
    // The rank in the whole job, as the launcher names it.
    std::fprintf(stderr, "lifnet: rank %d: %s\n", boost::mpi::communicator().rank(), e.what());
    std::fflush(stderr);
    MPI_Abort(comm, exit_code_of(e));
}

} // namespace lifnet
