#include "run/dry_run.hpp"

#include "comm/decomposition.hpp"
#include "delivery/delivery.hpp"
#include "graph/rank_graph.hpp"
#include "io/output.hpp"
#include "io/safe_output.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"
#include "partition/partition.hpp"
#include "run/memory.hpp"
#include "run/setup_replay.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>
#include <lifnet/spike.hpp>
#include <lifnet/version.hpp>

#include <boost/mpi/communicator.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <malloc.h>
#include <map>
#include <optional>
#include <random>
#include <thread>

namespace lifnet {

namespace {

// The rate of an uncoupled neuron without noise: V relaxes towards
// V_rest + I_bias and fires each time it reaches V_th [Hz].
double free_neuron_rate(const config& c) {
    const double v_inf = c.V_rest + c.I_bias;
    if (v_inf <= c.V_th) return 0;
    return 1000.0 / (c.t_ref + c.tau_m * std::log((v_inf - c.V_reset) / (v_inf - c.V_th)));
}

// What rank R's synapses and neurons are, in numbers.
struct rank_counts {
    std::uint64_t neurons = 0, synapses = 0;
    std::uint64_t sources = 0, remote_sources = 0; // distinct source neurons; of them on other ranks
    std::uint64_t routed = 0, routes = 0;          // own neurons another rank needs; (neuron, rank) pairs
    std::uint64_t max_source = 0;                  // the largest source id (connections' buckets)
    std::map<int, std::uint64_t> by_source_rank;   // synapses onto R by the rank of their source
    std::vector<int> neighbours;                   // the other ranks that hold a source or target of R's
};

rank_counts count(const adjacency& adj, int R, const std::function<int(std::uint64_t)>& owner) {
    rank_counts k;
    k.neurons = adj.rows();
    k.synapses = adj.neighbours.size();
    std::vector<std::uint64_t> sources(adj.neighbours);
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    k.sources = sources.size();
    k.max_source = sources.empty() ? 0 : sources.back();
    std::vector<int> ranks_of_sources(sources.size());
    for (std::size_t s = 0; s < sources.size(); ++s) ranks_of_sources[s] = owner(sources[s]);
    std::vector<int> neighbours;
    for (std::size_t s = 0; s < sources.size(); ++s)
        if (ranks_of_sources[s] != R) {
            ++k.remote_sources;
            neighbours.push_back(ranks_of_sources[s]);
        }
    for (auto s: adj.neighbours) {
        const auto at = std::lower_bound(sources.begin(), sources.end(), s) - sources.begin();
        ++k.by_source_rank[ranks_of_sources[static_cast<std::size_t>(at)]];
    }
    // Generated graphs are symmetric: the targets of R's neuron u are its
    // sources, so the ranks that need u are the other ranks among them.
    for (std::size_t r = 0; r < adj.rows(); ++r) {
        std::vector<int> to;
        for (auto e = adj.offsets[r]; e < adj.offsets[r + 1]; ++e) {
            const auto at = std::lower_bound(sources.begin(), sources.end(), adj.neighbours[e]) - sources.begin();
            const int rank = ranks_of_sources[static_cast<std::size_t>(at)];
            if (rank != R) to.push_back(rank);
        }
        std::sort(to.begin(), to.end());
        to.erase(std::unique(to.begin(), to.end()), to.end());
        k.routes += to.size();
        k.routed += !to.empty();
    }
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    k.neighbours = std::move(neighbours);
    return k;
}

// The sizes of rank R's set-up (graph.cpp builds the rows of R's block,
// partition.cpp migrates them to their ranks) from the edges with an end
// in R's block or among R's neurons.
replay_plan plan_of(const config& c, int P, node_range block, const std::vector<edge>& edges,
                    const adjacency& block_rows, const std::function<int(std::uint64_t)>& owner, const rank_counts& k) {
    replay_plan p;
    p.ranks = P;
    const auto in_block = [&](std::uint64_t id) { return id >= block.lo && id < block.hi; };
    const std::uint64_t half = c.k / 2;
    std::map<int, std::uint64_t> kept_to, synapses_to, words_to;
    // watts_strogatz: the block's lattice edges, kept or to rewire; a kept
    // one goes to the registry's owner, the block owner of its lower end.
    for (std::uint64_t u = block.lo; u < block.hi; ++u)
        for (std::uint64_t j = 1; j <= half; ++j) {
            const auto e = make_edge(u, (u + j) % c.N);
            if (kept_lattice_edge(c, e)) {
                ++p.kept;
                ++kept_to[block_owner(e.a, c.N, P)];
            }
            else {
                ++p.rewired;
            }
        }
    // The registry on R holds the edges whose lower end is in R's block;
    // adjacency_from_edges sends each as two synapses to their block owners.
    for (const auto& e: edges) {
        if (!in_block(e.a)) continue;
        ++p.held;
        p.kept_received += kept_lattice_edge(c, e);
        ++synapses_to[block_owner(e.a, c.N, P)];
        ++synapses_to[block_owner(e.b, c.N, P)];
    }
    p.block_rows = block_rows.rows();
    p.block_synapses = block_rows.neighbours.size();
    for (std::size_t r = 0; r < block_rows.rows(); ++r) // migrate: [id, degree, sources] per row
        words_to[owner(block_rows.ids[r])] += 2 + block_rows.offsets[r + 1] - block_rows.offsets[r];
    p.kept_to.assign(kept_to.begin(), kept_to.end());
    p.synapses_to.assign(synapses_to.begin(), synapses_to.end());
    p.words_to.assign(words_to.begin(), words_to.end());
    p.neurons = k.neurons;
    p.synapses = k.synapses;
    p.sources = k.sources;
    p.remote_sources = k.remote_sources;
    p.max_source = k.max_source;
    p.routed = k.routed;
    p.routes = k.routes;
    return p;
}

struct exchange_per_step {
    double rate_hz = 0;
    bool rate_given = false;
    double sent_bytes = 0, received_bytes = 0, sent_messages = 0, received_messages = 0;
};

exchange_per_step exchange_at_rate(const config& c, const dry_run_options& o, const rank_counts& k) {
    exchange_per_step x;
    x.rate_given = o.rate_hz >= 0;
    x.rate_hz = x.rate_given ? o.rate_hz : free_neuron_rate(c);
    const double spikes = x.rate_hz * c.dt / 1000.0 * sizeof(spike); // bytes per neuron and step
    const double L = static_cast<double>(c.epoch_steps());
    switch (c.routing) {
    case spike_routing::neighbour:
        x.sent_bytes = static_cast<double>(k.routes) * spikes;
        x.received_bytes = static_cast<double>(k.remote_sources) * spikes;
        // Per epoch: the byte counts (MPI_Neighbor_alltoall), then the
        // spikes (MPI_Neighbor_alltoallv), one message per neighbour each.
        x.sent_messages = x.received_messages = 2 * static_cast<double>(k.neighbours.size()) / L;
        break;
    case spike_routing::allgather:
        x.sent_bytes = static_cast<double>(k.neurons) * spikes * (o.ranks - 1);
        x.received_bytes = static_cast<double>(c.N - k.neurons) * spikes;
        x.sent_messages = x.received_messages = 2.0 * (o.ranks - 1) / L; // MPI_Allgather(v), as RANKS - 1 messages
        break;
    }
    return x;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char ch: text) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
    }
    return out + "\"";
}

