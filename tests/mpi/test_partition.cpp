// Partitioning (issue 2): migrate moves every row intact to the rank it was
// given, random is balanced, and PT-Scotch finds the locality that block and
// random miss.
#include "comm/mpi_util.hpp"
#include "graph/graph.hpp"
#include "partition/partition.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

using lifnet::adjacency;
using lifnet::config;

// Whether `ok` holds on every rank. Assert on this (not on a rank's own
// value) before a collective, so that a failure returns from the test on
// every rank together and none is left waiting.
bool everywhere(const boost::mpi::communicator& comm, bool ok) {
    return boost::mpi::all_reduce(comm, static_cast<int>(ok), boost::mpi::minimum<int>()) == 1;
}

boost::mpi::communicator self() {
    return boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_duplicate);
}

// The synapses of `adj` whose source lives on another rank, counted here
// from the gathered ownership (independently of lifnet::describe).
std::uint64_t count_cut(const adjacency& adj, const boost::mpi::communicator& comm) {
    struct placed {
        std::uint64_t id;
        int rank;
    };
    std::vector<placed> local;
    for (auto id: adj.ids) local.push_back({id, comm.rank()});
    std::vector<int> owner(adj.N, -1);
    for (const auto& p: lifnet::allgatherv(comm, std::span<const placed>(local))) owner[p.id] = p.rank;
    std::uint64_t cut = 0;
    for (std::size_t r = 0; r < adj.rows(); ++r)
        for (auto i = adj.offsets[r]; i < adj.offsets[r + 1]; ++i) cut += owner[adj.neighbours[i]] != comm.rank();
    return boost::mpi::all_reduce(comm, cut, std::plus<>());
}

// Partitions `adj` (block distributed, as build_graph returns it) by
// c.partition and returns the migrated rows.
adjacency partition(const config& c, const adjacency& adj, const boost::mpi::communicator& comm) {
    return lifnet::migrate(adj, lifnet::assign_ranks(c, adj, comm), comm);
}

// ---------------------------------------------------------------------------
// At every rank count.

class migration: public testing::TestWithParam<std::string> {};

