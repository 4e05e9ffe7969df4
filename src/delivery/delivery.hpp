#pragma once
// Spike delivery: the connection list grouped by source, the inhibitory set,
// and the delay ring of integer input counts.
#include "graph/graph.hpp"

#include <lifnet/config.hpp>
#include <lifnet/spike.hpp>

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace lifnet {

// The round(f_inh N) neurons with the smallest inhibitory draw, ties broken
// by the lower id (MODEL.md §2). Built collectively from each rank's own ids
// without gathering them; contains() answers for any id on any rank.
class inhibitory_set {
public:
    inhibitory_set(const config& c, const std::vector<std::uint64_t>& local_ids, const boost::mpi::communicator& comm);
    bool contains(std::uint64_t id) const;

private:
    std::uint64_t seed_;
    std::uint64_t threshold_;                 // draws below it are inhibitory; 2^32: all
    std::vector<std::uint64_t> at_threshold_; // ids drawn exactly at it that are inhibitory, sorted
};

// The spikes of one kind that reach one neuron in one step: at most one per
// source, so at most its in-degree, which `connections` keeps within range.
using input_count = std::uint16_t;
constexpr std::uint64_t max_in_degree = UINT16_MAX;

// Input counts per local neuron for the steps still to come: D + 1 slots,
// enough for every spike the exchange after an epoch of at most D steps can
// deliver (MODEL.md §2: a spike of step n acts in step n + 1 + D).
class delay_ring {
public:
    delay_ring(std::size_t neurons, std::int64_t D);
    // The counts of one kind of input due at `step`, per local neuron.
    input_count* counts(std::int64_t step, bool inhibitory) { return (inhibitory ? inh_ : exc_).data() + offset(step); }
    const input_count* excitatory(std::int64_t step) const { return exc_.data() + offset(step); }
    const input_count* inhibitory(std::int64_t step) const { return inh_.data() + offset(step); }
    // Zeroes the counts due at `step` of local neurons [first, first + count).
    void clear(std::int64_t step, std::size_t first = 0, std::size_t count = SIZE_MAX);

    // For checkpoints: per neuron, the excitatory and inhibitory counts of the
    // D + 1 steps from `step` on (width() values per neuron).
    std::size_t width() const { return 2 * static_cast<std::size_t>(slots_); }
    std::vector<std::uint32_t> pending(std::int64_t step) const;
    // False (and nothing restored) if a count is out of range.
    bool restore(std::int64_t step, const std::vector<std::uint32_t>& counts);

private:
    std::size_t offset(std::int64_t step) const { return static_cast<std::size_t>(step % slots_) * neurons_; }
    std::size_t neurons_;
    std::int64_t slots_;
    std::vector<input_count> exc_, inh_;
};

// The synapses onto this rank's neurons grouped by source, so that
// delivering one spike is one contiguous walk.
class connections {
public:
    // local: rows are this rank's neurons (sorted ids), neighbours their
    // sources. Throws config_error if a neuron has more than max_in_degree.
    connections(const adjacency& local, const inhibitory_set& inh);
    // Adds every spike to the ring at the step it acts: step + 1 + D.
    void deliver(std::span<const spike> spikes, std::int64_t D, delay_ring& ring) const;
    // The neurons whose spikes these synapses need, sorted.
    std::span<const std::uint64_t> sources() const { return sources_; }

private:
    // Where to look a source up: the sources with ids in [b, b + 1) · bucket
    // are sources_[bucket_start_[b] .. bucket_start_[b + 1]), a cache line or
    // two instead of a binary search over all of them.
    static constexpr std::uint64_t bucket = 16;
    std::vector<std::size_t> bucket_start_;
    std::vector<std::uint64_t> sources_; // sorted, unique
    std::vector<char> inhibitory_;       // per source
    std::vector<std::size_t> offsets_;   // per source, into targets_
    std::vector<std::uint32_t> targets_; // local neuron indices
};

} // namespace lifnet
