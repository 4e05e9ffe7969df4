#pragma once
#include <cstdint>

namespace lifnet {

// A spike of this rank's neuron `index` (into the neuron block's ids) in
// step `step`, i.e. at time index step + 1. The exchange turns it into a
// lifnet::spike, which carries the global id.
struct local_spike {
    std::int64_t step;
    std::uint32_t index;
};

} // namespace lifnet
