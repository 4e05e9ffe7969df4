#pragma once
// One rank's part of a generated graph, built in one process without the
// rest of the job (the dry run, src/run/dry_run.hpp): the synapses onto the
// nodes one rank of a RANKS-rank job would hold, found by streaming the
// draws of every lattice edge and keeping only what touches those nodes.
#include "graph/graph.hpp"

#include <lifnet/config.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace lifnet {

// How the rank's rewired edges were decided (docs/user-guide.md, "Dry run").
struct rank_graph_stats {
    std::uint64_t lattice_edges = 0;   // lattice edges streamed (N k / 2)
    std::uint64_t rewired = 0;         // of those, drawn for rewiring (all ranks)
    std::uint64_t candidates = 0;      // rewired edges whose proposals touch the rank's nodes
    std::uint64_t rounds = 0;          // rewiring rounds replayed among the candidates
    std::uint64_t local_collisions = 0; // proposals refused by another rewired candidate
};

// The rows of the nodes `ids` (sorted) of a ws or ring graph: for each, its
// neighbours. `mine` says whether a node is one of `ids` (fast: it is asked
// for every rewired edge). Uses `threads` threads for the stream.
//
// Exact except for one approximation: a rewired edge's proposals are
// decided against the kept lattice edges (exactly, from their draws) and
// against the other candidates (exactly, by the real rule), but not against
// the rewired edges of other ranks that never touch these nodes; so an
// edge whose proposal collides with such an edge, and whose next proposal
// would reach these nodes, is missed (about p^2 k^2 n / (2 N) edges for n
// nodes).
adjacency rank_rows(const config& c, const std::vector<std::uint64_t>& ids,
                    const std::function<bool(std::uint64_t)>& mine, unsigned threads, rank_graph_stats& stats);

} // namespace lifnet
