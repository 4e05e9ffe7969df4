#pragma once
// Reading a SONATA edges file (/edges/<population>/source_node_id,
// target_node_id; each row one directed synapse), as lifnet writes with
// --save-graph, so that exactly the graph another tool built can be run.
#include "graph/graph.hpp"

#include <boost/mpi/communicator.hpp>

#include <string>

namespace lifnet {

// Whether `path` is an HDF5 file (else it is read as a text edge list).
bool is_hdf5_file(const std::string& path);

// Collective: rank 0 reads the rows (node ids of any integer type, none
// negative) and sends each synapse to the owner of its target
// (file_error for a missing population or a bad id).
adjacency read_sonata_edges(const config& c, const boost::mpi::communicator& comm);

} // namespace lifnet
