#pragma once
// Exact sums of doubles in 128-bit fixed point (resolution 2^-64, range
// ±2^63): integer addition is associative, so a sum reduced over any number
// of ranks in any order is bit-identical (MODEL.md §4 prefers this to
// 1e-12 agreement).
#include <boost/mpi/communicator.hpp>

#include <cmath>
#include <vector>

namespace lifnet {

__extension__ typedef __int128 fixed128;

inline fixed128 to_fixed(double x) { return static_cast<fixed128>(std::ldexp(x, 64)); }
inline double from_fixed(fixed128 x) { return static_cast<double>(std::ldexp(static_cast<long double>(x), -64)); }

// Element-wise sum over the ranks of `comm`, in place.
void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<fixed128>& values);

} // namespace lifnet
