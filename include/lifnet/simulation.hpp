#pragma once
// Running one simulation: the public entry point of the library.
#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/signals.hpp>
#include <lifnet/spike.hpp>
#include <lifnet/summary.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lifnet {

// MPI for the lifetime of the program, and PETSc from its first use
// (partition = ptscotch on several ranks) to the end. PETSc is started
// without its own signal handler, so that lifnet decides what a signal does.
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

// The failure policy for collective work on the ranks of ctx (STYLE.md):
// runs work(); an exception that every rank throws together passes
// (collective_error, interrupted, and config_error, as every rank validates
// the same configuration). Any other exception is taken to be this rank's
// alone: with other ranks in ctx, which would wait for it in a collective,
// abort_alone() prints it with the rank and ends the ranks of ctx
// (MPI_Abort on ctx's communicator, not on every rank of the job); alone in
// ctx, it passes.
void abort_alone(const context& ctx, const std::exception& e);
template <typename Work>
auto abort_if_alone(const context& ctx, Work&& work) -> decltype(work()) {
    try {
        return work();
    }
    catch (const collective_error&) {
        throw;
    }
    catch (const config_error&) {
        throw;
    }
    catch (const interrupted&) {
        throw;
    }
    catch (const std::exception& e) {
        abort_alone(ctx, e);
        throw;
    }
}

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
    // Called on every rank after each exchange with the spikes its own
    // neurons fired in that epoch, in no particular order.
    std::function<void(std::span<const spike>)> on_spikes;
};

// The configuration a checkpoint was written with (file_error if `path` is
// not a checkpoint of this lifnet's format).
config restart_config(const std::string& path);

// Collective over ctx. Throws config_error before any work for an invalid
// configuration, and a lifnet::error that every rank agrees on for bad input
// found later (an unreadable edge file, an unwritable output).
run_summary run(const config& c, const run_options& options, const context& ctx = context());

} // namespace lifnet
