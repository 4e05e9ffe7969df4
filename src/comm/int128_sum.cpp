#include "comm/int128_sum.hpp"

#include "comm/mpi_util.hpp"

namespace lifnet {

namespace {

void add_int128(void* in, void* inout, int* len, MPI_Datatype*) {
    auto* a = static_cast<const int128*>(in);
    auto* b = static_cast<int128*>(inout);
    for (int i = 0; i < *len; ++i) b[i] += a[i];
}

// The MPI datatype and sum operation for int128, created once.
struct int128_ops {
    int128_ops() {
        mpi_check(MPI_Type_contiguous(sizeof(int128), MPI_BYTE, &type), "MPI_Type_contiguous");
        mpi_check(MPI_Type_commit(&type), "MPI_Type_commit");
        mpi_check(MPI_Op_create(add_int128, 1, &sum), "MPI_Op_create");
    }
    MPI_Datatype type;
    MPI_Op sum;
};

} // namespace

void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<int128>& values) {
    // Freed by MPI_Finalize; they live as long as MPI does.
    static const int128_ops ops;
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), ops.type, ops.sum, comm),
              "MPI_Allreduce");
}

} // namespace lifnet
