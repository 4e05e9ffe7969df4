#include "measures/exact_sum.hpp"

#include "comm/mpi_util.hpp"

#include <lifnet/errors.hpp>

#include <mpi.h>

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

} // namespace

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
