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

// This process's peak resident set size since it started, or since the last
// reset_peak_resident() [bytes]; 0 where the system does not say.
std::uint64_t peak_resident_bytes();
// Starts a new peak (Linux: /proc/self/clear_refs); false if it cannot.
bool reset_peak_resident();

} // namespace lifnet
