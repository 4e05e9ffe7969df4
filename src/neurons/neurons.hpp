#pragma once
// The neuron block: the LIF neurons of one rank in structure-of-arrays form
// and the integrators of MODEL.md §2.
#include "delivery/delay_ring.hpp"
#include "measures/sample_grid.hpp"
#include "neurons/local_spike.hpp"

#include <lifnet/config.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <utility>
#include <vector>

namespace lifnet {

// Per-run constants, computed once (NEST's Variables_).
struct neuron_constants {
    explicit neuron_constants(const config& c);
    double dt, tau_m, tau_syn, V_rest, V_reset, V_th, I_bias, stim_amp; // [ms], [mV]
    double noise_scale;                                                 // sigma * sqrt(2 tau_m / dt) [mV]
    std::int64_t stim_lo, stim_hi;                                      // stimulus window in half-steps [lo, hi)
    std::int64_t ref_steps;
    std::uint64_t seed;
    bool exact;
    double inv_tau_m, minus_inv_tau_syn; // 1/tau_m, −1/tau_syn [1/ms]: RK4's derivatives multiply by them
    // Exact propagators over one step (NEST iaf_psc_exp): I *= P11;
    // V = V_inf + (V - V_inf) P22 + I P21.
    double P11, P22, P21;

    // I_ext at half-step h: I_bias plus the stimulus inside its window [mV].
    double external(std::int64_t half_step) const {
        return I_bias + (half_step >= stim_lo && half_step < stim_hi ? stim_amp : 0.0);
    }
};

// One classical RK4 step of (V, I) with input held at e0, e1, e2 at the stage
// times t_n, t_n + dt/2, t_n + dt and noise eta for the whole step.
void rk4_step(const neuron_constants& k, double& V, double& I, double eta, double e0, double e1, double e2);

// One exact step of the linear system with constant input u = I_ext + eta.
void exact_step(const neuron_constants& k, double& V, double& I, double u);

class neuron_block {
public:
    // ids: global ids of the local neurons, sorted; weight: c_i·J per neuron [mV].
    neuron_block(const config& c, std::vector<std::uint64_t> ids, std::vector<double> weight);

    // Steps [n0, n1) (MODEL.md §2; each step adds the input counts due at
    // t_n, draws the noise, integrates and thresholds) with the inputs in `ring`, a chunk of neurons through all
    // of them before the next chunk, so that the chunk's state stays in the
    // cache (temporal blocking); the inputs used are cleared. Valid when no
    // spike of these steps is due within them (n1 - n0 <= D). Appends (n, i)
    // to `spiked` for every local neuron i that spikes at t_{n+1}, in time
    // order for each neuron, and calls sampled(m, first, V) with the V of
    // neurons [first, first + V.size()) at each time index m = n + 1 of `grid`.
    using sampler = std::function<void(std::int64_t m, std::size_t first, std::span<const double> V)>;
    void advance(std::int64_t n0, std::int64_t n1, delay_ring& ring, double g, const sample_grid& grid,
                 std::vector<local_spike>& spiked, const sampler& sampled);

    std::size_t size() const { return ids.size(); }

    // Restores the state of a checkpoint (per neuron, in the order of ids).
    // False, with nothing restored, unless it can be the state of a run
    // after a step: V below threshold or reset (and held while refractory),
    // 0 <= refractory <= the refractory steps, V and I finite and within the
    // range of the measures' exact sums.
    bool restore(std::vector<double> V, std::vector<double> I, std::vector<std::int64_t> refractory);

    const neuron_constants constants;
    const std::vector<std::uint64_t> ids; // global neuron ids, sorted
    const std::vector<double> weight;     // c_i·J [mV]
    std::vector<double> V;                // membrane potential [mV]
    std::vector<double> I;                // synaptic input [mV]
    std::vector<std::int64_t> refractory; // steps of refractoriness left

private:
    // Step n of the `count` neurons from `first`, in an epoch whose last
    // step is `last`; fired_ tells which spiked.
    void step_chunk(std::int64_t n, std::int64_t last, std::size_t first, std::size_t count, const input_count* n_exc,
                    const input_count* n_inh, double g);
    // The normals of step n for the chunk from `first`: its slot of xi_
    // holds the group of step n (steps 4m ... 4m+3, one Philox block per
    // neuron) with the pairs that steps n ... min(last, 4m+3) use, drawn now
    // unless the slot holds them already.
    const double* draw_noise(std::int64_t n, std::int64_t last, std::size_t first, std::size_t count);

    // f(i) for each of the first `count` neurons of the chunk that spiked.
    // Spikes are rare (a few per thousand neuron-steps): 8 flags at a time.
    template <typename F>
    void for_each_fired(std::size_t count, F&& f) const {
        for (std::size_t w = 0; w < count; w += 8) {
            std::uint64_t flags;
            std::memcpy(&flags, fired_.data() + w, sizeof flags); // fired_ holds whole words
            if (flags)
                for (auto i = w; i < std::min(w + 8, count); ++i)
                    if (fired_[i]) f(i);
        }
    }

    static constexpr std::size_t chunk = 1024; // neurons updated at a time (a multiple of noise_lanes and 8)
    std::vector<std::uint64_t> tail_ids_;      // the block's last ids, padded to a whole noise vector
    std::size_t xi_slots_;                     // chunks whose normals are kept at once (see the constructor)
    std::vector<double> xi_;                   // per slot, standard normals of steps 4m ... 4m+3: chunk per step
    std::vector<std::uint64_t> xi_group_;      // per slot, the group m it holds
    std::vector<unsigned> xi_pairs_ = std::vector<unsigned>(xi_slots_, 0);       // per slot, the pairs of it drawn
    std::vector<std::size_t> xi_first_ = std::vector<std::size_t>(xi_slots_, 0); // per slot, its chunk
    std::vector<char> fired_; // spiked in this step, per neuron of the chunk
};

// V_i(0) = V_reset + u (V_th - V_reset), u the initial_v draw of neuron i.
double initial_v(const config& c, std::uint64_t id);

} // namespace lifnet
