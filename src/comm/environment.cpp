#include "comm/context.hpp"
#include "io/h5.hpp"
#include "partition/petsc_util.hpp"

#include <boost/mpi/environment.hpp>

#include <cstdio>
#include <cstdlib>

namespace lifnet {

struct environment::state {
    state(int& argc, char**& argv): mpi(argc, argv) {}
    boost::mpi::environment mpi;
};

environment::environment(int& argc, char**& argv): state_(std::make_unique<state>(argc, argv)) {
    // PETSc reads only these options, never the user's command line.
    // PT-Scotch's threaded halo exchange can run mismatched collectives
    // (seen: a hang at 4 ranks); one thread per rank. A user's value wins.
    setenv("SCOTCH_PTHREAD_NUMBER", "1", 0);
    static char name[] = "lifnet", no_handler[] = "-no_signal_handler";
    static char* petsc_argv[] = {name, no_handler, nullptr};
    int petsc_argc = 2;
    char** args = petsc_argv;
    petsc_check(PetscInitialize(&petsc_argc, &args, nullptr, nullptr), "PetscInitialize");
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr); // errors become exceptions, not prints
}

environment::~environment() {
    // A file HDF5 failed to close (the error has been reported) would crash
    // HDF5's clean-up inside MPI_Finalize: end the process without it.
    if (h5::close_failed()) {
        std::fflush(nullptr);
        std::_Exit(1);
    }
    PetscFinalize();
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
