// The neuron block against analytic results: the exact solution of the
// subthreshold system (RK4's order) and the deterministic firing period.
#include "neurons/neurons.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace lifnet;

namespace {

// The closed-form solution of tau_m V' = -(V - V_rest) + I + u, tau_syn I' = -I,
// written independently of the integrators under test.
double exact_v(const config& c, double V0, double I0, double u, double t) {
    const double V_inf = c.V_rest + u;
    const double a = c.tau_syn / (c.tau_syn - c.tau_m);
    return V_inf + (V0 - V_inf) * std::exp(-t / c.tau_m) + I0 * a * (std::exp(-t / c.tau_syn) - std::exp(-t / c.tau_m));
}

double rk4_error(config c, double dt, double T) {
    c.dt = dt;
    const neuron_constants k(c);
    double V = -62, I = 7;
    const double u = 12;
    const auto steps = std::llround(T / dt);
    for (long long n = 0; n < steps; ++n) rk4_step(k, V, I, 0.0, u, u, u);
    return std::abs(V - exact_v(c, -62, 7, u, static_cast<double>(steps) * dt));
}

// Step n of `block` through the production path (neuron_block::advance)
// with the input counts exc and inh per neuron due at n; returns the local
// indices of the neurons that spiked.
std::vector<std::uint32_t> step(neuron_block& block, const config& c, std::int64_t n,
                                const std::vector<input_count>& exc = {}, const std::vector<input_count>& inh = {}) {
    delay_ring ring(block.size(), c.delay_steps());
    for (std::size_t i = 0; i < exc.size(); ++i) ring.counts(n, false)[i] = exc[i];
    for (std::size_t i = 0; i < inh.size(); ++i) ring.counts(n, true)[i] = inh[i];
    std::vector<local_spike> fired;
    block.advance(n, n + 1, ring, c.g, sample_grid(c), fired,
                  [](std::int64_t, std::size_t, std::span<const double>) {});
    std::vector<std::uint32_t> indices;
    for (const auto& f: fired) {
        EXPECT_EQ(f.step, n);
        indices.push_back(f.index);
    }
    return indices;
}

// Spike steps of one neuron with no synaptic input, advanced an epoch of D
// steps at a time as a run does.
std::vector<std::int64_t> lone_neuron_spikes(const config& c) {
    neuron_block block(c, {0}, {c.J});
    delay_ring ring(1, c.delay_steps());
    const sample_grid grid(c);
    std::vector<local_spike> fired;
    std::int64_t samples = 0;
    const neuron_block::sampler count = [&](std::int64_t m, std::size_t, std::span<const double> V) {
        EXPECT_TRUE(grid.contains(m));
        EXPECT_EQ(V.size(), 1u);
        ++samples;
    };
    for (std::int64_t n = 0; n < c.nsteps(); n += c.delay_steps())
        block.advance(n, std::min(n + c.delay_steps(), c.nsteps()), ring, c.g, grid, fired, count);
    EXPECT_EQ(samples, grid.count() - (grid.contains(0) ? 1 : 0)); // every sample after t = 0
    std::vector<std::int64_t> steps;
    for (const auto& f: fired) {
        EXPECT_EQ(f.index, 0u);
        steps.push_back(f.step);
    }
    return steps;
}

} // namespace

TEST(rk4, error_falls_as_dt_to_the_fourth) {
    const config c;
    const std::vector<double> dts = {0.4, 0.2, 0.1, 0.05};
    std::vector<double> errors;
    for (double dt: dts) errors.push_back(rk4_error(c, dt, 2 * c.tau_m));
    // Least-squares slope of log(error) against log(dt).
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < dts.size(); ++i) {
        mx += std::log(dts[i]) / dts.size();
        my += std::log(errors[i]) / dts.size();
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < dts.size(); ++i) {
        sxy += (std::log(dts[i]) - mx) * (std::log(errors[i]) - my);
        sxx += (std::log(dts[i]) - mx) * (std::log(dts[i]) - mx);
    }
    EXPECT_NEAR(sxy / sxx, 4.0, 0.3);
    for (double e: errors) EXPECT_GT(e, 1e-11) << "errors must stay well above round-off";
}