TEST_P(migration, keeps_every_row_once_on_its_rank) {
    const boost::mpi::communicator world;
    config c;
    c.graph = lifnet::graph_model::ws;
    c.N = 10007;
    c.k = 10;
    c.p = 0.1;
    c.seed = 3;
    lifnet::set_key(c, "partition", GetParam());
    const auto adj = lifnet::build_graph(c, world);
    const auto to = lifnet::assign_ranks(c, adj, world);
    EXPECT_EQ(to.size(), adj.rows());
    const bool ranks_valid = std::all_of(to.begin(), to.end(), [&](int r) { return r >= 0 && r < world.size(); });
    EXPECT_TRUE(ranks_valid) << "assign_ranks named a rank outside [0, " << world.size() << ")";
    ASSERT_TRUE(everywhere(world, to.size() == adj.rows() && ranks_valid)) << "bad assignment on some rank";
    const auto moved = lifnet::migrate(adj, to, world);

    EXPECT_EQ(moved.N, c.N);
    EXPECT_EQ(moved.offsets.size(), moved.rows() + 1);
    EXPECT_EQ(moved.offsets.back(), moved.neighbours.size());
    ASSERT_TRUE(everywhere(world, moved.N == c.N && moved.offsets.size() == moved.rows() + 1 &&
                                      moved.offsets.back() == moved.neighbours.size()))
        << "malformed rows on some rank";
    EXPECT_TRUE(std::adjacent_find(moved.ids.begin(), moved.ids.end(), std::greater_equal<>()) == moved.ids.end())
        << "ids not strictly increasing on rank " << world.rank();

    // Every node exactly once over all ranks, each on the rank `to` named.
    struct placed {
        std::uint64_t id;
        int rank;
        auto operator<=>(const placed&) const = default;
    };
    std::vector<placed> sent, arrived;
    for (std::size_t r = 0; r < adj.rows(); ++r) sent.push_back({adj.ids[r], to[r]});
    for (auto id: moved.ids) arrived.push_back({id, world.rank()});
    auto all_sent = lifnet::allgatherv(world, std::span<const placed>(sent));
    auto all_arrived = lifnet::allgatherv(world, std::span<const placed>(arrived));
    std::sort(all_sent.begin(), all_sent.end());
    std::sort(all_arrived.begin(), all_arrived.end());
    ASSERT_EQ(all_arrived.size(), c.N);
    for (std::uint64_t i = 0; i < c.N; ++i) ASSERT_EQ(all_arrived[i].id, i) << "node missing or repeated";
    EXPECT_EQ(all_arrived, all_sent) << "a row did not arrive where assign_ranks sent it";

    // Each row keeps its neighbours: compare with the graph one rank builds.
    const auto whole = lifnet::build_graph(c, self());
    ASSERT_EQ(whole.rows(), c.N);
    std::uint64_t changed = 0;
    for (std::size_t r = 0; r < moved.rows(); ++r) {
        const auto id = moved.ids[r];
        const std::vector<std::uint64_t> got(moved.neighbours.begin() + static_cast<std::ptrdiff_t>(moved.offsets[r]),
                                             moved.neighbours.begin() +
                                                 static_cast<std::ptrdiff_t>(moved.offsets[r + 1]));
        const std::vector<std::uint64_t> want(whole.neighbours.begin() + static_cast<std::ptrdiff_t>(whole.offsets[id]),
                                              whole.neighbours.begin() +
                                                  static_cast<std::ptrdiff_t>(whole.offsets[id + 1]));
        if (got != want && changed++ == 0) {
            EXPECT_EQ(got, want) << "row of node " << id << " (first changed row)";
        }
    }
    EXPECT_EQ(changed, 0u) << "rows whose neighbours changed in migration";

    // describe agrees with an independent count.
    const auto stats = lifnet::describe(moved, world);
    ASSERT_EQ(stats.neurons.size(), static_cast<std::size_t>(world.size()));
    EXPECT_EQ(std::accumulate(stats.neurons.begin(), stats.neurons.end(), std::uint64_t(0)), c.N);
    EXPECT_EQ(std::accumulate(stats.synapses.begin(), stats.synapses.end(), std::uint64_t(0)), c.N * c.k);
    EXPECT_EQ(stats.neurons[world.rank()], moved.rows());
    EXPECT_EQ(stats.edge_cut, count_cut(moved, world));
    if (world.size() == 1) {
        EXPECT_EQ(stats.edge_cut, 0u);
    }

    const auto [least, most] = std::minmax_element(stats.neurons.begin(), stats.neurons.end());
    if (GetParam() == "random" || GetParam() == "block") {
        EXPECT_LE(*most - *least, 1u) << GetParam() << " is unbalanced";
    }
    if (world.rank() == 0)
        std::printf("N=%llu on %d ranks, %s: neurons per rank %llu..%llu, edge cut %llu\n",
                    static_cast<unsigned long long>(c.N), world.size(), GetParam().c_str(),
                    static_cast<unsigned long long>(*least), static_cast<unsigned long long>(*most),
                    static_cast<unsigned long long>(stats.edge_cut));
}