// R's neurons simulated alone: their own spikes delivered through the real
// connection list, and in place of each synapse from another rank a Poisson
// spike train at `rate_hz` (a surrogate: the other ranks' spikes neither
// correlated with R's nor with each other), f_inh of them inhibitory.
struct surrogate_result {
    std::int64_t steps = 0;
    double update_seconds = 0, deliver_seconds = 0; // wall time of the neuron updates and of the delivery
    std::uint64_t spikes = 0;                       // of R's neurons
};

surrogate_result simulate_alone(const config& c, const adjacency& adj, const std::function<bool(std::uint64_t)>& mine,
                                double rate_hz, double ms) {
    using clock = std::chrono::steady_clock;
    surrogate_result s;
    s.steps = std::llround(ms / c.dt);
    config no_inhibitory = c; // the inhibitory set needs every rank: here all sources are excitatory
    no_inhibitory.f_inh = 0;
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_attach);
    const connections list(adj, inhibitory_set(no_inhibitory, adj.ids, self));
    neuron_block block(c, adj.ids, std::vector<double>(adj.rows(), c.J));
    delay_ring ring(block.size(), c.delay_steps());
    const sample_grid grid(c);
    std::vector<double> exc_mean(adj.rows()), inh_mean(adj.rows()); // remote spikes per step
    for (std::size_t r = 0; r < adj.rows(); ++r) {
        std::uint64_t remote = 0;
        for (auto e = adj.offsets[r]; e < adj.offsets[r + 1]; ++e) remote += !mine(adj.neighbours[e]);
        const double per_step = static_cast<double>(remote) * rate_hz * c.dt / 1000.0;
        exc_mean[r] = per_step * (1 - c.f_inh);
        inh_mean[r] = per_step * c.f_inh;
    }
    std::mt19937_64 random(c.seed);
    std::vector<local_spike> fired;
    std::vector<spike> own;
    const auto none = [](std::int64_t, std::size_t, std::span<const double>) {};
    for (std::int64_t e0 = 0; e0 < s.steps; e0 += c.epoch_steps()) {
        const std::int64_t e1 = std::min(e0 + c.epoch_steps(), s.steps);
        for (std::int64_t n = e0; n < e1; ++n)
            for (std::size_t r = 0; r < adj.rows(); ++r) {
                if (exc_mean[r] > 0)
                    ring.counts(n, false)[r] +=
                        static_cast<input_count>(std::poisson_distribution<int>(exc_mean[r])(random));
                if (inh_mean[r] > 0)
                    ring.counts(n, true)[r] +=
                        static_cast<input_count>(std::poisson_distribution<int>(inh_mean[r])(random));
            }
        const auto t0 = clock::now();
        block.advance(e0, e1, ring, c.g, grid, fired, none);
        const auto t1 = clock::now();
        own.clear();
        for (const auto& [n, i]: fired) own.push_back({n, adj.ids[i]});
        list.deliver(own, c.delay_steps(), ring);
        s.deliver_seconds += std::chrono::duration<double>(clock::now() - t1).count();
        s.update_seconds += std::chrono::duration<double>(t1 - t0).count();
        s.spikes += fired.size();
        fired.clear();
    }
    return s;
}

