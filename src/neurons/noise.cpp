#include "neurons/noise.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

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

// §3's Box–Muller, written once for every kernel on eight lanes of GCC
// vectors: each kernel inlines it into its own instruction set, and every
// operation is exactly rounded IEEE arithmetic (add, multiply, divide, fused
// multiply-add, integer bit operations), so the AVX-512, AVX2 and scalar
// kernels give the same bits. It replaces glibc's vector log, cos and sin
// (libmvec). MODEL.md §3 allows last-bit differences from the formulas; these
// stay within about one unit in the last place of each
// (tests/unit/test_random.cpp checks them against long double). And it
// inlines: with no call per function, the logarithms, sines and square roots
// of a vector overlap in the core.
//
// (Inline functions of the default target that take 64-byte vectors: always
// inlined, they pass nothing through the ABI that -Wpsabi warns about. GCC
// gives the warning at the end of the file, so it stays off from here on.)
#pragma GCC diagnostic ignored "-Wpsabi"

typedef std::int64_t i64x8 __attribute__((vector_size(64)));

// a b + c, one rounding: one vfmadd on AVX-512, two on AVX2 (GCC vectorises
// the lane loop), and libm's exact fma in the scalar kernel.
[[gnu::always_inline]] inline f64x8 fma8(f64x8 a, f64x8 b, f64x8 c) {
    f64x8 r;
#pragma GCC unroll 8
    for (int l = 0; l < 8; ++l) r[l] = std::fma(a[l], b[l], c[l]);
    return r;
}

// c[i] + x (c[i+1] + x (…)), unrolled at compile time.
template <std::size_t i = 0, std::size_t n>
[[gnu::always_inline]] inline f64x8 horner8(f64x8 x, const std::array<double, n>& c) {
    if constexpr (i + 1 == n)
        return f64x8{} + c[i];
    else
        return fma8(horner8<i + 1>(x, c), x, f64x8{} + c[i]);
}

// u = (x + 0.5) 2^-32 of 32-bit words x in 64-bit lanes (upper halves zero):
// the bits of 2^52 + x read as a double, less 2^52 - 0.5, both steps exact.
[[gnu::always_inline]] inline f64x8 unit8(u64x8 x) {
    return ((f64x8)(x | 0x4330000000000000) - (0x1p52 - 0.5)) * 0x1p-32;
}

// R(z) / z where 2 atanh(s) = 2s + s R(s²), that is Σ 2 z^(k-1) / (2k + 1),
// as a polynomial fitted on z ≤ 0.0295 (|s| ≤ 0.172); the sin and cos
// polynomials below likewise. tools/fit_noise_polynomials.py makes all three
// (mpmath's Chebyshev fit) and checks them: with the coefficients rounded to
// double, each leaves an error below 3e-17 of its function's value.
constexpr std::array<double, 7> log_series = {0x1.5555555555558p-1, 0x1.99999999952e2p-2, 0x1.2492492df148dp-2,
                                              0x1.c71c62e5800a1p-3, 0x1.7462b4ab2ef6bp-3, 0x1.39fe606542ddep-3,
                                              0x1.2b584aae78a57p-3};
// ln 2 split so that k ln2_hi is exact for |k| < 2^11 (41 significant bits).
constexpr double ln2_hi = 0x1.62e42fefa3000p-1, ln2_lo = 0x1.3de6af278ece6p-42;

// −2 ln u for u in [2^-33, 1): u = 2^k m with m in [√½, √2), computed on
// the bits; f = m − 1 is exact, and ln m = 2 atanh(s), s = f / (2 + f),
// is taken as f − f²/2 + s (f²/2 + R(s²)), where only the small last term
// carries s's rounding.
[[gnu::always_inline]] inline f64x8 minus_two_log8(f64x8 u) {
    constexpr std::int64_t sqrt_half = 0x3FE6A09E667F3BCD; // the bits of √½
    const i64x8 bits = (i64x8)u, k = (bits - sqrt_half) >> 52;
    const f64x8 f = (f64x8)(bits - (k << 52)) - 1.0;
    const f64x8 kd = (f64x8)(k + 0x4338000000000000) - 0x1.8p52; // k as a double (|k| < 2^51)
    const f64x8 s = f / (2.0 + f), z = s * s, half_f2 = 0.5 * f * f;
    const f64x8 R = z * horner8(z, log_series);
    return -2.0 * (kd * ln2_hi + (f - (half_f2 - (s * (half_f2 + R) + kd * ln2_lo))));
}

