#pragma once
// Checkpoints (issue 7): the whole state of a run at an epoch boundary,
// written collectively by node id, so that a restart may use another number
// of ranks or another partitioner and still continue bit for bit. Written
// via <path>.tmp and a rename: a kill during a checkpoint keeps the last one.
#include "delivery/delivery.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <string>

namespace lifnet {

// The live state of a run.
struct run_state {
    const config& c;
    neuron_block& block;
    delay_ring& ring;
    voltage_measures& voltages;
    spike_measures& spike_stats;
    std::uint64_t& spikes_total;
};

// Collective: the state after steps [0, step).
void write_checkpoint(const std::string& path, std::int64_t step, const run_state& s,
                      const boost::mpi::communicator& comm);

// Local: checks that `path` is a checkpoint of this format, written with
// configuration `c` (t_stop aside), before t_stop; returns its step.
std::int64_t check_checkpoint(const std::string& path, const config& c);

// Collective: restores the state of a checked checkpoint.
void read_checkpoint(const std::string& path, const run_state& s, std::int64_t step,
                     const boost::mpi::communicator& comm);

// The configuration a checkpoint was written with (file_error if `path` is
// not a lifnet checkpoint of this format).
config checkpoint_config(const std::string& path);

} // namespace lifnet
