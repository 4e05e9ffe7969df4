#pragma once
// The run's network as a SONATA circuit (MODEL.md §5) inside the run file:
// the node population /nodes/<population>, and the edge population
// /edges/<population> with both indices. Written in parallel: each rank
// writes the nodes of its block of ids and the synapses onto them.
#include "delivery/delivery.hpp"
#include "graph/graph.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>
#include <hdf5.h>

#include <vector>

namespace lifnet {

// /nodes/<population>: node_type_id, node_group_id, node_group_index and
// group 0 with inhibitory, initial_v, in_degree and out_degree. Collective.
void write_nodes(hid_t file, const config& c, const adjacency& local, const inhibitory_set& inhibitory,
                 const boost::mpi::communicator& comm);

// /edges/<population>: one row per synapse, ordered by (target, source),
// with group 0's syn_weight (signed, mV) and delay (ms), and
// indices/{source_to_target, target_to_source}. `weight` is c_i·J [mV] per
// row of `local`. Collective.
void write_edges(hid_t file, const config& c, const adjacency& local, const std::vector<double>& weight,
                 const inhibitory_set& inhibitory, const boost::mpi::communicator& comm);

} // namespace lifnet
