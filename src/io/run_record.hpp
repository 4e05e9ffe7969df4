#pragma once
// What a run file holds besides spikes and report: the network and its
// partition, the synchrony measures, and provenance (MODEL.md §5).
#include "graph/graph.hpp"
#include "partition/partition.hpp"

#include <lifnet/config.hpp>
#include <lifnet/summary.hpp>

#include <boost/mpi/communicator.hpp>
#include <hdf5.h>

#include <string>

namespace lifnet {

// /network: the partition: the rank of each node (by id), neurons and
// synapses per rank, edge cut. Collective.
void write_network(hid_t file, const config& c, const adjacency& local, const partition_stats& stats,
                   const boost::mpi::communicator& comm);

// /sync: chi, E, R, rate_hz, cv and the series Vbar with its times t.
// Collective; every rank passes the same measures, `root` writes the series.
void write_sync(hid_t file, const sync_measures& sync, bool root);

// Root attributes: versions, the resolved configuration (TOML), the command
// line, ranks, start and end time, wall time per phase, the spike bytes
// the exchange sent. Collective; every rank passes rank 0's values.
struct provenance {
    std::string command_line, start_time, end_time;
    int ranks = 1;
    phase_seconds seconds;
    std::uint64_t exchange_bytes = 0;
};
void write_provenance(hid_t file, const config& c, const provenance& p);

// /network/update_seconds: the neuron-update time of every rank, whose
// max / mean is the load imbalance. Collective; `root` writes.
void write_update_seconds(hid_t file, const std::vector<double>& seconds, bool root);

// The current time as ISO 8601 (UTC).
std::string now_iso8601();

} // namespace lifnet
