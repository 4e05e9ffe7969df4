#include "graph/graph.hpp"

#include "comm/fault.hpp"
#include "comm/mpi_util.hpp"
#include "graph/edge_list.hpp"
#include "graph/edge_registry.hpp"
#include "io/input_file.hpp"
#include "io/sonata_edges.hpp"

#include <lifnet/random.hpp>
#include <lifnet/signals.hpp>

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <memory>

namespace lifnet {

// Compressed rows for the nodes of `range` from directed pairs (row, col).
adjacency rows_from_pairs(std::uint64_t N, node_range range, std::vector<edge>& pairs) {
    std::sort(pairs.begin(), pairs.end());
    adjacency adj;
    adj.N = N;
    adj.neighbours.reserve(pairs.size());
    auto it = pairs.begin();
    for (std::uint64_t u = range.lo; u < range.hi; ++u) {
        adj.ids.push_back(u);
        for (; it != pairs.end() && it->a == u; ++it) adj.neighbours.push_back(it->b);
        adj.offsets.push_back(adj.neighbours.size());
    }
    if (it != pairs.end()) throw internal_error("graph: a pair was sent to the wrong rank");
    return adj;
}

namespace {

// Sends each undirected edge {a, b} to the owners of a and b as the two
// synapses it is, and builds this rank's rows. Each buffer is released as
// soon as the next one is built, to keep the peak memory down.
adjacency adjacency_from_edges(const boost::mpi::communicator& comm, std::uint64_t N, std::vector<edge> edges) {
    std::vector<std::vector<edge>> send(comm.size());
    for (const auto& e: edges) {
        send[block_owner(e.a, N, comm.size())].push_back({e.a, e.b});
        send[block_owner(e.b, N, comm.size())].push_back({e.b, e.a});
    }
    edges = {};
    auto pairs = alltoallv(comm, send);
    send = {};
    return rows_from_pairs(N, block_of(N, comm.size(), comm.rank()), pairs);
}

// Ring lattice edges (u, u + j), j = 1 … k/2, of this rank's block; with
// probability p an edge is marked for rewiring instead (ws_rewire draw 0).
std::vector<edge> watts_strogatz(const config& c, const boost::mpi::communicator& comm) {
    const auto [lo, hi] = block_of(c.N, comm.size(), comm.rank());
    const std::uint64_t half = c.k / 2;
    // With k = N - 1 the lattice is the complete graph: nothing to rewire to.
    const bool can_rewire = c.k + 1 < c.N;

    struct pending {
        std::uint64_t u, v, key, attempt;
    };
    std::vector<edge> kept;
    std::vector<pending> rewire;
    for (std::uint64_t u = lo; u < hi; ++u) {
        for (std::uint64_t j = 1; j <= half; ++j) {
            const std::uint64_t v = (u + j) % c.N, key = u * half + (j - 1);
            if (can_rewire && to_unit(philox(c.seed, purpose::ws_rewire, key, 0)[0]) < c.p)
                rewire.push_back({u, v, key, 0});
            else
                kept.push_back(make_edge(u, v));
        }
    }
    agree_on_stop(comm);
    edge_registry registry(comm, c.N);
    registry.insert_distinct(kept);
    kept = {}; // the registry holds them

    // Rounds: every pending edge proposes its next far end w (never u, never
    // its old end v). It is taken unless the edge exists or a smaller key
    // proposes the same edge in this round; the others draw again. The rule
    // depends only on the keys, so the result does not depend on the ranks.
    constexpr std::uint64_t max_attempts = 100000;
    while (boost::mpi::all_reduce(comm, rewire.size(), std::plus<>())) {
        std::vector<candidate> proposals;
        run_collectively(comm, [&] {
            for (auto& r: rewire) {
                if (stop_requested()) throw interrupted(); // agreed: run_collectively
                std::uint64_t w;
                do {
                    if (r.attempt >= max_attempts)
                        throw error("graph: cannot rewire the edge of node " + std::to_string(r.u) +
                                    ": the graph is too dense for k = " + std::to_string(c.k) +
                                    " and p = " + std::to_string(c.p));
                    const auto x = philox(c.seed, purpose::ws_rewire, r.key, r.attempt++);
                    w = to_index(x[2], x[3], c.N - 1);
                    if (w >= r.u) ++w;
                } while (w == r.v);
                proposals.push_back({make_edge(r.u, w), r.key});
            }
        });
        const auto taken = registry.propose(proposals);
        std::size_t kept_pending = 0;
        for (std::size_t i = 0; i < rewire.size(); ++i)
            if (!taken[i]) rewire[kept_pending++] = rewire[i];
        rewire.resize(kept_pending);
    }
    return registry.take_edges();
}

// G(N, M) with M = N k / 2: the distinct pairs among the first C draws of
// er_edge, with C the smallest count that yields M distinct pairs. Each round
// adds at most as many draws as edges are missing, so it never overshoots M.
std::vector<edge> erdos_renyi(const config& c, const boost::mpi::communicator& comm) {
    const std::uint64_t M = c.N * c.k / 2;
    edge_registry registry(comm, c.N);
    std::uint64_t drawn = 0, have = 0;
    // At most 2^22 draws per round, so that a stop signal is seen within a
    // round of work; smaller rounds keep the same edges (the earliest draw
    // of a pair takes it, and no round overshoots M).
    constexpr std::uint64_t round_draws = std::uint64_t(1) << 22;
    while (have < M) {
        agree_on_stop(comm);
        const std::uint64_t more = std::min(M - have, round_draws);
        const auto [lo, hi] = block_of(more, comm.size(), comm.rank());
        std::vector<candidate> proposals;
        for (std::uint64_t i = drawn + lo; i < drawn + hi; ++i) {
            const auto x = philox(c.seed, purpose::er_edge, i, 0);
            const std::uint64_t a = to_index(x[0], x[1], c.N);
            std::uint64_t b = to_index(x[2], x[3], c.N - 1);
            if (b >= a) ++b;
            proposals.push_back({make_edge(a, b), i});
        }
        const auto taken = registry.propose(proposals);
        const std::uint64_t local = std::count(taken.begin(), taken.end(), 1);
        have += boost::mpi::all_reduce(comm, local, std::plus<>());
        drawn += more;
    }
    return registry.take_edges();
}

// A text edge list: one undirected edge `u v` per line, 0-based ids, `#`
// starts a comment; each line is two synapses. Rank 0 reads it.
adjacency read_edge_list(const config& c, const boost::mpi::communicator& comm) {
    std::unique_ptr<input_file> in;
    std::uint64_t number = 0;
    auto adj = distribute_from_root(c.N, comm, [&](std::vector<edge>& out, std::size_t limit) {
        if (!in) in = std::make_unique<input_file>(c.graph_file);
        std::string line;
        while (out.size() < limit) {
            if (!in->getline(line)) return false;
            const auto e = parse_edge_line(line, c.N, ++number, c.graph_file);
            if (!e) continue;
            out.push_back({e->first, e->second});
            out.push_back({e->second, e->first});
        }
        return true;
    });
    run_collectively(comm, [&] {
        for (std::size_t r = 0; r < adj.rows(); ++r) {
            const auto b = adj.neighbours.begin();
            auto dup = std::adjacent_find(b + adj.offsets[r], b + adj.offsets[r + 1]);
            if (dup != b + adj.offsets[r + 1])
                throw file_error(c.graph_file,
                                 "duplicate edge " + std::to_string(adj.ids[r]) + " " + std::to_string(*dup));
        }
    });
    return adj;
}

} // namespace

adjacency distribute_from_root(std::uint64_t N, const boost::mpi::communicator& comm, const synapse_source& next) {
    constexpr std::size_t chunk = std::size_t(1) << 22; // synapses per round: 64 MiB on rank 0
    std::vector<edge> mine;
    for (bool more = true; more;) {
        std::vector<std::vector<edge>> send(comm.size());
        run_collectively(comm, [&] {
            if (stop_requested()) throw interrupted(); // a signal between rounds, agreed
            inject_fault("edge_read", comm.rank());
            if (comm.rank() != 0) return;
            std::vector<edge> pairs;
            more = next(pairs, chunk);
            for (const auto& e: pairs) send[block_owner(e.a, N, comm.size())].push_back(e);
        });
        boost::mpi::broadcast(comm, more, 0);
        const auto got = alltoallv(comm, send);
        mine.insert(mine.end(), got.begin(), got.end());
    }
    return rows_from_pairs(N, block_of(N, comm.size(), comm.rank()), mine);
}

adjacency build_graph(const config& c, const boost::mpi::communicator& comm) {
    switch (c.graph) {
    case graph_model::file: {
        // Rank 0 decides what the file is, once: a regular file within the
        // input cap, HDF5 or text.
        bool hdf5 = false;
        run_collectively(comm, [&] {
            if (comm.rank() != 0) return;
            const input_file checked(c.graph_file);
            hdf5 = is_hdf5_file(c.graph_file);
        });
        boost::mpi::broadcast(comm, hdf5, 0);
        return hdf5 ? read_sonata_edges(c, comm) : read_edge_list(c, comm);
    }
    case graph_model::ring: {
        config lattice = c;
        lattice.p = 0;
        return adjacency_from_edges(comm, c.N, watts_strogatz(lattice, comm));
    }
    case graph_model::ws:
        return adjacency_from_edges(comm, c.N, watts_strogatz(c, comm));
    case graph_model::er:
        return adjacency_from_edges(comm, c.N, erdos_renyi(c, comm));
    }
    throw internal_error("unknown graph model");
}

} // namespace lifnet
