#pragma once
// The id directory: which rank holds which node, kept by block owner
// (comm/decomposition.hpp), so that no rank needs the whole partition.
#include "comm/decomposition.hpp"
#include "comm/mpi_util.hpp"

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace lifnet {

// A value about node `id`.
template <typename T>
struct id_item {
    std::uint64_t id;
    std::uint64_t index; // position of the node in the requester's ids, or of the value
    T value;
};
// Tells each block owner which rank holds each node of its block: the
// returned requests are (node id, index in the holder's ids, holder rank).
inline std::vector<id_item<int>> holders(std::uint64_t N, std::span<const std::uint64_t> ids,
                                         const boost::mpi::communicator& comm) {
    std::vector<std::vector<id_item<int>>> ask(comm.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        ask[block_owner(ids[i], N, comm.size())].push_back({ids[i], i, comm.rank()});
    return alltoallv(comm, ask);
}

} // namespace lifnet
