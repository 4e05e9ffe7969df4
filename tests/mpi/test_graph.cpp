// Graph generation (MODEL.md §1): the edge set does not depend on the number
// of ranks, every graph is simple with exactly N·k/2 edges, and the
// Watts–Strogatz statistics match networkx's (tests/reference).
#include "comm/mpi_util.hpp"
#include "graph/graph.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <ostream>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace {

using lifnet::adjacency;
using lifnet::config;

struct node_pair {
    std::uint64_t u, v;
    auto operator<=>(const node_pair&) const = default;
};

// Every synapse (row id, neighbour) of every rank, sorted.
std::vector<node_pair> gather_synapses(const adjacency& adj, const boost::mpi::communicator& comm) {
    std::vector<node_pair> local;
    for (std::size_t r = 0; r < adj.rows(); ++r)
        for (auto i = adj.offsets[r]; i < adj.offsets[r + 1]; ++i) local.push_back({adj.ids[r], adj.neighbours[i]});
    auto all = lifnet::allgatherv(comm, std::span<const node_pair>(local));
    std::sort(all.begin(), all.end());
    return all;
}

// The undirected edges {u, v}, u < v, of every rank, sorted.
std::vector<node_pair> gather_edges(const adjacency& adj, const boost::mpi::communicator& comm) {
    std::vector<node_pair> local;
    for (std::size_t r = 0; r < adj.rows(); ++r)
        for (auto i = adj.offsets[r]; i < adj.offsets[r + 1]; ++i)
            if (adj.ids[r] < adj.neighbours[i]) local.push_back({adj.ids[r], adj.neighbours[i]});
    auto all = lifnet::allgatherv(comm, std::span<const node_pair>(local));
    std::sort(all.begin(), all.end());
    return all;
}

// Whether `ok` holds on every rank. Assert on this (not on a rank's own
// value) before a collective, so that a failure returns from the test on
// every rank together and none is left waiting.
bool everywhere(const boost::mpi::communicator& comm, bool ok) {
    return boost::mpi::all_reduce(comm, static_cast<int>(ok), boost::mpi::minimum<int>()) == 1;
}

boost::mpi::communicator self() {
    return boost::mpi::communicator(MPI_COMM_SELF, boost::mpi::comm_duplicate);
}

// ---------------------------------------------------------------------------
// Structure and rank invariance.

struct graph_case {
    std::string graph;
    double p;
    std::uint64_t N, k;
};

void PrintTo(const graph_case& g, std::ostream* os) {
    *os << g.graph << " p=" << g.p << " N=" << g.N << " k=" << g.k;
}

std::string case_name(const testing::TestParamInfo<graph_case>& info) {
    const auto& g = info.param;
    std::string name = g.graph;
    if (g.graph == "ws") name += "_p" + std::to_string(static_cast<int>(std::lround(g.p * 100))) + "pc";
    return name + "_N" + std::to_string(g.N) + "_k" + std::to_string(g.k);
}

std::vector<graph_case> graph_cases() {
    std::vector<graph_case> cases;
    for (std::uint64_t N: {50, 1001})
        for (std::uint64_t k: {4, 10}) {
            for (double p: {0.0, 0.1, 0.5, 1.0}) cases.push_back({"ws", p, N, k});
            cases.push_back({"ring", 0.3, N, k}); // p is ignored for the ring
            cases.push_back({"er", 0.3, N, k});
        }
    return cases;
}

class graph_structure: public testing::TestWithParam<graph_case> {};

