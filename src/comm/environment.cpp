#include "comm/context.hpp"
#include "io/h5.hpp"
#include "partition/library.hpp"

#include <boost/mpi/environment.hpp>

#include <cstdio>
#include <cstdlib>

namespace lifnet {

struct environment::state {
    state(int& argc, char**& argv): mpi(argc, argv) {}
    boost::mpi::environment mpi;
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
