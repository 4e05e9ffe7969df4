#pragma once
// The dry run's memory estimate: a child process, forked before the dry run
// allocates anything (so that its heap is a fresh run's), replays the
// allocations a real rank makes while it sets up (graph.cpp's
// watts_strogatz and edge registry, the rows, partition.cpp's migrate,
// the connection list, the exchange's routes, the neuron state), with the
// real element sizes, counts and growth, in the real order, and reports
// its peak resident memory. glibc's heap (what it reuses, what it keeps)
// then behaves as in the real run, which no formula captures.
#include <lifnet/config.hpp>

#include <sys/types.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace lifnet {

// The sizes of rank R's set-up, in elements.
struct replay_plan {
    int ranks = 1;
    std::uint64_t kept = 0, rewired = 0;                    // the block's lattice edges, kept and to rewire
    std::vector<std::pair<int, std::uint64_t>> kept_to;     // kept edges by registry owner (insert_distinct)
    std::uint64_t kept_received = 0;                        // kept edges the registry holds on R
    std::uint64_t held = 0;                                 // edges it holds after the rounds
    std::vector<std::pair<int, std::uint64_t>> synapses_to; // adjacency_from_edges: synapses by block owner
    std::uint64_t block_rows = 0, block_synapses = 0;
    std::vector<std::pair<int, std::uint64_t>> words_to; // migrate: 8-byte words by destination
    std::uint64_t neurons = 0, synapses = 0;             // R's rows after migrate
    std::uint64_t sources = 0, remote_sources = 0, max_source = 0, routed = 0, routes = 0;
};

// Resident memory of a rank [bytes]: at the start (this process's, when it
// forked the child: libraries, MPI, an output file's libraries), its peak up
// to the end of each set-up phase (the last is what the real run reports as
// its set-up peak), and after the set-up (the loop's start). The child's
// own resident memory when forked (it shares the parent's library pages
// without counting them) is taken off its figures.
struct replay_result {
    std::uint64_t start = 0;
    std::uint64_t build = 0;       // the block's rows built (graph.cpp)
    std::uint64_t partition = 0;   // the rows migrated to their ranks
    std::uint64_t connections = 0; // the connection list and the exchange's routes
    std::uint64_t setup = 0;       // the neuron state, measures and delay ring too
    std::uint64_t loop = 0;
};

class setup_replay {
public:
    // Forks the child; it waits for the plan. `c` and `ids` (R's neurons)
    // must not change until run().
    setup_replay(const config& c, const std::vector<std::uint64_t>& ids);
    ~setup_replay();
    setup_replay(const setup_replay&) = delete;
    setup_replay& operator=(const setup_replay&) = delete;
    // Sends the plan, waits for the child's answer.
    replay_result run(const replay_plan& plan);

private:
    std::uint64_t start_ = 0; // this process's resident bytes at the fork
    pid_t child_ = -1;
    int to_child_ = -1, from_child_ = -1;
};

} // namespace lifnet