TEST_P(graph_structure, rank_invariant_and_simple) {
    const auto& g = GetParam();
    config c;
    lifnet::set_key(c, "graph", g.graph);
    c.p = g.p;
    c.N = g.N;
    c.k = g.k;
    c.seed = 7;
    const boost::mpi::communicator world;

    const auto adj = build_graph(c, world);
    EXPECT_EQ(adj.N, g.N);
    EXPECT_EQ(adj.offsets.size(), adj.rows() + 1);
    EXPECT_EQ(adj.offsets.back(), adj.neighbours.size());
    ASSERT_TRUE(everywhere(world, adj.N == g.N && adj.offsets.size() == adj.rows() + 1 &&
                                      adj.offsets.back() == adj.neighbours.size()))
        << "malformed rows on some rank";

    // This rank holds its initial block of rows, in order.
    const auto block = lifnet::block_of(g.N, world.size(), world.rank());
    std::vector<std::uint64_t> expected_ids(block.hi - block.lo);
    std::iota(expected_ids.begin(), expected_ids.end(), block.lo);
    EXPECT_EQ(adj.ids, expected_ids);

    // Rows: sorted, no self-loop, no repeated neighbour (no multi-edge).
    for (std::size_t r = 0; r < adj.rows(); ++r) {
        const auto first = adj.neighbours.begin() + static_cast<std::ptrdiff_t>(adj.offsets[r]);
        const auto last = adj.neighbours.begin() + static_cast<std::ptrdiff_t>(adj.offsets[r + 1]);
        EXPECT_TRUE(std::is_sorted(first, last)) << "row " << adj.ids[r];
        EXPECT_EQ(std::adjacent_find(first, last), last) << "multi-edge in row " << adj.ids[r];
        EXPECT_EQ(std::find(first, last, adj.ids[r]), last) << "self-loop on " << adj.ids[r];
        EXPECT_TRUE(std::all_of(first, last, [&](std::uint64_t v) { return v < g.N; })) << "row " << adj.ids[r];
    }

    // Symmetry: synapse u→v is stored in row v exactly when v→u is in row u.
    const auto synapses = gather_synapses(adj, world);
    ASSERT_EQ(synapses.size(), g.N * g.k);
    auto reversed = synapses;
    for (auto& s: reversed) std::swap(s.u, s.v);
    std::sort(reversed.begin(), reversed.end());
    EXPECT_EQ(synapses, reversed) << "some row is not symmetric";

    // Exactly N·k/2 distinct undirected edges.
    const auto edges = gather_edges(adj, world);
    EXPECT_EQ(edges.size(), g.N * g.k / 2);
    EXPECT_EQ(std::adjacent_find(edges.begin(), edges.end()), edges.end());

    // The same edge set as one rank alone builds.
    const auto alone = gather_edges(build_graph(c, self()), self());
    EXPECT_EQ(edges, alone) << "the edge set depends on the number of ranks";

    // The ring (and WS at p = 0) is exactly the lattice u ~ u±1 … u±k/2.
    if (g.graph == "ring" || g.p == 0) {
        std::vector<node_pair> lattice;
        for (std::uint64_t u = 0; u < g.N; ++u)
            for (std::uint64_t j = 1; j <= g.k / 2; ++j) {
                const auto v = (u + j) % g.N;
                lattice.push_back({std::min(u, v), std::max(u, v)});
            }
        std::sort(lattice.begin(), lattice.end());
        EXPECT_EQ(edges, lattice);
    }
    else {
        // Rewired graphs (and ER) are not the lattice: count the lattice
        // edges kept. WS keeps about (1 - p) of them (a rewired edge may land
        // back on a lattice edge, rarely); ER keeps about k / (N - 1).
        std::uint64_t kept = 0;
        for (const auto& e: edges) {
            const auto d = std::min(e.v - e.u, g.N - (e.v - e.u));
            if (d <= g.k / 2) ++kept;
        }
        const double total = static_cast<double>(g.N * g.k / 2);
        const double expect =
            g.graph == "er" ? total * static_cast<double>(g.k) / static_cast<double>(g.N - 1) : total * (1 - g.p);
        // Binomial spread plus the lattice edges a rewiring may recreate.
        const double slack = 5 * std::sqrt(total * 0.25) + total * static_cast<double>(g.k) / static_cast<double>(g.N);
        EXPECT_NEAR(static_cast<double>(kept), expect, slack) << "lattice edges kept";
    }
}

INSTANTIATE_TEST_SUITE_P(graphs, graph_structure, testing::ValuesIn(graph_cases()), case_name);

// ---------------------------------------------------------------------------
// Small-world statistics against networkx.

struct reference_point {
    double p, C_mean, C_sem, L_mean, L_sem;
};

struct reference {
    double n = 0, k = 0, seeds = 0;
    std::vector<reference_point> points;
};

// The numbers of `"key": value` pairs in `text`.
std::map<std::string, double> numbers_in(const std::string& text) {
    static const std::regex pair(R"re("(\w+)"\s*:\s*([-+0-9.eE]+))re");
    std::map<std::string, double> out;
    for (std::sregex_iterator it(text.begin(), text.end(), pair), end; it != end; ++it)
        out[(*it)[1].str()] = std::strtod((*it)[2].str().c_str(), nullptr);
    return out;
}

double key(const std::map<std::string, double>& values, const std::string& name) {
    const auto it = values.find(name);
    if (it == values.end()) throw std::runtime_error("networkx_ws_stats.json: no key " + name);
    return it->second;
}

