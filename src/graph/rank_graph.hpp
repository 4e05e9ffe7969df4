#pragma once
// One rank's part of a generated graph, built in one process without the
// rest of the job (the dry run, src/run/dry_run.hpp): the synapses onto the
// nodes one rank of a RANKS-rank job would hold, found by streaming the
// draws of every lattice edge and keeping only what touches those nodes.
#include "graph/edge_registry.hpp"
#include "graph/graph.hpp"

#include <lifnet/config.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace lifnet {

// How the rank's rewired edges were decided (docs/user-guide.md, "Dry run").
struct rank_graph_stats {
    std::uint64_t lattice_edges = 0;    // lattice edges streamed (N k / 2)
    std::uint64_t rewired = 0;          // of those, drawn for rewiring (all ranks)
    std::uint64_t candidates = 0;       // rewired edges whose proposals touch the rank's nodes
    std::uint64_t rounds = 0;           // rewiring rounds replayed among the candidates
    std::uint64_t local_collisions = 0; // proposals refused by another rewired candidate
};

// Every edge of a ws or ring graph with an end among `nodes` (sorted),
// once, sorted; `mine` says whether a node is one of them (fast: it is
// asked for every rewired edge). Uses `threads` threads for the stream.
//
// Exact except for one approximation: a rewired edge's proposals are
// decided against the kept lattice edges (exactly, from their draws) and
// against the other candidates (exactly, by the real rule), but not against
// the rewired edges of other ranks that never touch these nodes; so an
// edge whose proposal collides with such an edge, and whose next proposal
// would reach these nodes, is missed.
std::vector<edge> rank_edges(const config& c, const std::vector<std::uint64_t>& nodes,
                             const std::function<bool(std::uint64_t)>& mine, unsigned threads, rank_graph_stats& stats);

// Whether {e.a, e.b} is a lattice edge that is not rewired.
bool kept_lattice_edge(const config& c, const edge& e);

// The rows of the nodes `ids` (sorted; `is_row` says whether a node is one
// of them) from edges that include every edge with an end among them: for
// each, its neighbours.
adjacency rows_of(std::uint64_t N, const std::vector<std::uint64_t>& ids, const std::vector<edge>& edges,
                  const std::function<bool(std::uint64_t)>& is_row);

} // namespace lifnet
