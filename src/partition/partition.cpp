#include "partition/partition.hpp"

#include "partition/library.hpp"

#include "comm/mpi_util.hpp"
#include "graph/edge_registry.hpp"
#include "partition/library.hpp"
#include "partition/petsc_util.hpp"

#include <lifnet/random.hpp>

#include <boost/mpi/collectives.hpp>
#include <petscmat.h>

#include <algorithm>
#include <bit>
#include <climits>

namespace lifnet {

namespace {
// The Feistel network's width for N: `bits` (even), halves of bits / 2.
int feistel_bits(std::uint64_t N) {
    return std::max(2, static_cast<int>(std::bit_width(N - 1) + 1) / 2 * 2);
}
} // namespace

std::uint64_t permute(std::uint64_t i, std::uint64_t N, std::uint64_t seed) {
    const int half = feistel_bits(N) / 2;
    const std::uint64_t mask = (std::uint64_t(1) << half) - 1;
    std::uint64_t x = i;
    do {
        std::uint64_t left = x >> half, right = x & mask;
        for (std::uint64_t round = 0; round < 4; ++round) {
            const std::uint64_t f = philox(seed, purpose::random_partition, right, round)[0] & mask;
            std::tie(left, right) = std::pair(right, left ^ f);
        }
        x = (left << half) | right;
    } while (x >= N);
    return x;
}

std::uint64_t unpermute(std::uint64_t x, std::uint64_t N, std::uint64_t seed) {
    // Each round maps (left, right) to (right, left ^ f(right)); undone in
    // reverse order, and the cycle walk walked backwards.
    const int half = feistel_bits(N) / 2;
    const std::uint64_t mask = (std::uint64_t(1) << half) - 1;
    do {
        std::uint64_t left = x >> half, right = x & mask;
        for (std::uint64_t round = 4; round-- > 0;) {
            const std::uint64_t f = philox(seed, purpose::random_partition, left, round)[0] & mask;
            std::tie(left, right) = std::pair(right ^ f, left);
        }
        x = (left << half) | right;
    } while (x >= N);
    return x;
}

int owner_without_graph(partition_method method, std::uint64_t id, std::uint64_t N, std::uint64_t seed, int ranks) {
    switch (method) {
    case partition_method::block:
        return block_owner(id, N, ranks);
    case partition_method::random:
        return block_owner(permute(id, N, seed), N, ranks);
    case partition_method::ptscotch:
        break;
    }
    throw internal_error("owner_without_graph: this partition needs the graph");
}

std::vector<std::uint64_t> nodes_without_graph(partition_method method, std::uint64_t N, std::uint64_t seed, int ranks,
                                               int rank) {
    if (method == partition_method::ptscotch)
        throw internal_error("nodes_without_graph: this partition needs the graph");
    const auto [lo, hi] = block_of(N, ranks, rank);
    std::vector<std::uint64_t> ids(hi - lo);
    for (std::uint64_t x = lo; x < hi; ++x)
        ids[x - lo] = method == partition_method::random ? unpermute(x, N, seed) : x;
    std::sort(ids.begin(), ids.end());
    return ids;
}

namespace {

// The undirected simple graph underlying `adj` (each neighbour once, both
// ways), which is what PT-Scotch partitions.
adjacency symmetrized(const adjacency& adj, const boost::mpi::communicator& comm) {
    std::vector<std::vector<edge>> send(comm.size());
    for (std::size_t r = 0; r < adj.rows(); ++r)
        for (auto e = adj.offsets[r]; e < adj.offsets[r + 1]; ++e) {
            const auto u = adj.ids[r], v = adj.neighbours[e];
            send[block_owner(u, adj.N, comm.size())].push_back({u, v});
            send[block_owner(v, adj.N, comm.size())].push_back({v, u});
        }
    auto pairs = alltoallv(comm, send);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    return rows_from_pairs(adj.N, block_of(adj.N, comm.size(), comm.rank()), pairs);
}

std::vector<int> ptscotch(const adjacency& directed, const boost::mpi::communicator& comm) {
    const adjacency undirected = directed.symmetric ? adjacency{} : symmetrized(directed, comm);
    const adjacency& adj = directed.symmetric ? directed : undirected;
    if (adj.N > static_cast<std::uint64_t>(INT_MAX) ||
        boost::mpi::all_reduce(comm, adj.neighbours.size(), std::plus<>()) > static_cast<std::uint64_t>(INT_MAX))
        throw error("partition = ptscotch: the graph has more than 2^31 - 1 nodes or synapses, beyond PETSc's "
                    "32-bit indices; use partition = block or random");
    use_partition_library();
    // MatCreateMPIAdj takes ownership of ia and ja (freed by MatDestroy).
    PetscInt *ia = nullptr, *ja = nullptr;
    petsc_check(PetscMalloc1(adj.rows() + 1, &ia), "PetscMalloc1");
    petsc_check(PetscMalloc1(std::max<std::size_t>(adj.neighbours.size(), 1), &ja), "PetscMalloc1");
    for (std::size_t r = 0; r <= adj.rows(); ++r) ia[r] = static_cast<PetscInt>(adj.offsets[r]);
    for (std::size_t e = 0; e < adj.neighbours.size(); ++e) ja[e] = static_cast<PetscInt>(adj.neighbours[e]);
    petsc_handle<Mat> graph(MatDestroy);
    petsc_check(MatCreateMPIAdj(comm, static_cast<PetscInt>(adj.rows()), static_cast<PetscInt>(adj.N), ia, ja, nullptr,
                                graph.out()),
                "MatCreateMPIAdj");
    petsc_handle<MatPartitioning> part(MatPartitioningDestroy);
    petsc_check(MatPartitioningCreate(comm, part.out()), "MatPartitioningCreate");
    petsc_check(MatPartitioningSetAdjacency(part.get(), graph.get()), "MatPartitioningSetAdjacency");
    petsc_check(MatPartitioningSetType(part.get(), MATPARTITIONINGPTSCOTCH), "MatPartitioningSetType");
    petsc_handle<IS> ranks(ISDestroy);
    petsc_check(MatPartitioningApply(part.get(), ranks.out()), "MatPartitioningApply");
    const PetscInt* values = nullptr;
    petsc_check(ISGetIndices(ranks.get(), &values), "ISGetIndices");
    std::vector<int> to(values, values + adj.rows());
    petsc_check(ISRestoreIndices(ranks.get(), &values), "ISRestoreIndices");
    return to;
}

} // namespace

std::vector<int> assign_ranks(const config& c, const adjacency& adj, const boost::mpi::communicator& comm) {
    // Node id -> rank for the partitions computed without the graph.
    auto assign = [&](auto owner) {
        std::vector<int> to(adj.rows());
        for (std::size_t r = 0; r < adj.rows(); ++r) to[r] = owner(adj.ids[r]);
        return to;
    };
    if (c.partition == partition_method::ptscotch) {
        if (comm.size() > 1) return ptscotch(adj, comm);
        // one rank: every node on it, as with block
        return assign([&](std::uint64_t id) { return block_owner(id, adj.N, comm.size()); });
    }
    return assign([&](std::uint64_t id) { return owner_without_graph(c.partition, id, adj.N, c.seed, comm.size()); });
}

adjacency migrate(adjacency adj, const std::vector<int>& to, const boost::mpi::communicator& comm) {
    // Each row travels as [id, degree, neighbours...].
    std::vector<std::vector<std::uint64_t>> send(comm.size());
    for (std::size_t r = 0; r < adj.rows(); ++r) {
        auto& out = send[to[r]];
        out.push_back(adj.ids[r]);
        out.push_back(adj.offsets[r + 1] - adj.offsets[r]);
        out.insert(out.end(), adj.neighbours.begin() + adj.offsets[r], adj.neighbours.begin() + adj.offsets[r + 1]);
    }
    const auto N = adj.N;
    const bool symmetric = adj.symmetric;
    adj = adjacency{};
    const auto received = alltoallv(comm, send);
    send = {};

    struct row {
        std::uint64_t id;
        std::size_t at, degree;
    };
    std::vector<row> rows;
    for (std::size_t at = 0; at < received.size(); at += 2 + received[at + 1])
        rows.push_back({received[at], at + 2, received[at + 1]});
    std::sort(rows.begin(), rows.end(), [](const row& x, const row& y) { return x.id < y.id; });

    adjacency out;
    out.N = N;
    out.symmetric = symmetric;
    out.neighbours.reserve(received.size() - 2 * rows.size());
    for (const auto& r: rows) {
        out.ids.push_back(r.id);
        out.neighbours.insert(out.neighbours.end(), received.begin() + r.at, received.begin() + r.at + r.degree);
        out.offsets.push_back(out.neighbours.size());
    }
    return out;
}

partition_stats describe(const adjacency& local, const boost::mpi::communicator& comm) {
    std::uint64_t cut = 0;
    for (auto source: local.neighbours)
        if (!std::binary_search(local.ids.begin(), local.ids.end(), source)) ++cut;
    partition_stats s;
    s.edge_cut = boost::mpi::all_reduce(comm, cut, std::plus<>());
    boost::mpi::all_gather(comm, static_cast<std::uint64_t>(local.rows()), s.neurons);
    boost::mpi::all_gather(comm, static_cast<std::uint64_t>(local.neighbours.size()), s.synapses);
    const auto max = *std::max_element(s.neurons.begin(), s.neurons.end());
    s.imbalance = max * static_cast<double>(comm.size()) / static_cast<double>(local.N);
    return s;
}

} // namespace lifnet
