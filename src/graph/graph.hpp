#pragma once
// Graph generation (MODEL.md §1). Every rank builds the nodes of its initial
// block; the edge set depends on (N, k, p, seed) only, never on the ranks.
#include "comm/decomposition.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace lifnet {

// An undirected graph in compressed rows. Row r is node ids[r]; its
// neighbours (each one synapse into ids[r], since every undirected edge is
// two synapses) are neighbours[offsets[r] .. offsets[r+1]), sorted.
struct adjacency {
    std::uint64_t N = 0;
    std::vector<std::uint64_t> ids;
    std::vector<std::uint64_t> offsets{0};
    std::vector<std::uint64_t> neighbours;
    // Every synapse u -> v has its v -> u, once (generated graphs and text
    // edge lists); a SONATA edges file may be directed or hold multapses.
    bool symmetric = true;

    std::size_t rows() const { return ids.size(); }
};

struct edge;
// Compressed rows for the nodes of `range` from directed pairs (row, col),
// each pair one synapse col -> row; `pairs` is sorted in place.
adjacency rows_from_pairs(std::uint64_t N, node_range range, std::vector<edge>& pairs);

// Collective: rank 0 reads a graph file through `next`, which appends up to
// `limit` synapses as (target, source) pairs and says whether more remain
// (it runs on rank 0 only); each chunk goes to the block owners of its
// targets. One rank reads, so every rank builds from the same bytes
// whatever happens to the file meanwhile (a FIFO, a file being rewritten).
using synapse_source = std::function<bool(std::vector<edge>& out, std::size_t limit)>;
adjacency distribute_from_root(std::uint64_t N, const boost::mpi::communicator& comm, const synapse_source& next);

// The graph of `c` with this rank's block of rows (ids lo..hi-1). For
// graph = file, graph_file is a text edge list or a SONATA edges file.
adjacency build_graph(const config& c, const boost::mpi::communicator& comm);

} // namespace lifnet
