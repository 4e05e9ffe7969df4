#pragma once
// The synchrony measures of MODEL.md §4, computed in parallel with exact
// reductions: the same numbers, to the last bit, on any number of ranks.
#include "measures/exact_sum.hpp"
#include "measures/sample_grid.hpp"
#include "neurons/local_spike.hpp"

#include <lifnet/config.hpp>
#include <lifnet/summary.hpp>

#include <boost/mpi/communicator.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lifnet {

// chi, E and V̄(t) from the sampled membrane potentials.
class voltage_measures {
public:
    voltage_measures(const sample_grid& grid, std::size_t local_neurons, std::uint64_t N,
                     const boost::mpi::communicator& comm);
    // Local: V at sample time m (a time index of the grid) of the local
    // neurons [first, first + V.size()), buffered until reduce(). Every
    // neuron takes the samples in time order; chunks may come in any order.
    void sample(std::int64_t m, std::size_t first, std::span<const double> V);
    // The buffered samples taken by a run up to time index `step` since the
    // last reduce(), and the j-th of them, for every local neuron.
    std::size_t buffered(std::int64_t step) const;
    std::span<const double> buffered_sample(std::size_t j) const;
    // Collective, non-blocking: completes the reduction in flight (V̄ of its
    // samples and their share of E), then starts the one of V̄'s sums over
    // the samples buffered up to time index `step`, which the next call
    // completes: no rank waits here for the others' latest epoch. The
    // samples stay buffered until then.
    void reduce(std::int64_t step);
    // Collective: completes the reduction in flight (blocking).
    void complete();
    // Collective: fills chi, E, t and Vbar of `out`.
    void finish(double dt, sync_measures& out);

    // For checkpoints: per neuron (mean, M2), and the totals, with the
    // reduction in flight completed (so a restart continues from a state
    // the uninterrupted run reaches too).
    struct totals {
        std::int64_t samples;
        fixed128 abs_deviation; // summed over all ranks
        std::vector<double> vbar;
    };
    std::vector<double> neuron_state() const;
    totals global_state(); // collective
    // Checks and restores them; `t.abs_deviation` is kept by rank 0 only, so
    // that the final sum is exact. False, with nothing restored, if they
    // cannot be the state of a run up to time index `step`.
    bool restore(const std::vector<double>& neurons, const totals& t, std::int64_t step);

private:
    sample_grid grid_;
    std::size_t local_;
    std::uint64_t N_;
    boost::mpi::communicator comm_;
    // Samples × local neurons [mV]: those taken since the last reduce(), and
    // those whose sums are in flight (swapped at each start, no copies).
    std::vector<double> buffer_, in_flight_;
    std::size_t in_flight_samples_ = 0;
    std::string in_flight_diverged_; // this rank's divergence among them, if any
    nonblocking_sum sums_;
    std::size_t started_ = 0;       // samples whose reduction has started (V̄ known or in flight)
    std::vector<double> mean_, m2_; // Welford, per local neuron
    fixed128 abs_deviation_ = 0;    // Σ_t Σ_i |V_i − V̄|, local
    std::vector<double> vbar_;      // [mV], per sample
};

// R, rate and CV from the spikes of the local neurons, accumulated as the
// spikes come, so that memory does not grow with the run: per neuron a few
// counters, and for R the sums of cos θ and sin θ per sample time.
class spike_measures {
public:
    spike_measures(const sample_grid& grid, const config& c, std::size_t local_neurons);
    // The spikes of an epoch as (step n, local neuron i): neuron i spiked at
    // time index n + 1, later than its previous spike. They are kept, and
    // added up in batches (flush()): between epochs the neuron update
    // evicts the accumulators and phase tables from the cache, within a
    // batch they stay.
    void add(std::span<const local_spike> fired);
    void flush();
    // Collective: fills R, rate_hz and cv of `out`.
    void finish(const boost::mpi::communicator& comm, sync_measures& out);

    // What one neuron's spikes have left so far.
    struct neuron {
        std::int64_t count = 0;           // spikes
        std::int64_t first = 0, last = 0; // time indices of the first and the last (0: none yet)
        std::int64_t late = 0;            // spikes after t_transient
        double isi_mean = 0, isi_m2 = 0;  // Welford over the ISIs between them [steps]
    };
    // For checkpoints (both add up the spikes kept first): the local
    // neurons' state, and the phase sums of every sample time summed over
    // all ranks (collective).
    const std::vector<neuron>& neurons() {
        flush();
        return neurons_;
    }
    std::vector<fixed128> global_phase_sums(const boost::mpi::communicator& comm);
    // Checks and restores them: this rank's neurons, and the sums as
    // global_phase_sums() returned them (kept by the root rank only, so that
    // the final sums stay exact). False, with nothing restored, if they cannot
    // be the state of a run up to time index `step`.
    bool restore(std::vector<neuron> neurons, std::vector<fixed128> phase_sums, std::int64_t step, bool root);

private:
    sample_grid grid_;
    std::uint64_t N_;
    std::int64_t transient_;      // t_transient in steps
    double t_stop_, t_transient_; // [ms]
    std::vector<neuron> neurons_;
    // Σ cos θ and Σ sin θ over the local neurons at each sample time, from
    // the intervals between spikes so far, in fixed point split in two
    // int64 halves (split_fixed): 4 per sample of grid_ (cos high, cos low,
    // sin high, sin low). A rank adds at most one term per neuron and sample
    // (|high| <= 2^32 each, fewer than 2^31 neurons), so the int64 sums are
    // exact; the halves are joined into fixed128 only to reduce them.
    std::vector<std::int64_t> phase_sums_;
    std::vector<fixed128> restored_sums_; // the root's: the sums of a checkpoint (2 per sample), else empty
    // The same four halves for every phase of an interval of L steps, for
    // the L that occur up to max_table (at most 34 MB in all): a lookup and
    // four int64 additions instead of a sincos and two conversions per
    // sample time and spike, the same integers. Rows of phase_columns(L)
    // (see phase_table).
    static constexpr std::int64_t max_table = 1024;
    std::vector<std::vector<std::int64_t>> phase_tables_; // [L], empty until an interval of L steps comes
    static constexpr std::size_t batch = 1 << 14;         // spikes added up at once
    std::vector<local_spike> pending_;
    // A batch's intervals: `count` sample times' halves from `row` of a
    // phase table to `sums` in phase_sums_.
    struct queued_phases {
        std::int64_t* sums;
        const std::int64_t* row;
        std::size_t count;
    };
    std::vector<queued_phases> queued_;
    const std::vector<std::int64_t>& phase_table(std::int64_t L);
    std::size_t phase_columns(std::int64_t L) const;
    void add(std::size_t i, std::int64_t a);
    // Collective: R of `out` from the `counted` neurons that spiked twice,
    // over the sample times first <= m < last.
    void finish_R(const boost::mpi::communicator& comm, std::int64_t first, std::int64_t last, std::uint64_t counted,
                  sync_measures& out);
};

} // namespace lifnet