TEST(exact, matches_the_closed_form) {
    config c;
    const neuron_constants k(c);
    double V = -62, I = 7;
    for (int n = 0; n < 200; ++n) exact_step(k, V, I, 12);
    EXPECT_NEAR(V, exact_v(c, -62, 7, 12, 200 * c.dt), 1e-10);
    EXPECT_NEAR(I, 7 * std::exp(-200 * c.dt / c.tau_syn), 1e-12);
}

TEST(exact, equal_time_constants_use_the_limit) {
    config c;
    c.tau_syn = c.tau_m;
    const neuron_constants equal(c);
    c.tau_syn = c.tau_m * (1 + 1e-9);
    const neuron_constants near(c);
    EXPECT_TRUE(std::isfinite(equal.P21));
    EXPECT_NEAR(equal.P21, near.P21, 1e-9);
    EXPECT_NEAR(equal.P21, c.dt / c.tau_m * std::exp(-c.dt / c.tau_m), 1e-15);
}

TEST(neuron, interspike_interval_matches_the_analytic_period) {
    for (const char* integrator: {"rk4", "exact"}) {
        config c;
        c.sigma = 0;
        set_key(c, "integrator", integrator);
        // T_free = tau_m ln((I - (V_reset - V_rest)) / (I - (V_th - V_rest))).
        const double T_free =
            c.tau_m * std::log((c.I_bias - (c.V_reset - c.V_rest)) / (c.I_bias - (c.V_th - c.V_rest)));
        const double isi = c.t_ref + c.dt * std::ceil(T_free / c.dt);
        EXPECT_NEAR(isi, 29.8, 1e-9);
        const auto spikes = lone_neuron_spikes(c);
        ASSERT_GE(spikes.size(), 10u) << integrator;
        for (std::size_t i = 1; i < spikes.size(); ++i)
            EXPECT_NEAR((spikes[i] - spikes[i - 1]) * c.dt, isi, 1e-9) << integrator << " spike " << i;
    }
}

TEST(neuron, below_rheobase_never_spikes) {
    config c;
    c.sigma = 0;
    c.I_bias = 14.9; // V settles at V_rest + 14.9 < V_th
    EXPECT_TRUE(lone_neuron_spikes(c).empty());
}

TEST(neuron, stimulus_pulse_acts_only_in_its_window) {
    config c;
    c.sigma = 0;
    c.I_bias = 0;
    c.stim_amp = 30;
    c.stim_start = 200;
    c.stim_dur = 100;
    c.t_stop = 500;
    const auto spikes = lone_neuron_spikes(c);
    ASSERT_FALSE(spikes.empty());
    for (auto n: spikes) {
        EXPECT_GE((n + 1) * c.dt, c.stim_start);
        EXPECT_LE((n + 1) * c.dt, c.stim_start + c.stim_dur + c.dt);
    }
}

TEST(neuron, refractory_neuron_holds_reset) {
    config c;
    c.sigma = 0;
    c.I_bias = 40;
    c.t_ref = 5;
    neuron_block block(c, {0}, {c.J});
    std::int64_t n = 0;
    while (step(block, c, n++).empty()) {
    }
    for (std::int64_t r = 0; r < c.ref_steps(); ++r, ++n) {
        EXPECT_TRUE(step(block, c, n).empty());
        EXPECT_EQ(block.V[0], c.V_reset) << "step " << n;
    }
    step(block, c, n);
    EXPECT_GT(block.V[0], c.V_reset);
}

