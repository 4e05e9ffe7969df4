#include "io/sonata_edges.hpp"

#include "graph/edge_registry.hpp"
#include "io/h5.hpp"
#include "comm/mpi_util.hpp"

#include <H5FDmpio.h>

#include <algorithm>

namespace lifnet {

bool is_hdf5_file(const std::string& path) {
    h5::silence_errors();
    return H5Fis_hdf5(path.c_str()) > 0;
}

adjacency read_sonata_edges(const config& c, const boost::mpi::communicator& comm) {
    const auto& path = c.graph_file;
    std::vector<std::vector<edge>> send(comm.size()); // (target, source)
    run_collectively(comm, [&] {
        h5::handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, h5::mpio_access(MPI_COMM_SELF)));
        if (file.get() < 0) throw file_error(path, "cannot open the SONATA edges file");
        // The population: the one named by `population`, else the only one.
        h5::handle edges(H5Gopen2(file, "edges", H5P_DEFAULT));
        if (edges.get() < 0) throw file_error(path, "no /edges group: not a SONATA edges file");
        std::string population = c.population;
        if (H5Lexists(edges, population.c_str(), H5P_DEFAULT) <= 0) {
            H5G_info_t info{};
            h5::check(H5Gget_info(edges, &info), "H5Gget_info");
            if (info.nlinks != 1) throw file_error(path, "no edge population '" + population + "' (set population)");
            char name[256] = {};
            H5Lget_name_by_idx(edges, ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof name, H5P_DEFAULT);
            population = name;
        }
        h5::handle group(h5::check(H5Gopen2(edges, population.c_str(), H5P_DEFAULT), "H5Gopen2"));
        h5::handle sources(H5Dopen2(group, "source_node_id", H5P_DEFAULT));
        h5::handle targets(H5Dopen2(group, "target_node_id", H5P_DEFAULT));
        if (sources.get() < 0 || targets.get() < 0)
            throw file_error(path, "edges/" + population + " lacks source_node_id or target_node_id");
        h5::handle space(h5::check(H5Dget_space(sources), "H5Dget_space"));
        const hsize_t rows = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
        const auto share = block_of(rows, comm.size(), comm.rank());
        const auto s = h5::read_dataset<std::uint64_t>(group, "source_node_id", share.lo, share.hi - share.lo);
        const auto t = h5::read_dataset<std::uint64_t>(group, "target_node_id", share.lo, share.hi - share.lo);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto row = std::to_string(share.lo + i);
            if (s[i] >= c.N || t[i] >= c.N)
                throw file_error(path, "synapse " + row + ": node id out of range for N = " + std::to_string(c.N) +
                                           " (set N)");
            if (s[i] == t[i])
                throw file_error(path, "synapse " + row + ": self-connection of node " + std::to_string(s[i]));
            send[block_owner(t[i], c.N, comm.size())].push_back({t[i], s[i]});
        }
    });
    auto pairs = alltoallv(comm, send);
    auto adj = rows_from_pairs(c.N, block_of(c.N, comm.size(), comm.rank()), pairs);
    adj.symmetric = false;
    return adj;
}

} // namespace lifnet
