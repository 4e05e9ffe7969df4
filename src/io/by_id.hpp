#pragma once
// Per-node data in files ordered by node id, whatever the partition: each
// value travels to the block owner of its node, which writes (or reads) its
// contiguous range. Used for /network and for checkpoints, which a run on
// another number of ranks or another partition reads back.
#include "comm/decomposition.hpp"
#include "comm/id_directory.hpp"
#include "comm/mpi_util.hpp"
#include "io/h5.hpp"

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <numeric>

namespace lifnet {

// Collective: the sum of `count` over the ranks before this one.
inline std::uint64_t ranks_before(std::uint64_t count, const boost::mpi::communicator& comm) {
    std::uint64_t first = 0;
    mpi_check(MPI_Exscan(&count, &first, 1, MPI_UINT64_T, MPI_SUM, comm), "MPI_Exscan");
    return comm.rank() == 0 ? 0 : first; // MPI_Exscan leaves rank 0's result undefined
}

// Collective: a dataset that concatenates every rank's `mine`, in rank order
// ([rows] values, or [rows, width] with `mine` row-major).
template <typename T>
void write_concatenated(hid_t parent, const std::string& name, const std::vector<T>& mine,
                        const boost::mpi::communicator& comm, std::size_t width = 1) {
    const std::uint64_t rows = mine.size() / width;
    h5::write_dataset(parent, name, boost::mpi::all_reduce(comm, rows, std::plus<>()), ranks_before(rows, comm), mine,
                      width);
}

// Collective: `width` values per node (values[i * width + w] for ids[i]) into
// the dataset `name` of N * width values, ordered by id.
template <typename T>
void write_by_id(hid_t parent, const std::string& name, std::uint64_t N, const std::vector<std::uint64_t>& ids,
                 const std::vector<T>& values, std::size_t width, const boost::mpi::communicator& comm) {
    std::vector<std::vector<id_item<T>>> send(comm.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        for (std::size_t w = 0; w < width; ++w)
            send[block_owner(ids[i], N, comm.size())].push_back({ids[i], w, values[i * width + w]});
    auto mine = alltoallv(comm, send);
    std::sort(mine.begin(), mine.end(),
              [](const auto& a, const auto& b) { return std::pair(a.id, a.index) < std::pair(b.id, b.index); });
    std::vector<T> out;
    for (const auto& x: mine) out.push_back(x.value);
    h5::write_dataset(parent, name, N * width, block_of(N, comm.size(), comm.rank()).lo * width, out);
}

// Collective: the values of `ids` (this rank's nodes, sorted) from a dataset
// written by write_by_id with the same width (exactly N * width values of
// type T, or a file_error on every rank).
template <typename T>
std::vector<T> read_by_id(const h5::reader& file, const std::string& name, std::uint64_t N,
                          const std::vector<std::uint64_t>& ids, std::size_t width,
                          const boost::mpi::communicator& comm) {
    // Each block owner learns who holds the nodes of its block, reads its
    // block, and answers.
    const auto asked = holders(N, ids, comm);
    const auto block = block_of(N, comm.size(), comm.rank());
    std::vector<T> mine;
    run_collectively(comm, [&] {
        if (file.shape<T>(name, 1)[0] != N * width)
            file.fail(name,
                      "expected " + std::to_string(N * width) + " values (" + std::to_string(width) + " per node)");
        mine = file.slice<T>(name, block.lo * width, (block.hi - block.lo) * width);
    });
    std::vector<std::vector<id_item<T>>> answer(comm.size());
    for (const auto& a: asked)
        for (std::size_t w = 0; w < width; ++w)
            answer[a.value].push_back({a.id, a.index * width + w, mine[(a.id - block.lo) * width + w]});
    std::vector<T> out(ids.size() * width);
    for (const auto& x: alltoallv(comm, answer)) out[x.index] = x.value;
    return out;
}

} // namespace lifnet
