#include "exchange/exchange.hpp"

#include "comm/id_directory.hpp"
#include "comm/mpi_util.hpp"

#include <algorithm>
#include <bit>

namespace lifnet {

// A node of the holder's that another rank needs.
struct spike_exchange::wanted {
    std::uint64_t index; // in the holder's ids
    int rank;            // the rank that needs it
};

namespace {

// Collective: each block owner learns who holds the nodes of its block and
// who needs them, and tells each holder who needs which of its nodes (on one
// rank nobody else does).
std::vector<spike_exchange::wanted> who_needs(std::uint64_t N, std::span<const std::uint64_t> ids,
                                              std::span<const std::uint64_t> sources,
                                              const boost::mpi::communicator& comm) {
    const int size = comm.size();
    if (size == 1) return {};
    auto held = holders(N, ids, comm);
    std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    std::vector<std::vector<id_item<int>>> ask(size);
    for (auto s: sources)
        if (!std::binary_search(ids.begin(), ids.end(), s)) ask[block_owner(s, N, size)].push_back({s, 0, comm.rank()});
    std::vector<std::vector<spike_exchange::wanted>> tell(size);
    for (const auto& a: alltoallv(comm, ask)) {
        const auto h =
            std::lower_bound(held.begin(), held.end(), a.id, [](const auto& x, auto id) { return x.id < id; });
        tell[h->value].push_back({h->index, a.value});
    }
    return alltoallv(comm, tell);
}

} // namespace

spike_exchange::spike_exchange(spike_routing routing, std::uint64_t N, std::span<const std::uint64_t> ids,
                               std::span<const std::uint64_t> sources, const boost::mpi::communicator& comm):
    comm_(comm),
    routing_(routing) {
    if (routing_ != spike_routing::neighbour) return; // allgather needs no routes
    const int size = comm.size();
    auto wants = who_needs(N, ids, sources, comm);
    // The distributed graph: out-neighbours are the ranks that need some of
    // this rank's neurons, in-neighbours the ranks that hold some it needs.
    std::vector<int> destinations, origins, to(size, 0), from(size, 0);
    for (const auto& w: wants) to[w.rank] = 1;
    mpi_check(MPI_Alltoall(to.data(), 1, MPI_INT, from.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    for (int r = 0; r < size; ++r) {
        if (to[r]) destinations.push_back(r);
        if (from[r]) origins.push_back(r);
    }
    MPI_Comm graph = MPI_COMM_NULL;
    mpi_check(MPI_Dist_graph_create_adjacent(comm, static_cast<int>(origins.size()), origins.data(), MPI_UNWEIGHTED,
                                             static_cast<int>(destinations.size()), destinations.data(), MPI_UNWEIGHTED,
                                             MPI_INFO_NULL, 0, &graph),
              "MPI_Dist_graph_create_adjacent");
    graph_ = boost::mpi::communicator(graph, boost::mpi::comm_take_ownership);
    send_count_.resize(destinations.size());
    recv_count_.resize(origins.size());
    set_routes(wants, destinations, ids.size());
}

void spike_exchange::set_routes(std::vector<wanted>& wants, const std::vector<int>& destinations, std::size_t neurons) {
    // Destinations as out-neighbour indices.
    for (auto& w: wants)
        w.rank =
            static_cast<int>(std::lower_bound(destinations.begin(), destinations.end(), w.rank) - destinations.begin());
    std::sort(wants.begin(), wants.end(),
              [](const auto& a, const auto& b) { return std::pair(a.index, a.rank) < std::pair(b.index, b.rank); });
    const std::size_t words = (neurons + 63) / 64;
    routed_.assign(words, 0);
    for (std::size_t j = 0; j < wants.size(); ++j) {
        const auto i = wants[j].index;
        if (j == 0 || wants[j - 1].index != i) {
            routed_[i / 64] |= std::uint64_t(1) << (i % 64);
            route_start_.push_back(static_cast<std::uint32_t>(route_.size()));
        }
        route_.push_back(static_cast<std::uint32_t>(wants[j].rank));
    }
    route_start_.push_back(static_cast<std::uint32_t>(route_.size()));
    routed_before_.resize(words);
    std::uint32_t before = 0;
    for (std::size_t w = 0; w < words; ++w) {
        routed_before_[w] = before;
        before += static_cast<std::uint32_t>(std::popcount(routed_[w]));
    }
}

std::span<const std::uint32_t> spike_exchange::route(std::uint32_t i) const {
    const auto word = routed_[i / 64], bit = std::uint64_t(1) << (i % 64);
    if (!(word & bit)) return {};
    const auto j = routed_before_[i / 64] + std::popcount(word & (bit - 1));
    return {route_.data() + route_start_[j], route_start_[j + 1] - route_start_[j]};
}

void spike_exchange::exchange(std::span<const local_spike> fired, std::span<const std::uint64_t> ids, bool stop) {
    own_.clear();
    for (const auto& [n, i]: fired) own_.push_back({n, ids[i]});
    switch (routing_) {
    case spike_routing::allgather:
        return allgather(stop);
    case spike_routing::neighbour:
        return neighbour(fired, stop);
    }
}

void spike_exchange::allgather(bool stop) {
    const std::span<const spike> own = own_;
    const int size = comm_.size();
    // Byte counts travel with the stop flag in their lowest bit.
    const int mine = static_cast<int>(own.size() * sizeof(spike)) * 2 + (stop ? 1 : 0);
    std::vector<int> tagged(size), count(size), displ;
    mpi_check(MPI_Allgather(&mine, 1, MPI_INT, tagged.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    for (int r = 0; r < size; ++r) {
        stop_ |= (tagged[r] & 1) != 0;
        count[r] = tagged[r] / 2;
    }
    received_.resize(mpi_detail::displacements(count, displ) / sizeof(spike));
    mpi_check(MPI_Allgatherv(own.data(), count[comm_.rank()], MPI_BYTE, received_.data(), count.data(), displ.data(),
                             MPI_BYTE, comm_),
              "MPI_Allgatherv");
    agreed_total_ += received_.size();
    bytes_sent_ += own.size() * sizeof(spike) * static_cast<std::uint64_t>(size - 1);
}

void spike_exchange::neighbour(std::span<const local_spike> fired, bool stop) {
    const std::span<const spike> own = own_;
    std::fill(send_count_.begin(), send_count_.end(), 0);
    for (const auto& f: fired)
        for (auto d: route(f.index)) ++send_count_[d];
    send_.resize(static_cast<std::size_t>(mpi_detail::displacements(send_count_, send_displ_)));
    auto next = send_displ_;
    for (std::size_t k = 0; k < fired.size(); ++k)
        for (auto d: route(fired[k].index)) send_[next[d]++] = own[k];
    // Counts and displacements in bytes from here on.
    for (std::size_t d = 0; d < send_count_.size(); ++d) {
        send_count_[d] *= sizeof(spike);
        send_displ_[d] *= sizeof(spike);
    }
    mpi_check(MPI_Neighbor_alltoall(send_count_.data(), 1, MPI_INT, recv_count_.data(), 1, MPI_INT, graph_),
              "MPI_Neighbor_alltoall");
    const auto bytes = static_cast<std::size_t>(mpi_detail::displacements(recv_count_, recv_displ_));
    // This rank's own spikes first, then what the others sent.
    received_.resize(own.size() + bytes / sizeof(spike));
    std::copy(own.begin(), own.end(), received_.begin());
    mpi_check(MPI_Neighbor_alltoallv(send_.data(), send_count_.data(), send_displ_.data(), MPI_BYTE,
                                     received_.data() + own.size(), recv_count_.data(), recv_displ_.data(), MPI_BYTE,
                                     graph_),
              "MPI_Neighbor_alltoallv");
    bytes_sent_ += send_.size() * sizeof(spike);
    // The previous epoch's agreement on count and stop has travelled while
    // this epoch was simulated and its spikes exchanged (the neighbour
    // collectives above progress it); this epoch's travels during the next.
    complete();
    agreement_[0] = static_cast<std::int64_t>(own.size());
    agreement_[1] = stop ? 1 : 0;
    mpi_check(MPI_Iallreduce(MPI_IN_PLACE, agreement_, 2, MPI_INT64_T, MPI_SUM, comm_, agreed_.start()),
              "MPI_Iallreduce");
}

void spike_exchange::complete() {
    if (!agreed_.active()) return;
    agreed_.wait();
    agreed_total_ += static_cast<std::uint64_t>(agreement_[0]);
    stop_ |= agreement_[1] != 0;
}

} // namespace lifnet
