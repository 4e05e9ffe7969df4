#include "io/checkpoint.hpp"
#include "io/circuit.hpp"
#include "io/sonata_config.hpp"
#include "io/text_file.hpp"
#include "comm/context.hpp"
#include "delivery/delivery.hpp"
#include "exchange/exchange.hpp"
#include "comm/fault.hpp"
#include "graph/graph.hpp"
#include "measures/measures.hpp"
#include "run/memory.hpp"
#include "comm/mpi_util.hpp"
#include "neurons/neurons.hpp"
#include "io/output.hpp"
#include "partition/partition.hpp"
#include "run/progress.hpp"
#include "io/report.hpp"
#include "io/run_record.hpp"

#include <lifnet/signals.hpp>

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <malloc.h>
#include <optional>

namespace lifnet {

namespace {

using clock = std::chrono::steady_clock;
double seconds_since(clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
}

// c_i·J per local neuron (MODEL.md §2, J_norm).
std::vector<double> weights(const config& c, const adjacency& local) {
    std::vector<double> w(local.rows(), c.J);
    if (c.J_norm == "in_degree") {
        for (std::size_t r = 0; r < local.rows(); ++r) {
            const auto k_in = local.offsets[r + 1] - local.offsets[r];
            w[r] = k_in ? static_cast<double>(c.k) / static_cast<double>(k_in) * c.J : 0.0;
        }
    }
    return w;
}

// Runs f and adds its wall time to `seconds`.
template <typename F>
void timed(double& seconds, F&& f) {
    const auto t = clock::now();
    f();
    seconds += seconds_since(t);
}

// The output file and its writers. They are owned by run(), outside the
// work that can fail, so that a rank failing alone aborts the job while they
// are still open: closing them would be a collective call that the other
// ranks never join. Writers are declared after the file: they close first.
struct run_output {
    std::optional<output_file> file;
    std::optional<spike_writer> spikes;
    std::optional<report_writer> report;
};

run_summary run_body(const config& c, const run_options& options, const boost::mpi::communicator& comm,
                     run_output& out) {
    const bool root = comm.rank() == 0;
    run_summary summary;
    auto& seconds = summary.seconds;
    provenance prov{options.command_line, now_iso8601(), "", comm.size(), {}};
    boost::mpi::broadcast(comm, prov.start_time, 0);

    check_memory(c, comm);
    std::optional<report_listing> listing; // the report as the SONATA configs list it
    if (!options.output.empty()) {
        // Refused before any work rather than after the run.
        const auto files = sonata_files_of(options.output);
        run_collectively(comm, [&] {
            if (root)
                for (const auto& path: {options.output, files.circuit, files.simulation, files.node_sets,
                                        files.node_types})
                    refuse_non_regular(path);
        });
    }
    adjacency local;
    timed(seconds.build, [&] { local = build_graph(c, comm); });
    partition_stats stats;
    timed(seconds.partition, [&] {
        const auto to = assign_ranks(c, local, comm);
        local = migrate(std::move(local), to, comm);
        stats = describe(local, comm);
    });
    summary.edge_cut = stats.edge_cut;
    summary.neurons_per_rank = stats.neurons;
    summary.synapses_per_rank = stats.synapses;
    summary.imbalance = stats.imbalance;
    for (auto s: stats.synapses) summary.synapses += s;

    inject_fault("alloc", comm.rank());
    const inhibitory_set inhibitory(c, local.ids, comm);
    std::optional<connections> built;
    run_collectively(comm, [&] { built.emplace(local, inhibitory); });
    const connections& synapses = *built;
    std::optional<spike_exchange> exchange;
    timed(seconds.partition, [&] { exchange.emplace(c.routing, c.N, local.ids, synapses.sources(), comm); });
    const auto weight = weights(c, local);
    neuron_block block(c, local.ids, weight);
    const sample_grid grid(c);
    voltage_measures voltages(grid, block.size(), c.N, comm);
    spike_measures spike_stats(grid, c, block.size());
    const std::int64_t nsteps = c.nsteps(), D = c.delay_steps();
    const std::int64_t epoch = c.exchange == "step" ? 1 : D;
    delay_ring ring(block.size(), D);
    const run_state state{c, block, ring, voltages, spike_stats, summary.spikes};
    std::int64_t start = 0; // the first step to simulate
    if (!options.restart.empty()) {
        run_collectively(comm, [&] { start = check_checkpoint(options.restart, c); });
        read_checkpoint(options.restart, state, start, comm);
    }
    // A restarted run's report starts at the first sample after the restart.
    sample_grid report_grid = grid;
    if (start > 0) report_grid.first = std::max(grid.first, (start / grid.stride + 1) * grid.stride);

    // The file is created before the loop so that spikes and report stream into it.
    auto& file = out.file;
    auto& spikes_out = out.spikes;
    auto& report = out.report;
    if (!options.output.empty()) {
        timed(seconds.write, [&] {
            const record_selection selection(c);
            file.emplace(options.output, comm);
            spikes_out.emplace(file->root(), c.population, c.dt, comm);
            if (selection.size()) {
                report.emplace(file->root(), c, selection, block.ids, report_grid, comm);
                const auto why_not = unlisted_report_reason(c, options.output);
                if (!why_not.empty() && root)
                    std::fprintf(stderr, "lifnet: warning: %s; the simulation config does not list the report\n",
                                 why_not.c_str());
                if (why_not.empty()) {
                    const auto& t = report->time_range();
                    listing = report_listing{t[0], t[1], t[2], {}};
                    if (selection.size() < c.N)
                        for (std::uint64_t col = 0; col < selection.size(); ++col)
                            listing->subset.push_back(selection.id(col));
                }
            }
            write_network(file->root(), c, local, stats, comm);
            write_nodes(file->root(), c, local, inhibitory, comm);
            if (options.save_graph) write_edges(file->root(), c, local, weight, inhibitory, comm);
        });
    }
    local = adjacency{}; // the connection list holds what is needed from here on
    // Give the set-up's freed memory back: glibc keeps it otherwise (after
    // large frees it serves even large blocks from its heap).
    malloc_trim(0);
    summary.peak_memory_setup = boost::mpi::all_reduce(comm, peak_resident_bytes(), std::plus<>());
    // The loop's peak: the resident set sampled at epoch ends, at most every
    // 50 ms (the process's own peak is the set-up's).
    std::uint64_t loop_peak = resident_bytes();
    auto last_sample = clock::now();

    const std::int64_t every =
        options.checkpoint_every > 0 ? std::max<std::int64_t>(1, c.steps(options.checkpoint_every)) : 0;
    progress_line progress(options.progress && root, c.t_stop);
    std::vector<std::pair<std::int64_t, std::uint32_t>> fired; // (step, local neuron) of the epoch
    // V after step n and its reset is the sample at time index n + 1.
    const neuron_block::sampler sampled = [&](std::int64_t m, std::size_t first, std::span<const double> V) {
        voltages.sample(m, first, V);
    };
    if (start == 0 && grid.contains(0)) sampled(0, 0, block.V);

    // Order of operations. Step n: add the input due at t_n, draw noise,
    // integrate, threshold (MODEL.md §2). A spike of step n acts in step
    // n + 1 + D, so after an epoch [e0, e0 + L) with L <= D every spike it
    // produced is due at e0 + 1 + D >= e0 + L + 1 or later: exchanging and
    // enqueueing once per epoch delivers each spike before it is due. The
    // ring holds D + 1 steps, all that can be pending after an exchange.
    // Within an epoch no spike is due, so the block advances chunk by chunk
    // through all its steps (neuron_block::advance).
    const auto loop_start = clock::now();
    const double before_loop = seconds.write; // the file's set-up
    for (std::int64_t e0 = start; e0 < nsteps; e0 += epoch) {
        const std::int64_t e1 = std::min(e0 + epoch, nsteps);
        block.advance(e0, e1, ring, c.g, grid, fired, sampled);
        // The report takes the samples the measures buffered.
        if (report)
            for (std::size_t j = 0; j < voltages.buffered(e1); ++j) report->sample(voltages.buffered_sample(j));
        timed(seconds.exchange, [&] { exchange->exchange(fired, block.ids, stop_requested()); });
        timed(seconds.deliver, [&] { synapses.deliver(exchange->received(), D, ring); });
        timed(seconds.measures, [&] {
            voltages.reduce(e1);
            spike_stats.add(fired);
            fired.clear();
        });
        summary.spikes += exchange->total();
        if (options.on_spikes) options.on_spikes(exchange->own());
        timed(seconds.write, [&] {
            if (spikes_out) spikes_out->append(exchange->own(), exchange->total());
            if (report && report->buffer_full()) report->flush();
            const bool due = every > 0 && e1 / every > e0 / every;
            if (!options.checkpoint.empty() && (exchange->stop() || due || e1 == nsteps))
                write_checkpoint(options.checkpoint, e1, state, comm);
        });
        // On every rank at once; the output's .tmp file is removed.
        if (exchange->stop()) throw interrupted();
        progress.update(static_cast<double>(e1) * c.dt);
        if (seconds_since(last_sample) >= 0.05) {
            loop_peak = std::max(loop_peak, resident_bytes());
            last_sample = clock::now();
        }
    }
    progress.finish();
    seconds.simulate = seconds_since(loop_start) - seconds.exchange - seconds.deliver - (seconds.write - before_loop) -
                       seconds.measures;
    boost::mpi::all_gather(comm, seconds.simulate, summary.update_seconds);
    loop_peak = std::max(loop_peak, resident_bytes());
    summary.peak_memory_loop = boost::mpi::all_reduce(comm, loop_peak, std::plus<>());
    summary.exchange_bytes = boost::mpi::all_reduce(comm, exchange->bytes_sent(), std::plus<>());

    timed(seconds.measures, [&] {
        voltages.finish(c.dt, summary.sync);
        spike_stats.finish(comm, summary.sync);
    });
    summary.rate_hz = 1000.0 * static_cast<double>(summary.spikes) / (static_cast<double>(c.N) * c.t_stop);

    if (file) {
        timed(seconds.write, [&] {
            spikes_out->flush();
            if (report) report->flush();
            spikes_out.reset();
            report.reset();
            write_sync(file->root(), summary.sync, root);
            prov.end_time = now_iso8601();
            boost::mpi::broadcast(comm, prov.end_time, 0);
            // Attributes must be identical on every rank: rank 0's times.
            std::vector<double> t = {seconds.build,   seconds.partition, seconds.simulate, seconds.exchange,
                                     seconds.deliver, seconds.write,     seconds.measures};
            boost::mpi::broadcast(comm, t.data(), static_cast<int>(t.size()), 0);
            prov.seconds = {t[0], t[1], t[2], t[3], t[4], t[5], t[6]};
            prov.exchange_bytes = summary.exchange_bytes;
            write_provenance(file->root(), c, prov);
            write_update_seconds(file->root(), summary.update_seconds, root);
            file->commit();
            run_collectively(comm, [&] {
                if (root) write_sonata_configs(c, options.output, options.save_graph, listing);
            });
        });
    }
    return summary;
}

} // namespace

run_summary run(const config& c, const run_options& options, const context& ctx) {
    validate(c);
    const auto& comm = ctx.get().comm;
    run_output out;
    try {
        return run_body(c, options, comm, out);
    }
    catch (const collective_error&) { // every rank agreed: unwind together
        throw;
    }
    catch (const interrupted&) {
        throw;
    }
    catch (const std::exception& e) {
        if (comm.size() == 1) throw;
        // This rank failed alone: end the job rather than leave the others
        // waiting in a collective.
        std::fprintf(stderr, "lifnet: rank %d: %s\n", boost::mpi::communicator().rank(), e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, exit_code_of(e));
        throw;
    }
}

} // namespace lifnet