// A set of node ids asked for every rewired edge of the stream (a random
// partition's): open addressing, a probe or two in a table twice its size
// (a binary search took 15 and tripled the stream's time).
class id_set {
public:
    explicit id_set(const std::vector<std::uint64_t>& ids):
        shift_(64 - std::max(1, static_cast<int>(std::bit_width(2 * ids.size())))),
        slots_(std::size_t(1) << (64 - shift_), empty) {
        for (auto id: ids) slots_[find(id)] = id;
    }
    bool contains(std::uint64_t id) const { return slots_[find(id)] == id; }

private:
    static constexpr std::uint64_t empty = ~std::uint64_t(0); // no node id: N < 2^64
    std::size_t find(std::uint64_t id) const {
        std::size_t i = (id * 0x9E3779B97F4A7C15ull) >> shift_;
        while (slots_[i] != empty && slots_[i] != id) i = (i + 1) & (slots_.size() - 1);
        return i;
    }
    int shift_;
    std::vector<std::uint64_t> slots_;
};

struct run_timing {
    unsigned threads;
    double graph_seconds, seconds;
};

// The record (docs/output-format.md, "The dry-run record").
std::string record(const config& c, const dry_run_options& o, partition_method method, const std::string& command_line,
                   const rank_counts& k, const replay_result& mem, const exchange_per_step& x,
                   const rank_graph_stats& gs, const surrogate_result& sim, const run_timing& t) {
    std::string j;
    char buf[512];
    auto add = [&](const char* fmt, auto... values) {
        std::snprintf(buf, sizeof buf, fmt, values...);
        j += buf;
    };
    using ull = unsigned long long;
    add("{\n  \"format\": \"lifnet-dry-run\",\n  \"format_version\": 1,\n  \"lifnet_version\": \"%s\",\n",
        version_string);
    j += "  \"command_line\": " + json_string(command_line) + ",\n";
    add("  \"config\": {\"N\": %llu, \"k\": %llu, \"p\": %.17g, \"seed\": %llu, \"graph\": \"%s\", \"partition\": "
        "\"%s\", \"routing\": \"%s\", \"dt\": %.17g, \"d\": %.17g, \"epoch_steps\": %lld},\n",
        ull(c.N), ull(c.k), c.p, ull(c.seed), mode_name(c.graph), mode_name(method), mode_name(c.routing), c.dt, c.d,
        static_cast<long long>(c.epoch_steps()));
    add("  \"ranks\": %d,\n  \"rank\": %d,\n  \"neurons\": %llu,\n  \"synapses\": %llu,\n", o.ranks, o.rank,
        ull(k.neurons), ull(k.synapses));
    add("  \"sources\": %llu,\n  \"remote_sources\": %llu,\n  \"routed_neurons\": %llu,\n  \"routes\": %llu,\n",
        ull(k.sources), ull(k.remote_sources), ull(k.routed), ull(k.routes));
    j += "  \"synapses_by_source_rank\": {";
    const char* sep = "";
    for (const auto& [rank, n]: k.by_source_rank) {
        add("%s\"%d\": %llu", sep, rank, ull(n));
        sep = ", ";
    }
    add("},\n  \"neighbour_ranks\": %zu,\n  \"neighbours\": [", k.neighbours.size());
    sep = "";
    for (int r: k.neighbours) {
        add("%s%d", sep, r);
        sep = ", ";
    }
    add("],\n  \"memory\": {\"setup_bytes\": %llu, \"loop_bytes\": %llu, \"baseline_bytes\": %llu, "
        "\"build_bytes\": %llu, \"partition_bytes\": %llu, \"connections_bytes\": %llu},\n",
        ull(mem.setup), ull(mem.loop), ull(mem.start), ull(mem.build), ull(mem.partition), ull(mem.connections));
    add("  \"exchange\": {\"bytes_per_spike\": %llu, \"rate_hz\": %.17g, \"rate_source\": \"%s\", "
        "\"bytes_sent_per_step\": %.17g, \"bytes_received_per_step\": %.17g, \"messages_sent_per_step\": %.17g, "
        "\"messages_received_per_step\": %.17g, \"collectives_per_epoch\": %d},\n",
        ull(sizeof(spike)), x.rate_hz, x.rate_given ? "option" : "free_neuron", x.sent_bytes, x.received_bytes,
        x.sent_messages, x.received_messages, c.routing == spike_routing::neighbour ? 2 : 1);
    if (sim.steps > 0) {
        const double per_step = 1.0 / static_cast<double>(sim.steps);
        add("  \"simulated\": {\"steps\": %lld, \"update_seconds_per_step\": %.6g, \"deliver_seconds_per_step\": %.6g, "
            "\"rate_hz\": %.6g, \"remote_input\": \"poisson\", \"remote_rate_hz\": %.17g},\n",
            static_cast<long long>(sim.steps), sim.update_seconds * per_step, sim.deliver_seconds * per_step,
            k.neurons ? 1000.0 * static_cast<double>(sim.spikes) / (static_cast<double>(k.neurons) * sim.steps * c.dt)
                      : 0.0,
            x.rate_hz);
    }
    add("  \"graph\": {\"lattice_edges_streamed\": %llu, \"rewired\": %llu, \"candidates\": %llu, \"rounds\": %llu, "
        "\"collisions_among_candidates\": %llu},\n",
        ull(gs.lattice_edges), ull(gs.rewired), ull(gs.candidates), ull(gs.rounds), ull(gs.local_collisions));
    add("  \"run\": {\"threads\": %u, \"graph_seconds\": %.6g, \"seconds\": %.6g, \"peak_memory_bytes\": %llu}\n}\n",
        t.threads, t.graph_seconds, t.seconds, ull(peak_resident_bytes()));
    return j;
}

} // namespace

