// The neuron block against analytic results: the exact solution of the
// subthreshold system (RK4's order) and the deterministic firing period.
#include "neurons/neurons.hpp"

#include <gtest/gtest.h>

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

// Spike steps of one neuron with no synaptic input.
std::vector<std::int64_t> lone_neuron_spikes(const config& c) {
    neuron_block block(c, {0}, {c.J});
    const input_count none = 0;
    std::vector<std::uint32_t> fired;
    std::vector<std::int64_t> steps;
    for (std::int64_t n = 0; n < c.nsteps(); ++n) {
        block.step(n, &none, &none, c.g, fired);
        if (!fired.empty()) steps.push_back(n);
        fired.clear();
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
        c.integrator = integrator;
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
    const input_count none = 0;
    std::vector<std::uint32_t> fired;
    std::int64_t n = 0;
    for (; fired.empty(); ++n) block.step(n, &none, &none, c.g, fired);
    for (std::int64_t r = 0; r < c.ref_steps(); ++r, ++n) {
        block.step(n, &none, &none, c.g, fired);
        EXPECT_EQ(block.V[0], c.V_reset) << "step " << n;
    }
    block.step(n, &none, &none, c.g, fired);
    EXPECT_GT(block.V[0], c.V_reset);
}

TEST(neuron, input_counts_add_weighted_increments) {
    config c;
    c.sigma = 0;
    c.g = 4;
    neuron_block block(c, {0, 1}, {2.0, 3.0});
    block.refractory = {1, 1}; // keep V fixed; I still integrates
    const input_count exc[] = {3, 1}, inh[] = {1, 2};
    std::vector<std::uint32_t> fired;
    block.step(0, exc, inh, c.g, fired);
    const double decay = [&] {
        double v = c.V_reset, i = 1;
        rk4_step(neuron_constants(c), v, i, 0, c.I_bias, c.I_bias, c.I_bias);
        return i;
    }();
    EXPECT_DOUBLE_EQ(block.I[0], 2.0 * (3 - 4.0 * 1) * decay);
    EXPECT_DOUBLE_EQ(block.I[1], 3.0 * (1 - 4.0 * 2) * decay);
}
