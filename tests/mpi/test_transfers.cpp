// Transfers larger than one MPI call can carry (counts and displacements are
// ints: 2^31 bytes) are split into rounds (issue 13). The round size is
// lowered here so that the splitting is exercised with small data: every
// element must arrive once, in rank order, whatever the round size.
#include "comm/int128_sum.hpp"
#include "comm/mpi_util.hpp"

#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

namespace {

struct item {
    std::uint64_t from, to, index;
    bool operator==(const item&) const = default;
};

// Restores the real round size when a test ends.
struct round_bytes_for_test {
    explicit round_bytes_for_test(std::size_t bytes): saved(lifnet::mpi_detail::round_bytes()) {
        lifnet::mpi_detail::round_bytes() = bytes;
    }
    ~round_bytes_for_test() { lifnet::mpi_detail::round_bytes() = saved; }
    std::size_t saved;
};

// Rank r sends (r + 2) * (t + 1) + t items to rank t: uneven, some long.
std::uint64_t count(int from, int to) {
    return static_cast<std::uint64_t>((from + 2) * (to + 1) + to);
}

TEST(transfers, alltoallv_in_rounds_delivers_everything_in_rank_order) {
    const boost::mpi::communicator comm;
    for (std::size_t bytes:
         {std::size_t(1), sizeof(item), 3 * sizeof(item), 100 * sizeof(item), std::size_t(INT_MAX)}) {
        const round_bytes_for_test limit(bytes);
        std::vector<std::vector<item>> send(comm.size());
        for (int t = 0; t < comm.size(); ++t)
            for (std::uint64_t i = 0; i < count(comm.rank(), t); ++i)
                send[t].push_back({std::uint64_t(comm.rank()), std::uint64_t(t), i});
        const auto got = lifnet::alltoallv(comm, send);
        std::vector<item> expected;
        for (int f = 0; f < comm.size(); ++f)
            for (std::uint64_t i = 0; i < count(f, comm.rank()); ++i)
                expected.push_back({std::uint64_t(f), std::uint64_t(comm.rank()), i});
        EXPECT_EQ(got, expected) << "round of " << bytes << " bytes";
    }
}

TEST(transfers, allgatherv_in_rounds_delivers_everything_in_rank_order) {
    const boost::mpi::communicator comm;
    for (std::size_t bytes: {std::size_t(1), 2 * sizeof(item), 7 * sizeof(item), std::size_t(INT_MAX)}) {
        const round_bytes_for_test limit(bytes);
        std::vector<item> mine;
        for (std::uint64_t i = 0; i < count(comm.rank(), 0); ++i) mine.push_back({std::uint64_t(comm.rank()), 0, i});
        if (comm.rank() == 1) mine.clear(); // a rank with nothing to give
        const auto got = lifnet::allgatherv(comm, std::span<const item>(mine));
        std::vector<item> expected;
        for (int f = 0; f < comm.size(); ++f)
            if (f != 1)
                for (std::uint64_t i = 0; i < count(f, 0); ++i) expected.push_back({std::uint64_t(f), 0, i});
        EXPECT_EQ(got, expected) << "round of " << bytes << " bytes";
    }
}

// The measures' V̄ sums travel while the next epoch runs (issue 16): a sum
// started on every rank, a blocking sum and a second non-blocking one in
// between, the ranks reaching wait() at different times, gives the exact
// int128 sums (beyond 64 bits) that the blocking all_reduce_sum gives.
TEST(transfers, nonblocking_sum_completes_later_with_the_exact_sums) {
    const boost::mpi::communicator comm;
    const lifnet::int128 big = lifnet::int128(1) << 100;
    auto values = [&](int tag) {
        return std::vector<lifnet::int128>{big + comm.rank(), -big * (comm.rank() + tag), tag};
    };
    lifnet::nonblocking_sum first(comm), second(comm);
    first.start(values(1));
    EXPECT_TRUE(first.in_flight());
    EXPECT_THROW(first.start(values(1)), lifnet::internal_error);
    auto blocking = values(2);
    lifnet::all_reduce_sum(comm, blocking);
    second.start(values(3));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * comm.rank())); // the last rank arrives late
    const lifnet::int128 P = comm.size(), ranks = P * (P - 1) / 2;
    auto expected = [&](lifnet::int128 tag) {
        return std::vector<lifnet::int128>{P * big + ranks, -big * (ranks + P * tag), P * tag};
    };
    EXPECT_TRUE(second.wait() == expected(3));
    EXPECT_TRUE(first.wait() == expected(1));
    EXPECT_FALSE(first.in_flight());
    EXPECT_TRUE(blocking == expected(2));
}

} // namespace
