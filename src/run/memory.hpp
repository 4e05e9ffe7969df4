#pragma once
// Before allocating, an estimate of the memory a run needs per rank, so that
// a run that cannot fit is refused with the estimate instead of failing
// half-way (or being killed by the kernel).
#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <cstdint>

namespace lifnet {

// Peak bytes per rank over the build, partition and simulation phases.
std::uint64_t estimate_bytes_per_rank(const config& c, int ranks);

// Collective: throws (agreed by all ranks) when the ranks on some node would
// need more than that node's available memory.
void check_memory(const config& c, const boost::mpi::communicator& comm);

// This process's peak resident set size since it started [bytes]; 0 where
// the system does not say.
std::uint64_t peak_resident_bytes();
// This process's resident set size now [bytes]; 0 where the system does not say.
std::uint64_t resident_bytes();

// Seconds since this process started (its start time in /proc/self/stat, to
// the clock tick); 0 where that cannot be read.
double process_age_seconds();

} // namespace lifnet
