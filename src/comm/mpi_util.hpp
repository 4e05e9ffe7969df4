#pragma once
// Small helpers over the MPI C API for what Boost.MPI 1.74 lacks
// (alltoallv), and the agreement on failures that keeps ranks from hanging.
#include <lifnet/errors.hpp>

#include <boost/mpi/communicator.hpp>
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
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

// The most bytes one rank sends, or receives, in one call: MPI counts and
// displacements are ints, so a larger transfer is split into rounds of at
// most this much. Tests lower it.
inline std::size_t& round_bytes() {
    static std::size_t limit = INT_MAX;
    return limit;
}

// Elements per peer and round, and the rounds that `most` elements (the
// largest count to or from any peer of any rank) take.
template <typename T>
std::uint64_t chunk_elements(int peers) {
    return std::max<std::uint64_t>(1, round_bytes() / sizeof(T) / static_cast<std::uint64_t>(peers));
}

// The part of `total` elements that round `round` moves, chunk by chunk.
inline std::uint64_t in_round(std::uint64_t total, std::uint64_t chunk, std::uint64_t round) {
    const std::uint64_t lo = round * chunk;
    return lo < total ? std::min(chunk, total - lo) : 0;
}
} // namespace mpi_detail

// Each rank sends send[r] to rank r; returns what every rank sent to this one,
// concatenated in rank order. Any size: split into rounds that fit MPI's ints.
template <typename T>
std::vector<T> alltoallv(const boost::mpi::communicator& comm, const std::vector<std::vector<T>>& send) {
    static_assert(std::is_trivially_copyable_v<T>);
    using namespace mpi_detail;
    const int size = comm.size();
    std::vector<std::uint64_t> scount(size), rcount(size), rfirst(size + 1, 0); // in elements
    for (int r = 0; r < size; ++r) scount[r] = send[r].size();
    mpi_check(MPI_Alltoall(scount.data(), 1, MPI_UINT64_T, rcount.data(), 1, MPI_UINT64_T, comm), "MPI_Alltoall");
    const std::uint64_t chunk = chunk_elements<T>(size);
    std::uint64_t most = 0;
    for (int r = 0; r < size; ++r) {
        most = std::max({most, scount[r], rcount[r]});
        rfirst[r + 1] = rfirst[r] + rcount[r];
    }
    std::uint64_t rounds = (most + chunk - 1) / chunk;
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, comm), "MPI_Allreduce");
    std::vector<T> out(rfirst[size]);
    std::vector<int> sbytes(size), sdispl(size), rbytes(size), rdispl(size);
    std::vector<T> sbuf, rbuf;
    for (std::uint64_t round = 0; round < std::max<std::uint64_t>(rounds, 1); ++round) {
        sbuf.clear();
        std::size_t received = 0;
        for (int r = 0; r < size; ++r) {
            const auto n = in_round(scount[r], chunk, round), m = in_round(rcount[r], chunk, round);
            sdispl[r] = static_cast<int>(sbuf.size() * sizeof(T));
            sbytes[r] = static_cast<int>(n * sizeof(T));
            const auto from = send[r].begin() + static_cast<std::ptrdiff_t>(round * chunk);
            sbuf.insert(sbuf.end(), from, from + static_cast<std::ptrdiff_t>(n));
            rdispl[r] = static_cast<int>(received * sizeof(T));
            rbytes[r] = static_cast<int>(m * sizeof(T));
            received += m;
        }
        // One round: receive in place; more: into a buffer, then to each source's place.
        T* into = rounds <= 1 ? out.data() : (rbuf.resize(received), rbuf.data());
        mpi_check(MPI_Alltoallv(sbuf.data(), sbytes.data(), sdispl.data(), MPI_BYTE, into, rbytes.data(), rdispl.data(),
                                MPI_BYTE, comm),
                  "MPI_Alltoallv");
        if (rounds > 1)
            for (int r = 0; r < size; ++r)
                std::copy_n(rbuf.begin() + rdispl[r] / static_cast<int>(sizeof(T)), rbytes[r] / sizeof(T),
                            out.begin() + static_cast<std::ptrdiff_t>(rfirst[r] + round * chunk));
    }
    return out;
}

