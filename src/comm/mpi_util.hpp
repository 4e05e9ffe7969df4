#pragma once
// Small helpers over the MPI C API for what Boost.MPI 1.74 lacks
// (alltoallv), and the agreement on failures that keeps ranks from hanging.
#include <lifnet/errors.hpp>

#include <boost/mpi/communicator.hpp>
#include <mpi.h>

#include <functional>
#include <span>
#include <vector>

namespace lifnet {

// Throws library_error with MPI's own message when `rc` is not MPI_SUCCESS.
void mpi_check(int rc, const char* call);

namespace mpi_detail {
// displ[r] = count[0] + ... + count[r - 1]; returns the sum of all counts.
inline long displacements(const std::vector<int>& count, std::vector<int>& displ) {
    long total = 0;
    displ.resize(count.size());
    for (std::size_t r = 0; r < count.size(); ++r) {
        displ[r] = static_cast<int>(total);
        total += count[r];
    }
    return total;
}
} // namespace mpi_detail

// Each rank sends send[r] to rank r; returns what every rank sent to this one,
// concatenated in rank order.
template <typename T>
std::vector<T> alltoallv(const boost::mpi::communicator& comm, const std::vector<std::vector<T>>& send) {
    static_assert(std::is_trivially_copyable_v<T>);
    const int size = comm.size();
    std::vector<int> scount(size), sdispl(size), rcount(size), rdispl(size);
    std::vector<T> sbuf;
    for (int r = 0; r < size; ++r) {
        scount[r] = static_cast<int>(send[r].size() * sizeof(T));
        sdispl[r] = static_cast<int>(sbuf.size() * sizeof(T));
        sbuf.insert(sbuf.end(), send[r].begin(), send[r].end());
    }
    mpi_check(MPI_Alltoall(scount.data(), 1, MPI_INT, rcount.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    const long total = mpi_detail::displacements(rcount, rdispl);
    std::vector<T> rbuf(total / sizeof(T));
    mpi_check(MPI_Alltoallv(sbuf.data(), scount.data(), sdispl.data(), MPI_BYTE, rbuf.data(), rcount.data(),
                            rdispl.data(), MPI_BYTE, comm),
              "MPI_Alltoallv");
    return rbuf;
}

// Every rank of `comm` concatenates `local` of all ranks, in rank order.
template <typename T>
std::vector<T> allgatherv(const boost::mpi::communicator& comm, std::span<const T> local) {
    static_assert(std::is_trivially_copyable_v<T>);
    const int size = comm.size();
    int bytes = static_cast<int>(local.size() * sizeof(T));
    std::vector<int> count(size), displ(size);
    mpi_check(MPI_Allgather(&bytes, 1, MPI_INT, count.data(), 1, MPI_INT, comm), "MPI_Allgather");
    const long total = mpi_detail::displacements(count, displ);
    std::vector<T> out(total / sizeof(T));
    mpi_check(MPI_Allgatherv(local.data(), bytes, MPI_BYTE, out.data(), count.data(), displ.data(), MPI_BYTE, comm),
              "MPI_Allgatherv");
    return out;
}

// Rank 0 of `comm` receives `local` of all ranks concatenated in rank order;
// the other ranks receive nothing.
template <typename T>
std::vector<T> gatherv(const boost::mpi::communicator& comm, std::span<const T> local) {
    static_assert(std::is_trivially_copyable_v<T>);
    const int size = comm.size();
    int bytes = static_cast<int>(local.size() * sizeof(T));
    std::vector<int> count(size), displ(size);
    mpi_check(MPI_Gather(&bytes, 1, MPI_INT, count.data(), 1, MPI_INT, 0, comm), "MPI_Gather");
    const long total = comm.rank() == 0 ? mpi_detail::displacements(count, displ) : 0;
    std::vector<T> out(total / sizeof(T));
    mpi_check(MPI_Gatherv(local.data(), bytes, MPI_BYTE, out.data(), count.data(), displ.data(), MPI_BYTE, 0, comm),
              "MPI_Gatherv");
    return out;
}

// Collective: how many ranks of `comm` share this rank's node (memory).
int ranks_on_this_node(const boost::mpi::communicator& comm);

// Runs `work` on every rank; if it throws on any rank, every rank throws the
// same collective_error carrying the lowest failing rank's message. Use it
// around any step that can fail on one rank alone before a collective.
void run_collectively(const boost::mpi::communicator& comm, const std::function<void()>& work);

} // namespace lifnet
