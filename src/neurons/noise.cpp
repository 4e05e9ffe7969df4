#include "neurons/noise.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

// libmvec's vector log, cos and sin (glibc >= 2.22), called explicitly: glibc
// declares them for the compiler only under -ffast-math, which lifnet avoids.
extern "C" {
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_cos(__m512d);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_sin(__m512d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_log(__m256d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_cos(__m256d);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_sin(__m256d);
}

namespace lifnet {

namespace {

typedef std::uint64_t u64x8 __attribute__((vector_size(64)));
// Lane constants as uint64_t (not unsigned long long, which clang will not
// mix with a vector of uint64_t).
constexpr std::uint64_t low_word = 0xFFFFFFFF, philox_m0 = 0xD2511F53, philox_m1 = 0xCD9E8D57;
typedef double f64x8 __attribute__((vector_size(64)));

// Philox4x32-10 (Random123's rounds and key schedule) on 8 counters at once, for the AVX2 kernel;
// each 32-bit word sits in a 64-bit lane so that products are exact.
#define LIFNET_PHILOX8(c0, c1, c2, c3, seed, what)                                                                     \
    do {                                                                                                               \
        const u64x8 low = u64x8{} + low_word;                                                                          \
        std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(what);                    \
        for (int round = 0; round < 10; ++round) {                                                                     \
            if (round) {                                                                                               \
                k0 += 0x9E3779B9u;                                                                                     \
                k1 += 0xBB67AE85u;                                                                                     \
            }                                                                                                          \
            const u64x8 p0 = c0 * philox_m0, p1 = c2 * philox_m1;                                                      \
            const u64x8 next0 = (p1 >> 32) ^ c1 ^ k0, next2 = (p0 >> 32) ^ c3 ^ k1;                                    \
            c1 = p1 & low;                                                                                             \
            c3 = p0 & low;                                                                                             \
            c0 = next0;                                                                                                \
            c2 = next2;                                                                                                \
        }                                                                                                              \
    } while (0)

// The same with AVX-512: vpmuludq multiplies the lanes' low words exactly
// and ignores their upper words, so no word is masked between rounds (only
// the four words at the end), and the round keys are broadcast once per call.
struct philox_keys {
    u64x8 k0[10], k1[10];
    philox_keys(std::uint64_t seed, purpose what) {
        std::uint32_t a = static_cast<std::uint32_t>(seed), b = static_cast<std::uint32_t>(what);
        for (int round = 0; round < 10; ++round, a += 0x9E3779B9u, b += 0xBB67AE85u) {
            k0[round] = u64x8{} + std::uint64_t(a);
            k1[round] = u64x8{} + std::uint64_t(b);
        }
    }
};

// A lane's high word moved to its low word (and the low word up, ignored
// like every upper word here): vpshufd runs on port 5 where a shift would
// compete with vpmuludq for port 0 on Intel cores.
__attribute__((target("avx512f"))) inline u64x8 swap_words(u64x8 x) {
    return u64x8(_mm512_mask_shuffle_epi32(__m512i(x), 0xFFFF, __m512i(x), _MM_PERM_CDAB)); // masked: as below
}

__attribute__((target("avx512f"))) inline void philox8_avx512(u64x8& c0, u64x8& c1, u64x8& c2, u64x8& c3,
                                                              const philox_keys& keys) {
    const __m512i m0 = _mm512_set1_epi64(philox_m0), m1 = _mm512_set1_epi64(philox_m1);
    for (int round = 0; round < 10; ++round) {
        // (the masked form: GCC 12 warns about the unmasked one's undefined pass-through)
        const u64x8 p0 = u64x8(_mm512_mask_mul_epu32(__m512i(c0), 0xFF, __m512i(c0), m0));
        const u64x8 p1 = u64x8(_mm512_mask_mul_epu32(__m512i(c2), 0xFF, __m512i(c2), m1));
        const u64x8 next0 = swap_words(p1) ^ c1 ^ keys.k0[round], next2 = swap_words(p0) ^ c3 ^ keys.k1[round];
        c1 = p1;
        c3 = p0;
        c0 = next0;
        c2 = next2;
    }
    c0 &= low_word;
    c1 &= low_word;
    c2 &= low_word;
    c3 &= low_word;
}

#define LIFNET_COUNTERS8(ids, j, m)                                                                                    \
    u64x8 c0, c2 = u64x8{} + std::uint64_t((m)&low_word), c3 = u64x8{} + std::uint64_t((m) >> 32);                     \
    std::memcpy(&c0, (ids) + (j), sizeof c0);                                                                          \
    u64x8 c1 = c0 >> 32;                                                                                               \
    c0 &= low_word

// u = (x + 0.5) 2^-32 of eight 32-bit words held in 64-bit lanes (a macro:
// a function of the default target cannot take a 64-byte vector).
#define LIFNET_UNIT8(x) ((__builtin_convertvector((x), f64x8) + 0.5) * 0x1p-32)

// The same in one rounding step fewer: x 2^-32 + 2^-33 is exact (at most 33
// significant bits), so the fused multiply-add gives the same bits.
__attribute__((target("avx512f,avx512dq"))) inline __m512d unit8(u64x8 x) {
    return _mm512_fmadd_pd(_mm512_cvtepu64_pd(__m512i(x)), _mm512_set1_pd(0x1p-32), _mm512_set1_pd(0x1p-33));
}

// Both kernels work in two passes over a block of counters: first every
// counter's Philox (independent chains the core can overlap, no calls in
// between), leaving u0, 2 pi u1, u2 and 2 pi u3 in the four output planes;
// then the log, sqrt, cos and sin calls, which turn each plane pair into
// xi = r cos, r sin with r = sqrt(-2 ln u) (§3's expressions, in its order).
constexpr std::size_t block = 256;

__attribute__((target("avx512f,avx512dq"))) void normals_avx512(std::uint64_t seed, const std::uint64_t* ids,
                                                                std::size_t count, std::uint64_t m, double* out,
                                                                std::size_t stride) {
    const philox_keys keys(seed, purpose::noise);
    double* const plane[4] = {out, out + stride, out + 2 * stride, out + 3 * stride};
    for (std::size_t j0 = 0; j0 < count; j0 += block) {
        const std::size_t end = std::min(count, j0 + block);
        for (std::size_t j = j0; j < end; j += noise_lanes) {
            LIFNET_COUNTERS8(ids, j, m);
            philox8_avx512(c0, c1, c2, c3, keys);
            _mm512_storeu_pd(plane[0] + j, unit8(c0));
            _mm512_storeu_pd(plane[1] + j, _mm512_mul_pd(_mm512_set1_pd(2.0 * std::numbers::pi), unit8(c1)));
            _mm512_storeu_pd(plane[2] + j, unit8(c2));
            _mm512_storeu_pd(plane[3] + j, _mm512_mul_pd(_mm512_set1_pd(2.0 * std::numbers::pi), unit8(c3)));
        }
        for (int pair = 0; pair < 4; pair += 2)
            for (std::size_t j = j0; j < end; j += noise_lanes) {
                const __m512d r2 = -2.0 * _ZGVeN8v_log(_mm512_loadu_pd(plane[pair] + j));
                const __m512d r = _mm512_mask_sqrt_pd(r2, 0xFF, r2); // all lanes; no undefined pass-through
                const __m512d angle = _mm512_loadu_pd(plane[pair + 1] + j);
                _mm512_storeu_pd(plane[pair] + j, _mm512_mul_pd(r, _ZGVeN8v_cos(angle)));
                _mm512_storeu_pd(plane[pair + 1] + j, _mm512_mul_pd(r, _ZGVeN8v_sin(angle)));
            }
    }
}

__attribute__((target("avx2"))) void normals_avx2(std::uint64_t seed, const std::uint64_t* ids, std::size_t count,
                                                  std::uint64_t m, double* out, std::size_t stride) {
    double* const plane[4] = {out, out + stride, out + 2 * stride, out + 3 * stride};
    for (std::size_t j0 = 0; j0 < count; j0 += block) {
        const std::size_t end = std::min(count, j0 + block);
        for (std::size_t j = j0; j < end; j += noise_lanes) {
            LIFNET_COUNTERS8(ids, j, m);
            LIFNET_PHILOX8(c0, c1, c2, c3, seed, purpose::noise);
            const f64x8 u[4] = {LIFNET_UNIT8(c0), 2.0 * std::numbers::pi * LIFNET_UNIT8(c1), LIFNET_UNIT8(c2),
                                2.0 * std::numbers::pi * LIFNET_UNIT8(c3)};
            for (int q = 0; q < 4; ++q) std::memcpy(plane[q] + j, &u[q], sizeof u[q]);
        }
        for (int pair = 0; pair < 4; pair += 2)
            for (std::size_t j = j0; j < end; j += 4) {
                const __m256d r =
                    _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), _ZGVdN4v_log(_mm256_loadu_pd(plane[pair] + j))));
                const __m256d angle = _mm256_loadu_pd(plane[pair + 1] + j);
                _mm256_storeu_pd(plane[pair] + j, _mm256_mul_pd(r, _ZGVdN4v_cos(angle)));
                _mm256_storeu_pd(plane[pair + 1] + j, _mm256_mul_pd(r, _ZGVdN4v_sin(angle)));
            }
    }
}

void normals_scalar(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
                    std::size_t stride) {
    for (std::size_t j = 0; j < count; ++j) {
        const auto xi = normals4(seed, ids[j], m);
        for (std::size_t q = 0; q < 4; ++q) out[q * stride + j] = xi[q];
    }
}

// Counters (a0 + j, b) for the eight lanes j of a vector, as LIFNET_COUNTERS8 lays them out.
#define LIFNET_RUN_COUNTERS8(a0, b)                                                                                    \
    const u64x8 a = u64x8{0, 1, 2, 3, 4, 5, 6, 7} + std::uint64_t(a0);                                                 \
    u64x8 c0 = a & low_word, c1 = a >> 32, c2 = u64x8{} + std::uint64_t((b)&low_word),                                 \
          c3 = u64x8{} + std::uint64_t((b) >> 32)

typedef std::uint32_t u32x8 __attribute__((vector_size(32)));
#define LIFNET_STORE_WORDS8(out, stride, j)                                                                            \
    do {                                                                                                               \
        const u32x8 w[4] = {__builtin_convertvector(c0, u32x8), __builtin_convertvector(c1, u32x8),                    \
                            __builtin_convertvector(c2, u32x8), __builtin_convertvector(c3, u32x8)};                   \
        for (int q = 0; q < 4; ++q) std::memcpy((out) + q * (stride) + (j), &w[q], sizeof w[q]);                       \
    } while (0)

__attribute__((target("avx512f,avx512dq"))) void philox_run_avx512(std::uint64_t seed, purpose what, std::uint64_t a0,
                                                                   std::size_t count, std::uint64_t b,
                                                                   std::uint32_t* out, std::size_t stride) {
    const philox_keys keys(seed, what);
    for (std::size_t j = 0; j < count; j += noise_lanes) {
        LIFNET_RUN_COUNTERS8(a0 + j, b);
        philox8_avx512(c0, c1, c2, c3, keys);
        LIFNET_STORE_WORDS8(out, stride, j);
    }
}

__attribute__((target("avx2"))) void philox_run_avx2(std::uint64_t seed, purpose what, std::uint64_t a0,
                                                     std::size_t count, std::uint64_t b, std::uint32_t* out,
                                                     std::size_t stride) {
    for (std::size_t j = 0; j < count; j += noise_lanes) {
        LIFNET_RUN_COUNTERS8(a0 + j, b);
        LIFNET_PHILOX8(c0, c1, c2, c3, seed, what);
        LIFNET_STORE_WORDS8(out, stride, j);
    }
}

void philox_run_scalar(std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count, std::uint64_t b,
                       std::uint32_t* out, std::size_t stride) {
    for (std::size_t j = 0; j < count; ++j) {
        const auto x = philox(seed, what, a0 + j, b);
        for (std::size_t q = 0; q < 4; ++q) out[q * stride + j] = x[q];
    }
}

using kernel = void (*)(std::uint64_t, const std::uint64_t*, std::size_t, std::uint64_t, double*, std::size_t);
using run_kernel = void (*)(std::uint64_t, purpose, std::uint64_t, std::size_t, std::uint64_t, std::uint32_t*,
                            std::size_t);

struct choice {
    kernel run;
    run_kernel words;
    const char* name;
};

// The kernels this CPU can run, best first.
std::vector<choice> runnable() {
    __builtin_cpu_init();
    std::vector<choice> out;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        out.push_back({normals_avx512, philox_run_avx512, "avx512"});
    if (__builtin_cpu_supports("avx2")) out.push_back({normals_avx2, philox_run_avx2, "avx2"});
    out.push_back({normals_scalar, philox_run_scalar, "scalar"});
    return out;
}

const choice& chosen() {
    static const choice c = runnable().front();
    return c;
}

} // namespace

void normals(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
             std::size_t stride) {
    chosen().run(seed, ids, count, m, out, stride);
}

void philox_run(std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count, std::uint64_t b,
                std::uint32_t* out, std::size_t stride) {
    chosen().words(seed, what, a0, count, b, out, stride);
}

void philox_run_with(std::string_view kernel, std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count,
                     std::uint64_t b, std::uint32_t* out, std::size_t stride) {
    for (const auto& k: runnable())
        if (kernel == k.name) return k.words(seed, what, a0, count, b, out, stride);
    throw internal_error("no noise kernel '" + std::string(kernel) + "' on this CPU");
}

const char* noise_kernel() {
    return chosen().name;
}

std::vector<const char*> noise_kernels() {
    std::vector<const char*> names;
    for (const auto& k: runnable()) names.push_back(k.name);
    return names;
}

void normals_with(std::string_view kernel, std::uint64_t seed, const std::uint64_t* ids, std::size_t count,
                  std::uint64_t m, double* out, std::size_t stride) {
    for (const auto& k: runnable())
        if (kernel == k.name) return k.run(seed, ids, count, m, out, stride);
    throw internal_error("no noise kernel '" + std::string(kernel) + "' on this CPU");
}

} // namespace lifnet