// Every rank concatenates `local` of all ranks, in rank order. Any size:
// split into rounds that fit MPI's ints.
template <typename T>
std::vector<T> allgatherv(const boost::mpi::communicator& comm, std::span<const T> local) {
    static_assert(std::is_trivially_copyable_v<T>);
    using namespace mpi_detail;
    const int size = comm.size();
    std::uint64_t mine = local.size();
    std::vector<std::uint64_t> count(size), first(size + 1, 0);
    mpi_check(MPI_Allgather(&mine, 1, MPI_UINT64_T, count.data(), 1, MPI_UINT64_T, comm), "MPI_Allgather");
    std::uint64_t most = 0;
    for (int r = 0; r < size; ++r) {
        most = std::max(most, count[r]);
        first[r + 1] = first[r] + count[r];
    }
    const std::uint64_t chunk = chunk_elements<T>(size), rounds = (most + chunk - 1) / chunk;
    std::vector<T> out(first[size]), rbuf;
    std::vector<int> bytes(size), displ(size);
    for (std::uint64_t round = 0; round < std::max<std::uint64_t>(rounds, 1); ++round) {
        std::size_t received = 0;
        for (int r = 0; r < size; ++r) {
            const auto m = in_round(count[r], chunk, round);
            displ[r] = static_cast<int>(received * sizeof(T));
            bytes[r] = static_cast<int>(m * sizeof(T));
            received += m;
        }
        T* into = rounds <= 1 ? out.data() : (rbuf.resize(received), rbuf.data());
        mpi_check(MPI_Allgatherv(local.data() + std::min<std::uint64_t>(round * chunk, mine), bytes[comm.rank()],
                                 MPI_BYTE, into, bytes.data(), displ.data(), MPI_BYTE, comm),
                  "MPI_Allgatherv");
        if (rounds > 1)
            for (int r = 0; r < size; ++r)
                std::copy_n(rbuf.begin() + displ[r] / static_cast<int>(sizeof(T)), bytes[r] / sizeof(T),
                            out.begin() + static_cast<std::ptrdiff_t>(first[r] + round * chunk));
    }
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

// The request of a non-blocking collective that every rank of its
// communicator starts in the same order (MPI_Iallreduce, ...), so that
// waiting for it cannot hang. MPI forbids freeing or cancelling such a
// request, so the destructor waits for one still active: the ranks unwind
// together (collective_error, interrupted); a rank that fails alone is
// aborted before it gets here.
class collective_request {
public:
    collective_request() = default;
    collective_request(const collective_request&) = delete;
    collective_request& operator=(const collective_request&) = delete;
    ~collective_request() {
        if (active()) MPI_Wait(&request_, MPI_STATUS_IGNORE); // errors cannot be reported here
    }
    bool active() const { return request_ != MPI_REQUEST_NULL; }
    // For the call that starts the collective; none may be active.
    MPI_Request* start() {
        if (active()) throw internal_error("a collective started on a request that is still active");
        return &request_;
    }
    // Completes it (at once if none is active).
    void wait() { mpi_check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait"); }

private:
    MPI_Request request_ = MPI_REQUEST_NULL;
};

// Collective: how many ranks of `comm` share this rank's node (memory).
int ranks_on_this_node(const boost::mpi::communicator& comm);

// Runs `work` on every rank; if it throws on any rank, every rank throws the
// same collective_error carrying the lowest failing rank's message (or
// lifnet::interrupted, when that rank was stopped by a signal, or that
// rank's config_error, with its keys and paths). Use it
// around any step that can fail on one rank alone before a collective.
void run_collectively(const boost::mpi::communicator& comm, const std::function<void()>& work);

// Collective: throws lifnet::interrupted on every rank when a stop signal
// has reached any of them (lifnet/signals.hpp). Placed between the phases
// that precede the time loop, whose own loops check the flag locally.
void agree_on_stop(const boost::mpi::communicator& comm);

} // namespace lifnet
