#pragma once
// MODEL.md §3: every random draw is Philox4x32-10 keyed by (seed, purpose)
// with the counter built from a neuron id (or edge key) and a step, so no draw
// depends on which rank owns a neuron.
#include <array>
#include <cstdint>

namespace lifnet {

enum class purpose : std::uint32_t {
    initial_v = 0,
    noise = 1,
    inhibitory = 2,
    ws_rewire = 3, // per lattice edge: rewire decision and target
    er_edge = 4,   // per draw counter: one candidate pair
    random_partition = 5,
};

using philox_words = std::array<std::uint32_t, 4>;

// Philox4x32-10 of counter (a mod 2^32, a div 2^32, b mod 2^32, b div 2^32)
// and key (seed, purpose).
philox_words philox(std::uint64_t seed, purpose what, std::uint64_t a, std::uint64_t b);

// u = (x + 0.5) * 2^-32, in (0, 1).
inline double to_unit(std::uint32_t x) {
    return (x + 0.5) * 0x1p-32;
}

// The noise mapping this lifnet implements (MODEL.md §3 and §5): 2, one
// Philox block for four consecutive steps (since 2026-11-29); 1 was one
// block per step. Run files, checkpoints and sweep members record it.
inline constexpr int noise_mapping = 2;

// xi_{i,4m} ... xi_{i,4m+3}: the four standard normals of neuron i for the
// steps of group m, from one Philox block (two Box–Muller pairs, §3).
std::array<double, 4> normals4(std::uint64_t seed, std::uint64_t i, std::uint64_t m);

// xi_{i,n}: the standard normal of neuron i in step n.
double normal(std::uint64_t seed, std::uint64_t i, std::uint64_t n);

__extension__ typedef unsigned __int128 uint128;

// Maps 64 random bits to [0, n) by multiply-high (bias <= n / 2^64).
inline std::uint64_t to_index(std::uint32_t hi, std::uint32_t lo, std::uint64_t n) {
    const std::uint64_t x = (std::uint64_t(hi) << 32) | lo;
    return static_cast<std::uint64_t>((static_cast<uint128>(x) * n) >> 64);
}

} // namespace lifnet
