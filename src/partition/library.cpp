#include "partition/library.hpp"

#include "partition/petsc_util.hpp"

#include <cstdlib>

namespace lifnet {

namespace {
bool started = false;
} // namespace

void use_partition_library() {
    if (started) return;
    // PETSc reads only these options, never the user's command line.
    // PT-Scotch's threaded halo exchange can run mismatched collectives
    // (seen: a hang at 4 ranks); one thread per rank. A user's value wins.
    setenv("SCOTCH_PTHREAD_NUMBER", "1", 0);
    static char name[] = "lifnet", no_handler[] = "-no_signal_handler";
    static char* petsc_argv[] = {name, no_handler, nullptr};
    int petsc_argc = 2;
    char** args = petsc_argv;
    PETSC_COMM_WORLD = MPI_COMM_SELF; // PETSc's objects live on the communicators lifnet gives them
    petsc_check(PetscInitialize(&petsc_argc, &args, nullptr, nullptr), "PetscInitialize");
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr); // errors become exceptions, not prints
    started = true;
}

void stop_partition_library() {
    if (started) PetscFinalize();
    started = false;
}

} // namespace lifnet
