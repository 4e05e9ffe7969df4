#pragma once
// What a run returns: counts, the synchrony measures and where the time went.
#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace lifnet {

// The phases a run's wall time is split into. The table `run_phases` is the one
// list: the run times each phase by name, and the CLI, the summary and the
// run file (attributes wall_seconds and wall_seconds_phases) iterate it.
enum class run_phase { startup, build, partition, simulate, exchange, deliver, write, measures, finish };
struct phase_info {
    run_phase id;
    const char* name;
    const char* meaning;
};
inline constexpr phase_info run_phases[] = {
    {run_phase::startup, "startup",
     "process start (or, after a process's first run, the run's start) to the first step, less the phases "
     "timed in between: loading, MPI start-up, set-up"},
    {run_phase::build, "build", "generating or reading the graph"},
    {run_phase::partition, "partition", "partitioning, migrating, and the exchange's routes"},
    {run_phase::simulate, "simulate", "neuron updates (with the sampling of V)"},
    {run_phase::exchange, "exchange", "spike exchange, with any wait for other ranks"},
    {run_phase::deliver, "deliver", "delivery into the delay ring"},
    {run_phase::write, "write", "file writes: output and checkpoints"},
    {run_phase::measures, "measures", "synchrony measures"},
    {run_phase::finish, "finish",
     "the last step to the run file's completion, less measures: the run's final reductions (MPI_Finalize and "
     "exit come later, in no phase)"},
};

// Wall time [s] on this rank per phase.
class phase_seconds {
public:
    double& operator[](run_phase p) { return seconds_[static_cast<std::size_t>(p)]; }
    double operator[](run_phase p) const { return seconds_[static_cast<std::size_t>(p)]; }

private:
    std::array<double, std::size(run_phases)> seconds_{};
};

// The synchrony measures of MODEL.md §4 over the samples t_transient <= t <= t_stop.
struct sync_measures {
    double chi = 0;                 // Golomb–Rinzel coherence, in [0, 1]
    double E = 0;                   // synchronisation error [mV]
    double R = 0;                   // Kuramoto order parameter from spike phases
    double rate_hz = 0;             // mean firing rate after t_transient [Hz]
    double cv = 0;                  // mean CV of inter-spike intervals
    std::vector<double> t, Vbar;    // sample times [ms] and population mean V [mV]
    std::vector<std::string> notes; // why a measure is NaN
};

struct run_summary {
    std::uint64_t spikes = 0;
    double rate_hz = 0; // 1000 · spikes / (N · t_stop)
    std::uint64_t synapses = 0;
    std::uint64_t edge_cut = 0; // synapses whose source and target are on different ranks
    std::vector<std::uint64_t> neurons_per_rank, synapses_per_rank;
    double imbalance = 1; // max / mean neurons per rank
    phase_seconds seconds;
    std::vector<double> update_seconds; // the neuron-update time of every rank [s]: the load balance
    // Peak resident memory summed over the ranks [bytes]: up to the end of
    // the set-up (graph, partition, state, output file), and during the
    // time-stepping loop alone (sampled at most every 50 ms); 0 where the
    // system does not say.
    std::uint64_t peak_memory_setup = 0, peak_memory_loop = 0;
    // The same for every rank [bytes] (what a dry run of that rank predicts).
    std::vector<std::uint64_t> peak_memory_setup_per_rank, peak_memory_loop_per_rank;
    // Spike bytes sent between ranks by the exchange, all ranks (payload
    // only: 16 bytes per spike and destination rank).
    std::uint64_t exchange_bytes = 0;
    sync_measures sync;
};

} // namespace lifnet