TEST(neuron, input_counts_add_weighted_increments) {
    config c;
    c.sigma = 0;
    c.g = 4;
    neuron_block block(c, {0, 1}, {2.0, 3.0});
    block.refractory = {1, 1}; // keep V fixed; I still integrates
    step(block, c, 0, {3, 1}, {1, 2});
    const double decay = [&] {
        double v = c.V_reset, i = 1;
        rk4_step(neuron_constants(c), v, i, 0, c.I_bias, c.I_bias, c.I_bias);
        return i;
    }();
    EXPECT_DOUBLE_EQ(block.I[0], 2.0 * (3 - 4.0 * 1) * decay);
    EXPECT_DOUBLE_EQ(block.I[1], 3.0 * (1 - 4.0 * 2) * decay);
}

TEST(neuron, an_epoch_in_one_call_equals_its_steps_one_by_one) {
    // Temporal blocking (chunks of neurons through all steps of the epoch)
    // changes no bit: 3000 neurons (several chunks and a padded noise
    // vector), with noise and input, over 10 steps.
    config c;
    c.sigma = 1;
    std::vector<std::uint64_t> ids(3000);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 3 * i + 1;
    neuron_block whole(c, ids, std::vector<double>(ids.size(), c.J)), single = whole;
    delay_ring ring(ids.size(), c.delay_steps());
    for (std::int64_t n = 0; n < 10; ++n)
        for (std::size_t i = 0; i < ids.size(); i += 7) ring.counts(n, (i + n) % 2)[i] = 1 + i % 5;
    std::vector<local_spike> fired;
    std::vector<std::pair<std::int64_t, std::uint32_t>> in_one, one_by_one;
    whole.advance(0, 10, ring, c.g, sample_grid(c), fired, [](std::int64_t, std::size_t, std::span<const double>) {});
    for (const auto& f: fired) in_one.emplace_back(f.step, f.index);
    for (std::int64_t n = 0; n < 10; ++n) {
        std::vector<input_count> exc(ids.size(), 0), inh(ids.size(), 0);
        for (std::size_t i = 0; i < ids.size(); i += 7) ((i + n) % 2 ? inh : exc)[i] = 1 + i % 5;
        for (auto i: step(single, c, n, exc, inh)) one_by_one.emplace_back(n, i);
    }
    std::sort(in_one.begin(), in_one.end());
    EXPECT_FALSE(in_one.empty());
    EXPECT_EQ(in_one, one_by_one);
    EXPECT_EQ(whole.V, single.V);
    EXPECT_EQ(whole.I, single.I);
    EXPECT_EQ(whole.refractory, single.refractory);
    EXPECT_EQ(ring.excitatory(3)[7], 0) << "the inputs used are cleared";
}

TEST(neuron, restore_refuses_state_no_run_reaches) {
    config c;
    c.t_ref = 2;
    neuron_block block(c, {0, 1}, {c.J, c.J});
    const auto V0 = block.V;
    const double below = c.V_th - 1, nan = std::nan("");
    // Refractory steps out of range, V held at reset while refractory, V at
    // threshold, a NaN, a value beyond the exact sums, the wrong size.
    EXPECT_FALSE(block.restore({below, below}, {0, 0}, {-1, 0}));
    EXPECT_FALSE(block.restore({below, below}, {0, 0}, {c.ref_steps() + 1, 0}));
    EXPECT_FALSE(block.restore({below, below}, {0, 0}, {1, 0}));
    EXPECT_FALSE(block.restore({c.V_th, below}, {0, 0}, {0, 0}));
    EXPECT_FALSE(block.restore({below, below}, {nan, 0}, {0, 0}));
    EXPECT_FALSE(block.restore({below, below}, {0x1p41, 0}, {0, 0}));
    EXPECT_FALSE(block.restore({below}, {0}, {0}));
    EXPECT_EQ(block.V, V0) << "nothing restored";
    EXPECT_TRUE(block.restore({c.V_reset, below}, {1.5, -2}, {c.ref_steps(), 0}));
    EXPECT_EQ(block.V, (std::vector<double>{c.V_reset, below}));
    EXPECT_EQ(block.I, (std::vector<double>{1.5, -2}));
    EXPECT_EQ(block.refractory, (std::vector<std::int64_t>{c.ref_steps(), 0}));
}
