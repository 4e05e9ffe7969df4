#pragma once
// The noise draws xi_{i,n} of MODEL.md §3 for a whole block of neurons:
// Philox4x32-10 in SIMD lanes and a double-precision Box–Muller of lifnet's
// own (log, cos and sin within about one unit in the last place, which
// MODEL.md allows; every kernel computes the same bits). One Philox block of
// a neuron serves the four steps 4m ... 4m+3 of its group m (two Box–Muller
// pairs), so a call draws a whole group. Every neuron takes the same vector
// path (callers pad to noise_lanes), so a neuron's draw does not depend on
// where it sits in a rank's arrays.
#include <lifnet/random.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lifnet {

inline constexpr std::size_t noise_lanes = 8;

// A group's two Box–Muller pairs, as bits: steps 4m and 4m+1, 4m+2 and 4m+3.
inline constexpr unsigned first_pair = 1, second_pair = 2, both_pairs = 3;

// out[q * stride + j] = xi_{ids[j], 4m + q} for j < count and the steps q < 4
// of `pairs` (the other planes are left as they are); count must be a
// multiple of noise_lanes and at most stride.
void normals(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
             std::size_t stride, unsigned pairs = both_pairs);

// The same SIMD Philox4x32-10 for any purpose: the words of key (seed, what)
// and counters (a0 + j, b) for j < count, count a multiple of noise_lanes:
// out[q * stride + j] = word q (the dry run streams all lattice edges' draws).
void philox_run(std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count, std::uint64_t b,
                std::uint32_t* out, std::size_t stride);

// Which implementation this machine uses: "avx512", "avx2" or "scalar".
const char* noise_kernel();

// For tests: every implementation this machine can run (best first), and
// normals() with one of them.
std::vector<const char*> noise_kernels();
void normals_with(std::string_view kernel, std::uint64_t seed, const std::uint64_t* ids, std::size_t count,
                  std::uint64_t m, double* out, std::size_t stride, unsigned pairs = both_pairs);
// xi of the four steps of a group from given Philox words (words[q * stride
// + j] is word q of lane j): §3's mapping after the Philox rounds, so that
// tests can reach every corner of its range.
void box_muller_with(std::string_view kernel, const std::uint32_t* words, std::size_t count, double* out,
                     std::size_t stride);
void philox_run_with(std::string_view kernel, std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count,
                     std::uint64_t b, std::uint32_t* out, std::size_t stride);

} // namespace lifnet
