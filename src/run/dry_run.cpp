#include "run/dry_run.hpp"

#include "comm/decomposition.hpp"
#include "delivery/delivery.hpp"
#include "graph/rank_graph.hpp"
#include "io/safe_output.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"
#include "partition/partition.hpp"
#include "run/memory.hpp"

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
#include <map>
#include <thread>
#include <malloc.h>

namespace lifnet {

namespace {

// The capacity a std::vector reaches when filled by push_back: libstdc++
// doubles from 1.
std::uint64_t grown(std::uint64_t n) {
    return n ? std::bit_ceil(n) : 0;
}

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

// Rank R's memory per phase [bytes], as a real run allocates it.
struct memory_phases {
    std::uint64_t baseline = 0;  // the process before any data: libraries, MPI
    std::uint64_t build = 0;     // generating the block's rows (graph.cpp)
    std::uint64_t partition = 0; // migrating the rows to their ranks
    std::uint64_t connections = 0; // the connection list built from the rows
    std::uint64_t loop = 0;      // the data of the time loop
    std::uint64_t setup() const { return baseline + std::max({build, partition, connections}); }
};

// The set-up as graph.cpp and partition.cpp allocate it, on the rows of R's
// block (the graph is built by block, then migrated): n_b nodes with E
// lattice edges, S_b synapses (for a random partition, R's own synapse
// count stands in for the block's).
memory_phases setup_memory(const config& c, partition_method method, node_range range, const rank_counts& k) {
    memory_phases mem;
    const std::uint64_t n_b = range.hi - range.lo, half = c.k / 2, E = n_b * half;
    const std::uint64_t S_b = method == partition_method::block
                                  ? k.synapses
                                  : k.synapses * n_b / std::max<std::uint64_t>(1, k.neurons);
    std::uint64_t E_rewired = 0;
    if (c.graph == graph_model::ws && c.k + 1 < c.N)
        for (std::uint64_t key = range.lo * half; key < range.hi * half; ++key)
            E_rewired += to_unit(philox(c.seed, purpose::ws_rewire, key, 0)[0]) < c.p;
    const std::uint64_t E_kept = E - E_rewired;
    // watts_strogatz: the kept edges and the rewiring list, pushed; then
    // the registry's alltoallv: the send lists, its send and receive
    // buffers and its result, 16 bytes an edge each.
    const std::uint64_t registry = 16 * grown(E_kept) + 32 * grown(E_rewired) + 16 * grown(E_kept) + 3 * 16 * E_kept;
    // adjacency_from_edges: two synapses per edge pushed to their owners,
    // the alltoallv's buffers and result, 16 bytes a synapse each.
    const std::uint64_t to_rows = 16 * grown(S_b) + 3 * 16 * S_b;
    // rows_from_pairs: the sorted pairs and the rows.
    const std::uint64_t rows = 16 * S_b + 8 * S_b + 2 * 8 * grown(n_b + 1);
    mem.build = std::max({registry, to_rows, rows});
    // migrate: [id, degree, sources] per row, 8 bytes each, in the send
    // lists, the alltoallv's buffers and its result; then the rows again.
    const std::uint64_t words = 2 * n_b + S_b, words_in = 2 * k.neurons + k.synapses;
    mem.partition = std::max(8 * grown(words) + 8 * 2 * words + 8 * words_in + 4 * n_b,
                             8 * words_in + 24 * grown(k.neurons) + 8 * k.synapses + 2 * 8 * grown(k.neurons + 1));
    // connections: the rows, the (source, target) pairs, and the list.
    const std::uint64_t row_bytes = 8 * k.synapses + 2 * 8 * grown(k.neurons + 1);
    const std::uint64_t list = 17 * grown(k.sources) + 4 * k.synapses + 8 * (k.max_source / 16 + 2);
    mem.connections = row_bytes + 16 * k.synapses + list;
    return mem;
}

// The loop's data [bytes]: the real objects, built here for R's neurons
// (their resident size), and the exchange's routes.
std::uint64_t loop_memory(const config& c, const adjacency& adj, const rank_counts& k) {
    malloc_trim(0);
    const auto before = resident_bytes();
    std::uint64_t bytes = 0;
    {
        config no_inhibitory = c; // the inhibitory set needs every rank; its size does not depend on it
        no_inhibitory.f_inh = 0;
        const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_attach);
        const inhibitory_set inh(no_inhibitory, adj.ids, self);
        const connections list(adj, inh);
        neuron_block block(c, adj.ids, std::vector<double>(adj.rows(), c.J));
        const sample_grid grid(c);
        const voltage_measures voltages(grid, block.size(), c.N, self);
        const spike_measures spikes(grid, c, block.size());
        const delay_ring ring(block.size(), c.delay_steps());
        bytes = resident_bytes() - std::min(before, resident_bytes());
    }
    const std::uint64_t words64 = (k.neurons + 63) / 64;
    return bytes + 12 * words64 + 4 * grown(k.routed + 1) + 4 * grown(k.routes);
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

struct run_timing {
    unsigned threads;
    double graph_seconds, seconds;
};

// The record (docs/output-format.md, "The dry-run record").
std::string record(const config& c, const dry_run_options& o, partition_method method, const std::string& command_line,
                   const rank_counts& k, const memory_phases& mem, const exchange_per_step& x,
                   const rank_graph_stats& gs, const run_timing& t) {
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
        ull(c.N), ull(c.k), c.p, ull(c.seed), mode_name(c.graph), mode_name(method), mode_name(c.routing), c.dt,
        c.d, static_cast<long long>(c.epoch_steps()));
    add("  \"ranks\": %d,\n  \"rank\": %d,\n  \"neurons\": %llu,\n  \"synapses\": %llu,\n", o.ranks, o.rank, ull(k.neurons),
        ull(k.synapses));
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
        "\"build_bytes\": %llu, \"partition_bytes\": %llu, \"connections_bytes\": %llu, \"loop_data_bytes\": %llu},\n",
        ull(mem.setup()), ull(mem.baseline + mem.loop), ull(mem.baseline), ull(mem.build), ull(mem.partition),
        ull(mem.connections), ull(mem.loop));
    add("  \"exchange\": {\"bytes_per_spike\": %llu, \"rate_hz\": %.17g, \"rate_source\": \"%s\", "
        "\"bytes_sent_per_step\": %.17g, \"bytes_received_per_step\": %.17g, \"messages_sent_per_step\": %.17g, "
        "\"messages_received_per_step\": %.17g, \"collectives_per_epoch\": %d},\n",
        ull(sizeof(spike)), x.rate_hz, x.rate_given ? "option" : "free_neuron", x.sent_bytes, x.received_bytes,
        x.sent_messages, x.received_messages, c.routing == spike_routing::neighbour ? 1 : 0);
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
    check_command_files({{"-o", o.output, "", false}}, {},
                        boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_attach));
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    malloc_trim(0);
    const std::uint64_t baseline = resident_bytes();
    const int P = o.ranks, R = o.rank;
    const partition_method method = P == 1 ? partition_method::block : c.partition;
    const auto ids = nodes_without_graph(method, c.N, c.seed, P, R);
    const auto range = block_of(c.N, P, R);
    std::function<bool(std::uint64_t)> mine;
    if (method == partition_method::block)
        mine = [range](std::uint64_t id) { return id >= range.lo && id < range.hi; };
    else
        mine = [&ids](std::uint64_t id) { return std::binary_search(ids.begin(), ids.end(), id); };
    const auto owner = [&](std::uint64_t id) { return owner_without_graph(method, id, c.N, c.seed, P); };
    const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    rank_graph_stats gs;
    const adjacency adj = rank_rows(c, ids, mine, threads, gs);
    const double graph_seconds = std::chrono::duration<double>(clock::now() - started).count();
    const auto k = count(adj, R, owner);
    auto mem = setup_memory(c, method, range, k);
    mem.baseline = baseline;
    mem.loop = loop_memory(c, adj, k);
    const auto x = exchange_at_rate(c, o, k);

    const run_timing t{threads, graph_seconds, std::chrono::duration<double>(clock::now() - started).count()};
    const auto j = record(c, o, method, command_line, k, mem, x, gs, t);
    write_file_safely(o.output, j);
    return j;
}

} // namespace lifnet
