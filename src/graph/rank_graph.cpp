#include "graph/rank_graph.hpp"

#include "graph/edge_registry.hpp"
#include "neurons/noise.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>
#include <lifnet/signals.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <thread>

namespace lifnet {

namespace {

// The lattice of graph.cpp's watts_strogatz: edge (u, u + j mod N), j = 1
// … k/2, has key u k/2 + j - 1; draw 0 of its key, word 0, decides whether it
// is rewired.
struct lattice {
    std::uint64_t N, half;
    std::uint64_t seed;
    double p;
    bool can_rewire; // k = N - 1 is the complete graph: nothing to rewire to

    explicit lattice(const config& c):
        N(c.N), half(c.k / 2), seed(c.seed), p(c.graph == graph_model::ring ? 0.0 : c.p), can_rewire(c.k + 1 < c.N) {}

    bool rewired_word(std::uint32_t x0) const { return can_rewire && to_unit(x0) < p; }
    bool rewired(std::uint64_t key) const { return rewired_word(philox(seed, purpose::ws_rewire, key, 0)[0]); }

    // Whether {a, b} is a lattice edge that stays: then the registry holds
    // it from the start and every proposal of it is refused.
    bool kept(std::uint64_t a, std::uint64_t b) const {
        const std::uint64_t d = (b + N - a) % N; // b = a + d on the ring
        if (d >= 1 && d <= half) return !rewired(a * half + d - 1);
        if (N - d >= 1 && N - d <= half) return !rewired(b * half + (N - d) - 1);
        return false;
    }
};

// One rewired edge as graph.cpp's rounds see it: its near end u, old far
// end v, key and the next draw of its key.
struct pending {
    std::uint64_t u, v, key, attempt;
};

constexpr std::uint64_t max_attempts = 100000; // as graph.cpp

// The next proposal of `r` (graph.cpp: never u, never v), from draw
// r.attempt on; the first draw may be given (the stream has it).
std::uint64_t next_proposal(const lattice& L, pending& r, const philox_words* first = nullptr) {
    std::uint64_t w;
    do {
        if (r.attempt >= max_attempts)
            throw error("graph: cannot rewire the edge of node " + std::to_string(r.u) +
                        ": the graph is too dense for k = " + std::to_string(2 * L.half) +
                        " and p = " + std::to_string(L.p));
        const auto x = first && r.attempt == 0 ? *first : philox(L.seed, purpose::ws_rewire, r.key, r.attempt);
        ++r.attempt;
        w = to_index(x[2], x[3], L.N - 1);
        if (w >= r.u) ++w;
    } while (w == r.v);
    return w;
}

// The keys in [first, last) of rewired edges that may end at one of the
// rank's nodes: the near end is the rank's, or some proposal reaches the
// rank before one is taken, when only kept lattice edges refuse proposals.
void stream(const lattice& L, std::uint64_t first, std::uint64_t last, const std::function<bool(std::uint64_t)>& mine,
            std::vector<std::uint64_t>& keys, std::uint64_t& rewired) {
    constexpr std::size_t block = 4096; // keys per vector call: 64 KiB of words
    std::vector<std::uint32_t> words(4 * block);
    for (std::uint64_t k0 = first; k0 < last; k0 += block) {
        if (stop_requested()) return; // the caller throws
        const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(block, last - k0));
        philox_run(L.seed, purpose::ws_rewire, k0, (count + noise_lanes - 1) / noise_lanes * noise_lanes, 0,
                   words.data(), block);
        for (std::size_t j = 0; j < count; ++j) {
            if (!L.rewired_word(words[j])) continue;
            ++rewired;
            const std::uint64_t key = k0 + j, u = key / L.half, v = (u + key % L.half + 1) % L.N;
            if (mine(u)) {
                keys.push_back(key);
                continue;
            }
            pending r{u, v, key, 0};
            const philox_words x0{words[j], words[block + j], words[2 * block + j], words[3 * block + j]};
            for (;;) {
                const auto w = next_proposal(L, r, &x0);
                if (mine(w)) {
                    keys.push_back(key);
                    break;
                }
                if (!L.kept(u, w)) break; // taken, elsewhere
            }
        }
    }
}

// graph.cpp's rounds among the candidates: each proposes its next far end;
// it is taken unless a kept lattice edge or an edge taken before is the
// same, or a smaller key proposes the same edge in this round. Returns the
// edges taken.
std::set<edge> replay_rounds(const lattice& L, std::vector<pending> rewire, rank_graph_stats& stats) {
    std::set<edge> taken;
    while (!rewire.empty()) {
        ++stats.rounds;
        std::vector<candidate> proposals;
        for (auto& r: rewire) proposals.push_back({make_edge(r.u, next_proposal(L, r)), r.key});
        std::vector<std::size_t> order(proposals.size());
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::sort(order.begin(), order.end(), [&](auto x, auto y) {
            return std::tie(proposals[x].e, proposals[x].key) < std::tie(proposals[y].e, proposals[y].key);
        });
        std::vector<char> won(proposals.size(), 0);
        for (std::size_t i = 0; i < order.size(); ++i) {
            const auto& e = proposals[order[i]].e;
            const bool first_of_edge = i == 0 || proposals[order[i - 1]].e != e;
            if (L.kept(e.a, e.b)) continue;
            if (!first_of_edge || taken.count(e)) {
                ++stats.local_collisions;
                continue;
            }
            won[order[i]] = 1;
        }
        std::size_t still = 0;
        for (std::size_t i = 0; i < rewire.size(); ++i) {
            if (won[i])
                taken.insert(proposals[i].e);
            else
                rewire[still++] = rewire[i];
        }
        rewire.resize(still);
    }
    return taken;
}

// The candidates of the whole stream, split among `threads` threads.
std::vector<pending> candidates(const lattice& L, std::uint64_t edges, const std::function<bool(std::uint64_t)>& mine,
                                unsigned threads, rank_graph_stats& stats) {
    threads = std::max(1u, threads);
    std::vector<std::vector<std::uint64_t>> keys(threads);
    std::vector<std::uint64_t> rewired(threads, 0);
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t) {
            const std::uint64_t first = edges * t / threads, last = edges * (t + 1) / threads;
            workers.emplace_back([&, t, first, last] { stream(L, first, last, mine, keys[t], rewired[t]); });
        }
    }
    if (stop_requested()) throw interrupted();
    std::vector<pending> out;
    for (unsigned t = 0; t < threads; ++t) {
        stats.rewired += rewired[t];
        for (auto key: keys[t]) {
            const std::uint64_t u = key / L.half;
            out.push_back({u, (u + key % L.half + 1) % L.N, key, 0});
        }
    }
    return out;
}

} // namespace