// Reads tests/reference/networkx_ws_stats.json: top-level n, k, seeds and the
// flat objects of "points" (no JSON library; the file's shape is fixed).
reference read_reference() {
    const std::string path = LIFNET_SOURCE_DIR "/tests/reference/networkx_ws_stats.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const auto at = text.find("\"points\"");
    if (at == std::string::npos) throw std::runtime_error(path + ": no points");
    reference ref;
    const auto top = numbers_in(text.substr(0, at));
    ref.n = key(top, "n");
    ref.k = key(top, "k");
    ref.seeds = key(top, "seeds");
    static const std::regex object(R"(\{([^{}]*)\})");
    const std::string rest = text.substr(at);
    for (std::sregex_iterator it(rest.begin(), rest.end(), object), end; it != end; ++it) {
        const auto v = numbers_in((*it)[1].str());
        ref.points.push_back({key(v, "p"), key(v, "C_mean"), key(v, "C_sem"), key(v, "L_mean"), key(v, "L_sem")});
    }
    return ref;
}

// The whole graph on every rank, in compressed rows indexed by node id.
struct full_graph {
    std::uint64_t n;
    std::vector<std::uint64_t> offsets, neighbours;
};

full_graph gather_graph(const adjacency& adj, const boost::mpi::communicator& comm) {
    const auto synapses = gather_synapses(adj, comm); // sorted by (u, v)
    full_graph g{adj.N, std::vector<std::uint64_t>(adj.N + 1, 0), {}};
    g.neighbours.reserve(synapses.size());
    for (const auto& s: synapses) {
        ++g.offsets[s.u + 1];
        g.neighbours.push_back(s.v);
    }
    std::partial_sum(g.offsets.begin(), g.offsets.end(), g.offsets.begin());
    return g;
}

// networkx.average_clustering: mean over all nodes of 2 T / (d (d - 1)),
// 0 for degree < 2.
double average_clustering(const full_graph& g) {
    double sum = 0;
    for (std::uint64_t u = 0; u < g.n; ++u) {
        const auto first = g.neighbours.begin() + static_cast<std::ptrdiff_t>(g.offsets[u]);
        const auto last = g.neighbours.begin() + static_cast<std::ptrdiff_t>(g.offsets[u + 1]);
        const auto d = static_cast<std::uint64_t>(last - first);
        if (d < 2) continue;
        std::uint64_t triangles = 0;
        for (auto a = first; a != last; ++a) {
            const auto a_first = g.neighbours.begin() + static_cast<std::ptrdiff_t>(g.offsets[*a]);
            const auto a_last = g.neighbours.begin() + static_cast<std::ptrdiff_t>(g.offsets[*a + 1]);
            for (auto b = a + 1; b != last; ++b) triangles += std::binary_search(a_first, a_last, *b);
        }
        sum += 2.0 * static_cast<double>(triangles) / static_cast<double>(d * (d - 1));
    }
    return sum / static_cast<double>(g.n);
}

// Mean shortest path over ordered pairs of distinct nodes of the largest
// connected component (as the reference does); BFS sources are dealt out
// over the ranks of `comm` and the integer sums reduced.
struct path_length {
    double L;
    bool connected;
};

