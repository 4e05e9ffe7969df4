#include "measures/exact_sum.hpp"

#include "comm/mpi_util.hpp"

#include <lifnet/errors.hpp>

#include <mpi.h>

#include <algorithm>
#include <string>

namespace lifnet {

namespace {

void add_fixed(void* in, void* inout, int* len, MPI_Datatype*) {
    auto* a = static_cast<const fixed128*>(in);
    auto* b = static_cast<fixed128*>(inout);
    for (int i = 0; i < *len; ++i) b[i] += a[i];
}

// The MPI datatype and sum operation for fixed128, created once.
struct fixed128_ops {
    fixed128_ops() {
        mpi_check(MPI_Type_contiguous(sizeof(fixed128), MPI_BYTE, &type), "MPI_Type_contiguous");
        mpi_check(MPI_Type_commit(&type), "MPI_Type_commit");
        mpi_check(MPI_Op_create(add_fixed, 1, &sum), "MPI_Op_create");
    }
    MPI_Datatype type;
    MPI_Op sum;
};

// Σ to_fixed(value(x[i])) for i < n. In runs of 512 values of magnitude
// below 2^20, the two halves of to_fixed (trunc(x·2^32) and the next 32
// bits) are summed in int64 (|Σ| < 512·2^52 = 2^61) and joined once per run:
// integer sums, so the result is the same integer. A run holding a larger
// value (or NaN) is summed by to_fixed itself, which handles or refuses it.
template <typename Value>
inline __attribute__((always_inline)) fixed128 sum_fixed(const double* __restrict x, std::size_t n, Value value) {
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
        if (large)
            for (std::size_t i = r0; i < r1; ++i) total += to_fixed(value(x[i]));
        else
            total += join_fixed(high, low);
    }
    return total;
}

} // namespace

// One clone per instruction set, picked at load time; integer sums, so
// every clone gives the same bits.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) fixed128 exact_sum(const double* x,
                                                                                        std::size_t n) {
    return sum_fixed(x, n, [](double v) { return v; });
}

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) fixed128
exact_sum_abs_deviation(const double* x, std::size_t n, double center) {
    return sum_fixed(x, n, [center](double v) { return std::abs(v - center); });
}

fixed128 to_fixed_large(double x) {
    if (!(std::abs(x) < fixed_limit))
        throw error("a value of " + std::to_string(x) +
                    " reached the measures; exact sums take |x| < 2^40: the simulation diverged");
    return static_cast<fixed128>(std::ldexp(x, 64));
}

void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<fixed128>& values) {
    // Freed by MPI_Finalize; they live as long as MPI does.
    static const fixed128_ops ops;
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), ops.type, ops.sum, comm),
              "MPI_Allreduce");
}

} // namespace lifnet