std::vector<edge> rank_edges(const config& c, const std::vector<std::uint64_t>& nodes,
                             const std::function<bool(std::uint64_t)>& mine, unsigned threads,
                             rank_graph_stats& stats) {
    if (c.graph != graph_model::ws && c.graph != graph_model::ring)
        throw internal_error("rank_edges: only ws and ring graphs are built rank by rank");
    const lattice L(c);
    std::vector<edge> edges;
    // Kept lattice edges: both lattice edges of each node in each direction.
    for (auto u: nodes)
        for (std::uint64_t j = 1; j <= L.half; ++j) {
            const std::uint64_t up = (u + j) % L.N, down = (u + L.N - j) % L.N;
            if (!L.rewired(u * L.half + j - 1)) edges.push_back(make_edge(u, up));
            if (!L.rewired(down * L.half + j - 1)) edges.push_back(make_edge(down, u));
        }
    stats.lattice_edges = L.p > 0 && L.can_rewire ? c.N * L.half : 0;
    auto rewire = candidates(L, stats.lattice_edges, mine, threads, stats);
    stats.candidates = rewire.size();
    for (const auto& e: replay_rounds(L, std::move(rewire), stats))
        if (mine(e.a) || mine(e.b)) edges.push_back(e);
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    return edges;
}

bool kept_lattice_edge(const config& c, const edge& e) {
    return lattice(c).kept(e.a, e.b);
}

adjacency rows_of(std::uint64_t N, const std::vector<std::uint64_t>& ids, const std::vector<edge>& edges,
                  const std::function<bool(std::uint64_t)>& is_row) {
    std::vector<edge> pairs; // (target, source): each synapse onto one of ids
    for (const auto& e: edges) {
        if (is_row(e.a)) pairs.push_back({e.a, e.b});
        if (is_row(e.b)) pairs.push_back({e.b, e.a});
    }
    std::sort(pairs.begin(), pairs.end());
    adjacency adj;
    adj.N = N;
    adj.ids = ids;
    adj.neighbours.reserve(pairs.size());
    auto it = pairs.begin();
    for (auto u: ids) {
        for (; it != pairs.end() && it->a == u; ++it) adj.neighbours.push_back(it->b);
        adj.offsets.push_back(adj.neighbours.size());
    }
    if (it != pairs.end()) throw internal_error("rows_of: a synapse onto a node that is not a row");
    return adj;
}

} // namespace lifnet