// sin(2πr) = r (2π + z S(z)) and cos(2πr) = 1 + z C(z) with z = r² ≤ 1/64.
constexpr std::array<double, 6> sin_series = {-0x1.4abbce625be52p+5, 0x1.466bc6775a476p+6,  -0x1.32d2cce500387p+6,
                                              0x1.50783208843ebp+5,  -0x1.e3027dea82bd7p+3, 0x1.e4a9d9166f052p+1};
constexpr std::array<double, 7> cos_series = {-0x1.3bd3cc9be45dep+4, 0x1.03c1f081b5ac0p+6,  -0x1.55d3c7e3cb241p+6,
                                              0x1.e1f5068688d5bp+5,  -0x1.a6d1eef479be1p+4, 0x1.f9ce245cada0bp+2,
                                              -0x1.b2f3eb054afcdp+0};
constexpr double two_pi_hi = 0x1.921fb54442d18p+2, two_pi_lo = 0x1.1a62633145c07p-52; // 2π = hi + lo

// cos 2πu and sin 2πu for u = (x + 0.5) 2^-32: the reduction works on u,
// where it is exact: q = round(4u) (no ties: 2^33 u is odd), r = u − q/4 with
// |r| ≤ 1/8, and 2πu = qπ/2 + 2πr swaps and negates cos 2πr and sin 2πr.
[[gnu::always_inline]] inline void sincos_two_pi8(f64x8 u, f64x8& cos_out, f64x8& sin_out) {
    const f64x8 shifted = u * 4.0 + 0x1.8p52; // q in the low bits of the mantissa
    const i64x8 q = (i64x8)shifted;
    const f64x8 r = u - (shifted - 0x1.8p52) * 0.25, z = r * r;
    const i64x8 sin_r = (i64x8)fma8(r, f64x8{} + two_pi_hi, r * fma8(z, horner8(z, sin_series), f64x8{} + two_pi_lo));
    const i64x8 cos_r = (i64x8)fma8(z, horner8(z, cos_series), f64x8{} + 1.0);
    const i64x8 odd = -(q & 1);                                                  // all ones where q is odd: swap
    cos_out = (f64x8)(((sin_r & odd) | (cos_r & ~odd)) ^ (((q + 1) & 2) << 62)); // negative for q = 1, 2
    sin_out = (f64x8)(((cos_r & odd) | (sin_r & ~odd)) ^ ((q & 2) << 62));       // negative for q = 2, 3
}

// Every kernel works in two passes over a block of counters: first every
// counter's Philox rounds (independent chains that the core overlaps),
// leaving u_0 … u_3 in the four output planes; then the Box–Muller pass,
// whose logarithms and sines are independent chains again. One pass per
// vector is slower: Philox, the logarithm and the square root then form one
// chain longer than the core's window.
constexpr std::size_t block = 256;

// u of the words of `pairs` into their planes.
[[gnu::always_inline]] inline void store_units8(const u64x8 (&w)[4], unsigned pairs, double* out, std::size_t stride,
                                                std::size_t j) {
    for (std::size_t q = 0; q < 4; ++q)
        if (pairs >> q / 2 & 1) {
            const f64x8 u = unit8(w[q]);
            std::memcpy(out + q * stride + j, &u, sizeof u);
        }
}

