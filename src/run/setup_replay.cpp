#include "run/setup_replay.hpp"

#include "delivery/delay_ring.hpp"
#include "delivery/delivery.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"
#include "run/memory.hpp"

#include <lifnet/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <malloc.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace lifnet {

namespace {

// The element types of the real containers, by size: an edge (16 bytes),
// graph.cpp's pending rewiring (32), a registry candidate (24), request
// (40) and reply (16), id_item<int> (24), spike_exchange::wanted (16).
struct bytes16 {
    std::uint64_t a, b;
};
struct bytes24 {
    std::uint64_t a, b, c;
};
struct bytes32 {
    std::uint64_t a, b, c, d;
};
struct bytes40 {
    std::uint64_t a, b, c, d, e;
};

template <typename T>
void push(std::vector<T>& v, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) v.push_back(T{});
}

template <typename T>
using per_rank = std::vector<std::vector<T>>;

template <typename T>
per_rank<T> send_lists(int ranks, const std::vector<std::pair<int, std::uint64_t>>& counts) {
    per_rank<T> send(static_cast<std::size_t>(ranks));
    for (const auto& [r, n]: counts) push(send[static_cast<std::size_t>(r)], n);
    return send;
}

template <typename T>
per_rank<T> to_self(int ranks, std::uint64_t n) {
    return send_lists<T>(ranks, {{0, n}});
}

// alltoallv (comm/mpi_util.hpp) in one round: its per-rank counts, the
// result, and the send buffer the lists are copied into, rank by rank.
template <typename T>
std::vector<T> exchanged(const per_rank<T>& send, std::uint64_t received) {
    const std::size_t P = send.size();
    std::vector<std::uint64_t> scount(P), rcount(P), rfirst(P + 1);
    std::vector<T> out(received);
    std::vector<int> sbytes(P), sdispl(P), rbytes(P), rdispl(P);
    std::vector<T> sbuf;
    for (const auto& s: send) sbuf.insert(sbuf.end(), s.begin(), s.end());
    return out;
}

// graph.cpp's watts_strogatz and adjacency_from_edges, and partition.cpp's
// migrate: returns the rows R holds after migrate (their three vectors).
struct rows_bytes {
    std::vector<std::uint64_t> ids, offsets, neighbours;
};

// watts_strogatz and its edge registry: the edges R holds afterwards.
std::vector<bytes16> registry(const replay_plan& p) {
    std::vector<bytes16> held;
    std::vector<bytes32> rewire;
    {
        std::vector<bytes16> kept;
        const std::uint64_t total = p.kept + p.rewired;
        for (std::uint64_t i = 0, r = 0; i < total; ++i) { // the rewired ones spread through the block
            if ((i + 1) * p.rewired / std::max<std::uint64_t>(total, 1) > r) {
                rewire.push_back({});
                ++r;
            }
            else {
                kept.push_back({});
            }
        }
        auto send = send_lists<bytes16>(p.ranks, p.kept_to);
        const auto mine = exchanged(send, p.kept_received);
        send = {};
        held.insert(held.end(), mine.begin(), mine.end());
    }
    // The first round (later ones are a fraction of it): proposals,
    // requests, replies, and the taken edges merged into the registry.
    std::vector<bytes24> proposals;
    push(proposals, p.rewired);
    const auto requests = exchanged(to_self<bytes40>(p.ranks, p.rewired), p.rewired);
    const auto replies = exchanged(to_self<bytes16>(p.ranks, p.rewired), p.rewired);
    std::vector<bytes16> added;
    push(added, p.held - std::min(p.held, p.kept_received));
    const std::size_t before = held.size();
    held.insert(held.end(), added.begin(), added.end());
    const std::vector<bytes16> merge_buffer(std::min(before, added.size())); // std::inplace_merge's
    return held;
}

