// The flagship test: the same seeded run gives bit-identical spikes at any
// rank count, with every partitioner and both exchange modes.
#include "context.hpp"

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

std::vector<spike> spikes_of(const config& c, const context& ctx) {
    std::vector<spike> all;
    run_options options;
    options.on_spikes = [&](std::span<const spike> s) { all.insert(all.end(), s.begin(), s.end()); };
    run(c, options, ctx);
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
            auto c = invariance_config();
            c.partition = partition;
            c.exchange = exchange;
            const auto spikes = spikes_of(c, context());
            ASSERT_EQ(spikes.size(), reference().size()) << partition << ", " << exchange;
            EXPECT_TRUE(spikes == reference()) << partition << ", " << exchange;
        }
    }
}

TEST(rank_invariance, inhibitory_neurons_change_the_dynamics) {
    // Guards the test above against a model where f_inh has no effect.
    auto c = invariance_config();
    c.f_inh = 0;
    EXPECT_NE(spikes_of(c, context()), reference());
}

TEST(run, spikes_are_sorted_by_time_then_id_and_in_range) {
    const auto& s = reference();
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    const auto c = invariance_config();
    for (const auto& x: s) {
        ASSERT_LT(x.id, c.N);
        ASSERT_LT(x.step, c.nsteps());
    }
}
