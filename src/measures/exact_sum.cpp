#include "measures/exact_sum.hpp"

#include <lifnet/errors.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace lifnet {

namespace {

// Σ to_fixed(value(x[i])) for i < n, or nothing if some |value(x[i])| is
// not below `bound` (NaN included). In runs of 512 values of magnitude below
// 2^20, the two halves of to_fixed (trunc(x·2^32) and the next 32 bits) are
// summed in int64 (|Σ| < 512·2^52 = 2^61) and joined once per run: integer
// sums, so the result is the same integer. A run holding a larger value
// (or NaN) is summed by to_fixed itself after the bound is checked.
template <typename Value>
inline __attribute__((always_inline)) std::optional<fixed128> sum_fixed(const double* __restrict x, std::size_t n,
                                                                        Value value, double bound) {
    constexpr std::size_t run = 512;
    fixed128 total = 0;
    for (std::size_t r0 = 0; r0 < n; r0 += run) {
        const std::size_t r1 = std::min(n, r0 + run);
        std::int64_t high = 0, low = 0, large = 0;
        for (std::size_t i = r0; i < r1; ++i) {
            const double v = value(x[i]);
            const bool small = std::abs(v) < 0x1p20;
            large |= !small;
            const auto [h, l] = split(small ? v : 0.0); // no conversion out of range
            high += h;
            low += l;
        }
        if (!large) {
            total += join_fixed(high, low);
            continue;
        }
        for (std::size_t i = r0; i < r1; ++i) {
            const double v = value(x[i]);
            if (!(std::abs(v) < bound)) return std::nullopt;
            total += to_fixed(v);
        }
    }
    return total;
}

} // namespace

// One clone per instruction set, picked at load time; integer sums, so
// every clone gives the same bits.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) std::optional<fixed128>
exact_sum(const double* x, std::size_t n, double bound) {
    return sum_fixed(
        x, n, [](double v) { return v; }, std::min(bound, fixed_limit));
}

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) fixed128
exact_sum_abs_deviation(const double* x, std::size_t n, double center) {
    // to_fixed refuses a deviation out of range itself.
    return *sum_fixed(
        x, n, [center](double v) { return std::abs(v - center); }, std::numeric_limits<double>::infinity());
}

fixed128 to_fixed_large(double x) {
    if (!(std::abs(x) < fixed_limit))
        throw error("a value of " + std::to_string(x) +
                    " reached the measures; exact sums take |x| < 2^40: the simulation diverged");
    return static_cast<fixed128>(std::ldexp(x, 64));
}

} // namespace lifnet
