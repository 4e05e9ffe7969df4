#pragma once
// The noise draws xi_{i,n} of MODEL.md §3 for a whole block of neurons:
// Philox4x32-10 in SIMD lanes and a vectorised double-precision Box–Muller
// with glibc's libmvec log, cos and sin. One Philox block of a neuron serves
// the four steps 4m ... 4m+3 of its group m (two Box–Muller pairs), so a
// call draws a whole group. The mapping is exactly §3's; libmvec may differ
// from scalar log/cos/sin in the last bits, which MODEL.md allows. Every
// neuron takes the same vector path (callers pad to noise_lanes), so a
// neuron's draw does not depend on where it sits in a rank's arrays.
#include <lifnet/random.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lifnet {

inline constexpr std::size_t noise_lanes = 8;

// out[q * stride + j] = xi_{ids[j], 4m + q} for q < 4 and j < count; count
// must be a multiple of noise_lanes and at most stride.
void normals(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
             std::size_t stride);

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
                  std::uint64_t m, double* out, std::size_t stride);
void philox_run_with(std::string_view kernel, std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count,
                     std::uint64_t b, std::uint32_t* out, std::size_t stride);

} // namespace lifnet