std::string dry_run(const config& c, const dry_run_options& o, const std::string& command_line) {
    check_dry_run(c, o);
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_attach);
    check_command_files({{"-o", o.output, "", false}}, {}, self);
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    const int P = o.ranks, R = o.rank;
    const partition_method method = P == 1 ? partition_method::block : c.partition;
    const auto ids = nodes_without_graph(method, c.N, c.seed, P, R);
    const auto block = block_of(c.N, P, R);
    std::optional<setup_replay> replay;
    {
        // A run file, opened and discarded, so that the libraries and
        // buffers a real run's output needs are in the replay's memory.
        const output_file scratch(o.output + ".h5", self);
        malloc_trim(0);
        replay.emplace(c, ids);
    }
    const auto in_block = [block](std::uint64_t id) { return id >= block.lo && id < block.hi; };
    const id_set scattered(method == partition_method::block ? std::vector<std::uint64_t>{} : ids);
    const auto mine = [&](std::uint64_t id) {
        return method == partition_method::block ? in_block(id) : scattered.contains(id);
    };
    // The edges of R's block (where the real run builds them) and of R's neurons.
    std::vector<std::uint64_t> nodes = ids;
    if (method != partition_method::block) {
        for (auto u = block.lo; u < block.hi; ++u) nodes.push_back(u);
        std::sort(nodes.begin(), nodes.end());
        nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    }
    const auto owner = [&](std::uint64_t id) { return owner_without_graph(method, id, c.N, c.seed, P); };
    const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    rank_graph_stats gs;
    const auto edges = rank_edges(
        c, nodes, [&](std::uint64_t id) { return mine(id) || in_block(id); }, threads, gs);
    nodes = {};
    const adjacency adj = rows_of(c.N, ids, edges, mine);
    const double graph_seconds = std::chrono::duration<double>(clock::now() - started).count();
    const auto k = count(adj, R, owner);
    const auto mem = replay->run(
        plan_of(c, P, block, edges,
                method == partition_method::block
                    ? adj
                    : rows_of(c.N, nodes_without_graph(partition_method::block, c.N, c.seed, P, R), edges, in_block),
                owner, k));
    const auto x = exchange_at_rate(c, o, k);
    const auto sim = o.simulate_ms > 0 ? simulate_alone(c, adj, mine, x.rate_hz, o.simulate_ms) : surrogate_result{};
    const run_timing t{threads, graph_seconds, std::chrono::duration<double>(clock::now() - started).count()};
    const auto j = record(c, o, method, command_line, k, mem, x, gs, sim, t);
    write_file_safely(o.output, j);
    return j;
}

} // namespace lifnet
