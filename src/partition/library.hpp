#pragma once
// The partitioning library (PETSc, and through it PT-Scotch), started only
// when a run uses it and stopped with lifnet::environment. PETSc stays inside
// src/partition/.
namespace lifnet {

// Local: starts PETSc in this process unless it runs already, without its
// own signal handler (lifnet decides what a signal does) and with its
// errors made exceptions. PETSC_COMM_WORLD is this process alone, so that
// the ranks that partition (a sweep's member, say) start it without the
// others; its objects live on the communicators they are given.
void use_partition_library();
// Stops PETSc if it was started (before MPI is finalised).
void stop_partition_library();

} // namespace lifnet