// The Box–Muller pass for eight lanes of a pair of planes, u of a radius and
// of an angle: xi = sqrt(r2) cos, sqrt(r2) sin, where the kernel takes the
// square root (a lane loop of libm's sqrt does not vectorise: it may set
// errno).
struct pair8 {
    f64x8 r2, cos, sin;
};

[[gnu::always_inline]] inline pair8 box_muller8(const double* radius, const double* angle, std::size_t j) {
    f64x8 u[2];
    std::memcpy(&u[0], radius + j, sizeof u[0]);
    std::memcpy(&u[1], angle + j, sizeof u[1]);
    pair8 g;
    g.r2 = minus_two_log8(u[0]);
    sincos_two_pi8(u[1], g.cos, g.sin);
    return g;
}

// (r by reference: Clang refuses a 64-byte vector passed by value from an
// AVX-512 function to one of the default target, even an inlined one.)
[[gnu::always_inline]] inline void store_pair8(const pair8& g, const f64x8& r, double* radius, double* angle,
                                               std::size_t j) {
    const f64x8 xi_cos = r * g.cos, xi_sin = r * g.sin;
    std::memcpy(radius + j, &xi_cos, sizeof xi_cos);
    std::memcpy(angle + j, &xi_sin, sizeof xi_sin);
}

// Each kernel's square roots of eight lanes.
__attribute__((target("avx512f"), always_inline)) inline f64x8 sqrt_avx512(f64x8 x) {
    return f64x8(_mm512_mask_sqrt_pd(__m512d(x), 0xFF, __m512d(x))); // (masked: as above)
}

__attribute__((target("avx2"), always_inline)) inline f64x8 sqrt_avx2(f64x8 x) {
    __m256d half[2];
    std::memcpy(half, &x, sizeof x);
    for (auto& h: half) h = _mm256_sqrt_pd(h);
    std::memcpy(&x, half, sizeof x);
    return x;
}

[[gnu::always_inline]] inline f64x8 sqrt_scalar(f64x8 x) {
    for (int l = 0; l < 8; ++l) x[l] = std::sqrt(x[l]);
    return x;
}

// The Box–Muller pass of each kernel over lanes [j0, end) of the planes of
// `pairs`: they hold u and get the steps' xi.
#define LIFNET_BOX_MULLER_PASS(name, target, root)                                                                     \
    target void name(double* out, std::size_t stride, std::size_t j0, std::size_t end, unsigned pairs) {               \
        for (std::size_t j = j0; j < end; j += noise_lanes)                                                            \
            for (std::size_t p = 0; p < 2; ++p)                                                                        \
                if (pairs >> p & 1) {                                                                                  \
                    double *const radius = out + 2 * p * stride, *const angle = radius + stride;                       \
                    const pair8 g = box_muller8(radius, angle, j);                                                     \
                    store_pair8(g, root(g.r2), radius, angle, j);                                                      \
                }                                                                                                      \
    }
LIFNET_BOX_MULLER_PASS(box_muller_avx512, __attribute__((target("avx512f,fma"))), sqrt_avx512)
LIFNET_BOX_MULLER_PASS(box_muller_avx2, __attribute__((target("avx2,fma"))), sqrt_avx2)
LIFNET_BOX_MULLER_PASS(box_muller_scalar, , sqrt_scalar)
#undef LIFNET_BOX_MULLER_PASS

__attribute__((target("avx512f,avx512dq,fma"))) void normals_avx512(std::uint64_t seed, const std::uint64_t* ids,
                                                                    std::size_t count, std::uint64_t m, double* out,
                                                                    std::size_t stride, unsigned pairs) {
    const philox_keys keys(seed, purpose::noise);
    for (std::size_t j0 = 0; j0 < count; j0 += block) {
        const std::size_t end = std::min(count, j0 + block);
        for (std::size_t j = j0; j < end; j += noise_lanes) {
            LIFNET_COUNTERS8(ids, j, m);
            philox8_avx512(c0, c1, c2, c3, keys);
            store_units8({c0, c1, c2, c3}, pairs, out, stride, j);
        }
        box_muller_avx512(out, stride, j0, end, pairs);
    }
}

