#pragma once
// One run on the ranks of a context, as an object: the constructor sets it
// up, advance_epoch() runs one epoch, finish() completes the run file and
// returns the summary. run() (simulation.cpp) drives it.
#include "delivery/delivery.hpp"
#include "exchange/exchange.hpp"
#include "graph/graph.hpp"
#include "io/output.hpp"
#include "io/report.hpp"
#include "io/run_record.hpp"
#include "io/sonata_config.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"
#include "partition/partition.hpp"
#include "run/progress.hpp"

#include <lifnet/simulation.hpp>

#include <boost/mpi/communicator.hpp>

#include <chrono>
#include <optional>

namespace lifnet {

class simulation {
public:
    // Collective: builds and partitions the graph, the connections, the
    // exchange's routes and the neurons' state (from options.restart when
    // set), and creates the output file. `c` and `options` must outlive it.
    simulation(const config& c, const run_options& options, const context& ctx);
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;
    // The first step to simulate: 0, or the step of the restart's checkpoint.
    std::int64_t first_step() const { return start_; }
    // Collective: steps [e0, e1), with e1 - e0 <= c.epoch_steps(), then the
    // exchange, delivery, measures, writes and checkpoint in the order stated
    // above run()'s loop. Throws interrupted on every rank at once when a
    // rank was asked to stop.
    void advance_epoch(std::int64_t e0, std::int64_t e1);
    // Collective, after the last epoch: the synchrony measures and the run
    // file completed; returns the summary.
    run_summary finish();

private:
    using clock = std::chrono::steady_clock;
    // f(), its wall time added to phase p.
    template <typename F>
    auto timed(run_phase p, F&& f);
    adjacency partitioned_graph();
    void refuse_unwritable_outputs() const;
    inhibitory_set make_inhibitory() const;
    connections make_connections() const;
    std::int64_t restore(const std::string& checkpoint);
    void open_output();
    void open_report(const record_selection& selection, const sample_grid& report_grid);
    void take_samples(std::int64_t step);
    void write_outputs(std::int64_t e0, std::int64_t e1);
    void write_checkpoint(std::int64_t step);
    void sample_memory();
    void complete_file();
    double timed_seconds() const; // the phases timed so far, added up (startup and finish aside)

    const clock::time_point created_ = clock::now(); // first: before any set-up
    const config& c_;
    const run_options& options_;
    const context ctx_;
    const boost::mpi::communicator comm_;
    run_summary summary_; // filled as the run goes
    provenance provenance_;
    partition_stats stats_;
    adjacency local_; // this rank's rows of the partitioned graph; emptied once set up
    const inhibitory_set inhibitory_;
    const connections synapses_;
    spike_exchange exchange_;
    neuron_block block_;
    const sample_grid grid_;
    voltage_measures voltages_;
    spike_measures spike_stats_;
    delay_ring ring_;
    const std::int64_t start_;
    const std::int64_t checkpoint_every_; // [steps]; 0: only at the end and on a stop
    std::vector<local_spike> fired_;      // this rank's spikes of the epoch
    const neuron_block::sampler sampled_; // V after step n is the sample at time index n + 1
    progress_line progress_;
    std::uint64_t loop_peak_ = 0; // resident bytes, sampled at epoch ends at most every 50 ms
    clock::time_point last_memory_sample_;
    // The output file, and its writers declared after it so that they close
    // first. The file is created by the constructor's body, where a rank
    // that fails alone aborts the job before this object is destroyed (see
    // abort_if_alone): closing the file is collective.
    std::optional<output_file> file_;
    std::optional<spike_writer> spikes_out_;
    std::optional<report_writer> report_;
    std::optional<report_listing> listing_; // the report as the SONATA configs list it
};

} // namespace lifnet
