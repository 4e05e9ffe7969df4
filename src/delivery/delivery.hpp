#pragma once
// Spike delivery: the connection list grouped by source, the inhibitory set,
// and the delay ring of integer input counts.
#include "delivery/delay_ring.hpp"
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
    // log2 of the ids per lookup bucket for `count` sources with ids below
    // `span` (run/setup_replay.cpp sizes the buckets with it too).
    static int bucket_shift(std::uint64_t count, std::uint64_t span);

private:
    // Where to look a source up: the sources with ids in [b, b + 1) · 2^shift_
    // are sources_[bucket_start_[b] .. bucket_start_[b + 1]), a cache line or
    // two instead of a binary search over all of them. Buckets of at least 16
    // ids, and no more buckets than sources: 8 bytes per source, where one
    // bucket per 16 ids up to the largest source id (which rewired edges make
    // about N) took N / 2 bytes on every rank (500 MB at N = 10^9).
    int shift_ = 4; // bucket_shift()
    std::vector<std::size_t> bucket_start_;
    std::vector<std::uint64_t> sources_; // sorted, unique
    std::vector<char> inhibitory_;       // per source
    std::vector<std::size_t> offsets_;   // per source, into targets_
    std::vector<std::uint32_t> targets_; // local neuron indices
    // deliver()'s scratch: the spikes with synapses here and their sources.
    struct found {
        std::size_t spike, source;
    };
    mutable std::vector<found> found_;
};

} // namespace lifnet
