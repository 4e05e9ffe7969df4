#pragma once
// The partitioning library (PETSc, and through it PT-Scotch), for the
// lifetime of lifnet::environment. PETSc stays inside src/partition/.
namespace lifnet {

// Collective over every rank: starts PETSc without its own signal handler,
// so that lifnet decides what a signal does; its errors become exceptions.
void start_partition_library();
void stop_partition_library();

} // namespace lifnet
