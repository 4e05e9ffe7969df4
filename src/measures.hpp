#pragma once
// The synchrony measures of MODEL.md §4, computed in parallel with exact
// reductions: the same numbers, to the last bit, on any number of ranks.
#include "exact_sum.hpp"

#include <lifnet/config.hpp>
#include <lifnet/simulation.hpp>

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace lifnet {

// The sample times t_m = m·dt: m a multiple of stride, first <= m <= last.
struct sample_grid {
    explicit sample_grid(const config& c);
    bool contains(std::int64_t m) const { return m >= first && m <= last && m % stride == 0; }
    std::int64_t count() const { return last < first ? 0 : (last - first) / stride + 1; }
    std::int64_t stride, first, last;
};

// chi, E and V̄(t) from the sampled membrane potentials.
class voltage_measures {
public:
    voltage_measures(const sample_grid& grid, std::size_t local_neurons, std::uint64_t N,
                     const boost::mpi::communicator& comm);
    // Local: takes the next sample (buffered until reduce()).
    void sample(std::span<const double> V);
    // Collective: V̄ of the buffered samples, and their share of E.
    void reduce();
    // Collective: fills chi, E, t and Vbar of `out`.
    void finish(double dt, sync_measures& out);

    // For checkpoints, after reduce(): per neuron (mean, M2), and the totals.
    struct totals {
        std::int64_t samples;
        fixed128 abs_deviation; // summed over all ranks
        std::vector<double> vbar;
    };
    std::vector<double> neuron_state() const;
    totals global_state() const; // collective
    // `t.abs_deviation` is kept by rank 0 only, so that the final sum is exact.
    void restore(const std::vector<double>& neurons, const totals& t);

private:
    sample_grid grid_;
    std::size_t local_;
    std::uint64_t N_;
    boost::mpi::communicator comm_;
    std::vector<double> buffer_;    // buffered samples × local neurons [mV]
    std::vector<double> mean_, m2_; // Welford, per local neuron
    std::int64_t samples_ = 0;
    fixed128 abs_deviation_ = 0; // Σ_t Σ_i |V_i − V̄|, local
    std::vector<double> vbar_;   // [mV], per sample
};

// R, rate and CV from the spikes of the local neurons.
class spike_measures {
public:
    spike_measures(const sample_grid& grid, const config& c, std::size_t local_neurons);
    // Local neuron i spiked at time index a (t = a·dt).
    void add(std::size_t i, std::int64_t a) { spikes_[i].push_back(a); }
    // Collective: fills R, rate_hz and cv of `out`.
    void finish(const boost::mpi::communicator& comm, sync_measures& out) const;

    // For checkpoints: the spike time indices of each local neuron.
    const std::vector<std::vector<std::int64_t>>& spikes() const { return spikes_; }
    void restore(std::vector<std::vector<std::int64_t>> spikes) { spikes_ = std::move(spikes); }

private:
    sample_grid grid_;
    std::uint64_t N_;
    std::int64_t transient_;      // t_transient in steps
    double t_stop_, t_transient_; // [ms]
    std::vector<std::vector<std::int64_t>> spikes_;
};

} // namespace lifnet
