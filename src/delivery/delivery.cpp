#include "delivery/delivery.hpp"

#include "comm/mpi_util.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace lifnet {

namespace {
std::uint64_t draw(std::uint64_t seed, std::uint64_t id) {
    return philox(seed, purpose::inhibitory, id, 0)[0];
}
} // namespace

inhibitory_set::inhibitory_set(const config& c, const std::vector<std::uint64_t>& ids,
                               const boost::mpi::communicator& comm):
    seed_(c.seed) {
    const auto want = static_cast<std::uint64_t>(std::nearbyint(c.f_inh * static_cast<double>(c.N)));
    std::vector<std::uint64_t> draws(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) draws[i] = draw(seed_, ids[i]);
    auto count_below = [&](std::uint64_t t) {
        const std::uint64_t local = std::count_if(draws.begin(), draws.end(), [t](auto x) { return x < t; });
        return boost::mpi::all_reduce(comm, local, std::plus<>());
    };
    // Binary search for the smallest threshold t with at least `want` draws
    // <= t, i.e. count_below(t + 1) >= want; 32 reductions, no gather.
    std::uint64_t lo = 0, hi = std::uint64_t(1) << 32;
    if (want == 0) {
        threshold_ = 0;
        return;
    }
    while (lo < hi) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (count_below(mid + 1) >= want)
            hi = mid;
        else
            lo = mid + 1;
    }
    threshold_ = lo;
    // Ties at the threshold: the lowest ids among them fill what is missing.
    const auto below = count_below(threshold_);
    std::vector<std::uint64_t> tied;
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (draws[i] == threshold_) tied.push_back(ids[i]);
    at_threshold_ = allgatherv<std::uint64_t>(comm, tied);
    std::sort(at_threshold_.begin(), at_threshold_.end());
    at_threshold_.resize(want - below);
}

bool inhibitory_set::contains(std::uint64_t id) const {
    const auto x = draw(seed_, id);
    return x < threshold_ || (x == threshold_ && std::binary_search(at_threshold_.begin(), at_threshold_.end(), id));
}

delay_ring::delay_ring(std::size_t neurons, std::int64_t D):
    neurons_(neurons), slots_(D + 1), exc_(neurons * slots_, 0), inh_(neurons * slots_, 0) {}

void delay_ring::clear(std::int64_t step, std::size_t first, std::size_t count) {
    count = std::min(count, neurons_ - first);
    std::fill_n(exc_.begin() + static_cast<std::ptrdiff_t>(offset(step) + first), count, input_count{0});
    std::fill_n(inh_.begin() + static_cast<std::ptrdiff_t>(offset(step) + first), count, input_count{0});
}

std::vector<std::uint32_t> delay_ring::pending(std::int64_t step) const {
    std::vector<std::uint32_t> out(neurons_ * width());
    for (std::size_t i = 0; i < neurons_; ++i)
        for (std::int64_t d = 0; d < slots_; ++d) {
            out[i * width() + 2 * d] = exc_[offset(step + d) + i];
            out[i * width() + 2 * d + 1] = inh_[offset(step + d) + i];
        }
    return out;
}

bool delay_ring::restore(std::int64_t step, const std::vector<std::uint32_t>& counts) {
    if (std::any_of(counts.begin(), counts.end(), [](auto x) { return x > max_in_degree; })) return false;
    for (std::size_t i = 0; i < neurons_; ++i)
        for (std::int64_t d = 0; d < slots_; ++d) {
            exc_[offset(step + d) + i] = counts[i * width() + 2 * d];
            inh_[offset(step + d) + i] = counts[i * width() + 2 * d + 1];
        }
    return true;
}

