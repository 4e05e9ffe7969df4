#include "neurons/neurons.hpp"

#include "measures/exact_sum.hpp"
#include "neurons/noise.hpp"

#include <lifnet/random.hpp>

#include <algorithm>
#include <cmath>

namespace lifnet {

neuron_constants::neuron_constants(const config& c):
    dt(c.dt), tau_m(c.tau_m), tau_syn(c.tau_syn), V_rest(c.V_rest), V_reset(c.V_reset), V_th(c.V_th), I_bias(c.I_bias),
    stim_amp(c.stim_amp), noise_scale(c.sigma * std::sqrt(2 * c.tau_m / c.dt)), stim_lo(2 * c.steps(c.stim_start)),
    stim_hi(2 * (c.steps(c.stim_start) + c.steps(c.stim_dur))), ref_steps(c.ref_steps()), seed(c.seed),
    exact(c.integrator == integrator_method::exact), inv_tau_m(1 / c.tau_m), minus_inv_tau_syn(-1 / c.tau_syn) {
    P11 = std::exp(-dt / tau_syn);
    P22 = std::exp(-dt / tau_m);
    // P21 = tau_syn / (tau_syn - tau_m) (e^{-dt/tau_syn} - e^{-dt/tau_m}), written
    // with expm1 so that it stays accurate as tau_syn approaches tau_m; at
    // equality its limit is dt / tau_m e^{-dt/tau_m}.
    if (tau_m == tau_syn)
        P21 = dt / tau_m * P22;
    else
        P21 = tau_syn / (tau_syn - tau_m) * P22 * std::expm1(dt / tau_m - dt / tau_syn);
}

// The expression order is fixed (and FMA contraction off) so that other
// implementations of MODEL.md can match the arithmetic bit for bit
// (docs/model.md). The derivatives multiply by 1/tau_m and −1/tau_syn,
// computed once per run: a vector division costs as much as the rest of the
// step together.
void rk4_step(const neuron_constants& k, double& V, double& I, double eta, double e0, double e1, double e2) {
    const double h = k.dt;
    auto f = [&](double v, double i, double e) { return (-(v - k.V_rest) + i + e + eta) * k.inv_tau_m; };
    auto gi = [&](double i) { return i * k.minus_inv_tau_syn; };
    const double k1v = f(V, I, e0), k1i = gi(I);
    const double k2v = f(V + 0.5 * h * k1v, I + 0.5 * h * k1i, e1), k2i = gi(I + 0.5 * h * k1i);
    const double k3v = f(V + 0.5 * h * k2v, I + 0.5 * h * k2i, e1), k3i = gi(I + 0.5 * h * k2i);
    const double k4v = f(V + h * k3v, I + h * k3i, e2), k4i = gi(I + h * k3i);
    V += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    I += h / 6 * (k1i + 2 * k2i + 2 * k3i + k4i);
}

void exact_step(const neuron_constants& k, double& V, double& I, double u) {
    const double V_inf = k.V_rest + u;
    V = V_inf + (V - V_inf) * k.P22 + I * k.P21;
    I *= k.P11;
}

double initial_v(const config& c, std::uint64_t id) {
    return c.V_reset + to_unit(philox(c.seed, purpose::initial_v, id, 0)[0]) * (c.V_th - c.V_reset);
}

neuron_block::neuron_block(const config& c, std::vector<std::uint64_t> ids_, std::vector<double> weight_):
    constants(c), ids(std::move(ids_)), weight(std::move(weight_)), V(ids.size()), I(ids.size(), 0.0),
    refractory(ids.size(), 0), tail_ids_(noise_lanes, 0),
    // Epochs of 4 steps or more: one slot, which each chunk fills as it
    // comes (at most one group drawn twice per chunk and epoch). Shorter
    // epochs (exchange = step, or d < 4 dt) would draw a whole group for
    // every step: there each chunk keeps its own slot (32 B per neuron).
    xi_slots_(c.sigma != 0 && c.epoch_steps() < 4 ? (ids.size() + chunk - 1) / chunk : 1),
    xi_(4 * chunk * xi_slots_, 0.0), xi_group_(xi_slots_, ~std::uint64_t(0)), fired_(chunk, 0) {
    for (std::size_t i = 0; i < size(); ++i) V[i] = initial_v(c, ids[i]);
}

namespace {

// One step of `count` neurons. Restrict parameters tell the compiler that
// nothing aliases, and the body is branch-free (a refractory neuron's V is
// integrated and then discarded), so that the loop vectorises; a clone per
// instruction set is picked at load time. Every clone computes the same bits:
// IEEE arithmetic per lane, no FMA contraction.
template <bool exact>
inline __attribute__((always_inline)) void
update(const neuron_constants& k, std::int64_t n, std::size_t count, double* __restrict V, double* __restrict I,
       std::int64_t* __restrict refractory, char* __restrict fired, const double* __restrict weight,
       const double* __restrict xi, const input_count* __restrict n_exc, const input_count* __restrict n_inh,
       double g) {
    const double e0 = k.external(2 * n), e1 = k.external(2 * n + 1), e2 = k.external(2 * n + 2);
    for (std::size_t j = 0; j < count; ++j) {
        // Integer counts make the increment independent of arrival order.
        double current = I[j] + weight[j] * (double(std::int32_t(n_exc[j])) - g * double(std::int32_t(n_inh[j])));
        double v = V[j];
        const double eta = k.noise_scale * xi[j];
        if constexpr (exact)
            exact_step(k, v, current, e0 + eta);
        else
            rk4_step(k, v, current, eta, e0, e1, e2);
        const std::int64_t ref = refractory[j];
        const bool free = ref <= 0;
        const bool spikes = free & (v >= k.V_th);
        V[j] = free & !spikes ? v : k.V_reset;
        I[j] = current;
        refractory[j] = spikes ? k.ref_steps : ref - !free;
        fired[j] = spikes;
    }
}

#define LIFNET_UPDATE_CLONE(name, exact)                                                                               \
    __attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) void name(                                     \
        const neuron_constants k, std::int64_t n, std::size_t count, double* __restrict V, double* __restrict I,       \
        std::int64_t* __restrict refractory, char* __restrict fired, const double* __restrict weight,                  \
        const double* __restrict xi, const input_count* __restrict n_exc, const input_count* __restrict n_inh,         \
        double g) {                                                                                                    \
        update<exact>(k, n, count, V, I, refractory, fired, weight, xi, n_exc, n_inh, g);                              \
    }
LIFNET_UPDATE_CLONE(update_rk4, false)
LIFNET_UPDATE_CLONE(update_exact, true)
#undef LIFNET_UPDATE_CLONE

} // namespace

