// The flagship test: the same seeded run gives bit-identical spikes at any
// rank count, with every partitioner and both exchange modes.
#include "comm/context.hpp"
#include "comm/mpi_util.hpp"

#include <lifnet/simulation.hpp>

#include <gtest/gtest.h>

using namespace lifnet;

namespace {

config invariance_config() {
    config c;
    c.N = 2000;
    c.k = 10;
    c.p = 0.3;
    c.sigma = 1;
    c.f_inh = 0.2;
    c.t_stop = 200;
    return c;
}

// Every rank's spikes, sorted by (time, id), on every rank.
std::vector<spike> spikes_of(const config& c, const context& ctx) {
    std::vector<spike> own;
    run_options options;
    options.on_spikes = [&](std::span<const spike> s) { own.insert(own.end(), s.begin(), s.end()); };
    const auto summary = run(c, options, ctx);
    auto all = allgatherv(ctx.get().comm, std::span<const spike>(own));
    std::sort(all.begin(), all.end());
    EXPECT_EQ(summary.spikes, all.size()) << "every rank counts every spike";
    return all;
}

// The single-rank run every configuration is compared with.
const std::vector<spike>& reference() {
    static const auto spikes = spikes_of(invariance_config(), context::single());
    return spikes;
}

} // namespace

TEST(rank_invariance, spikes_are_bit_identical) {
    ASSERT_GT(reference().size(), 1000u) << "the network must be active for the test to mean anything";
    for (const char* partition: {"ptscotch", "block", "random"}) {
        for (const char* exchange: {"step", "epoch"}) {
            for (const char* routing: {"allgather", "neighbour"}) {
                auto c = invariance_config();
                set_key(c, "partition", partition);
                set_key(c, "exchange", exchange);
                set_key(c, "routing", routing);
                const auto spikes = spikes_of(c, context());
                ASSERT_EQ(spikes.size(), reference().size()) << partition << ", " << exchange << ", " << routing;
                EXPECT_TRUE(spikes == reference()) << partition << ", " << exchange << ", " << routing;
            }
        }
    }
}

TEST(routing, neighbour_sends_each_spike_only_to_ranks_with_targets) {
    const context ctx;
    auto c = invariance_config();
    c.partition = partition_method::block; // a WS ring cut into blocks, little rewired: few neurons reach another rank
    c.p = 0.05;
    c.routing = spike_routing::allgather;
    const auto all = run(c, {}, ctx);
    c.routing = spike_routing::neighbour;
    const auto some = run(c, {}, ctx);
    ASSERT_EQ(all.spikes, some.spikes);
    const auto ranks = static_cast<std::uint64_t>(ctx.size());
    EXPECT_EQ(all.exchange_bytes, all.spikes * sizeof(spike) * (ranks - 1));
    if (ranks == 1) {
        EXPECT_EQ(some.exchange_bytes, 0u);
        return;
    }
    // With blocks of N / ranks >> k ids only neurons within k/2 of a block
    // boundary, or rewired, have targets on another rank.
    EXPECT_GT(some.exchange_bytes, 0u);
    EXPECT_LT(some.exchange_bytes * 2, all.exchange_bytes / (ranks - 1));
}

TEST(rank_invariance, inhibitory_neurons_change_the_dynamics) {
    // Guards the test above against a model where f_inh has no effect.
    auto c = invariance_config();
    c.f_inh = 0;
    EXPECT_NE(spikes_of(c, context()), reference());
}

TEST(run, spikes_are_in_range) {
    const auto& s = reference();
    const auto c = invariance_config();
    for (const auto& x: s) {
        ASSERT_LT(x.id, c.N);
        ASSERT_LT(x.step, c.nsteps());
    }
}
