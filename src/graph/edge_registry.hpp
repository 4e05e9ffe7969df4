#pragma once
// A distributed set of undirected edges, each held by the block owner of its
// lower end, that settles competing proposals by key alone (so the outcome
// does not depend on the number of ranks).
#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <vector>

namespace lifnet {

struct edge {
    std::uint64_t a, b;
    auto operator<=>(const edge&) const = default;
};
inline edge make_edge(std::uint64_t u, std::uint64_t v) {
    return u < v ? edge{u, v} : edge{v, u};
}

struct candidate {
    edge e;
    std::uint64_t key; // unique across all ranks
};

class edge_registry {
public:
    edge_registry(const boost::mpi::communicator& comm, std::uint64_t N);

    // Adds edges known to be distinct from each other and from all held.
    void insert_distinct(const std::vector<edge>& edges);

    // Collective. Candidate i is taken (result[i] = 1) unless its edge is
    // already held or another candidate of this call with a smaller key
    // proposes the same edge.
    std::vector<char> propose(const std::vector<candidate>& candidates);

    // The edges held by this rank, sorted; the registry is empty afterwards.
    std::vector<edge> take_edges();

private:
    int owner(const edge& e) const;

    boost::mpi::communicator comm_;
    std::uint64_t N_;
    // Sorted: 16 bytes an edge (a hash set took about 56, most of the peak
    // memory of building a graph).
    std::vector<edge> held_;
};

} // namespace lifnet
