// Spike delivery: delays, the inhibitory set and the sign of its weights.
#include "delivery/delivery.hpp"
#include "neurons/neurons.hpp"

#include <lifnet/random.hpp>

#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace lifnet;

TEST(inhibitory_set, is_the_smallest_draws_at_any_rank_count) {
    const boost::mpi::communicator world;
    config c;
    c.N = 1001;
    for (double f: {0.0, 0.2, 0.5, 1.0}) {
        c.f_inh = f;
        const auto [lo, hi] = block_of(c.N, world.size(), world.rank());
        std::vector<std::uint64_t> mine;
        for (auto i = lo; i < hi; ++i) mine.push_back(i);
        const inhibitory_set inh(c, mine, world);
        // Brute force over all ids: sort by (draw, id), take round(f N).
        std::vector<std::pair<std::uint32_t, std::uint64_t>> order;
        for (std::uint64_t i = 0; i < c.N; ++i) order.emplace_back(philox(c.seed, purpose::inhibitory, i, 0)[0], i);
        std::sort(order.begin(), order.end());
        const auto want = static_cast<std::size_t>(std::nearbyint(f * c.N));
        std::size_t count = 0;
        for (std::size_t r = 0; r < order.size(); ++r) {
            EXPECT_EQ(inh.contains(order[r].second), r < want) << "f = " << f << ", id " << order[r].second;
            count += inh.contains(order[r].second);
        }
        EXPECT_EQ(count, want);
    }
}

TEST(delivery, spike_acts_exactly_d_after_it_is_emitted) {
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
    config c;
    c.N = 3;
    c.f_inh = 0;
    // Local neurons 1 and 2, both targets of source 0; 2 is also a target of 1.
    adjacency local;
    local.N = 3;
    local.ids = {1, 2};
    local.neighbours = {0, 0, 1};
    local.offsets = {0, 1, 3};
    const inhibitory_set inh(c, {0, 1, 2}, self);
    const connections conns(local, inh);
    const std::int64_t D = 7;
    delay_ring ring(2, D);
    const spike s[] = {{5, 0}, {5, 1}};
    conns.deliver(s, D, ring);
    // The exchange runs after step 5; the ring then covers steps 6 … 6 + D.
    for (std::int64_t n = 6; n <= 6 + D; ++n) {
        const bool due = n == 5 + 1 + D;
        EXPECT_EQ(ring.excitatory(n)[0], due ? 1u : 0u) << n;
        EXPECT_EQ(ring.excitatory(n)[1], due ? 2u : 0u) << n;
        EXPECT_EQ(ring.inhibitory(n)[1], 0u);
        ring.clear(n);
    }
}

TEST(delivery, inhibitory_weights_are_negative) {
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
    config c;
    c.N = 2;
    c.f_inh = 0.5; // one of the two is inhibitory
    c.sigma = 0;
    const inhibitory_set inh(c, {0, 1}, self);
    const std::uint64_t source = inh.contains(0) ? 0 : 1, target = 1 - source;
    ASSERT_TRUE(inh.contains(source));
    ASSERT_FALSE(inh.contains(target));
    adjacency local;
    local.N = 2;
    local.ids = {target};
    local.neighbours = {source};
    local.offsets = {0, 1};
    const connections conns(local, inh);
    const std::int64_t D = c.delay_steps();
    delay_ring ring(1, D);
    const spike s[] = {{0, source}};
    conns.deliver(s, D, ring);
    neuron_block block(c, {target}, {c.J});
    std::vector<local_spike> fired;
    const sample_grid grid(c);
    // The spike is emitted in step 0 and exchanged after it.
    for (std::int64_t n = 1; n <= 1 + D; ++n) {
        EXPECT_EQ(block.I[0], 0.0) << "input arrived before step " << 1 + D;
        block.advance(n, n + 1, ring, c.g, grid, fired, [](std::int64_t, std::size_t, std::span<const double>) {});
    }
    EXPECT_LT(block.I[0], 0.0);
    EXPECT_NEAR(block.I[0], -c.g * c.J, 0.1 * c.g * c.J);
}

// Sources spread over ids up to 2^40 (as rewired edges spread them up to N):
// the lookup finds every source and no other id, and the connection list is
// sized to its sources (buckets of 16 ids up to the largest id would need
// 2^36 entries, 512 GB).
TEST(delivery, sparse_sources_over_a_huge_id_range) {
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
    config c;
    c.N = std::uint64_t(1) << 40;
    c.f_inh = 0;
    std::vector<std::uint64_t> sources;
    for (std::uint64_t j = 0; j < 1000; ++j) sources.push_back(j * j * 1099511 % c.N); // spread, some close together
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    // Two local neurons: target 0 has every source, target 1 every other one.
    adjacency local;
    local.N = c.N;
    local.ids = {c.N - 2, c.N - 1};
    for (std::size_t j = 0; j < sources.size(); ++j) local.neighbours.push_back(sources[j]);
    local.offsets = {0, local.neighbours.size()};
    for (std::size_t j = 0; j < sources.size(); j += 2) local.neighbours.push_back(sources[j]);
    local.offsets.push_back(local.neighbours.size());
    const inhibitory_set inh(c, {}, self);
    const connections conns(local, inh);
    const std::int64_t D = 3;
    std::vector<spike> spikes;
    for (auto s: sources) spikes.push_back({0, s});
    for (auto s: sources) // ids next to the sources that are not sources, and ids past the last
        for (auto x: {s + 1, s + 17, c.N - 3})
            if (!std::binary_search(sources.begin(), sources.end(), x)) spikes.push_back({0, x});
    delay_ring ring(2, D);
    conns.deliver(spikes, D, ring);
    EXPECT_EQ(ring.excitatory(1 + D)[0], sources.size());
    EXPECT_EQ(ring.excitatory(1 + D)[1], (sources.size() + 1) / 2);
}
