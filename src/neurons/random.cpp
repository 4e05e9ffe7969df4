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

std::array<double, 4> normals4(std::uint64_t seed, std::uint64_t i, std::uint64_t m) {
    const auto x = philox(seed, purpose::noise, i, m);
    const double ra = std::sqrt(-2.0 * std::log(to_unit(x[0]))), a = 2.0 * std::numbers::pi * to_unit(x[1]);
    const double rb = std::sqrt(-2.0 * std::log(to_unit(x[2]))), b = 2.0 * std::numbers::pi * to_unit(x[3]);
    return {ra * std::cos(a), ra * std::sin(a), rb * std::cos(b), rb * std::sin(b)};
}

double normal(std::uint64_t seed, std::uint64_t i, std::uint64_t n) {
    return normals4(seed, i, n / 4)[n % 4];
}

} // namespace lifnet
