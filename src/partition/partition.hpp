#pragma once
// Partitioning (issue 2): where each neuron lives. ptscotch uses PETSc's
// MatPartitioning with PT-Scotch on the graph; block keeps the initial id
// ranges; random deals nodes out by a Philox-keyed permutation.
#include "graph/graph.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <vector>

namespace lifnet {

// The rank each row of `adj` (block distributed) moves to.
std::vector<int> assign_ranks(const config& c, const adjacency& adj, const boost::mpi::communicator& comm);

// Moves every row to the rank given in `to`; the rows of the result are
// sorted by node id. `adj` is released as soon as its rows are packed (pass
// it with std::move to keep the peak memory down).
adjacency migrate(adjacency adj, const std::vector<int>& to, const boost::mpi::communicator& comm);

// A bijection of [0, N) keyed by seed (a Feistel network on the next even
// power of two, cycle-walked into range).
std::uint64_t permute(std::uint64_t i, std::uint64_t N, std::uint64_t seed);

// The inverse of permute: unpermute(permute(i, N, seed), N, seed) == i.
std::uint64_t unpermute(std::uint64_t x, std::uint64_t N, std::uint64_t seed);

// The rank of node `id` in a job of `ranks` ranks under a partition that is
// computed without the graph (block, random); internal_error for ptscotch.
int owner_without_graph(partition_method method, std::uint64_t id, std::uint64_t N, std::uint64_t seed, int ranks);

// The nodes `rank` holds under such a partition, sorted.
std::vector<std::uint64_t> nodes_without_graph(partition_method method, std::uint64_t N, std::uint64_t seed, int ranks,
                                               int rank);

struct partition_stats {
    std::uint64_t edge_cut = 0;          // synapses whose source is on another rank
    std::vector<std::uint64_t> neurons;  // per rank
    std::vector<std::uint64_t> synapses; // incoming, per rank
    double imbalance = 1;                // max / mean of neurons per rank
};
// Collective; the result is the same on every rank.
partition_stats describe(const adjacency& local, const boost::mpi::communicator& comm);

} // namespace lifnet
