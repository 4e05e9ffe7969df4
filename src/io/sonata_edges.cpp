#include "io/sonata_edges.hpp"

#include "delivery/delivery.hpp"
#include "graph/edge_registry.hpp"
#include "io/h5.hpp"
#include "io/input_file.hpp"

#include <algorithm>
#include <limits>
#include <memory>

namespace lifnet {

bool is_hdf5_file(const std::string& path) {
    h5::silence_errors();
    return H5Fis_hdf5(path.c_str()) > 0;
}

adjacency read_sonata_edges(const config& c, const boost::mpi::communicator& comm) {
    const auto& path = c.graph_file;
    std::unique_ptr<h5::reader> file;
    std::string source, target;
    hsize_t rows = 0, done = 0;
    auto adj = distribute_from_root(c.N, comm, [&](std::vector<edge>& out, std::size_t limit) {
        if (!file) {
            const input_file checked(path); // a regular file within the input cap
            file = std::make_unique<h5::reader>(path);
            if (!file->exists("edges")) throw file_error(path, "no /edges group: not a SONATA edges file");
            // The population: the one named by `population`, else the only one.
            const auto names = file->children("edges");
            std::string population = c.population;
            if (std::find(names.begin(), names.end(), population) == names.end()) {
                if (names.size() != 1)
                    throw file_error(path, "no edge population '" + population + "' (set population)");
                population = names[0];
            }
            source = "edges/" + population + "/source_node_id";
            target = "edges/" + population + "/target_node_id";
            for (const auto& name: {source, target})
                if (!file->exists(name)) file->fail(name, "missing");
            rows = file->node_id_rows(source);
            // A small file can declare any number of rows (unallocated or
            // compressed storage): more than every neuron's inputs can
            // count is refused before any is read.
            const auto most = static_cast<long double>(c.N) * std::numeric_limits<input_count>::max();
            if (static_cast<long double>(rows) > most)
                file->fail(source, std::to_string(rows) + " synapses, more than N = " + std::to_string(c.N) +
                                       " neurons of at most " +
                                       std::to_string(std::numeric_limits<input_count>::max()) + " inputs each");
            if (file->node_id_rows(target) != rows)
                file->fail(source, "has " + std::to_string(rows) + " rows, target_node_id " +
                                       std::to_string(file->node_id_rows(target)));
        }
        const auto count = std::min<hsize_t>(limit, rows - done);
        const auto s = file->node_ids(source, done, count);
        const auto t = file->node_ids(target, done, count);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto row = std::to_string(done + i);
            if (s[i] >= c.N || t[i] >= c.N)
                throw file_error(path, "synapse " + row + ": node id out of range for N = " + std::to_string(c.N) +
                                           " (set N)");
            if (s[i] == t[i])
                throw file_error(path, "synapse " + row + ": self-connection of node " + std::to_string(s[i]));
            out.push_back({t[i], s[i]});
        }
        done += count;
        return done < rows;
    });
    adj.symmetric = false;
    return adj;
}

} // namespace lifnet
