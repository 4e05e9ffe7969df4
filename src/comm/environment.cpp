#include "comm/context.hpp"
#include "io/h5.hpp"
#include "partition/library.hpp"

#include <boost/mpi/environment.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace lifnet {

namespace {

// On one node (a run without a launcher, or one whose ranks Open MPI's
// launcher places on one node, outside a multi-node SLURM allocation),
// Open MPI's point-to-point layer is ob1 over shared memory whatever else is
// installed; choosing it saves MPI_Init probing the network layers (cm over
// libfabric and PSM, UCX): 0.30 -> 0.08 s of start-up here
// (docs/performance.md). Only a default: OMPI_MCA_pml set by the user, or
// a multi-node job, keeps Open MPI's own choice; other MPIs ignore it.
bool on_one_node() {
    if (const char* nodes = std::getenv("SLURM_NNODES"); nodes && std::strtol(nodes, nullptr, 10) > 1) return false;
    const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    return !size || (local && std::strcmp(size, local) == 0);
}

} // namespace

struct environment::state {
    state(int& argc, char**& argv) {
        if (on_one_node()) setenv("OMPI_MCA_pml", "ob1", 0); // not replacing the user's
        mpi.emplace(argc, argv);
    }
    std::optional<boost::mpi::environment> mpi;
};

// PETSc starts when partition = ptscotch first needs it (partition/library.hpp).
environment::environment(int& argc, char**& argv): state_(std::make_unique<state>(argc, argv)) {}

environment::~environment() {
    // A file HDF5 failed to close (the error has been reported) would crash
    // HDF5's clean-up inside MPI_Finalize: end the process without it.
    if (h5::close_failed()) {
        std::fflush(nullptr);
        std::_Exit(1);
    }
    stop_partition_library();
}

context::context(): impl_(std::make_shared<const impl>(impl{boost::mpi::communicator()})) {}

context context::single() {
    return make_context(boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_duplicate));
}

int context::rank() const {
    return impl_->comm.rank();
}
int context::size() const {
    return impl_->comm.size();
}

} // namespace lifnet