__attribute__((target("avx2,fma"))) void normals_avx2(std::uint64_t seed, const std::uint64_t* ids, std::size_t count,
                                                      std::uint64_t m, double* out, std::size_t stride,
                                                      unsigned pairs) {
    for (std::size_t j0 = 0; j0 < count; j0 += block) {
        const std::size_t end = std::min(count, j0 + block);
        for (std::size_t j = j0; j < end; j += noise_lanes) {
            LIFNET_COUNTERS8(ids, j, m);
            LIFNET_PHILOX8(c0, c1, c2, c3, seed, purpose::noise);
            store_units8({c0, c1, c2, c3}, pairs, out, stride, j);
        }
        box_muller_avx2(out, stride, j0, end, pairs);
    }
}

void normals_scalar(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
                    std::size_t stride, unsigned pairs) {
    for (std::size_t j = 0; j < count; ++j) {
        const auto x = philox(seed, purpose::noise, ids[j], m);
        for (std::size_t q = 0; q < 4; ++q)
            if (pairs >> q / 2 & 1) out[q * stride + j] = to_unit(x[q]);
    }
    box_muller_scalar(out, stride, 0, count, pairs);
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

using kernel = void (*)(std::uint64_t, const std::uint64_t*, std::size_t, std::uint64_t, double*, std::size_t,
                        unsigned);
using run_kernel = void (*)(std::uint64_t, purpose, std::uint64_t, std::size_t, std::uint64_t, std::uint32_t*,
                            std::size_t);

using pass_kernel = void (*)(double*, std::size_t, std::size_t, std::size_t, unsigned);

struct choice {
    kernel run;
    run_kernel words;
    pass_kernel box_muller;
    const char* name;
};

// The kernels this CPU can run, best first (found once per process).
const std::vector<choice>& runnable() {
    static const std::vector<choice> all = [] {
        __builtin_cpu_init();
        std::vector<choice> out;
        const bool fma = __builtin_cpu_supports("fma");
        if (fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
            out.push_back({normals_avx512, philox_run_avx512, box_muller_avx512, "avx512"});
        if (fma && __builtin_cpu_supports("avx2"))
            out.push_back({normals_avx2, philox_run_avx2, box_muller_avx2, "avx2"});
        out.push_back({normals_scalar, philox_run_scalar, box_muller_scalar, "scalar"});
        return out;
    }();
    return all;
}

const choice& chosen() {
    return runnable().front();
}

const choice& named(std::string_view kernel) {
    for (const auto& k: runnable())
        if (kernel == k.name) return k;
    throw internal_error("no noise kernel '" + std::string(kernel) + "' on this CPU");
}

} // namespace

void normals(std::uint64_t seed, const std::uint64_t* ids, std::size_t count, std::uint64_t m, double* out,
             std::size_t stride, unsigned pairs) {
    chosen().run(seed, ids, count, m, out, stride, pairs);
}

void philox_run(std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count, std::uint64_t b,
                std::uint32_t* out, std::size_t stride) {
    chosen().words(seed, what, a0, count, b, out, stride);
}

void philox_run_with(std::string_view kernel, std::uint64_t seed, purpose what, std::uint64_t a0, std::size_t count,
                     std::uint64_t b, std::uint32_t* out, std::size_t stride) {
    named(kernel).words(seed, what, a0, count, b, out, stride);
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
                  std::uint64_t m, double* out, std::size_t stride, unsigned pairs) {
    named(kernel).run(seed, ids, count, m, out, stride, pairs);
}

void box_muller_with(std::string_view kernel, const std::uint32_t* words, std::size_t count, double* out,
                     std::size_t stride) {
    for (std::size_t q = 0; q < 4; ++q)
        for (std::size_t j = 0; j < count; ++j) out[q * stride + j] = to_unit(words[q * stride + j]);
    named(kernel).box_muller(out, stride, 0, count, both_pairs);
}

} // namespace lifnet
