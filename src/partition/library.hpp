#pragma once
// The partitioning library (PETSc, and through it PT-Scotch). PETSc stays
// inside src/partition/ and is started only when partition = ptscotch runs
// on more than one rank.
namespace lifnet {

// Local: starts PETSc on this rank unless it runs already. It is started
// for this rank alone (PETSC_COMM_WORLD = MPI_COMM_SELF), so that the
// ranks need not start it together: a sweep's groups reach ptscotch at
// different times, and a run that never uses it never starts it. Without
// PETSc's signal handler, so that lifnet decides what a signal does; its
// errors become exceptions.
void use_partition_library();

// Stops PETSc if it was started (lifnet::environment, before MPI ends).
void stop_partition_library();

} // namespace lifnet