const double* neuron_block::draw_noise(std::int64_t n, std::int64_t last, std::size_t first, std::size_t count) {
    const auto m = static_cast<std::uint64_t>(n) / 4;
    const auto slot = first / chunk % xi_slots_;
    double* const xi = xi_.data() + 4 * chunk * slot;
    // The pairs that steps n ... min(last, 4m+3) use: an epoch that ends or
    // begins inside a group draws only its half of it (the Philox block twice,
    // the Box–Muller once).
    const auto from = n % 4 / 2, to = std::min(last, n | 3) % 4 / 2;
    const unsigned want = (2u << to) - (1u << from);
    const bool held = xi_group_[slot] == m && xi_first_[slot] == first;
    const unsigned missing = held ? want & ~xi_pairs_[slot] : want;
    if (missing) {
        // Whole vectors of noise lanes: the last one of the block is padded
        // (the padding draws are never used).
        const auto whole = count / noise_lanes * noise_lanes;
        normals(constants.seed, ids.data() + first, whole, m, xi, chunk, missing);
        if (whole < count) {
            std::copy(ids.begin() + first + whole, ids.begin() + first + count, tail_ids_.begin());
            normals(constants.seed, tail_ids_.data(), noise_lanes, m, xi + whole, chunk, missing);
        }
        xi_pairs_[slot] = (held ? xi_pairs_[slot] : 0) | missing;
        xi_first_[slot] = first;
        xi_group_[slot] = m;
    }
    return xi + (n % 4) * chunk;
}

void neuron_block::step_chunk(std::int64_t n, std::int64_t last, std::size_t first, std::size_t count,
                              const input_count* n_exc, const input_count* n_inh, double g) {
    const double* xi =
        constants.noise_scale != 0 ? draw_noise(n, last, first, count) : xi_.data(); // zeros without noise
    (constants.exact ? update_exact : update_rk4)(constants, n, count, V.data() + first, I.data() + first,
                                                  refractory.data() + first, fired_.data(), weight.data() + first, xi,
                                                  n_exc + first, n_inh + first, g);
}

bool neuron_block::restore(std::vector<double> V_, std::vector<double> I_, std::vector<std::int64_t> refractory_) {
    if (V_.size() != size() || I_.size() != size() || refractory_.size() != size()) return false;
    for (std::size_t i = 0; i < size(); ++i) {
        const double v = V_[i];
        const auto r = refractory_[i];
        const bool valid = std::abs(v) < fixed_limit && std::abs(I_[i]) < fixed_limit && r >= 0 &&
                           r <= constants.ref_steps &&
                           (r > 0 ? v == constants.V_reset : v < constants.V_th || v == constants.V_reset);
        if (!valid) return false;
    }
    V = std::move(V_);
    I = std::move(I_);
    refractory = std::move(refractory_);
    return true;
}

void neuron_block::advance(std::int64_t n0, std::int64_t n1, delay_ring& ring, double g, const sample_grid& grid,
                           std::vector<local_spike>& spiked, const sampler& sampled) {
    for (std::size_t first = 0; first < size(); first += chunk) {
        const auto count = std::min(chunk, size() - first);
        for (auto n = n0; n < n1; ++n) {
            step_chunk(n, n1 - 1, first, count, ring.excitatory(n), ring.inhibitory(n), g);
            for_each_fired(count, [&](std::size_t i) { spiked.push_back({n, static_cast<std::uint32_t>(first + i)}); });
            if (grid.contains(n + 1)) sampled(n + 1, first, std::span<const double>(V.data() + first, count));
        }
        for (auto n = n0; n < n1; ++n) ring.clear(n, first, count); // while the chunk's counts are in the cache
    }
}

} // namespace lifnet