INSTANTIATE_TEST_SUITE_P(partitions, migration, testing::Values("ptscotch", "block", "random"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// ---------------------------------------------------------------------------
// Cut quality, at 4 ranks.

TEST(partition_quality, watts_strogatz_ptscotch_beats_random_and_matches_block) {
    const boost::mpi::communicator world;
    if (world.size() != 4) GTEST_SKIP() << "needs 4 ranks";
    config c;
    c.graph = lifnet::graph_model::ws;
    c.N = 100000;
    c.k = 10;
    c.p = 0.1;
    c.seed = 1;
    const auto adj = lifnet::build_graph(c, world);
    std::uint64_t cut[3];
    const char* names[3] = {"ptscotch", "block", "random"};
    for (int i = 0; i < 3; ++i) {
        lifnet::set_key(c, "partition", names[i]);
        const auto stats = lifnet::describe(partition(c, adj, world), world);
        cut[i] = stats.edge_cut;
        if (world.rank() == 0)
            std::printf("WS N=1e5 k=10 p=0.1, 4 ranks, %-8s: edge cut %7llu of %llu synapses, imbalance %.4f\n",
                        names[i], static_cast<unsigned long long>(cut[i]), static_cast<unsigned long long>(c.N * c.k),
                        stats.imbalance);
    }
    EXPECT_GT(cut[0], 0u);
    EXPECT_LE(5 * cut[0], cut[2]) << "ptscotch cuts more than random / 5";
    EXPECT_LE(static_cast<double>(cut[0]), 1.5 * static_cast<double>(cut[1])) << "ptscotch cuts more than 1.5 x block";
}

TEST(partition_quality, permuted_ring_from_file_ptscotch_finds_the_ring) {
    const boost::mpi::communicator world;
    if (world.size() != 4) GTEST_SKIP() << "needs 4 ranks";
    constexpr std::uint64_t N = 100000, k = 10;

    // A ring lattice with its node ids shuffled (Fisher–Yates over
    // mt19937_64, whose output the standard fixes), so the ids carry no
    // locality for block to exploit.
    std::vector<std::uint64_t> label(N);
    std::iota(label.begin(), label.end(), std::uint64_t(0));
    std::mt19937_64 rng(20240611);
    for (std::uint64_t i = N - 1; i > 0; --i) std::swap(label[i], label[rng() % (i + 1)]);

    std::string path;
    if (world.rank() == 0) {
        const auto dir = std::filesystem::temp_directory_path() / ("lifnet-test-partition-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        path = (dir / "permuted_ring.edges").string();
        std::ofstream out(path);
        out << "# ring lattice N=" << N << " k=" << k << ", ids permuted\n";
        for (std::uint64_t u = 0; u < N; ++u)
            for (std::uint64_t j = 1; j <= k / 2; ++j) out << label[u] << ' ' << label[(u + j) % N] << '\n';
    }
    boost::mpi::broadcast(world, path, 0);
    world.barrier();

    config c;
    c.graph = lifnet::graph_model::file;
    c.graph_file = path;
    c.N = N;
    c.k = k;
    const auto adj = lifnet::build_graph(c, world);
    world.barrier();
    if (world.rank() == 0) std::filesystem::remove_all(std::filesystem::path(path).parent_path());

    // The file was read back as the ring: node label[u] is joined to label[u ± j].
    std::vector<std::uint64_t> position(N);
    for (std::uint64_t u = 0; u < N; ++u) position[label[u]] = u;
    std::uint64_t wrong = 0;
    for (std::size_t r = 0; r < adj.rows(); ++r) {
        std::vector<std::uint64_t> want;
        for (std::uint64_t j = 1; j <= k / 2; ++j) {
            want.push_back(label[(position[adj.ids[r]] + j) % N]);
            want.push_back(label[(position[adj.ids[r]] + N - j) % N]);
        }
        std::sort(want.begin(), want.end());
        const std::vector<std::uint64_t> got(adj.neighbours.begin() + static_cast<std::ptrdiff_t>(adj.offsets[r]),
                                             adj.neighbours.begin() + static_cast<std::ptrdiff_t>(adj.offsets[r + 1]));
        if (got != want && wrong++ == 0) {
            EXPECT_EQ(got, want) << "row of node " << adj.ids[r] << " (first wrong row)";
        }
    }
    EXPECT_EQ(wrong, 0u) << "rows not read back as the permuted ring";

    std::uint64_t cut[2];
    const char* names[2] = {"ptscotch", "block"};
    for (int i = 0; i < 2; ++i) {
        lifnet::set_key(c, "partition", names[i]);
        const auto stats = lifnet::describe(partition(c, adj, world), world);
        cut[i] = stats.edge_cut;
        if (world.rank() == 0)
            std::printf("permuted ring N=1e5 k=10 from file, 4 ranks, %-8s: edge cut %7llu of %llu synapses, "
                        "imbalance %.4f\n",
                        names[i], static_cast<unsigned long long>(cut[i]), static_cast<unsigned long long>(N * k),
                        stats.imbalance);
    }
    EXPECT_GT(cut[0], 0u);
    EXPECT_LE(5 * cut[0], cut[1]) << "ptscotch does not cut 5x fewer synapses than block";
}

} // namespace
