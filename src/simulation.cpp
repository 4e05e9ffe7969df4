#include "context.hpp"
#include "delivery.hpp"
#include "graph.hpp"
#include "neurons.hpp"
#include "output.hpp"
#include "partition.hpp"
#include "progress.hpp"
#include "mpi_util.hpp"

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

namespace lifnet {

namespace {

using clock = std::chrono::steady_clock;
double seconds_since(clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); }

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

} // namespace

run_summary run(const config& c, const run_options& options, const context& ctx) {
    validate(c);
    const auto& comm = ctx.get().comm;
    run_summary summary;

    auto t = clock::now();
    adjacency local = build_graph(c, comm);
    summary.seconds.build = seconds_since(t);

    t = clock::now();
    local = migrate(local, assign_ranks(c, local, comm), comm);
    const auto stats = describe(local, comm);
    summary.seconds.partition = seconds_since(t);
    summary.edge_cut = stats.edge_cut;
    summary.neurons_per_rank = stats.neurons;
    summary.synapses_per_rank = stats.synapses;
    summary.imbalance = stats.imbalance;
    for (auto s: stats.synapses) summary.synapses += s;

    const inhibitory_set inhibitory(c, local.ids, comm);
    const connections synapses(local, inhibitory);
    neuron_block block(c, local.ids, weights(c, local));
    local = adjacency{}; // the connection list holds what is needed from here on

    std::optional<output_file> file;
    std::optional<spike_writer> writer;
    if (!options.output.empty()) {
        file.emplace(options.output, comm);
        writer.emplace(file->root(), c.population, c.dt, comm);
    }

    const std::int64_t nsteps = c.nsteps(), D = c.delay_steps();
    const std::int64_t epoch = c.exchange == "step" ? 1 : D;
    delay_ring ring(block.size(), D);
    progress_line progress(options.progress && comm.rank() == 0, c.t_stop);
    std::vector<std::uint32_t> fired;
    std::vector<spike> local_spikes;
    double exchange_seconds = 0, write_seconds = 0;

    // Order of operations. Step n: add the input due at t_n, draw noise,
    // integrate, threshold (MODEL.md §2). A spike of step n acts in step
    // n + 1 + D, so after an epoch [e0, e0 + L) with L <= D every spike it
    // produced is due at e0 + 1 + D >= e0 + L + 1 or later: exchanging and
    // enqueueing once per epoch delivers each spike before it is due. The
    // ring holds D + 1 steps, all that can be pending after an exchange.
    t = clock::now();
    for (std::int64_t e0 = 0; e0 < nsteps; e0 += epoch) {
        const std::int64_t e1 = std::min(e0 + epoch, nsteps);
        local_spikes.clear();
        for (std::int64_t n = e0; n < e1; ++n) {
            block.step(n, ring.excitatory(n), ring.inhibitory(n), c.g, fired);
            ring.clear(n);
            for (auto i: fired) local_spikes.push_back({n, block.ids[i]});
            fired.clear();
        }
        auto te = clock::now();
        auto epoch_spikes = allgatherv<spike>(comm, local_spikes);
        std::sort(epoch_spikes.begin(), epoch_spikes.end());
        synapses.deliver(epoch_spikes, D, ring);
        exchange_seconds += seconds_since(te);

        summary.spikes += epoch_spikes.size();
        if (options.on_spikes) options.on_spikes(epoch_spikes);
        if (writer) {
            auto tw = clock::now();
            writer->append(epoch_spikes);
            write_seconds += seconds_since(tw);
        }
        progress.update(static_cast<double>(e1) * c.dt);
    }
    progress.finish();
    summary.seconds.simulate = seconds_since(t) - exchange_seconds - write_seconds;

    t = clock::now();
    if (writer) {
        writer->flush();
        writer.reset();
        file->commit();
    }
    write_seconds += seconds_since(t);

    summary.seconds.exchange = exchange_seconds;
    summary.seconds.write = write_seconds;
    summary.rate_hz = 1000.0 * static_cast<double>(summary.spikes) / (static_cast<double>(c.N) * c.t_stop);
    return summary;
}

} // namespace lifnet