connections::connections(const adjacency& local, const inhibitory_set& inh) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> synapses; // (source, local target)
    synapses.reserve(local.neighbours.size());
    for (std::size_t r = 0; r < local.rows(); ++r) {
        const auto in_degree = local.offsets[r + 1] - local.offsets[r];
        if (in_degree > max_in_degree)
            throw config_error(
                {{"graph", "neuron " + std::to_string(local.ids[r]) + " has " + std::to_string(in_degree) +
                               " synapses onto it; lifnet supports at most " + std::to_string(max_in_degree)}});
        for (auto e = local.offsets[r]; e < local.offsets[r + 1]; ++e)
            synapses.emplace_back(local.neighbours[e], static_cast<std::uint32_t>(r));
    }
    std::sort(synapses.begin(), synapses.end());
    targets_.reserve(synapses.size());
    for (const auto& [source, target]: synapses) {
        if (sources_.empty() || sources_.back() != source) {
            sources_.push_back(source);
            inhibitory_.push_back(inh.contains(source));
            offsets_.push_back(targets_.size());
        }
        targets_.push_back(target);
    }
    offsets_.push_back(targets_.size());
    const std::uint64_t span = sources_.empty() ? 0 : sources_.back() + 1; // ids 0 .. span - 1 hold sources
    shift_ = bucket_shift(sources_.size(), span);
    const std::uint64_t buckets = span == 0 ? 0 : ((span - 1) >> shift_) + 1;
    bucket_start_.resize(buckets + 1);
    std::size_t k = 0;
    for (std::uint64_t b = 0; b <= buckets; ++b) {
        while (k < sources_.size() && sources_[k] < b << shift_) ++k;
        bucket_start_[b] = k;
    }
}

int connections::bucket_shift(std::uint64_t count, std::uint64_t span) {
    int shift = 4; // at least 16 ids per bucket
    while (span >> shift > count) ++shift;
    return shift;
}

void connections::deliver(std::span<const spike> spikes, std::int64_t D, delay_ring& ring) const {
    // Two passes, so that every lookup's memory is fetched ahead of its use.
    // First each spike's source (a synapse list here or none): its bucket
    // is fetched 16 spikes ahead, its sources and target offsets 8 ahead.
    auto bucket_of = [&](std::size_t j) {
        return std::min<std::uint64_t>(spikes[j].id >> shift_, bucket_start_.size() - 1);
    };
    found_.clear();
    for (std::size_t j = 0; j < spikes.size(); ++j) {
        if (j + 16 < spikes.size()) __builtin_prefetch(&bucket_start_[bucket_of(j + 16)]);
        if (j + 8 < spikes.size()) {
            const auto first = bucket_start_[bucket_of(j + 8)];
            __builtin_prefetch(sources_.data() + first);
            __builtin_prefetch(offsets_.data() + first);
        }
        const auto b = spikes[j].id >> shift_;
        if (b + 1 >= bucket_start_.size()) continue;
        const auto end = sources_.begin() + static_cast<std::ptrdiff_t>(bucket_start_[b + 1]);
        const auto it =
            std::lower_bound(sources_.begin() + static_cast<std::ptrdiff_t>(bucket_start_[b]), end, spikes[j].id);
        if (it != end && *it == spikes[j].id) found_.push_back({j, static_cast<std::size_t>(it - sources_.begin())});
    }
    // Then the counts: a source's target list is fetched 16 spikes ahead,
    // the counts of its first target (the others are mostly on the same
    // lines: the graph's neighbours are near in id and so in local index) 8
    // ahead. Without this, most increments waited for a target list or a
    // count line that the neuron update had evicted (perf, N = 1e5).
    auto counts_of = [&](const found& f) { return ring.counts(spikes[f.spike].step + 1 + D, inhibitory_[f.source]); };
    for (std::size_t q = 0; q < found_.size(); ++q) {
        if (q + 16 < found_.size()) __builtin_prefetch(targets_.data() + offsets_[found_[q + 16].source]);
        if (q + 8 < found_.size()) {
            const auto& f = found_[q + 8];
            if (offsets_[f.source] < offsets_[f.source + 1])
                __builtin_prefetch(counts_of(f) + targets_[offsets_[f.source]], 1);
        }
        const auto k = found_[q].source;
        auto* counts = counts_of(found_[q]);
        for (auto t = offsets_[k]; t < offsets_[k + 1]; ++t) counts[targets_[t]] += 1;
    }
}

} // namespace lifnet
