#include "run/simulation.hpp"

#include "comm/context.hpp"
#include "comm/fault.hpp"
#include "comm/mpi_util.hpp"
#include "io/checkpoint.hpp"
#include "io/circuit.hpp"
#include "io/safe_output.hpp"
#include "io/sonata_config.hpp"
#include "run/memory.hpp"

#include <lifnet/signals.hpp>

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <cstdio>
#include <malloc.h>

namespace lifnet {

namespace {

// c_i·J per local neuron (MODEL.md §2, J_norm).
std::vector<double> weights(const config& c, const adjacency& local) {
    std::vector<double> w(local.rows(), c.J);
    switch (c.J_norm) {
    case weight_norm::none:
        break;
    case weight_norm::in_degree:
        for (std::size_t r = 0; r < local.rows(); ++r) {
            const auto k_in = local.offsets[r + 1] - local.offsets[r];
            w[r] = k_in ? static_cast<double>(c.k) / static_cast<double>(k_in) * c.J : 0.0;
        }
        break;
    }
    return w;
}

provenance start_provenance(const run_options& options, const boost::mpi::communicator& comm) {
    provenance p{options.command_line, now_iso8601(), "", comm.size(), {}, 0};
    boost::mpi::broadcast(comm, p.start_time, 0); // attributes are identical on every rank
    return p;
}

std::int64_t checkpoint_steps(const config& c, const run_options& options) {
    return options.checkpoint_every > 0 ? std::max<std::int64_t>(1, c.steps(options.checkpoint_every)) : 0;
}

// Adds the wall time from its construction to its destruction to `seconds`.
double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class phase_timer {
public:
    explicit phase_timer(double& seconds): seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
    ~phase_timer() { seconds_ += seconds_since(start_); }
    phase_timer(const phase_timer&) = delete;
    phase_timer& operator=(const phase_timer&) = delete;

private:
    double& seconds_;
    std::chrono::steady_clock::time_point start_;
};

} // namespace

template <typename F>
auto simulation::timed(run_phase p, F&& f) {
    const phase_timer timer(summary_.seconds[p]);
    return f();
}

simulation::simulation(const config& c, const run_options& options, const context& ctx):
    c_(c), options_(options), ctx_(ctx), comm_(ctx.get().comm), provenance_(start_provenance(options, comm_)),
    local_(partitioned_graph()), inhibitory_(make_inhibitory()), synapses_(make_connections()),
    exchange_(timed(run_phase::partition,
                    [&] { return spike_exchange(c.routing, c.N, local_.ids, synapses_.sources(), comm_); })),
    block_(c, local_.ids, weights(c, local_)), grid_(c), voltages_(grid_, block_.size(), c.N, comm_),
    spike_stats_(grid_, c, block_.size()), ring_(block_.size(), c.delay_steps()),
    start_(options.restart.empty() ? 0 : restore(options.restart)), checkpoint_every_(checkpoint_steps(c, options)),
    sampled_([this](std::int64_t m, std::size_t first, std::span<const double> V) { voltages_.sample(m, first, V); }),
    progress_(options.progress && comm_.rank() == 0, c.t_stop) {
    abort_if_alone(ctx_, [&] { timed(run_phase::write, [&] { open_output(); }); });
    local_ = adjacency{}; // the connection list holds what is needed from here on
    // Give the set-up's freed memory back: glibc keeps it otherwise (after
    // large frees it serves even large blocks from its heap).
    malloc_trim(0);
    boost::mpi::all_gather(comm_, peak_resident_bytes(), summary_.peak_memory_setup_per_rank);
    for (auto b: summary_.peak_memory_setup_per_rank) summary_.peak_memory_setup += b;
    loop_peak_ = resident_bytes();
    last_memory_sample_ = clock::now();
    if (start_ == 0 && grid_.contains(0)) sampled_(0, 0, block_.V);
    // From the process's start for its first run (loading the libraries,
    // MPI's start-up), else from this run's: a sweep's later members.
    static bool first_run = true;
    const double since_created = seconds_since(created_);
    const double since = first_run ? std::max(since_created, process_age_seconds()) : since_created;
    first_run = false;
    summary_.seconds[run_phase::startup] = std::max(0.0, since - timed_seconds());
}

double simulation::timed_seconds() const {
    double sum = 0;
    for (const auto& p: run_phases)
        if (p.id != run_phase::startup && p.id != run_phase::finish) sum += summary_.seconds[p.id];
    return sum;
}

// A stop signal ends the set-up at the next agree_on_stop, on every rank
// (the time loop agrees at every exchange).
adjacency simulation::partitioned_graph() {
    refuse_unwritable_outputs();
    check_memory(c_, comm_);
    agree_on_stop(comm_);
    auto built = timed(run_phase::build, [&] { return build_graph(c_, comm_); });
    agree_on_stop(comm_);
    auto local = timed(run_phase::partition, [&] {
        const auto to = assign_ranks(c_, built, comm_);
        agree_on_stop(comm_);
        auto moved = migrate(std::move(built), to, comm_);
        stats_ = describe(moved, comm_);
        return moved;
    });
    agree_on_stop(comm_);
    summary_.edge_cut = stats_.edge_cut;
    summary_.neurons_per_rank = stats_.neurons;
    summary_.synapses_per_rank = stats_.synapses;
    summary_.imbalance = stats_.imbalance;
    for (auto s: stats_.synapses) summary_.synapses += s;
    return local;
}

// Every file the run writes (the output, its SONATA configs, the
// checkpoint) is checked before any work, against every file it reads
// (io/safe_output.hpp).
void simulation::refuse_unwritable_outputs() const {
    const auto sonata = options_.output.empty() ? sonata_files{} : sonata_files_of(options_.output);
    check_command_files({{"-o", options_.output},
                         {"--checkpoint", options_.checkpoint},
                         {"-o (its SONATA circuit config)", sonata.circuit, "", false},
                         {"-o (its SONATA simulation config)", sonata.simulation, "", false},
                         {"-o (its SONATA node sets)", sonata.node_sets, "", false},
                         {"-o (its SONATA node types)", sonata.node_types, "", false},
                         {"-o (its SONATA edge types)", options_.save_graph ? sonata.edge_types : "", "", false}},
                        {{"config", options_.config_file},
                         {"--restart", options_.restart, "--checkpoint"},
                         {"graph_file", c_.graph == graph_model::file ? c_.graph_file : ""}},
                        comm_);
    agree_on_stop(comm_); // one that came while the configuration was read
}

inhibitory_set simulation::make_inhibitory() const {
    inject_fault("alloc", comm_.rank());
    return inhibitory_set(c_, local_.ids, comm_);
}

connections simulation::make_connections() const {
    std::optional<connections> built;
    run_collectively(comm_, [&] { built.emplace(local_, inhibitory_); });
    agree_on_stop(comm_);
    return std::move(*built);
}

// Every part restores its own state and checks it; a value no run can
// reach on any rank fails the restart on every rank.
std::int64_t simulation::restore(const std::string& path) {
    std::int64_t step = 0;
    run_collectively(comm_, [&] { step = check_checkpoint(path, c_); });
    auto s = read_checkpoint(path, c_, block_.ids, ring_.width(), comm_);
    std::uint64_t spikes = 0;
    for (const auto& n: s.neurons) spikes += static_cast<std::uint64_t>(n.count);
    bool valid = boost::mpi::all_reduce(comm_, spikes, std::plus<>()) == s.spikes_total;
    valid = valid && ring_.restore(step, s.ring);
    valid = valid && block_.restore(std::move(s.V), std::move(s.I), std::move(s.refractory));
    valid = valid && voltages_.restore(s.welford, s.voltage_totals, step);
    valid = valid && spike_stats_.restore(std::move(s.neurons), std::move(s.phase_sums), step, comm_.rank() == 0);
    run_collectively(comm_, [&] {
        if (!valid) throw file_error(path, "damaged checkpoint: values that no run can reach");
    });
    summary_.spikes = s.spikes_total; // before the restart; finish() adds this run's
    return step;
}

void simulation::open_output() {
    if (options_.output.empty()) return;
    // A restarted run's report starts at the first sample after the restart.
    sample_grid report_grid = grid_;
    if (start_ > 0) report_grid.first = std::max(grid_.first, (start_ / grid_.stride + 1) * grid_.stride);
    const record_selection selection(c_);
    file_.emplace(options_.output, comm_);
    spikes_out_.emplace(file_->root(), c_.population, c_.dt, comm_);
    if (selection.size()) open_report(selection, report_grid);
    write_network(file_->root(), c_, local_, stats_, comm_);
    write_nodes(file_->root(), c_, local_, inhibitory_, comm_);
    if (options_.save_graph) write_edges(file_->root(), c_, local_, block_.weight, inhibitory_, comm_);
}

// The report, and how the SONATA simulation config lists it (unless it is
// not a SONATA report).
void simulation::open_report(const record_selection& selection, const sample_grid& report_grid) {
    report_.emplace(file_->root(), c_, selection, block_.ids, report_grid, comm_);
    const auto why_not = unlisted_report_reason(c_, options_.output);
    if (!why_not.empty() && comm_.rank() == 0)
        std::fprintf(stderr, "lifnet: warning: %s; the simulation config does not list the report\n", why_not.c_str());
    if (!why_not.empty()) return;
    const auto& t = report_->time_range();
    listing_ = report_listing{t[0], t[1], t[2], {}};
    if (selection.size() < c_.N)
        for (std::uint64_t col = 0; col < selection.size(); ++col) listing_->subset.push_back(selection.id(col));
}

void simulation::advance_epoch(std::int64_t e0, std::int64_t e1) {
    timed(run_phase::simulate, [&] { block_.advance(e0, e1, ring_, c_.g, grid_, fired_, sampled_); });
    take_samples(e1);
    timed(run_phase::exchange, [&] { exchange_.exchange(fired_, block_.ids, stop_requested()); });
    timed(run_phase::deliver, [&] { synapses_.deliver(exchange_.received(), c_.delay_steps(), ring_); });
    timed(run_phase::measures, [&] {
        voltages_.reduce(e1);
        spike_stats_.add(fired_);
        fired_.clear();
    });
    if (options_.on_spikes) options_.on_spikes(exchange_.own());
    timed(run_phase::write, [&] { write_outputs(e0, e1); });
    // On every rank at once (the exchange agreed on it); the output's .tmp
    // file is removed as the simulation is destroyed.
    if (exchange_.stop()) throw interrupted();
    progress_.update(static_cast<double>(e1) * c_.dt);
    sample_memory();
}

// The report takes the samples the measures buffered, before reduce() uses them.
void simulation::take_samples(std::int64_t step) {
    if (!report_) return;
    timed(run_phase::write, [&] {
        for (std::size_t j = 0; j < voltages_.buffered(step); ++j) report_->sample(voltages_.buffered_sample(j));
    });
}

// The spikes, a full report buffer, then the checkpoint: due every
// checkpoint_every_ steps, at the end, and when a rank asked to stop.
void simulation::write_outputs(std::int64_t e0, std::int64_t e1) {
    if (spikes_out_) spikes_out_->append(exchange_.own(), exchange_.agreed_total());
    if (report_ && report_->buffer_full()) report_->flush();
    const bool due = checkpoint_every_ > 0 && e1 / checkpoint_every_ > e0 / checkpoint_every_;
    if (!options_.checkpoint.empty() && (exchange_.stop() || due || e1 == c_.nsteps())) write_checkpoint(e1);
}

void simulation::write_checkpoint(std::int64_t step) {
    // A checkpoint epoch waits for the agreements in flight: the state is
    // then the one the uninterrupted run reaches once they complete (their
    // sums do not depend on when that is).
    exchange_.complete();
    // The collectives in the order of the fields: voltage totals (which
    // complete V̄'s reduction in flight), then phase sums.
    const checkpoint_state s{.step = step,
                             .spikes_total = summary_.spikes + exchange_.agreed_total(),
                             .V = block_.V,
                             .I = block_.I,
                             .refractory = block_.refractory,
                             .ring = ring_.pending(step),
                             .ring_width = ring_.width(),
                             .welford = voltages_.neuron_state(),
                             .voltage_totals = voltages_.global_state(),
                             .neurons = spike_stats_.neurons(),
                             .phase_sums = spike_stats_.global_phase_sums(comm_)};
    lifnet::write_checkpoint(options_.checkpoint, c_, block_.ids, s, comm_);
}

void simulation::sample_memory() {
    if (clock::now() - last_memory_sample_ < std::chrono::milliseconds(50)) return;
    loop_peak_ = std::max(loop_peak_, resident_bytes());
    last_memory_sample_ = clock::now();
}

run_summary simulation::finish() {
    const auto last_step = clock::now();
    const double timed_before = timed_seconds();
    progress_.finish();
    auto& s = summary_;
    timed(run_phase::exchange, [&] { exchange_.complete(); });
    s.spikes += exchange_.agreed_total(); // those before the restart, and this run's
    boost::mpi::all_gather(comm_, s.seconds[run_phase::simulate], s.update_seconds);
    loop_peak_ = std::max(loop_peak_, resident_bytes());
    boost::mpi::all_gather(comm_, loop_peak_, s.peak_memory_loop_per_rank);
    for (auto b: s.peak_memory_loop_per_rank) s.peak_memory_loop += b;
    s.exchange_bytes = boost::mpi::all_reduce(comm_, exchange_.bytes_sent(), std::plus<>());
    timed(run_phase::measures, [&] {
        voltages_.finish(c_.dt, s.sync);
        spike_stats_.finish(comm_, s.sync);
    });
    s.rate_hz = 1000.0 * static_cast<double>(s.spikes) / (static_cast<double>(c_.N) * c_.t_stop);
    s.seconds[run_phase::finish] = std::max(0.0, seconds_since(last_step) - (timed_seconds() - timed_before));
    if (file_) timed(run_phase::write, [&] { complete_file(); });
    return s;
}

void simulation::complete_file() {
    spikes_out_->flush(exchange_.agreed_total());
    if (report_) report_->flush();
    spikes_out_.reset();
    report_.reset();
    const bool root = comm_.rank() == 0;
    write_sync(file_->root(), summary_.sync, root);
    provenance_.end_time = now_iso8601();
    boost::mpi::broadcast(comm_, provenance_.end_time, 0);
    // Attributes must be identical on every rank: rank 0's times.
    std::vector<double> seconds;
    for (const auto& p: run_phases) seconds.push_back(summary_.seconds[p.id]);
    boost::mpi::broadcast(comm_, seconds.data(), static_cast<int>(seconds.size()), 0);
    for (std::size_t i = 0; i < seconds.size(); ++i) provenance_.seconds[run_phases[i].id] = seconds[i];
    provenance_.exchange_bytes = summary_.exchange_bytes;
    write_provenance(file_->root(), c_, provenance_);
    write_update_seconds(file_->root(), summary_.update_seconds, root);
    file_->commit();
    run_collectively(comm_, [&] {
        if (root) write_sonata_configs(c_, options_.output, options_.save_graph, listing_);
    });
}

simulation::~simulation() {
    if (file_) file_->discard(); // a failed run's file: emptied before anything closes (a full disk)
}

run_summary run(const config& c, const run_options& options, const context& ctx) {
    validate(c);
    // Outside the failure policy's scope: a rank that fails alone aborts the
    // job while the output file is still open (closing it is collective).
    std::optional<simulation> sim;
    return abort_if_alone(ctx, [&] {
        sim.emplace(c, options, ctx);
        // Order of operations. Step n: add the input due at t_n, draw noise,
        // integrate, threshold (MODEL.md §2). A spike of step n acts in step
        // n + 1 + D, so after an epoch [e0, e1) of L <= D steps every spike
        // it produced is due at e0 + 1 + D >= e1 + 1 or later: exchanging and
        // delivering once per epoch delivers each spike before it is due (the
        // ring holds the D + 1 steps that can be pending). Within an epoch no
        // spike is due, so the block advances chunk by chunk through all its
        // steps. After the steps of an epoch, in this order:
        //   1. the report copies the epoch's samples (before 3 reduces them);
        //   2. the exchange, which also agrees on the spike count and on stop
        //      (neighbour routing: the previous epoch's agreement completes,
        //      this epoch's starts);
        //   3. delivery into the ring; the measures complete the previous
        //      epoch's V̄ (and its share of E) and start this epoch's
        //      reduction, and add the spikes;
        //   4. writes: the spikes, the report when its buffer is full, then
        //      the checkpoint (every checkpoint_every, at t_stop, on a stop),
        //      so that a checkpoint follows the output up to its step; it
        //      completes the reductions in flight first;
        //   5. on a stop, every rank throws `interrupted` after the checkpoint.
        // No step waits for every rank: the reductions started in epoch k
        // complete in epoch k + 1 (a stop takes effect one epoch later with
        // neighbour routing), and finish() completes the last ones. Their
        // sums are integers, so the results do not depend on when.
        const std::int64_t nsteps = c.nsteps(), epoch = c.epoch_steps();
        for (std::int64_t e0 = sim->first_step(); e0 < nsteps; e0 += epoch)
            sim->advance_epoch(e0, std::min(e0 + epoch, nsteps));
        return sim->finish();
    });
}

} // namespace lifnet