rows_bytes build_and_migrate(const replay_plan& p, replay_result& r) {
    auto held = registry(p);
    std::vector<std::uint64_t> block_ids, block_offsets{0}, block_neighbours;
    {
        auto send = send_lists<bytes16>(p.ranks, p.synapses_to);
        held = {};
        auto pairs = exchanged(send, p.block_synapses);
        send = {};
        block_neighbours.reserve(p.block_synapses);
        push(block_neighbours, p.block_synapses);
        push(block_ids, p.block_rows);
        push(block_offsets, p.block_rows);
    }
    r.build = peak_resident_bytes();
    const std::vector<int> to(p.block_rows);
    rows_bytes out;
    auto send = send_lists<std::uint64_t>(p.ranks, p.words_to);
    block_ids = {};
    block_offsets = {};
    block_neighbours = {};
    const auto received = exchanged(send, 2 * p.neurons + p.synapses);
    send = {};
    std::vector<bytes24> rows;
    push(rows, p.neurons);
    out.offsets.push_back(0);
    out.neighbours.reserve(p.synapses);
    push(out.neighbours, p.synapses);
    push(out.ids, p.neurons);
    push(out.offsets, p.neurons);
    r.partition = peak_resident_bytes();
    return out;
}

// What the set-up keeps for the loop: the connection list, the routes.
struct loop_lists {
    std::vector<std::size_t> bucket_start, offsets;
    std::vector<std::uint64_t> sources;
    std::vector<char> inhibitory;
    std::vector<std::uint32_t> targets, route_start, route, routed_before;
    std::vector<std::uint64_t> routed;
};

loop_lists connect_and_route(const replay_plan& p) {
    loop_lists l;
    { const std::vector<std::uint64_t> draws(p.neurons); } // the inhibitory set's draws
    {
        std::vector<bytes16> synapses; // (source, target) pairs
        synapses.reserve(p.synapses);
        push(synapses, p.synapses);
        l.targets.reserve(p.synapses);
        push(l.targets, p.synapses);
        push(l.sources, p.sources);
        push(l.inhibitory, p.sources);
        push(l.offsets, p.sources + 1);
        const std::uint64_t span = p.max_source + 1;
        l.bucket_start.resize(p.sources ? ((span - 1) >> connections::bucket_shift(p.sources, span)) + 2 : 1);
    }
    if (p.ranks > 1) { // spike_exchange: the id directory, who needs what, the routes
        const auto held = exchanged(to_self<bytes24>(p.ranks, p.neurons), p.neurons);
        const auto asked = exchanged(to_self<bytes24>(p.ranks, p.remote_sources), p.remote_sources);
        const auto wants = exchanged(to_self<bytes16>(p.ranks, p.routes), p.routes);
        const std::vector<int> to(static_cast<std::size_t>(p.ranks)), from(static_cast<std::size_t>(p.ranks));
        l.routed.assign((p.neurons + 63) / 64, 0);
        push(l.route_start, p.routed + 1);
        push(l.route, p.routes);
        l.routed_before.resize(l.routed.size());
    }
    return l;
}

// The child: reads the plan, replays, answers, exits.
// The plan from its words (setup_replay::run writes them in this order).
replay_plan decode(const std::vector<std::uint64_t>& w) {
    std::size_t at = 0;
    auto next = [&] { return w.at(at++); };
    auto pairs = [&] {
        std::vector<std::pair<int, std::uint64_t>> v(next());
        for (auto& [r, n]: v) {
            r = static_cast<int>(next());
            n = next();
        }
        return v;
    };
    replay_plan p;
    p.ranks = static_cast<int>(next());
    p.kept = next();
    p.rewired = next();
    p.kept_to = pairs();
    p.kept_received = next();
    p.held = next();
    p.synapses_to = pairs();
    p.block_rows = next();
    p.block_synapses = next();
    p.words_to = pairs();
    p.neurons = next();
    p.synapses = next();
    p.sources = next();
    p.remote_sources = next();
    p.max_source = next();
    p.routed = next();
    p.routes = next();
    return p;
}

