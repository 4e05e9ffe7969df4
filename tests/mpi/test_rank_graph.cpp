// The dry run's rank-local graph (graph/rank_graph.hpp) against the real
// distributed build: each rank builds its block's rows both ways and counts
// the synapses that differ (in one and not the other). Lattice edges and
// rewired edges are decided exactly; the one approximation, collisions
// with rewired edges that never touch the rank, changes at most one synapse
// of these networks at p = 0.1, and the few it changes at large p are
// counted here (docs/user-guide.md quotes these numbers).
#include "graph/graph.hpp"
#include "graph/rank_graph.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iterator>
#include <vector>

namespace {

using lifnet::adjacency;
using lifnet::config;

struct difference {
    std::uint64_t synapses = 0, differing = 0;
};

// Synapses of this rank's block rows in one graph and not the other, both ways.
difference compare_block(const config& c, const boost::mpi::communicator& comm) {
    const adjacency real = lifnet::build_graph(c, comm);
    const auto block = lifnet::block_of(c.N, comm.size(), comm.rank());
    std::vector<std::uint64_t> ids;
    for (auto u = block.lo; u < block.hi; ++u) ids.push_back(u);
    const std::function<bool(std::uint64_t)> mine = [&](std::uint64_t id) { return id >= block.lo && id < block.hi; };
    lifnet::rank_graph_stats stats;
    const auto edges = lifnet::rank_edges(c, ids, mine, 2, stats);
    const adjacency dry = lifnet::rows_of(c.N, ids, edges, mine);
    difference d;
    for (std::size_t r = 0; r < real.rows(); ++r) {
        const auto a0 = real.neighbours.begin() + static_cast<std::ptrdiff_t>(real.offsets[r]),
                   a1 = real.neighbours.begin() + static_cast<std::ptrdiff_t>(real.offsets[r + 1]);
        const auto b0 = dry.neighbours.begin() + static_cast<std::ptrdiff_t>(dry.offsets[r]),
                   b1 = dry.neighbours.begin() + static_cast<std::ptrdiff_t>(dry.offsets[r + 1]);
        std::vector<std::uint64_t> only;
        std::set_symmetric_difference(a0, a1, b0, b1, std::back_inserter(only));
        d.differing += only.size();
        d.synapses += real.offsets[r + 1] - real.offsets[r];
    }
    EXPECT_EQ(real.ids, dry.ids);
    d.synapses = boost::mpi::all_reduce(comm, d.synapses, std::plus<>());
    d.differing = boost::mpi::all_reduce(comm, d.differing, std::plus<>());
    return d;
}

config network(std::uint64_t N, std::uint64_t k, double p, std::uint64_t seed) {
    config c;
    c.N = N;
    c.k = k;
    c.p = p;
    c.seed = seed;
    return c;
}

void report(const config& c, const difference& d, const boost::mpi::communicator& comm) {
    if (comm.rank() == 0)
        std::printf("[ rank_graph ] N = %llu, k = %llu, p = %g, seed %llu, %d ranks: %llu of %llu synapses differ\n",
                    (unsigned long long)c.N, (unsigned long long)c.k, c.p, (unsigned long long)c.seed, comm.size(),
                    (unsigned long long)d.differing, (unsigned long long)d.synapses);
}

TEST(rank_graph, equals_the_distributed_build_but_for_rare_collisions_at_p_0_1) {
    // One rank sees every edge: exact. On more, measured: at most one synapse.
    const boost::mpi::communicator world;
    for (std::uint64_t N: {10000, 100000})
        for (std::uint64_t seed: {1, 2}) {
            const auto c = network(N, 10, 0.1, seed);
            const auto d = compare_block(c, world);
            report(c, d, world);
            EXPECT_LE(d.differing, world.size() == 1 ? 0u : 2u) << "N = " << N << ", seed " << seed;
            EXPECT_EQ(d.synapses, N * 10);
        }
}

TEST(rank_graph, ring_and_complete_graphs_are_exact) {
    const boost::mpi::communicator world;
    auto ring = network(1000, 10, 0.1, 3);
    ring.graph = lifnet::graph_model::ring;
    EXPECT_EQ(compare_block(ring, world).differing, 0u);
    EXPECT_EQ(compare_block(network(11, 10, 0.5, 3), world).differing, 0u); // k = N - 1: nothing rewires
}

TEST(rank_graph, the_approximation_at_large_p_is_small) {
    // Dense rewiring makes collisions between rewired edges common: the
    // error the dry run's one approximation makes, measured.
    const boost::mpi::communicator world;
    for (const auto& c: {network(10000, 10, 0.5, 1), network(10000, 10, 1.0, 1), network(2000, 20, 0.9, 1)}) {
        const auto d = compare_block(c, world);
        report(c, d, world);
        EXPECT_LE(d.differing, world.size() == 1 ? 0u : d.synapses / 500) << "N = " << c.N << ", p = " << c.p;
    }
}

} // namespace
