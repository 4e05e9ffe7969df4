#pragma once
#include <compare>
#include <cstdint>

namespace lifnet {

// A spike of neuron `id` in step `step`, i.e. at time (step + 1)·dt.
struct spike {
    std::int64_t step;
    std::uint64_t id;
    auto operator<=>(const spike&) const = default; // (time, id): the output order
};

} // namespace lifnet
