#pragma once
// The spike exchange after each epoch, in one of two routings (config
// `routing`):
//   allgather  every spike goes to every rank (MPI_Allgatherv);
//   neighbour  a spike goes only to the other ranks that hold one of its
//              targets (MPI_Neighbor_alltoallv over a distributed-graph
//              communicator built from the partition), so the bytes follow
//              the edge cut instead of N.
// Either way every rank also learns the spike count and whether any rank
// asked to stop, so that all ranks stop at the same epoch: with allgather in
// the exchange itself, with neighbour in a non-blocking all-reduce that the
// next epoch's exchange completes, so that no rank waits for all the others
// (the count and the stop arrive one epoch later).
#include "comm/mpi_util.hpp"
#include "neurons/local_spike.hpp"

#include <lifnet/config.hpp>
#include <lifnet/spike.hpp>

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lifnet {

class spike_exchange {
public:
    // Collective. ids: this rank's neurons, sorted; sources: the neurons
    // whose spikes this rank's synapses need, sorted and unique.
    spike_exchange(spike_routing routing, std::uint64_t N, std::span<const std::uint64_t> ids,
                   std::span<const std::uint64_t> sources, const boost::mpi::communicator& comm);
    // Collective: sends this rank's spikes of the epoch, given as (step,
    // index into ids) pairs.
    void exchange(std::span<const local_spike> fired, std::span<const std::uint64_t> ids, bool stop);
    // After exchange(): this rank's spikes, in the order of `fired`.
    std::span<const spike> own() const { return own_; }
    // After exchange(): every spike of the epoch that this rank's synapses
    // may need, its own included, in no particular order.
    std::span<const spike> received() const { return received_; }
    // The spikes of all ranks over the epochs agreed so far (all but the
    // last with neighbour routing, until complete()), and whether some rank
    // asked to stop in one of them: the same on every rank.
    std::uint64_t agreed_total() const { return agreed_total_; }
    bool stop() const { return stop_; }
    // Collective: completes the agreement in flight (blocking), so that
    // agreed_total() counts every epoch exchanged.
    void complete();
    // Spike bytes this rank has sent to other ranks (payload only).
    std::uint64_t bytes_sent() const { return bytes_sent_; }

    struct wanted; // a neuron of this rank's that another rank needs

private:
    void allgather(bool stop);
    void neighbour(std::span<const local_spike> fired, bool stop);
    // The routes of neighbour routing from what the other ranks need.
    void set_routes(std::vector<wanted>& wants, const std::vector<int>& destinations, std::size_t neurons);
    // The destinations of own neuron i (none if no other rank needs it).
    std::span<const std::uint32_t> route(std::uint32_t i) const;

    boost::mpi::communicator comm_;
    spike_routing routing_;
    // neighbour routing: the distributed-graph communicator, and the
    // destinations of each own neuron that has targets on other ranks, as
    // indices into the communicator's out-neighbours. Neuron i is routed if
    // bit i of routed_ is set; if it is the j-th routed one, its destinations
    // are route_[route_start_[j] .. route_start_[j + 1]). routed_before_[w]
    // counts the routed neurons below 64 w: a fraction of a byte per neuron.
    boost::mpi::communicator graph_;
    std::vector<std::uint64_t> routed_;
    std::vector<std::uint32_t> routed_before_;
    std::vector<std::uint32_t> route_start_;
    std::vector<std::uint32_t> route_;
    std::vector<int> send_count_, send_displ_, recv_count_, recv_displ_;
    std::vector<spike> send_;

    std::vector<spike> own_, received_;
    std::uint64_t agreed_total_ = 0;
    bool stop_ = false;
    // neighbour routing: the agreement in flight, (spikes, stop) of this
    // rank before it completes, their sums over the ranks after.
    std::int64_t agreement_[2] = {0, 0};
    collective_request agreed_;
    std::uint64_t bytes_sent_ = 0;
};

} // namespace lifnet
