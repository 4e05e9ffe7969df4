#pragma once
#include <lifnet/config.hpp>

#include <algorithm>
#include <cstdint>

namespace lifnet {

// The sample times t_m = m·dt: m a multiple of stride, first <= m <= last.
struct sample_grid {
    explicit sample_grid(const config& c);
    bool contains(std::int64_t m) const { return m >= first && m <= last && m % stride == 0; }
    std::int64_t count() const { return count_upto(last); }
    // The number of sample times m <= step.
    std::int64_t count_upto(std::int64_t step) const {
        const auto upto = std::min(step, last);
        return upto < first ? 0 : (upto - first) / stride + 1;
    }
    std::int64_t stride, first, last;
};

} // namespace lifnet
