#pragma once
#include <cstdint>
#include <vector>

namespace lifnet {

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

} // namespace lifnet
