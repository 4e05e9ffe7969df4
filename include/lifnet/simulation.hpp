#pragma once
// Running one simulation: the public entry point of the library.
#include <lifnet/config.hpp>
#include <lifnet/spike.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lifnet {

// MPI and PETSc for the lifetime of the program. PETSc is started without
// its own signal handler, so that lifnet decides what a signal does.
class environment {
public:
    environment(int& argc, char**& argv);
    ~environment();
    environment(const environment&) = delete;
    environment& operator=(const environment&) = delete;

private:
    struct state;
    std::unique_ptr<state> state_;
};

// The ranks a run uses; it wraps an MPI communicator so that the C API stays
// out of public headers.
class context {
public:
    context();               // every rank (MPI_COMM_WORLD)
    static context single(); // this rank alone (MPI_COMM_SELF)
    int rank() const;
    int size() const;

    struct impl;
    explicit context(std::shared_ptr<const impl> i): impl_(std::move(i)) {}
    const impl& get() const { return *impl_; }

private:
    std::shared_ptr<const impl> impl_;
};

struct run_options {
    std::string output;       // HDF5 file to write; empty: none
    bool progress = false;    // rank 0 shows progress on a terminal
    std::string command_line; // recorded for provenance
    bool save_graph = false;  // also write the synapses as SONATA edges
    // Checkpoints: written to `checkpoint` every `checkpoint_every` ms (0:
    // never), at the end, and when a signal stops the run. A run restarted
    // from one continues bit for bit; its output file holds the spikes and
    // report from the restart on, and measures over the whole run.
    std::string checkpoint;
    double checkpoint_every = 0; // [ms]
    std::string restart;         // checkpoint to continue from
    std::string config_file;     // the TOML file read for the configuration: never written
    // Called on every rank after each exchange with the spikes its own
    // neurons fired in that epoch, in no particular order.
    std::function<void(std::span<const spike>)> on_spikes;
};

struct phase_seconds {
    // Wall time [s] on this rank: graph, partition (with the exchange's
    // routes), neuron updates, spike exchange (with any wait for other ranks),
    // delivery into the delay ring, file writes, synchrony measures.
    double build = 0, partition = 0, simulate = 0, exchange = 0, deliver = 0, write = 0, measures = 0;
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
    // Spike bytes sent between ranks by the exchange, all ranks (payload
    // only: 16 bytes per spike and destination rank).
    std::uint64_t exchange_bytes = 0;
    sync_measures sync;
};

// The configuration a checkpoint was written with (file_error if `path` is
// not a checkpoint of this lifnet's format).
config restart_config(const std::string& path);

// Collective over ctx. Throws config_error before any work for an invalid
// configuration, and a lifnet::error that every rank agrees on for bad input
// found later (an unreadable edge file, a diverging simulation). Every output
// is checked before any work (io/safe_output.hpp): an output that cannot be
// written, or that is also an input, is refused then.
run_summary run(const config& c, const run_options& options, const context& ctx = context());

} // namespace lifnet
