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

// Freed by MPI_Finalize; they live as long as MPI does.
const int128_ops& ops() {
    static const int128_ops created;
    return created;
}

} // namespace

void all_reduce_sum(const boost::mpi::communicator& comm, std::vector<int128>& values) {
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), ops().type, ops().sum, comm),
              "MPI_Allreduce");
}

void nonblocking_sum::start(std::vector<int128> values) {
    if (in_flight()) throw internal_error("a sum started while another is in flight");
    values_ = std::move(values);
    mpi_check(MPI_Iallreduce(MPI_IN_PLACE, values_.data(), static_cast<int>(values_.size()), ops().type, ops().sum,
                             comm_, request_.start()),
              "MPI_Iallreduce");
}

const std::vector<int128>& nonblocking_sum::wait() {
    request_.wait();
    return values_;
}

} // namespace lifnet