[[noreturn]] void child(int in, int out, const config& c, const std::vector<std::uint64_t>& ids) {
    auto read_all = [&](void* to, std::size_t n) {
        auto* b = static_cast<char*>(to);
        while (n) {
            const auto got = read(in, b, n);
            if (got <= 0) _exit(1);
            b += got;
            n -= static_cast<std::size_t>(got);
        }
    };
    std::uint64_t words = 0;
    read_all(&words, sizeof words);
    std::vector<std::uint64_t> w(words);
    read_all(w.data(), words * sizeof(std::uint64_t));
    const replay_plan p = decode(w);
    w = {};
    replay_result r;
    r.start = resident_bytes();
    {
        auto rows = build_and_migrate(p, r);
        const auto lists = connect_and_route(p);
        r.connections = peak_resident_bytes();
        neuron_block block(c, ids, std::vector<double>(ids.size(), c.J));
        const sample_grid grid(c);
        const std::vector<double> mean(ids.size()), m2(ids.size()); // voltage_measures' Welford sums
        std::vector<double> vbar;
        vbar.reserve(static_cast<std::size_t>(grid.count()));
        const spike_measures spikes(grid, c, block.size());
        const delay_ring ring(block.size(), c.delay_steps());
        rows = {}; // the run drops its rows once set up
        malloc_trim(0);
        r.setup = peak_resident_bytes();
        r.loop = resident_bytes();
    }
    const auto n = write(out, &r, sizeof r);
    _exit(n == sizeof r ? 0 : 1);
}

} // namespace

setup_replay::setup_replay(const config& c, const std::vector<std::uint64_t>& ids) {
    int down[2], up[2];
    if (pipe(down) != 0) throw error(std::string("dry run: pipe: ") + std::strerror(errno));
    if (pipe(up) != 0) {
        close(down[0]);
        close(down[1]);
        throw error(std::string("dry run: pipe: ") + std::strerror(errno));
    }
    start_ = resident_bytes();
    child_ = fork();
    if (child_ == 0) {
        close(down[1]);
        close(up[0]);
        child(down[0], up[1], c, ids);
    }
    close(down[0]);
    close(up[1]);
    to_child_ = down[1];
    from_child_ = up[0];
    if (child_ < 0) throw error(std::string("dry run: fork: ") + std::strerror(errno));
}

setup_replay::~setup_replay() {
    if (to_child_ >= 0) close(to_child_);
    if (from_child_ >= 0) close(from_child_);
    if (child_ > 0) {
        kill(child_, SIGKILL);
        waitpid(child_, nullptr, 0);
    }
}

replay_result setup_replay::run(const replay_plan& p) {
    std::vector<std::uint64_t> w{0, static_cast<std::uint64_t>(p.ranks), p.kept, p.rewired};
    auto pairs = [&](const std::vector<std::pair<int, std::uint64_t>>& v) {
        w.push_back(v.size());
        for (const auto& [r, n]: v) {
            w.push_back(static_cast<std::uint64_t>(r));
            w.push_back(n);
        }
    };
    pairs(p.kept_to);
    w.insert(w.end(), {p.kept_received, p.held});
    pairs(p.synapses_to);
    w.insert(w.end(), {p.block_rows, p.block_synapses});
    pairs(p.words_to);
    w.insert(w.end(), {p.neurons, p.synapses, p.sources, p.remote_sources, p.max_source, p.routed, p.routes});
    w[0] = w.size() - 1;
    const auto* b = reinterpret_cast<const char*>(w.data());
    for (std::size_t n = w.size() * sizeof(std::uint64_t); n;) {
        const auto put = write(to_child_, b, n);
        if (put <= 0) throw error("dry run: the memory replay's process has gone");
        b += put;
        n -= static_cast<std::size_t>(put);
    }
    replay_result r;
    if (read(from_child_, &r, sizeof r) != sizeof r) throw error("dry run: the memory replay's process failed");
    waitpid(child_, nullptr, 0);
    child_ = -1;
    for (auto* x: {&r.build, &r.partition, &r.connections, &r.setup, &r.loop})
        *x = start_ + (*x - std::min(*x, r.start));
    r.start = start_;
    return r;
}

} // namespace lifnet
