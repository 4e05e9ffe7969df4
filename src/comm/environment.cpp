#include "comm/context.hpp"
#include "partition/library.hpp"

#include <boost/mpi/environment.hpp>

namespace lifnet {

struct environment::state {
    state(int& argc, char**& argv): mpi(argc, argv) {}
    boost::mpi::environment mpi;
};

// PETSc starts when partition = ptscotch first needs it (partition/library.hpp).
environment::environment(int& argc, char**& argv): state_(std::make_unique<state>(argc, argv)) {}

environment::~environment() {
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
