#pragma once
// Checkpoints (issue 7): the whole state of a run at an epoch boundary,
// written collectively by node id, so that a restart may use another number
// of ranks or another partitioner and still continue bit for bit. Written
// via <path>.tmp and a rename: a kill during a checkpoint keeps the last one.
#include "measures/measures.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <string>
#include <vector>

namespace lifnet {

// The state of a run after steps [0, step): this rank's neurons (in the
// order of their ids) and the totals over all ranks. The simulation gathers
// it, and restores it into its parts, which check it.
struct checkpoint_state {
    std::int64_t step = 0;
    std::uint64_t spikes_total = 0;       // all ranks
    std::vector<double> V, I;             // [mV], per neuron
    std::vector<std::int64_t> refractory; // steps left, per neuron
    std::vector<std::uint32_t> ring;      // delay_ring::pending, ring_width values per neuron
    std::size_t ring_width = 0;
    std::vector<double> welford;             // voltage_measures::neuron_state
    voltage_measures::totals voltage_totals; // all ranks
    std::vector<spike_measures::neuron> neurons;
    std::vector<fixed128> phase_sums; // spike_measures::global_phase_sums, all ranks
};

// Collective: writes `s` (the neurons `ids`, sorted) to `path`.
void write_checkpoint(const std::string& path, const config& c, const std::vector<std::uint64_t>& ids,
                      const checkpoint_state& s, const boost::mpi::communicator& comm);

// Local: checks that `path` is a checkpoint of this format, written with
// configuration `c` (t_stop aside), before t_stop; returns its step.
std::int64_t check_checkpoint(const std::string& path, const config& c);

// Collective: the state of a checked checkpoint for the neurons `ids`
// (sorted), as stored; the parts it is restored into check the values.
checkpoint_state read_checkpoint(const std::string& path, const config& c, const std::vector<std::uint64_t>& ids,
                                 std::size_t ring_width, const boost::mpi::communicator& comm);

// The configuration a checkpoint was written with (file_error if `path` is
// not a lifnet checkpoint of this format).
config checkpoint_config(const std::string& path);

} // namespace lifnet
