#pragma once
// Exact sums of doubles in 128-bit fixed point (resolution 2^-64, range
// ±2^63): integer addition is associative, so a sum reduced over any number
// of ranks in any order is bit-identical (MODEL.md §4 prefers this to
// 1e-12 agreement).
#include "comm/int128_sum.hpp" // all_reduce_sum

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace lifnet {

using fixed128 = int128;

// The values an exact sum takes: |x| < 2^40 (about 1.1e12), so that sums of
// millions of them stay far inside the range. A larger value, or NaN, means
// the run diverged: to_fixed throws a lifnet::error naming it.
constexpr double fixed_limit = 0x1p40;

// x·2^64 for 2^30 <= |x| < fixed_limit; throws otherwise.
fixed128 to_fixed_large(double x);

// to_fixed(x) = high·2^32 + low for |x| < 2^30, its two halves (|low| <
// 2^32, |high| <= |x|·2^32): sums of many halves in int64 stay exact and
// cheap (no carries), and join_fixed makes them one fixed128 again.
struct split_fixed {
    std::int64_t high, low;
};
inline split_fixed split(double x) {
    const double scaled = x * 0x1p32; // exact
    const auto high = static_cast<std::int64_t>(scaled);
    return {high, static_cast<std::int64_t>((scaled - static_cast<double>(high)) * 0x1p32)}; // both exact
}
inline fixed128 join_fixed(std::int64_t high, std::int64_t low) {
    return static_cast<fixed128>(high) * (fixed128(1) << 32) + low;
}

// x·2^64 truncated toward zero, as a direct conversion would give, but in
// two 64-bit conversions (a direct double -> __int128 conversion is a slow
// library call, and this runs per neuron per sample): the same integer,
// since trunc(x·2^64) = trunc(x·2^32)·2^32 + trunc(frac(x·2^32)·2^32).
inline fixed128 to_fixed(double x) {
    const double scaled = x * 0x1p32; // exact
    if (!(std::abs(scaled) < 0x1p62)) [[unlikely]]
        return to_fixed_large(x);
    const auto [high, low] = split(x);
    return join_fixed(high, low);
}

// Σ to_fixed(x[i]) and Σ to_fixed(|x[i] − center|) over i < n: the same
// integers as adding to_fixed one value at a time (so as exact and as
// independent of order), vectorised where the CPU allows. exact_sum gives
// nothing if some |x[i]| is not below `bound` or is NaN; the check costs no
// pass of its own, as it is made only where a value reaches 2^20, so bound
// must lie in [2^20, fixed_limit]. exact_sum_abs_deviation throws as
// to_fixed does.
std::optional<fixed128> exact_sum(const double* x, std::size_t n, double bound = fixed_limit);
fixed128 exact_sum_abs_deviation(const double* x, std::size_t n, double center);

inline double from_fixed(fixed128 x) {
    return static_cast<double>(std::ldexp(static_cast<long double>(x), -64));
}

} // namespace lifnet