path_length mean_path_length(const full_graph& g, const boost::mpi::communicator& comm) {
    constexpr std::uint64_t unseen = ~std::uint64_t(0);
    std::vector<std::uint64_t> dist(g.n), queue(g.n);
    // Fills dist from `source`; returns (nodes reached, sum of distances).
    auto bfs = [&](std::uint64_t source) {
        std::fill(dist.begin(), dist.end(), unseen);
        std::size_t head = 0, tail = 0;
        dist[source] = 0;
        queue[tail++] = source;
        std::uint64_t sum = 0;
        while (head < tail) {
            const auto u = queue[head++];
            sum += dist[u];
            for (auto i = g.offsets[u]; i < g.offsets[u + 1]; ++i) {
                const auto v = g.neighbours[i];
                if (dist[v] == unseen) {
                    dist[v] = dist[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
        return std::pair<std::uint64_t, std::uint64_t>(tail, sum);
    };
    // The largest component (every rank finds the same one).
    std::vector<char> in_largest(g.n, 0);
    {
        std::vector<std::uint64_t> label(g.n, unseen);
        std::uint64_t best = 0, best_size = 0;
        for (std::uint64_t s = 0; s < g.n; ++s) {
            if (label[s] != unseen) continue;
            const auto [size, ignored] = bfs(s);
            for (std::uint64_t v = 0; v < g.n; ++v)
                if (dist[v] != unseen) label[v] = s;
            if (size > best_size) best = s, best_size = size;
        }
        for (std::uint64_t v = 0; v < g.n; ++v) in_largest[v] = label[v] == best;
    }
    const auto m = static_cast<std::uint64_t>(std::count(in_largest.begin(), in_largest.end(), 1));
    std::uint64_t local = 0;
    for (auto s = static_cast<std::uint64_t>(comm.rank()); s < g.n; s += static_cast<std::uint64_t>(comm.size()))
        if (in_largest[s]) local += bfs(s).second;
    const auto total = boost::mpi::all_reduce(comm, local, std::plus<>());
    return {static_cast<double>(total) / static_cast<double>(m * (m - 1)), m == g.n};
}

struct sample {
    double mean, sem;
};
sample summarise(const std::vector<double>& x) {
    const double n = static_cast<double>(x.size());
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
    double ss = 0;
    for (double v: x) ss += (v - mean) * (v - mean);
    return {mean, std::sqrt(ss / (n - 1)) / std::sqrt(n)};
}

TEST(graph_statistics, watts_strogatz_matches_networkx) {
    const boost::mpi::communicator world;
    const auto ref = read_reference();
    ASSERT_EQ(ref.n, 1000);
    ASSERT_EQ(ref.k, 10);
    ASSERT_EQ(ref.points.size(), 5u);
    ASSERT_EQ(ref.points.front().p, 0);
    const auto& nx0 = ref.points.front();

    constexpr int seeds = 20;
    config c;
    c.graph = lifnet::graph_model::ws;
    c.N = 1000;
    c.k = 10;

    // p = 0 is the lattice, the same for every seed and for networkx.
    c.p = 0;
    c.seed = 1;
    const auto g0 = gather_graph(build_graph(c, world), world);
    const double C0 = average_clustering(g0);
    const auto L0 = mean_path_length(g0, world);
    ASSERT_TRUE(L0.connected);
    EXPECT_NEAR(C0, nx0.C_mean, 1e-12);
    EXPECT_NEAR(L0.L, nx0.L_mean, 1e-12);

    if (world.rank() == 0)
        std::printf("WS n=1000 k=10, lifnet: %d seeds, networkx: %g seeds; C(0) = %.6f, L(0) = %.4f\n"
                    "%-6s %-22s %-22s %6s  %-22s %-22s %6s %s\n",
                    seeds, ref.seeds, C0, L0.L, "p", "C/C0 lifnet", "C/C0 networkx", "z", "L/L0 lifnet",
                    "L/L0 networkx", "z", "disconnected");
    for (std::size_t i = 1; i < ref.points.size(); ++i) {
        const auto& nx = ref.points[i];
        c.p = nx.p;
        std::vector<double> C, L;
        int disconnected = 0;
        for (int s = 1; s <= seeds; ++s) {
            c.seed = static_cast<std::uint64_t>(s);
            const auto g = gather_graph(build_graph(c, world), world);
            C.push_back(average_clustering(g) / C0);
            const auto l = mean_path_length(g, world);
            L.push_back(l.L / L0.L);
            disconnected += !l.connected;
        }
        const auto ours_C = summarise(C), ours_L = summarise(L);
        const sample nx_C{nx.C_mean / nx0.C_mean, nx.C_sem / nx0.C_mean};
        const sample nx_L{nx.L_mean / nx0.L_mean, nx.L_sem / nx0.L_mean};
        // Within 2 % or `standard_errors` combined standard errors of the
        // ratio, whichever is larger (MODEL.md §1 says 3; 4 was asked for).
        constexpr double standard_errors = 4;
        auto tolerance = [&](sample a, sample b) {
            return std::max(0.02 * std::abs(b.mean), standard_errors * std::hypot(a.sem, b.sem));
        };
        auto z = [](sample a, sample b) { return (a.mean - b.mean) / std::hypot(a.sem, b.sem); };
        if (world.rank() == 0)
            std::printf("%-6g %.5f ± %.5f      %.5f ± %.5f      %+6.2f  %.5f ± %.5f      %.5f ± %.5f      %+6.2f %d\n",
                        nx.p, ours_C.mean, ours_C.sem, nx_C.mean, nx_C.sem, z(ours_C, nx_C), ours_L.mean, ours_L.sem,
                        nx_L.mean, nx_L.sem, z(ours_L, nx_L), disconnected);
        EXPECT_NEAR(ours_C.mean, nx_C.mean, tolerance(ours_C, nx_C)) << "C(p)/C(0) at p = " << nx.p;
        EXPECT_NEAR(ours_L.mean, nx_L.mean, tolerance(ours_L, nx_L)) << "L(p)/L(0) at p = " << nx.p;
    }
}

} // namespace
