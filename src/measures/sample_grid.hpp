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
    // floor(x / stride) for 0 <= x < 2^62, exact, without a division (per
    // spike in the spike measures): a double reciprocal's estimate, corrected.
    std::int64_t div_stride(std::int64_t x) const {
        auto q = static_cast<std::int64_t>(static_cast<double>(x) * inverse_stride);
        while (q * stride > x) --q;
        while ((q + 1) * stride <= x) ++q;
        return q;
    }
    std::int64_t stride, first, last;
    double inverse_stride; // 1 / stride
};

} // namespace lifnet
