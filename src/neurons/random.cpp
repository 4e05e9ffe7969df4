#include <lifnet/random.hpp>

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace lifnet {

philox_words philox(std::uint64_t seed, purpose what, std::uint64_t a, std::uint64_t b) {
    r123::Philox4x32 gen;
    const r123::Philox4x32::ctr_type ctr = {
        {std::uint32_t(a), std::uint32_t(a >> 32), std::uint32_t(b), std::uint32_t(b >> 32)}};
    const r123::Philox4x32::key_type key = {{std::uint32_t(seed), std::uint32_t(what)}};
    const auto x = gen(ctr, key);
    return {x[0], x[1], x[2], x[3]};
}

double normal(std::uint64_t seed, std::uint64_t i, std::uint64_t n) {
    const auto x = philox(seed, purpose::noise, i, n);
    return std::sqrt(-2.0 * std::log(to_unit(x[0]))) * std::cos(2.0 * std::numbers::pi * to_unit(x[1]));
}

} // namespace lifnet
